"""The union office's appeal pages: lists with the router's suggestions, filters and export, the summary
by office, an appeal's page, routing, publishing, attachments, categories and settings — and that an
anonymous submitter shows nowhere (pages, export file, attachment names)."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from smartunion.appeals.models import (
    Appeal,
    Attachment,
    Category,
    Event,
    Rating,
    Reply,
    Routing,
    Settings,
)
from smartunion.appeals.tests.factories import make_appeal, make_member, make_office, make_taxonomy

pytestmark = pytest.mark.django_db
Status = Appeal.Status
NAME = "赵六合"


@pytest.fixture
def world(tree: Any, make_user: Any) -> SimpleNamespace:
    tax = make_taxonomy()
    member = make_member(tree.b1, name=NAME)
    canteen, repairs = tax["食堂餐饮"], tax["维修报修"]
    waiting = make_appeal(member, title="早餐太晚", anonymous=True, allow_identity_reveal=True)
    waiting.suggestions = [
        {"category": canteen.pk, "office": canteen.office_id, "confidence": 0.41},
        {"category": repairs.pk, "office": repairs.office_id, "confidence": 0.33},
        {"category": tax["工会福利"].pk, "office": tax["工会福利"].office_id, "confidence": 0.12},
    ]
    waiting.save()
    Attachment.objects.create(
        appeal=waiting, name=f"{NAME}的照片.png", content_type="image/png", size=4, content=b"\x89PNG"
    )
    late = make_appeal(
        member,
        status=Status.IN_PROGRESS,
        category=repairs,
        title="宿舍漏水",
        anonymous=True,
        reply_due=timezone.localdate() - dt.timedelta(days=1),
    )
    named = make_appeal(member, status=Status.CLOSED, category=canteen, title="窗口排队", allow_publish=True)
    Rating.objects.create(appeal=named, round=1, score=Rating.Score.SATISFIED)
    staff = make_user("union_staff", tree.root, name="校工会干事")
    return SimpleNamespace(
        tree=tree, tax=tax, member=member, waiting=waiting, late=late, named=named, staff=staff
    )


@pytest.fixture
def staff_client(client: Any, world: Any) -> Any:
    client.force_login(world.staff)
    return client


def _page(client: Any, url: str, **params: Any) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_triage_queue_shows_the_suggestions_and_no_submitter(staff_client: Any, world: Any) -> None:
    page = _page(staff_client, reverse("appeals:console_list"))
    assert "早餐太晚" in page and "宿舍漏水" not in page
    assert "41%" in page and "33%" in page and "12%" in page
    assert NAME not in page and world.member.staff_no not in page
    assert "Anonymous" in page
    assert reverse("appeals:console_export") in page


def test_suggestions_under_five_percent_are_not_shown(staff_client: Any, world: Any) -> None:
    personnel = world.tax["职称评审"]
    world.waiting.suggestions = [
        *world.waiting.suggestions,
        {"category": personnel.pk, "office": personnel.office_id, "confidence": 0.04},
    ]
    world.waiting.save(update_fields=["suggestions"])
    shown = f'{personnel.office.name} · {personnel.name} <span class="score">'
    page = _page(staff_client, reverse("appeals:console_list"))
    assert "41%" in page and shown not in page
    detail = _page(staff_client, reverse("appeals:console_detail", args=[world.waiting.pk]))
    assert "41%" in detail and shown not in detail
    assert f"{personnel.name} (4%)" not in detail  # no one-click button either


def test_the_overdue_and_all_tabs_and_filters(staff_client: Any, world: Any) -> None:
    url = reverse("appeals:console_list")
    overdue = _page(staff_client, url, tab="overdue")
    assert "宿舍漏水" in overdue and "早餐太晚" not in overdue and "窗口排队" not in overdue
    everything = _page(staff_client, url, tab="all")
    assert all(title in everything for title in ("早餐太晚", "宿舍漏水", "窗口排队"))
    assert NAME in everything  # the one appeal that is not anonymous
    by_office = _page(staff_client, url, tab="all", office=world.tax["维修报修"].office_id)
    assert "宿舍漏水" in by_office and "早餐太晚" not in by_office
    by_status = _page(staff_client, url, tab="all", status=Status.CLOSED)
    assert "窗口排队" in by_status and "宿舍漏水" not in by_status
    searched = _page(staff_client, url, tab="all", q="漏水")
    assert "宿舍漏水" in searched and "窗口排队" not in searched
    # Searching by the submitter's name finds nothing (it would tell who wrote an anonymous appeal).
    assert "宿舍漏水" not in _page(staff_client, url, tab="all", q=NAME)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert "宿舍漏水" not in _page(staff_client, url, tab="all", date_from=future)


def test_the_list_paginates(staff_client: Any, world: Any) -> None:
    for index in range(30):
        make_appeal(world.member, title=f"批量{index:02d}")
    first = _page(staff_client, reverse("appeals:console_list"))
    second = _page(staff_client, reverse("appeals:console_list"), page=2)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second


def test_the_export_hides_anonymous_submitters(staff_client: Any, world: Any) -> None:
    response = staff_client.get(reverse("appeals:console_export"), {"tab": "all"})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )
    cells = [str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row if cell]
    text = " ".join(cells)
    assert "宿舍漏水" in text and "早餐太晚" in text
    assert text.count(NAME) == 1  # only the appeal that is not anonymous
    assert "Anonymous" in text and world.member.staff_no not in text


def test_the_summary_by_office(staff_client: Any, world: Any) -> None:
    Reply.objects.filter(appeal=world.named).update(is_overdue=False)
    page = _page(staff_client, reverse("appeals:console_by_office"))
    assert "后勤管理处" in page and "人事处" in page
    assert "100%" in page  # the canteen's reply on time and its satisfied rating


def test_the_detail_page_of_an_anonymous_appeal(
    staff_client: Any, world: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(25):
        page = _page(staff_client, reverse("appeals:console_detail", args=[world.waiting.pk]))
    assert "早餐太晚" in page
    assert NAME not in page and world.member.staff_no not in page and "外国语学院" not in page
    assert "Attachment 1.png" in page
    assert 'id="route-form"' in page and 'id="one-click"' in page
    # The route form is pre-filled with the router's best suggestion.
    assert f'<option value="{world.tax["食堂餐饮"].pk}" selected>' in page
    assert 'id="reveal-form"' not in page  # union staff do not reveal
    # No reply box here: similar cases are for reading, without "Use this answer".
    assert "Use this answer" not in page and "data-use-answer" not in page
    # The anonymity is stated once in the header.
    assert page.count("anonymous (匿名)") == 1


def test_an_anonymous_appeal_shows_the_day_it_came_in_not_the_time(staff_client: Any, world: Any) -> None:
    """The time of submission (and of the automatic routing in the same request) could be matched with
    the member's login or whereabouts: lists, export and page show an anonymous appeal's day only."""
    at = timezone.make_aware(dt.datetime(timezone.localdate().year, 3, 2, 7, 43))
    canteen = world.tax["食堂餐饮"]
    Event.objects.create(appeal=world.late, kind=Event.Kind.SUBMITTED, by_member=True)
    Event.objects.create(appeal=world.late, kind=Event.Kind.ROUTED, office=canteen.office)
    Routing.objects.create(
        appeal=world.late, source=Routing.Source.AUTO, office=canteen.office, category=canteen, confidence=0.9
    )
    Event.objects.create(appeal=world.named, kind=Event.Kind.SUBMITTED, by_member=True)
    Appeal.objects.update(created_at=at)
    Event.objects.update(created_at=at)
    Routing.objects.update(created_at=at)
    listed = _page(staff_client, reverse("appeals:console_list"), tab="all")
    assert listed.count("07:43") == 1  # the named appeal's row only
    assert "03-02" in listed
    anonymous = _page(staff_client, reverse("appeals:console_detail", args=[world.late.pk]))
    assert "07:43" not in anonymous
    assert f'id="submitted-at">{at.year}-03-02<' in anonymous
    named = _page(staff_client, reverse("appeals:console_detail", args=[world.named.pk]))
    assert "07:43" in named
    response = staff_client.get(reverse("appeals:console_export"), {"tab": "all"})
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )
    stamps = [
        cell
        for row in workbook.active.iter_rows(values_only=True)
        for cell in row
        if isinstance(cell, dt.datetime) and (cell.hour, cell.minute) == (7, 43)
    ]
    assert len(stamps) == 1


def test_routing_from_the_page(staff_client: Any, world: Any) -> None:
    repairs = world.tax["维修报修"]
    response = staff_client.post(
        reverse("appeals:console_route", args=[world.waiting.pk]), {"category": repairs.pk}
    )
    assert response.status_code == 302
    world.waiting.refresh_from_db()
    assert (world.waiting.status, world.waiting.category) == (Status.ROUTED, repairs)
    page = _page(staff_client, reverse("appeals:console_detail", args=[world.waiting.pk]))
    assert "Routed by the union office" in page and NAME not in page

    response = staff_client.post(
        reverse("appeals:console_route", args=[world.named.pk]), {"category": repairs.pk}
    )
    assert response.status_code == 302
    world.named.refresh_from_db()
    assert world.named.category == world.tax["食堂餐饮"]  # a closed appeal is not routed again


def test_the_attachment_download_hides_its_name(staff_client: Any, world: Any) -> None:
    attachment = world.waiting.attachments.get()
    response = staff_client.get(reverse("appeals:console_attachment", args=[attachment.pk]))
    assert response.status_code == 200 and response.content == b"\x89PNG"
    assert "%E8%B5%B5" not in response["Content-Disposition"]  # 赵 (from the file name) is not sent
    assert world.waiting.number in response["Content-Disposition"]
    assert staff_client.get(reverse("appeals:console_attachment", args=[999999])).status_code == 404


def test_publishing_from_the_page(staff_client: Any, world: Any) -> None:
    url = reverse("appeals:console_detail", args=[world.named.pk])
    assert 'id="publish-form"' in _page(staff_client, url)
    response = staff_client.post(
        reverse("appeals:console_publish", args=[world.named.pk]), {"question": "", "answer": ""}
    )
    assert response.status_code == 200 and "field-error" in response.content.decode()
    response = staff_client.post(
        reverse("appeals:console_publish", args=[world.named.pk]),
        {"question": "窗口排队太长怎么办？", "answer": "已增开窗口。"},
    )
    assert response.status_code == 302
    world.named.refresh_from_db()
    assert world.named.published_at and world.named.faq_answer == "已增开窗口。"
    assert staff_client.post(reverse("appeals:console_unpublish", args=[world.named.pk])).status_code == 302
    world.named.refresh_from_db()
    assert world.named.published_at is None
    # A still open appeal has no publish form and cannot be published.
    response = staff_client.post(
        reverse("appeals:console_publish", args=[world.late.pk]), {"question": "问", "answer": "答"}
    )
    assert response.status_code == 302
    world.late.refresh_from_db()
    assert world.late.published_at is None


def test_categories_pages(staff_client: Any, world: Any) -> None:
    page = _page(staff_client, reverse("appeals:category_list"))
    assert "食堂餐饮" in page and "后勤管理处" in page
    assert _page(staff_client, reverse("appeals:category_new"))
    office = make_office("保卫处")
    response = staff_client.post(
        reverse("appeals:category_new"),
        {
            "office": office.pk,
            "name": "校园安全",
            "description": "门禁、停车",
            "keywords": "门禁，停车",
            "acknowledge_working_days": 1,
            "reply_working_days": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    category = Category.objects.get(name="校园安全")
    assert category.keywords == "门禁 停车"
    response = staff_client.post(
        reverse("appeals:category_edit", args=[category.pk]),
        {"office": office.pk, "name": "校园安全", "acknowledge_working_days": 6, "reply_working_days": 5},
    )
    assert response.status_code == 200 and "cannot come before" in response.content.decode()
    response = staff_client.post(
        reverse("appeals:category_edit", args=[category.pk]),
        {"office": office.pk, "name": "校园安全", "acknowledge_working_days": 2, "reply_working_days": 8},
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.reply_working_days, category.is_active) == (8, False)
    assert staff_client.get(reverse("appeals:category_edit", args=[999999])).status_code == 404


def test_settings_page(staff_client: Any) -> None:
    assert _page(staff_client, reverse("appeals:settings_edit"))
    response = staff_client.post(
        reverse("appeals:settings_edit"),
        {"auto_route_confidence": "1.5", "escalate_after_working_days": 2, "retrain_every_confirmed": 50},
    )
    assert response.status_code == 200
    response = staff_client.post(
        reverse("appeals:settings_edit"),
        {"auto_route_confidence": "0.8", "escalate_after_working_days": 2, "retrain_every_confirmed": 30},
    )
    assert response.status_code == 302
    assert Settings.objects.get(pk=1).auto_route_confidence == 0.8


def test_other_roles_are_refused(client: Any, world: Any, make_user: Any) -> None:
    client.force_login(world.member.user)
    assert client.get(reverse("appeals:console_list")).status_code == 403
    client.force_login(make_user("handling_office", world.tree.root))
    assert client.get(reverse("appeals:console_detail", args=[world.waiting.pk])).status_code == 403
    chair = make_user("union_chair", world.tree.root)
    client.force_login(chair)
    assert client.get(reverse("appeals:console_detail", args=[world.waiting.pk])).status_code == 200
    assert client.post(reverse("appeals:console_route", args=[world.waiting.pk])).status_code == 403
    assert client.get(reverse("appeals:category_list")).status_code == 403
