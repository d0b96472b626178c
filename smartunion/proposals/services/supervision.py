"""督办 (reference/domain.md §1.11): the committee's supervision notes and the daily reminders.

``reminders_send(today)`` is run daily (``manage.py proposals_reminders``). Each reminder is sent once per
proposal, round and kind — a ``Reminder`` row is the proof, so a second run the same day sends nothing and
a run after days of downtime sends what is due now (catching up, never twice):

* ``return_window`` — the last working day (or the one before) an office may return (退办) an assignment:
  the offices of the round;
* ``before_due`` — the reply is due within the session's warning working days: the offices of the round;
* ``overdue`` — past the deadline without a released reply: the offices of the round and the committee
  (a proposal found overdue at once gets no "due soon" any more);
* ``escalated`` — overdue by the session's ``escalate_after_working_days`` (default 5): the head of the
  lead office and its supervising school leader (分管校领导);
* ``evaluation`` — the reply was released the session's ``evaluation_reminder_working_days`` ago (default
  5) and the proposer has not rated it: the evaluators who have not.

Sessions with supervision (督办) switched off get no reminders at all; deadlines only when the session
uses time limits (限时办结), evaluation reminders only when it uses evaluation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core import workdays
from smartunion.core.audit import audit

from ..models import Assignment, Evaluation, Proposal, ProposalEvent, Reminder
from ..selectors import evaluation as eval_selectors
from . import common

Status = Proposal.Status
Kind = Reminder.Kind
RUNNING = (Status.ASSIGNED, Status.REPLY_SIGNOFF)
# 督办 notes are taken while the proposal is with the committee or the offices.
SUPERVISED = (Status.ACCEPTED, Status.ASSIGNED, Status.REPLY_SIGNOFF, Status.REPLIED, Status.UNSATISFIED)


@transaction.atomic
def supervision_note_add(
    *, actor: Any, proposal: Proposal, text: str, notify_office: bool = False
) -> ProposalEvent:
    """A 督办 note on the proposal's timeline (committee-only), optionally sent to the round's offices."""
    locked = common.proposal_lock(proposal.pk)
    if not locked.session.control_supervision:
        raise ValidationError(_("Supervision (督办) is switched off for this session."), code="off")
    common.require_status(locked, *SUPERVISED)
    text = common.require_text(text, field="text", message=_("Write the supervision note (督办意见)."))
    event = common.event_add(locked, ProposalEvent.Kind.SUPERVISION, actor=actor, text=text, is_public=False)
    office_ids = [a.office_id for a in eval_selectors.round_assignments(locked)]
    notified = bool(notify_office and office_ids)
    audit(
        actor=actor,
        action="proposals.supervision.noted",
        target=locked,
        changes={"note": text, "offices_notified": notified},
    )
    if notified:
        common.notify(
            eval_selectors.office_users(office_ids),
            kind="proposals.supervision",
            title=_("Supervision (督办) of proposal %(number)s") % {"number": locked.number},
            body=text,
            link=common.office_link(locked),
        )
    elif notify_office:
        raise ValidationError(
            {"notify_office": _("No office is handling this proposal now: untick “notify the office”.")}
        )
    return event


# Reminders that belong to a deadline: sent again for a new one.
DEADLINE_REMINDERS = (Kind.BEFORE_DUE, Kind.OVERDUE, Kind.ESCALATED)


@transaction.atomic
def deadline_extend(*, actor: Any, proposal: Proposal, due_date: dt.date | None, reason: str) -> Proposal:
    """The committee sets a new deadline for the reply of a proposal with the offices (being handled, or
    its reply awaiting sign-off) — the way out when the deadline passed in a session that locks late
    replies, or when an office needs more time. Only in sessions with time limits (限时办结); the date must
    be after today. The deadline's reminders of the round (due soon, overdue, escalated) are cleared so
    that they come again for the new date."""
    locked = common.proposal_lock(proposal.pk)
    common.require_status(locked, *RUNNING)
    if not locked.session.control_time_limit:
        raise ValidationError(
            _("This session does not use time limits (限时办结): a proposal has no deadline to change."),
            code="off",
        )
    reason = common.require_text(
        reason, field="reason", message=_("Write why the deadline changes: the office reads it.")
    )
    today = timezone.localdate()
    if due_date is None:
        raise ValidationError({"due_date": _("Choose the new deadline (a date after today).")})
    if due_date <= today:
        raise ValidationError({"due_date": _("The new deadline must be after today.")})
    before = locked.due_date
    locked.due_date = due_date
    locked.save(update_fields=["due_date", "updated_at"])
    cleared, _kinds = Reminder.objects.filter(
        proposal=locked, round=locked.round, kind__in=DEADLINE_REMINDERS
    ).delete()
    text = _("New deadline for the reply: %(date)s (was %(before)s). %(reason)s") % {
        "date": due_date.isoformat(),
        "before": before.isoformat() if before else "—",
        "reason": reason,
    }
    common.event_add(locked, ProposalEvent.Kind.SUPERVISION, actor=actor, text=text, is_public=False)
    audit(
        actor=actor,
        action="proposals.proposal.deadline_extended",
        target=locked,
        changes={"due_date": [before, due_date], "reason": reason, "reminders_cleared": cleared},
    )
    office_ids = [a.office_id for a in eval_selectors.round_assignments(locked)]
    common.notify(
        eval_selectors.office_users(office_ids),
        kind="proposals.deadline",
        title=_("Proposal %(number)s: the committee set a new deadline, %(date)s")
        % {"number": _number(locked), "date": due_date.isoformat()},
        body=reason,
        link=common.office_link(locked),
    )
    return locked


# -- the daily reminders ------------------------------------------------------------------------------


def _not_sent(kind: str) -> Exists:
    return Exists(Reminder.objects.filter(proposal=OuterRef("pk"), round=OuterRef("round"), kind=kind))


def _record_once(proposal: Proposal, kind: str, *, now: dt.datetime) -> bool:
    """Record the reminder; False when it was already sent (by an earlier or a concurrent run)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(proposal=proposal, round=proposal.round, kind=kind, sent_at=now)
    except IntegrityError:
        return False
    return True


def _office_ids(proposal: Proposal, *, lead_only: bool = False) -> list[int]:
    rows = Assignment.objects.filter(proposal=proposal, round=proposal.round, status=Assignment.Status.ACTIVE)
    if lead_only:
        rows = rows.filter(role=Assignment.Role.LEAD)
    return list(rows.values_list("office_id", flat=True))


def _number(proposal: Proposal) -> str:
    return proposal.number or proposal.title


def _candidates(*, kinds: tuple[str, ...], statuses: tuple[str, ...], **filters: Any) -> list[Proposal]:
    """Proposals of supervised sessions in ``statuses`` that have none of ``kinds`` sent in their round;
    ``filters`` are further lookups (``session__control_time_limit=True``, ``due_date__lt=…``)."""
    proposals = Proposal.objects.filter(status__in=statuses, session__control_supervision=True, **filters)
    for kind in kinds:
        proposals = proposals.filter(~_not_sent(kind))
    return list(proposals.select_related("session__congress").order_by("pk"))


def _send(
    proposal: Proposal,
    kind: str,
    *,
    now: dt.datetime,
    recipients: list[Any],
    title: str,
    body: str,
    link: str,
    event_kind: str = ProposalEvent.Kind.REMINDED,
) -> tuple[bool, int]:
    """Record one reminder and send it, in one transaction with the proposal locked: whether it was
    recorded now (False when it had been sent already, or the proposal moved on since it was read) and
    the number of people told."""
    with transaction.atomic():
        locked = common.proposal_lock(proposal.pk)
        if locked.status != proposal.status or locked.round != proposal.round:
            return False, 0
        if not _record_once(locked, kind, now=now):
            return False, 0
        common.event_add(locked, event_kind, text=f"{Kind(kind).label}: {title}", is_public=False)
        recipients = list({user.pk: user for user in recipients if user is not None}.values())
        common.notify(recipients, kind=f"proposals.{kind}", title=title, body=body, link=link)
        return True, len(recipients)


def _exceptions(proposals: list[Proposal], today: dt.date) -> dict[dt.date, bool]:
    """The calendar between today and the deadlines of these proposals (one query)."""
    dues = [p.due_date for p in proposals if p.due_date]
    if not dues:
        return {}
    return workdays.exceptions_between(min([today, *dues]), max([today, *dues]))


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send the reminders due on ``today`` (see the module docstring). Returns counts by kind and the
    number of notifications."""
    today = today or timezone.localdate()
    now = timezone.now()
    sent: Counter[str] = Counter()
    notified = 0

    def tally(kind: str, outcome: tuple[bool, int]) -> None:
        nonlocal notified
        sent[kind] += outcome[0]
        notified += outcome[1]

    # 退办 window ending: the last working day or the one before.
    for proposal in _candidates(kinds=(Kind.RETURN_WINDOW,), statuses=(Status.ASSIGNED,)):
        assignments = list(
            Assignment.objects.filter(
                proposal=proposal,
                round=proposal.round,
                status=Assignment.Status.ACTIVE,
                return_until__gte=today,
            )
        )
        until = max((a.return_until for a in assignments if a.return_until), default=None)
        if until is None or workdays.working_days_between(today, until) > 1:
            continue
        tally(
            Kind.RETURN_WINDOW,
            _send(
                proposal,
                Kind.RETURN_WINDOW,
                now=now,
                recipients=eval_selectors.office_users([a.office_id for a in assignments]),
                title=_("Proposal %(number)s: an assignment may be returned (退办) until %(date)s")
                % {"number": _number(proposal), "date": until.isoformat()},
                body=_(
                    "If the proposal is not your office's to handle, return it with a reason before then."
                ),
                link=common.office_link(proposal),
            ),
        )

    # Due soon (限时办结): within the session's warning working days.
    soon = _candidates(
        kinds=(Kind.BEFORE_DUE, Kind.OVERDUE),
        statuses=RUNNING,
        session__control_time_limit=True,
        due_date__gte=today,
    )
    exceptions = _exceptions(soon, today)
    for proposal in soon:
        assert proposal.due_date is not None
        left = workdays.count_between(today, proposal.due_date, exceptions)
        if left > proposal.session.warning_working_days:
            continue
        tally(
            Kind.BEFORE_DUE,
            _send(
                proposal,
                Kind.BEFORE_DUE,
                now=now,
                recipients=eval_selectors.office_users(_office_ids(proposal)),
                title=_("Proposal %(number)s: the reply is due on %(date)s")
                % {"number": _number(proposal), "date": proposal.due_date.isoformat()},
                body=_("%(days)s working day(s) left to release the reply.") % {"days": left},
                link=common.office_link(proposal),
            ),
        )

    # Overdue: the offices and the committee.
    overdue = _candidates(
        kinds=(Kind.OVERDUE,), statuses=RUNNING, session__control_time_limit=True, due_date__lt=today
    )
    committee = eval_selectors.committee_users() if overdue else []
    for proposal in overdue:
        assert proposal.due_date is not None
        tally(
            Kind.OVERDUE,
            _send(
                proposal,
                Kind.OVERDUE,
                now=now,
                recipients=[*eval_selectors.office_users(_office_ids(proposal)), *committee],
                title=_("Proposal %(number)s: the reply is overdue (due %(date)s)")
                % {"number": _number(proposal), "date": proposal.due_date.isoformat()},
                body=proposal.title,
                link=common.office_link(proposal),
            ),
        )

    # Escalation to the head of the lead office and its 分管校领导, after the session's working days.
    late = _candidates(
        kinds=(Kind.ESCALATED,), statuses=RUNNING, session__control_time_limit=True, due_date__lt=today
    )
    exceptions = _exceptions(late, today)
    for proposal in late:
        assert proposal.due_date is not None
        days = workdays.count_between(proposal.due_date, today, exceptions)
        if days < proposal.session.escalate_after_working_days:
            continue
        lead = eval_selectors.round_lead(proposal)
        recipients = eval_selectors.office_users(_office_ids(proposal, lead_only=True), heads_only=True)
        if lead is not None and lead.office.leader_id:
            recipients.append(lead.office.leader)
        tally(
            Kind.ESCALATED,
            _send(
                proposal,
                Kind.ESCALATED,
                now=now,
                recipients=recipients,
                title=_("Escalated: proposal %(number)s is %(days)s working days overdue")
                % {"number": _number(proposal), "days": days},
                body=proposal.title,
                link=common.office_link(proposal),
                event_kind=ProposalEvent.Kind.ESCALATED,
            ),
        )

    # The reply was released the session's working days ago and the proposer has not rated it.
    waiting = _candidates(
        kinds=(Kind.EVALUATION,),
        statuses=(Status.REPLIED,),
        session__control_evaluation=True,
        replied_at__isnull=False,
    )
    for proposal in waiting:
        assert proposal.replied_at is not None
        released = timezone.localtime(proposal.replied_at).date()
        if workdays.working_days_between(released, today) < proposal.session.evaluation_reminder_working_days:
            continue
        rated = set(
            Evaluation.objects.filter(proposal=proposal, round=proposal.round).values_list(
                "representative__person__user_id", flat=True
            )
        )
        recipients = [
            user
            for user in eval_selectors.signer_users(proposal, evaluators_only=True)
            if user.pk not in rated
        ]
        tally(
            Kind.EVALUATION,
            _send(
                proposal,
                Kind.EVALUATION,
                now=now,
                recipients=recipients,
                title=_("Please rate the reply to proposal %(number)s") % {"number": _number(proposal)},
                body=_(
                    "Your rating (满意 / 基本满意 / 不满意) closes the proposal or asks for it to be handled again."
                ),
                link=reverse("proposals:portal_evaluate", kwargs={"pk": proposal.pk}),
            ),
        )

    result = {kind: sent.get(kind, 0) for kind in Kind.values}
    result["notifications"] = notified
    if sum(sent.values()):
        audit(actor=None, action="proposals.reminders.sent", changes={**result, "date": today})
    return result
