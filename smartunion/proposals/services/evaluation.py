"""反馈/评价 and what follows it (reference/domain.md §1.9, §1.10).

* ``evaluation_submit``: the proposer — and, when the session says so, the co-signers and co-proposers —
  rate the released reply of the current round on two dimensions, 办理态度 and 办理结果 (满意 / 基本满意 /
  不满意), once per reply. Only the proposer's rating decides: both at least 基本满意 → CLOSED (办结); any
  不满意 → UNSATISFIED, and the committee reviews it. Co-signers' ratings are kept (and counted in the
  statistics as theirs) but move nothing, so they may still rate the round's reply after the proposer's
  rating closed the proposal or sent it to the committee — until a new round (重新办理) starts.
* ``unsatisfied_decide``: the committee's review (复查) of an unsatisfied proposal — 重新办理 (a new round
  with its own offices, 退办 window and deadline, as many times as the session allows) or close with an
  explanation.
* ``proposal_close``: close a replied proposal nobody rated, with a note.

Every round's reply and every rating stay: a new round never overwrites the previous one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core import workdays
from smartunion.core.audit import audit
from smartunion.organisations import selectors_offices

from ..models import Assignment, Evaluation, Proposal, ProposalEvent, Reply
from ..selectors import evaluation as selectors
from . import common

Status = Proposal.Status
Rating = Evaluation.Rating
Kind = ProposalEvent.Kind
REHANDLE, CLOSE = "rehandle", "close"
# At least 基本满意 on a dimension.
CONTENT = (Rating.SATISFIED, Rating.BASIC)


def _rating(value: str, *, field: str, label: str) -> str:
    if value not in Rating.values:
        raise ValidationError(
            {field: _("Choose 满意, 基本满意 or 不满意 for %(dimension)s.") % {"dimension": label}}
        )
    return value


def _ratings_text(attitude: str, result: str) -> str:
    return _("办理态度: %(attitude)s; 办理结果: %(result)s") % {
        "attitude": Rating(attitude).label,
        "result": Rating(result).label,
    }


@transaction.atomic
def evaluation_submit(
    *, actor: Any, proposal: Proposal, attitude: str, result: str, comment: str = ""
) -> Evaluation:
    """Rate the released reply of the proposal's current round (see the module docstring)."""
    locked = common.proposal_lock(proposal.pk)
    session = locked.session
    if not session.control_evaluation:
        raise ValidationError(
            _("Replies are not rated in this session: evaluation (满意度测评) is switched off."), code="off"
        )
    common.require_status(locked, *selectors.COSIGNER_RATING_STATUSES)
    evaluator = selectors.evaluator_for(user=actor, proposal=locked)
    if evaluator is None:
        if selectors.is_signer(user=actor, proposal=locked):
            raise ValidationError(
                _("Only the proposer rates the reply in this session; co-signers do not."),
                code="not_evaluator",
            )
        raise ValidationError(_("Only the proposer and the co-signers rate a reply."), code="not_evaluator")
    if evaluator.is_proposer:
        # The proposer's rating decides, once: after it the proposal is closed or with the committee.
        common.require_status(locked, Status.REPLIED)
    reply = selectors.current_reply(locked)
    if reply is None:
        raise ValidationError(_("There is no released reply to rate yet."), code="no_reply")
    attitude = _rating(attitude, field="attitude", label=_("办理态度 (handling attitude)"))
    result = _rating(result, field="result", label=_("办理结果 (handling result)"))
    comment = (comment or "").strip()
    if Rating.UNSATISFIED in (attitude, result) and not comment:
        raise ValidationError(
            {
                "comment": _(
                    "Say what is unsatisfactory, so that the committee can review it (不满意 needs a comment)."
                )
            }
        )
    if Evaluation.objects.filter(reply=reply, representative=evaluator.representative).exists():
        raise ValidationError(_("You have already rated this reply."), code="twice")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                proposal=locked,
                reply=reply,
                round=reply.round,
                representative=evaluator.representative,
                is_proposer=evaluator.is_proposer,
                attitude=attitude,
                result=result,
                comment=comment,
            )
    except IntegrityError as error:  # the same evaluator twice at once: the second one loses
        raise ValidationError(_("You have already rated this reply."), code="twice") from error

    text = _ratings_text(attitude, result) + (f"\n{comment}" if comment else "")
    common.event_add(locked, Kind.EVALUATED, actor=actor, text=text)
    audit(
        actor=actor,
        action="proposals.evaluation.submitted",
        target=locked,
        changes={
            "round": reply.round,
            "rating_attitude": attitude,
            "rating_result": result,
            "is_proposer": evaluator.is_proposer,
        },
    )
    office_ids = [reply.office_id]
    if not evaluator.is_proposer:
        return evaluation

    now = timezone.now()
    if attitude in CONTENT and result in CONTENT:
        locked.status = Status.CLOSED
        locked.closed_at = now
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        common.event_add(locked, Kind.CLOSED, actor=actor, text=_("Closed on the proposer's rating."))
        audit(
            actor=actor,
            action="proposals.proposal.closed",
            target=locked,
            changes={"status": ["replied", "closed"]},
        )
        common.notify(
            selectors.office_users(office_ids),
            kind="proposals.evaluated",
            title=_("Proposal %(number)s was rated and is closed") % {"number": locked.number},
            body=_ratings_text(attitude, result),
            link=common.office_link(locked),
        )
    else:
        locked.status = Status.UNSATISFIED
        locked.save(update_fields=["status", "updated_at"])
        audit(
            actor=actor,
            action="proposals.proposal.unsatisfied",
            target=locked,
            changes={"status": ["replied", "unsatisfied"]},
        )
        common.notify(
            selectors.committee_users(),
            kind="proposals.unsatisfied",
            title=_("Proposal %(number)s: the proposer is not satisfied with the reply")
            % {"number": locked.number},
            body=text,
            link=common.console_link(locked),
        )
        common.notify(
            selectors.office_users(office_ids),
            kind="proposals.evaluated",
            title=_("Proposal %(number)s: the proposer is not satisfied; the committee will review it")
            % {"number": locked.number},
            body=text,
            link=common.office_link(locked),
        )
    return evaluation


def rehandling_due_date(proposal: Proposal, *, today: dt.date | None = None) -> dt.date | None:
    """The default deadline of a new round: the session's reply time in working days from today (none
    when the session does not use time limits)."""
    if not proposal.session.control_time_limit:
        return None
    return workdays.add_working_days(today or timezone.localdate(), proposal.session.reply_working_days)


def _offices(lead_id: Any, assist_ids: Iterable[Any], *, co_handling: bool) -> tuple[Any, list[Any]]:
    """The round's lead office and assisting offices, checked: the lead is required and in use; assisting
    offices only when the session uses 主办/协办; no office twice."""
    if not lead_id:
        raise ValidationError({"lead_office": _("Choose the lead office (主办) of the new round.")})
    assist_ids = [int(pk) for pk in assist_ids if pk]
    if assist_ids and not co_handling:
        raise ValidationError(
            {"assist_offices": _("This session does not use assisting offices (协办): leave them empty.")}
        )
    try:
        lead_pk = int(lead_id)
    except (TypeError, ValueError):
        raise ValidationError({"lead_office": _("Choose the lead office (主办) from the list.")}) from None
    if lead_pk in assist_ids:
        raise ValidationError(
            {
                "assist_offices": _(
                    "The lead office cannot assist as well: untick it among the assisting offices."
                )
            }
        )
    offices = selectors_offices.offices_by_ids([lead_pk, *assist_ids])
    lead = offices.get(lead_pk)
    if lead is None or not lead.is_active:
        raise ValidationError({"lead_office": _("Choose the lead office (主办) from the offices in use.")})
    assists = []
    for pk in dict.fromkeys(assist_ids):
        office = offices.get(pk)
        if office is None or not office.is_active:
            raise ValidationError({"assist_offices": _("Choose assisting offices from the offices in use.")})
        assists.append(office)
    return lead, assists


@transaction.atomic
def unsatisfied_decide(
    *,
    actor: Any,
    proposal: Proposal,
    decision: str,
    note: str = "",
    lead_office: Any = None,
    assist_offices: Iterable[Any] = (),
    due_date: dt.date | None = None,
    implementation: str = "",
) -> Proposal:
    """The committee's review of a 不满意 rating: ``rehandle`` (重新办理: round + 1, the offices given — by
    default the last round's — each with a new 退办 window, status ASSIGNED, the deadline given or the
    session's working days from today, none when the session does not use time limits; refused beyond
    ``session.max_rehandling_rounds``) or ``close``
    (办结 with the explanation, optionally setting the implementation status, e.g. C)."""
    locked = common.proposal_lock(proposal.pk)
    common.require_status(locked, Status.UNSATISFIED)
    session = locked.session
    today = timezone.localdate()
    if decision == REHANDLE:
        if selectors.rounds_left(locked) <= 0:
            raise ValidationError(
                _(
                    "This proposal has been re-handled %(done)s time(s); the session allows %(max)s. Close it "
                    "with an explanation instead."
                )
                % {"done": locked.round - 1, "max": session.max_rehandling_rounds},
                code="rounds",
            )
        previous = selectors.round_assignments(locked)
        if lead_office is None:
            last_lead = next((a for a in previous if a.role == Assignment.Role.LEAD), None)
            lead_office = last_lead.office_id if last_lead else None
            if not assist_offices and session.control_co_handling:
                assist_offices = [a.office_id for a in previous if a.role == Assignment.Role.ASSIST]
        lead_id = getattr(lead_office, "pk", lead_office)
        assist_ids = [getattr(office, "pk", office) for office in assist_offices]
        lead, assists = _offices(lead_id, assist_ids, co_handling=session.control_co_handling)
        if due_date is not None and not session.control_time_limit:
            raise ValidationError(
                {
                    "due_date": _(
                        "This session does not use time limits (限时办结): leave the new deadline empty."
                    )
                }
            )
        if due_date is not None and due_date <= today:
            raise ValidationError({"due_date": _("The new deadline must be after today.")})
        due = due_date or rehandling_due_date(locked, today=today)
        note = (note or "").strip()

        Assignment.objects.filter(
            proposal=locked, round=locked.round, status=Assignment.Status.ACTIVE
        ).update(status=Assignment.Status.ENDED)
        new_round = locked.round + 1
        now = timezone.now()
        return_until = workdays.add_working_days(today, session.return_working_days)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    proposal=locked,
                    office=office,
                    role=role,
                    round=new_round,
                    assigned_at=now,
                    assigned_by=actor,
                    return_until=return_until,
                )
                for office, role in [(lead, Assignment.Role.LEAD)]
                + [(office, Assignment.Role.ASSIST) for office in assists]
            ]
        )
        before = {"round": locked.round, "due_date": locked.due_date, "status": locked.status}
        locked.round = new_round
        locked.status = Status.ASSIGNED
        locked.assigned_at = now
        locked.due_date = due
        locked.save(update_fields=["round", "status", "assigned_at", "due_date", "updated_at"])
        offices_text = ", ".join([lead.name, *(office.name for office in assists)])
        text = _("Round %(round)s: %(offices)s.") % {"round": new_round, "offices": offices_text}
        if due:
            text += " " + _("Reply due %(date)s.") % {"date": due.isoformat()}
        if note:
            text += f"\n{note}"
        common.event_add(locked, Kind.REHANDLING, actor=actor, text=text)
        audit(
            actor=actor,
            action="proposals.proposal.rehandling",
            target=locked,
            changes={
                "round": [before["round"], new_round],
                "status": [before["status"], Status.ASSIGNED.value],
                "due_date": [before["due_date"], due],
                "lead_office": lead.name,
                "assist_offices": [office.name for office in assists],
                "note": note,
            },
        )
        common.notify(
            selectors.office_users([lead.pk, *(office.pk for office in assists)]),
            kind="proposals.rehandling",
            title=_("Proposal %(number)s is to be handled again (重新办理)") % {"number": locked.number},
            body=text,
            link=common.office_link(locked),
        )
        common.notify(
            selectors.signer_users(locked),
            kind="proposals.rehandling",
            title=_("Your proposal %(number)s is being handled again") % {"number": locked.number},
            body=text,
            link=common.portal_link(locked),
        )
        return locked

    if decision == CLOSE:
        note = common.require_text(
            note,
            field="note",
            message=_(
                "Write the explanation for the proposer: why the proposal is closed without re-handling."
            ),
        )
        if implementation and implementation not in Proposal.Implementation.values:
            raise ValidationError({"implementation": _("Choose A, B or C as the implementation status.")})
        return _close(
            locked,
            actor=actor,
            note=note,
            implementation=implementation,
            action="proposals.proposal.closed_unsatisfied",
        )

    raise ValidationError({"decision": _("Choose re-handling (重新办理) or closing with an explanation.")})


def _close(locked: Proposal, *, actor: Any, note: str, implementation: str, action: str) -> Proposal:
    before = {"status": locked.status, "implementation": locked.implementation}
    locked.status = Status.CLOSED
    locked.closed_at = timezone.now()
    locked.closing_note = note
    fields = ["status", "closed_at", "closing_note", "updated_at"]
    if implementation:
        locked.implementation = implementation
        fields.append("implementation")
    locked.save(update_fields=fields)
    common.event_add(locked, Kind.CLOSED, actor=actor, text=note)
    audit(
        actor=actor,
        action=action,
        target=locked,
        changes={
            "status": [before["status"], Status.CLOSED.value],
            "implementation": [before["implementation"], locked.implementation],
            "note": note,
        },
    )
    common.notify(
        selectors.signer_users(locked),
        kind="proposals.closed",
        title=_("Your proposal %(number)s is closed (办结)") % {"number": locked.number},
        body=note,
        link=common.portal_link(locked),
    )
    lead = selectors.round_lead(locked)
    if lead is not None:
        common.notify(
            selectors.office_users([lead.office_id]),
            kind="proposals.closed",
            title=_("Proposal %(number)s is closed (办结)") % {"number": locked.number},
            body=note,
            link=common.office_link(locked),
        )
    return locked


@transaction.atomic
def proposal_close(*, actor: Any, proposal: Proposal, note: str) -> Proposal:
    """Close a replied proposal whose proposer has not rated the reply (a paper rating, a proposer who
    left, or the rating period is over), with a note saying why."""
    locked = common.proposal_lock(proposal.pk)
    common.require_status(locked, Status.REPLIED)
    note = common.require_text(
        note,
        field="note",
        message=_("Write a note: why the proposal is closed without the proposer's rating."),
    )
    if not Reply.objects.filter(proposal=locked, round=locked.round, status=Reply.Status.RELEASED).exists():
        raise ValidationError(_("There is no released reply in this round; it cannot be closed yet."))
    return _close(
        locked, actor=actor, note=note, implementation="", action="proposals.proposal.closed_unrated"
    )
