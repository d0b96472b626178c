"""The 适合我 block on the member's home page, and the union office's take-up figures with their export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.activities.models import Kind
from smartunion.ai.models import Recommendation
from smartunion.hardship.models import AssistanceProgramme

from . import recommendations_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_seeded_assistance(db: Any) -> None:
    AssistanceProgramme.objects.update(is_active=False)


@pytest.fixture
def actor(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会")


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_home_shows_recommendations_with_reasons_and_counts_impressions(tree, actor):
    person = support.member(tree.a1)
    support.child(person, 8)
    care = support.activity(
        unit=tree.root,
        actor=actor,
        title="暑期托管",
        kind=Kind.CHILDCARE,
        eligibility={"child_age_min": 6, "child_age_max": 12},
    )
    prog = support.programme(unit=tree.root, actor=actor, title="端午节福利")
    support.entitle(prog, person)
    client = _client(person.user)

    html = client.get(reverse("dashboards:portal_home")).content.decode()
    assert 'id="recommendations"' in html
    assert "For you (适合我)" in html
    assert "You have a child aged 8: you may register for 暑期托管." in html
    assert f'href="/m/activities/{care.pk}/"' in html
    assert f'href="/m/welfare/choose/{prog.pk}/"' in html
    assert "You are on the list for 端午节福利" in html
    rows = Recommendation.objects.filter(person=person)
    assert {(row.kind, row.item_id, row.times_shown) for row in rows} == {
        ("activity", care.pk, 1),
        ("benefit", prog.pk, 1),
    }
    client.get(reverse("dashboards:portal_home"))
    assert sorted(rows.values_list("times_shown", flat=True)) == [2, 2]

    # Registered since: taken up, and no longer recommended.
    registration = support.register(care, person, by=person.user)
    html = client.get(reverse("dashboards:portal_home")).content.decode()
    assert "You have a child aged 8" not in html
    assert f'data-kind="activity" data-item="{care.pk}"' not in html
    assert rows.get(kind="activity").taken_up_at == registration.created_at


def test_home_shows_at_most_five(tree, actor):
    person = support.member(tree.a1)
    for _ in range(7):
        support.entitle(support.programme(unit=tree.root, actor=actor), person)
    html = _client(person.user).get(reverse("dashboards:portal_home")).content.decode()
    assert html.count('class="rec-row"') == 5


def test_no_block_when_nothing_fits(tree, actor):
    person = support.member(tree.a1)
    support.activity(unit=tree.root, actor=actor)  # nothing about this member
    html = _client(person.user).get(reverse("dashboards:portal_home")).content.decode()
    assert 'id="recommendations"' not in html
    assert not Recommendation.objects.exists()


def test_no_block_without_a_staff_record(make_user):
    page = _client(make_user()).get(reverse("dashboards:portal_home"))
    assert page.status_code == 200
    assert 'id="recommendations"' not in page.content.decode()


def _figures(tree: Any) -> None:
    people = [support.member(tree.a1) for _ in range(3)]
    shown = timezone.now() - dt.timedelta(days=3)
    for index, person in enumerate(people):
        row = Recommendation.objects.create(
            person=person,
            kind="activity",
            item_id=5,
            title="暑期托管",
            reason="您有一名8岁子女",
            times_shown=2,
        )
        Recommendation.objects.filter(pk=row.pk).update(
            first_shown_at=shown, taken_up_at=shown + dt.timedelta(hours=2) if index == 0 else None
        )
    Recommendation.objects.create(person=people[0], kind="benefit", item_id=9, title="端午节福利", reason="r")


def test_stats_page(tree, make_user):
    _figures(tree)
    html = (
        _client(make_user("union_chair", tree.root)).get(reverse("ai:recommendations_stats")).content.decode()
    )
    assert "Recommendations (适合我)" in html
    assert '<span data-figure="taken">1</span> / <span data-figure="shown">4</span>' in html
    assert "25.0%" in html  # 1 of 4
    assert "33.3%" in html  # the activity: 1 of 3
    assert 'data-item="5"' in html and "暑期托管" in html
    assert timezone.localdate().strftime("%Y-%m") in html
    # Only figures: no member, no reason.
    assert "您有一名8岁子女" not in html


def test_stats_page_empty_and_periods(tree, make_user):
    client = _client(make_user("union_staff", tree.root))
    html = client.get(reverse("ai:recommendations_stats") + "?period=3").content.decode()
    assert "Nothing recommended in this period yet" in html
    assert client.get(reverse("ai:recommendations_stats") + "?period=nonsense").status_code == 200


def test_stats_need_the_permission(tree, make_user):
    member = _client(make_user("member", tree.a1))
    assert member.get(reverse("ai:recommendations_stats")).status_code == 403
    assert member.get(reverse("ai:recommendations_export")).status_code == 403


def test_export(tree, make_user):
    _figures(tree)
    response = _client(make_user("union_staff", tree.root)).get(
        reverse("ai:recommendations_export") + "?period=0"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    assert ("Overall", "All kinds", None, 4, 1, "25.0%") in [
        tuple(None if v == "" else v for v in row) for row in rows
    ]
    assert any(row[0] == "Top items" and row[1] == "暑期托管" and row[3] == 3 and row[4] == 1 for row in rows)
    assert not any("您有一名8岁子女" in str(value) for row in rows for value in row)


def test_nav_entry_for_the_union_office(tree, make_user):
    html = (
        _client(make_user("union_staff", tree.root)).get(reverse("ai:recommendations_stats")).content.decode()
    )
    assert reverse("ai:recommendations_stats") in html
