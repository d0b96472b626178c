"""Reads for check-in and attendance: the activity in the officer's scope, live counts, the manual search,
the daily sheet, the month grid, training hours and the attendance export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from smartunion.core.permissions import get_in_scope

from ..models import Activity, Attendance, Kind, Participant, Registration

SHEET_KINDS = (Kind.CHILDCARE, Kind.TRAINING)


def activity_get_for_user(*, user: Any, pk: int, perm: str = "activities.checkin") -> Activity:
    """The activity if organised inside the user's scope for ``perm`` (404 otherwise)."""
    return get_in_scope(
        Activity.objects.select_related("organiser_unit"),
        user=user,
        perm=perm,
        unit_field="organiser_unit",
        pk=pk,
    )


def confirmed(activity: Activity) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(activity=activity, status=Registration.Status.CONFIRMED)
        .select_related("person", "unit")
        .prefetch_related("dependants")
        .order_by("unit__path", "person__staff_no")
    )


@dataclass(frozen=True)
class Counts:
    checked_in: int
    confirmed: int
    checked_out: int


def counts(activity: Activity) -> Counts:
    rows = Registration.objects.filter(activity=activity, status=Registration.Status.CONFIRMED)
    return Counts(
        checked_in=rows.filter(checked_in_at__isnull=False).count(),
        confirmed=rows.count(),
        checked_out=rows.filter(checked_out_at__isnull=False).count(),
    )


def search(activity: Activity, term: str, limit: int = 20) -> list[Registration]:
    """Confirmed registrations matching a name, staff number, name initials or the token."""
    term = (term or "").strip()
    if not term:
        return []
    condition = (
        Q(person__name__icontains=term)
        | Q(person__staff_no__iexact=term)
        | Q(person__name_initials__istartswith=term.lower())
        | Q(token=term)
    )
    return list(confirmed(activity).filter(condition)[:limit])


def uses_sheet(activity: Activity) -> bool:
    return activity.kind in SHEET_KINDS


def activity_days(activity: Activity) -> list[dt.date]:
    first = timezone.localtime(activity.starts_at).date()
    last = timezone.localtime(activity.ends_at).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def default_day(activity: Activity) -> dt.date:
    days = activity_days(activity)
    today = timezone.localdate()
    if today in days:
        return today
    return days[-1] if today > days[-1] else days[0]


@dataclass
class SheetRow:
    key: str  # "r<registration>" or "r<registration>-p<participant>"
    registration: Registration
    participant: Participant | None
    name: str
    attendance: Attendance | None = None

    @property
    def arrived(self) -> str:
        at = self.attendance.checked_in_at if self.attendance else None
        return timezone.localtime(at).strftime("%H:%M") if at else ""

    @property
    def left(self) -> str:
        at = self.attendance.checked_out_at if self.attendance else None
        return timezone.localtime(at).strftime("%H:%M") if at else ""

    @property
    def present(self) -> bool:
        return bool(self.attendance and self.attendance.present)


def sheet_rows(activity: Activity) -> list[SheetRow]:
    """The sheet's rows: each child of a 托管 registration, otherwise the member."""
    rows: list[SheetRow] = []
    for registration in confirmed(activity):
        children = list(registration.dependants.all())
        if children:
            for child in children:
                rows.append(SheetRow(f"r{registration.pk}-p{child.pk}", registration, child, child.name))
        else:
            rows.append(SheetRow(f"r{registration.pk}", registration, None, registration.person.name))
    return rows


def _key(registration_id: int, participant_id: int | None) -> str:
    return f"r{registration_id}" + (f"-p{participant_id}" if participant_id else "")


def sheet(activity: Activity, day: dt.date) -> list[SheetRow]:
    rows = sheet_rows(activity)
    marks = {
        _key(a.registration_id, a.participant_id): a
        for a in Attendance.objects.filter(registration__activity=activity, day=day)
    }
    for row in rows:
        row.attendance = marks.get(row.key)
    return rows


@dataclass
class MonthGrid:
    days: list[dt.date]
    rows: list[tuple[SheetRow, list[bool | None], int]] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)


def month_grid(activity: Activity, month: dt.date) -> MonthGrid:
    """Days of ``month`` that belong to the activity × participants: True present, False absent, None not
    recorded."""
    days = [d for d in activity_days(activity) if (d.year, d.month) == (month.year, month.month)]
    rows = sheet_rows(activity)
    marks: dict[tuple[str, dt.date], bool] = {
        (_key(a.registration_id, a.participant_id), a.day): a.present
        for a in Attendance.objects.filter(registration__activity=activity, day__in=days)
    }
    grid = MonthGrid(days=days)
    for row in rows:
        line = [marks.get((row.key, d)) for d in days]
        grid.rows.append((row, line, sum(1 for mark in line if mark)))
    grid.totals = [sum(1 for row in rows if marks.get((row.key, d))) for d in days]
    return grid


def months_of(activity: Activity) -> list[dt.date]:
    seen: list[dt.date] = []
    for day in activity_days(activity):
        first = day.replace(day=1)
        if first not in seen:
            seen.append(first)
    return seen


def days_present(registration: Registration) -> int:
    """Days on which the member (or at least one of their children) was present."""
    return Attendance.objects.filter(registration=registration, present=True).values("day").distinct().count()


def hours_of(registration: Registration) -> Decimal:
    """Training hours: days present × the activity's hours where a daily sheet is kept, otherwise the
    activity's hours once checked in."""
    hours = registration.activity.hours
    if not hours:
        return Decimal("0")
    days = days_present(registration)
    if days:
        return hours * days
    return hours if registration.checked_in_at else Decimal("0")


def export_rows(activity: Activity) -> list[list[Any]]:
    """One row per registration (and child): unit, staff number, name, status, check-in/out times, days
    present and, for training, hours; then the dates present."""
    out: list[list[Any]] = []
    present_days: dict[str, list[dt.date]] = {}
    for a in Attendance.objects.filter(registration__activity=activity, present=True).order_by("day"):
        present_days.setdefault(_key(a.registration_id, a.participant_id), []).append(a.day)
    for row in sheet_rows(activity):
        registration = row.registration
        days = present_days.get(row.key, [])
        out.append(
            [
                registration.unit.name,
                registration.person.staff_no,
                registration.person.name,
                row.participant.name if row.participant else "",
                registration.checked_in_at,
                registration.checked_out_at,
                len(days),
                hours_of(registration) if activity.hours else "",
                "、".join(d.strftime("%m-%d") for d in days),
            ]
        )
    return out
