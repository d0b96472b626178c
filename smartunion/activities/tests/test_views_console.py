"""The organisers' console pages: list, form, detail and its actions, registrations with the Excel of the
answers, the lottery, approval, organiser cancel, bulk registration, quota release, batches, ideas."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.activities.models import Activity, Idea, IdeaVote, Kind, Question, Registration, UnitQuota
from smartunion.activities.services import registration as engine
from smartunion.notifications.models import Notification

from . import registration_support as support
from .factories import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("subunion_chair", tree.a, name="组织者")


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _register(activity: Activity, person: Any, **kwargs: Any) -> Any:
    return engine.register(
        actor=person.user,
        activity=activity,
        person=person,
        idempotency_key=f"v{person.pk}-{activity.pk}",
        **kwargs,
    )


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# -- list ----------------------------------------------------------------------------------------------------


def test_list_tabs_filters_and_scope(tree: Any, organiser: Any) -> None:
    open_one = make_activity(unit=tree.a1, actor=organiser, title="羽毛球赛", capacity=4)
    make_activity(unit=tree.a, actor=organiser, title="草稿活动", status=Activity.Status.DRAFT)
    make_activity(unit=tree.b, actor=organiser, title="外院活动")
    make_activity(unit=tree.a, actor=organiser, title="讲座", kind=Kind.LECTURE)
    person = support.member(tree.a)
    _register(open_one, person)
    client = _client(organiser)
    page = client.get(reverse("activities:console_list"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "羽毛球赛" in content and "讲座" in content
    assert "外院活动" not in content and "草稿活动" not in content
    assert "data-taken>1/4<" in content
    drafts = client.get(reverse("activities:console_list") + "?tab=drafts").content.decode()
    assert "草稿活动" in drafts and "羽毛球赛" not in drafts
    filtered = client.get(
        reverse("activities:console_list") + f"?tab=open&kind={Kind.LECTURE}"
    ).content.decode()
    assert "讲座" in filtered and "羽毛球赛" not in filtered
    month = timezone.localtime(open_one.starts_at).strftime("%Y-%m")
    assert "羽毛球赛" in client.get(reverse("activities:console_list") + f"?month={month}").content.decode()
    by_unit = client.get(reverse("activities:console_list") + f"?unit={tree.a1.pk}").content.decode()
    assert "羽毛球赛" in by_unit and "讲座" not in by_unit


def test_list_empty_state(organiser: Any) -> None:
    assert "No activities here" in _client(organiser).get(reverse("activities:console_list")).content.decode()


# -- the form ------------------------------------------------------------------------------------------------


def _form_data(tree: Any, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    data = {
        "organiser_unit": tree.a.pk,
        "title": "亲子运动会",
        "kind": Kind.FAMILY,
        "starts_at": _local(now + dt.timedelta(days=20)),
        "ends_at": _local(now + dt.timedelta(days=20, hours=4)),
        "registration_opens_at": _local(now + dt.timedelta(days=1)),
        "registration_closes_at": _local(now + dt.timedelta(days=10)),
        "allocation": "first_come",
        "capacity": "40",
        "waitlist": "on",
        "offer_hours": "24",
        "visibility": "school",
        "participants": "member_and_dependants",
        "max_quantity": "3",
        "dependant_min_age": "3",
        "dependant_max_age": "12",
        "elig_sex": "F",
        "elig_child_age_min": "3",
        "elig_child_age_max": "12",
        "elig_units": [tree.a1.pk],
    }
    data.update(extra)
    return data


def test_new_activity_through_the_form(tree: Any, organiser: Any) -> None:
    client = _client(organiser)
    page = client.get(reverse("activities:console_new"))
    assert page.status_code == 200
    content = page.content.decode()
    for section in ("Basics", "Registration", "Places and quotas", "Who may register", "Participants"):
        assert section in content
    response = client.post(reverse("activities:console_new"), _form_data(tree))
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get()
    assert response["Location"] == reverse("activities:console_detail", args=[activity.pk])
    assert activity.status == Activity.Status.DRAFT and activity.max_quantity == 3
    assert activity.eligibility == {
        "unit_ids": [tree.a1.pk],
        "sex": "F",
        "child_age_min": 3,
        "child_age_max": 12,
    }
    edit = client.get(reverse("activities:console_edit", args=[activity.pk]))
    assert edit.status_code == 200 and "亲子运动会" in edit.content.decode()
    response = client.post(
        reverse("activities:console_edit", args=[activity.pk]), _form_data(tree, title="亲子运动会（改）")
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "亲子运动会（改）"


def test_the_form_shows_the_services_errors_on_the_fields(tree: Any, organiser: Any) -> None:
    response = _client(organiser).post(
        reverse("activities:console_new"),
        _form_data(tree, dependant_min_age="", elig_age_min="50", elig_age_max="30"),
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "children&#x27;s age range" in content or "children's age range" in content
    assert not Activity.objects.exists()


# -- the activity page and its actions -----------------------------------------------------------------------


def test_detail_shows_numbers_quotas_and_actions(tree: Any, organiser: Any) -> None:
    activity = make_activity(
        unit=tree.a,
        actor=organiser,
        capacity=1,
        eligibility={
            "sex": "F",
            "age_min": 20,
            "age_max": 60,
            "not_attended_kind": "retreat",
            "not_attended_years": 3,
        },
    )
    UnitQuota.objects.create(activity=activity, unit=tree.a1, places=1)
    first, second = (
        support.member(tree.a1, birth_date=dt.date(1985, 1, 1)),
        support.member(tree.a, birth_date=dt.date(1990, 1, 1)),
    )
    _register(activity, first)
    assert _register(activity, second).result == "waitlisted"
    page = _client(organiser).get(reverse("activities:console_detail", args=[activity.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "data-confirmed>1/1<" in content and "data-waiting>1<" in content
    assert f'data-quota="{tree.a1.pk}"' in content
    assert first.name in content and "Cancel the activity" in content
    assert "Women only" in content and "Aged 20 to 60 on the first day" in content
    assert "in the last 3 years" in content


def test_publish_cancel_finish_from_the_page(tree: Any, organiser: Any) -> None:
    client = _client(organiser)
    draft = make_activity(unit=tree.a, actor=organiser, status=Activity.Status.DRAFT)
    assert client.post(reverse("activities:console_publish", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Activity.Status.PUBLISHED
    person = support.member(tree.a)
    _register(draft, person)
    page = client.get(reverse("activities:console_cancel", args=[draft.pk]))
    assert page.status_code == 200 and "1 confirmed" in page.content.decode()
    assert (
        client.post(reverse("activities:console_cancel", args=[draft.pk]), {"reason": ""}).status_code == 400
    )
    response = client.post(reverse("activities:console_cancel", args=[draft.pk]), {"reason": "天气原因"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Activity.Status.CANCELLED
    assert Notification.objects.get(recipient=person.user, kind="activities.cancelled").body == "天气原因"
    past = make_activity(
        unit=tree.a,
        actor=organiser,
        registration_opens_at=timezone.now() - dt.timedelta(days=9),
        registration_closes_at=timezone.now() - dt.timedelta(days=8),
        starts_at=timezone.now() - dt.timedelta(days=2),
        ends_at=timezone.now() - dt.timedelta(days=1),
        cancel_deadline=None,
    )
    client.post(reverse("activities:console_finish", args=[past.pk]))
    past.refresh_from_db()
    assert past.status == Activity.Status.FINISHED


def test_quota_question_invitation_forms(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, visibility=Activity.Visibility.INVITED)
    client = _client(organiser)
    client.post(
        reverse("activities:console_quota_set", args=[activity.pk]), {"unit": tree.a1.pk, "places": "4"}
    )
    assert UnitQuota.objects.get(activity=activity).places == 4
    response = client.post(
        reverse("activities:console_quota_set", args=[activity.pk]),
        {"unit": tree.a.pk, "places": "7"},
        follow=True,
    )
    assert "add up to 11 places" in response.content.decode()
    client.post(
        reverse("activities:console_question_add", args=[activity.pk]),
        {"label": "尺码", "kind": "choice", "choices": "S\nM", "required": "on"},
    )
    question = Question.objects.get(activity=activity)
    assert question.choices == ["S", "M"] and question.required
    page = client.get(reverse("activities:console_question_edit", args=[activity.pk, question.pk]))
    assert page.status_code == 200
    client.post(
        reverse("activities:console_question_edit", args=[activity.pk, question.pk]),
        {"label": "衣服尺码", "kind": "choice", "choices": "S\nM\nL"},
    )
    question.refresh_from_db()
    assert question.label == "衣服尺码" and question.choices == ["S", "M", "L"]
    person = support.member(tree.a)
    response = client.post(
        reverse("activities:console_invitations_add", args=[activity.pk]),
        {"staff_numbers": f"{person.staff_no}\nGHOST"},
        follow=True,
    )
    assert "GHOST" in response.content.decode()
    invitation = activity.invitations.get()
    client.post(reverse("activities:console_invitation_remove", args=[activity.pk, invitation.pk]))
    assert not activity.invitations.exists()
    client.post(reverse("activities:console_question_remove", args=[activity.pk, question.pk]))
    assert not Question.objects.filter(activity=activity).exists()


def test_judges_page(tree: Any, organiser: Any, make_user: Any) -> None:
    judge = make_user(name="评委甲")
    activity = make_activity(unit=tree.a, actor=organiser, kind=Kind.COMPETITION)
    client = _client(organiser)
    assert client.get(reverse("activities:console_judges", args=[activity.pk])).status_code == 200
    response = client.post(
        reverse("activities:console_judges", args=[activity.pk]), {"staff_numbers": judge.staff_no}
    )
    assert response.status_code == 302
    assert list(activity.judges.all()) == [judge]


def test_batches_page(tree: Any, organiser: Any) -> None:
    series = make_activity(unit=tree.a, actor=organiser, kind=Kind.RETREAT, capacity=None, title="微休养")
    client = _client(organiser)
    assert (
        "No batches yet"
        in client.get(reverse("activities:console_batches", args=[series.pk])).content.decode()
    )
    start = series.starts_at + dt.timedelta(days=3)
    response = client.post(
        reverse("activities:console_batches", args=[series.pk]),
        {
            "title": "第一批",
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(days=2)),
            "capacity": "30",
        },
    )
    assert response.status_code == 302
    batch = Activity.objects.get(series=series)
    assert batch.capacity == 30 and batch.kind == Kind.RETREAT
    page = client.get(reverse("activities:console_batches", args=[series.pk])).content.decode()
    assert f'data-batch="{batch.pk}"' in page


# -- registrations, export -----------------------------------------------------------------------------------


def test_registrations_table_and_export_with_answers(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser)
    size = Question.objects.create(
        activity=activity, label="衣服尺码", kind="choice", choices=["M", "L"], order=1
    )
    diet = Question.objects.create(activity=activity, label="饮食禁忌", kind="text", order=2)
    one, two = support.member(tree.a, name="张三"), support.member(tree.a1, name="李四")
    _register(activity, one, answers={str(size.pk): "L", str(diet.pk): "不吃辣"})
    _register(activity, two, answers={str(size.pk): "M"})
    client = _client(organiser)
    page = client.get(reverse("activities:console_registrations", args=[activity.pk]))
    content = page.content.decode()
    assert "张三" in content and "不吃辣" in content and "衣服尺码" in content
    only = client.get(
        reverse("activities:console_registrations", args=[activity.pk]) + "?q=李四"
    ).content.decode()
    assert "李四" in only and "张三" not in only
    response = client.get(reverse("activities:console_registrations", args=[activity.pk]) + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header_index = next(i for i, row in enumerate(rows) if row and row[0] == "Staff number")
    header = rows[header_index]
    assert "衣服尺码" in header and "饮食禁忌" in header
    data = {row[1]: row for row in rows[header_index + 1 :] if row and row[1]}
    assert data["张三"][header.index("衣服尺码")] == "L"
    assert data["张三"][header.index("饮食禁忌")] == "不吃辣"
    assert data["李四"][header.index("衣服尺码")] == "M"


# -- lottery, approval, organiser cancel ---------------------------------------------------------------------


def test_lottery_page_publish_seed_and_draw(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, allocation=Activity.Allocation.LOTTERY, capacity=1)
    people = [support.member(tree.a) for _ in range(3)]
    for person in people:
        assert _register(activity, person).result == "pending"
    client = _client(organiser)
    url = reverse("activities:console_lottery", args=[activity.pk])
    page = client.get(url).content.decode()
    assert "The draw opens when the registration closes" in page
    client.post(url, {"action": "publish_seed", "seed": "2026-spring"})
    activity.refresh_from_db()
    assert activity.lottery_seed == "2026-spring"
    Activity.objects.filter(pk=activity.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert 'id="draw"' in client.get(url).content.decode()
    client.post(url, {})
    activity.refresh_from_db()
    assert activity.lottery_drawn_at is not None and activity.confirmed == 1
    page = client.get(url).content.decode()
    assert "2026-spring" in page and 'id="lottery-table"' in page
    assert Registration.objects.filter(activity=activity, lottery_position__isnull=False).count() == 3


def test_approve_and_reject(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, allocation=Activity.Allocation.APPROVAL)
    yes, no = support.member(tree.a), support.member(tree.a)
    first, second = _register(activity, yes).registration, _register(activity, no).registration
    client = _client(organiser)
    page = client.get(reverse("activities:console_registrations", args=[activity.pk])).content.decode()
    assert "Approve" in page
    client.post(reverse("activities:console_registration_approve", args=[activity.pk, first.pk]))
    first.refresh_from_db()
    assert first.status == Registration.Status.CONFIRMED
    url = reverse("activities:console_registration_reject", args=[activity.pk, second.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "名额已满"})
    second.refresh_from_db()
    assert second.status == Registration.Status.REJECTED


def test_organiser_cancels_one_registration(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser)
    person = support.member(tree.a)
    registration = _register(activity, person).registration
    url = reverse("activities:console_registration_cancel", args=[activity.pk, registration.pk])
    client = _client(organiser)
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": "重复报名"}).status_code == 302
    registration.refresh_from_db()
    activity.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED and activity.confirmed == 0


def test_out_of_scope_registration_is_404(tree: Any, organiser: Any) -> None:
    other = make_activity(unit=tree.b, actor=organiser)
    person = support.member(tree.b)
    registration = _register(other, person).registration
    client = _client(organiser)
    assert client.get(reverse("activities:console_detail", args=[other.pk])).status_code == 404
    url = reverse("activities:console_registration_cancel", args=[other.pk, registration.pk])
    assert client.post(url, {"reason": "x"}).status_code == 404
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


# -- bulk registration, quota release ------------------------------------------------------------------------


def test_bulk_registration_by_a_unit_officer(tree: Any, make_user: Any, organiser: Any) -> None:
    school = make_user("union_staff", tree.root)
    activity = make_activity(unit=tree.root, actor=school, capacity=10)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    officer = make_user("subunion_committee", tree.a)
    mine = [support.member(tree.a1) for _ in range(3)]
    stranger = support.member(tree.b)
    client = _client(officer)
    url = reverse("activities:console_bulk_register", args=[activity.pk])
    assert client.get(url).status_code == 200
    numbers = "\n".join([*(p.staff_no for p in mine), stranger.staff_no, "NOBODY"])
    content = client.post(url, {"staff_numbers": numbers}).content.decode()
    assert content.count('data-result="confirmed"') == 2
    assert 'data-result="unknown"' in content and 'data-result="outside"' in content
    assert "2 of 2 used" in content
    assert Registration.objects.filter(activity=activity, status="confirmed").count() == 2
    assert not Registration.objects.filter(person=stranger).exists()


def test_release_quotas_now(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, capacity=5)
    UnitQuota.objects.create(activity=activity, unit=tree.a1, places=3)
    _client(organiser).post(reverse("activities:console_quotas_release", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.quotas_released_at is not None


# -- ideas ---------------------------------------------------------------------------------------------------


def test_ideas_demand_adopt_and_close(tree: Any, make_user: Any) -> None:
    staff = make_user("union_staff", tree.root)
    proposer, voter = support.member(tree.a1), support.member(tree.b)
    idea = Idea.objects.create(
        title="周末读书会", proposer=proposer, unit=tree.a1, votes=2, kind=Kind.LECTURE
    )
    IdeaVote.objects.create(idea=idea, person=proposer, unit=tree.a1)
    IdeaVote.objects.create(idea=idea, person=voter, unit=tree.b)
    other = Idea.objects.create(title="登山", proposer=voter, unit=tree.b)
    client = _client(staff)
    page = client.get(reverse("activities:console_ideas")).content.decode()
    assert "周末读书会" in page and "外国语学院 1" in page and "登山" in page
    form = client.get(reverse("activities:console_new") + f"?idea={idea.pk}").content.decode()
    assert 'id="from-idea"' in form and 'value="周末读书会"' in form
    data = _form_data(
        tree, organiser_unit=tree.root.pk, kind=Kind.LECTURE, participants="member", idea=idea.pk
    )
    for key in ("dependant_min_age", "dependant_max_age", "elig_child_age_min", "elig_child_age_max"):
        data.pop(key)
    response = client.post(reverse("activities:console_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    idea.refresh_from_db()
    assert idea.status == Idea.Status.ADOPTED and Activity.objects.get().idea == idea
    assert Notification.objects.filter(kind="activities.idea_adopted").count() == 2
    client.post(reverse("activities:console_idea_close", args=[other.pk]), {"note": "安全原因"})
    other.refresh_from_db()
    assert other.status == Idea.Status.CLOSED and other.close_note == "安全原因"


def test_detail_of_a_series_a_competition_and_a_cancelled_one(
    tree: Any, organiser: Any, make_user: Any
) -> None:
    client = _client(organiser)
    series = make_activity(unit=tree.a, actor=organiser, kind=Kind.RETREAT, capacity=None, title="疗休养")
    batch = Activity.objects.create(
        series=series,
        title="第一批",
        kind=Kind.RETREAT,
        organiser_unit=tree.a,
        starts_at=series.starts_at,
        ends_at=series.ends_at,
        registration_opens_at=series.registration_opens_at,
        registration_closes_at=series.registration_closes_at,
        status=Activity.Status.PUBLISHED,
        capacity=20,
        created_by=organiser,
    )
    page = client.get(reverse("activities:console_detail", args=[series.pk])).content.decode()
    assert 'id="batch-summary"' in page and "第一批" in page
    page = client.get(reverse("activities:console_detail", args=[batch.pk])).content.decode()
    assert "A batch of" in page and "疗休养" in page
    assert client.get(reverse("activities:console_batches", args=[batch.pk])).status_code == 302
    judge = make_user(name="评委乙")
    competition = make_activity(unit=tree.a, actor=organiser, kind=Kind.COMPETITION)
    competition.judges.add(judge)
    page = client.get(reverse("activities:console_detail", args=[competition.pk])).content.decode()
    assert 'id="judges"' in page and "评委乙" in page
    cancelled = make_activity(
        unit=tree.a, actor=organiser, status=Activity.Status.CANCELLED, cancel_reason="暴雨"
    )
    page = client.get(reverse("activities:console_detail", args=[cancelled.pk])).content.decode()
    assert 'id="cancel-reason"' in page and "暴雨" in page and 'id="publish"' not in page
    assert client.get(reverse("activities:console_edit", args=[cancelled.pk])).status_code == 302


def test_viewers_without_manage_see_no_actions(tree: Any, organiser: Any, make_user: Any) -> None:
    chair = make_user("union_chair", tree.a)
    activity = make_activity(unit=tree.a, actor=organiser, status=Activity.Status.DRAFT)
    page = _client(chair).get(reverse("activities:console_detail", args=[activity.pk])).content.decode()
    assert 'id="publish"' not in page and 'id="save-quota"' not in page
    assert _client(chair).post(reverse("activities:console_publish", args=[activity.pk])).status_code == 403
