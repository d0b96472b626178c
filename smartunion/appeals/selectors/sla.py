"""SLA colours of an appeal with its office, computed at read time so nothing goes stale when the daily job
did not run: red — past a deadline that applies now; yellow — the acknowledgement is due within one working
day or the reply within two (an appeal routed a moment ago, with two working days to acknowledge it, is
green); green — more time left; no colour when the appeal is not waiting for its office.

The deadline that applies depends on the status: a routed appeal waits for its acknowledgement (and its
reply deadline runs too); an appeal being handled or reopened waits for its reply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core import workdays

from ..models import Appeal

Status = Appeal.Status
GREEN, YELLOW, RED = "green", "yellow", "red"
LABELS = {GREEN: _("On track"), YELLOW: _("Due soon"), RED: _("Overdue")}
# Working days before a deadline from which it shows yellow: the acknowledgement (a short deadline) within
# one, the reply within two (when the office also gets its "reply due soon" reminder).
ACKNOWLEDGE_WARNING_WORKING_DAYS = 1
REPLY_WARNING_WORKING_DAYS = 2
# The office's clock runs in these statuses.
RUNNING = (Status.ROUTED, Status.IN_PROGRESS, Status.REOPENED)


def due_dates(appeal: Appeal) -> list[dt.date]:
    """The deadlines running for the appeal's status: acknowledgement and reply while routed, the reply
    while being handled or reopened; none otherwise."""
    if appeal.status == Status.ROUTED:
        dates = [appeal.acknowledge_due, appeal.reply_due]
    elif appeal.status in (Status.IN_PROGRESS, Status.REOPENED):
        dates = [appeal.reply_due]
    else:
        dates = []
    return [date for date in dates if date is not None]


def due_date(appeal: Appeal) -> dt.date | None:
    """The deadline the office works to now: the acknowledgement while routed, else the reply."""
    if appeal.status == Status.ROUTED:
        return appeal.acknowledge_due or appeal.reply_due
    if appeal.status in (Status.IN_PROGRESS, Status.REOPENED):
        return appeal.reply_due
    return None


def is_overdue(appeal: Appeal, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return any(date < today for date in due_dates(appeal))


def _deadlines(appeal: Appeal) -> list[tuple[dt.date, int]]:
    """The running deadlines (``due_dates``) with the working days before each from which it shows yellow."""
    rows = []
    if appeal.status == Status.ROUTED and appeal.acknowledge_due is not None:
        rows.append((appeal.acknowledge_due, ACKNOWLEDGE_WARNING_WORKING_DAYS))
    if appeal.status in RUNNING and appeal.reply_due is not None:
        rows.append((appeal.reply_due, REPLY_WARNING_WORKING_DAYS))
    return rows


def _colour(appeal: Appeal, today: dt.date, exceptions: dict[dt.date, bool] | None) -> str:
    deadlines = _deadlines(appeal)
    if not deadlines:
        return ""
    if any(date < today for date, _warning in deadlines):
        return RED
    if exceptions is None:
        exceptions = workdays.exceptions_between(today, max(date for date, _warning in deadlines))
    for date, warning in deadlines:
        if workdays.count_between(today, date, exceptions) <= warning:
            return YELLOW
    return GREEN


def sla_colour(appeal: Appeal, today: dt.date | None = None) -> str:
    """ "green", "yellow", "red" or "" (not waiting for the office)."""
    return _colour(appeal, today or timezone.localdate(), None)


def colours_for(appeals: Iterable[Appeal], *, today: dt.date | None = None) -> dict[int, str]:
    """Colours of a page of appeals with one calendar query (not one per row)."""
    appeals = list(appeals)
    today = today or timezone.localdate()
    dues = [date for appeal in appeals for date in due_dates(appeal) if date >= today]
    exceptions = workdays.exceptions_between(today, max(dues)) if dues else {}
    return {appeal.pk: _colour(appeal, today, exceptions) for appeal in appeals}


def colour_reader(today: dt.date | None = None) -> Callable[[Appeal], str]:
    """A function giving any appeal's colour, reading the calendar once (on first use) for all of them:
    for list pages and exports of any length."""
    today = today or timezone.localdate()
    cache: dict[str, dict[dt.date, bool]] = {}

    def colour(appeal: Appeal) -> str:
        if "exceptions" not in cache and any(date >= today for date in due_dates(appeal)):
            cache["exceptions"] = workdays.exceptions_between(today, today + dt.timedelta(days=3 * 366))
        return _colour(appeal, today, cache.get("exceptions", {}))

    return colour
