"""The check-in, attendance, results and summary pages: what each shows and what each POST does."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.activities.models import Attendance, Kind, Photo, Registration, Result, Score
from smartunion.activities.services import checkin as checkin_services
from smartunion.activities.services import results as result_services

from .checkin_support import add_child, register, running_activity

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def world(tree: Any, make_user: Any, make_person: Any) -> Any:
    organiser = make_user("subunion_chair", tree.a, name="组织者")
    activity = running_activity(unit=tree.a, actor=organiser, title="教工羽毛球赛")
    member = make_person(tree.a1, name="王芳", staff_no="S1001")
    registration = register(activity, member, by=organiser)
    waiting = register(
        activity, make_person(tree.a, name="李静"), by=organiser, status=Registration.Status.WAITLISTED
    )
    client = Client()
    client.force_login(organiser)
    return type(
        "World",
        (),
        {
            "organiser": organiser,
            "activity": activity,
            "registration": registration,
            "waiting": waiting,
            "client": client,
        },
    )


def _url(name: str, activity: Any, **extra: Any) -> str:
    return reverse(f"activities:{name}", kwargs={"pk": activity.pk, **extra})


def test_scan_page_shows_counts_and_the_manual_search(world: Any) -> None:
    response = world.client.get(_url("checkin_scan", world.activity))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="scan-form"' in page and "activities/scan.js" in page
    assert 'id="count-checked-in">0<' in page and 'id="count-confirmed">1<' in page
    found = world.client.get(_url("checkin_scan", world.activity), {"q": "王"}).content.decode()
    assert "王芳" in found and world.registration.token in found
    waiting = world.client.get(_url("checkin_scan", world.activity), {"q": "李静"}).content.decode()
    assert "No confirmed participant matches." in waiting and world.waiting.token not in waiting


def test_scan_answers_json_for_the_script(world: Any) -> None:
    url = _url("checkin_scan_submit", world.activity)
    response = world.client.post(url, {"token": world.registration.token}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and not data["already"]
    assert data["registration"]["name"] == "王芳"
    assert data["counts"] == {"checked_in": 1, "confirmed": 1}
    again = world.client.post(url, {"token": world.registration.token}, HTTP_ACCEPT="application/json").json()
    assert again["ok"] and again["already"] and "already checked in at" in again["message"]
    refused = world.client.post(url, {"token": world.waiting.token}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400
    assert refused.json() == {
        "ok": False,
        "already": False,
        "message": "On the waiting list — not confirmed.",
        "counts": {"checked_in": 1, "confirmed": 1},
    }
    out = world.client.post(
        url, {"token": world.registration.token, "action": "out"}, HTTP_ACCEPT="application/json"
    ).json()
    assert out["ok"] and out["registration"]["checked_out"]


def test_scan_without_script_renders_the_page_with_the_result(world: Any) -> None:
    child = add_child(world.registration, "王小宝")
    url = _url("checkin_scan_submit", world.activity)
    response = world.client.post(url, {"token": world.registration.token})
    assert response.status_code == 200
    page = response.content.decode()
    assert "scan-ok" in page and "Checked in at" in page and child.name in page
    bad = world.client.post(url, {"token": "nope"})
    assert bad.status_code == 400 and "Unknown check-in code" in bad.content.decode()
    empty = world.client.post(url, {"token": ""})
    assert empty.status_code == 400
    assert world.client.get(url).status_code == 405


def test_scan_pages_of_another_sub_union_are_not_found(world: Any, tree: Any, make_user: Any) -> None:
    stranger = make_user("subunion_chair", tree.b)
    client = Client()
    client.force_login(stranger)
    assert client.get(_url("checkin_scan", world.activity)).status_code == 404
    url = _url("checkin_scan_submit", world.activity)
    assert client.post(url, {"token": world.registration.token}).status_code == 404
    world.registration.refresh_from_db()
    assert world.registration.checked_in_at is None


@pytest.fixture
def childcare(tree: Any, make_user: Any, make_person: Any) -> Any:
    organiser = make_user("subunion_chair", tree.a)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=2), dt.time(8, 0)))
    activity = running_activity(
        unit=tree.a,
        actor=organiser,
        kind=Kind.CHILDCARE,
        title="暑期托管班",
        starts_at=start,
        ends_at=start + dt.timedelta(days=10, hours=9),
    )
    registration = register(activity, make_person(tree.a, name="赵敏"), by=organiser, quantity=2)
    first, second = add_child(registration, "赵一"), add_child(registration, "赵二")
    client = Client()
    client.force_login(organiser)
    return client, activity, registration, first, second


def test_attendance_sheet_saves_and_shows_again(childcare: Any) -> None:
    client, activity, registration, first, second = childcare
    day = timezone.localdate()
    url = _url("attendance_sheet", activity)
    page = client.get(url, {"day": day.isoformat()}).content.decode()
    assert "赵一" in page and "赵二" in page and f"present-r{registration.pk}-p{first.pk}" in page
    response = client.post(
        url,
        {
            "day": day.isoformat(),
            f"present-r{registration.pk}-p{first.pk}": "on",
            f"in-r{registration.pk}-p{first.pk}": "08:10",
            f"out-r{registration.pk}-p{first.pk}": "17:30",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?day={day.isoformat()}")
    assert Attendance.objects.filter(day=day).count() == 2
    assert Attendance.objects.get(participant=first).present
    assert not Attendance.objects.get(participant=second).present
    page = client.get(url, {"day": day.isoformat()}).content.decode()
    assert 'value="08:10"' in page and 'value="17:30"' in page
    bad = client.post(url, {"day": day.isoformat(), f"in-r{registration.pk}-p{first.pk}": "8点"})
    assert bad.status_code == 400 and "is not a time" in bad.content.decode()


def test_attendance_month_grid_and_export(childcare: Any) -> None:
    client, activity, registration, first, second = childcare
    organiser = activity.created_by
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    checkin_services.attendance_mark(
        actor=organiser,
        activity=activity,
        day=yesterday,
        marks=[
            checkin_services.Mark(registration.pk, first.pk, True),
            checkin_services.Mark(registration.pk, second.pk, False),
        ],
    )
    month = client.get(_url("attendance_month", activity), {"month": yesterday.strftime("%Y-%m")})
    assert month.status_code == 200
    grid = month.content.decode()
    assert 'id="month-grid"' in grid and "✓" in grid and "✗" in grid
    export = client.get(_url("attendance_export", activity))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[1]
    assert header[:4] == ["Unit", "Staff number", "Member", "Child"]
    data = values[2:]
    assert [(row[3], row[6]) for row in data] == [("赵一", 1), ("赵二", 0)]


@pytest.fixture
def contest(tree: Any, make_user: Any, make_person: Any) -> Any:
    organiser = make_user("subunion_chair", tree.a)
    activity = running_activity(unit=tree.a, actor=organiser, kind=Kind.COMPETITION, title="教学技能竞赛")
    judge = make_user(name="评委甲")
    activity.judges.add(judge)
    entries = [register(activity, make_person(tree.a, name=n), by=organiser) for n in ("钱一", "孙二")]
    return organiser, judge, activity, entries


def test_a_judge_scores_on_the_results_page(contest: Any, make_user: Any) -> None:
    _organiser, judge, activity, (a, b) = contest
    client = Client()
    client.force_login(judge)
    page = client.get(_url("results", activity))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="scores-form"' in text and 'id="publish-form"' not in text
    response = client.post(_url("results_scores", activity), {f"score-{a.pk}": "88.5", f"score-{b.pk}": ""})
    assert response.status_code == 302
    assert Score.objects.get(registration=a).score == 88.5
    bad = client.post(_url("results_scores", activity), {f"score-{a.pk}": "abc"})
    assert bad.status_code == 400 and "is not a score" in bad.content.decode()
    outsider = Client()
    outsider.force_login(make_user(name="路人"))
    assert outsider.get(_url("results", activity)).status_code == 403
    assert outsider.post(_url("results_scores", activity), {f"score-{a.pk}": "1"}).status_code == 403


def test_the_organiser_sees_the_ranking_publishes_exports_and_takes_back(contest: Any) -> None:
    organiser, judge, activity, (a, b) = contest
    result_services.scores_save(actor=judge, activity=activity, scores={a.pk: "90", b.pk: "95"})
    client = Client()
    client.force_login(organiser)
    page = client.get(_url("results", activity)).content.decode()
    assert 'id="ranking"' in page and "95.00" in page and 'id="scores-form"' not in page
    assert client.post(_url("results_scores", activity), {f"score-{a.pk}": "1"}).status_code == 403
    response = client.post(_url("results_publish", activity), {f"award-{b.pk}": "一等奖"})
    assert response.status_code == 302
    assert Result.objects.get(registration=b).award == "一等奖"
    page = client.get(_url("results", activity)).content.decode()
    assert 'id="published-results"' in page
    export = client.get(_url("results_export", activity))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[3][0] == 1 and rows[3][3] == "孙二" and rows[3][6] == "一等奖"
    assert client.post(_url("results_withdraw", activity), {"reason": ""}).status_code == 400
    assert client.post(_url("results_withdraw", activity), {"reason": "重新核分"}).status_code == 302
    assert not Result.objects.exists()


def test_ranks_entered_for_a_sports_event(tree: Any, make_user: Any, make_person: Any) -> None:
    organiser = make_user("subunion_chair", tree.a)
    games = running_activity(unit=tree.a, actor=organiser, kind=Kind.GAMES)
    entry = register(games, make_person(tree.a), by=organiser)
    client = Client()
    client.force_login(organiser)
    assert f'name="rank-{entry.pk}"' in client.get(_url("results", games)).content.decode()
    assert client.post(_url("results_publish", games), {f"rank-{entry.pk}": "x"}).status_code == 400
    assert (
        client.post(
            _url("results_publish", games), {f"rank-{entry.pk}": "1", f"award-{entry.pk}": "冠军"}
        ).status_code
        == 302
    )
    assert Result.objects.get().rank == 1


def test_summary_page_saves_text_and_photos_and_shows_them(world: Any, make_user: Any, tree: Any) -> None:
    url = _url("summary", world.activity)
    assert world.client.get(url).status_code == 200
    response = world.client.post(
        url,
        {
            "text": "比赛圆满结束。",
            "caption": "合影",
            "photos": [SimpleUploadedFile("合影.png", PNG, "image/png")],
        },
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    page = world.client.get(url).content.decode()
    assert reverse("activities:photo", args=[photo.pk]) in page
    bad = world.client.post(
        url, {"text": "x", "photos": [SimpleUploadedFile("a.gif", b"GIF89a", "image/gif")]}
    )
    assert bad.status_code == 400 and "is not a photo" in bad.content.decode()
    # Any logged-in member sees a published activity's photo.
    member = Client()
    member.force_login(make_user(name="会员"))
    shown = member.get(reverse("activities:photo", args=[photo.pk]))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png" and shown.content == PNG
    # A viewer who may not manage sees the page without the form; posting is refused.
    chair = Client()
    chair.force_login(make_user("union_chair", tree.root))
    assert 'id="summary-form"' not in chair.get(url).content.decode()
    assert chair.post(url, {"text": "篡改"}).status_code == 403
    delete = _url("summary_photo_delete", world.activity, photo_pk=photo.pk)
    assert world.client.post(delete).status_code == 302
    assert not Photo.objects.exists()


def test_photos_of_a_draft_are_hidden_from_members(world: Any, make_user: Any) -> None:
    world.activity.status = world.activity.Status.DRAFT
    world.activity.save()
    photo = Photo.objects.create(
        activity=world.activity,
        filename="a.png",
        content_type="image/png",
        size=len(PNG),
        content=PNG,
        uploaded_by=world.organiser,
    )
    member = Client()
    member.force_login(make_user(name="会员"))
    assert member.get(reverse("activities:photo", args=[photo.pk])).status_code == 404
    assert world.client.get(reverse("activities:photo", args=[photo.pk])).status_code == 200
