"""Participation statistics for a year: the participation rate per unit (distinct participants of activities
starting in the year / the unit's members), by kind, by month, and the no-show rate. A participant is a
member with a confirmed registration who checked in or is marked present on a daily sheet (托管 and training
keep sheets without check-in times); a no-show is a confirmed registration of a finished activity with
neither. Scoped by where the user holds activities.stats.view: the members counted are those of the user's
units (whoever organised)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from smartunion.members.selectors.kpis import member_counts_on
from smartunion.organisations import selectors as org_selectors

from ..models import Activity, Attendance, Kind, Registration

PERM = "activities.stats.view"
CONFIRMED = Registration.Status.CONFIRMED


def rate(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


@dataclass
class UnitRow:
    unit: Any
    members: int
    participants: int
    registrations: int

    @property
    def rate(self) -> float | None:
        return rate(self.participants, self.members)


@dataclass
class KindRow:
    kind: str
    label: str
    activities: int
    registrations: int
    participants: int
    no_shows: int = 0
    finished_confirmed: int = 0

    @property
    def no_show_rate(self) -> float | None:
        return rate(self.no_shows, self.finished_confirmed)


@dataclass
class MonthRow:
    month: int
    activities: int
    registrations: int
    participants: int


@dataclass
class Report:
    year: int
    units: list[UnitRow] = field(default_factory=list)
    total: UnitRow | None = None
    kinds: list[KindRow] = field(default_factory=list)
    months: list[MonthRow] = field(default_factory=list)
    finished_confirmed: int = 0
    no_shows: int = 0

    @property
    def no_show_rate(self) -> float | None:
        return rate(self.no_shows, self.finished_confirmed)

    @property
    def is_empty(self) -> bool:
        return not any(row.registrations for row in self.kinds)


def _row_units(user: Any, unit: Any) -> tuple[list[Any], list[Any]]:
    """(the units the table lists, the tops they add up to): the chosen unit's sub-units, or the sub-units
    of the user's scope tops; a unit without sub-units lists itself."""
    if unit is not None:
        tops = [unit]
    else:
        all_units = list(org_selectors.unit_choices_for_user(user=user, perm=PERM))
        tops = [
            u for u in all_units if not any(u.path != o.path and u.path.startswith(o.path) for o in all_units)
        ]
    rows: list[Any] = []
    for top in tops:
        children = list(org_selectors.unit_children(top))
        rows.extend(children or [top])
    return rows, tops


def participation(*, user: Any, year: int, unit: Any = None) -> Report:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    rows_units, tops = _row_units(user, unit)
    scope = user.scope_for(PERM)
    regs = scope.filter(
        Registration.objects.filter(activity__starts_at__gte=start, activity__starts_at__lt=end), "unit"
    )
    if unit is not None:
        regs = regs.filter(unit__path__startswith=unit.path)
    present = Attendance.objects.filter(registration=OuterRef("pk"), present=True)
    confirmed = regs.filter(status=CONFIRMED).annotate(on_sheet=Exists(present))
    attended = Q(checked_in_at__isnull=False) | Q(on_sheet=True)
    counted_on = min(timezone.localdate(), dt.date(year, 12, 31))
    members = member_counts_on(on=counted_on, units=[*rows_units, *tops])
    report = Report(year=year)
    by_path = list(confirmed.order_by().values_list("unit__path", "person_id", "checked_in_at", "on_sheet"))
    for row_unit in rows_units:
        people = {pid for path, pid, at, sheet in by_path if (at or sheet) and path.startswith(row_unit.path)}
        count = sum(1 for path, *_rest in by_path if path.startswith(row_unit.path))
        report.units.append(UnitRow(row_unit, members.get(row_unit.pk, 0), len(people), count))
    total_people = {
        pid
        for path, pid, at, sheet in by_path
        if (at or sheet) and any(path.startswith(t.path) for t in tops)
    }
    report.total = UnitRow(
        None,
        sum(members.get(t.pk, 0) for t in tops),
        len(total_people),
        sum(1 for path, *_rest in by_path if any(path.startswith(t.path) for t in tops)),
    )
    finished = Q(activity__status=Activity.Status.FINISHED)
    no_show = finished & Q(checked_in_at__isnull=True) & Q(on_sheet=False)
    kinds = {
        kind: (acts, n, people, fin, ns)
        for kind, acts, n, people, fin, ns in confirmed.order_by()
        .values_list("activity__kind")
        .annotate(
            acts=Count("activity", distinct=True),
            n=Count("pk"),
            people=Count("person", distinct=True, filter=attended),
            fin=Count("pk", filter=finished),
            ns=Count("pk", filter=no_show),
        )
    }
    for kind, label in Kind.choices:
        if kind in kinds:
            acts, n, people, fin, ns = kinds[kind]
            report.kinds.append(KindRow(kind, str(label), acts, n, people, ns, fin))
            report.finished_confirmed += fin
            report.no_shows += ns
    months = {
        month: (acts, n, people)
        for month, acts, n, people in confirmed.annotate(month=ExtractMonth("activity__starts_at"))
        .order_by()
        .values_list("month")
        .annotate(
            acts=Count("activity", distinct=True),
            n=Count("pk"),
            people=Count("person", distinct=True, filter=attended),
        )
    }
    for month in range(1, 13):
        acts, n, people = months.get(month, (0, 0, 0))
        report.months.append(MonthRow(month, acts, n, people))
    return report


def years() -> list[int]:
    found = {day.year for day in Activity.objects.dates("starts_at", "year")}
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)
