"""拨缴经费: a month's 2 % of the payroll, of which the union keeps its share; the kept part is posted once
as income of the school union."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.finance import income
from smartunion.finance.models import Entry, EntryLine, FundsAllocationIncome
from smartunion.finance.services import entry_reverse, fiscal_year_close
from smartunion.finance.verify import verify_chain

pytestmark = pytest.mark.django_db

D = Decimal
MONTH = dt.date(2026, 3, 1)


@pytest.fixture
def office(make_user: Any, tree: Any, chart: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


@pytest.mark.parametrize(
    ("payroll", "rate", "share", "allocation", "retained", "upward"),
    [
        ("1000000.00", None, None, "20000.00", "12000.00", "8000.00"),
        # 123,456.78 × 2 % = 2,469.1356 → 2,469.14; × 60 % = 1,481.484 → 1,481.48; the rest goes up.
        ("123456.78", None, None, "2469.14", "1481.48", "987.66"),
        # Half a fen rounds up (四舍五入): 0.25 × 2 % = 0.005 → 0.01.
        ("0.25", None, None, "0.01", "0.01", "0.00"),
        # 1,000.25 × 2 % = 20.005 → 20.01; × 0.5 = 10.005 → 10.01, so 10.00 goes up: the parts add up.
        ("1000.25", "0.02", "0.5", "20.01", "10.01", "10.00"),
        ("5000.00", "0.015", "0.7", "75.00", "52.50", "22.50"),
        ("5000.00", "1", "1", "5000.00", "5000.00", "0.00"),
    ],
)
def test_split_arithmetic_and_rounding(
    payroll: str, rate: Any, share: Any, allocation: str, retained: str, upward: str
) -> None:
    split = income.allocation_split(payroll, rate, share)
    assert (split.allocation, split.retained, split.upward) == (D(allocation), D(retained), D(upward))
    assert split.retained + split.upward == split.allocation


def test_defaults_come_from_the_settings(settings: Any) -> None:
    settings.FINANCE_ALLOCATION_RATE = "0.03"
    settings.FINANCE_ALLOCATION_RETAINED_SHARE = "0.5"
    split = income.allocation_split("10000")
    assert (split.rate, split.retained_share, split.allocation, split.retained) == (
        D("0.0300"),
        D("0.5000"),
        D("300.00"),
        D("150.00"),
    )


def test_records_the_month_and_posts_the_kept_part_at_the_top(office: Any, tree: Any) -> None:
    record = income.allocation_income_record(
        actor=office, month=MONTH.replace(day=17), payroll_total="1000000"
    )
    assert record.month == MONTH
    assert (record.allocation, record.retained, record.upward) == (D("20000.00"), D("12000.00"), D("8000.00"))
    assert (record.rate, record.retained_share) == (D("0.0200"), D("0.6000"))
    entry = record.entry
    assert entry.unit == tree.root
    assert entry.posted_on == dt.date(2026, 3, 31)
    assert entry.idempotency_key == "finance.allocation:2026-03"
    assert (entry.source_type, entry.source_id) == ("finance.allocation_income", "2026-03")
    lines = {
        (line.account, line.category.code if line.category else ""): line.amount for line in entry.lines.all()
    }
    assert lines == {("funds", ""): D("12000.00"), ("category", "402"): D("-12000.00")}
    assert EntryLine.objects.filter(unit=tree.root).count() == 2
    logged = AuditEntry.objects.get(action="finance.allocation_income.recorded")
    assert logged.changes["payroll_total"] == "1000000.00" and logged.changes["upward"] == "8000.00"
    assert AuditEntry.objects.filter(action="finance.entry.posted").count() == 1
    assert verify_chain().ok


def test_overrides_per_month(office: Any) -> None:
    record = income.allocation_income_record(
        actor=office, month=MONTH, payroll_total="200000.00", rate="0.02", retained_share="0.7"
    )
    assert (record.retained, record.upward) == (D("2800.00"), D("1200.00"))


def test_a_month_recorded_twice_is_refused_and_posts_once(office: Any) -> None:
    income.allocation_income_record(actor=office, month=MONTH, payroll_total="1000000")
    with pytest.raises(ValidationError, match="already recorded"):
        income.allocation_income_record(actor=office, month=MONTH.replace(day=9), payroll_total="999999")
    assert Entry.objects.count() == 1 and FundsAllocationIncome.objects.count() == 1


def test_a_key_posted_without_its_record_is_not_reused(office: Any, tree: Any, chart: Any) -> None:
    """A concurrent winner posts the key first: the loser gets the entry back from entry_post (created
    False) and must refuse rather than record a second month against it."""
    from smartunion.finance.services import Line, entry_post

    entry_post(
        actor=office,
        idempotency_key=income.allocation_key(MONTH),
        unit=tree.root,
        posted_on=MONTH,
        memo="先到",
        lines=[Line(account="funds", amount="1.00"), Line(category=chart["402"], amount="-1.00")],
    )
    with pytest.raises(ValidationError, match="already recorded"):
        income.allocation_income_record(actor=office, month=MONTH, payroll_total="1000")
    assert Entry.objects.count() == 1 and not FundsAllocationIncome.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"payroll_total": "0"}, "more than 0"),
        ({"payroll_total": "-100"}, "more than 0"),
        ({"payroll_total": "abc"}, "not a number"),
        ({"payroll_total": ""}, "not a number"),
        ({"payroll_total": "NaN"}, "not a number"),
        ({"payroll_total": "Infinity"}, "not a number"),
        ({"payroll_total": "100.001"}, "two decimals"),
        ({"payroll_total": "1e15"}, "too large"),
        ({"payroll_total": "1000", "rate": "0"}, "Allocation rate"),
        ({"payroll_total": "1000", "rate": "-0.02"}, "Allocation rate"),
        ({"payroll_total": "1000", "rate": "1.01"}, "Allocation rate"),
        ({"payroll_total": "1000", "rate": "x"}, "not a number"),
        ({"payroll_total": "1000", "rate": "0.00001"}, "steps of 0.01 %"),
        ({"payroll_total": "1000", "retained_share": "-0.1"}, "Share kept"),
        ({"payroll_total": "1000", "retained_share": "1.5"}, "Share kept"),
        ({"payroll_total": "1000", "retained_share": "0"}, "keeps nothing"),
        ({"payroll_total": "0.10"}, "keeps nothing"),  # 0.10 × 2 % rounds to 0.00
    ],
)
def test_bad_inputs_are_refused(office: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        income.allocation_income_record(actor=office, month=MONTH, **kwargs)
    assert not Entry.objects.exists() and not FundsAllocationIncome.objects.exists()


def test_a_future_month_is_refused(office: Any) -> None:
    today = timezone.localdate()
    following = (today.replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    with pytest.raises(ValidationError, match="has not begun"):
        income.allocation_income_record(actor=office, month=following, payroll_total="1000")
    # The current month is fine: posted today, not at the end of the month.
    record = income.allocation_income_record(actor=office, month=today, payroll_total="1000")
    assert record.entry.posted_on == today


def test_a_posting_date_outside_the_month_is_refused(office: Any) -> None:
    with pytest.raises(ValidationError, match="choose a day in"):
        income.allocation_income_record(
            actor=office, month=MONTH, payroll_total="1000", posted_on=dt.date(2026, 4, 1)
        )


def test_a_closed_year_is_refused(office: Any) -> None:
    fiscal_year_close(actor=office, year=2025)
    with pytest.raises(ValidationError, match="closed"):
        income.allocation_income_record(actor=office, month=dt.date(2025, 12, 1), payroll_total="1000")
    assert not Entry.objects.exists() and not FundsAllocationIncome.objects.exists()


def test_missing_category_is_refused(office: Any, chart: Any) -> None:
    chart["402"].__class__.objects.filter(code="402").update(code="402X")
    with pytest.raises(ValidationError, match="no income category 402"):
        income.allocation_income_record(actor=office, month=MONTH, payroll_total="1000")


def test_only_finance_posters_at_the_top(make_user: Any, tree: Any, chart: Any) -> None:
    for actor in (
        None,
        make_user("union_staff", tree.a),  # finance.post, but at a sub-union
        make_user("union_chair", tree.root),  # school-wide, but no finance.post
        make_user("auditor", tree.root),
        make_user("subunion_chair", tree.a),
    ):
        with pytest.raises(PermissionDenied):
            income.allocation_income_record(actor=actor, month=MONTH, payroll_total="1000")
    assert not Entry.objects.exists()


def test_months_list_newest_first(office: Any) -> None:
    income.allocation_income_record(actor=office, month=dt.date(2026, 1, 1), payroll_total="1000")
    income.allocation_income_record(actor=office, month=dt.date(2026, 2, 1), payroll_total="2000")
    assert [record.month.month for record in income.allocation_income_months()] == [2, 1]


def test_a_reversed_month_is_recorded_again_with_the_corrected_payroll(office: Any, tree: Any) -> None:
    first = income.allocation_income_record(actor=office, month=MONTH, payroll_total="1000000")
    with pytest.raises(ValidationError, match="reverse that entry"):
        income.allocation_income_record(actor=office, month=MONTH, payroll_total="1100000")
    entry_reverse(
        actor=office, entry=first.entry, reason="工资总额录错", idempotency_key="fix:1", posted_on=MONTH
    )
    corrected = income.allocation_income_record(actor=office, month=MONTH, payroll_total="1100000")
    assert corrected.pk == first.pk and corrected.retained == D("13200.00")
    assert corrected.entry.idempotency_key == f"{income.allocation_key(MONTH)}#2"
    # The books hold the first posting, its reversal and the corrected one: the month's income is 13,200.
    funds = EntryLine.objects.filter(unit=tree.root, account="funds")
    assert sum(line.amount for line in funds) == D("13200.00")
    assert AuditEntry.objects.filter(action="finance.allocation_income.corrected").count() == 1
    assert verify_chain().ok
