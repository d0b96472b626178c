"""Supervision colours (红黄绿灯) of a proposal being handled, computed at read time so nothing goes stale
when the daily job did not run: green — more than the session's warning days left; yellow — the deadline
is within that many working days; red — past the deadline and not replied. No colour when the session
does not use time limits, or when the proposal is not waiting for its office."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core import workdays

from ..models import Proposal

GREEN, YELLOW, RED = "green", "yellow", "red"
LABELS = {GREEN: _("On track"), YELLOW: _("Due soon"), RED: _("Overdue")}
# Waiting for the office: the clock runs.
RUNNING = (Proposal.Status.ASSIGNED, Proposal.Status.REPLY_SIGNOFF)


def colour_of(
    *,
    status: str,
    due_date: dt.date | None,
    warning_days: int,
    today: dt.date | None = None,
    days_left: int | None = None,
) -> str:
    """The colour of one proposal; ``days_left`` (working days from today to the deadline) may be given
    when the caller computed it for many proposals at once."""
    if status not in RUNNING or due_date is None:
        return ""
    today = today or timezone.localdate()
    if due_date < today:
        return RED
    if days_left is None:
        days_left = workdays.working_days_between(today, due_date)
    return YELLOW if days_left <= warning_days else GREEN


def proposal_colour(proposal: Proposal, *, today: dt.date | None = None) -> str:
    session = proposal.session
    if not session.control_time_limit:
        return ""
    return colour_of(
        status=proposal.status,
        due_date=proposal.due_date,
        warning_days=session.warning_working_days,
        today=today,
    )


def colours_for(proposals: list[Proposal], *, today: dt.date | None = None) -> dict[int, str]:
    """Colours of a page of proposals with one calendar query (not one per row)."""
    today = today or timezone.localdate()
    dues = [p.due_date for p in proposals if p.due_date and p.status in RUNNING and p.due_date >= today]
    exceptions = workdays.exceptions_between(today, max(dues)) if dues else {}
    result: dict[int, str] = {}
    for proposal in proposals:
        if not proposal.session.control_time_limit:
            result[proposal.pk] = ""
            continue
        days_left = None
        if proposal.due_date and proposal.due_date >= today:
            days_left = workdays.count_between(today, proposal.due_date, exceptions)
        result[proposal.pk] = colour_of(
            status=proposal.status,
            due_date=proposal.due_date,
            warning_days=proposal.session.warning_working_days,
            today=today,
            days_left=days_left,
        )
    return result
