"""The membership lifecycle (domain.md §2.4): every change of status is one service here, with its rule,
an audit entry and a timeline entry (:class:`MembershipEvent`). Illegal transitions are refused with a
message that says what the status is and what is possible.

The application workflow (申请中 → 正式/临时会员) is in ``applications``; it uses ``transition`` below.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from ..models import (
    JoiningCeremony,
    LapseProposal,
    Membership,
    MembershipApplication,
    MembershipEvent,
    MembershipTransfer,
    Person,
)

Status = Membership.Status
Kind = MembershipEvent.Kind

CARD_SALT = "members.card"


def check_perm(actor: Any, code: str, unit: Any) -> None:
    """``actor`` None is the system (a command, a migration); anyone else needs ``code`` at ``unit``."""
    if actor is not None and not actor.has_unit_perm(code, unit):
        raise PermissionDenied


def _refuse(membership: Membership, what: str) -> ValidationError:
    return ValidationError(
        _("%(person)s's membership is “%(status)s”: %(what)s is not possible.")
        % {"person": membership.person.name, "status": membership.get_status_display(), "what": what}
    )


def locked(membership: Membership) -> Membership:
    """The membership re-read under a row lock, so two officers cannot both act on the same status."""
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("person", "unit")
        .get(pk=membership.pk)
    )


def note_event(
    membership: Membership, *, kind: str, actor: Any = None, on: dt.date | None = None, **fields: Any
) -> MembershipEvent:
    """A timeline entry that leaves the status as it is (a move, a review, a lapse proposal …)."""
    return MembershipEvent.objects.create(
        membership=membership,
        kind=kind,
        occurred_on=on or timezone.localdate(),
        actor=actor,
        from_status=membership.status,
        to_status=membership.status,
        **fields,
    )


def transition(
    membership: Membership,
    *,
    to: str,
    kind: str,
    actor: Any,
    allowed_from: Iterable[str],
    what: str,
    on: dt.date | None = None,
    note: str = "",
    reference: str = "",
    extra: dict[str, Any] | None = None,
) -> Membership:
    """Move ``membership`` (already locked) to status ``to`` if it is in ``allowed_from``; write the
    timeline entry and the audit entry. ``what`` names the action in the refusal message."""
    if membership.status not in set(allowed_from):
        raise _refuse(membership, what)
    on = on or timezone.localdate()
    if membership.status_since and on < membership.status_since:
        # The timeline (and the 入会率 read back from it) must stay in order.
        raise ValidationError(
            {
                "on": _("The date cannot be before %(day)s, when the current status (“%(status)s”) began.")
                % {"day": membership.status_since, "status": membership.get_status_display()}
            }
        )
    before = membership.status
    membership.status = to
    membership.status_since = on
    fields = ["status", "status_since", "updated_at"]
    for name, value in (extra or {}).items():
        setattr(membership, name, value)
        fields.append(name)
    membership.save(update_fields=fields)
    MembershipEvent.objects.create(
        membership=membership,
        kind=kind,
        occurred_on=on,
        actor=actor,
        from_status=before,
        to_status=to,
        reference=reference,
        note=note,
    )
    changes: dict[str, Any] = {"status": [Status(before).label, Status(to).label], "date": on}
    if reference:
        changes["reference"] = reference
    if note:
        changes["note"] = note
    audit(
        actor=actor,
        action=f"members.membership.{kind}",
        target=membership.person,
        changes=changes,
        unit=membership.unit,
    )
    return membership


def _joined_status(person: Person) -> str:
    return Status.TEMPORARY if person.category.member_type == "temporary" else Status.FULL


def card_number(joined_on: dt.date, person_id: int) -> str:
    return f"{joined_on:%Y}{person_id:07d}"


def assign_card(membership: Membership, *, actor: Any, on: dt.date) -> None:
    """会员证号: the join year and the person's record number — unique without a counter to race on, and
    computable in bulk (the demo, a migration from a former system)."""
    if membership.card_no:
        return
    membership.card_no = card_number(on, membership.person_id)
    membership.save(update_fields=["card_no", "updated_at"])
    MembershipEvent.objects.create(
        membership=membership,
        kind=Kind.CARD_ISSUED,
        occurred_on=on,
        actor=actor,
        reference=membership.card_no,
    )


def join(
    membership: Membership,
    *,
    actor: Any,
    kind: str,
    allowed_from: Iterable[str],
    what: str,
    on: dt.date,
    joined_on: dt.date | None = None,
    reference: str = "",
    note: str = "",
) -> Membership:
    """Make ``membership`` a (full or temporary) member as of ``on`` and issue the member card."""
    membership = transition(
        membership,
        to=_joined_status(membership.person),
        kind=kind,
        actor=actor,
        allowed_from=allowed_from,
        what=what,
        on=on,
        note=note,
        reference=reference,
        extra={"joined_on": joined_on or on, "retained_reason": ""},
    )
    assign_card(membership, actor=actor, on=on)
    return membership


# -- transitions from a member status -----------------------------------------------------------------


@transaction.atomic
def membership_retain(
    *, actor: Any, membership: Membership, reason: str, on: dt.date | None = None, note: str = ""
) -> Membership:
    """正式/临时会员 → 保留会籍 (retired, unemployed, long absence); dues stop."""
    membership = locked(membership)
    check_perm(actor, "members.membership.manage", membership.unit)
    if reason not in Membership.RetainedReason.values:
        raise ValidationError(_("Choose why the membership is retained."))
    if reason == Membership.RetainedReason.RETIRED and not membership.person.category.is_retired:
        raise ValidationError(
            _(
                "%(person)s is “%(category)s” staff, not retired: choose another reason, or wait for HR to record the retirement."
            )
            % {"person": membership.person.name, "category": membership.person.category.name}
        )
    return transition(
        membership,
        to=Status.RETAINED,
        kind=Kind.RETAINED,
        actor=actor,
        allowed_from=Membership.IN_SERVICE_STATUSES,
        what=_("retaining the membership"),
        on=on,
        note=note or str(Membership.RetainedReason(reason).label),
        extra={"retained_reason": reason},
    )


@transaction.atomic
def membership_resume(
    *, actor: Any, membership: Membership, on: dt.date | None = None, note: str = ""
) -> Membership:
    """保留会籍 → in service again, after a long absence or unemployment (not after retirement)."""
    membership = locked(membership)
    check_perm(actor, "members.membership.manage", membership.unit)
    if membership.person.category.is_retired:
        raise ValidationError(
            _("%(person)s retired: a retired member's membership stays retained.")
            % {"person": membership.person.name}
        )
    return transition(
        membership,
        to=_joined_status(membership.person),
        kind=Kind.RESUMED,
        actor=actor,
        allowed_from=[Status.RETAINED],
        what=_("resuming the membership"),
        on=on,
        note=note,
        extra={"retained_reason": ""},
    )


@transaction.atomic
def membership_withdraw(
    *, actor: Any, membership: Membership, on: dt.date | None = None, note: str = ""
) -> Membership:
    """退会 on the member's request (退会自由)."""
    membership = locked(membership)
    check_perm(actor, "members.membership.manage", membership.unit)
    return transition(
        membership,
        to=Status.WITHDRAWN,
        kind=Kind.WITHDRAWN,
        actor=actor,
        allowed_from=Membership.MEMBER_STATUSES,
        what=_("withdrawing"),
        on=on,
        note=note,
    )


@transaction.atomic
def membership_expel(
    *, actor: Any, membership: Membership, decision: str, on: dt.date | None = None, note: str = ""
) -> Membership:
    """开除会籍, by decision of the union committee; the decision's reference is required."""
    membership = locked(membership)
    check_perm(actor, "members.membership.expel", membership.unit)
    decision = decision.strip()
    if not decision:
        raise ValidationError({"decision": _("Give the union committee's decision (its number or meeting).")})
    return transition(
        membership,
        to=Status.EXPELLED,
        kind=Kind.EXPELLED,
        actor=actor,
        allowed_from=Membership.MEMBER_STATUSES,
        what=_("expelling"),
        on=on,
        note=note,
        reference=decision[:100],
    )


@transaction.atomic
def membership_transfer_out(
    *,
    actor: Any,
    membership: Membership,
    counterpart: str,
    on: dt.date | None = None,
    note: str = "",
) -> MembershipTransfer:
    """转出 to another employer's union; issues the numbered 转会证明 (printable from the transfer)."""
    membership = locked(membership)
    check_perm(actor, "members.membership.manage", membership.unit)
    counterpart = counterpart.strip()
    if not counterpart:
        raise ValidationError({"counterpart": _("Give the union the member is transferring to.")})
    on = on or timezone.localdate()
    if membership.status not in Membership.MEMBER_STATUSES:
        raise _refuse(membership, _("transferring out"))
    # The certificate number is the year and the transfer's own number, so it needs no counter.
    record = MembershipTransfer.objects.create(
        membership=membership,
        direction=MembershipTransfer.Direction.OUT,
        transferred_on=on,
        counterpart=counterpart[:100],
        letter_no=f"pending-{uuid.uuid4().hex}",  # replaced below, once the record has its number
        original_joined_on=membership.joined_on,
        note=note[:200],
        recorded_by=actor,
    )
    record.letter_no = f"ZH{on:%Y}{record.pk:05d}"
    record.save(update_fields=["letter_no"])
    transition(
        membership,
        to=Status.TRANSFERRED_OUT,
        kind=Kind.TRANSFERRED_OUT,
        actor=actor,
        allowed_from=Membership.MEMBER_STATUSES,
        what=_("transferring out"),
        on=on,
        note=_("to %(org)s") % {"org": record.counterpart},
        reference=record.letter_no,
    )
    return record


@transaction.atomic
def membership_transfer_in(
    *,
    actor: Any,
    membership: Membership,
    counterpart: str,
    letter_no: str,
    original_joined_on: dt.date | None,
    on: dt.date | None = None,
    note: str = "",
) -> MembershipTransfer:
    """转入 from another employer's union with its 会员关系介绍信: no new application; the original join
    date is kept (一次入会、动态接转)."""
    membership = locked(membership)
    check_perm(actor, "members.membership.manage", membership.unit)
    errors = {}
    if not counterpart.strip():
        errors["counterpart"] = _("Give the union the member comes from.")
    if not letter_no.strip():
        errors["letter_no"] = _("Give the number of the introduction letter (介绍信).")
    elif MembershipTransfer.objects.filter(
        direction=MembershipTransfer.Direction.IN,
        counterpart=counterpart.strip()[:100],
        letter_no=letter_no.strip()[:50],
    ).exists():
        errors["letter_no"] = _(
            "An introduction letter with this number from this union is already recorded."
        )
    on = on or timezone.localdate()
    if original_joined_on and original_joined_on > on:
        errors["original_joined_on"] = _("The original join date cannot be after the transfer.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # the same letter recorded at the same moment by someone else
            record = MembershipTransfer.objects.create(
                membership=membership,
                direction=MembershipTransfer.Direction.IN,
                transferred_on=on,
                counterpart=counterpart.strip()[:100],
                letter_no=letter_no.strip()[:50],
                original_joined_on=original_joined_on,
                note=note[:200],
                recorded_by=actor,
            )
    except IntegrityError:
        raise ValidationError(
            {"letter_no": _("An introduction letter with this number from this union is already recorded.")}
        ) from None
    join(
        membership,
        actor=actor,
        kind=Kind.TRANSFERRED_IN,
        allowed_from=Membership.MAY_APPLY_STATUSES,
        what=_("transferring in"),
        on=on,
        joined_on=original_joined_on or on,
        reference=record.letter_no,
        note=_("from %(org)s") % {"org": record.counterpart},
    )
    return record


@transaction.atomic
def membership_move(
    *,
    actor: Any,
    membership: Membership,
    unit: Any,
    on: dt.date | None = None,
    note: str = "",
    check: bool = True,
) -> Membership:
    """会籍接转 within the school: the membership moves to another 分工会 or 小组 with no new application.
    Called by hand, and by the people services when HR moves the person (``check=False``: the HR change
    was authorised there; the actor is still recorded). An open application moves along, so that the
    unit now responsible reviews it."""
    membership = locked(membership)
    if membership.unit_id == unit.pk:
        return membership
    if check:
        check_perm(actor, "members.membership.manage", membership.unit)
        check_perm(actor, "members.membership.manage", unit)
    before = membership.unit
    membership.unit = unit
    membership.save(update_fields=["unit", "updated_at"])
    MembershipApplication.objects.filter(
        person_id=membership.person_id, status__in=MembershipApplication.OPEN_STATUSES
    ).update(unit=unit, updated_at=timezone.now())
    note_event(membership, kind=Kind.MOVED, actor=actor, on=on, from_unit=before, to_unit=unit, note=note)
    audit(
        actor=actor,
        action="members.membership.moved",
        target=membership.person,
        changes={"unit": [before.name, unit.name]},
        unit=unit,
    )
    return membership


# -- collective joining -------------------------------------------------------------------------------


@transaction.atomic
def ceremony_enrol(
    *,
    actor: Any,
    unit: Any,
    title: str,
    held_on: dt.date,
    approval_ref: str,
    people: list[Person],
) -> JoiningCeremony:
    """入职入会仪式: new staff of ``unit`` join together; the school union's approval is recorded once for
    the batch. All or nothing: one person who cannot join stops the batch with their name."""
    check_perm(actor, "members.membership.manage", unit)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the ceremony a title.")
    if not approval_ref.strip():
        errors["approval_ref"] = _("Record the school union's approval (meeting or document number).")
    if held_on > timezone.localdate():
        errors["held_on"] = _("The ceremony cannot be in the future: record it after it was held.")
    if not people:
        errors["people"] = _("Choose the new staff who joined.")
    if errors:
        raise ValidationError(errors)
    ceremony = JoiningCeremony.objects.create(
        unit=unit,
        held_on=held_on,
        title=title.strip()[:100],
        approval_ref=approval_ref.strip()[:100],
        recorded_by=actor,
    )
    memberships = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("person__category", "unit")
        .filter(person__in=people)
    )
    for membership in memberships.order_by("person__staff_no"):
        check_perm(actor, "members.membership.manage", membership.unit)
        hired = membership.person.hire_date
        if hired and held_on < hired:
            raise ValidationError(
                {
                    "held_on": _("%(person)s was hired on %(hired)s, after the ceremony date.")
                    % {"person": membership.person.name, "hired": hired}
                }
            )
        if not membership.person.category.is_eligible:
            raise ValidationError(
                _("%(person)s is “%(category)s” staff and cannot join this way.")
                % {"person": membership.person.name, "category": membership.person.category.name}
            )
        join(
            membership,
            actor=actor,
            kind=Kind.ENROLLED,
            allowed_from=[Status.NONE, Status.WITHDRAWN, Status.LAPSED, Status.TRANSFERRED_OUT],
            what=_("joining at a ceremony"),
            on=held_on,
            reference=ceremony.approval_ref,
            note=ceremony.title,
        )
    ceremony.people.set(people)
    audit(
        actor=actor,
        action="members.ceremony.recorded",
        target=ceremony,
        changes={
            "title": ceremony.title,
            "held_on": held_on,
            "approval": ceremony.approval_ref,
            "people": len(people),
        },
        unit=unit,
    )
    return ceremony


# -- 自动退会: proposed by the system, decided by a person ----------------------------------------------


@transaction.atomic
def lapse_propose(
    *, membership: Membership, last_dues_month: dt.date | None, on: dt.date
) -> LapseProposal | None:
    """Record the system's proposal (one open proposal per membership); nothing changes status here."""
    membership = locked(membership)
    if membership.status not in Membership.PAYING_STATUSES:
        return None
    if LapseProposal.objects.filter(membership=membership, status=LapseProposal.Status.OPEN).exists():
        return None
    proposal = LapseProposal.objects.create(
        membership=membership, proposed_on=on, last_dues_month=last_dues_month
    )
    note_event(membership, kind=Kind.LAPSE_PROPOSED, on=on)
    audit(
        actor=None, action="members.membership.lapse_proposed", target=membership.person, unit=membership.unit
    )
    return proposal


@transaction.atomic
def lapse_decide(*, actor: Any, proposal: LapseProposal, confirm: bool, note: str = "") -> LapseProposal:
    """A person confirms (→ 自动退会) or dismisses the system's proposal; either way with a note."""
    proposal = LapseProposal.objects.select_for_update().get(pk=proposal.pk)
    membership = locked(proposal.membership)
    check_perm(actor, "members.membership.manage", membership.unit)
    if proposal.status != LapseProposal.Status.OPEN:
        raise ValidationError(_("This proposal was already decided."))
    if not note.strip():
        raise ValidationError(
            {
                "note": _(
                    "Say what was done: the member was contacted and did not correct it, or why not to lapse."
                )
            }
        )
    proposal.status = LapseProposal.Status.CONFIRMED if confirm else LapseProposal.Status.DISMISSED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.note = note.strip()[:300]
    proposal.save(update_fields=["status", "decided_by", "decided_at", "note"])
    if (
        confirm
        and membership.dues.filter(
            paid=True, dues_month__month__gt=proposal.last_dues_month or dt.date.min
        ).exists()
    ):
        raise ValidationError(
            _("%(person)s has paid dues since the proposal was made: dismiss it instead.")
            % {"person": membership.person.name}
        )
    if confirm:
        transition(
            membership,
            to=Status.LAPSED,
            kind=Kind.LAPSED,
            actor=actor,
            allowed_from=Membership.PAYING_STATUSES,
            what=_("lapsing"),
            note=proposal.note,
        )
    else:
        note_event(membership, kind=Kind.LAPSE_DISMISSED, actor=actor, note=proposal.note)
        audit(
            actor=actor,
            action="members.membership.lapse_dismissed",
            target=membership.person,
            changes={"note": proposal.note},
            unit=membership.unit,
        )
    return proposal


# -- the member card ------------------------------------------------------------------------------------


def card_token(membership: Membership) -> str:
    """What the card's QR code carries: a signed reference to the membership — never the ID number."""
    return signing.dumps({"m": membership.pk, "c": membership.card_no}, salt=CARD_SALT, compress=True)


def card_token_membership_id(token: str) -> int | None:
    """The membership a card token names, or None if the token was not signed by this installation."""
    try:
        data = signing.loads(token, salt=CARD_SALT)
    except signing.BadSignature:
        return None
    return data.get("m") if isinstance(data, dict) else None


# -- merges -------------------------------------------------------------------------------------------


@transaction.atomic
def memberships_units_merge(*, source: Any, target: Any, actor: Any) -> int:
    """A unit was merged into another: its memberships move with it (organisations asks)."""
    count = 0
    for membership in (
        Membership.objects.select_for_update(of=("self",))
        .filter(unit=source)
        .select_related("person", "unit")
    ):
        membership.unit = target
        membership.save(update_fields=["unit", "updated_at"])
        note_event(
            membership, kind=Kind.MOVED, actor=actor, from_unit=source, to_unit=target, note=_("unit merged")
        )
        count += 1
    return count
