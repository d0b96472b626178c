"""Budgets and the books in a real browser, as the 校工会 office keeps them: an allocation by formula
(经费分配) previewed unit by unit and confirmed; a budget adjustment (预算调整) requested by the office and
approved by the union chair, never by its requester; a month's 拨缴经费 with the live preview of its split,
last year's frozen balances (会计年度) and a new sub-category in the chart. Screenshots go to
docs/screenshots/finance-2x-*.png."""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from smartunion.accounts.models import RoleAssignment
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.finance import allocation
from smartunion.finance.models import (
    BudgetAdjustment,
    BudgetAllocation,
    BudgetLine,
    Category,
    FundsAllocationIncome,
    YearBalance,
)
from smartunion.members.selectors import kpis as member_kpis
from smartunion.organisations.models import OrgUnit

from .conftest import DESKTOP, assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

CENT = Decimal("0.01")
REASON = "承办全省高校教职工慰问活动分会场，慰问品数量增加，申请追加预算。"


def money(value: Decimal) -> str:
    """A sum as the pages print it: thousands separated, two decimals."""
    return f"{value:,.2f}"


@pytest.fixture
def demo(live_server: Any) -> dict[str, Any]:
    call_command("seed_demo", members=300, seed=7, stdout=io.StringIO())
    root = OrgUnit.objects.get(parent__isnull=True)

    def holder(role: str) -> Any:
        assignment = (
            RoleAssignment.objects.filter(role__code=role, unit=root, revoked_at__isnull=True)
            .select_related("user")
            .order_by("user__staff_no")
            .first()
        )
        assert assignment is not None, role
        return assignment.user

    staff, chair = holder("union_staff"), holder("union_chair")
    assert staff.pk != chair.pk
    return {"staff": staff, "chair": chair, "root": root, "year": timezone.localdate().year}


def shot(page: Any, name: str) -> None:
    """A full-page screenshot from the top: scrolled down (by filling a field low on the page), the sticky
    top bar and sidebar would be drawn in the middle of the page."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def sign_in(page: Any, base: str, user: Any) -> None:
    login(page, base, user.staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))


def test_the_office_allocates_a_category_by_formula(
    demo: dict[str, Any], desktop: Any, live_server: Any
) -> None:
    page, base, year, staff = desktop, live_server.url, demo["year"], demo["staff"]
    category = Category.objects.get(code="50102")  # 疗休养: the demo allocates 50101, 50203 and 50103 only
    units = list(allocation.default_units(staff).order_by("path"))
    assert units
    assert not BudgetLine.objects.filter(year=year, category=category, unit__in=units).exists()
    counted_on = timezone.localdate().replace(day=1)
    per_member, fixed = Decimal("80.00"), Decimal("1500.00")
    members = member_kpis.member_counts_on(on=counted_on, units=units)
    expected = {
        unit.pk: (per_member * members[unit.pk]).quantize(CENT, rounding=ROUND_HALF_UP) + fixed
        for unit in units
    }
    total = sum(expected.values(), Decimal("0.00"))
    assert sum(members.values()) > 0

    sign_in(page, base, staff)
    page.click(f".sidenav a[href='{reverse('finance:allocation_list')}']")
    page.wait_for_url(re.compile(re.escape(reverse("finance:allocation_list")) + "$"))
    page.click(f".page-actions a[href='{reverse('finance:allocation_new')}']")
    page.wait_for_url(re.compile(re.escape(reverse("finance:allocation_new")) + "$"))
    page.fill("input[name=year]", str(year))
    page.select_option("select[name=category]", str(category.pk))
    page.fill("input[name=counted_on]", counted_on.isoformat())
    page.fill("input[name=per_member]", str(per_member))
    page.fill("input[name=fixed_amount]", str(fixed))
    page.fill("input[name=note]", f"{year}年疗休养经费（按会员人数分配）")
    boxes = page.locator("#allocation-units input[name=units]")
    assert boxes.count() == len(units)
    assert all(boxes.nth(index).is_checked() for index in range(boxes.count()))  # every unit by default
    page.click("#preview-button")
    page.wait_for_selector("#allocation-preview")
    rows = page.locator("#allocation-preview tbody tr")
    assert rows.count() == len(units)
    for index, unit in enumerate(units):  # the preview lists the units in tree order, as they are here
        cells = [text.strip() for text in rows.nth(index).locator("td").all_inner_texts()]
        assert cells[0] == unit.name
        assert cells[1] == str(members[unit.pk]) and cells[4] == money(expected[unit.pk])
    assert page.locator("#preview-total").inner_text().strip() == money(total)
    assert page.locator("#allocation-preview tfoot th").nth(1).inner_text().strip() == str(
        sum(members.values())
    )
    assert page.locator("#allocation-preview .form-errors").count() == 0
    assert_chinese_renders(page)
    shot(page, "finance-20-allocation-preview")

    # Only a preview: nothing is set until the allocation is confirmed.
    assert not BudgetLine.objects.filter(year=year, category=category, unit__in=units).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#apply-button")
    page.wait_for_url(re.compile(r"/console/finance/budgets/allocations/\d+/$"))
    page.wait_for_selector(".flash-success")
    applied = BudgetAllocation.objects.get(year=year, category=category)
    assert applied.total == total
    assert applied.per_member == per_member and applied.fixed_amount == fixed
    lines = {
        line.unit_id: line.amount
        for line in BudgetLine.objects.filter(year=year, category=category, unit__in=units)
    }
    assert lines == expected
    assert page.url.endswith(reverse("finance:allocation_detail", args=[applied.pk]))
    body = page.locator("main").inner_text()
    assert money(total) in body and counted_on.isoformat() in body
    for unit in units:  # a row per unit, linked to its new budget line
        line = BudgetLine.objects.get(year=year, unit=unit, category=category)
        link = f"a[href='{reverse('finance:budget_line_detail', args=[line.pk])}']"
        row = page.locator("tbody tr", has=page.locator(link))
        assert row.locator(link).inner_text().strip() == unit.name
        assert money(expected[unit.pk]) in row.inner_text()
    assert_chinese_renders(page)
    shot(page, "finance-21-allocation-applied")


def test_an_adjustment_is_requested_by_the_office_and_approved_by_the_chair(
    demo: dict[str, Any], desktop: Any, live_server: Any, browser: Any
) -> None:
    page, base, year = desktop, live_server.url, demo["year"]
    line = BudgetLine.objects.get(year=year, unit__name="机械工程学院", category__code="50203")
    assert not BudgetAdjustment.objects.filter(
        budget_line=line, status=BudgetAdjustment.Status.PENDING
    ).exists()
    before = line.amount
    after = before + Decimal("3000.00")
    line_url = reverse("finance:budget_line_detail", args=[line.pk])

    sign_in(page, base, demo["staff"])
    page.goto(f"{base}{line_url}")
    assert page.locator("#line-totals [data-total=budget]").inner_text().strip() == money(before)
    page.click("#adjust-button")
    page.wait_for_url(re.compile(re.escape(reverse("finance:adjustment_new", args=[line.pk])) + "$"))
    assert page.locator("input[name=amount_after]").input_value() == str(before)
    page.fill("input[name=amount_after]", str(after))
    page.fill("textarea[name=reason]", REASON)
    assert_chinese_renders(page)
    shot(page, "finance-22-adjustment-form")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(re.escape(line_url) + "$"))
    page.wait_for_selector(".flash-success")
    adjustment = BudgetAdjustment.objects.get(budget_line=line, reason=REASON)
    assert adjustment.status == BudgetAdjustment.Status.PENDING
    assert adjustment.requested_by_id == demo["staff"].pk
    assert adjustment.amount_before == before and adjustment.amount_after == after
    line.refresh_from_db()
    assert line.amount == before  # nothing changes until someone else approves
    expect(page.locator("#pending-adjustment")).to_contain_text(money(after))
    history = page.locator("#adjustments tbody tr", has_text=REASON)
    assert history.count() == 1
    # The requester may withdraw the request, never approve it.
    assert history.locator(".approve-button").count() == 0
    assert history.locator("button[type=submit]").count() == 1  # 撤回
    assert page.locator("#adjust-button").count() == 0  # one pending request per line
    shot(page, "finance-23-adjustment-pending")
    page.goto(f"{base}{reverse('finance:adjustment_list')}")
    own = page.locator("tbody tr", has_text=REASON)
    assert own.count() == 1 and own.locator(".approve-button").count() == 0

    chair_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DESKTOP)
    chair_context.set_default_timeout(15_000)
    chair = chair_context.new_page()
    sign_in(chair, base, demo["chair"])
    chair.goto(f"{base}{reverse('finance:adjustment_list')}")
    row = chair.locator("tbody tr", has_text=REASON)
    assert row.count() == 1
    assert money(after) in row.inner_text() or str(after) in row.inner_text()
    assert_chinese_renders(chair)
    shot(chair, "finance-24-adjustment-list")
    chair.once("dialog", lambda dialog: dialog.accept())
    row.locator(".approve-button").click()
    chair.wait_for_selector(".flash-success")
    adjustment.refresh_from_db()
    line.refresh_from_db()
    assert adjustment.status == BudgetAdjustment.Status.APPROVED
    assert adjustment.decided_by_id == demo["chair"].pk
    assert line.amount == after
    assert chair.locator("tbody tr", has_text=REASON).count() == 0  # off the pending tab

    chair.goto(f"{base}{line_url}")
    assert chair.locator("#line-totals [data-total=budget]").inner_text().strip() == money(after)
    decided = chair.locator("#adjustments tbody tr", has_text=REASON)
    expect(decided.locator(".badge")).to_have_text("已批准")  # the status label of an approved adjustment
    assert demo["chair"].display_name in decided.inner_text()
    assert chair.locator("#pending-adjustment").count() == 0
    shot(chair, "finance-25-adjustment-approved")
    chair_context.close()


def test_the_office_keeps_the_books(demo: dict[str, Any], desktop: Any, live_server: Any) -> None:
    page, base, year = desktop, live_server.url, demo["year"]
    month = timezone.localdate().replace(day=1)  # the demo records every month before this one
    assert not FundsAllocationIncome.objects.filter(month=month).exists()
    assert FundsAllocationIncome.objects.filter(month__year=year - 1).count() == 12
    payroll = Decimal("8765432.10")
    allocated = (payroll * Decimal("0.02")).quantize(CENT, rounding=ROUND_HALF_UP)
    kept = (allocated * Decimal("0.60")).quantize(CENT, rounding=ROUND_HALF_UP)
    upward = allocated - kept

    # 收入登记: a month's 拨缴经费, its split previewed as it is typed
    sign_in(page, base, demo["staff"])
    page.click(f".sidenav a[href='{reverse('finance:income_list')}']")
    page.wait_for_url(re.compile(re.escape(reverse("finance:income_list")) + "$"))
    form = page.locator("#allocation-form")
    assert form.locator("input[name=rate]").input_value() == "2.00"
    assert form.locator("input[name=retained_share]").input_value() == "60.00"
    form.locator("input[name=month]").fill(f"{month:%Y-%m}")
    form.locator("input[name=payroll_total]").fill(str(payroll))
    expect(form.locator("[data-preview=allocation]")).to_have_text(money(allocated))
    expect(form.locator("[data-preview=retained]")).to_have_text(money(kept))
    expect(form.locator("[data-preview=upward]")).to_have_text(money(upward))
    assert_chinese_renders(page)
    shot(page, "finance-26-income-preview")
    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    assert page.url.endswith(reverse("finance:income_list"))
    record = FundsAllocationIncome.objects.get(month=month)
    assert (record.payroll_total, record.allocation, record.retained, record.upward) == (
        payroll,
        allocated,
        kept,
        upward,
    )
    row = page.locator(f"tr[data-allocation-month='{month:%Y-%m}']")
    expect(row).to_be_visible()
    cells = row.locator("td")
    assert cells.nth(1).inner_text().strip() == money(payroll)
    assert cells.nth(3).inner_text().strip() == money(allocated)
    assert money(kept) in cells.nth(4).inner_text()
    assert cells.nth(5).inner_text().strip() == money(upward)
    shot(page, "finance-27-income-recorded")

    # 会计年度: last year closed, its balances frozen
    page.click(f".sidenav a[href='{reverse('finance:year_list')}']")
    page.wait_for_url(re.compile(re.escape(reverse("finance:year_list")) + "$"))
    assert page.locator(f"#fiscal-years tr[data-year='{year - 1}'] .badge-ok").count() == 1
    frozen = page.locator(f"#year-{year - 1}")
    assert frozen.locator(".card-head .badge-ok").count() == 1
    balances = YearBalance.objects.filter(year=year - 1).select_related("unit")
    assert balances.exists()
    table = frozen.locator(f"table[data-year-table='{year - 1}']")
    assert table.locator("tbody tr").count() == balances.count()
    for balance in balances:
        cells = table.locator(f"tr[data-unit='{balance.unit_id}'] td")
        assert cells.nth(1).inner_text().strip() == money(balance.opening), balance.unit.name
        assert cells.nth(4).inner_text().strip() == money(balance.closing), balance.unit.name
    assert page.locator(f"#year-{year} table[data-year-table='{year}']").count() == 1  # this year: live
    assert_chinese_renders(page)
    shot(page, "finance-28-fiscal-years")

    # 收支科目: a sub-category under 501
    parent = Category.objects.get(code="501")
    page.click(f".sidenav a[href='{reverse('finance:category_list')}']")
    page.wait_for_url(re.compile(re.escape(reverse("finance:category_list")) + "$"))
    page.click(f".page-actions a[href='{reverse('finance:category_new')}']")
    page.wait_for_url(re.compile(re.escape(reverse("finance:category_new")) + "$"))
    page.fill("input[name=code]", "50104")
    page.fill("input[name=name]", "劳动竞赛")
    page.select_option("select[name=kind]", "expense")
    page.select_option("select[name=parent]", str(parent.pk))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(re.escape(reverse("finance:category_list")) + "$"))
    page.wait_for_selector(".flash-success")
    added = Category.objects.get(code="50104")
    assert added.parent_id == parent.pk and added.kind == Category.Kind.EXPENSE and added.name == "劳动竞赛"
    row = page.locator("tbody tr", has_text="50104")
    assert row.count() == 1 and "劳动竞赛" in row.inner_text()
    codes = [text.strip() for text in page.locator("tbody tr td:first-child").all_inner_texts()]
    assert codes.index("501") < codes.index("50104") < codes.index("502")  # in the tree, under 501
    shot(page, "finance-29-categories")
