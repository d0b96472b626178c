"""Assistance applications (临时补助, 爱心扶助金 …): submission with documents and consent → 分工会 initial
review (初审) → approval at the 校工会 by amount tier → payment posted to finance once → the member told.

Who decides:

* **Submit**: the member for themselves (consent given online), or an officer holding
  ``hardship.assistance.review`` over the person's unit on their behalf (the member's signed paper form).
* **Review** (初审): ``hardship.assistance.review`` over the application's unit.
* **Approve**: at the top of the tree (school-wide) — ``hardship.assistance.approve`` for amounts up to the
  rule's staff approval limit, ``hardship.assistance.approve_major`` above it. Never the unit reviewer of
  the same application, never the member concerned. The yearly limits (count and amount per person) and
  the "only one spouse may receive" rule are checked again under a lock on both spouses' rows, so two
  concurrent approvals cannot both pass.
* **Pay**: ``hardship.assistance.pay`` at the top: the entry is posted at the school union with the
  idempotency key ``hardship.assistance:<pk>`` — a second call pays nothing and returns the same entry.
* **Reject**: the reviewer while submitted, then until paid the school-wide approver of the application's
  tier (``approve`` for the office's, ``approve_major`` for the chair's); a reason is required, and only
  the case handlers and the member see it.
* **Withdraw**: the member, before approval.

PIPL: the measured value, the circumstances, the bank account, the notes and the reason for a rejection
are encrypted columns; they never go into the audit log, the notifications or the member's service
records. A member applying for themselves learns nothing about the colleague they name as their spouse:
the spouse rule is checked at their submission only when an officer applies on their behalf, and always
at the approval (by officers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.finance import selectors as finance_selectors
from smartunion.finance.services import Line, entry_post
from smartunion.members import services as member_services
from smartunion.members.services import service_records
from smartunion.notifications.services import notify
from smartunion.organisations import selectors as org_selectors

from ..models import AssistanceApplication, AssistanceProgramme, Consent, Document
from ..selectors import assistance as selectors
from . import common
from .programmes import band_for, band_miss_message, rule_on

Status = AssistanceApplication.Status
Tier = AssistanceApplication.Tier
CENT = Decimal("0.01")
REVIEW = "hardship.assistance.review"
APPROVE = "hardship.assistance.approve"
APPROVE_MAJOR = "hardship.assistance.approve_major"
PAY = "hardship.assistance.pay"
MAX_DOCUMENTS = 10
MAX_VALUE = Decimal("9999999999.99")


@dataclass
class Payment:
    application: AssistanceApplication
    entry: Any
    created: bool
    warnings: list[str] = field(default_factory=list)


# -- who may do what ---------------------------------------------------------------------------------------


def may_review(user: Any, application: AssistanceApplication) -> bool:
    return bool(user.has_unit_perm(REVIEW, application.unit))


def approval_perm(application: AssistanceApplication) -> str:
    """The permission the approval needs: the office's when the band's standard amount is within the staff
    limit, the chair's above it. The tier follows the band, not the approved amount, so lowering the amount
    never moves an application out of the chair's hands."""
    return APPROVE if application.tier == Tier.STAFF else APPROVE_MAJOR


def may_approve(user: Any, application: AssistanceApplication) -> bool:
    return bool(user.scope_for(approval_perm(application)).at_top)


def is_approver(user: Any) -> bool:
    return bool(user.scope_for(APPROVE).at_top or user.scope_for(APPROVE_MAJOR).at_top)


def may_pay(user: Any) -> bool:
    return bool(user.scope_for(PAY).at_top)


def may_reject(user: Any, application: AssistanceApplication) -> bool:
    """While submitted: the sub-union's reviewer or any school-wide approver. Once passed on (and until
    paid): the school-wide approver of the application's tier — a chair-tier application is rejected by
    the chair (``approve_major``), never by the office."""
    if application.status == Status.SUBMITTED:
        return may_review(user, application) or is_approver(user)
    if application.status in (Status.UNIT_APPROVED, Status.APPROVED):
        return may_approve(user, application)
    return False


# -- helpers -----------------------------------------------------------------------------------------------


def _lock(application: AssistanceApplication) -> AssistanceApplication:
    return (
        AssistanceApplication.objects.select_for_update(of=("self",))
        .select_related("programme", "rule", "person", "unit", "unit_reviewed_by")
        .get(pk=application.pk)
    )


def _refuse(application: AssistanceApplication, *allowed: str) -> None:
    if application.status not in allowed:
        raise ValidationError(
            _("This application is %(status)s: that step is not possible now.")
            % {"status": application.get_status_display()}
        )


def _money(raw: Any, field_name: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("Enter an amount in yuan, e.g. 2000.00.")}) from None
    if not value.is_finite() or value != value.quantize(CENT):
        raise ValidationError({field_name: _("Enter an amount in yuan with at most two decimals.")})
    if abs(value) > MAX_VALUE:
        raise ValidationError({field_name: _("The amount is too large.")})
    return value.quantize(CENT)


def console_link(application: AssistanceApplication) -> str:
    return reverse("hardship:application_detail", args=[application.pk])


def portal_link(application: AssistanceApplication) -> str:
    return reverse("hardship:portal_assistance_detail", args=[application.pk])


def _member_user(application: AssistanceApplication) -> Any:
    return getattr(application.person, "user", None)


def _notify_member(application: AssistanceApplication, actor: Any, kind: str, title: str, body: str) -> None:
    member = _member_user(application)
    if member is None or member.pk == getattr(actor, "pk", None):
        return
    transaction.on_commit(
        lambda: notify(
            recipients=[member],
            kind=f"hardship.assistance.{kind}",
            title=title,
            body=body,
            link=portal_link(application),
        )
    )


def _notify_officers(
    application: AssistanceApplication, actor: Any, code: str, kind: str, title: str
) -> None:
    unit = application.unit if code == REVIEW else (org_selectors.top_unit() or application.unit)
    recipients = account_selectors.users_with_perm_at(code=code, unit=unit).exclude(pk=actor.pk)
    body = _("%(number)s · %(programme)s · %(name)s (%(unit)s)") % {
        "number": application.number,
        "programme": application.programme.name,
        "name": application.person.name,
        "unit": application.unit.name,
    }
    transaction.on_commit(
        lambda: notify(
            recipients=recipients,
            kind=f"hardship.assistance.{kind}",
            title=title,
            body=body,
            link=console_link(application),
        )
    )


def _limits_errors(
    *,
    person: Any,
    spouse_id: int | None,
    programme: AssistanceProgramme,
    rule: Any,
    year: int,
    amount: Decimal | None,
    exclude_pk: Any = None,
    spouse_rule: bool = True,
) -> list[str]:
    """The yearly limits and the spouse rule. ``amount`` None: at submission, refuse only when the limits
    are already used up; with an amount: at approval, refuse when this amount would pass them.

    The spouse rule's message names the spouse and their application: it is for officers only
    (``spouse_rule`` False when a member applies for themselves)."""
    errors: list[str] = []
    usage = selectors.yearly_usage(
        person_id=person.pk, programme_id=programme.pk, year=year, rule=rule, exclude_pk=exclude_pk
    )
    if usage.limit_count is not None and usage.count + 1 > usage.limit_count:
        errors.append(
            _(
                "%(name)s has already received %(programme)s %(count)s time(s) in %(year)s: the limit is "
                "%(limit)s time(s) a year."
            )
            % {
                "name": person.name,
                "programme": programme.name,
                "count": usage.count,
                "year": year,
                "limit": usage.limit_count,
            }
        )
    if usage.limit_amount is not None:
        if amount is None and usage.amount >= usage.limit_amount:
            errors.append(
                _("%(name)s has already received the most %(programme)s allows in %(year)s (%(limit)s yuan).")
                % {
                    "name": person.name,
                    "programme": programme.name,
                    "year": year,
                    "limit": usage.limit_amount,
                }
            )
        elif amount is not None and usage.amount + amount > usage.limit_amount:
            errors.append(
                _(
                    "Over the yearly amount: %(name)s has received %(used)s of %(limit)s yuan of "
                    "%(programme)s in %(year)s; at most %(left)s yuan more."
                )
                % {
                    "name": person.name,
                    "used": usage.amount,
                    "limit": usage.limit_amount,
                    "programme": programme.name,
                    "year": year,
                    "left": usage.amount_left,
                }
            )
    if spouse_rule and rule.one_spouse_only:
        granted = selectors.spouse_grant(
            person_id=person.pk,
            spouse_id=spouse_id,
            programme_id=programme.pk,
            year=year,
            exclude_pk=exclude_pk,
        )
        if granted is not None:
            errors.append(
                _(
                    "Only one spouse may receive %(programme)s in a year: %(spouse)s already received it in "
                    "%(year)s (%(number)s)."
                )
                % {
                    "programme": programme.name,
                    "spouse": granted.person.name,
                    "year": year,
                    "number": granted.number,
                }
            )
    return errors


def _retain(application: AssistanceApplication, day: dt.date) -> None:
    application.retain_until = common.retention_until(day)


# -- submit ------------------------------------------------------------------------------------------------


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    person: Any,
    programme: AssistanceProgramme,
    condition_value: Any,
    reason: str,
    bank_account: str = "",
    spouse_staff_no: str = "",
    documents: Iterable[tuple[str, str, bytes]] = (),
    on_behalf: bool = False,
    consent_method: str,
    guardian_consent: bool = False,
) -> AssistanceApplication:
    """Apply under the rule in force today; the band of the value gives the standard amount and the tier.
    Any refusal — a document not accepted included — saves nothing."""
    own = person.user_id is not None and person.user_id == actor.pk
    if on_behalf:
        if not actor.has_unit_perm(REVIEW, person.unit):
            raise PermissionDenied
    elif not own:
        raise PermissionDenied
    programme = AssistanceProgramme.objects.get(pk=programme.pk)
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    expected_method = Consent.Method.PAPER if on_behalf else Consent.Method.ONLINE
    if consent_method != expected_method:
        add(
            "consent",
            _("An officer applying on a member's behalf records the member's signed paper consent form.")
            if on_behalf
            else _("Give your consent to the processing of this information to apply."),
        )
    if not programme.is_active:
        add("__all__", _("%(programme)s is closed for applications.") % {"programme": programme.name})
    today = timezone.localdate()
    rule = rule_on(programme, today)
    if rule is None:
        add(
            "__all__",
            _("%(programme)s has no rules in force today: the union office adds them first.")
            % {"programme": programme.name},
        )
    value: Decimal | None = None
    try:
        value = _money(condition_value, "condition_value")
    except ValidationError as error:
        for message in error.messages:
            add("condition_value", message)
    else:
        if value < 0:
            add("condition_value", _("The value cannot be negative."))
            value = None
    band = None
    if rule is not None and value is not None:
        band = band_for(rule, value)
        if band is None:
            add("condition_value", band_miss_message(rule, value))
    reason = (reason or "").strip()
    if not reason:
        add("reason", _("Describe the circumstances: what happened and why help is needed."))
    elif len(reason) > 4000:
        add("reason", _("Keep the circumstances under 4,000 characters."))
    bank_account = "".join((bank_account or "").split())
    if bank_account and (len(bank_account) > 40 or not bank_account.isdigit()):
        add("bank_account", _("Enter the bank card number in digits only (up to 40)."))
    spouse = None
    spouse_staff_no = (spouse_staff_no or "").strip()
    if spouse_staff_no:
        spouse = selectors.person_by_staff_no(spouse_staff_no)
        if spouse is None:
            add(
                "spouse_staff_no",
                _("No staff member has the staff number %(no)s: check your spouse's 工号, or leave it empty.")
                % {"no": spouse_staff_no}
                if on_behalf
                # The member is told nothing about the staff (whose the number is, or whether it exists
                # beyond this one answer).
                else _("Check your spouse's staff number."),
            )
        elif spouse.pk == person.pk:
            add("spouse_staff_no", _("That is the applicant's own staff number: enter the spouse's."))
            spouse = None
    docs = list(documents)
    if len(docs) > MAX_DOCUMENTS:
        add("documents", _("Attach at most %(n)s documents.") % {"n": MAX_DOCUMENTS})
    for kind, name, data in docs:
        if kind not in Document.Kind.values:
            add("documents", _("“%(name)s”: choose what kind of document this is.") % {"name": name})
            continue
        try:
            common.check_document(name, data)
        except ValidationError as error:
            for message in error.messages:
                add("documents", message)
    if not errors and rule is not None:
        # The member's own yearly limits are theirs to know; the spouse rule would tell them whether the
        # colleague they named received assistance (and which, when): it waits for the officers — checked
        # here only when an officer applies on the member's behalf, and always at the approval.
        for message in _limits_errors(
            person=person,
            spouse_id=spouse.pk if spouse else None,
            programme=programme,
            rule=rule,
            year=today.year,
            amount=None,
            spouse_rule=on_behalf,
        ):
            add("__all__", message)
    if errors:
        raise ValidationError(errors)
    assert rule is not None and band is not None and value is not None
    consent = common.consent_record(
        person=person,
        purpose=Consent.Purpose.ASSISTANCE,
        actor=actor,
        method=consent_method,
        guardian_consent=guardian_consent,
    )
    hardship_file = selectors.active_file_of(person)
    application = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = AssistanceApplication.objects.create(
                    number=common.next_number(AssistanceApplication, "BZ", today.year),
                    programme=programme,
                    rule=rule,
                    person=person,
                    unit=person.unit,
                    spouse=spouse,
                    hardship_file=hardship_file,
                    year=today.year,
                    status=Status.SUBMITTED,
                    condition_value=value,
                    reason=reason,
                    bank_account=bank_account,
                    band_amount=band.amount,
                    tier=Tier.STAFF if band.amount <= rule.staff_approval_limit else Tier.CHAIR,
                    consent=consent,
                    submitted_by=actor,
                    on_behalf=on_behalf,
                )
            break
        except IntegrityError:
            continue
    if application is None:
        raise ValidationError(_("The application could not be numbered: please submit again."))
    for kind, name, data in docs:
        common.document_add(actor=actor, kind=kind, name=name, data=data, application=application)
    audit(
        actor=actor,
        action="hardship.application.submitted",
        target=application,
        changes={
            "number": application.number,
            "programme": programme.name,
            "tier": application.get_tier_display(),
            "on_behalf": on_behalf,
            "documents": len(docs),
        },
    )
    _notify_officers(
        application, actor, REVIEW, "submitted", _("An assistance application awaits the sub-union's review")
    )
    return application


# -- review, approve, reject, withdraw ----------------------------------------------------------------------


@transaction.atomic
def application_review(
    *, actor: Any, application: AssistanceApplication, approve: bool, note: str = ""
) -> AssistanceApplication:
    """分工会初审: passed on for approval, or rejected (a reason is required)."""
    application = _lock(application)
    if not may_review(actor, application):
        raise PermissionDenied
    _refuse(application, Status.SUBMITTED)
    note = (note or "").strip()
    if application.person.user_id == actor.pk:
        raise ValidationError(_("This application is yours: another officer reviews it."))
    if not approve:
        if not note:
            raise ValidationError({"note": _("Say why the application is rejected: the member is told.")})
        return _reject(actor=actor, application=application, reason=note)
    application.status = Status.UNIT_APPROVED
    application.unit_reviewed_by = actor
    application.unit_reviewed_at = timezone.now()
    application.unit_review_note = note[:2000]
    application.save(
        update_fields=["status", "unit_reviewed_by", "unit_reviewed_at", "unit_review_note", "updated_at"]
    )
    audit(
        actor=actor,
        action="hardship.application.reviewed",
        target=application,
        changes={"status": [Status.SUBMITTED.label, Status.UNIT_APPROVED.label]},
    )
    code = APPROVE if application.tier == Tier.STAFF else APPROVE_MAJOR
    _notify_officers(application, actor, code, "reviewed", _("An assistance application awaits approval"))
    return application


@transaction.atomic
def application_approve(
    *, actor: Any, application: AssistanceApplication, amount: Any = None, note: str = ""
) -> AssistanceApplication:
    """Approve at the 校工会: the amount defaults to the band's and may be lowered, never raised; the tier
    of the amount decides who may approve; the yearly limits and the spouse rule are checked under a lock
    on both spouses."""
    application = _lock(application)
    if not is_approver(actor):
        raise PermissionDenied
    _refuse(application, Status.UNIT_APPROVED)
    value = application.band_amount if amount in (None, "") else _money(amount, "amount")
    if value <= 0:
        raise ValidationError({"amount": _("The approved amount must be more than 0.")})
    if value > application.band_amount:
        raise ValidationError(
            {
                "amount": _(
                    "The standard amount of the band is %(band)s yuan: the approved amount cannot be higher."
                )
                % {"band": application.band_amount}
            }
        )
    if not may_approve(actor, application):
        if approval_perm(application) == APPROVE_MAJOR:
            raise ValidationError(
                _(
                    "The standard amount %(amount)s yuan is above the staff approval limit (%(limit)s yuan): "
                    "the union chair or committee approves it."
                )
                % {"amount": application.band_amount, "limit": application.rule.staff_approval_limit}
            )
        raise PermissionDenied
    if application.unit_reviewed_by_id == actor.pk:
        raise ValidationError(
            _("You reviewed this application for the sub-union: another officer approves it.")
        )
    if application.person.user_id == actor.pk:
        raise ValidationError(_("This application is yours: another officer approves it."))
    spouses = selectors.spouse_ids(
        person_id=application.person_id,
        spouse_id=application.spouse_id,
        programme_id=application.programme_id,
        year=application.year,
    )
    member_services.people_lock(sorted({application.person_id, *spouses}))
    errors = _limits_errors(
        person=application.person,
        spouse_id=application.spouse_id,
        programme=application.programme,
        rule=application.rule,
        year=application.year,
        amount=value,
        exclude_pk=application.pk,
    )
    if errors:
        raise ValidationError(errors)
    application.status = Status.APPROVED
    application.approved_amount = value
    application.approved_by = actor
    application.approved_at = timezone.now()
    application.decision_note = (note or "").strip()[:2000]
    application.save(
        update_fields=[
            "status",
            "approved_amount",
            "approved_by",
            "approved_at",
            "decision_note",
            "updated_at",
        ]
    )
    audit(
        actor=actor,
        action="hardship.application.approved",
        target=application,
        changes={
            "status": [Status.UNIT_APPROVED.label, Status.APPROVED.label],
            "approved_amount": value,
            "tier": str(Tier(application.tier).label),
        },
    )
    _notify_member(
        application,
        actor,
        "approved",
        _("Your assistance application is approved"),
        _("%(number)s · %(programme)s: approved, the payment follows.")
        % {"number": application.number, "programme": application.programme.name},
    )
    _notify_officers(application, actor, PAY, "approved", _("Approved assistance awaits payment"))
    return application


def _reject(*, actor: Any, application: AssistanceApplication, reason: str) -> AssistanceApplication:
    before = application.get_status_display()
    application.status = Status.REJECTED
    application.rejected_by = actor
    application.rejected_at = timezone.now()
    application.reject_reason = reason[:2000]
    _retain(application, timezone.localdate())
    application.save(
        update_fields=["status", "rejected_by", "rejected_at", "reject_reason", "retain_until", "updated_at"]
    )
    audit(
        actor=actor,
        action="hardship.application.rejected",
        target=application,
        changes={"status": [before, Status.REJECTED.label]},
    )
    _notify_member(
        application,
        actor,
        "rejected",
        _("Your assistance application was not approved"),
        _("%(number)s · %(programme)s: see the reason in the application.")
        % {"number": application.number, "programme": application.programme.name},
    )
    return application


@transaction.atomic
def application_reject(
    *, actor: Any, application: AssistanceApplication, reason: str
) -> AssistanceApplication:
    """Reject with a reason (the member sees it): the reviewer while submitted, an approver until paid."""
    application = _lock(application)
    if not may_reject(actor, application):
        if application.status in (Status.SUBMITTED, Status.UNIT_APPROVED, Status.APPROVED):
            raise PermissionDenied
        _refuse(application, Status.SUBMITTED, Status.UNIT_APPROVED, Status.APPROVED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the application is rejected: the member is told.")})
    return _reject(actor=actor, application=application, reason=reason)


@transaction.atomic
def application_withdraw(*, actor: Any, application: AssistanceApplication) -> AssistanceApplication:
    """The member withdraws their own application before it is approved."""
    application = _lock(application)
    if application.person.user_id is None or application.person.user_id != actor.pk:
        raise PermissionDenied
    _refuse(application, Status.SUBMITTED, Status.UNIT_APPROVED)
    before = application.get_status_display()
    application.status = Status.WITHDRAWN
    _retain(application, timezone.localdate())
    application.save(update_fields=["status", "retain_until", "updated_at"])
    audit(
        actor=actor,
        action="hardship.application.withdrawn",
        target=application,
        changes={"status": [before, Status.WITHDRAWN.label]},
    )
    return application


# -- payment -----------------------------------------------------------------------------------------------


def _post(actor: Any, application: AssistanceApplication, day: dt.date) -> Any:
    amount = application.approved_amount or Decimal("0")
    category = finance_selectors.category_by_code(application.programme.expense_category_code)
    if category is None:
        raise ValidationError(
            _(
                "The expense category %(code)s of %(programme)s is not in the chart: the union office fixes it."
            )
            % {"code": application.programme.expense_category_code, "programme": application.programme.name}
        )
    unit = org_selectors.top_unit()
    if unit is None:
        raise ValidationError(_("The school union's unit is missing: set up the organisation first."))
    return entry_post(
        actor=actor,
        idempotency_key=f"hardship.assistance:{application.pk}",
        unit=unit,
        posted_on=day,
        # The memo is read in the books: the programme and the number, never the circumstances.
        memo=_("%(programme)s %(number)s: %(name)s")
        % {
            "programme": application.programme.name,
            "number": application.number,
            "name": application.person.name,
        },
        lines=[Line(category=category, amount=amount), Line(account="funds", amount=-amount)],
        source_type="hardship.assistance",
        source_id=application.pk,
    )


@transaction.atomic
def application_pay(
    *, actor: Any, application: AssistanceApplication, paid_on: dt.date | None = None
) -> Payment:
    """Pay approved assistance: posted at the school union once (``hardship.assistance:<pk>``); a second
    call pays nothing and returns the same entry."""
    application = _lock(application)
    if not may_pay(actor):
        raise PermissionDenied
    if application.status == Status.PAID:
        paid_day = (
            timezone.localtime(application.paid_at).date() if application.paid_at else timezone.localdate()
        )
        posting = _post(actor, application, paid_day)
        return Payment(application=application, entry=posting.entry, created=False)
    _refuse(application, Status.APPROVED)
    day = paid_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date is in the future: enter the day it was paid.")})
    if application.approved_at and day < timezone.localtime(application.approved_at).date():
        raise ValidationError({"paid_on": _("The payment date is before the approval: check the date.")})
    posting = _post(actor, application, day)
    now = timezone.now()
    application.status = Status.PAID
    application.paid_by = actor
    application.paid_at = now
    application.entry_id_ref = posting.entry.pk
    _retain(application, day)
    application.save(
        update_fields=["status", "paid_by", "paid_at", "entry_id_ref", "retain_until", "updated_at"]
    )
    service_records.service_record_add(
        person=application.person,
        unit=application.unit,
        kind="hardship.assistance",
        title=_("Hardship assistance paid"),
        key=f"hardship.assistance:{application.pk}",
        occurred_at=now,
        link=portal_link(application),
    )
    changes: dict[str, Any] = {
        "status": [Status.APPROVED.label, Status.PAID.label],
        "paid_on": day,
        "entry": f"#{posting.entry.seq}",
    }
    if posting.warnings:
        changes["warnings"] = posting.warnings
    audit(actor=actor, action="hardship.application.paid", target=application, changes=changes)
    _notify_member(
        application,
        actor,
        "paid",
        _("Your assistance has been paid"),
        _("%(number)s · %(programme)s: paid on %(date)s.")
        % {"number": application.number, "programme": application.programme.name, "date": day.isoformat()},
    )
    return Payment(
        application=application, entry=posting.entry, created=posting.created, warnings=list(posting.warnings)
    )
