"""The working-day calendar (core): entering a holiday range (only its weekdays stored), a make-up working
day (weekends only), removing an entry, every refused input, what ``add_working_days`` makes of them, the
year page and its query-count guard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from smartunion.core import services_calendar as services
from smartunion.core.models import AuditEntry, CalendarDay
from smartunion.core.workdays import add_working_days, working_days_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="工会办公室")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_holiday_range_stores_weekdays_and_counts(office: Any) -> None:
    # 国庆节 2026: Thursday 10-01 to Thursday 10-08, with the Saturday 10-10 a make-up working day.
    days = services.calendar_holiday_add(
        actor=office, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 8), name="国庆节"
    )
    stored = sorted(day.date for day in days)
    assert stored == [
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 2),
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 6),
        dt.date(2026, 10, 7),
        dt.date(2026, 10, 8),
    ]
    services.calendar_workday_add(actor=office, day=dt.date(2026, 10, 10), name="国庆节调休")
    # From Wednesday 09-30: the next working day is the make-up Saturday 10-10, then Monday 10-12.
    assert add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 9)
    assert add_working_days(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 10)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 12)
    assert working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 12)) == 3
    entry = AuditEntry.objects.get(action="core.calendar.holiday_added")
    assert entry.changes["name"] == "国庆节" and len(entry.changes["dates"]) == 6


def test_holiday_entered_again_is_renamed_not_doubled(office: Any) -> None:
    services.calendar_holiday_add(
        actor=office, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 5), name="五一"
    )
    services.calendar_holiday_add(
        actor=office, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 5), name="劳动节"
    )
    assert set(CalendarDay.objects.values_list("name", flat=True)) == {"劳动节"}
    assert CalendarDay.objects.count() == 3  # Fri 05-01, Mon 05-04, Tue 05-05


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        (
            {"start": dt.date(2026, 10, 8), "end": dt.date(2026, 10, 1), "name": "x"},
            "end",
            "cannot end before",
        ),
        ({"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 1), "name": "x"}, "end", "at most 31 days"),
        (
            {"start": dt.date(2026, 10, 3), "end": dt.date(2026, 10, 4), "name": "x"},
            "start",
            "Saturday or Sunday",
        ),
        ({"start": dt.date(2026, 10, 1), "name": " "}, "name", "Name the day"),
    ],
)
def test_holiday_refusals(office: Any, kwargs: dict[str, Any], field: str, text: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.calendar_holiday_add(actor=office, **kwargs)
    assert text in error.value.message_dict[field][0]
    assert not CalendarDay.objects.exists()


def test_workday_refusals_and_conflicts(office: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.calendar_workday_add(actor=office, day=dt.date(2026, 10, 9), name="调休")
    assert "is a weekday" in error.value.message_dict["start"][0]
    services.calendar_workday_add(actor=office, day=dt.date(2026, 10, 10), name="调休")
    with pytest.raises(ValidationError) as error:
        services.calendar_workday_add(actor=office, day=dt.date(2026, 10, 10), name="调休")
    assert "already in the calendar" in error.value.message_dict["start"][0]
    with pytest.raises(ValidationError) as error:
        services.calendar_add(
            actor=office, kind="workday", start=dt.date(2026, 10, 11), end=dt.date(2026, 10, 12), name="x"
        )
    assert "one day" in error.value.message_dict["end"][0]
    with pytest.raises(ValidationError):
        services.calendar_add(actor=office, kind="other", start=dt.date(2026, 10, 11), name="x")


def test_holiday_over_a_workday_is_refused(office: Any) -> None:
    # A make-up working day cannot be a weekday, so the conflict comes from data entered elsewhere.
    CalendarDay.objects.create(date=dt.date(2026, 10, 9), is_workday=True, name="特别上班")
    with pytest.raises(ValidationError) as error:
        services.calendar_holiday_add(
            actor=office, start=dt.date(2026, 10, 8), end=dt.date(2026, 10, 9), name="x"
        )
    assert "2026-10-09 is entered as a working day" in error.value.message_dict["start"][0]
    assert CalendarDay.objects.count() == 1


def test_remove(office: Any) -> None:
    day = services.calendar_workday_add(actor=office, day=dt.date(2026, 10, 10), name="调休")
    services.calendar_day_remove(actor=office, day=day)
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(action="core.calendar.removed").exists()


def test_calendar_pages(office: Any) -> None:
    client = client_for(office)
    page = client.get(reverse("core:calendar_list"), {"year": "2026"})
    body = page.content.decode()
    assert page.status_code == 200 and "No holidays entered for 2026" in body
    assert "Month 2" in body and 'id="next-year"' in body
    response = client.post(
        reverse("core:calendar_add"),
        {"kind": "holiday", "start": "2026-10-01", "end": "2026-10-08", "name": "国庆节", "year": "2026"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?year=2026")
    body = client.get(response["Location"]).content.decode()
    assert "国庆节" in body and 'class="cal-day holiday"' in body
    assert "6 holiday weekdays" in body
    bad = client.post(
        reverse("core:calendar_add"), {"kind": "workday", "start": "2026-10-09", "name": "调休"}
    )
    assert bad.status_code == 200 and "is a weekday" in bad.content.decode()
    assert client.get(reverse("core:calendar_add")).status_code == 200
    day = CalendarDay.objects.order_by("date").first()
    assert day is not None
    response = client.post(reverse("core:calendar_remove", args=[day.pk]))
    assert response.status_code == 302 and not CalendarDay.objects.filter(pk=day.pk).exists()
    assert client.post(reverse("core:calendar_remove", args=[day.pk])).status_code == 404
    assert client.get(reverse("core:calendar_list"), {"year": "nonsense"}).status_code == 200


def test_calendar_needs_the_permission(tree: Any, make_user: Any) -> None:
    chair = make_user("union_chair", tree.root)
    assert client_for(chair).get(reverse("core:calendar_list")).status_code == 403
    admin = make_user("sysadmin", tree.root)
    assert client_for(admin).get(reverse("core:calendar_list")).status_code == 200


def test_calendar_query_count(office: Any, django_assert_max_num_queries: Any) -> None:
    for month in range(1, 13):
        services.calendar_holiday_add(
            actor=office, start=dt.date(2026, month, 1), end=dt.date(2026, month, 3), name=f"{month}月假"
        )
    client = client_for(office)
    client.get(reverse("core:calendar_list"), {"year": "2026"})
    with django_assert_max_num_queries(8):
        assert client.get(reverse("core:calendar_list"), {"year": "2026"}).status_code == 200
