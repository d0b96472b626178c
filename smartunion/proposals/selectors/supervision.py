"""The supervision board (督办): proposals waiting for their office, with their SLA colour computed at read
time (``sla``), counted by lead office, the overdue list with how far each has been escalated, and the
candidates of the daily reminders. Every page reads a bounded number of queries: the proposals (one), their
current lead offices (one), the reminders already sent (one), the calendar (one)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from smartunion.core import workdays

from ..models import Assignment, FollowUp, Proposal, Reminder, Session
from . import sla

Status = Proposal.Status
COLOURS = (sla.RED, sla.YELLOW, sla.GREEN)
NO_COLOUR = "none"


def sessions() -> list[Session]:
    return list(Session.objects.select_related("congress").order_by("-congress__number", "-number"))


def escalation_days(*, session_id: int | None = None) -> list[int]:
    """The working days overdue after which the sessions under 督办 (the one chosen, else all) escalate a
    proposal to the office head and its 分管校领导: usually one value (one query)."""
    sessions = Session.objects.filter(control_supervision=True, control_time_limit=True)
    if session_id:
        sessions = sessions.filter(pk=session_id)
    return sorted(set(sessions.values_list("escalate_after_working_days", flat=True)))


def running_queryset(*, session_id: int | None = None) -> QuerySet[Proposal]:
    """Proposals whose clock runs (assigned, reply awaiting sign-off), with what the board shows."""
    proposals = Proposal.objects.filter(status__in=sla.RUNNING).select_related(
        "session__congress", "proposer__person", "category__parent"
    )
    if session_id:
        proposals = proposals.filter(session_id=session_id)
    active = (
        Assignment.objects.filter(status=Assignment.Status.ACTIVE)
        .select_related("office")
        .order_by("-role", "id")
    )
    return proposals.prefetch_related(
        Prefetch("assignments", queryset=active, to_attr="active_assignments"),
        Prefetch("reminders", queryset=Reminder.objects.order_by("sent_at"), to_attr="sent_reminders"),
    ).order_by("due_date", "pk")


@dataclass
class Row:
    proposal: Proposal
    colour: str
    lead: Any  # HandlingOffice | None
    assists: list[Any]
    overdue_days: int  # working days past the deadline (0 when not overdue)
    days_left: int | None  # working days left (None when overdue or no deadline)
    reminded: bool
    escalated: bool

    @property
    def escalation(self) -> str:
        if self.escalated:
            return "escalated"
        if self.reminded:
            return "reminded"
        return ""


@dataclass
class OfficeCount:
    office_id: int | None
    name: str
    red: int = 0
    yellow: int = 0
    green: int = 0
    none: int = 0

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.green + self.none


@dataclass
class Board:
    rows: list[Row]
    offices: list[OfficeCount]
    totals: dict[str, int] = field(default_factory=dict)


def _rows(proposals: list[Proposal], *, today: dt.date) -> list[Row]:
    dues = [p.due_date for p in proposals if p.due_date]
    low = min([today, *dues]) if dues else today
    high = max([today, *dues]) if dues else today
    exceptions = workdays.exceptions_between(low, high) if dues else {}
    rows = []
    for proposal in proposals:
        current = [a for a in getattr(proposal, "active_assignments", []) if a.round == proposal.round]
        lead = next((a.office for a in current if a.role == Assignment.Role.LEAD), None)
        assists = [a.office for a in current if a.role == Assignment.Role.ASSIST]
        days_left = overdue = None
        if proposal.due_date and proposal.session.control_time_limit:
            counted = workdays.count_between(today, proposal.due_date, exceptions)
            if proposal.due_date < today:
                overdue = max(-counted, 0)
            else:
                days_left = counted
        colour = (
            sla.colour_of(
                status=proposal.status,
                due_date=proposal.due_date,
                warning_days=proposal.session.warning_working_days,
                today=today,
                days_left=days_left,
            )
            if proposal.session.control_time_limit
            else ""
        )
        kinds = {r.kind for r in getattr(proposal, "sent_reminders", []) if r.round == proposal.round}
        rows.append(
            Row(
                proposal=proposal,
                colour=colour,
                lead=lead,
                assists=assists,
                overdue_days=overdue or 0,
                days_left=days_left,
                reminded=bool(kinds & {Reminder.Kind.OVERDUE, Reminder.Kind.BEFORE_DUE}),
                escalated=Reminder.Kind.ESCALATED in kinds,
            )
        )
    return rows


def board(*, session_id: int | None = None, today: dt.date | None = None) -> Board:
    """Every running proposal with its colour, and the counts by lead office (reds first)."""
    today = today or timezone.localdate()
    rows = _rows(list(running_queryset(session_id=session_id)), today=today)
    by_office: dict[int | None, OfficeCount] = {}
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        key = row.lead.pk if row.lead else None
        count = by_office.get(key)
        if count is None:
            count = by_office[key] = OfficeCount(key, row.lead.name if row.lead else "—")
        colour = row.colour or NO_COLOUR
        setattr(count, colour, getattr(count, colour) + 1)
        totals[colour] += 1
    offices = sorted(by_office.values(), key=lambda c: (-c.red, -c.yellow, -c.total, c.name))
    return Board(rows=rows, offices=offices, totals=dict(totals))


def filter_rows(rows: list[Row], *, colour: str = "", office_id: int | None = None) -> list[Row]:
    result = rows
    if colour in COLOURS:
        result = [row for row in result if row.colour == colour]
    elif colour == NO_COLOUR:
        result = [row for row in result if not row.colour]
    if office_id:
        result = [row for row in result if row.lead is not None and row.lead.pk == office_id]
    # Overdue first (longest first), then the nearest deadline.
    order = {sla.RED: 0, sla.YELLOW: 1, sla.GREEN: 2, "": 3}
    return sorted(
        result,
        key=lambda row: (order.get(row.colour, 3), -row.overdue_days, row.proposal.due_date or dt.date.max),
    )


def awaiting_counts(*, session_id: int | None = None) -> dict[str, int]:
    """How many proposals wait for assignment, for the proposer's rating, and for the committee's review
    of a 不满意 (shown beside the board)."""
    proposals = Proposal.objects.all()
    if session_id:
        proposals = proposals.filter(session_id=session_id)
    rows = dict(
        proposals.filter(status__in=(Status.ACCEPTED, Status.REPLIED, Status.UNSATISFIED))
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return {key: rows.get(key, 0) for key in (Status.ACCEPTED, Status.REPLIED, Status.UNSATISFIED)}


# -- the year-end 回头看 --------------------------------------------------------------------------------

FOLLOWUP_COVERED = (Status.REPLIED, Status.CLOSED)


def _with_followups(proposals: QuerySet[Proposal]) -> QuerySet[Proposal]:
    lead = (
        Assignment.objects.filter(role=Assignment.Role.LEAD)
        .exclude(status=Assignment.Status.RETURNED)
        .select_related("office")
        .order_by("round", "id")
    )
    return proposals.select_related("session__congress", "proposer__person").prefetch_related(
        Prefetch("assignments", queryset=lead, to_attr="lead_assignments"),
        Prefetch(
            "followups", queryset=FollowUp.objects.order_by("-submitted_at", "-id"), to_attr="followup_list"
        ),
    )


def current_lead(proposal: Proposal) -> Any:
    """The lead office of the proposal's current round from a ``_with_followups`` prefetch."""
    leads = [a for a in getattr(proposal, "lead_assignments", []) if a.round == proposal.round]
    return leads[-1].office if leads else None


def followup_covered(*, session_id: int) -> QuerySet[Proposal]:
    """The proposals of the session a 回头看 covers (replied or closed), by number."""
    return _with_followups(
        Proposal.objects.filter(session_id=session_id, status__in=FOLLOWUP_COVERED).order_by("number", "pk")
    )


def followup_pending(*, session_id: int | None = None) -> list[FollowUp]:
    """Reports awaiting the committee's confirmation, oldest first."""
    rows = FollowUp.objects.filter(status=FollowUp.Status.SUBMITTED).select_related(
        "proposal__session", "office", "submitted_by"
    )
    if session_id:
        rows = rows.filter(proposal__session_id=session_id)
    return list(rows.order_by("submitted_at", "id"))


def followup_counts(*, session_id: int) -> dict[str, int]:
    """How many proposals the 回头看 covers, how many were reported on and confirmed (one query each)."""
    covered = Proposal.objects.filter(session_id=session_id, status__in=FOLLOWUP_COVERED)
    reported = FollowUp.objects.filter(proposal__in=covered)
    return {
        "covered": covered.count(),
        "reported": reported.values("proposal_id").distinct().count(),
        "confirmed": reported.filter(status=FollowUp.Status.CONFIRMED)
        .values("proposal_id")
        .distinct()
        .count(),
        "pending": reported.filter(status=FollowUp.Status.SUBMITTED).count(),
    }


def followup_for_office(*, user: Any, office_ids: set[int]) -> QuerySet[Proposal]:
    """The proposals an office user reports on now: answered, of a session whose 回头看 is open, led by
    one of the user's offices in the current round."""
    if not office_ids:
        return Proposal.objects.none()
    led = Assignment.objects.filter(
        office_id__in=office_ids, role=Assignment.Role.LEAD, round=OuterRef("round"), proposal=OuterRef("pk")
    ).exclude(status=Assignment.Status.RETURNED)
    return _with_followups(
        Proposal.objects.filter(status__in=FOLLOWUP_COVERED, session__followup_open=True)
        .filter(Exists(led))
        .order_by("session_id", "number", "pk")
    )
