"""Reads of the console's proposal pages: the committee's list (tabs by status, filters, supervision
colours), a proposal's parts for its detail pages, the handling offices' work list and the leaders'
queue. Each list is one query for its rows plus one for its tab counts and one calendar read for the
colours of the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smartunion.core import workdays
from smartunion.organisations import selectors_offices

from ..models import (
    Assignment,
    Attachment,
    Category,
    Evaluation,
    Instruction,
    Proposal,
    ProposalEvent,
    Reply,
    Session,
    Signer,
)
from . import access, sla

Status = Proposal.Status


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    statuses: tuple[str, ...]


CONSOLE_TABS = [
    Tab("review", _("To review (待审查)"), (Status.SUBMITTED,)),
    Tab("assign", _("To assign (待交办)"), (Status.ACCEPTED,)),
    Tab("handling", _("Being handled (办理中)"), (Status.ASSIGNED, Status.REPLY_SIGNOFF)),
    Tab("evaluation", _("Awaiting rating (待评价)"), (Status.REPLIED,)),
    Tab("unsatisfied", _("Unsatisfied (不满意)"), (Status.UNSATISFIED,)),
    Tab("closed", _("Closed (办结)"), (Status.CLOSED,)),
    Tab("other", _("Not accepted, merged, withdrawn"), (Status.REJECTED, Status.MERGED, Status.WITHDRAWN)),
    Tab("all", _("All"), ()),
]
CONSOLE_TAB_KEYS = [tab.key for tab in CONSOLE_TABS]
# The tabs whose count is work waiting for the committee (shown as a warning badge).
CONSOLE_WAITING = ("review", "assign", "unsatisfied")


def _tab(tabs: list[Tab], key: str) -> Tab:
    return next((tab for tab in tabs if tab.key == key), tabs[-1])


def _by_status(queryset: QuerySet[Any], field: str) -> dict[str, int]:
    """Rows per status (one grouped query)."""
    return {row[field]: row["n"] for row in queryset.order_by().values(field).annotate(n=Count("id"))}


def _lead_office_name() -> Subquery:
    """The name of the proposal's lead office in its current round (empty when it has none)."""
    return Subquery(
        Assignment.objects.filter(
            proposal=OuterRef("pk"),
            round=OuterRef("round"),
            role=Assignment.Role.LEAD,
            status=Assignment.Status.ACTIVE,
        ).values("office__name")[:1]
    )


# -- supervision colours in SQL (filter) and in Python (display) ---------------------------------------


def colour_q(colour: str, today: dt.date | None = None) -> Q:
    """The proposals of one supervision colour, as a filter: red — past the deadline; yellow — due within
    the session's warning days (in working days); green — later. Sessions without time limits have no
    colour. One calendar read per session (a handful)."""
    today = today or timezone.localdate()
    running = Q(status__in=sla.RUNNING, due_date__isnull=False, session__control_time_limit=True)
    if colour == sla.RED:
        return running & Q(due_date__lt=today)
    if colour not in (sla.YELLOW, sla.GREEN):
        return Q()
    result = Q(pk__in=[])
    warnings = (
        Session.objects.filter(control_time_limit=True)
        .values_list("warning_working_days", flat=True)
        .distinct()
    )
    for warning in warnings:
        # days_left ≤ warning  ⇔  the deadline comes before the (warning + 1)-th working day from today
        limit = workdays.add_working_days(today, warning + 1)
        in_band = (
            Q(due_date__gte=today, due_date__lt=limit) if colour == sla.YELLOW else Q(due_date__gte=limit)
        )
        result |= Q(session__warning_working_days=warning) & in_band
    return running & result


def colour_reader(today: dt.date | None = None) -> Callable[[Proposal], str]:
    """A function giving any proposal's colour, reading the calendar once (on first use) for all of them:
    for pages and exports of any length."""
    today = today or timezone.localdate()
    cache: dict[str, dict[dt.date, bool]] = {}

    def colour(proposal: Proposal) -> str:
        if not proposal.session.control_time_limit:
            return ""
        due = proposal.due_date
        days_left = None
        if due is not None and due >= today and proposal.status in sla.RUNNING:
            if "exceptions" not in cache:
                cache["exceptions"] = workdays.exceptions_between(today, today + dt.timedelta(days=3 * 366))
            days_left = workdays.count_between(today, due, cache["exceptions"])
        return sla.colour_of(
            status=proposal.status,
            due_date=due,
            warning_days=proposal.session.warning_working_days,
            today=today,
            days_left=days_left,
        )

    return colour


# -- the committee's list ------------------------------------------------------------------------------


def console_list(
    *,
    user: Any,
    tab: str = "all",
    session: Session | None = None,
    record_type: str = "",
    category: Category | None = None,
    office: Any = None,
    colour: str = "",
    search: str = "",
) -> QuerySet[Proposal]:
    proposals = access.console_queryset(user).annotate(lead_office_name=_lead_office_name())
    statuses = _tab(CONSOLE_TABS, tab).statuses
    if statuses:
        proposals = proposals.filter(status__in=statuses)
    if session is not None:
        proposals = proposals.filter(session=session)
    if record_type:
        proposals = proposals.filter(record_type=record_type)
    if category is not None:
        proposals = proposals.filter(Q(category=category) | Q(category__parent=category))
    if office is not None:
        assigned = Assignment.objects.filter(office=office).values("proposal_id")
        proposals = proposals.filter(
            Q(pk__in=assigned) | Q(suggested_office=office, assigned_at__isnull=True)
        )
    if colour:
        proposals = proposals.filter(colour_q(colour))
    search = (search or "").strip()
    if search:
        proposals = proposals.filter(
            Q(number__icontains=search)
            | Q(title__icontains=search)
            | Q(proposer__person__name__icontains=search)
            | Q(delegation__name__icontains=search)
        )
    return proposals


def console_counts(*, user: Any) -> dict[str, int]:
    """Proposals per tab (one query)."""
    by_status = _by_status(access.console_queryset(user), "status")
    counts = {tab.key: sum(by_status.get(status, 0) for status in tab.statuses) for tab in CONSOLE_TABS}
    counts["all"] = sum(by_status.values())
    return counts


def filter_choices() -> dict[str, Any]:
    return {
        "sessions": Session.objects.select_related("congress").order_by("-congress__number", "-number"),
        # Each major class followed by its subclasses.
        "categories": Category.objects.select_related("parent")
        .annotate(
            group_order=Coalesce("parent__sort_order", "sort_order"),
            group_name=Coalesce("parent__name", "name"),
        )
        .order_by("group_order", "group_name", F("parent").asc(nulls_first=True), "sort_order", "name"),
        "offices": selectors_offices.office_list(active_only=False),
    }


# -- one proposal's parts --------------------------------------------------------------------------------


def assignment_state(assignment: Assignment, proposal: Proposal) -> str:
    """What an assignment's status reads as: an active assignment of the current round whose reply has been
    released reads "Replied (已答复)", not "Handling"."""
    if (
        assignment.status == Assignment.Status.ACTIVE
        and assignment.round == proposal.round
        and proposal.status in ANSWERED
    ):
        return str(_("Replied (已答复)"))
    return str(assignment.get_status_display())


def proposal_parts(proposal: Proposal, *, public_only: bool = False) -> dict[str, Any]:
    """Everything the detail pages show besides the proposal itself, one query per part."""
    events = ProposalEvent.objects.filter(proposal=proposal).select_related("actor")
    if public_only:
        events = events.filter(is_public=True)
    assignments = list(
        Assignment.objects.filter(proposal=proposal)
        .select_related("office__leader", "assigned_by", "returned_by", "input_by")
        .order_by("round", "-role", "id")
    )
    rounds: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        setattr(assignment, "state_label", assignment_state(assignment, proposal))  # noqa: B010
        rounds.setdefault(assignment.round, []).append(assignment)
    replies = list(
        Reply.objects.filter(proposal=proposal)
        .select_related("office", "written_by", "signoff_by")
        .prefetch_related(
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("representative__person").order_by(
                    "-is_proposer", "id"
                ),
            )
        )
        .order_by("round")
    )
    return {
        "signers": list(
            Signer.objects.filter(proposal=proposal)
            .select_related("representative__person", "representative__delegation")
            .order_by("role", "invited_at", "id")
        ),
        "attachments": list(
            Attachment.objects.filter(proposal=proposal).defer("content").select_related("uploaded_by")
        ),
        "events": list(events.order_by("created_at", "id")),
        "assignments": assignments,
        "rounds": sorted(rounds.items()),
        "current_assignments": [
            a for a in assignments if a.round == proposal.round and a.status == Assignment.Status.ACTIVE
        ],
        "instructions": list(Instruction.objects.filter(proposal=proposal).select_related("leader")),
        "replies": replies,
        "current_reply": next((r for r in replies if r.round == proposal.round), None),
        "merged_proposals": list(
            Proposal.objects.filter(merged_into=proposal).only("pk", "number", "title", "status")
        ),
    }


def attachment_get_for_console(*, user: Any, pk: Any) -> Attachment:
    """An attachment of a proposal the user may open in the console, as a handling office or as a leader
    (404 for any other)."""
    try:
        attachment = Attachment.objects.get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    for queryset in (access.console_queryset, access.office_queryset, access.leader_queryset):
        if queryset(user).filter(pk=attachment.proposal_id).exists():
            return attachment
    raise Http404


# -- the handling offices' list ---------------------------------------------------------------------------


# Once the reply is released the round's assignments stay ACTIVE (a new round, 重新办理, ends them), but
# for the offices the proposal is answered: listed under 已答复, never as work still running.
ANSWERED = (Status.REPLIED, Status.UNSATISFIED, Status.CLOSED)

OFFICE_TABS = [
    Tab("todo", _("To do (待办)"), (Status.ASSIGNED,)),
    Tab("signoff", _("Awaiting sign-off (待审签)"), (Status.REPLY_SIGNOFF,)),
    Tab("replied", _("Replied (已答复)"), ANSWERED),
    Tab("all", _("All"), ()),
]
OFFICE_TAB_KEYS = [tab.key for tab in OFFICE_TABS]


def _office_rows(user: Any) -> QuerySet[Assignment]:
    office_ids = (
        selectors_offices.office_ids_of_user(user) if user.has_unit_perm("proposals.handle") else set()
    )
    return Assignment.objects.filter(office_id__in=office_ids).select_related(
        "office", "proposal__session__congress", "proposal__category__parent", "proposal__proposer__person"
    )


def office_assignments(*, user: Any, tab: str = "todo", search: str = "") -> QuerySet[Assignment]:
    """The user's offices' assignments: the current round's active ones by the proposal's status, or every
    assignment ever made to them (the "all" tab, returned ones too)."""
    rows = _office_rows(user)
    current = _tab(OFFICE_TABS, tab)
    if current.statuses:
        rows = rows.filter(
            status=Assignment.Status.ACTIVE, round=F("proposal__round"), proposal__status__in=current.statuses
        )
    search = (search or "").strip()
    if search:
        rows = rows.filter(Q(proposal__number__icontains=search) | Q(proposal__title__icontains=search))
    return rows


def office_counts(*, user: Any) -> dict[str, int]:
    rows = _office_rows(user)
    active = rows.filter(status=Assignment.Status.ACTIVE, round=F("proposal__round"))
    by_status = _by_status(active, "proposal__status")
    counts = {tab.key: sum(by_status.get(status, 0) for status in tab.statuses) for tab in OFFICE_TABS}
    counts["all"] = rows.count()
    return counts


# -- the leaders' queue -----------------------------------------------------------------------------------


LEADER_TABS = [
    Tab("signoff", _("To sign off (待审签)"), (Status.REPLY_SIGNOFF,)),
    Tab("handling", _("Being handled (办理中)"), (Status.ASSIGNED,)),
    Tab("replied", _("Replied (已答复)"), (Status.REPLIED, Status.UNSATISFIED, Status.CLOSED)),
    Tab("all", _("All"), ()),
]
LEADER_TAB_KEYS = [tab.key for tab in LEADER_TABS]


def _led_now(user: Any) -> Q:
    """Proposals whose lead office in the current round the user supervises."""
    office_ids = selectors_offices.office_ids_supervised_by(user)
    current = Assignment.objects.filter(
        office_id__in=office_ids,
        role=Assignment.Role.LEAD,
        status=Assignment.Status.ACTIVE,
        round=OuterRef("round"),
        proposal=OuterRef("pk"),
    )
    return Q(Exists(current))


def leader_list(*, user: Any, tab: str = "signoff", search: str = "") -> QuerySet[Proposal]:
    proposals = access.leader_queryset(user).annotate(
        lead_office_name=_lead_office_name(), instruction_count=Count("instructions", distinct=True)
    )
    current = _tab(LEADER_TABS, tab)
    if current.statuses:
        proposals = proposals.filter(_led_now(user), status__in=current.statuses)
    search = (search or "").strip()
    if search:
        proposals = proposals.filter(Q(number__icontains=search) | Q(title__icontains=search))
    return proposals


def leader_counts(*, user: Any) -> dict[str, int]:
    base = access.leader_queryset(user)
    by_status = _by_status(base.filter(_led_now(user)), "status")
    counts = {tab.key: sum(by_status.get(status, 0) for status in tab.statuses) for tab in LEADER_TABS}
    counts["all"] = base.count()
    return counts
