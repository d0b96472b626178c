"""Participation statistics: the rate per unit (distinct members who checked in or were marked present /
members),
per kind, per month, the no-show rate, the scope, the page with its charts and the Excel."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.activities.models import Activity, Kind, Registration
from smartunion.activities.selectors import stats

from . import registration_support as support
from .factories import make_activity

pytestmark = pytest.mark.django_db


def _confirm(activity: Activity, person: Any, *, checked_in: bool = False, key: str = "") -> Registration:
    registration = Registration.objects.create(
        activity=activity,
        person=person,
        unit=person.unit,
        status=Registration.Status.CONFIRMED,
        idempotency_key=key or f"s-{activity.pk}-{person.pk}",
        registered_by=person.user,
        confirmed_at=timezone.now(),
        checked_in_at=timezone.now() if checked_in else None,
    )
    Activity.objects.filter(pk=activity.pk).update(
        confirmed=activity.registrations.filter(status="confirmed").count()
    )
    return registration


@pytest.fixture
def world(tree: Any, make_user: Any) -> Any:
    """This year: a1 has 4 members, two of whom took part (one twice) and one registered but never came; b1
    has 2 members, one took part; a finished lecture with one no-show of two."""
    staff = make_user("union_staff", tree.root)
    year = timezone.localdate().year
    start = timezone.make_aware(dt.datetime(year, 1, 15, 9))
    a_members = [support.member(tree.a1) for _ in range(4)]
    b_members = [support.member(tree.b1) for _ in range(2)]
    sports = make_activity(
        unit=tree.root,
        actor=staff,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        registration_opens_at=start - dt.timedelta(days=5),
        registration_closes_at=start - dt.timedelta(days=1),
        cancel_deadline=None,
    )
    lecture = make_activity(
        unit=tree.root,
        actor=staff,
        kind=Kind.LECTURE,
        status=Activity.Status.FINISHED,
        starts_at=start + dt.timedelta(days=31),
        ends_at=start + dt.timedelta(days=31, hours=2),
        registration_opens_at=start,
        registration_closes_at=start + dt.timedelta(days=30),
        cancel_deadline=None,
    )
    _confirm(sports, a_members[0], checked_in=True)
    _confirm(sports, a_members[1], checked_in=True)
    _confirm(sports, b_members[0], checked_in=True)
    _confirm(sports, a_members[3])  # confirmed, never came: a registration, not a participant
    _confirm(lecture, a_members[0], checked_in=True)
    _confirm(lecture, b_members[0])
    Registration.objects.create(
        activity=sports,
        person=a_members[2],
        unit=tree.a1,
        status=Registration.Status.CANCELLED,
        idempotency_key="cancelled",
        registered_by=staff,
    )
    return {"staff": staff, "year": year}


def test_participation_per_unit_kind_month_and_no_shows(tree: Any, world: Any) -> None:
    report = stats.participation(user=world["staff"], year=world["year"])
    rows = {row.unit.pk: row for row in report.units}
    assert set(rows) == {tree.a.pk, tree.b.pk}
    assert (rows[tree.a.pk].members, rows[tree.a.pk].participants, rows[tree.a.pk].registrations) == (4, 2, 4)
    assert rows[tree.a.pk].rate == 50.0
    assert (rows[tree.b.pk].members, rows[tree.b.pk].participants) == (2, 1)
    assert report.total is not None and (report.total.members, report.total.participants) == (6, 3)
    kinds = {row.kind: row for row in report.kinds}
    assert (kinds[Kind.SPORTS].registrations, kinds[Kind.SPORTS].participants) == (4, 3)
    assert (kinds[Kind.LECTURE].finished_confirmed, kinds[Kind.LECTURE].no_shows) == (2, 1)
    assert kinds[Kind.LECTURE].no_show_rate == 50.0
    assert (report.finished_confirmed, report.no_shows, report.no_show_rate) == (2, 1, 50.0)
    assert report.months[0].registrations == 4 and report.months[1].registrations == 2
    assert report.months[0].participants == 3
    assert sum(row.registrations for row in report.months) == 6


def test_scope_limits_to_the_users_units(tree: Any, world: Any, make_user: Any) -> None:
    chair = make_user("subunion_chair", tree.a)
    report = stats.participation(user=chair, year=world["year"])
    assert [row.unit.pk for row in report.units] == [tree.a1.pk]
    assert report.total is not None and report.total.participants == 2
    assert all(row.registrations <= 3 for row in report.kinds)
    assert sum(row.registrations for row in report.kinds) == 4


def test_a_unit_filter_and_an_empty_year(tree: Any, world: Any) -> None:
    report = stats.participation(user=world["staff"], year=world["year"], unit=tree.b)
    assert [row.unit.pk for row in report.units] == [tree.b1.pk]
    assert report.units[0].participants == 1
    assert stats.participation(user=world["staff"], year=world["year"] - 5).is_empty


def test_the_page_and_its_excel(tree: Any, world: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world["staff"])
    page = client.get(reverse("activities:console_stats"))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'id="chart-units"' in content and 'id="data-stats"' in content
    assert 'data-total="participants">3<' in content and 'data-total="no_show">50.0%<' in content
    response = client.get(reverse("activities:console_stats") + f"?year={world['year']}&export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    unit_rows = {row[1]: row for row in values if row and row[0] == "Participation by unit"}
    assert unit_rows["机械工程学院"][2:6] == [4, 2, 4, 50]
    assert any(row and row[1] == "Not checked in" and row[4] == 1 for row in values)


def test_members_are_refused(tree: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user())
    assert client.get(reverse("activities:console_stats")).status_code == 403
