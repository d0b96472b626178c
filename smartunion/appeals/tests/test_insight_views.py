"""The trends page and its export: who may open them, what they show (units below the threshold never
named), and a bounded number of queries whatever the number of appeals."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.appeals.models import Appeal, Rating
from smartunion.core.models import AuditEntry

from . import factories

pytestmark = pytest.mark.django_db
Status = Appeal.Status


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def stage(tree: SimpleNamespace, make_user: Any) -> SimpleNamespace:
    taxonomy = factories.make_taxonomy()
    member_a = factories.make_member(tree.a)
    member_b = factories.make_member(tree.b)
    for i in range(5):
        appeal = factories.make_appeal(
            member_a,
            status=Status.CLOSED,
            category=taxonomy["维修报修"],
            title=f"空调坏了{i}",
            body="实验楼空调坏了，上课太热",
        )
        Rating.objects.create(appeal=appeal, round=1, score=Rating.Score.SATISFIED)
    factories.make_appeal(member_b, title="外语学院的唯一诉求", body="食堂早餐太贵")
    return SimpleNamespace(
        staff=make_user("union_staff", tree.root, name="校工会干事"),
        chair=make_user("union_chair", tree.root, name="工会主席"),
        office=make_user("handling_office", tree.root, name="后勤经办"),
        member_b=member_b,
    )


def test_the_page_shows_the_figures(stage: SimpleNamespace) -> None:
    response = client_for(stage.staff).get(reverse("appeals:trends"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="appeals">6<' in html
    assert "维修报修" in html and "后勤管理处" in html
    assert 'data-figure="satisfaction">100.0%<' in html
    assert 'data-figure="acknowledged">100.0%<' in html
    assert "空调" in html
    assert "vendor/echarts/echarts.min.js" in html
    assert 'id="chart-categories"' in html and 'id="chart-performance"' in html


def test_a_small_unit_is_not_named(stage: SimpleNamespace) -> None:
    html = client_for(stage.chair).get(reverse("appeals:trends")).content.decode()
    assert "机械工程学院" in html  # 5 appeals
    assert "外国语学院" not in html  # 1 appeal: could point to its member
    assert 'id="unit-threshold"' in html and "at least 5 appeals" in html
    assert 'id="units-hidden"' in html
    # Submitters are never shown.
    assert stage.member_b.name not in html and str(stage.member_b.staff_no) not in html


def test_anonymous_appeals_are_not_counted_by_unit(stage: SimpleNamespace, tree: SimpleNamespace) -> None:
    member = factories.make_member(tree.b1)
    for i in range(5):
        factories.make_appeal(member, title=f"停车位不够{i}", body="停车位太少", anonymous=True)
    client = client_for(stage.staff)
    html = client.get(reverse("appeals:trends")).content.decode()
    assert 'data-total="appeals">11<' in html  # they count in the totals …
    assert f'data-key="{tree.b1.pk}"' not in html  # … but not by unit
    assert 'id="unit-anonymous"' in html and "Anonymous appeals are left out" in html
    response = client.get(reverse("appeals:trends_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    by_unit = [row[1:] for row in rows if row[0] == "By unit" and row[2] == "Appeals"]
    assert by_unit == [
        ("机械工程学院", "Appeals", 5),
        ("Units with fewer than 5 appeals (not shown)", "Appeals", 1),
    ]
    assert not any("停车" in str(row[3]) for row in rows if row[0] == "By unit")


def test_rising_topics_are_highlighted(stage: SimpleNamespace) -> None:
    html = client_for(stage.staff).get(reverse("appeals:trends")).content.decode()
    assert 'id="rising-table"' in html
    assert 'class="ap-word ap-word-rising" data-word="空调"' in html


def test_the_period_filter(stage: SimpleNamespace) -> None:
    client = client_for(stage.staff)
    html = client.get(reverse("appeals:trends") + "?months=12").content.decode()
    assert '<option value="12" selected>' in html
    assert html.count('<th class="num">20') >= 12  # twelve month columns
    assert client.get(reverse("appeals:trends") + "?months=abc").status_code == 200
    assert (
        '<option value="6" selected>' in client.get(reverse("appeals:trends") + "?months=99").content.decode()
    )


def test_empty_state(db: Any, tree: SimpleNamespace, make_user: Any) -> None:
    html = client_for(make_user("union_staff", tree.root)).get(reverse("appeals:trends")).content.decode()
    assert "No appeal in this period" in html


def test_export(stage: SimpleNamespace) -> None:
    response = client_for(stage.staff).get(reverse("appeals:trends_export") + "?months=12")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    month = timezone.localdate().strftime("%Y-%m")
    assert ("Appeals per month", month, "Appeals", 6) in rows
    assert ("By category", "维修报修", "Total", 5) in rows
    assert ("By unit", "机械工程学院", "Appeals", 5) in rows
    assert ("Office performance", "后勤管理处", "Satisfaction (满意率)", "100.0%") in rows
    assert not any("外国语学院" in str(cell) for row in rows for cell in row)
    assert any(row[0] == "By unit" and str(row[1]).startswith("Units with fewer than 5") for row in rows)
    entry = AuditEntry.objects.get(action="appeals.trends.exported")
    assert entry.changes["months"] == 12


def test_offices_and_members_are_refused(stage: SimpleNamespace, tree: SimpleNamespace) -> None:
    assert client_for(stage.office).get(reverse("appeals:trends")).status_code == 403
    assert client_for(stage.office).get(reverse("appeals:trends_export")).status_code == 403
    member_user = stage.member_b.user
    assert client_for(member_user).get(reverse("appeals:trends")).status_code == 403
    assert Client().get(reverse("appeals:trends")).status_code == 302


def test_the_nav_entry(stage: SimpleNamespace) -> None:
    html = client_for(stage.staff).get(reverse("appeals:trends")).content.decode()
    assert f'href="{reverse("appeals:trends")}"' in html


def test_queries_do_not_grow_with_the_appeals(
    stage: SimpleNamespace, tree: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    client = client_for(stage.staff)
    url = reverse("appeals:trends")
    client.get(url)  # warm the session and the keyword cache
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    categories = [
        factories.make_category(factories.make_office(f"新处室{i}"), f"新类别{i}") for i in range(3)
    ]
    more = factories.make_member(tree.b)
    for i in range(30):
        category = categories[i % 3]
        appeal = factories.make_appeal(more, status=Status.CLOSED, category=category, title=f"诉求{i}")
        Rating.objects.create(appeal=appeal, round=1, score=Rating.Score.BASICALLY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
