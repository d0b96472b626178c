"""Working days: Monday to Friday, minus the holidays and plus the make-up working days (调休) kept in
``CalendarDay``. Each function reads the exceptions of the range it needs in one query."""

from __future__ import annotations

import datetime as dt

from .models import CalendarDay

# A deadline of N working days never spans more than this many calendar days (long holidays included).
_SPAN_FACTOR = 3
_SPAN_PAD = 30


def exceptions_between(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """The calendar's exceptions in a range (one query), for callers counting many ranges at once."""
    rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
    return dict(rows)


_exceptions = exceptions_between


def is_working_day(day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count): a reply due in 30
    working days from an assignment on a Friday counts from the Monday."""
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return start
    exceptions = _exceptions(start, start + dt.timedelta(days=days * _SPAN_FACTOR + _SPAN_PAD))
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, exceptions):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier):
    ``working_days_between(today, due)`` is how many working days are left until a deadline."""
    if end == start:
        return 0
    low, high = min(start, end), max(start, end)
    return count_between(start, end, _exceptions(low, high))


def count_between(start: dt.date, end: dt.date, exceptions: dict[dt.date, bool]) -> int:
    """``working_days_between`` with the exceptions already read (see ``exceptions_between``)."""
    if end == start:
        return 0
    low, high, sign = (start, end, 1) if end > start else (end, start, -1)
    count, day = 0, low
    while day < high:
        day += dt.timedelta(days=1)
        if is_working_day(day, exceptions):
            count += 1
    return sign * count
