"""公示 in the portal: only the name, the unit and the objection deadline; objections only in the window."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.hardship.models import HardshipFile, Objection
from smartunion.hardship.selectors.notices import current_notices

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="帮扶经办")


@pytest.fixture
def in_notice(make_person: Any, officer: Any, tree: Any) -> HardshipFile:
    person = make_person(unit=tree.a, name="陈静")
    return factories.make_file(
        person=person,
        actor=officer,
        status=HardshipFile.Status.NOTICE,
        cause=HardshipFile.Cause.DISABILITY,
        incomes=("12345", "0", "0"),
        medical="67890",
    )


@pytest.fixture
def viewer(make_user: Any, tree: Any) -> Client:
    client = Client()
    client.force_login(make_user("member", tree.b, name="旁观者"))
    return client


def test_current_notices_only_files_in_their_window(
    in_notice: HardshipFile, make_person: Any, officer: Any, tree: Any
) -> None:
    today = timezone.localdate()
    ended = factories.make_file(person=make_person(unit=tree.b, name="过期"), actor=officer, status="notice")
    HardshipFile.objects.filter(pk=ended.pk).update(
        notice_starts_on=today - dt.timedelta(days=10), notice_ends_on=today - dt.timedelta(days=1)
    )
    future = factories.make_file(person=make_person(unit=tree.b, name="未来"), actor=officer, status="notice")
    HardshipFile.objects.filter(pk=future.pk).update(
        notice_starts_on=today + dt.timedelta(days=1), notice_ends_on=today + dt.timedelta(days=6)
    )
    factories.make_file(person=make_person(unit=tree.b, name="在档"), actor=officer, status="active")
    lines = current_notices()
    assert [line.name for line in lines] == ["陈静"]
    assert lines[0].unit == "机械工程学院" and lines[0].ends_on == in_notice.notice_ends_on
    assert set(vars(lines[0])) == {"pk", "name", "unit", "starts_on", "ends_on"}  # nothing more to render
    assert [line.name for line in current_notices(today + dt.timedelta(days=2))] == ["陈静", "未来"]


def test_notice_page_shows_only_name_unit_and_deadline(in_notice: HardshipFile, viewer: Client) -> None:
    response = viewer.get(reverse("hardship:portal_notices"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "陈静" in body and "机械工程学院" in body
    assert in_notice.notice_ends_on is not None and in_notice.notice_ends_on.isoformat() in body
    # PIPL minimum: no category, cause, figures, circumstances, household.
    for absent in (
        "Disability",
        "残疾",
        in_notice.get_category_display(),
        "12345",
        "12,345",
        "67890",
        "67,890",
        "家人患病",
        "家属1",
        "慢性病",
        in_notice.number,
    ):
        assert str(absent) not in body, absent


def test_notice_page_needs_a_login(in_notice: HardshipFile) -> None:
    response = Client().get(reverse("hardship:portal_notices"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_objection_is_recorded_in_the_window(in_notice: HardshipFile, viewer: Client) -> None:
    url = reverse("hardship:portal_notice_object", args=[in_notice.pk])
    page = viewer.get(url)
    assert page.status_code == 200 and "陈静" in page.content.decode()
    assert "12345" not in page.content.decode()
    empty = viewer.post(url, {"text": "  "})
    assert empty.status_code == 200 and not Objection.objects.exists()
    response = viewer.post(url, {"text": "其配偶有经营收入未申报"})
    assert response.status_code == 302 and response["Location"] == reverse("hardship:portal_notices")
    objection = Objection.objects.get(file=in_notice)
    assert objection.text == "其配偶有经营收入未申报" and objection.upheld is None


def test_no_objection_outside_the_window(
    in_notice: HardshipFile, viewer: Client, make_person: Any, officer: Any, tree: Any
) -> None:
    today = timezone.localdate()
    HardshipFile.objects.filter(pk=in_notice.pk).update(
        notice_starts_on=today - dt.timedelta(days=8), notice_ends_on=today - dt.timedelta(days=1)
    )
    url = reverse("hardship:portal_notice_object", args=[in_notice.pk])
    assert viewer.get(url).status_code == 404
    assert viewer.post(url, {"text": "迟到的异议"}).status_code == 404
    active = factories.make_file(person=make_person(unit=tree.b), actor=officer, status="active")
    assert (
        viewer.post(reverse("hardship:portal_notice_object", args=[active.pk]), {"text": "x"}).status_code
        == 404
    )
    assert not Objection.objects.exists()


def test_empty_notice_page(viewer: Client) -> None:
    response = viewer.get(reverse("hardship:portal_notices"))
    assert response.status_code == 200 and "No public notice now" in response.content.decode()
