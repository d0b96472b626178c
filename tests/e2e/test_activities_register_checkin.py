"""Activities in a real browser: a member browses the 活动 tab on a phone, registers in a few taps and shows
the check-in QR; the organiser opens the scan page on their phone and — the camera simulated by typing the
code under the QR — checks the member in; a second scan is harmless. Then the organiser's console page of a
lottery activity with its registrations after the draw. Screenshots: docs/screenshots/activities-1..5-*.png."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, User
from smartunion.activities.models import Activity, Kind, Registration
from smartunion.activities.services import registration as engine
from smartunion.members import services as member_services
from smartunion.members.models import Membership, Person, StaffCategory
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit

from .conftest import PHONE, assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Activities-e2e-2026!"


def _user(staff_no: str, name: str, role: str | None = None, unit: Any = None) -> User:
    user = User.objects.create_user(staff_no, name, PASSWORD)
    if role:
        account_services.role_assign(actor=None, user=user, role=Role.objects.get(code=role), unit=unit)
    return user


def _member(staff_no: str, name: str, unit: Any, sex: str = "F") -> Person:
    user = _user(staff_no, name)
    person = member_services.person_create(
        actor=None,
        staff_no=staff_no,
        name=name,
        sex=sex,
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=user,
    )
    Membership.objects.filter(person=person).update(status=Membership.Status.FULL)
    return Person.objects.select_related("unit", "user").get(pk=person.pk)


def _activity(unit: Any, actor: Any, **fields: Any) -> Activity:
    now = timezone.now()
    values: dict[str, Any] = {
        "organiser_unit": unit,
        "created_by": actor,
        "status": Activity.Status.PUBLISHED,
        "registration_opens_at": now - dt.timedelta(days=2),
        "registration_closes_at": now + dt.timedelta(days=3),
        "cancel_deadline": now + dt.timedelta(days=3),
    }
    values.update(fields)
    return Activity.objects.create(**values)


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    root = org_services.unit_create(
        actor=None, name="江海大学工会", code="H00", union_type=OrgUnit.UnionType.SCHOOL
    )
    branch = org_services.unit_create(
        actor=None, name="机械工程学院", code="H01", union_type=OrgUnit.UnionType.BRANCH, parent=root
    )
    other = org_services.unit_create(
        actor=None, name="外国语学院", code="H02", union_type=OrgUnit.UnionType.BRANCH, parent=root
    )
    office = _user("H1001", "郑干事", "union_staff", root)
    chair = _user("H1002", "吴主席", "subunion_chair", branch)
    member = _member("H2001", "王芳", branch)
    now = timezone.now()
    # Today's event: check-in opens two hours before its start.
    today = _activity(
        branch,
        chair,
        title="教工羽毛球联谊赛",
        kind=Kind.SPORTS,
        description="学院工会组织的羽毛球联谊赛，欢迎教工报名参加，现场提供球拍。",
        location="体育馆二楼羽毛球场",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=4),
        registration_closes_at=now + dt.timedelta(minutes=50),
        cancel_deadline=now + dt.timedelta(minutes=30),
        capacity=24,
    )
    _activity(
        root,
        office,
        title="2026年秋季疗休养（第一批）",
        kind=Kind.RETREAT,
        description="莫干山三日疗休养，抽签确定名额，近三年未参加者优先。",
        location="浙江 莫干山",
        starts_at=now + dt.timedelta(days=20),
        ends_at=now + dt.timedelta(days=22),
        allocation=Activity.Allocation.LOTTERY,
        lottery_priority="never_attended",
        capacity=40,
    )
    _activity(
        root,
        office,
        title="读书会：《乡土中国》",
        kind=Kind.LECTURE,
        location="图书馆报告厅",
        starts_at=now + dt.timedelta(days=6),
        ends_at=now + dt.timedelta(days=6, hours=2),
        capacity=60,
    )
    # Others already registered for today's event (the live counts show them).
    for index in range(5):
        person = _member(f"H3{index:03d}", f"教工{index + 1}", other if index % 2 else branch)
        outcome = engine.register(
            actor=person.user, activity=today, person=person, idempotency_key=f"e2e-today-{index}"
        )
        assert outcome.result == "confirmed"
    return {
        "root": root,
        "branch": branch,
        "other": other,
        "office": office,
        "chair": chair,
        "member": member,
        "today": today,
    }


def test_a_member_registers_on_the_phone_and_the_organiser_checks_them_in(
    world: dict[str, Any], phone: Any, browser: Any, live_server: Any
) -> None:
    activity = world["today"]
    page = phone
    login(page, live_server.url, world["member"].staff_no, PASSWORD)
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/m/activities/")
    page.wait_for_selector(f"#activity-{activity.pk}")
    assert_chinese_renders(page)
    assert "教工羽毛球联谊赛" in page.inner_text("#activity-cards")
    screenshot(page, "activities-1-portal-browse")

    page.click(f"#activity-{activity.pk} a")
    page.wait_for_url(re.compile(rf"/m/activities/{activity.pk}/$"))
    page.wait_for_selector("#register-button")
    screenshot(page, "activities-2-register")

    page.click("#register-button")
    page.wait_for_url(re.compile(r"/m/activities/registrations/\d+/"))
    page.wait_for_selector("#checkin-qr svg")
    assert page.get_attribute("#result-banner", "data-result") == "confirmed"
    registration = Registration.objects.get(activity=activity, person=world["member"])
    assert registration.status == Registration.Status.CONFIRMED
    assert page.inner_text("#checkin-token").strip() == registration.token
    screenshot(page, "activities-3-qr")

    # The organiser's phone: the scan page, the camera simulated by typing the code under the QR.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    organiser = context.new_page()
    login(organiser, live_server.url, world["chair"].staff_no, PASSWORD)
    organiser.wait_for_url(re.compile(r"/console/$"))
    organiser.goto(f"{live_server.url}/console/activities/{activity.pk}/scan/")
    assert organiser.inner_text("#count-checked-in") == "0"
    assert organiser.inner_text("#count-confirmed") == "6"
    token = page.inner_text("#checkin-token").strip()
    organiser.fill("#id_token", token)
    organiser.click("#scan-submit")
    organiser.wait_for_selector("#scan-result.scan-ok")
    assert organiser.inner_text("#scan-name") == "王芳"
    assert organiser.inner_text("#count-checked-in") == "1"
    registration.refresh_from_db()
    first = registration.checked_in_at
    assert first is not None
    assert timezone.localtime(first).strftime("%H:%M") in organiser.inner_text("#scan-message")

    organiser.fill("#id_token", token)
    organiser.click("#scan-submit")
    organiser.wait_for_selector("#scan-result.scan-again")
    registration.refresh_from_db()
    assert registration.checked_in_at == first  # the second scan wrote nothing
    assert organiser.inner_text("#count-checked-in") == "1"
    assert organiser.input_value("#id_token") == ""
    assert_chinese_renders(organiser)
    screenshot(organiser, "activities-4-scan")

    # A code of a member on no list is refused on the page, in words.
    organiser.fill("#id_token", "not-a-code")
    organiser.click("#scan-submit")
    organiser.wait_for_selector("#scan-result.scan-error")
    context.close()


def test_the_organiser_sees_the_registrations_and_draws_the_lottery(
    world: dict[str, Any], desktop: Any, live_server: Any
) -> None:
    now = timezone.now()
    trip = _activity(
        world["root"],
        world["office"],
        title="2026年冬季微休养（第二批）",
        kind=Kind.RETREAT,
        location="江苏 溧阳",
        starts_at=now + dt.timedelta(days=30),
        ends_at=now + dt.timedelta(days=31),
        allocation=Activity.Allocation.LOTTERY,
        capacity=4,
        lottery_seed="2026-winter-2",
    )
    for index in range(9):
        unit = world["branch"] if index % 3 else world["other"]
        person = _member(f"H4{index:03d}", f"申请人{index + 1}", unit, sex="M" if index % 2 else "F")
        outcome = engine.register(
            actor=person.user, activity=trip, person=person, idempotency_key=f"e2e-trip-{index}"
        )
        assert outcome.result == "pending"
    Activity.objects.filter(pk=trip.pk).update(registration_closes_at=now - dt.timedelta(minutes=5))

    page = desktop
    login(page, live_server.url, world["office"].staff_no, PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.goto(f"{live_server.url}/console/activities/{trip.pk}/lottery/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#draw")
    page.wait_for_selector("#drawn")
    assert Registration.objects.filter(activity=trip, status=Registration.Status.CONFIRMED).count() == 4
    # The others are not drawn (or wait in the drawn order for a freed place); nobody is left pending.
    others = Registration.objects.filter(activity=trip).exclude(status=Registration.Status.CONFIRMED)
    assert others.count() == 5
    assert not others.filter(status=Registration.Status.PENDING).exists()
    page.goto(f"{live_server.url}/console/activities/{trip.pk}/")
    page.wait_for_selector("#numbers")
    assert "2026年冬季微休养" in page.inner_text("h1")
    assert_chinese_renders(page)
    screenshot(page, "activities-5-console-activity")
