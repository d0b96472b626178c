"""The books in a real browser, as the audit committee (经审委员) reads them: 收支明细 filtered to one
分工会's expense, an entry with its hash, the hash-chain check (账本校验), a reproducible sample (抽查), the
budget execution report by category and by month, and the year summary for the 教代会/工代会 report, on
screen and as printed. Screenshots go to docs/screenshots/finance-1x-*.png."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from smartunion.accounts.models import RoleAssignment
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.finance import selectors, services
from smartunion.finance.models import BudgetLine, Category, Entry
from smartunion.organisations.models import OrgUnit

from .conftest import assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

TRIP = "教职工疗休养（黄山）"


def _day(year: int, month: int, day: int) -> dt.date:
    """A date of this year, never after today (the books take no postings dated in the future)."""
    return min(dt.date(year, month, day), timezone.localdate())


@pytest.fixture
def books(live_server: Any) -> dict[str, Any]:
    """The demo university, plus entries of our own through the services: this year's dues and a
    subsidy at the school union, a 疗休养 trip at 机械工程学院, and a duplicate payment reversed."""
    call_command("seed_demo", members=300, seed=7, stdout=io.StringIO())
    root = OrgUnit.objects.get(parent__isnull=True)
    branch = OrgUnit.objects.get(name="机械工程学院")

    def holder(role: str) -> Any:
        assignment = RoleAssignment.objects.filter(role__code=role, unit=root).select_related("user").first()
        assert assignment is not None, role
        return assignment.user

    staff, auditor = holder("union_staff"), holder("auditor")
    year = timezone.localdate().year
    chart = {category.code: category for category in Category.objects.all()}
    line, _created = BudgetLine.objects.get_or_create(
        year=year, unit=branch, category=chart["50102"], defaults={"amount": "30000.00"}
    )
    used = selectors.budget_line_status(line).spent + selectors.committed(budget_line_id=line.pk)
    if Decimal(str(line.amount)) < used + Decimal(
        "20000.00"
    ):  # room for our postings whatever the demo holds
        BudgetLine.objects.filter(pk=line.pk).update(amount=used + Decimal("20000.00"))

    def post(key: str, unit: Any, day: dt.date, memo: str, lines: list[services.Line]) -> Entry:
        return services.entry_post(
            actor=staff,
            idempotency_key=f"e2e-books:{key}",
            unit=unit,
            posted_on=day,
            memo=memo,
            lines=lines,
        ).entry

    def income(code: str, amount: str) -> list[services.Line]:
        return [
            services.Line(account="funds", amount=amount),
            services.Line(category=chart[code], amount=f"-{amount}"),
        ]

    def expense(code: str, amount: str) -> list[services.Line]:
        return [
            services.Line(category=chart[code], amount=amount),
            services.Line(account="funds", amount=f"-{amount}"),
        ]

    post("dues", root, _day(year, 1, 31), "一月会费收入（补记）", income("401", "12345.00"))
    post("subsidy", root, _day(year, 2, 10), "上级工会专项补助", income("403", "50000.00"))
    trip = post("trip", branch, _day(year, 3, 15), TRIP, expense("50102", "8600.00"))
    twice = post("twice", branch, _day(year, 3, 16), "疗休养尾款（重复登记）", expense("50102", "1200.00"))
    services.entry_reverse(
        actor=staff,
        entry=twice,
        reason="冲销：尾款重复登记",
        idempotency_key="e2e-books:twice-reversed",
        posted_on=_day(year, 3, 17),
    )
    # Last year, for the comparison (the demo may have closed it already: then its own books say it all).
    with contextlib.suppress(ValidationError):
        post("dues-last", root, dt.date(year - 1, 6, 30), "上年会费收入（补记）", income("401", "9800.00"))
    return {"auditor": auditor, "branch": branch, "trip": trip, "year": year}


def test_the_audit_committee_reads_the_books(books: dict[str, Any], desktop: Any, live_server: Any) -> None:
    page, base, branch = desktop, live_server.url, books["branch"]
    login(page, base, books["auditor"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))

    # 收支明细, filtered to the 分工会's expense
    page.click(".sidenav a[href='/console/finance/entries/']")
    page.wait_for_url(re.compile(r"/console/finance/entries/"))
    page.select_option("select[name=unit]", str(branch.pk))
    page.select_option("select[name=kind]", "expense")
    page.click(".filter-bar button[type=submit]")
    page.wait_for_url(re.compile(r"kind=expense"))
    rows = page.locator("#table-region tbody tr")
    assert rows.filter(has_text=TRIP).count() == 1
    assert rows.filter(has_text="冲销：尾款重复登记").count() == 1  # the reversal is a line of its own
    assert page.locator("#table-region tbody tr", has_text="会费").count() == 0
    assert_chinese_renders(page)
    screenshot(page, "finance-10-ledger-filtered")

    # one entry: its lines and its place in the hash chain
    rows.filter(has_text=TRIP).first.locator("a[href^='/console/finance/entries/']").click()
    page.wait_for_url(re.compile(rf"/console/finance/entries/{books['trip'].pk}/$"))
    body = page.locator("main").inner_text()
    assert TRIP in body and books["trip"].entry_hash in body and "8,600.00" in body
    screenshot(page, "finance-11-entry")

    # 账本校验: the chain is intact
    page.click(".sidenav a[href='/console/finance/audit/verify/']")
    page.click(".page-actions button[type=submit]")
    page.wait_for_selector("#verify-result.alert-success")
    assert str(Entry.objects.count()) in page.locator("#verify-result").inner_text()
    screenshot(page, "finance-12-ledger-verify")

    # 抽查: a sample that the seed draws again
    page.click(".sidenav a[href='/console/finance/audit/sample/']")
    page.fill("input[name=size]", "5")
    page.fill("input[name=seed]", "2026")
    page.click(".filter-bar button[type=submit]")
    page.wait_for_selector("#sample-seed")
    assert "2026" in page.locator("#sample-seed").inner_text()
    first_draw = page.locator("main").inner_text()
    page.click("#sample-seed a")
    page.wait_for_selector("#sample-seed")
    assert page.locator("main").inner_text() == first_draw
    screenshot(page, "finance-13-entry-sample")

    # budget execution: the 分工会's categories, then the year month by month
    page.click(".sidenav a[href='/console/finance/reports/execution/']")
    page.wait_for_selector("#chart-report[data-rendered='1'] canvas")
    page.select_option("select[name=unit]", str(branch.pk))
    page.select_option("select[name=dimension]", "category")
    page.click(".filter-bar button[type=submit]")
    page.wait_for_selector("#chart-report[data-dimension='category'][data-rendered='1'] canvas")
    trip_row = page.locator(f"#report-table tr[data-key='{Category.objects.get(code='50102').pk}']")
    spent = Decimal(trip_row.locator("td[data-spent]").inner_text().replace(",", ""))
    assert spent >= Decimal("8600.00")  # 8,600 + 1,200 − 1,200 reversed (and whatever the demo paid)
    screenshot(page, "finance-14-execution-by-category")
    page.select_option("select[name=dimension]", "month")
    page.click(".filter-bar button[type=submit]")
    page.wait_for_selector("#chart-report[data-dimension='month'][data-rendered='1'] canvas")
    assert page.locator("#report-table tbody tr").count() == 12
    march = Decimal(
        page.locator("#report-table tr[data-month='3'] td[data-spent]").inner_text().replace(",", "")
    )
    assert march >= Decimal("8600.00") or timezone.localdate().month < 3
    screenshot(page, "finance-15-execution-by-month")

    # the year summary for the congress report, on screen and printed
    page.click(".sidenav a[href='/console/finance/reports/year/']")
    page.wait_for_selector("#chart-year[data-rendered='1'] canvas")
    subsidy = page.locator("#income-table tr[data-code='403'] td").nth(1).inner_text()
    assert Decimal(subsidy.replace(",", "")) >= Decimal("50000.00")
    assert page.locator("#balance-table tr[data-row='closing']").count() == 1
    assert page.locator("#expense-table tr[data-code='501']").count() == 1
    screenshot(page, "finance-16-year-report")
    page.emulate_media(media="print")
    assert not page.locator(".sidebar").is_visible() and not page.locator(".filter-bar").is_visible()
    screenshot(page, "finance-17-year-report-print")
