"""Check-in and attendance services: the scan's rules and refusals, double scans, check-out, the daily
sheet (one row per registration or child and day; saving again updates), training hours and the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.activities.models import Attendance, Kind, Registration
from smartunion.activities.selectors import checkin as selectors
from smartunion.activities.services import checkin as services
from smartunion.activities.services.checkin import Mark
from smartunion.core.models import AuditEntry
from smartunion.members.models import ServiceRecord

from .checkin_support import add_child, register, running_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree: Any, make_user: Any, make_person: Any) -> Any:
    organiser = make_user("subunion_chair", tree.a, name="组织者")
    activity = running_activity(unit=tree.a, actor=organiser, title="教工羽毛球赛")
    person = make_person(tree.a1, name="王芳")
    registration = register(activity, person, by=organiser)
    return organiser, activity, person, registration


def test_check_in_records_the_time_audits_and_writes_the_ledger_once(setup: Any) -> None:
    organiser, activity, person, registration = setup
    at = timezone.now()
    outcome = services.check_in(actor=organiser, activity=activity, token=registration.token, now=at)
    assert not outcome.already
    assert outcome.message == f"Checked in at {timezone.localtime(at):%H:%M}."
    registration.refresh_from_db()
    assert registration.checked_in_at == at
    assert (
        AuditEntry.objects.filter(action="activities.checked_in", target_id=str(registration.pk)).count() == 1
    )
    records = ServiceRecord.objects.filter(person=person, kind="activities.attended")
    assert [r.key for r in records] == [f"activities.attended:{registration.pk}"]
    assert "教工羽毛球赛" in records[0].title


def test_a_second_scan_is_harmless(setup: Any) -> None:
    organiser, activity, _person, registration = setup
    first = timezone.now() - dt.timedelta(minutes=5)
    services.check_in(actor=organiser, activity=activity, token=registration.token, now=first)
    audits = AuditEntry.objects.count()
    again = services.check_in(actor=organiser, activity=activity, token=registration.token)
    assert again.already
    assert again.registration.pk == registration.pk
    assert again.message == f"Scanned again: already checked in at {timezone.localtime(first):%H:%M}."
    registration.refresh_from_db()
    assert registration.checked_in_at == first  # not moved
    assert AuditEntry.objects.count() == audits
    assert ServiceRecord.objects.filter(kind="activities.attended").count() == 1


def test_a_url_carrying_the_token_is_understood(setup: Any) -> None:
    organiser, activity, _person, registration = setup
    outcome = services.check_in(
        actor=organiser, activity=activity, token=f"https://x.test/m/?token={registration.token}"
    )
    assert outcome.registration.pk == registration.pk


@pytest.mark.parametrize("token", ["", "   ", "no-such-token"])
def test_unknown_or_empty_codes_are_refused(setup: Any, token: str) -> None:
    organiser, activity, _person, _registration = setup
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=organiser, activity=activity, token=token)
    assert "code" in error.value.messages[0]


def test_a_code_of_another_activity_is_refused(setup: Any, tree: Any, make_person: Any) -> None:
    organiser, activity, _person, _registration = setup
    other = running_activity(unit=tree.a, actor=organiser, title="乒乓球赛")
    theirs = register(other, make_person(tree.a), by=organiser)
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=organiser, activity=activity, token=theirs.token)
    # One generic answer: the other activity's title is not disclosed.
    assert error.value.messages == ["This code is not for this activity."]
    assert "乒乓球赛" not in " ".join(error.value.messages)
    theirs.refresh_from_db()
    assert theirs.checked_in_at is None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Registration.Status.WAITLISTED, "On the waiting list — not confirmed."),
        (Registration.Status.OFFERED, "On the waiting list — not confirmed."),
        (Registration.Status.PENDING, "Not confirmed: the registration is Awaiting the draw or approval."),
        (Registration.Status.CANCELLED, "Not confirmed"),
    ],
)
def test_unconfirmed_registrations_are_refused(
    setup: Any, tree: Any, make_person: Any, status: str, message: str
) -> None:
    organiser, activity, _person, _registration = setup
    waiting = register(activity, make_person(tree.a), by=organiser, status=status)
    with pytest.raises(ValidationError) as error:
        services.check_in(actor=organiser, activity=activity, token=waiting.token)
    assert error.value.messages[0].startswith(message)
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


def test_check_in_opens_two_hours_before_the_start_and_closes_at_the_end(
    tree: Any, make_user: Any, make_person: Any
) -> None:
    organiser = make_user("subunion_chair", tree.a)
    now = timezone.now()
    activity = running_activity(
        unit=tree.a,
        actor=organiser,
        starts_at=now + dt.timedelta(hours=3),
        ends_at=now + dt.timedelta(hours=5),
    )
    registration = register(activity, make_person(tree.a), by=organiser)
    with pytest.raises(ValidationError, match="two hours before the start"):
        services.check_in(actor=organiser, activity=activity, token=registration.token)
    services.check_in(
        actor=organiser,
        activity=activity,
        token=registration.token,
        now=now + dt.timedelta(hours=1, minutes=1),
    )
    late = register(activity, make_person(tree.a), by=organiser)
    with pytest.raises(ValidationError, match="has ended"):
        services.check_in(
            actor=organiser, activity=activity, token=late.token, now=now + dt.timedelta(hours=5, minutes=1)
        )


def test_a_cancelled_activity_is_not_open_for_check_in(setup: Any) -> None:
    organiser, activity, _person, registration = setup
    activity.status = activity.Status.CANCELLED
    activity.save()
    with pytest.raises(ValidationError, match="not open for check-in"):
        services.check_in(actor=organiser, activity=activity, token=registration.token)


def test_only_check_in_holders_covering_the_organiser_unit_scan(
    setup: Any, tree: Any, make_user: Any
) -> None:
    _organiser, activity, _person, registration = setup
    for outsider in (make_user("subunion_chair", tree.b), make_user("union_chair", tree.root), make_user()):
        with pytest.raises(PermissionDenied):
            services.check_in(actor=outsider, activity=activity, token=registration.token)
    school = make_user("union_staff", tree.root)
    assert not services.check_in(actor=school, activity=activity, token=registration.token).already
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_check_out_after_check_in_and_twice_is_harmless(setup: Any) -> None:
    organiser, activity, _person, registration = setup
    with pytest.raises(ValidationError, match="Not checked in yet"):
        services.check_out(actor=organiser, activity=activity, token=registration.token)
    services.check_in(actor=organiser, activity=activity, token=registration.token)
    out = services.check_out(actor=organiser, activity=activity, token=registration.token)
    assert not out.already and out.message.startswith("Checked out at")
    registration.refresh_from_db()
    left = registration.checked_out_at
    assert left is not None
    again = services.check_out(actor=organiser, activity=activity, token=registration.token)
    assert again.already and "already checked out" in again.message
    registration.refresh_from_db()
    assert registration.checked_out_at == left
    assert AuditEntry.objects.filter(action="activities.checked_out").count() == 1


def test_counts_and_search(setup: Any, tree: Any, make_person: Any) -> None:
    organiser, activity, _person, registration = setup
    register(activity, make_person(tree.a, name="李雷", staff_no="S9001"), by=organiser)
    register(activity, make_person(tree.a, name="韩梅"), by=organiser, status=Registration.Status.WAITLISTED)
    services.check_in(actor=organiser, activity=activity, token=registration.token)
    counts = selectors.counts(activity)
    assert (counts.checked_in, counts.confirmed) == (1, 2)
    assert [r.person.name for r in selectors.search(activity, "李")] == ["李雷"]
    assert [r.person.name for r in selectors.search(activity, "S9001")] == ["李雷"]
    assert selectors.search(activity, "韩梅") == []  # waitlisted: not on the check-in list
    assert [r.pk for r in selectors.search(activity, registration.token)] == [registration.pk]


# -- attendance ------------------------------------------------------------------------------------------


@pytest.fixture
def childcare(tree: Any, make_user: Any, make_person: Any) -> Any:
    organiser = make_user("union_staff", tree.root, name="托管老师")
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=3), dt.time(8, 0)))
    activity = running_activity(
        unit=tree.root,
        actor=organiser,
        title="矿小苗暑期托管",
        kind=Kind.CHILDCARE,
        starts_at=start,
        ends_at=start + dt.timedelta(days=20, hours=9),
    )
    parent = make_person(tree.a, name="张敏")
    registration = register(activity, parent, by=organiser, quantity=2)
    first = add_child(registration, "张小一", 7)
    second = add_child(registration, "张小二", 9)
    return organiser, activity, registration, first, second


def test_attendance_is_one_row_per_child_and_day_and_saving_again_updates(childcare: Any) -> None:
    organiser, activity, registration, first, second = childcare
    day = timezone.localdate() - dt.timedelta(days=1)
    marks = [
        Mark(registration.pk, first.pk, True, dt.time(8, 5), dt.time(17, 0)),
        Mark(registration.pk, second.pk, False),
    ]
    assert services.attendance_mark(actor=organiser, activity=activity, day=day, marks=marks) == 1
    assert Attendance.objects.count() == 2
    row = Attendance.objects.get(participant=first, day=day)
    assert timezone.localtime(row.checked_in_at).time() == dt.time(8, 5)
    again = [Mark(registration.pk, first.pk, True, dt.time(8, 20)), Mark(registration.pk, second.pk, True)]
    assert services.attendance_mark(actor=organiser, activity=activity, day=day, marks=again) == 2
    assert Attendance.objects.count() == 2
    row.refresh_from_db()
    assert timezone.localtime(row.checked_in_at).time() == dt.time(8, 20)
    assert row.checked_out_at is None
    assert Attendance.objects.get(participant=second, day=day).present
    grid = selectors.month_grid(activity, day.replace(day=1))
    names = [row.name for row, _marks, _count in grid.rows]
    assert names == ["张小一", "张小二"]
    # The member is written to the ledger once however many days and children.
    services.attendance_mark(actor=organiser, activity=activity, day=timezone.localdate(), marks=again)
    assert ServiceRecord.objects.filter(kind="activities.attended").count() == 1
    assert AuditEntry.objects.filter(action="activities.attendance.saved").count() == 3


def test_an_absent_child_keeps_no_times(childcare: Any) -> None:
    organiser, activity, registration, first, _second = childcare
    day = timezone.localdate()
    services.attendance_mark(
        actor=organiser,
        activity=activity,
        day=day,
        marks=[Mark(registration.pk, first.pk, False, dt.time(8, 0))],
    )
    row = Attendance.objects.get()
    assert (row.present, row.checked_in_at) == (False, None)
    assert not ServiceRecord.objects.exists()


def test_attendance_refuses_days_outside_the_activity_and_the_future(childcare: Any) -> None:
    organiser, activity, registration, first, _second = childcare
    marks = [Mark(registration.pk, first.pk, True)]
    start = timezone.localtime(activity.starts_at).date()
    with pytest.raises(ValidationError, match="not a day of this activity"):
        services.attendance_mark(
            actor=organiser, activity=activity, day=start - dt.timedelta(days=1), marks=marks
        )
    with pytest.raises(ValidationError, match="still to come"):
        services.attendance_mark(
            actor=organiser, activity=activity, day=timezone.localdate() + dt.timedelta(days=1), marks=marks
        )
    assert not Attendance.objects.exists()


def test_attendance_refuses_rows_of_others_and_reversed_times(
    childcare: Any, tree: Any, make_person: Any
) -> None:
    organiser, activity, registration, first, _second = childcare
    day = timezone.localdate()
    waiting = register(activity, make_person(tree.a), by=organiser, status=Registration.Status.WAITLISTED)
    with pytest.raises(ValidationError, match="not a confirmed registration"):
        services.attendance_mark(
            actor=organiser, activity=activity, day=day, marks=[Mark(waiting.pk, None, True)]
        )
    other = register(activity, make_person(tree.a), by=organiser)
    with pytest.raises(ValidationError, match="not a participant of that registration"):
        services.attendance_mark(
            actor=organiser, activity=activity, day=day, marks=[Mark(other.pk, first.pk, True)]
        )
    with pytest.raises(ValidationError, match="before the time of arriving"):
        services.attendance_mark(
            actor=organiser,
            activity=activity,
            day=day,
            marks=[Mark(registration.pk, first.pk, True, dt.time(17, 0), dt.time(8, 0))],
        )
    assert not Attendance.objects.exists()


def test_attendance_needs_the_check_in_permission(childcare: Any, tree: Any, make_user: Any) -> None:
    _organiser, activity, registration, first, _second = childcare
    sub = make_user("subunion_chair", tree.a)  # the school union organised it: outside a sub-union's scope
    with pytest.raises(PermissionDenied):
        services.attendance_mark(
            actor=sub,
            activity=activity,
            day=timezone.localdate(),
            marks=[Mark(registration.pk, first.pk, True)],
        )


def test_training_hours_from_days_present_or_check_in(tree: Any, make_user: Any, make_person: Any) -> None:
    organiser = make_user("union_staff", tree.root)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=2), dt.time(8, 30)))
    course = running_activity(
        unit=tree.root,
        actor=organiser,
        kind=Kind.TRAINING,
        title="工会干部培训班",
        hours=Decimal("6.0"),
        starts_at=start,
        ends_at=start + dt.timedelta(days=3),
    )
    trainee = register(course, make_person(tree.a), by=organiser)
    absent = register(course, make_person(tree.a), by=organiser)
    for offset in (2, 1):
        services.attendance_mark(
            actor=organiser,
            activity=course,
            day=today - dt.timedelta(days=offset),
            marks=[Mark(trainee.pk, None, True), Mark(absent.pk, None, False)],
        )
    assert selectors.hours_of(trainee) == Decimal("12.0")
    assert selectors.hours_of(absent) == Decimal("0")
    lecture = running_activity(unit=tree.root, actor=organiser, kind=Kind.TRAINING, hours=Decimal("2.5"))
    once = register(lecture, make_person(tree.a), by=organiser)
    assert selectors.hours_of(once) == Decimal("0")
    services.check_in(actor=organiser, activity=lecture, token=once.token)
    once.refresh_from_db()
    assert selectors.hours_of(once) == Decimal("2.5")
    rows = selectors.export_rows(course)
    assert [row[6] for row in rows] == [2, 0]
    assert rows[0][7] == Decimal("12.0")
