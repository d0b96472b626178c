"""Budget adjustments (预算调整): an existing budget line's amount changes only through a request with a
reason that someone else approves. The list of a line's adjustments is its history.

* Requested by a holder of ``finance.budget.manage`` over the line's unit; at most one pending request per
  line (a partial unique constraint guards it, so two racing requests cannot both be filed).
* Approved or rejected by a holder of ``finance.approve`` over the unit who is not the requester; a
  rejection needs a note. Withdrawn only by the requester.
* Approval locks the line, and is refused when the new amount is below what is committed and spent on it,
  or when the line's amount is no longer the ``amount_before`` the request was made against (an
  allocation changed it meanwhile): the request's reason was about the old amount, so applying it blindly
  could undo the allocation. Such a request is rejected and filed again.
* A closed fiscal year's budgets do not change.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.notifications.services import notify

from . import selectors
from .models import BudgetAdjustment, BudgetLine
from .selectors import committed, spent

__all__ = [
    "adjustment_approve",
    "adjustment_cancel",
    "adjustment_reject",
    "adjustment_request",
    "line_used",
]

Status = BudgetAdjustment.Status
CENT = Decimal("0.01")
MAX_LINE = Decimal("9999999999.99")


def line_used(line: BudgetLine) -> Decimal:
    """Committed (approved, unpaid) and spent on the line: the floor of its budget."""
    used = committed(budget_line_id=line.pk) + spent(
        year=line.year, unit_id=line.unit_id, category=line.category
    )
    return Decimal(used).quantize(CENT)


def _lock_line(pk: int) -> BudgetLine:
    return BudgetLine.objects.select_for_update(of=("self",)).select_related("unit", "category").get(pk=pk)


def _lock(adjustment: BudgetAdjustment) -> BudgetAdjustment:
    return (
        BudgetAdjustment.objects.select_for_update(of=("self",))
        .select_related("budget_line__unit", "budget_line__category", "requested_by")
        .get(pk=adjustment.pk)
    )


def _refuse_closed(year: int) -> None:
    if selectors.year_is_closed(year):
        raise ValidationError(
            _("The fiscal year %(year)s is closed: its budgets cannot change.") % {"year": year}
        )


def _refuse_status(adjustment: BudgetAdjustment) -> None:
    if adjustment.status != Status.PENDING:
        raise ValidationError(
            _("This adjustment is %(status)s: that step is not possible now.")
            % {"status": adjustment.get_status_display()}
        )


def _amount(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount_after": _("Enter an amount in yuan, e.g. 1200.50.")}) from None
    if not value.is_finite() or value != value.quantize(CENT):
        raise ValidationError({"amount_after": _("Enter an amount in yuan with at most two decimals (fen).")})
    if value < 0:
        raise ValidationError({"amount_after": _("A budget cannot be negative.")})
    if value > MAX_LINE:
        raise ValidationError({"amount_after": _("The amount is too large.")})
    return value.quantize(CENT)


def _too_low(used: Decimal, amount: Decimal) -> str:
    return _("%(used)s is committed or spent on this line already: the budget cannot drop to %(amount)s.") % {
        "used": used,
        "amount": amount,
    }


def _notify(adjustment: BudgetAdjustment, recipients: Any, title: str) -> None:
    line = adjustment.budget_line
    notify(
        recipients=recipients,
        kind=f"finance.adjustment.{adjustment.status}",
        title=title,
        body=_("%(unit)s · %(year)s %(category)s: %(before)s → %(after)s yuan")
        % {
            "unit": line.unit.name,
            "year": line.year,
            "category": line.category,
            "before": adjustment.amount_before,
            "after": adjustment.amount_after,
        },
        link=reverse("finance:budget_line_detail", args=[line.pk]),
    )


@transaction.atomic
def adjustment_request(*, actor: Any, line: BudgetLine, amount_after: Any, reason: str) -> BudgetAdjustment:
    """File a request to change a line's budget; the approvers over its unit are told."""
    locked = _lock_line(line.pk)
    if not actor.has_unit_perm("finance.budget.manage", locked.unit):
        raise PermissionDenied
    _refuse_closed(locked.year)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("Say why the budget should change: the approver reads it."))
    elif len(reason) > 1000:
        errors.setdefault("reason", []).append(_("Keep the reason under 1000 characters."))
    value = None
    try:
        value = _amount(amount_after)
    except ValidationError as error:
        errors.setdefault("amount_after", []).extend(error.messages)
    if value is not None:
        if value == locked.amount:
            errors.setdefault("amount_after", []).append(
                _("The budget is %(amount)s already: enter a different amount.") % {"amount": locked.amount}
            )
        else:
            used = line_used(locked)
            if value < used:
                errors.setdefault("amount_after", []).append(_too_low(used, value))
    pending = BudgetAdjustment.objects.filter(budget_line=locked, status=Status.PENDING).first()
    if pending is not None:
        errors.setdefault("__all__", []).append(
            _(
                "This line already has a pending adjustment (%(before)s → %(after)s, requested by %(who)s): "
                "wait for its decision or withdraw it first."
            )
            % {"before": pending.amount_before, "after": pending.amount_after, "who": pending.requested_by}
        )
    if errors:
        raise ValidationError(errors)
    assert value is not None
    try:
        with transaction.atomic():
            adjustment = BudgetAdjustment.objects.create(
                budget_line=locked,
                amount_before=locked.amount,
                amount_after=value,
                reason=reason,
                status=Status.PENDING,
                requested_by=actor,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            _(
                "Another adjustment of this line was filed meanwhile: wait for its decision or withdraw it first."
            )
        ) from None
    audit(
        actor=actor,
        action="finance.adjustment.requested",
        target=adjustment,
        unit=locked.unit,
        changes={"amount": [locked.amount, value], "budget_line": str(locked), "reason": reason},
    )
    approvers = account_selectors.users_with_perm_at(code="finance.approve", unit=locked.unit).exclude(
        pk=actor.pk
    )
    _notify(adjustment, approvers, _("A budget adjustment awaits your approval"))
    return adjustment


@transaction.atomic
def adjustment_approve(*, actor: Any, adjustment: BudgetAdjustment, note: str = "") -> BudgetAdjustment:
    """Apply the requested amount to the line (locked), unless it is stale or below what is used."""
    adjustment = _lock(adjustment)
    line = _lock_line(adjustment.budget_line_id)
    adjustment.budget_line = line
    if not actor.has_unit_perm("finance.approve", line.unit):
        raise PermissionDenied
    _refuse_status(adjustment)
    if adjustment.requested_by_id == actor.pk:
        raise ValidationError(_("You requested this adjustment: someone else must approve it."))
    _refuse_closed(line.year)
    if line.amount != adjustment.amount_before:
        raise ValidationError(
            _(
                "The budget changed from %(before)s to %(now)s since this request was filed (for example by an "
                "allocation): reject it, and the requester files a new one against the current budget."
            )
            % {"before": adjustment.amount_before, "now": line.amount}
        )
    used = line_used(line)
    if adjustment.amount_after < used:
        raise ValidationError(_too_low(used, adjustment.amount_after))
    note = (note or "").strip()
    before = line.amount
    line.amount = adjustment.amount_after
    line.save(update_fields=["amount"])
    adjustment.status = Status.APPROVED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = note[:1000]
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(
        actor=actor,
        action="finance.adjustment.approved",
        target=adjustment,
        unit=line.unit,
        changes={
            "status": [Status.PENDING.label, Status.APPROVED.label],
            "amount": [before, line.amount],
            **({"decision_note": note} if note else {}),
        },
    )
    audit(
        actor=actor,
        action="finance.budget.changed",
        target=line,
        changes={"amount": [before, line.amount], "adjustment": f"#{adjustment.pk}"},
    )
    _notify(adjustment, [adjustment.requested_by], _("Your budget adjustment was approved"))
    return adjustment


@transaction.atomic
def adjustment_reject(*, actor: Any, adjustment: BudgetAdjustment, note: str) -> BudgetAdjustment:
    adjustment = _lock(adjustment)
    line = adjustment.budget_line
    if not actor.has_unit_perm("finance.approve", line.unit):
        raise PermissionDenied
    _refuse_status(adjustment)
    if adjustment.requested_by_id == actor.pk:
        raise ValidationError(_("You requested this adjustment: withdraw it instead of rejecting it."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the adjustment is rejected: the requester is told.")})
    adjustment.status = Status.REJECTED
    adjustment.decided_by = actor
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = note[:1000]
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(
        actor=actor,
        action="finance.adjustment.rejected",
        target=adjustment,
        unit=line.unit,
        changes={"status": [Status.PENDING.label, Status.REJECTED.label], "decision_note": note},
    )
    _notify(adjustment, [adjustment.requested_by], _("Your budget adjustment was rejected"))
    return adjustment


@transaction.atomic
def adjustment_cancel(*, actor: Any, adjustment: BudgetAdjustment) -> BudgetAdjustment:
    """The requester withdraws a pending request."""
    adjustment = _lock(adjustment)
    if adjustment.requested_by_id != actor.pk:
        raise ValidationError(_("Only the requester can withdraw an adjustment request."))
    _refuse_status(adjustment)
    adjustment.status = Status.CANCELLED
    adjustment.decided_at = timezone.now()
    adjustment.save(update_fields=["status", "decided_at"])
    audit(
        actor=actor,
        action="finance.adjustment.cancelled",
        target=adjustment,
        unit=adjustment.budget_line.unit,
        changes={"status": [Status.PENDING.label, Status.CANCELLED.label]},
    )
    return adjustment


# -- reads -----------------------------------------------------------------------------------------------


def adjustments_for_user(*, user: Any, status: str = "", line: BudgetLine | None = None) -> Any:
    """Adjustments of lines whose unit lies in the user's ``finance.view`` scope."""
    adjustments = user.scope_for("finance.view").filter(BudgetAdjustment.objects.all(), "budget_line__unit")
    if status:
        adjustments = adjustments.filter(status=status)
    if line is not None:
        adjustments = adjustments.filter(budget_line=line)
    return adjustments.select_related(
        "budget_line__unit", "budget_line__category", "requested_by", "decided_by"
    )


def adjustment_counts_for_user(*, user: Any) -> dict[str, int]:
    adjustments = user.scope_for("finance.view").filter(BudgetAdjustment.objects.all(), "budget_line__unit")
    return dict(adjustments.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))


def adjustment_get_for_user(*, user: Any, pk: int) -> BudgetAdjustment:
    adjustment = adjustments_for_user(user=user).filter(pk=pk).first()
    if adjustment is None:
        raise Http404
    return adjustment
