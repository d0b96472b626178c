"""Finance reports (selectors): budget execution by unit, category and month, and the year-end summary,
on a small ledger built through the services — figures, reversals, scope and bounded queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from smartunion.finance import reports, services, spending
from smartunion.finance.models import Category
from smartunion.finance.services import Line

from .conftest import YEAR, spend
from .test_spending import file

pytestmark = pytest.mark.django_db

LAST = YEAR - 1


def D(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def books(tree: Any, chart: dict[str, Category], budget: Any, make_user: Any) -> Any:
    """Budgets at A, A1 and B; spending in March, May (one at B reversed in June) and December; dues and
    拨缴经费 income at the top; last year an opening balance carried in, dues and spending; a commitment."""

    class World:
        staff = make_user("union_staff", tree.root, name="校工会干事")
        auditor = make_user("auditor", tree.root, name="经审委员")
        chair_a = make_user("subunion_chair", tree.a, name="A主席")
        chair_b = make_user("subunion_chair", tree.b, name="B主席")

    World.line_a = budget("50101", "5000.00", unit=tree.a)
    budget("50102", "3000.00", unit=tree.a)
    budget("50101", "2000.00", unit=tree.b)
    budget("50203", "1000.00", unit=tree.a1)
    budget("50101", "4000.00", unit=tree.a, year=LAST)

    def post(key: str, unit: Any, lines: list[Any], day: dt.date) -> Any:
        return services.entry_post(
            actor=World.staff, idempotency_key=key, unit=unit, posted_on=day, memo=key, lines=lines
        ).entry

    def income(code: str, amount: str) -> list[Line]:
        return [Line(account="funds", amount=amount), Line(category=chart[code], amount=f"-{amount}")]

    # last year: the books open with 10,000 carried in, 800 dues, 1,000 spent at A
    post("opening", tree.root, income("301", "10000.00"), dt.date(LAST, 1, 1))
    post("dues-last", tree.root, income("401", "800.00"), dt.date(LAST, 3, 1))
    post("a-last", tree.a, spend(chart["50101"], "1000.00"), dt.date(LAST, 6, 1))
    # this year
    post("dues", tree.root, income("401", "1000.00"), dt.date(YEAR, 3, 1))
    post("allocation", tree.root, income("402", "2000.00"), dt.date(YEAR, 4, 1))
    post("a-march", tree.a, spend(chart["50101"], "300.00"), dt.date(YEAR, 3, 2))
    post("a-may", tree.a, spend(chart["50102"], "500.00"), dt.date(YEAR, 5, 10))
    b_may = post("b-may", tree.b, spend(chart["50101"], "200.00"), dt.date(YEAR, 5, 20))
    services.entry_reverse(
        actor=World.staff,
        entry=b_may,
        reason="重复支付",
        idempotency_key="b-rev",
        posted_on=dt.date(YEAR, 6, 1),
    )
    post("a1-dec", tree.a1, spend(chart["50203"], "100.00"), dt.date(YEAR, 12, 5))
    # approved, not yet paid: committed against A's 文体活动 line
    World.committed = file(World.chair_a, World.line_a, "400.00")
    spending.spending_request_approve(actor=World.staff, request=World.committed)
    return World


def figures(row: Any) -> tuple[Decimal, Decimal, Decimal]:
    return row.budget, row.committed, row.spent


# -- execution by unit --------------------------------------------------------------------------------------


def test_by_unit_rows_totals_and_reversal(books: Any, tree: Any) -> None:
    report = reports.execution_report(user=books.auditor, year=YEAR, dimension="unit")
    assert [(row.label, row.depth) for row in report.rows] == [
        ("机械工程学院", 0),
        ("第一工会小组", 1),
        ("外国语学院", 0),
    ]
    a, a1, b = report.rows
    assert figures(a) == (D("8000.00"), D("400.00"), D("800.00"))
    assert a.remaining == D("6800.00") and a.rate == D("10.0")
    assert figures(a1) == (D("1000.00"), D("0.00"), D("100.00"))
    assert figures(b) == (D("2000.00"), D("0.00"), D("0.00"))  # 200 spent, reversed: counts back
    assert (report.budget, report.committed, report.spent) == (D("11000.00"), D("400.00"), D("900.00"))
    assert report.rate == D("8.2") and not report.is_empty


def test_a_sub_union_officer_sees_only_their_subtree(books: Any, tree: Any) -> None:
    report = reports.execution_report(user=books.chair_a, year=YEAR, dimension="unit")
    assert [row.label for row in report.rows] == ["机械工程学院", "第一工会小组"]
    assert report.budget == D("9000.00") and report.spent == D("900.00")
    # asking for another unit's subtree gives nothing: the filter narrows the scope, never widens it
    report = reports.execution_report(user=books.chair_a, year=YEAR, unit=tree.b)
    assert report.rows == [] and report.is_empty
    summary = reports.year_summary(user=books.chair_b, year=YEAR)
    assert summary.expense_total.amount == 0 and summary.income_total.amount == 0
    assert summary.closing.amount == 0  # B's funds: 200 out, 200 back


def test_unit_and_category_filters(books: Any, tree: Any, chart: Any) -> None:
    report = reports.execution_report(user=books.auditor, year=YEAR, unit=tree.a1)
    assert [row.label for row in report.rows] == ["第一工会小组"]
    report = reports.execution_report(user=books.auditor, year=YEAR, category=chart["50101"])
    assert [row.label for row in report.rows] == ["机械工程学院", "外国语学院"]
    assert (report.budget, report.committed, report.spent) == (D("7000.00"), D("400.00"), D("300.00"))
    with pytest.raises(ValueError):
        reports.execution_report(user=books.auditor, year=YEAR, dimension="week")


# -- by category and by month --------------------------------------------------------------------------------


def test_by_category_tree_with_rollup(books: Any, chart: Any) -> None:
    report = reports.execution_report(user=books.auditor, year=YEAR, dimension="category")
    rows = {row.code: row for row in report.rows}
    assert [(row.code, row.depth) for row in report.rows] == [
        ("501", 0),
        ("50101", 1),
        ("50102", 1),
        ("502", 0),
        ("50203", 1),
    ]
    assert figures(rows["501"]) == (D("10000.00"), D("400.00"), D("800.00"))
    assert figures(rows["50101"]) == (D("7000.00"), D("400.00"), D("300.00"))
    assert figures(rows["502"]) == (D("1000.00"), D("0.00"), D("100.00"))
    assert report.spent == D("900.00") and report.budget == D("11000.00")
    report = reports.execution_report(
        user=books.auditor, year=YEAR, dimension="category", category=chart["502"]
    )
    assert [row.code for row in report.rows] == ["502", "50203"]


def test_by_month_buckets_and_cumulative_progress(books: Any) -> None:
    report = reports.execution_report(user=books.auditor, year=YEAR, dimension="month")
    assert [row.month for row in report.rows] == list(range(1, 13))
    spent = {row.month: row.spent for row in report.rows if row.spent}
    assert spent == {3: D("300.00"), 5: D("700.00"), 6: D("-200.00"), 12: D("100.00")}
    june = report.rows[5]
    assert june.cumulative == D("800.00") and june.budget == D("11000.00")
    assert june.cumulative_rate == D("7.3") and june.time_progress == D("50.0")
    assert report.rows[-1].cumulative == report.spent == D("900.00")
    assert report.committed == D("400.00")
    last = reports.execution_report(user=books.auditor, year=LAST, dimension="month")
    assert last.rows[5].spent == D("1000.00") and last.budget == D("4000.00")


def test_an_empty_year_is_empty(books: Any) -> None:
    for dimension in reports.DIMENSIONS:
        report = reports.execution_report(user=books.auditor, year=YEAR + 5, dimension=dimension)
        assert report.is_empty and report.rate is None


# -- the year-end summary --------------------------------------------------------------------------------------


def test_year_summary_income_expense_balances_and_last_year(books: Any, tree: Any) -> None:
    paid = file(books.chair_a, books.line_a, "250.00")
    spending.spending_request_approve(actor=books.staff, request=paid)
    spending.spending_request_pay(actor=books.staff, request=paid)  # posted in YEAR (the line's year)

    summary = reports.year_summary(user=books.auditor, year=YEAR)
    income = {row.code: row for row in summary.income}
    assert list(income) == ["401", "402", "403", "409"]  # the whole income chart, even at zero
    assert (income["401"].amount, income["401"].previous) == (D("1000.00"), D("800.00"))
    assert income["401"].change == D("25.0") and income["402"].change is None
    assert (summary.income_total.amount, summary.income_total.previous) == (D("3000.00"), D("800.00"))
    assert summary.income_total.change == D("275.0")

    expense = {row.code: row for row in summary.expense}
    assert [row.code for row in summary.expense if row.depth == 0] == ["501", "502", "503", "504", "509"]
    assert "50103" not in expense  # empty sub-categories are left out
    assert (expense["501"].amount, expense["501"].previous) == (D("1050.00"), D("1000.00"))
    assert (expense["50101"].budget, expense["50101"].amount) == (D("7000.00"), D("550.00"))
    assert expense["50101"].rate == D("7.9")
    assert (summary.expense_total.amount, summary.expense_total.previous) == (D("1150.00"), D("1000.00"))
    assert summary.expense_budget == D("11000.00") and summary.expense_total.change == D("15.0")

    # 301 上年结余 is the opening balance carried in, never income
    assert (summary.carried_in.amount, summary.carried_in.previous) == (D("0.00"), D("10000.00"))
    assert (summary.opening.amount, summary.opening.previous) == (D("9800.00"), D("10000.00"))
    assert (summary.closing.amount, summary.closing.previous) == (D("11650.00"), D("9800.00"))
    assert summary.closing.amount == summary.opening.amount + summary.surplus.amount
    assert summary.transfers.amount == 0 and summary.transfers.previous == 0
    assert (summary.paid_count.amount, summary.paid_count.previous) == (1, 0)
    assert summary.paid_total.amount == D("250.00") and summary.paid_total.change is None


def test_year_summary_for_a_unit_shows_transfers(books: Any, tree: Any, chart: Any) -> None:
    services.entry_post(
        actor=books.staff,
        idempotency_key="transfer",
        unit=tree.root,
        posted_on=dt.date(YEAR, 2, 1),
        memo="拨付分工会经费",
        lines=[Line(account="funds", amount="-600.00"), Line(account="funds", amount="600.00", unit=tree.a)],
    )
    summary = reports.year_summary(user=books.auditor, year=YEAR, unit=tree.a)
    assert summary.income_total.amount == 0 and summary.expense_total.amount == D("900.00")
    assert summary.opening.amount == D("-1000.00")  # last year's spending, not funded inside A
    assert summary.closing.amount == D("-1300.00")
    assert summary.transfers.amount == D("600.00")
    whole = reports.year_summary(user=books.auditor, year=YEAR)
    assert whole.transfers.amount == 0  # inside the whole tree the transfer nets out


# -- bounded queries -----------------------------------------------------------------------------------------------


def _grow(books: Any, tree: Any, chart: Any, budget: Any, n: int) -> None:
    from smartunion.organisations import services as org_services
    from smartunion.organisations.models import OrgUnit

    for i in range(n):
        unit = org_services.unit_create(
            actor=None,
            name=f"新学院{i}",
            code=f"9{i:02d}",
            union_type=OrgUnit.UnionType.BRANCH,
            parent=tree.root,
        )
        budget("50101", "1000.00", unit=unit)
        for day in (3, 8):
            services.entry_post(
                actor=books.staff,
                idempotency_key=f"grow-{i}-{day}",
                unit=unit,
                posted_on=dt.date(YEAR, day, 1),
                memo="x",
                lines=spend(chart["50101"], "10.00"),
            )


@pytest.mark.parametrize("dimension", reports.DIMENSIONS)
def test_execution_queries_do_not_grow(
    books: Any, tree: Any, chart: Any, budget: Any, django_assert_num_queries: Any, dimension: str
) -> None:
    books.auditor.scope_for("finance.view")  # the user's grants, read once per request anyway
    with django_assert_num_queries(4):
        reports.execution_report(user=books.auditor, year=YEAR, dimension=dimension)
    _grow(books, tree, chart, budget, 5)
    with django_assert_num_queries(4):
        report = reports.execution_report(user=books.auditor, year=YEAR, dimension=dimension)
    assert report.spent == D("1000.00")


def test_year_summary_queries_do_not_grow(
    books: Any, tree: Any, chart: Any, budget: Any, django_assert_num_queries: Any
) -> None:
    books.auditor.scope_for("finance.view")
    with django_assert_num_queries(5):
        reports.year_summary(user=books.auditor, year=YEAR)
    _grow(books, tree, chart, budget, 5)
    with django_assert_num_queries(5):
        summary = reports.year_summary(user=books.auditor, year=YEAR)
    assert summary.expense_total.amount == D("1000.00")
