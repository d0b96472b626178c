"""Budget adjustments: requested with a reason, approved by someone else under a lock (never below what is
used, never against a stale amount), rejected with a note, withdrawn by the requester; one pending per
line; notifications and the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.finance import adjustments, services, spending
from smartunion.finance.models import BudgetAdjustment, FiscalYear
from smartunion.notifications.models import Notification

from .conftest import YEAR, spend
from .test_spending import file

pytestmark = pytest.mark.django_db

D = Decimal
Status = BudgetAdjustment.Status


@pytest.fixture
def people(tree: Any, make_user: Any) -> Any:
    class People:
        staff = make_user("union_staff", tree.a, name="分会干事")  # manages A's budgets
        school_staff = make_user("union_staff", tree.root, name="校工会干事")
        approver = make_user("union_chair", tree.a, name="审批人")
        school_chair = make_user("union_chair", tree.root, name="校工会主席")
        chair = make_user("subunion_chair", tree.a, name="分会主席")
        other_staff = make_user("union_staff", tree.b, name="外院干事")
        auditor = make_user("auditor", tree.root, name="经审")

    return People


@pytest.fixture
def line(budget: Any) -> Any:
    return budget("50101", "10000.00")


def request(
    people: Any, line: Any, amount: str = "12000.00", reason: str = "增加活动场次"
) -> BudgetAdjustment:
    return adjustments.adjustment_request(actor=people.staff, line=line, amount_after=amount, reason=reason)


def test_request_records_the_amounts_and_tells_the_approvers(people, line):
    adjustment = request(people, line)
    assert (adjustment.status, adjustment.amount_before, adjustment.amount_after) == (
        Status.PENDING,
        D("10000.00"),
        D("12000.00"),
    )
    line.refresh_from_db()
    assert line.amount == D("10000.00")  # nothing changes before the approval
    told = set(
        Notification.objects.filter(kind="finance.adjustment.pending").values_list("recipient_id", flat=True)
    )
    assert {people.approver.pk, people.school_chair.pk, people.school_staff.pk} <= told
    assert people.staff.pk not in told and people.chair.pk not in told
    entry = AuditEntry.objects.get(action="finance.adjustment.requested")
    assert entry.changes["amount"] == ["10000.00", "12000.00"] and entry.unit_id == line.unit_id


def test_approval_applies_the_amount_and_tells_the_requester(people, line):
    adjustment = request(people, line)
    approved = adjustments.adjustment_approve(actor=people.approver, adjustment=adjustment, note="同意")
    line.refresh_from_db()
    assert line.amount == D("12000.00")
    assert (approved.status, approved.decided_by, approved.decision_note) == (
        Status.APPROVED,
        people.approver,
        "同意",
    )
    assert Notification.objects.filter(recipient=people.staff, kind="finance.adjustment.approved").exists()
    changed = AuditEntry.objects.get(action="finance.budget.changed", target_id=str(line.pk))
    assert changed.changes["amount"] == ["10000.00", "12000.00"]
    assert AuditEntry.objects.filter(action="finance.adjustment.approved").exists()
    with pytest.raises(ValidationError, match="Approved"):
        adjustments.adjustment_approve(actor=people.school_chair, adjustment=adjustment)


def test_self_approval_and_self_rejection_are_refused(people, line):
    adjustment = adjustments.adjustment_request(
        actor=people.school_staff, line=line, amount_after="11000", reason="年中追加"
    )
    with pytest.raises(ValidationError, match="someone else"):
        adjustments.adjustment_approve(actor=people.school_staff, adjustment=adjustment)
    with pytest.raises(ValidationError, match="withdraw"):
        adjustments.adjustment_reject(actor=people.school_staff, adjustment=adjustment, note="算了")
    adjustment.refresh_from_db()
    line.refresh_from_db()
    assert adjustment.status == Status.PENDING and line.amount == D("10000.00")


def test_permissions(people, line, budget, tree):
    for outsider in (people.chair, people.approver, people.auditor, people.other_staff):
        with pytest.raises(PermissionDenied):
            adjustments.adjustment_request(actor=outsider, line=line, amount_after="1", reason="x")
    adjustment = request(people, line)
    for outsider in (people.chair, people.auditor, people.other_staff, people.staff):
        with pytest.raises((PermissionDenied, ValidationError)):
            adjustments.adjustment_approve(actor=outsider, adjustment=adjustment)
    with pytest.raises(PermissionDenied):
        adjustments.adjustment_reject(actor=people.auditor, adjustment=adjustment, note="no")
    with pytest.raises(ValidationError, match="Only the requester"):
        adjustments.adjustment_cancel(actor=people.approver, adjustment=adjustment)
    other_line = budget("50101", "500.00", unit=tree.b)
    with pytest.raises(PermissionDenied):
        adjustments.adjustment_request(actor=people.staff, line=other_line, amount_after="600", reason="x")
    adjustment.refresh_from_db()
    assert adjustment.status == Status.PENDING


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        ("12000", "", "reason"),
        ("12000", "   ", "reason"),
        ("-1", "x", "amount_after"),
        ("1.001", "x", "amount_after"),
        ("abc", "x", "amount_after"),
        ("10000.00", "x", "amount_after"),  # unchanged
        ("99999999999", "x", "amount_after"),
    ],
)
def test_bad_requests_are_refused_by_field(people, line, amount, reason, field):
    with pytest.raises(ValidationError) as refused:
        adjustments.adjustment_request(actor=people.staff, line=line, amount_after=amount, reason=reason)
    assert field in refused.value.message_dict
    assert not BudgetAdjustment.objects.exists()


def test_one_pending_request_per_line(people, line):
    first = request(people, line)
    with pytest.raises(ValidationError, match="already has a pending adjustment"):
        adjustments.adjustment_request(actor=people.school_staff, line=line, amount_after="9000", reason="减")
    # The database guards it too (two racing requests).
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetAdjustment.objects.create(
            budget_line=line,
            amount_before=D("10000"),
            amount_after=D("1"),
            reason="x",
            requested_by=people.staff,
        )
    adjustments.adjustment_cancel(actor=people.staff, adjustment=first)
    assert request(people, line, "9000.00").status == Status.PENDING


def test_not_below_what_is_committed_and_spent(people, line, chart):
    spending.spending_request_approve(actor=people.approver, request=file(people.chair, line, "3000.00"))
    services.entry_post(
        actor=None,
        idempotency_key="adj-spent",
        unit=line.unit,
        posted_on=dt.date(YEAR, 2, 1),
        memo="已支出",
        lines=spend(chart["50101"], "1000.00"),
    )
    with pytest.raises(ValidationError, match=r"4000\.00"):
        request(people, line, "3999.99")
    adjustment = request(people, line, "4000.00")
    # More is committed after the request: the approval, under the lock, refuses.
    spending.spending_request_approve(actor=people.approver, request=file(people.chair, line, "500.00"))
    with pytest.raises(ValidationError, match=r"4500\.00"):
        adjustments.adjustment_approve(actor=people.approver, adjustment=adjustment)
    line.refresh_from_db()
    assert line.amount == D("10000.00")


def test_a_stale_request_is_refused(people, line):
    adjustment = request(people, line)
    type(line).objects.filter(pk=line.pk).update(amount=D("15000.00"))  # e.g. an allocation meanwhile
    with pytest.raises(ValidationError, match=r"15000\.00"):
        adjustments.adjustment_approve(actor=people.approver, adjustment=adjustment)
    line.refresh_from_db()
    assert line.amount == D("15000.00")
    rejected = adjustments.adjustment_reject(
        actor=people.approver, adjustment=adjustment, note="预算已变，请重新申请"
    )
    assert rejected.status == Status.REJECTED


def test_reject_needs_a_note_and_tells_the_requester(people, line):
    adjustment = request(people, line)
    with pytest.raises(ValidationError) as refused:
        adjustments.adjustment_reject(actor=people.approver, adjustment=adjustment, note="  ")
    assert "note" in refused.value.message_dict
    rejected = adjustments.adjustment_reject(actor=people.approver, adjustment=adjustment, note="理由不足")
    assert (rejected.status, rejected.decision_note, rejected.decided_by) == (
        Status.REJECTED,
        "理由不足",
        people.approver,
    )
    assert Notification.objects.filter(recipient=people.staff, kind="finance.adjustment.rejected").exists()
    line.refresh_from_db()
    assert line.amount == D("10000.00")
    with pytest.raises(ValidationError):
        adjustments.adjustment_approve(actor=people.school_chair, adjustment=adjustment)
    with pytest.raises(ValidationError):
        adjustments.adjustment_cancel(actor=people.staff, adjustment=adjustment)


def test_withdraw(people, line):
    adjustment = request(people, line)
    cancelled = adjustments.adjustment_cancel(actor=people.staff, adjustment=adjustment)
    assert cancelled.status == Status.CANCELLED and cancelled.decided_at is not None
    assert AuditEntry.objects.filter(action="finance.adjustment.cancelled").exists()
    with pytest.raises(ValidationError):
        adjustments.adjustment_approve(actor=people.approver, adjustment=adjustment)


def test_a_closed_year_takes_no_adjustment(people, line):
    adjustment = request(people, line)
    FiscalYear.objects.create(year=YEAR, closed_at=timezone.now())
    with pytest.raises(ValidationError, match="closed"):
        adjustments.adjustment_approve(actor=people.approver, adjustment=adjustment)
    adjustments.adjustment_cancel(actor=people.staff, adjustment=adjustment)
    with pytest.raises(ValidationError, match="closed"):
        request(people, line)


def test_reads_are_scoped(people, line, budget, tree):
    request(people, line)
    other = adjustments.adjustment_request(
        actor=people.other_staff, line=budget("50101", "100.00", unit=tree.b), amount_after="200", reason="x"
    )
    assert list(adjustments.adjustments_for_user(user=people.chair)) == [line.adjustments.get()]
    assert adjustments.adjustment_counts_for_user(user=people.auditor) == {"pending": 2}
    from django.http import Http404

    with pytest.raises(Http404):
        adjustments.adjustment_get_for_user(user=people.chair, pk=other.pk)
