"""Care visits (五必访): an event is reported for a member (by the member, for a family member, or by an
officer), the standard suggests the amount within the caps, the responsible level approves it, the visit is
recorded with its payment (issued once, posted to the books once) and the member's service ledger.

Who decides:

* **Report**: the member for themselves (the portal), or a holder of ``welfare.care.report`` over the
  person's unit.
* **Approve / reject**: a holder of ``welfare.care.approve`` at the responsible level — the person's
  sub-union (分工会) for a sub-union event, the top of the tree (校工会) for a school-level one, so a 分工会
  officer cannot approve a school-level event. The approver is never the member concerned nor the officer
  who reported it (four eyes on money, as for spending requests); a member's own report may be approved
  by any approver.
* **Record the visit**: a holder of ``welfare.care.report`` at the responsible level (the officers who
  visit). The payment, its finance entry and the ledger lines are written in the same transaction: a
  refusal (a "stop" category over budget, a closed year, a cap exceeded meanwhile) leaves nothing behind.
* **Cancel**: the reporter, the member concerned, or an approver, while the event is not visited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.core.uploads import check_upload
from smartunion.finance import selectors as finance_selectors
from smartunion.finance.services import Line, entry_post
from smartunion.members import services as member_services
from smartunion.members.services import service_records
from smartunion.notifications.services import notify
from smartunion.organisations import selectors as org_selectors

from ..models import CareEvent, CareEventType, CareVisit, CareVisitPhoto, Form, Merchant, WelfareStandard
from ..selectors.standards import cap_room, group_cap_on, standard_on, year_to_date
from . import issuing

Status = CareEvent.Status
Level = CareEventType.Level
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SUBUNION_TYPES = ("branch", "direct_group")
# A care benefit is given in kind, as 慰问金 or as a 提货券 (valid ``VOUCHER_DAYS`` from the visit).
CARE_FORMS = (Form.IN_KIND, Form.CASH, Form.VOUCHER)
VOUCHER_DAYS = 90
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 10
PHOTO_SIGNATURES: dict[str, tuple[str, bytes]] = {
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


# -- the unit that visits and pays ------------------------------------------------------------------------


def top_unit_of(unit: Any) -> Any:
    """The school union above ``unit`` (the nearest 校工会 ancestor, else the root of the tree)."""
    chain = org_selectors.ancestors(unit, include_self=True)
    for candidate in reversed(chain):
        if candidate.union_type == "school":
            return candidate
    return chain[0]


def subunion_of(unit: Any) -> Any:
    """The 分工会 (or 直属工会小组) ``unit`` belongs to; the school union for its own members."""
    chain = org_selectors.ancestors(unit, include_self=True)
    for candidate in reversed(chain):
        if candidate.union_type in SUBUNION_TYPES:
            return candidate
    return top_unit_of(unit)


def responsible_unit(event: CareEvent) -> Any:
    """Whose officers visit, approve and pay: the person's sub-union, or the school union."""
    return top_unit_of(event.unit) if event.responsible == Level.SCHOOL else subunion_of(event.unit)


def responsible_officers(event: CareEvent, code: str = "welfare.care.approve") -> Any:
    """Holders of ``code`` at the responsible unit (or above it: the school office may act for a 分工会)."""
    return account_selectors.users_with_perm_at(code=code, unit=responsible_unit(event))


# -- the suggested amount --------------------------------------------------------------------------------


@dataclass
class Suggestion:
    """The amount the rules suggest for an event, and how it was derived (shown to the approver)."""

    standard: WelfareStandard | None = None
    standard_amount: Decimal | None = None
    cap_per_event: Decimal | None = None
    group_cap: Decimal | None = None
    year_to_date: Decimal | None = None
    room: Decimal | None = None
    amount: Decimal | None = None
    limited_by: list[str] = field(default_factory=list)

    @property
    def maximum(self) -> Decimal | None:
        """The most that may be approved: the per-event cap and the room under the yearly group cap."""
        limits = [value for value in (self.cap_per_event, self.room) if value is not None]
        return min(limits) if limits else None

    @property
    def allowed_forms(self) -> list[str]:
        forms = list(self.standard.allowed_forms) if self.standard and self.standard.allowed_forms else []
        return [form for form in CARE_FORMS if not forms or form in forms]


def suggest(*, event_type: CareEventType, person_id: int, day: dt.date) -> Suggestion:
    """The standard's amount on ``day``, within its cap per event and the room under the group's cap."""
    suggestion = Suggestion()
    item = event_type.item
    if item is None:
        return suggestion
    standard = standard_on(item, day)
    suggestion.standard = standard
    if standard is None:
        return suggestion
    suggestion.standard_amount = standard.amount
    suggestion.cap_per_event = standard.cap_per_event
    amount = standard.amount
    if amount is None and standard.cap_per_event is not None:
        # Only a ceiling is known (e.g. "≤ 1000"): the ceiling is suggested, the approver may give less.
        amount = standard.cap_per_event
        suggestion.limited_by.append("cap_only")
    elif amount is not None and standard.cap_per_event is not None and amount > standard.cap_per_event:
        amount = standard.cap_per_event
        suggestion.limited_by.append("cap_per_event")
    cap = group_cap_on(item, day)
    if cap is not None:
        suggestion.group_cap = cap.cap_per_member_year
        suggestion.year_to_date = year_to_date(person_id=person_id, group_id=cap.group_id, year=day.year)
        suggestion.room = max(cap.cap_per_member_year - suggestion.year_to_date, ZERO)
        if amount is not None and amount > suggestion.room:
            amount = suggestion.room
            suggestion.limited_by.append("group_cap")
    suggestion.amount = amount.quantize(CENT) if amount is not None else None
    return suggestion


def suggestion_for(event: CareEvent) -> Suggestion:
    return suggest(event_type=event.event_type, person_id=event.person_id, day=event.occurred_on)


# -- helpers -----------------------------------------------------------------------------------------------


def _amount(raw: Any, field_name: str) -> Decimal:
    try:
        amount = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("Enter an amount in yuan, e.g. 500.00.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field_name: _("Enter an amount in yuan with at most two decimals.")})
    if amount < 0:
        raise ValidationError({field_name: _("The amount cannot be negative.")})
    return amount.quantize(CENT)


def _lock(event: CareEvent) -> CareEvent:
    return (
        CareEvent.objects.select_for_update(of=("self",))
        .select_related("unit", "person", "event_type__item", "reported_by")
        .get(pk=event.pk)
    )


def _refuse(event: CareEvent, *allowed: str) -> None:
    if event.status not in allowed:
        raise ValidationError(
            _("This event is %(status)s: that step is not possible now.")
            % {"status": event.get_status_display()}
        )


def _link(event: CareEvent) -> str:
    return reverse("welfare:care_event_detail", args=[event.pk])


def _portal_link() -> str:
    return reverse("welfare:portal_care_mine")


def _person_user(event: CareEvent) -> Any:
    return getattr(event.person, "user", None)


def _notify(recipients: Any, event: CareEvent, kind: str, title: str, body: str = "", link: str = "") -> None:
    notify(
        recipients=recipients,
        kind=f"welfare.care.{kind}",
        title=title,
        body=body
        or _("%(type)s: %(name)s (%(unit)s), %(date)s")
        % {
            "type": event.event_type.name,
            "name": event.person.name,
            "unit": event.unit.name,
            "date": event.occurred_on.isoformat(),
        },
        link=link or _link(event),
    )


def may_approve(actor: Any, event: CareEvent) -> bool:
    """Whether ``actor`` holds the approval at the event's responsible level (not their own report)."""
    if not actor.has_unit_perm("welfare.care.approve", responsible_unit(event)):
        return False
    if event.person.user_id == actor.pk:
        return False
    return not (event.reported_by_id == actor.pk and event.person.user_id != actor.pk)


def may_record_visit(actor: Any, event: CareEvent) -> bool:
    return bool(actor.has_unit_perm("welfare.care.report", responsible_unit(event)))


def may_cancel(actor: Any, event: CareEvent) -> bool:
    return (
        event.reported_by_id == actor.pk
        or event.person.user_id == actor.pk
        or actor.has_unit_perm("welfare.care.approve", responsible_unit(event))
    )


# -- report ------------------------------------------------------------------------------------------------


@transaction.atomic
def care_event_report(
    *,
    actor: Any,
    person: Any,
    event_type: CareEventType,
    occurred_on: dt.date,
    description: str,
) -> CareEvent:
    """Report an event: the member for themselves, or an officer with ``welfare.care.report`` over the
    person's unit. The suggested amount is worked out now and shown to the approver."""
    own = person.user_id is not None and person.user_id == actor.pk
    if not own and not actor.has_unit_perm("welfare.care.report", person.unit):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not event_type.is_active:
        errors.setdefault("event_type", []).append(
            _("This kind of event is no longer in use: choose another.")
        )
    today = timezone.localdate()
    if occurred_on > today + dt.timedelta(days=60):
        errors.setdefault("occurred_on", []).append(
            _("The date is more than two months ahead: enter the date of the event.")
        )
    if occurred_on < today - dt.timedelta(days=366):
        errors.setdefault("occurred_on", []).append(
            _("The event is more than a year ago: the union visits recent events only.")
        )
    description = description.strip()
    if len(description) > 2000:
        errors.setdefault("description", []).append(_("Keep the description under 2,000 characters."))
    if errors:
        raise ValidationError(errors)
    suggestion = suggest(event_type=event_type, person_id=person.pk, day=occurred_on)
    event = CareEvent.objects.create(
        person=person,
        unit=person.unit,
        event_type=event_type,
        occurred_on=occurred_on,
        description=description,
        responsible=event_type.responsible,
        reported_by=actor,
        reported_at=timezone.now(),
        status=Status.REPORTED,
        suggested_amount=suggestion.amount,
    )
    audit(
        actor=actor,
        action="welfare.care.reported",
        target=event,
        changes={
            "event_type": event_type.name,
            "occurred_on": occurred_on,
            "responsible": event.get_responsible_display(),
            "suggested_amount": suggestion.amount,
            "by_member": own,
        },
    )
    recipients = responsible_officers(event).exclude(pk=actor.pk)
    transaction.on_commit(
        lambda: _notify(
            recipients,
            event,
            "reported",
            _("A care event awaits approval (五必访)"),
        )
    )
    return event


# -- approve, reject, cancel -------------------------------------------------------------------------------


@transaction.atomic
def care_event_approve(*, actor: Any, event: CareEvent, amount: Any, form: str, note: str = "") -> CareEvent:
    """Approve with an amount (≤ the standard's cap per event and the room under the yearly group cap)
    and a form the standard allows."""
    event = _lock(event)
    if not actor.has_unit_perm("welfare.care.approve", responsible_unit(event)):
        raise PermissionDenied
    _refuse(event, Status.REPORTED)
    if event.person.user_id == actor.pk:
        raise ValidationError(_("This event concerns you: another approver must decide on it."))
    if event.reported_by_id == actor.pk:
        raise ValidationError(_("You reported this event: another approver must decide on it."))
    value = _amount(amount, "amount")
    suggestion = suggestion_for(event)
    errors: dict[str, list[str]] = {}
    if value > 0 and event.event_type.item is None:
        errors.setdefault("amount", []).append(
            _("This kind of event has no benefit item: approve the visit with the amount 0.")
        )
    if value > 0 and event.event_type.item is not None and suggestion.standard is None:
        errors.setdefault("amount", []).append(
            _("No standard of %(item)s is in force on %(date)s: the union office adds one first.")
            % {"item": event.event_type.item, "date": event.occurred_on.isoformat()}
        )
    if suggestion.cap_per_event is not None and value > suggestion.cap_per_event:
        errors.setdefault("amount", []).append(
            _("The standard allows at most %(cap)s yuan per event.") % {"cap": suggestion.cap_per_event}
        )
    if suggestion.room is not None and value > suggestion.room:
        errors.setdefault("amount", []).append(
            _(
                "Over the yearly cap: %(name)s has received %(used)s of %(cap)s yuan this year; at most "
                "%(room)s yuan more."
            )
            % {
                "name": event.person.name,
                "used": suggestion.year_to_date,
                "cap": suggestion.group_cap,
                "room": suggestion.room,
            }
        )
    if value > 0:
        if form not in CARE_FORMS:
            errors.setdefault("form", []).append(
                _("A care benefit is given in kind, as 慰问金 or as a 提货券: choose one of these.")
            )
        elif form not in suggestion.allowed_forms:
            errors.setdefault("form", []).append(
                _("The standard does not allow %(form)s for this benefit: choose %(allowed)s.")
                % {
                    "form": Form(form).label,
                    "allowed": "、".join(str(Form(f).label) for f in suggestion.allowed_forms),
                }
            )
    if errors:
        raise ValidationError(errors)
    event.status = Status.APPROVED
    event.approved_amount = value
    event.form = form if value > 0 else ""
    event.decided_by = actor
    event.decided_at = timezone.now()
    event.decision_note = note.strip()[:500]
    event.save(
        update_fields=["status", "approved_amount", "form", "decided_by", "decided_at", "decision_note"]
    )
    audit(
        actor=actor,
        action="welfare.care.approved",
        target=event,
        changes={
            "status": [Status.REPORTED.label, Status.APPROVED.label],
            "approved_amount": value,
            "suggested_amount": event.suggested_amount,
            "given_as": event.get_form_display(),
            "note": event.decision_note,
        },
    )
    visitors = account_selectors.users_with_perm_at(
        code="welfare.care.report", unit=responsible_unit(event)
    ).exclude(pk=actor.pk)
    transaction.on_commit(
        lambda: _notify(visitors, event, "approved", _("A care visit is approved: please visit (五必访)"))
    )
    return event


@transaction.atomic
def care_event_reject(*, actor: Any, event: CareEvent, note: str) -> CareEvent:
    event = _lock(event)
    if not actor.has_unit_perm("welfare.care.approve", responsible_unit(event)):
        raise PermissionDenied
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why the event is not approved: the reporter is told.")})
    _refuse(event, Status.REPORTED)
    event.status = Status.REJECTED
    event.decided_by = actor
    event.decided_at = timezone.now()
    event.decision_note = note[:500]
    event.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit(
        actor=actor,
        action="welfare.care.rejected",
        target=event,
        changes={"status": [Status.REPORTED.label, Status.REJECTED.label], "note": event.decision_note},
    )
    recipients = [user for user in (event.reported_by, _person_user(event)) if user and user.pk != actor.pk]
    transaction.on_commit(
        lambda: _notify(
            {user.pk: user for user in recipients}.values(),
            event,
            "rejected",
            _("A reported care event was not approved"),
            _("%(type)s: %(note)s") % {"type": event.event_type.name, "note": event.decision_note},
        )
    )
    return event


@transaction.atomic
def care_event_cancel(*, actor: Any, event: CareEvent, note: str = "") -> CareEvent:
    """Withdraw an event reported by mistake (the reporter, the member, or an approver), before the visit."""
    event = _lock(event)
    if not may_cancel(actor, event):
        raise PermissionDenied
    _refuse(event, Status.REPORTED, Status.APPROVED)
    before = event.get_status_display()
    event.status = Status.CANCELLED
    event.decision_note = (note.strip() or event.decision_note)[:500]
    event.save(update_fields=["status", "decision_note"])
    audit(
        actor=actor,
        action="welfare.care.cancelled",
        target=event,
        changes={"status": [before, Status.CANCELLED.label], "note": note.strip()},
    )
    return event


# -- the visit and its payment -----------------------------------------------------------------------------


def check_photo(name: str, data: bytes) -> str:
    """The content type of an acceptable visit photo (JPEG or PNG ≤ 10 MB, by its content), or a
    ValidationError naming the file and the fix."""
    return check_upload(
        name,
        data,
        signatures=PHOTO_SIGNATURES,
        max_bytes=MAX_PHOTO_BYTES,
        not_accepted=_("“%(name)s” is not a photo: upload a JPEG or PNG file."),
        too_large=_(
            "“%(name)s” is %(size).1f MB; the largest photo accepted is %(max)d MB. Send a smaller one."
        ),
    )


def split_visitors(raw: str | Sequence[str]) -> list[str]:
    """Visitors as typed: one per line or separated by commas/、."""
    text = raw if isinstance(raw, str) else "\n".join(raw)
    for separator in ("，", ",", "、", ";", "；"):
        text = text.replace(separator, "\n")
    seen: list[str] = []
    for name in (part.strip() for part in text.splitlines()):
        if name and name not in seen:
            seen.append(name)
    return seen


@dataclass
class VisitResult:
    visit: CareVisit
    warnings: list[str] = field(default_factory=list)


@transaction.atomic
def care_visit_record(
    *,
    actor: Any,
    event: CareEvent,
    visited_on: dt.date,
    visitors: str | Sequence[str],
    notes: str,
    photos: Sequence[Upload] = (),
) -> VisitResult:
    """Record the visit of an approved event with its payment: the benefit is issued once
    (``care:<event>``), posted to the books once (``welfare.care:<event>``) at the responsible unit, and
    written to the member's service ledger. Any refusal leaves nothing behind."""
    event = _lock(event)
    unit = responsible_unit(event)
    if not actor.has_unit_perm("welfare.care.report", unit):
        raise PermissionDenied
    _refuse(event, Status.APPROVED)
    names = split_visitors(visitors)
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    if not names:
        errors.setdefault("visitors", []).append(_("Name who visited (usually two or more people)."))
    elif len(names) < 2:
        warnings.append(_("Only one visitor recorded: a care visit is usually made by two or more people."))
    if len(", ".join(names)) > 300:
        errors.setdefault("visitors", []).append(_("Keep the visitors' names under 300 characters."))
    today = timezone.localdate()
    if visited_on > today:
        errors.setdefault("visited_on", []).append(_("The visit date is in the future: record a visit made."))
    if visited_on < event.occurred_on - dt.timedelta(days=30):
        errors.setdefault("visited_on", []).append(
            _("The visit is long before the event (%(date)s): check the date.")
            % {"date": event.occurred_on.isoformat()}
        )
    if len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(
            _("At most %(count)d photos per visit.") % {"count": MAX_PHOTOS}
        )
    checked: list[tuple[Upload, str]] = []
    for upload in photos:
        try:
            checked.append((upload, check_photo(upload.name, upload.data)))
        except ValidationError as error:
            errors.setdefault("photos", []).extend(error.messages)
    amount = event.approved_amount or ZERO
    item = event.event_type.item
    if amount > 0 and item is not None:
        member_services.people_lock([event.person_id])  # the cap is read and used under the member's lock
        room = cap_room(item=item, person_id=event.person_id, day=visited_on)
        if room is not None and amount > room:
            errors.setdefault("__all__", []).append(
                _(
                    "The approved %(amount)s yuan is now over the yearly cap (%(room)s yuan left for "
                    "%(name)s in %(year)s): reject and report the event again with a lower amount."
                )
                % {"amount": amount, "room": room, "name": event.person.name, "year": visited_on.year}
            )
    category = None
    if amount > 0 and item is not None:
        category = finance_selectors.category_by_code(item.expense_category_code)
        if category is None:
            errors.setdefault("__all__", []).append(
                _("The expense category %(code)s of %(item)s is not in the chart: the union office fixes it.")
                % {"code": item.expense_category_code, "item": item}
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    visit = CareVisit.objects.create(
        event=event,
        visited_on=visited_on,
        visitors="、".join(names)[:300],
        notes=notes.strip()[:4000],
        recorded_by=actor,
        recorded_at=now,
    )
    CareVisitPhoto.objects.bulk_create(
        [
            CareVisitPhoto(
                visit=visit,
                filename=upload.name[:200],
                content_type=content_type,
                size=len(upload.data),
                content=upload.data,
                uploaded_at=now,
            )
            for upload, content_type in checked
        ]
    )
    entry_seq = None
    posting_warnings: list[str] = []
    if amount > 0 and item is not None and category is not None:
        voucher = None
        if event.form == Form.VOUCHER:
            voucher = issuing.VoucherSpec(
                valid_from=visited_on,
                valid_to=visited_on + dt.timedelta(days=VOUCHER_DAYS),
                merchants=list(Merchant.objects.filter(is_active=True)),
                goods=event.event_type.name,
            )
        issued = issuing.issue(
            key=f"care:{event.pk}",
            item=item,
            person=event.person,
            unit=event.unit,
            amount=amount,
            form=event.form or Form.CASH,
            day=visited_on,
            actor=actor,
            voucher=voucher,
            title=_("%(type)s care benefit (五必访)") % {"type": event.event_type.name},
        )
        posting = entry_post(
            actor=actor,
            idempotency_key=f"welfare.care:{event.pk}",
            unit=unit,
            posted_on=visited_on,
            memo=_("五必访 %(type)s: %(name)s") % {"type": event.event_type.name, "name": event.person.name},
            lines=[Line(category=category, amount=amount), Line(account="funds", amount=-amount)],
            source_type="welfare.care",
            source_id=event.pk,
        )
        posting_warnings = list(posting.warnings)
        entry_seq = posting.entry.seq
        issuance = issued.issuance
        if issuance.entry_id_ref != posting.entry.pk:
            issuance.entry_id_ref = posting.entry.pk
            issuance.save(update_fields=["entry_id_ref"])
        visit.issuance = issuance
        visit.save(update_fields=["issuance"])
    service_records.service_record_add(
        person=event.person,
        unit=event.unit,
        kind="welfare.visit",
        title=_("Care visit (五必访): %(type)s") % {"type": event.event_type.name},
        key=f"welfare.visit:{event.pk}",
        occurred_at=now,
        amount=amount if amount > 0 else None,
        link=_portal_link(),
    )
    event.status = Status.VISITED
    event.save(update_fields=["status"])
    changes: dict[str, Any] = {
        "status": [Status.APPROVED.label, Status.VISITED.label],
        "visited_on": visited_on,
        "visitors": visit.visitors,
        "payment": amount,
        "photos": [upload.name for upload, _type in checked],
    }
    if entry_seq is not None:
        changes["entry"] = f"#{entry_seq}"
    if posting_warnings:
        changes["warnings"] = posting_warnings
    audit(actor=actor, action="welfare.care.visited", target=event, changes=changes)
    member = _person_user(event)
    if member is not None and member.pk != actor.pk:
        body = (
            _("%(unit)s visited you on %(date)s; %(amount)s yuan (%(form)s) was given.")
            % {
                "unit": unit.name,
                "date": visited_on.isoformat(),
                "amount": amount,
                "form": event.get_form_display(),
            }
            if amount > 0
            else _("%(unit)s visited you on %(date)s.") % {"unit": unit.name, "date": visited_on.isoformat()}
        )
        transaction.on_commit(
            lambda: _notify(
                [member], event, "visited", _("The union visited you (五必访)"), body, _portal_link()
            )
        )
    return VisitResult(visit=visit, warnings=warnings + posting_warnings)


def care_event_viewed(*, actor: Any, event: CareEvent, what: str = "event") -> None:
    """Health and family details (生病住院, a death in the family) and visit photos are sensitive personal
    information: every opening of an event's page or a photo is logged as sensitive access."""
    audit(
        actor=actor,
        action="welfare.care.viewed",
        target=event,
        unit=event.unit,
        changes={"viewed": what},
        sensitive=True,
    )
