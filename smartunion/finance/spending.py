"""Budget lines and spending requests (支出申请): a unit asks to spend against one of its budget lines with
its invoices attached; the union office approves (a second, different approver above
``FINANCE_SECOND_APPROVAL_ABOVE``), which commits the amount against the line; payment posts the entry to
the books and releases the commitment. The requester never approves their own request.

Budget checks lock the budget line row, so two approvals racing for the last yuan of a "stop" category
cannot both pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.core.uploads import check_upload
from smartunion.notifications.services import notify

from .models import BudgetLine, Category, SpendingAttachment, SpendingRequest
from .selectors import committed, spent, year_is_closed
from .services import Line, entry_post

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "Upload",
    "budget_line_save",
    "check_attachment",
    "second_approval_threshold",
    "spending_request_approve",
    "spending_request_cancel",
    "spending_request_pay",
    "spending_request_reject",
    "spending_request_submit",
]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
CENT = Decimal("0.01")
Status = SpendingRequest.Status

# extension → (content type, the bytes such a file starts with)
SIGNATURES: dict[str, tuple[str, bytes]] = {
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".pdf": ("application/pdf", b"%PDF-"),
}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def second_approval_threshold() -> Decimal:
    return Decimal(str(getattr(settings, "FINANCE_SECOND_APPROVAL_ABOVE", "5000.00")))


def check_attachment(name: str, data: bytes) -> str:
    """The content type of an acceptable invoice, or ValidationError naming the file and the fix."""
    return check_upload(
        name,
        data,
        signatures=SIGNATURES,
        max_bytes=MAX_ATTACHMENT_BYTES,
        not_accepted=_("“%(name)s” is not an invoice image or PDF: upload a JPEG, PNG or PDF file."),
        too_large=_(
            "“%(name)s” is %(size).1f MB; the largest file accepted is %(max)d MB. Scan it at a lower resolution."
        ),
    )


def _amount(raw: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 1200.50.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field: _("Enter an amount in yuan with at most two decimals.")})
    return amount.quantize(CENT)


# -- budget lines --------------------------------------------------------------------------------------


@transaction.atomic
def budget_line_save(*, actor: Any, year: int, unit: Any, category: Category, amount: Any) -> BudgetLine:
    """Add a budget line. An existing line's amount changes only through an approved adjustment
    (``adjustments.adjustment_request``) or an allocation, never here."""
    if not actor.has_unit_perm("finance.budget.manage", unit):
        raise PermissionDenied
    value = _amount(amount, "amount")
    if value < 0:
        raise ValidationError({"amount": _("A budget cannot be negative.")})
    if category.kind != Category.Kind.EXPENSE:
        raise ValidationError({"category": _("Budgets are set for expense categories; choose one.")})
    if _year_closed(year):
        raise ValidationError({"year": _closed_message(year)})
    if BudgetLine.objects.filter(year=year, unit=unit, category=category).exists():
        raise ValidationError(
            {
                "category": _(
                    "%(unit)s already has a %(year)s budget for %(category)s: request an adjustment of that one."
                )
                % {"unit": unit, "year": year, "category": category}
            }
        )
    try:
        with transaction.atomic():
            line = BudgetLine.objects.create(year=year, unit=unit, category=category, amount=value)
    except IntegrityError:
        raise ValidationError(
            {"category": _("This budget line was added meanwhile: request an adjustment of that one.")}
        ) from None
    audit(
        actor=actor,
        action="finance.budget.created",
        target=line,
        changes={"amount": [None, value], "category": str(category), "year": year},
    )
    return line


# -- spending requests ---------------------------------------------------------------------------------


def _notify(request: SpendingRequest, recipients: Any, title: str, body: str = "") -> None:
    """Tell whoever the request now waits for, or its requester, that it moved (never the actor twice)."""
    notify(
        recipients=recipients,
        kind=f"finance.spending.{request.status}",
        title=title,
        body=body
        or _("%(title)s, %(amount)s yuan, %(unit)s")
        % {"title": request.title, "amount": request.amount, "unit": request.unit.name},
        link=reverse("finance:request_detail", args=[request.pk]),
    )


def _holders(code: str, request: SpendingRequest, *exclude: Any) -> Any:
    """Holders of ``code`` over the request's unit, without the people named (the requester, the actor)."""
    return account_selectors.users_with_perm_at(code=code, unit=request.unit).exclude(
        pk__in=[user_id for user_id in exclude if user_id is not None]
    )


def _year_closed(year: int) -> bool:
    return year_is_closed(year)


def _closed_message(year: int) -> str:
    return _("The fiscal year %(year)s is closed: its budget lines take no more spending.") % {"year": year}


def _lock(request: SpendingRequest) -> SpendingRequest:
    return SpendingRequest.objects.select_for_update(of=("self",)).select_related("unit").get(pk=request.pk)


def _refuse(request: SpendingRequest, *allowed: str) -> None:
    if request.status not in allowed:
        raise ValidationError(
            _("This request is %(status)s: that step is not possible now.")
            % {"status": request.get_status_display()}
        )


@transaction.atomic
def spending_request_submit(
    *,
    actor: Any,
    budget_line: BudgetLine,
    title: str,
    purpose: str,
    amount: Any,
    payee: str,
    attachments: Sequence[Upload],
) -> SpendingRequest:
    """File a request against a budget line of the actor's subtree, with at least one invoice."""
    if not actor.has_unit_perm("finance.request", budget_line.unit):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    title, purpose, payee = title.strip(), purpose.strip(), payee.strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the request a title."))
    if not purpose:
        errors.setdefault("purpose", []).append(_("Say what the money is for."))
    if not payee:
        errors.setdefault("payee", []).append(_("Name who is paid."))
    value = Decimal("0.00")
    try:
        value = _amount(amount, "amount")
    except ValidationError as error:
        errors.setdefault("amount", []).extend(error.messages)
    else:
        if value <= 0:
            errors.setdefault("amount", []).append(_("The amount must be more than 0."))
    if budget_line.category.kind != Category.Kind.EXPENSE:
        errors.setdefault("budget_line", []).append(_("Choose an expense budget line."))
    if _year_closed(budget_line.year):
        errors.setdefault("budget_line", []).append(_closed_message(budget_line.year))
    checked: list[tuple[Upload, str]] = []
    if not attachments:
        errors.setdefault("attachments", []).append(_("Attach at least one invoice (JPEG, PNG or PDF)."))
    for upload in attachments:
        try:
            checked.append((upload, check_attachment(upload.name, upload.data)))
        except ValidationError as error:
            errors.setdefault("attachments", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    request = SpendingRequest.objects.create(
        unit=budget_line.unit,
        budget_line=budget_line,
        title=title[:100],
        purpose=purpose,
        amount=value,
        payee=payee[:100],
        status=Status.SUBMITTED,
        requester=actor,
        created_at=now,
        submitted_at=now,
    )
    SpendingAttachment.objects.bulk_create(
        [
            SpendingAttachment(
                request=request,
                filename=upload.name[:200],
                content_type=content_type,
                size=len(upload.data),
                content=upload.data,
                uploaded_by=actor,
                uploaded_at=now,
            )
            for upload, content_type in checked
        ]
    )
    audit(
        actor=actor,
        action="finance.spending.submitted",
        target=request,
        changes={
            "amount": value,
            "budget_line": str(budget_line),
            "attachments": [upload.name for upload, _type in checked],
        },
    )
    _notify(
        request,
        _holders("finance.approve", request, actor.pk),
        _("A spending request awaits your approval"),
    )
    return request


@dataclass
class Approval:
    request: SpendingRequest
    final: bool  # False: the first of two approvals was recorded
    warning: str = ""


@transaction.atomic
def spending_request_approve(*, actor: Any, request: SpendingRequest) -> Approval:
    """Approve; above the threshold the first approval waits for a second, different approver. The final
    approval commits the amount against the budget line (refused beyond a "stop" category's budget)."""
    request = _lock(request)
    if not actor.has_unit_perm("finance.approve", request.unit):
        raise PermissionDenied
    _refuse(request, Status.SUBMITTED)
    if request.requester_id == actor.pk:
        raise ValidationError(_("You filed this request: someone else must approve it."))
    now = timezone.now()
    needs_two = request.amount > second_approval_threshold()
    if needs_two and request.first_approved_by_id is None:
        request.first_approved_by = actor
        request.first_approved_at = now
        request.save(update_fields=["first_approved_by", "first_approved_at"])
        audit(
            actor=actor,
            action="finance.spending.first_approved",
            target=request,
            changes={"amount": request.amount},
        )
        _notify(
            request,
            _holders("finance.approve", request, actor.pk, request.requester_id),
            _("A spending request awaits the second approval"),
        )
        return Approval(request=request, final=False)
    if needs_two and request.first_approved_by_id == actor.pk:
        raise ValidationError(
            _("Above %(threshold)s yuan a second approver is needed, and you gave the first approval.")
            % {"threshold": second_approval_threshold()}
        )
    line = (
        BudgetLine.objects.select_for_update(of=("self",))
        .select_related("category", "unit")
        .get(pk=request.budget_line_id)
    )
    if _year_closed(line.year):
        raise ValidationError(_closed_message(line.year))
    used = committed(budget_line_id=line.pk) + spent(
        year=line.year, unit_id=line.unit_id, category=line.category
    )
    warning = ""
    if used + request.amount > line.amount:
        message = _(
            "Over budget: %(category)s at %(unit)s has %(remaining)s left of %(budget)s for %(year)s "
            "(committed and spent: %(used)s); this request needs %(amount)s."
        ) % {
            "category": line.category,
            "unit": line.unit,
            "remaining": line.amount - used,
            "budget": line.amount,
            "year": line.year,
            "used": used,
            "amount": request.amount,
        }
        if line.category.overspend == Category.Overspend.STOP:
            raise ValidationError(message)
        warning = message
    request.status = Status.APPROVED
    request.approved_by = actor
    request.approved_at = now
    request.approval_warning = warning
    request.save(update_fields=["status", "approved_by", "approved_at", "approval_warning"])
    changes: dict[str, Any] = {
        "status": [Status.SUBMITTED.label, Status.APPROVED.label],
        "committed": request.amount,
    }
    if warning:
        changes["warnings"] = [warning]
    audit(actor=actor, action="finance.spending.approved", target=request, changes=changes)
    _notify(request, [request.requester], _("Your spending request was approved"))
    _notify(
        request,
        _holders("finance.post", request, actor.pk, request.requester_id),
        _("An approved spending request awaits payment"),
    )
    return Approval(request=request, final=True, warning=warning)


@transaction.atomic
def spending_request_reject(*, actor: Any, request: SpendingRequest, reason: str) -> SpendingRequest:
    request = _lock(request)
    if not actor.has_unit_perm("finance.approve", request.unit):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected: the requester is told.")})
    _refuse(request, Status.SUBMITTED)
    request.status = Status.REJECTED
    request.rejected_by = actor
    request.rejected_at = timezone.now()
    request.reject_reason = reason
    request.save(update_fields=["status", "rejected_by", "rejected_at", "reject_reason"])
    audit(
        actor=actor,
        action="finance.spending.rejected",
        target=request,
        changes={"status": [Status.SUBMITTED.label, Status.REJECTED.label], "reason": reason},
    )
    _notify(
        request,
        [request.requester],
        _("Your spending request was rejected"),
        _("%(title)s: %(reason)s") % {"title": request.title, "reason": reason},
    )
    return request


@transaction.atomic
def spending_request_pay(*, actor: Any, request: SpendingRequest) -> SpendingRequest:
    """Post the payment to the books (once, whatever the retries) and release the commitment."""
    request = _lock(request)
    if not actor.has_unit_perm("finance.post", request.unit):
        raise PermissionDenied
    if request.status == Status.PAID:
        return request  # a retried click: paid once already
    _refuse(request, Status.APPROVED)
    line = BudgetLine.objects.select_related("category").get(pk=request.budget_line_id)
    today = timezone.localdate()
    posting = entry_post(
        actor=actor,
        idempotency_key=f"finance.spending:{request.pk}",
        unit=request.unit,
        posted_on=min(max(today, dt.date(line.year, 1, 1)), dt.date(line.year, 12, 31)),  # in the line's year
        memo=f"{request.title}（{request.payee}）",
        lines=[
            Line(category=line.category, amount=request.amount),
            Line(account="funds", amount=-request.amount),
        ],
        source_type="finance.spending",
        source_id=request.pk,
    )
    request.status = Status.PAID
    request.paid_by = actor
    request.paid_at = timezone.now()
    request.entry = posting.entry
    request.save(update_fields=["status", "paid_by", "paid_at", "entry"])
    audit(
        actor=actor,
        action="finance.spending.paid",
        target=request,
        changes={"status": [Status.APPROVED.label, Status.PAID.label], "entry": f"#{posting.entry.seq}"},
    )
    if request.requester_id != actor.pk:
        _notify(request, [request.requester], _("Your spending request was paid"))
    return request


@transaction.atomic
def spending_request_cancel(*, actor: Any, request: SpendingRequest) -> SpendingRequest:
    """The requester withdraws a request before it is approved."""
    request = _lock(request)
    if request.requester_id != actor.pk:
        raise ValidationError(_("Only the requester can cancel a request."))
    _refuse(request, Status.DRAFT, Status.SUBMITTED)
    before = request.get_status_display()
    request.status = Status.CANCELLED
    request.cancelled_at = timezone.now()
    request.save(update_fields=["status", "cancelled_at"])
    audit(
        actor=actor,
        action="finance.spending.cancelled",
        target=request,
        changes={"status": [before, Status.CANCELLED.label]},
    )
    return request
