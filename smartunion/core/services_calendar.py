"""Writes of the working-day calendar (``CalendarDay``): the exceptions to the Monday–Friday week that
the State Council publishes each year — public holidays falling on weekdays, and make-up working days
(调休) on weekends. Deadlines counted in working days read them through ``core.workdays``.

A holiday is entered as a range (国庆节 10-01 to 10-08); only its weekdays are stored, since weekends are
days off anyway. A make-up working day must be a Saturday or Sunday. Each change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .audit import audit
from .models import CalendarDay

MAX_HOLIDAY_DAYS = 31
KIND_HOLIDAY = "holiday"
KIND_WORKDAY = "workday"


def _name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Name the day, e.g. 国庆节 or 国庆节调休.")})
    return name[:50]


@transaction.atomic
def calendar_holiday_add(
    *, actor: Any, start: dt.date, end: dt.date | None = None, name: str
) -> list[CalendarDay]:
    """Mark the weekdays from ``start`` to ``end`` (inclusive) as a public holiday. Days already entered
    as this holiday are kept (a holiday may be entered again with another name); a make-up working day
    inside the range is refused."""
    end = end or start
    name = _name(name)
    if end < start:
        raise ValidationError({"end": _("The holiday cannot end before it starts: correct the last day.")})
    if (end - start).days + 1 > MAX_HOLIDAY_DAYS:
        raise ValidationError(
            {
                "end": _("A holiday is at most %(days)d days long: enter longer breaks in parts.")
                % {"days": MAX_HOLIDAY_DAYS}
            }
        )
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
    weekdays = [day for day in days if day.weekday() < 5]
    if not weekdays:
        raise ValidationError(
            {
                "start": _(
                    "Every day of this range is a Saturday or Sunday, a day off already: nothing to add."
                )
            }
        )
    existing = {
        entry.date: entry for entry in CalendarDay.objects.select_for_update().filter(date__in=weekdays)
    }
    workdays = [entry for entry in existing.values() if entry.is_workday]
    if workdays:
        raise ValidationError(
            {
                "start": _("%(date)s is entered as a working day (%(name)s): remove it first.")
                % {"date": workdays[0].date.isoformat(), "name": workdays[0].name or "—"}
            }
        )
    created = CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, is_workday=False, name=name) for day in weekdays if day not in existing]
    )
    renamed = [entry for entry in existing.values() if entry.name != name]
    for entry in renamed:
        entry.name = name
        entry.save(update_fields=["name"])
    audit(
        actor=actor,
        action="core.calendar.holiday_added",
        changes={
            "name": name,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "dates": [day.isoformat() for day in weekdays],
        },
    )
    return [*created, *existing.values()]


@transaction.atomic
def calendar_workday_add(*, actor: Any, day: dt.date, name: str) -> CalendarDay:
    """Mark a Saturday or Sunday as a make-up working day (调休上班)."""
    name = _name(name)
    if day.weekday() < 5:
        raise ValidationError(
            {
                "start": _(
                    "%(date)s is a weekday, a working day already: a make-up working day falls on a weekend."
                )
                % {"date": day.isoformat()}
            }
        )
    if CalendarDay.objects.select_for_update().filter(date=day).exists():
        raise ValidationError(
            {
                "start": _("%(date)s is already in the calendar: remove it first to change it.")
                % {"date": day.isoformat()}
            }
        )
    entry = CalendarDay.objects.create(date=day, is_workday=True, name=name)
    audit(
        actor=actor,
        action="core.calendar.workday_added",
        target=entry,
        changes={"date": day.isoformat(), "name": name},
    )
    return entry


def calendar_add(
    *, actor: Any, kind: str, start: dt.date, end: dt.date | None = None, name: str
) -> list[CalendarDay]:
    """The calendar page's one form: a holiday range, or one make-up working day."""
    if kind == KIND_HOLIDAY:
        return calendar_holiday_add(actor=actor, start=start, end=end, name=name)
    if kind == KIND_WORKDAY:
        if end is not None and end != start:
            raise ValidationError({"end": _("A make-up working day is one day: leave the last day empty.")})
        return [calendar_workday_add(actor=actor, day=start, name=name)]
    raise ValidationError({"kind": _("Choose a holiday or a make-up working day.")})


@transaction.atomic
def calendar_day_remove(*, actor: Any, day: CalendarDay) -> None:
    """Back to the ordinary week for that date (a weekday works, a weekend rests)."""
    audit(
        actor=actor,
        action="core.calendar.removed",
        target=day,
        changes={"date": day.date.isoformat(), "name": day.name, "is_workday": day.is_workday},
    )
    CalendarDay.objects.filter(pk=day.pk).delete()
