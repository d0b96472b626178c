"""The reviewer's findings on the activities: frozen allocation and waiting list, freed room to the waiting
list on a rise in places, quotas against the pool already used, participation counted from check-in or the
daily sheet, photo visibility, the generic answer to another activity's code, judges and their own entries,
403 for organising without the right, and the children required when children take part."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.activities.forms.portal import RegisterForm
from smartunion.activities.models import (
    Activity,
    Attendance,
    Invitation,
    Kind,
    Photo,
    Registration,
    Team,
    TeamMember,
    UnitQuota,
)
from smartunion.activities.selectors import stats
from smartunion.activities.services import activities as services
from smartunion.activities.services import registration as engine
from smartunion.activities.services import results as results_services

from . import registration_support as support
from .checkin_support import register as write_registration
from .checkin_support import running_activity
from .factories import make_activity

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会")


def _reg(activity: Activity, person: Any) -> Registration:
    outcome = engine.register(
        actor=person.user, activity=activity, person=person, idempotency_key=f"rf-{activity.pk}-{person.pk}"
    )
    assert outcome.registration is not None
    return outcome.registration


def _status(registration: Registration) -> str:
    return Registration.objects.get(pk=registration.pk).status


# -- 1. allocation and waiting list frozen; freed room to the waiting list ----------------------------------


def test_allocation_and_waitlist_are_frozen_once_anyone_registered(tree: Any, staff: Any) -> None:
    activity = make_activity(unit=tree.root, actor=staff, capacity=5)
    # Before anyone registered, both may change.
    services.activity_update(actor=staff, activity=activity, waitlist=False)
    services.activity_update(actor=staff, activity=activity, waitlist=True)
    _reg(activity, support.member(tree.a))
    with pytest.raises(ValidationError) as error:
        services.activity_update(actor=staff, activity=activity, allocation=Activity.Allocation.APPROVAL)
    assert error.value.message_dict["allocation"] == [
        "People have registered: the way places are allocated can no longer change."
    ]
    with pytest.raises(ValidationError) as error:
        services.activity_update(actor=staff, activity=activity, waitlist=False)
    assert "waiting list can no longer" in error.value.message_dict["waitlist"][0]
    activity.refresh_from_db()
    assert (activity.allocation, activity.waitlist) == (Activity.Allocation.FIRST_COME, True)


def test_more_places_go_to_the_waiting_list_before_newcomers(tree: Any, staff: Any) -> None:
    activity = make_activity(unit=tree.root, actor=staff, capacity=1)
    entries = [_reg(activity, support.member(tree.a)) for _ in range(3)]
    assert [_status(e) for e in entries] == ["confirmed", "waitlisted", "waitlisted"]
    services.activity_update(actor=staff, activity=activity, capacity=2)
    assert [_status(e) for e in entries] == ["confirmed", "offered", "waitlisted"]
    assert support.counters(activity)[0] == 2  # the offer holds the new place
    newcomer = support.member(tree.a)
    late = engine.register(actor=newcomer.user, activity=activity, person=newcomer, idempotency_key="late")
    assert late.result == "waitlisted"


def test_unlimited_places_offer_to_the_whole_waiting_list(tree: Any, staff: Any) -> None:
    activity = make_activity(unit=tree.root, actor=staff, capacity=1)
    entries = [_reg(activity, support.member(tree.a)) for _ in range(3)]
    services.activity_update(actor=staff, activity=activity, capacity=None)
    assert [_status(e) for e in entries] == ["confirmed", "offered", "offered"]


# -- 2. quotas and places against the pool already used ------------------------------------------------------


def test_a_quota_counts_the_places_taken_from_the_pool(tree: Any, staff: Any) -> None:
    activity = make_activity(unit=tree.root, actor=staff, capacity=4)
    for _ in range(3):
        _reg(activity, support.member(tree.a))
    assert support.counters(activity)[:2] == (3, 3)
    with pytest.raises(ValidationError) as error:
        services.quota_set(actor=staff, activity=activity, unit=tree.b, places=2)
    assert "3 places are already taken from the common pool" in error.value.message_dict["places"][0]
    assert not UnitQuota.objects.filter(activity=activity).exists()
    services.quota_set(actor=staff, activity=activity, unit=tree.b, places=1)
    assert UnitQuota.objects.get(activity=activity).places == 1


def test_places_cannot_go_below_the_pool_used_and_the_quotas(tree: Any, staff: Any) -> None:
    activity = make_activity(unit=tree.root, actor=staff, capacity=10)
    services.quota_set(actor=staff, activity=activity, unit=tree.b, places=5)
    for _ in range(3):
        _reg(activity, support.member(tree.a))
    assert support.counters(activity)[:2] == (3, 3)
    with pytest.raises(ValidationError) as error:
        services.activity_update(actor=staff, activity=activity, capacity=7)
    assert error.value.message_dict["capacity"] == [
        "3 places are taken from the common pool and the unit quotas reserve 5: "
        "the activity needs at least 8 places."
    ]
    services.activity_update(actor=staff, activity=activity, capacity=8)
    assert Activity.objects.get(pk=activity.pk).capacity == 8


# -- 3. participation from check-in or the daily sheet --------------------------------------------------------


def test_childcare_marked_present_on_the_sheet_counts_as_participation(
    tree: Any, staff: Any, make_user: Any
) -> None:
    year = timezone.localdate().year
    start = timezone.make_aware(dt.datetime(year, 1, 10, 8))
    care = make_activity(
        unit=tree.root,
        actor=staff,
        kind=Kind.CHILDCARE,
        participants=Activity.Participants.DEPENDANTS,
        dependant_min_age=6,
        dependant_max_age=12,
        status=Activity.Status.FINISHED,
        starts_at=start,
        ends_at=start + dt.timedelta(days=14),
        registration_opens_at=start - dt.timedelta(days=20),
        registration_closes_at=start - dt.timedelta(days=5),
        cancel_deadline=None,
    )
    present, absent, nothing = (support.member(tree.a1) for _ in range(3))
    sheet = write_registration(care, present, by=staff)
    Attendance.objects.create(registration=sheet, day=start.date(), present=True, recorded_by=staff)
    away = write_registration(care, absent, by=staff)
    Attendance.objects.create(registration=away, day=start.date(), present=False, recorded_by=staff)
    write_registration(care, nothing, by=staff)
    report = stats.participation(user=staff, year=year)
    rows = {row.unit.pk: row for row in report.units}
    assert (rows[tree.a.pk].participants, rows[tree.a.pk].registrations) == (1, 3)
    kinds = {row.kind: row for row in report.kinds}
    assert (kinds[Kind.CHILDCARE].participants, kinds[Kind.CHILDCARE].registrations) == (1, 3)
    assert (kinds[Kind.CHILDCARE].finished_confirmed, kinds[Kind.CHILDCARE].no_shows) == (3, 2)
    assert report.total is not None and report.total.participants == 1
    assert report.months[0].participants == 1 and report.months[0].registrations == 3


# -- 4. photos as visible as the activity ----------------------------------------------------------------------


def _photo(activity: Activity, by: Any) -> Photo:
    return Photo.objects.create(
        activity=activity,
        filename="a.png",
        content_type="image/png",
        size=len(PNG),
        content=PNG,
        uploaded_by=by,
    )


def _get_photo(user: Any, photo: Photo) -> int:
    client = Client()
    client.force_login(user)
    return client.get(reverse("activities:photo", args=[photo.pk])).status_code


def test_photos_of_a_subtree_activity_follow_its_visibility(tree: Any, staff: Any, make_user: Any) -> None:
    activity = make_activity(
        unit=tree.root, actor=staff, visibility=Activity.Visibility.SUBTREE, visibility_unit=tree.b
    )
    photo = _photo(activity, staff)
    assert _get_photo(support.member(tree.b1).user, photo) == 200
    assert _get_photo(support.member(tree.a1).user, photo) == 404
    assert _get_photo(make_user(name="无档案"), photo) == 404  # no staff record: school-wide only
    assert _get_photo(staff, photo) == 200  # officers in scope
    school = _photo(make_activity(unit=tree.root, actor=staff), staff)
    assert _get_photo(support.member(tree.a1).user, school) == 200


def test_photos_of_an_invited_activity_only_for_the_invited(tree: Any, staff: Any) -> None:
    activity = make_activity(unit=tree.root, actor=staff, visibility=Activity.Visibility.INVITED)
    guest, stranger = support.member(tree.a1), support.member(tree.a1)
    Invitation.objects.create(activity=activity, person=guest)
    photo = _photo(activity, staff)
    assert _get_photo(guest.user, photo) == 200
    assert _get_photo(stranger.user, photo) == 404


# -- 6. a judge never scores an entry they take part in ---------------------------------------------------------


def test_a_judge_may_not_score_their_own_or_their_teams_entry(tree: Any, staff: Any) -> None:
    activity = running_activity(unit=tree.root, actor=staff, kind=Kind.COMPETITION, title="教学竞赛")
    judge = support.member(tree.a, name="评委甲")
    captain = support.member(tree.a, name="队长")
    own = write_registration(activity, judge, by=staff)
    team = Team.objects.create(activity=activity, name="红队", captain=captain)
    TeamMember.objects.create(team=team, person=captain)
    TeamMember.objects.create(team=team, person=judge)
    team_entry = write_registration(activity, captain, by=staff, team=team)
    other = write_registration(activity, support.member(tree.b, name="选手乙"), by=staff)
    activity.judges.add(judge.user)
    for entry, name in ((own, "评委甲"), (team_entry, "红队")):
        with pytest.raises(ValidationError) as error:
            results_services.scores_save(actor=judge.user, activity=activity, scores={entry.pk: "90"})
        assert error.value.messages == [
            f"You take part in the entry of {name}: a judge may not score their own entry."
        ]
    assert results_services.scores_save(actor=judge.user, activity=activity, scores={other.pk: "88"}) == 1
    assert not activity.registrations.filter(pk__in=[own.pk, team_entry.pk], scores__isnull=False).exists()


# -- 7. organising without the right is a 403 ----------------------------------------------------------------


def test_organising_outside_ones_units_is_permission_denied(tree: Any, staff: Any, make_user: Any) -> None:
    activity = make_activity(unit=tree.b, actor=staff, status=Activity.Status.DRAFT)
    outsider = make_user("subunion_chair", tree.a)
    with pytest.raises(PermissionDenied):
        services.activity_publish(actor=outsider, activity=activity)
    with pytest.raises(PermissionDenied):
        services.quota_set(actor=outsider, activity=activity, unit=tree.b1, places=1)
    assert Activity.objects.get(pk=activity.pk).status == Activity.Status.DRAFT


def test_lottery_post_by_a_viewer_who_may_not_organise_is_403(tree: Any, staff: Any, make_user: Any) -> None:
    now = timezone.now()
    activity = make_activity(
        unit=tree.root,
        actor=staff,
        allocation=Activity.Allocation.LOTTERY,
        registration_opens_at=now - dt.timedelta(days=3),
        registration_closes_at=now - dt.timedelta(hours=1),
        cancel_deadline=None,
    )
    chair = make_user("union_chair", tree.root)  # activities.view, not activities.manage
    client = Client()
    client.force_login(chair)
    url = reverse("activities:console_lottery", args=[activity.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"seed": "x"}).status_code == 403
    activity.refresh_from_db()
    assert activity.lottery_drawn_at is None and not activity.lottery_seed


# -- 8. the children are required when children take part ----------------------------------------------------


@pytest.mark.parametrize(
    "participants", [Activity.Participants.DEPENDANTS, Activity.Participants.MEMBER_AND_DEPENDANTS]
)
def test_the_form_requires_at_least_one_child(tree: Any, staff: Any, participants: str) -> None:
    activity = make_activity(
        unit=tree.root,
        actor=staff,
        kind=Kind.FAMILY,
        participants=participants,
        dependant_min_age=3,
        dependant_max_age=12,
    )
    parent = support.member(tree.a)
    kid = support.child(parent, "小明", timezone.localdate() - dt.timedelta(days=365 * 8))
    form = RegisterForm({"idempotency_key": "k1"}, activity=activity, questions=[], children=[(kid, 8)])
    assert not form.is_valid()
    assert form.errors["dependants"] == [
        "Choose at least one child who takes part (add them under 我的 → 家庭成员)."
    ]
    chosen = RegisterForm(
        {"idempotency_key": "k1", "dependants": [str(kid.pk)]},
        activity=activity,
        questions=[],
        children=[(kid, 8)],
    )
    assert chosen.is_valid(), chosen.errors
