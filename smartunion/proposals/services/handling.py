"""交办 and 办理: the committee assigns an accepted proposal to one lead office (主办) and any assisting
offices (协办) with a deadline in working days; an office may return a wrong assignment (退办) within its
window; assisting offices give their input (会签) to the lead office; the 分管校领导 gives instructions
(批示) and signs off the reply; the lead office's reply, with its implementation status A/B/C, is released
to the proposer and the co-signers.

Which steps apply is the session's "五制" switches: ``control_co_handling`` (assisting offices),
``control_time_limit`` (deadline), ``control_leader_signoff`` (批示 and 审签), ``control_evaluation``
(a released reply waits for the rating, or the proposal is closed at once).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core import workdays
from smartunion.core.audit import audit
from smartunion.organisations import selectors_offices

from ..models import Assignment, Instruction, Proposal, ProposalEvent, Reminder, Reply
from ..selectors import access
from . import common
from .review import committee_users, signer_users

Status = Proposal.Status
Kind = ProposalEvent.Kind
Role = Assignment.Role
# 批示 is given while the proposal is with the offices (not after it is closed).
INSTRUCTION_STATUSES = (Status.ASSIGNED, Status.REPLY_SIGNOFF, Status.REPLIED, Status.UNSATISFIED)


def leader_link(proposal: Proposal) -> str:
    return reverse("proposals:leader_detail", kwargs={"pk": proposal.pk})


def _office_pk(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None


def _current(proposal: Proposal) -> list[Assignment]:
    """The active assignments of the proposal's current round, lead first."""
    return list(
        Assignment.objects.filter(proposal=proposal, round=proposal.round, status=Assignment.Status.ACTIVE)
        .select_related("office__leader")
        .order_by("-role", "id")  # "lead" > "assist": descending puts the lead first
    )


def current_lead(proposal: Proposal) -> Assignment | None:
    return next((a for a in _current(proposal) if a.role == Role.LEAD), None)


def _own_assignment(actor: Any, proposal: Proposal, *, role: str | None = None) -> Assignment:
    """The actor's office's active assignment in the current round (the lead one when ``role`` is
    LEAD), or a refusal saying why the actor may not act."""
    assignment = access.assignment_of_user(actor, proposal)
    if assignment is None:
        raise ValidationError(
            _("Your office has no active assignment on this proposal in the current round."), code="office"
        )
    if role == Role.LEAD and assignment.role != Role.LEAD:
        raise ValidationError(_("Only the lead office (主办) writes the reply."), code="office")
    if role == Role.ASSIST and assignment.role != Role.ASSIST:
        raise ValidationError(
            _("Input (会签) is given by the assisting offices (协办) to the lead office."), code="office"
        )
    return assignment


def _office_names(assignments: Iterable[Assignment]) -> str:
    return "、".join(a.office.name for a in assignments)


# -- 交办 ----------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_assign(*, actor: Any, proposal: Proposal, lead: Any, assists: Iterable[Any] = ()) -> Proposal:
    """交办: ACCEPTED → ASSIGNED with one lead office and (when the session uses 主办/协办) any assisting
    offices for the current round; the reply is due ``reply_working_days`` working days from today when
    the session uses time limits; offices may return it within ``return_working_days`` working days."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.ACCEPTED)
    session = proposal.session
    lead_pk = _office_pk(lead)
    if lead_pk is None:
        raise ValidationError({"lead": _("Choose the lead office (主办) that answers the proposal.")})
    assist_pks = [pk for pk in dict.fromkeys(_office_pk(a) for a in assists) if pk is not None]
    if assist_pks and not session.control_co_handling:
        raise ValidationError(
            {
                "assists": _(
                    "This session does not use assisting offices (主办/协办 is switched off): choose the lead office only."
                )
            }
        )
    if lead_pk in assist_pks:
        raise ValidationError(
            {"assists": _("The lead office cannot also be an assisting office: untick it.")}
        )
    offices = selectors_offices.offices_by_ids([lead_pk, *assist_pks])
    if lead_pk not in offices or not offices[lead_pk].is_active:
        raise ValidationError({"lead": _("Choose a handling office that is in use.")})
    unknown = [pk for pk in assist_pks if pk not in offices or not offices[pk].is_active]
    if unknown:
        raise ValidationError({"assists": _("Choose assisting offices that are in use.")})
    today = timezone.localdate()
    now = timezone.now()
    return_until = workdays.add_working_days(today, session.return_working_days)
    rows = [
        Assignment(
            proposal=proposal,
            office=offices[pk],
            role=Role.LEAD if pk == lead_pk else Role.ASSIST,
            round=proposal.round,
            assigned_at=now,
            assigned_by=actor if getattr(actor, "pk", None) else None,
            return_until=return_until,
        )
        for pk in [lead_pk, *assist_pks]
    ]
    Assignment.objects.bulk_create(rows)
    proposal.status = Status.ASSIGNED
    proposal.assigned_at = now
    proposal.due_date = (
        workdays.add_working_days(today, session.reply_working_days) if session.control_time_limit else None
    )
    proposal.save(update_fields=["status", "assigned_at", "due_date", "updated_at"])
    lead_office, assist_offices = offices[lead_pk], [offices[pk] for pk in assist_pks]
    text = _("Lead office (主办): %(lead)s.") % {"lead": lead_office.name}
    if assist_offices:
        text += " " + _("Assisting (协办): %(offices)s.") % {
            "offices": "、".join(o.name for o in assist_offices)
        }
    if proposal.due_date:
        text += " " + _("Reply due %(date)s.") % {"date": proposal.due_date.isoformat()}
    common.event_add(proposal, Kind.ASSIGNED, actor=actor, text=text)
    audit(
        actor=actor,
        action="proposals.proposal.assigned",
        target=proposal,
        changes={
            "status": [str(Status.ACCEPTED.label), proposal.get_status_display()],
            "round": proposal.round,
            "lead_office": lead_office.name,
            "assist_offices": [o.name for o in assist_offices],
            "due_date": proposal.due_date,
            "return_until": return_until,
        },
    )
    common.notify(
        selectors_offices.office_staff_users([lead_pk, *assist_pks]),
        kind="proposals.assigned",
        title=_("Proposal %(number)s “%(title)s” is assigned to your office (交办)")
        % {"number": proposal.number, "title": proposal.title},
        body=text,
        link=common.office_link(proposal),
    )
    if session.control_leader_signoff and lead_office.leader_id:
        common.notify(
            [lead_office.leader],
            kind="proposals.assigned",
            title=_("Proposal %(number)s is assigned to %(office)s, an office you supervise")
            % {"number": proposal.number, "office": lead_office.name},
            body=text,
            link=leader_link(proposal),
        )
    return proposal


# -- 退办 ----------------------------------------------------------------------------------------------


@transaction.atomic
def assignment_return(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """退办: an office returns a wrong assignment within its window, with a reason.

    * An assisting office (协办) ends only its own part (RETURNED): the lead office goes on answering and
      the deadline stays; the committee and the lead office are told.
    * The lead office (主办) returns the whole round: every active assignment of the round ends as
      RETURNED, the proposal goes back to the committee (ACCEPTED) to be assigned again, and the round's
      reminders are cleared so that the next office is reminded in its turn (``Reminder`` is once per
      proposal, round and kind, and the round number stays)."""
    reason = common.require_text(
        reason,
        field="reason",
        message=_("Write why the proposal is not your office's to answer (退办): the committee reads it."),
    )
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.ASSIGNED)
    own = _own_assignment(actor, proposal)
    today = timezone.localdate()
    if own.return_until is not None and today > own.return_until:
        raise ValidationError(
            _("The time to return this assignment (退办) ended on %(date)s: answer it, or ask the committee.")
            % {"date": own.return_until.isoformat()},
            code="window",
        )
    if own.role == Role.ASSIST:
        return _assist_return(actor=actor, proposal=proposal, own=own, reason=reason)
    now = timezone.now()
    round_assignments = _current(proposal)
    for assignment in round_assignments:
        assignment.status = Assignment.Status.RETURNED
        fields = ["status"]
        if assignment.pk == own.pk:
            assignment.return_reason = reason
            assignment.returned_at = now
            assignment.returned_by = actor
            fields += ["return_reason", "returned_at", "returned_by"]
        assignment.save(update_fields=fields)
    before_due = proposal.due_date
    proposal.status = Status.ACCEPTED
    proposal.assigned_at = None
    proposal.due_date = None
    proposal.save(update_fields=["status", "assigned_at", "due_date", "updated_at"])
    cleared, _kinds = Reminder.objects.filter(proposal=proposal, round=proposal.round).delete()
    text = _("%(office)s returned the assignment (退办): %(reason)s") % {
        "office": own.office.name,
        "reason": reason,
    }
    common.event_add(proposal, Kind.RETURNED, actor=actor, text=text, is_public=False)
    audit(
        actor=actor,
        action="proposals.assignment.returned",
        target=proposal,
        changes={
            "status": [str(Status.ASSIGNED.label), proposal.get_status_display()],
            "office": own.office.name,
            "office_role": own.get_role_display(),
            "return_reason": reason,
            "due_date": [before_due, None],
            "reminders_cleared": cleared,
        },
    )
    others = [a.office_id for a in round_assignments if a.pk != own.pk]
    common.notify(
        committee_users() + selectors_offices.office_staff_users(others),
        kind="proposals.returned",
        title=_("Proposal %(number)s was returned by %(office)s (退办): assign it again")
        % {"number": proposal.number, "office": own.office.name},
        body=reason,
        link=common.console_link(proposal),
    )
    return proposal


def _assist_return(*, actor: Any, proposal: Proposal, own: Assignment, reason: str) -> Proposal:
    """An assisting office's 退办: its own assignment ends, the rest of the round goes on."""
    own.status = Assignment.Status.RETURNED
    own.return_reason = reason
    own.returned_at = timezone.now()
    own.returned_by = actor
    own.save(update_fields=["status", "return_reason", "returned_at", "returned_by"])
    text = _("%(office)s returned its assisting part (协办) of the assignment (退办): %(reason)s") % {
        "office": own.office.name,
        "reason": reason,
    }
    common.event_add(proposal, Kind.RETURNED, actor=actor, text=text, is_public=False)
    audit(
        actor=actor,
        action="proposals.assignment.returned",
        target=proposal,
        changes={
            "office": own.office.name,
            "office_role": own.get_role_display(),
            "return_reason": reason,
        },
    )
    title = _(
        "%(office)s no longer assists (协办) on proposal %(number)s (退办); the lead office goes on answering"
    ) % {"office": own.office.name, "number": proposal.number}
    common.notify(
        committee_users(),
        kind="proposals.returned",
        title=title,
        body=reason,
        link=common.console_link(proposal),
    )
    lead = current_lead(proposal)
    if lead is not None:
        common.notify(
            selectors_offices.office_staff_users([lead.office_id]),
            kind="proposals.returned",
            title=title,
            body=reason,
            link=common.office_link(proposal),
        )
    return proposal


# -- 会签 ----------------------------------------------------------------------------------------------


@transaction.atomic
def assist_input(*, actor: Any, proposal: Proposal, text: str) -> Assignment:
    """协办 会签: an assisting office gives its input to the lead office, which answers once for all; a
    later input replaces the earlier one."""
    text = common.require_text(
        text, field="text", message=_("Write your office's input for the lead office (会签).")
    )
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.ASSIGNED)
    assignment = _own_assignment(actor, proposal, role=Role.ASSIST)
    replaced = bool(assignment.input_text)
    assignment.input_text = text
    assignment.input_at = timezone.now()
    assignment.input_by = actor
    assignment.save(update_fields=["input_text", "input_at", "input_by"])
    common.event_add(
        proposal,
        Kind.INPUT,
        actor=actor,
        text=_("%(office)s: %(text)s") % {"office": assignment.office.name, "text": text},
        is_public=False,
    )
    audit(
        actor=actor,
        action="proposals.assignment.input",
        target=proposal,
        changes={"office": assignment.office.name, "input_text": text, "replaced": replaced},
    )
    lead = current_lead(proposal)
    if lead is not None:
        common.notify(
            selectors_offices.office_staff_users([lead.office_id]),
            kind="proposals.input",
            title=_("%(office)s sent its input (会签) on proposal %(number)s")
            % {"office": assignment.office.name, "number": proposal.number},
            body=text,
            link=common.office_link(proposal),
        )
    return assignment


# -- 批示 ----------------------------------------------------------------------------------------------


def _require_supervising_leader(actor: Any, proposal: Proposal) -> Assignment:
    lead = current_lead(proposal)
    if lead is None or lead.office.leader_id != getattr(actor, "pk", None):
        raise ValidationError(
            _("Only the school leader supervising the lead office (分管校领导) may do this."), code="leader"
        )
    return lead


@transaction.atomic
def instruction_add(*, actor: Any, proposal: Proposal, text: str) -> Instruction:
    """批示: the leader supervising the lead office instructs the offices (only in sessions that use the
    leader's step)."""
    text = common.require_text(text, field="text", message=_("Write the instruction (批示)."))
    proposal = common.proposal_lock(proposal.pk)
    if not proposal.session.control_leader_signoff:
        raise ValidationError(
            _("This session does not use the leaders' instructions and sign-off (领导批示/审签)."),
            code="control",
        )
    common.require_status(proposal, *INSTRUCTION_STATUSES)
    _require_supervising_leader(actor, proposal)
    instruction = Instruction.objects.create(proposal=proposal, leader=actor, text=text)
    common.event_add(proposal, Kind.INSTRUCTION, actor=actor, text=text, is_public=False)
    audit(actor=actor, action="proposals.instruction.added", target=proposal, changes={"text": text})
    office_ids = [a.office_id for a in _current(proposal)]
    common.notify(
        selectors_offices.office_staff_users(office_ids),
        kind="proposals.instruction",
        title=_("A leader's instruction (批示) on proposal %(number)s") % {"number": proposal.number},
        body=text,
        link=common.office_link(proposal),
    )
    return instruction


# -- the reply -----------------------------------------------------------------------------------------


def _reply_values(body: str, implementation: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    body = (body or "").strip()
    if not body:
        errors["body"] = _("Write the reply to the proposer.")
    if implementation not in Proposal.Implementation.values:
        errors["implementation"] = _("Choose the implementation status: A, B or C.")
    if errors:
        raise ValidationError(errors)
    return body, implementation


def _save_draft(*, actor: Any, proposal: Proposal, body: str, implementation: str) -> Reply:
    assignment = _own_assignment(actor, proposal, role=Role.LEAD)
    body, implementation = _reply_values(body, implementation)
    reply = (
        Reply.objects.select_for_update(of=("self",)).filter(proposal=proposal, round=proposal.round).first()
    )
    if reply is None:
        reply = Reply.objects.create(
            proposal=proposal,
            round=proposal.round,
            office=assignment.office,
            body=body,
            implementation=implementation,
            written_by=actor,
        )
    else:
        reply.office = assignment.office
        reply.body = body
        reply.implementation = implementation
        reply.status = Reply.Status.DRAFT
        reply.written_by = actor
        reply.save(update_fields=["office", "body", "implementation", "status", "written_by", "updated_at"])
    return reply


@transaction.atomic
def reply_save(*, actor: Any, proposal: Proposal, body: str, implementation: str) -> Reply:
    """The lead office saves its draft reply (nothing is sent)."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.ASSIGNED)
    reply = _save_draft(actor=actor, proposal=proposal, body=body, implementation=implementation)
    audit(
        actor=actor,
        action="proposals.reply.saved",
        target=proposal,
        changes={"round": reply.round, "implementation": reply.get_implementation_display()},
    )
    return reply


def is_locked_late(proposal: Proposal, today: dt.date | None = None) -> bool:
    """The deadline passed and the session locks late replies (the committee sets a new deadline)."""
    today = today or timezone.localdate()
    session = proposal.session
    return bool(
        session.lock_late_replies
        and session.control_time_limit
        and proposal.due_date
        and today > proposal.due_date
    )


def needs_signoff(proposal: Proposal, lead: Assignment | None) -> bool:
    return bool(proposal.session.control_leader_signoff and lead is not None and lead.office.leader_id)


@transaction.atomic
def reply_submit(*, actor: Any, proposal: Proposal, body: str, implementation: str) -> Reply:
    """The lead office sends its reply: to the supervising leader for sign-off (审签) when the session
    uses it and the office has a leader, otherwise it is released at once. Refused after the deadline
    when the session locks late replies."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.ASSIGNED)
    if is_locked_late(proposal):
        raise ValidationError(
            _(
                "The reply was due on %(date)s and this session locks late replies: ask the committee for a new deadline."
            )
            % {"date": proposal.due_date.isoformat() if proposal.due_date else ""},
            code="late",
        )
    reply = _save_draft(actor=actor, proposal=proposal, body=body, implementation=implementation)
    lead = current_lead(proposal)
    if needs_signoff(proposal, lead):
        assert lead is not None
        reply.status = Reply.Status.SIGNOFF
        reply.signoff_note = ""
        reply.save(update_fields=["status", "signoff_note", "updated_at"])
        proposal.status = Status.REPLY_SIGNOFF
        proposal.save(update_fields=["status", "updated_at"])
        common.event_add(proposal, Kind.REPLY_SUBMITTED, actor=actor, is_public=False)
        audit(
            actor=actor,
            action="proposals.reply.submitted",
            target=proposal,
            changes={
                "status": [str(Status.ASSIGNED.label), proposal.get_status_display()],
                "round": reply.round,
                "implementation": reply.get_implementation_display(),
            },
        )
        common.notify(
            [lead.office.leader],
            kind="proposals.signoff",
            title=_("The reply to proposal %(number)s awaits your sign-off (审签)")
            % {"number": proposal.number},
            body=proposal.title,
            link=leader_link(proposal),
        )
        return reply
    _release(actor=actor, proposal=proposal, reply=reply)
    return reply


@transaction.atomic
def reply_signoff(*, actor: Any, proposal: Proposal, approve: bool, note: str = "") -> Reply:
    """审签: the leader supervising the lead office releases the reply, or sends it back with a note (the
    proposal is with the office again)."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.REPLY_SIGNOFF)
    lead = _require_supervising_leader(actor, proposal)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(
            {"note": _("Write what the office should change before the reply is sent again.")}
        )
    reply = Reply.objects.select_for_update(of=("self",)).get(proposal=proposal, round=proposal.round)
    now = timezone.now()
    reply.signoff_by = actor
    reply.signoff_at = now
    reply.signoff_note = note
    if approve:
        reply.save(update_fields=["signoff_by", "signoff_at", "signoff_note", "updated_at"])
        audit(
            actor=actor,
            action="proposals.reply.signed_off",
            target=proposal,
            changes={"round": reply.round, **({"signoff_note": note} if note else {})},
        )
        _release(actor=actor, proposal=proposal, reply=reply)
        return reply
    reply.status = Reply.Status.DRAFT
    reply.save(update_fields=["status", "signoff_by", "signoff_at", "signoff_note", "updated_at"])
    proposal.status = Status.ASSIGNED
    proposal.save(update_fields=["status", "updated_at"])
    common.event_add(proposal, Kind.REPLY_SENT_BACK, actor=actor, text=note, is_public=False)
    audit(
        actor=actor,
        action="proposals.reply.sent_back",
        target=proposal,
        changes={
            "status": [str(Status.REPLY_SIGNOFF.label), proposal.get_status_display()],
            "round": reply.round,
            "signoff_note": note,
        },
    )
    common.notify(
        selectors_offices.office_staff_users([lead.office_id]),
        kind="proposals.signoff",
        title=_("The reply to proposal %(number)s was sent back by the leader") % {"number": proposal.number},
        body=note,
        link=common.office_link(proposal),
    )
    return reply


def signoff_possible(proposal: Proposal, lead: Assignment | None = None) -> bool:
    """Whether a reply awaiting sign-off can still get it: the session still uses the leader's step and
    the lead office still has a supervising leader. When not, the committee releases it instead
    (``reply_release_without_signoff``), so the proposal never waits for a sign-off nobody can give."""
    return needs_signoff(proposal, lead if lead is not None else current_lead(proposal))


@transaction.atomic
def reply_release_without_signoff(*, actor: Any, proposal: Proposal, note: str = "") -> Reply:
    """The committee releases a reply awaiting sign-off (审签) that nobody can sign off any more: the lead
    office's supervising leader was removed, or the session switched the leader's step off after the reply
    was sent. Refused while the leader can still sign it off."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.REPLY_SIGNOFF)
    lead = current_lead(proposal)
    if signoff_possible(proposal, lead):
        assert lead is not None and lead.office.leader is not None
        raise ValidationError(
            _(
                "%(leader)s, the school leader supervising %(office)s, can still sign off this reply (审签): "
                "ask them, or send a supervision note (督办)."
            )
            % {"leader": lead.office.leader.name, "office": lead.office.name},
            code="signoff_possible",
        )
    reply = Reply.objects.select_for_update(of=("self",)).get(proposal=proposal, round=proposal.round)
    why = (
        _("the session no longer uses the leaders' sign-off (领导审签)")
        if not proposal.session.control_leader_signoff
        else _("%(office)s has no supervising school leader (分管校领导) now")
        % {"office": lead.office.name if lead else reply.office.name}
    )
    note = (note or "").strip()
    reply.signoff_note = note
    reply.save(update_fields=["signoff_note", "updated_at"])
    text = _("Released by the committee without the leader's sign-off: %(why)s.") % {"why": why}
    if note:
        text += f"\n{note}"
    common.event_add(proposal, Kind.SUPERVISION, actor=actor, text=text, is_public=False)
    audit(
        actor=actor,
        action="proposals.reply.released_without_signoff",
        target=proposal,
        changes={"round": reply.round, "why": why, **({"signoff_note": note} if note else {})},
    )
    _release(actor=actor, proposal=proposal, reply=reply)
    common.notify(
        selectors_offices.office_staff_users([reply.office_id]),
        kind="proposals.signoff",
        title=_("The committee released your reply to proposal %(number)s without the leader's sign-off")
        % {"number": proposal.number},
        body=why,
        link=common.office_link(proposal),
    )
    return reply


def _release(*, actor: Any, proposal: Proposal, reply: Reply) -> None:
    """The reply goes out: RELEASED (overdue when after the round's deadline, only in a session with time
    limits), the proposal takes its implementation status and waits for the rating (REPLIED), or is
    closed when the session does not use evaluation; the proposer and the co-signers are told."""
    now = timezone.now()
    today = timezone.localdate()
    reply.status = Reply.Status.RELEASED
    reply.released_at = now
    reply.is_overdue = bool(
        proposal.session.control_time_limit and proposal.due_date and today > proposal.due_date
    )
    reply.save(update_fields=["status", "released_at", "is_overdue", "updated_at"])
    before = proposal.get_status_display()
    proposal.replied_at = now
    proposal.implementation = reply.implementation
    fields = ["status", "replied_at", "implementation", "updated_at"]
    evaluated = proposal.session.control_evaluation
    if evaluated:
        proposal.status = Status.REPLIED
    else:
        proposal.status = Status.CLOSED
        proposal.closed_at = now
        fields.append("closed_at")
    proposal.save(update_fields=fields)
    common.event_add(
        proposal,
        Kind.REPLIED,
        actor=actor,
        text=_("%(office)s replied: %(implementation)s")
        % {"office": reply.office.name, "implementation": reply.get_implementation_display()},
    )
    if not evaluated:
        common.event_add(proposal, Kind.CLOSED, actor=actor, text=_("Closed when the reply was released."))
    audit(
        actor=actor,
        action="proposals.reply.released",
        target=proposal,
        changes={
            "status": [before, proposal.get_status_display()],
            "round": reply.round,
            "implementation": reply.get_implementation_display(),
            "is_overdue": reply.is_overdue,
        },
    )
    title = (
        _("The reply to your proposal “%(title)s” is out: please rate it")
        if evaluated
        else _("The reply to your proposal “%(title)s” is out")
    ) % {"title": proposal.title}
    common.notify(
        signer_users(proposal),
        kind="proposals.replied",
        title=title,
        body=reply.get_implementation_display(),
        link=common.portal_link(proposal),
    )
