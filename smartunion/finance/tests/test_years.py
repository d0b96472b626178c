"""Fiscal years: the close freezes each unit's figures, the next year opens with the closing balance, a
closed year accepts nothing; opening balances from before SmartUnion, once per unit and year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.finance import selectors, spending, years
from smartunion.finance.models import BudgetLine, Entry, FiscalYear, YearBalance
from smartunion.finance.services import Line, entry_post, entry_reverse
from smartunion.finance.verify import verify_chain

pytestmark = pytest.mark.django_db

D = Decimal
Y1, Y2 = 2024, 2025  # two ended years (the tests run in 2026 or later)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def office(make_user: Any, tree: Any, chart: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


@pytest.fixture
def post(office: Any, chart: Any) -> Any:
    counter = {"n": 0}

    def make(unit: Any, code: str, amount: str, day: dt.date) -> Entry:
        """Income (4xx) credits the category and debits funds; expense (5xx) the other way round."""
        counter["n"] += 1
        value = D(amount)
        sign = -1 if code.startswith("4") else 1
        if code.startswith("5"):
            BudgetLine.objects.get_or_create(
                year=day.year, unit=unit, category=chart[code], defaults={"amount": "100000.00"}
            )
        return entry_post(
            actor=office,
            idempotency_key=f"test:{counter['n']}",
            unit=unit,
            posted_on=day,
            memo="测试",
            lines=[
                Line(category=chart[code], amount=sign * value),
                Line(account="funds", amount=-sign * value),
            ],
        ).entry

    return make


@pytest.fixture
def books(post: Any, tree: Any, office: Any) -> Any:
    """Y1: A opens with 500, earns 1,000 and spends 300; the top earns 2,000. Y2: A spends 200."""
    years.opening_balance_record(actor=office, unit=tree.a, year=Y1, amount="500.00", note="旧账")
    post(tree.a, "401", "1000.00", dt.date(Y1, 3, 1))
    post(tree.a, "50101", "300.00", dt.date(Y1, 6, 1))
    post(tree.root, "402", "2000.00", dt.date(Y1, 4, 1))
    post(tree.a, "50101", "200.00", dt.date(Y2, 2, 1))
    return tree


def balances(year: int) -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal]]:
    return {
        balance.unit.name: (balance.opening, balance.income, balance.expense, balance.closing)
        for balance in YearBalance.objects.filter(year=year).select_related("unit")
    }


def test_live_figures_count_opening_balances_into_the_opening(books: Any) -> None:
    figures = years.live_figures(years=[Y1, Y2])
    a = {row.name: row for row in figures[Y1].rows}["机械工程学院"]
    assert (a.opening, a.income, a.expense, a.closing) == (
        D("500.00"),
        D("1000.00"),
        D("300.00"),
        D("1200.00"),
    )
    assert a.consistent
    assert years.funds_balance(unit=books.a, on=dt.date(Y1, 12, 31)) == D("1200.00")
    a2 = {row.name: row for row in figures[Y2].rows}["机械工程学院"]
    assert (a2.opening, a2.income, a2.expense, a2.closing) == (
        D("1200.00"),
        D("0"),
        D("200.00"),
        D("1000.00"),
    )


def test_close_freezes_balances_and_the_next_opening_is_the_closing(
    books: Any, office: Any, post: Any
) -> None:
    fiscal_year = years.year_close(actor=office, year=Y1)
    assert fiscal_year.is_closed and fiscal_year.closed_by == office
    assert balances(Y1) == {
        "机械工程学院": (D("500.00"), D("1000.00"), D("300.00"), D("1200.00")),
        "江海大学工会": (D("0.00"), D("2000.00"), D("0.00"), D("2000.00")),
    }
    logged = AuditEntry.objects.get(action="finance.year.balances_frozen")
    assert logged.changes["units"] == 2 and logged.changes["closing"] == "3200.00"
    assert AuditEntry.objects.filter(action="finance.year.closed").count() == 1
    # A posting into the open year leaves the frozen figures as they were.
    post(books.a, "401", "50.00", dt.date(Y2, 5, 1))
    assert balances(Y1)["机械工程学院"][3] == D("1200.00")
    years.year_close(actor=office, year=Y2)
    assert balances(Y2)["机械工程学院"] == (D("1200.00"), D("50.00"), D("200.00"), D("1050.00"))
    assert balances(Y2)["江海大学工会"][0] == balances(Y1)["江海大学工会"][3]
    assert verify_chain().ok


def test_a_closed_year_refuses_postings(books: Any, office: Any, post: Any) -> None:
    years.year_close(actor=office, year=Y1)
    with pytest.raises(ValidationError, match="closed"):
        post(books.a, "401", "10.00", dt.date(Y1, 12, 31))
    with pytest.raises(ValidationError, match="already closed"):
        years.year_close(actor=office, year=Y1)


def test_years_close_in_order(books: Any, office: Any) -> None:
    with pytest.raises(ValidationError, match=f"{Y1} has postings and is still open"):
        years.year_close(actor=office, year=Y2)
    assert not FiscalYear.objects.filter(closed_at__isnull=False).exists()
    assert not YearBalance.objects.exists()


def test_a_year_that_has_not_ended_is_refused(books: Any, office: Any) -> None:
    this_year = timezone.localdate().year
    years.year_close(actor=office, year=Y1)
    years.year_close(actor=office, year=Y2)
    for year in (this_year, this_year + 1):
        with pytest.raises(ValidationError, match="has not ended"):
            years.year_close(actor=office, year=year)


def test_open_spending_requests_block_the_close(books: Any, office: Any, tree: Any, make_user: Any) -> None:
    line = BudgetLine.objects.get(year=Y1, unit=tree.a)
    chair = make_user("subunion_chair", tree.a)
    request = spending.spending_request_submit(
        actor=chair,
        budget_line=line,
        title="年底活动",
        purpose="活动经费",
        amount="100.00",
        payee="某商店",
        attachments=[spending.Upload("invoice.png", PNG)],
    )
    spending.spending_request_approve(actor=make_user("union_chair", tree.root), request=request)
    plan = years.close_plan(Y1)
    assert not plan.can_close and plan.open_requests == [request]
    with pytest.raises(ValidationError, match="1 spending requests"):
        years.year_close(actor=office, year=Y1)
    assert not YearBalance.objects.exists()
    spending.spending_request_pay(actor=office, request=request)
    years.year_close(actor=office, year=Y1)
    assert balances(Y1)["机械工程学院"][2] == D("400.00")


def test_a_unit_whose_funds_contradict_its_figures_blocks_the_close(
    books: Any, office: Any, tree: Any, chart: Any
) -> None:
    """A funds transfer between units moves no income or expense: the frozen closing would be wrong."""
    entry_post(
        actor=office,
        idempotency_key="transfer",
        unit=tree.root,
        posted_on=dt.date(Y1, 7, 1),
        memo="划拨",
        lines=[Line(account="funds", amount="100.00", unit=tree.a), Line(account="funds", amount="-100.00")],
    )
    with pytest.raises(ValidationError, match=r"its funds at the end of the year are 1300\.00"):
        years.year_close(actor=office, year=Y1)


def test_only_finance_posters_at_the_top_close(books: Any, make_user: Any, tree: Any) -> None:
    for actor in (None, make_user("union_staff", tree.a), make_user("union_chair", tree.root)):
        with pytest.raises(PermissionDenied):
            years.year_close(actor=actor, year=Y1)
    assert not FiscalYear.objects.exists()


# -- opening balances ------------------------------------------------------------------------------------


def test_opening_balance_posts_dr_funds_cr_301_on_january_first(office: Any, tree: Any) -> None:
    entry = years.opening_balance_record(
        actor=office, unit=tree.b, year=Y2, amount="8,000.50", note="2024年账"
    )
    assert entry.posted_on == dt.date(Y2, 1, 1) and entry.unit == tree.b
    assert entry.idempotency_key == f"finance.opening:{Y2}:{tree.b.pk}"
    lines = {
        (line.account, line.category.code if line.category else ""): line.amount for line in entry.lines.all()
    }
    assert lines == {("funds", ""): D("8000.50"), ("category", "301"): D("-8000.50")}
    assert "2024年账" in entry.memo
    logged = AuditEntry.objects.get(action="finance.opening.recorded")
    assert logged.changes["opening_balance"] == "8000.50" and logged.unit_id == tree.b.pk


def test_a_negative_opening_balance_is_the_reverse(office: Any, tree: Any) -> None:
    entry = years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount="-120.00")
    lines = {line.account: line.amount for line in entry.lines.all()}
    assert lines == {"funds": D("-120.00"), "category": D("120.00")}
    row = {row.name: row for row in years.live_figures(years=[Y2])[Y2].rows}["外国语学院"]
    assert row.opening == D("-120.00") and row.income == 0


def test_opening_balance_once_per_unit_and_year(office: Any, tree: Any) -> None:
    years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount="100")
    with pytest.raises(ValidationError, match="already recorded"):
        years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount="200")
    years.opening_balance_record(actor=office, unit=tree.b1, year=Y2, amount="200")  # another unit
    assert Entry.objects.count() == 2


def test_opening_balance_refused_after_a_close(books: Any, office: Any, tree: Any) -> None:
    years.year_close(actor=office, year=Y1)
    with pytest.raises(ValidationError, match="is closed"):
        years.opening_balance_record(actor=office, unit=tree.b, year=Y1, amount="100")
    with pytest.raises(ValidationError, match="carried forward by the close"):
        years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount="100")


def test_opening_balance_refused_when_the_unit_has_earlier_postings(
    books: Any, office: Any, tree: Any
) -> None:
    with pytest.raises(ValidationError, match="has postings before"):
        years.opening_balance_record(actor=office, unit=tree.a, year=Y2, amount="100")


@pytest.mark.parametrize(
    ("amount", "message"),
    [("0", "needs no entry"), ("abc", "not an amount"), ("1.005", "two decimals"), ("1e12", "too large")],
)
def test_opening_balance_bad_amounts(office: Any, tree: Any, amount: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount=amount)
    assert not Entry.objects.exists()


def test_opening_balance_future_year_and_permissions(office: Any, make_user: Any, tree: Any) -> None:
    with pytest.raises(ValidationError, match="has not begun"):
        years.opening_balance_record(
            actor=office, unit=tree.b, year=timezone.localdate().year + 1, amount="1"
        )
    for actor in (make_user("union_staff", tree.a), make_user("auditor", tree.root)):
        with pytest.raises(PermissionDenied):
            years.opening_balance_record(actor=actor, unit=tree.a, year=Y2, amount="1")
    assert not Entry.objects.exists()


def test_opening_balances_scoped_to_the_users_units(office: Any, tree: Any, make_user: Any) -> None:
    years.opening_balance_record(actor=office, unit=tree.a1, year=Y2, amount="10")
    years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount="20")
    chair = make_user("subunion_chair", tree.a)
    assert [(entry.unit_id, entry.amount) for entry in years.opening_balances_for_user(user=chair)] == [
        (tree.a1.pk, D("10.00"))
    ]
    assert years.opening_balances_for_user(user=office).count() == 2


def test_a_year_before_the_books_began_cannot_be_closed(books: Any, office: Any) -> None:
    with pytest.raises(ValidationError, match="nothing to close"):
        years.year_close(actor=office, year=Y1 - 1)
    assert not FiscalYear.objects.exists()


def test_years_outside_the_books_are_refused(office: Any, tree: Any) -> None:
    with pytest.raises(ValidationError, match="not a fiscal year"):
        years.year_close(actor=office, year=99999)
    with pytest.raises(ValidationError, match="not a fiscal year"):
        years.opening_balance_record(actor=office, unit=tree.b, year=0, amount="1")


def test_closing_a_year_closes_every_earlier_year_too(books: Any, office: Any, post: Any, tree: Any) -> None:
    """Y1's closing was frozen into Y2's opening: once Y2 is closed, nothing may go into Y1 either."""
    years.year_close(actor=office, year=Y1)
    years.year_close(actor=office, year=Y2)
    earlier = Y1 - 1
    with pytest.raises(ValidationError, match="closed"):
        post(tree.b, "401", "10.00", dt.date(earlier, 6, 1))
    with pytest.raises(ValidationError, match="is closed"):
        years.opening_balance_record(actor=office, unit=tree.b, year=earlier, amount="700")
    assert selectors.year_is_closed(earlier) and not selectors.year_is_closed(Y2 + 1)


def test_many_fractional_postings_still_add_up_to_the_funds(office: Any, post: Any, tree: Any) -> None:
    """SQLite adds decimals as floats: the figures are rounded to the fen, so the close is not blocked
    by a difference of 0.00000001 between the figures and the funds."""
    years.opening_balance_record(actor=office, unit=tree.a, year=Y1, amount="1286000.00")
    for day in range(1, 61):
        post(tree.a, "401", "123456.17", dt.date(Y1, 1 + day % 12, 1 + day % 28))
    plan = years.close_plan(Y1)
    assert plan.blockers == []
    (row,) = plan.figures.rows
    assert row.closing == D("1286000.00") + 60 * D("123456.17") == row.funds_at_end


def test_a_reversed_opening_balance_may_be_recorded_again(office: Any, tree: Any) -> None:
    first = years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount="100")
    entry_reverse(
        actor=office, entry=first, reason="金额录错", idempotency_key="fix", posted_on=dt.date(Y2, 1, 2)
    )
    second = years.opening_balance_record(actor=office, unit=tree.b, year=Y2, amount="1000")
    assert second.idempotency_key == f"{first.idempotency_key}#2"
    assert years.funds_balance(unit=tree.b, on=dt.date(Y2, 12, 31)) == D("1000.00")
    assert [entry.pk for entry in years.opening_balances_for_user(user=office)] == [second.pk]
