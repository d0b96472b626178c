"""Reads of care visits (五必访): events in a user's scope (by the event's unit: a 分工会 officer sees their
units' events only), the overdue list, and the per-unit completion rate and average days from report to
visit — aggregated in the database in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from smartunion.organisations import selectors as org_selectors

from ..models import CareEvent, CareEventType, CareVisitPhoto

Status = CareEvent.Status
OPEN_STATUSES = (Status.REPORTED, Status.APPROVED)
SUBUNION_TYPES = ("branch", "direct_group")
TABS = ("reported", "approved", "visited", "overdue", "all")


def event_types(*, active_only: bool = True) -> QuerySet[CareEventType]:
    types = CareEventType.objects.select_related("item")
    return types.filter(is_active=True) if active_only else types


def event_type_get(pk: Any) -> CareEventType:
    try:
        return CareEventType.objects.select_related("item").get(pk=pk)
    except (CareEventType.DoesNotExist, ValueError):
        raise Http404 from None


def _base() -> QuerySet[CareEvent]:
    return CareEvent.objects.select_related(
        "person", "unit", "event_type", "event_type__item", "reported_by", "decided_by", "visit"
    )


def overdue_q(today: dt.date) -> Q:
    """Open events reported longer ago than their type's ``visit_within_days`` (one condition per type:
    the list of types is short, and the comparison stays in the database)."""
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    condition = Q(pk__in=[])
    for pk, days in CareEventType.objects.values_list("pk", "visit_within_days"):
        condition |= Q(event_type_id=pk, reported_at__lt=start_of_day - dt.timedelta(days=days))
    return Q(status__in=OPEN_STATUSES) & condition


def overdue_events(
    *, today: dt.date | None = None, queryset: QuerySet[CareEvent] | None = None
) -> QuerySet[CareEvent]:
    today = today or timezone.localdate()
    events = queryset if queryset is not None else _base()
    return events.filter(overdue_q(today)).order_by("reported_at", "pk")


def care_events_for_user(
    *,
    user: Any,
    tab: str = "all",
    unit: Any = None,
    event_type: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> QuerySet[CareEvent]:
    """Events whose unit lies where the user holds ``welfare.view``, filtered by tab and the filters."""
    events = user.scope_for("welfare.view").filter(_base(), "unit")
    if tab == "overdue":
        events = events.filter(overdue_q(today or timezone.localdate()))
    elif tab in (Status.REPORTED, Status.APPROVED, Status.VISITED):
        events = events.filter(status=tab)
    if unit is not None:
        events = events.filter(unit__path__startswith=unit.path)
    if event_type is not None:
        events = events.filter(event_type=event_type)
    if date_from is not None:
        events = events.filter(occurred_on__gte=date_from)
    if date_to is not None:
        events = events.filter(occurred_on__lte=date_to)
    return events


def care_event_counts_for_user(*, user: Any, today: dt.date | None = None) -> dict[str, int]:
    """How many events wait for a decision, for a visit, and are overdue (one query)."""
    events = user.scope_for("welfare.view").filter(CareEvent.objects.all(), "unit")
    counts = events.aggregate(
        reported=Count("pk", filter=Q(status=Status.REPORTED)),
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        overdue=Count("pk", filter=overdue_q(today or timezone.localdate())),
    )
    return {key: value or 0 for key, value in counts.items()}


def care_event_get_for_user(*, user: Any, pk: Any) -> CareEvent:
    try:
        return care_events_for_user(user=user).get(pk=pk)
    except (CareEvent.DoesNotExist, ValueError):
        raise Http404 from None


def photos_of(event: CareEvent) -> list[CareVisitPhoto]:
    return list(CareVisitPhoto.objects.filter(visit__event=event).defer("content"))


def photo_get_for_user(*, user: Any, pk: Any) -> CareVisitPhoto:
    try:
        return (
            user.scope_for("welfare.view")
            .filter(CareVisitPhoto.objects.select_related("visit__event"), "visit__event__unit")
            .get(pk=pk)
        )
    except (CareVisitPhoto.DoesNotExist, ValueError):
        raise Http404 from None


def events_of_person(person: Any, *, limit: int = 50) -> list[CareEvent]:
    """A member's own events (reported by them or for them), newest first."""
    return list(
        CareEvent.objects.filter(person=person)
        .select_related("event_type", "visit")
        .order_by("-reported_at", "-pk")[:limit]
    )


def open_events_of_person(person: Any) -> list[CareEvent]:
    return list(
        CareEvent.objects.filter(person=person, status__in=OPEN_STATUSES)
        .select_related("event_type")
        .order_by("-reported_at")[:5]
    )


# -- statistics ------------------------------------------------------------------------------------------


@dataclass
class CompletionRow:
    unit: Any
    reported: int = 0
    visited: int = 0
    overdue: int = 0
    days_total: float = 0.0  # days from report to visit, summed over the visited events

    @property
    def rate(self) -> Decimal | None:
        if not self.reported:
            return None
        return (Decimal(self.visited) * 100 / Decimal(self.reported)).quantize(Decimal("0.1"))

    @property
    def average_days(self) -> Decimal | None:
        if not self.visited:
            return None
        return (Decimal(str(self.days_total)) / Decimal(self.visited)).quantize(Decimal("0.1"))


@dataclass
class CompletionReport:
    rows: list[CompletionRow]
    total: CompletionRow


def _days(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return float(value)


def completion_stats(
    *, user: Any, date_from: dt.date, date_to: dt.date, today: dt.date | None = None
) -> CompletionReport:
    """Per sub-union: events reported in the period (by report date; cancelled ones do not count), those
    visited, overdue, the completion rate (visited / reported) and the average days from report to visit.
    One aggregate query grouped by the event's unit, one for the units; rolled up to the sub-unions."""
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    events = user.scope_for("welfare.view").filter(CareEvent.objects.all(), "unit")
    days = ExpressionWrapper(F("visit__visited_on") - TruncDate("reported_at"), output_field=DurationField())
    grouped = (
        events.filter(reported_at__gte=start, reported_at__lt=end)
        .exclude(status=Status.CANCELLED)
        .values("unit_id")
        .annotate(
            reported=Count("pk"),
            visited=Count("pk", filter=Q(status=Status.VISITED)),
            overdue=Count("pk", filter=overdue_q(today or timezone.localdate())),
            average=Avg(days, filter=Q(status=Status.VISITED)),
        )
        .order_by()
    )
    figures = list(grouped)
    units = {
        unit.pk: unit
        for unit in org_selectors.unit_list_for_user(user=user, perm="welfare.view", include_inactive=True)
    }
    rows: dict[int, CompletionRow] = {}
    total = CompletionRow(unit=None)
    for figure in figures:
        unit = units.get(figure["unit_id"])
        target = _subunion(unit, units) if unit is not None else None
        if target is None:
            continue
        row = rows.setdefault(target.pk, CompletionRow(unit=target))
        visited = figure["visited"] or 0
        row.reported += figure["reported"] or 0
        row.visited += visited
        row.overdue += figure["overdue"] or 0
        row.days_total += _days(figure["average"]) * visited
    for row in rows.values():
        total.reported += row.reported
        total.visited += row.visited
        total.overdue += row.overdue
        total.days_total += row.days_total
    ordered = sorted(rows.values(), key=lambda row: row.unit.path)
    return CompletionReport(rows=ordered, total=total)


def _subunion(unit: Any, units: dict[int, Any]) -> Any:
    """The nearest sub-union of ``unit`` among the loaded units (the unit itself when none is above it)."""
    current = unit
    while current is not None:
        if current.union_type in SUBUNION_TYPES:
            return current
        current = units.get(current.parent_id) if current.parent_id else None
    return unit


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), today
