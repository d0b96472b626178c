"""Spending requests in a real browser: a 分工会 chair files a request with an invoice, the 校工会 office
approves it (with the confirmation dialog), and the budget page shows the amount committed against the line
and the execution chart; the office records the payment and the execution report's table and chart move the
amount from committed to spent. Screenshots go to docs/screenshots/finance-*.png."""

from __future__ import annotations

import io
import re
import struct
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartunion.accounts.models import RoleAssignment
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.finance import selectors
from smartunion.finance.models import BudgetLine, Category, SpendingRequest
from smartunion.organisations.models import OrgUnit

from .conftest import assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def tiny_png() -> bytes:
    """A 2×2 red PNG, made here so the test needs no fixture file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xc6\x28\x28" * 2 for _row in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# The unit's committed and spent in the execution report: its table row and the chart's bars.
CHART_FIGURES = """
(name) => {
  const chart = echarts.getInstanceByDom(document.getElementById("chart-report"));
  const option = chart.getOption();
  const index = option.yAxis[0].data.indexOf(name);
  const amount = (id) => option.series.find((series) => series.id === id).data[index].amount;
  return { committed: amount("committed"), spent: amount("spent") };
}
"""


def execution_figures(page: Any, base_url: str, unit: OrgUnit) -> dict[str, Decimal]:
    page.goto(f"{base_url}/console/finance/reports/execution/?dimension=unit")
    page.wait_for_selector("#chart-report[data-rendered='1'] canvas")
    cells = page.locator(f"#report-table tr[data-key='{unit.pk}'] td")
    chart = page.evaluate(CHART_FIGURES, unit.name)

    def number(text: str) -> Decimal:
        return Decimal(text.replace(",", "").strip())

    return {
        "committed": number(cells.nth(2).inner_text()),
        "spent": number(cells.nth(3).inner_text()),
        "chart_committed": Decimal(str(chart["committed"])),
        "chart_spent": Decimal(str(chart["spent"])),
    }


@pytest.fixture
def demo(live_server: Any) -> dict[str, Any]:
    call_command("seed_demo", members=300, seed=7, stdout=io.StringIO())
    branch = OrgUnit.objects.get(name="机械工程学院")
    staff = (
        RoleAssignment.objects.filter(role__code="union_staff", unit__parent__isnull=True)
        .select_related("user")
        .first()
    )
    chair = (
        RoleAssignment.objects.filter(role__code="subunion_chair", unit=branch).select_related("user").first()
    )
    assert staff is not None and chair is not None
    year = timezone.localdate().year
    line, _created = BudgetLine.objects.get_or_create(
        year=year,
        unit=branch,
        category=Category.objects.get(code="50101"),
        defaults={"amount": "20000.00"},
    )
    # The demo's books may already draw on the line: leave room for this request whatever they hold.
    used = selectors.budget_line_status(line).spent + selectors.committed(budget_line_id=line.pk)
    if Decimal(str(line.amount)) < used + Decimal("20000.00"):
        BudgetLine.objects.filter(pk=line.pk).update(amount=used + Decimal("20000.00"))
    for code, amount in (("50102", "30000.00"), ("50202", "8000.00"), ("503", "5000.00")):
        BudgetLine.objects.get_or_create(
            year=year, unit=branch, category=Category.objects.get(code=code), defaults={"amount": amount}
        )
    return {"staff": staff.user, "chair": chair.user, "line": line, "branch": branch}


def test_a_chair_files_a_request_the_office_approves_it_and_the_budget_shows_it(
    demo: dict[str, Any], desktop: Any, live_server: Any, browser: Any, tmp_path: Path
) -> None:
    invoice = tmp_path / "发票-羽毛球赛.png"
    invoice.write_bytes(tiny_png())
    page = desktop
    login(page, live_server.url, demo["chair"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.click(".sidenav a[href='/console/finance/spending/']")
    page.wait_for_url(re.compile(r"/console/finance/spending/"))
    page.click("a[href='/console/finance/spending/new/']")
    page.select_option("select[name=budget_line]", str(demo["line"].pk))
    page.fill("input[name=title]", "教职工羽毛球赛场地及奖品")
    page.fill("input[name=amount]", "3600.00")
    page.fill("input[name=payee]", "南通市体育中心")
    page.fill("textarea[name=purpose]", "11月教职工羽毛球赛：场地租用 2 天，奖品 30 份。")
    page.set_input_files("input[name=attachments]", str(invoice))
    assert_chinese_renders(page)
    screenshot(page, "finance-1-new-request")
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(re.compile(r"/console/finance/spending/\d+/$"))
    page.wait_for_selector(".flash-success")
    request = SpendingRequest.objects.get(title="教职工羽毛球赛场地及奖品")
    assert request.status == SpendingRequest.Status.SUBMITTED
    assert page.locator("a[href^='/console/finance/spending/attachments/']").count() == 1
    screenshot(page, "finance-2-request-submitted")

    office_context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    office = office_context.new_page()
    login(office, live_server.url, demo["staff"].staff_no, DEMO_PASSWORD)
    office.wait_for_url(re.compile(r"/console/$"))
    office.goto(f"{live_server.url}/console/finance/spending/")
    assert office.locator(f"a[href='/console/finance/spending/{request.pk}/']").count() == 1
    screenshot(office, "finance-3-request-list")
    office.click(f"a[href='/console/finance/spending/{request.pk}/']")
    office.once("dialog", lambda dialog: dialog.accept())
    office.click("#approve-button")
    office.wait_for_selector(".flash-success")
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.APPROVED
    screenshot(office, "finance-4-request-approved")

    office.goto(f"{live_server.url}/console/finance/budgets/?per_page=200")
    office.wait_for_selector("#chart-execution[data-rendered='1'] canvas")
    row = office.locator("tr", has_text="机械工程学院").filter(has_text="文体活动").first
    assert "3,600.00" in row.inner_text() or "3600.00" in row.inner_text()
    office.goto(f"{live_server.url}/console/finance/budgets/")  # the first page, as the office opens it
    office.wait_for_selector("#chart-execution[data-rendered='1'] canvas")
    screenshot(office, "finance-5-budgets")

    # Paying posts the entry: the execution report moves 3,600 from committed to spent, in table and chart.
    before = execution_figures(office, live_server.url, demo["branch"])
    assert before["committed"] >= Decimal("3600.00") and before["chart_spent"] == before["spent"]
    office.goto(f"{live_server.url}/console/finance/spending/{request.pk}/")
    office.once("dialog", lambda dialog: dialog.accept())
    office.click("#pay-button")
    office.wait_for_selector(".flash-success")
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.PAID and request.entry is not None
    screenshot(office, "finance-6-request-paid")
    after = execution_figures(office, live_server.url, demo["branch"])
    assert after["spent"] == before["spent"] + Decimal("3600.00")
    assert after["committed"] == before["committed"] - Decimal("3600.00")
    assert after["chart_spent"] == before["chart_spent"] + Decimal("3600.00")
    assert after["chart_committed"] == before["chart_committed"] - Decimal("3600.00")
    screenshot(office, "finance-7-execution-report")
    office_context.close()
