"""The registration engine: first come with quotas and the pool, eligibility in words, quantity, dependants,
teams, questions, idempotency, the sold-out answer that writes nothing, cancelling, approval, bulk
registration by unit officers, and the lock retry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.utils import timezone

from smartunion.activities.models import (
    Activity,
    Invitation,
    Participant,
    Question,
    Registration,
    Team,
    TeamMember,
    UnitQuota,
)
from smartunion.activities.services import registration as services
from smartunion.core.models import AuditEntry
from smartunion.members.models import ServiceRecord
from smartunion.notifications.models import Notification

from . import factories
from .registration_support import child, counters, member, statuses, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("subunion_chair", tree.a, name="活动组织者")


@pytest.fixture
def activity(tree: Any, organiser: Any) -> Activity:
    return factories.make_activity(unit=tree.a, actor=organiser, capacity=3)


def reg(person: Any, activity: Activity, key: str = "", **kwargs: Any) -> services.Outcome:
    return services.register(
        actor=person.user, activity=activity, person=person, idempotency_key=key or f"k-{person.pk}", **kwargs
    )


# -- first come ----------------------------------------------------------------------------------------------


def test_first_come_confirms_moves_the_counter_and_tells_the_member(tree, activity):
    person = member(tree.a1)
    outcome = reg(person, activity)
    assert outcome.result == "confirmed"
    assert outcome.message == f"You are registered for {activity.title}."
    registration = outcome.registration
    assert (registration.status, registration.quantity, registration.unit_id) == ("confirmed", 1, tree.a1.pk)
    assert registration.confirmed_at is not None
    assert counters(activity) == (1, 1, {})
    assert AuditEntry.objects.filter(action="activities.registration.created").count() == 1
    record = ServiceRecord.objects.get(kind="activities.registered")
    assert (record.person_id, record.key) == (person.pk, f"activities.registration:{registration.pk}")
    note = Notification.objects.get(recipient=person.user)
    assert note.title == f"Your place is confirmed: {activity.title}"


def test_the_same_idempotency_key_twice_gives_one_row(tree, activity):
    person = member(tree.a)
    first = reg(person, activity, key="form-123")
    again = reg(person, activity, key="form-123")
    assert (first.result, again.result) == ("confirmed", "already")
    assert again.registration.pk == first.registration.pk
    assert again.message.startswith("You had registered already.")
    assert Registration.objects.count() == 1
    assert counters(activity)[0] == 1


def test_a_second_registration_of_the_member_answers_already(tree, activity):
    person = member(tree.a)
    first = reg(person, activity, key="one")
    second = reg(person, activity, key="two")
    assert second.result == "already"
    assert second.registration.pk == first.registration.pk
    assert Registration.objects.count() == 1


def test_an_idempotency_key_of_someone_else_is_refused(tree, activity):
    reg(member(tree.a), activity, key="shared")
    with pytest.raises(ValidationError, match="already used for another registration"):
        reg(member(tree.a), activity, key="shared")


def test_full_without_waiting_list_writes_nothing(tree, organiser):
    activity = factories.make_activity(unit=tree.a, actor=organiser, capacity=1, waitlist=False)
    reg(member(tree.a), activity)
    late = member(tree.a)
    before = written()
    outcome = reg(late, activity)
    assert (outcome.result, outcome.registration) == ("full", None)
    assert outcome.message == f"Sorry, all places of {activity.title} are taken."
    assert written() == before
    assert counters(activity) == (1, 1, {})


def test_full_without_waiting_list_writes_nothing_even_past_the_read_hint(tree, organiser, monkeypatch):
    """The place goes between the read and the transaction: the conditional UPDATE decides, writing nothing."""
    activity = factories.make_activity(unit=tree.a, actor=organiser, capacity=1, waitlist=False)
    monkeypatch.setattr(services, "_might_fit", lambda *args: True)
    reg(member(tree.a), activity)
    before = written()
    assert reg(member(tree.a), activity).result == "full"
    assert written() == before


def test_full_with_a_waiting_list_waitlists_in_order(tree, organiser):
    activity = factories.make_activity(unit=tree.a, actor=organiser, capacity=1)
    reg(member(tree.a), activity)
    second = reg(member(tree.a), activity)
    third = reg(member(tree.b), activity)
    assert (second.result, third.result) == ("waitlisted", "waitlisted")
    assert "number 2 on the waiting list" in third.message
    assert services.waitlist_position(second.registration) == 1
    assert services.waitlist_position(third.registration) == 2
    assert counters(activity) == (1, 1, {})


def test_no_limit_confirms_everyone(tree, organiser):
    activity = factories.make_activity(unit=tree.a, actor=organiser, capacity=None)
    for _ in range(4):
        assert reg(member(tree.b), activity).result == "confirmed"
    assert counters(activity)[0] == 4


# -- the window, visibility, eligibility ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": Activity.Status.DRAFT}, "not open for registration"),
        ({"registration_opens_at": timezone.now() + dt.timedelta(hours=1)}, "Registration opens at"),
        ({"registration_closes_at": timezone.now() - dt.timedelta(minutes=1)}, "Registration closed at"),
    ],
)
def test_registration_only_while_published_and_open(tree, organiser, fields, message):
    activity = factories.make_activity(unit=tree.a, actor=organiser, **fields)
    before = written()
    with pytest.raises(ValidationError, match=message):
        reg(member(tree.a), activity)
    assert written()[0] == before[0]


def test_eligibility_reasons_are_told_in_words(tree, organiser):
    activity = factories.make_activity(
        unit=tree.a,
        actor=organiser,
        eligibility={"sex": "F", "statuses": ["full"], "age_min": 30, "age_max": 55},
    )
    man = member(tree.a, sex="M", status="none", birth_date=dt.date(2000, 1, 1))
    with pytest.raises(ValidationError) as refused:
        reg(man, activity)
    message = refused.value.messages[0]
    assert message.startswith("You cannot register:")
    assert "Only for women members." in message
    assert "Only for members aged 30 to 55 on the first day." in message
    assert "Only for" in message and "Full member" in message
    woman = member(tree.a, sex="F", birth_date=dt.date(1980, 5, 1))
    assert reg(woman, activity).result == "confirmed"


def test_unit_and_not_attended_rules(tree, organiser):
    retreat = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        kind="retreat",
        eligibility={"unit_ids": [tree.a.pk], "not_attended_kind": "retreat", "not_attended_years": 3},
    )
    with pytest.raises(ValidationError, match="Only for members of the units"):
        reg(member(tree.b), retreat)
    went = member(tree.a1)
    earlier = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        kind="retreat",
        starts_at=timezone.now() - dt.timedelta(days=300),
        ends_at=timezone.now() - dt.timedelta(days=299),
        registration_opens_at=timezone.now() - dt.timedelta(days=400),
        registration_closes_at=timezone.now() - dt.timedelta(days=350),
    )
    Registration.objects.create(
        activity=earlier,
        person=went,
        unit=went.unit,
        status="confirmed",
        idempotency_key="earlier",
        registered_by=went.user,
    )
    with pytest.raises(ValidationError, match="You took part in one in the last 3 years"):
        reg(went, retreat)


def test_invited_only_activity_is_not_open_to_others(tree, organiser):
    activity = factories.make_activity(unit=tree.a, actor=organiser, visibility=Activity.Visibility.INVITED)
    guest, stranger = member(tree.a), member(tree.a)
    Invitation.objects.create(activity=activity, person=guest)
    with pytest.raises(ValidationError, match="not open to you"):
        reg(stranger, activity)
    assert reg(guest, activity).result == "confirmed"


def test_nobody_registers_someone_else_without_the_permission(tree, activity, make_user):
    person = member(tree.a)
    stranger = member(tree.a)
    with pytest.raises(PermissionDenied):
        services.register(actor=stranger.user, activity=activity, person=person, idempotency_key="x")
    with pytest.raises(PermissionDenied):
        services.register(
            actor=stranger.user, activity=activity, person=person, idempotency_key="x", on_behalf=True
        )
    officer = make_user("subunion_chair", tree.b)
    with pytest.raises(PermissionDenied):
        services.register(
            actor=officer, activity=activity, person=person, idempotency_key="x", on_behalf=True
        )
    assert Registration.objects.count() == 0


# -- quantity, dependants, teams, questions ------------------------------------------------------------------


def test_quantity_above_one_is_one_entry_taking_its_places(tree, organiser):
    activity = factories.make_activity(unit=tree.a, actor=organiser, capacity=3, max_quantity=2)
    family = reg(member(tree.a), activity, quantity=2)
    assert (family.result, family.registration.quantity) == ("confirmed", 2)
    assert counters(activity)[0] == 2
    pair = reg(member(tree.a), activity, quantity=2)
    assert pair.result == "waitlisted"  # one place left: the pair waits as one entry
    assert reg(member(tree.a), activity, quantity=1).result == "confirmed"
    with pytest.raises(ValidationError, match="At most 2 places per registration"):
        reg(member(tree.a), activity, quantity=3)
    with pytest.raises(ValidationError, match="at least one place"):
        reg(member(tree.a), activity, quantity=0)
    with pytest.raises(ValidationError, match="whole number"):
        reg(member(tree.a), activity, quantity="two")


@pytest.fixture
def childcare(tree: Any, organiser: Any) -> Activity:
    start = timezone.make_aware(dt.datetime(timezone.now().year + 1, 7, 10, 8, 0))
    return factories.make_activity(
        unit=tree.a,
        actor=organiser,
        kind="childcare",
        participants=Activity.Participants.DEPENDANTS,
        dependant_min_age=6,
        dependant_max_age=12,
        max_quantity=3,
        capacity=10,
        starts_at=start,
        ends_at=start + dt.timedelta(days=30),
    )


def test_dependants_are_the_members_children_aged_within_the_range_on_the_start_date(tree, childcare):
    parent = member(tree.a)
    year = childcare.starts_at.year
    # 6 on 10 July: born 10 July six years before (birthday on the first day) — in; born 11 July — still 5.
    six = child(parent, "小明", dt.date(year - 6, 7, 10))
    five = child(parent, "小红", dt.date(year - 6, 7, 11))
    with pytest.raises(ValidationError) as refused:
        reg(parent, childcare, dependant_ids=[six.pk, five.pk])
    assert refused.value.messages[0] == (
        f"小红 will be 5 on {year}-07-10, the first day; this activity is for children aged 6 to 12."
    )
    other = child(member(tree.a), "别人家", dt.date(year - 8, 1, 1))
    with pytest.raises(ValidationError, match="your own children"):
        reg(parent, childcare, dependant_ids=[other.pk])
    with pytest.raises(ValidationError, match="Choose the children taking part"):
        reg(parent, childcare, dependant_ids=[])
    brother = child(parent, "小刚", dt.date(year - 9, 3, 1))
    outcome = reg(parent, childcare, dependant_ids=[six.pk, brother.pk])
    assert (outcome.result, outcome.registration.quantity) == ("confirmed", 2)
    assert sorted(Participant.objects.values_list("name", "age_on_start")) == [("小刚", 9), ("小明", 6)]
    assert counters(childcare)[0] == 2


def test_member_with_children_counts_the_member_too(tree, organiser):
    activity = factories.make_activity(
        unit=tree.a,
        actor=organiser,
        kind="family",
        participants=Activity.Participants.MEMBER_AND_DEPENDANTS,
        max_quantity=3,
    )
    parent = member(tree.a)
    kid = child(parent, "小明", dt.date(2018, 1, 1))
    assert reg(parent, activity, dependant_ids=[kid.pk]).registration.quantity == 2


@pytest.fixture
def contest(tree: Any, organiser: Any) -> Activity:
    return factories.make_activity(
        unit=tree.a,
        actor=organiser,
        kind="competition",
        participants=Activity.Participants.TEAM,
        team_min=2,
        team_max=3,
        capacity=4,
    )


def test_a_captain_registers_a_team(tree, contest):
    captain, mate1, mate2 = member(tree.a), member(tree.a1), member(tree.b)
    outcome = reg(captain, contest, team_name=" 教工一队 ", team_member_ids=[mate1.pk, mate2.pk])
    assert (outcome.result, outcome.registration.quantity) == ("confirmed", 1)
    team = Team.objects.get()
    assert (team.name, team.captain_id, outcome.registration.team_id) == ("教工一队", captain.pk, team.pk)
    assert set(TeamMember.objects.values_list("person_id", flat=True)) == {captain.pk, mate1.pk, mate2.pk}
    other = member(tree.a)
    with pytest.raises(ValidationError, match=f"on their own or in a team\\): {mate1.name}"):
        reg(other, contest, team_name="二队", team_member_ids=[mate1.pk])
    with pytest.raises(ValidationError, match="A team named 教工一队 is registered already"):
        reg(other, contest, team_name="教工一队", team_member_ids=[member(tree.a).pk])


def test_team_size_names_and_eligibility(tree, organiser, contest):
    captain = member(tree.a)
    with pytest.raises(ValidationError, match="2 to 3 members, the captain included; yours has 1"):
        reg(captain, contest, team_name="一队", team_member_ids=[])
    with pytest.raises(ValidationError, match="yours has 4"):
        reg(captain, contest, team_name="一队", team_member_ids=[member(tree.a).pk for _ in range(3)])
    with pytest.raises(ValidationError, match="Give the team a name"):
        reg(captain, contest, team_name="  ", team_member_ids=[member(tree.a).pk])
    women_only = factories.make_activity(
        unit=tree.a,
        actor=organiser,
        participants=Activity.Participants.TEAM,
        team_min=2,
        eligibility={"sex": "F"},
    )
    man = member(tree.a, sex="M", name="张男")
    with pytest.raises(ValidationError, match=r"张男 cannot take part: Only for women members\."):
        reg(captain, women_only, team_name="一队", team_member_ids=[man.pk])
    assert Team.objects.count() == 0


def test_answers_are_checked_against_the_questions(tree, activity):
    size = Question.objects.create(
        activity=activity, label="尺码", kind="choice", choices=["M", "L"], required=True
    )
    age = Question.objects.create(activity=activity, label="年龄", kind="number")
    day = Question.objects.create(activity=activity, label="到达日期", kind="date")
    note = Question.objects.create(activity=activity, label="备注", kind="text")
    person = member(tree.a)
    with pytest.raises(ValidationError) as refused:
        reg(person, activity, answers={str(age.pk): "abc", str(day.pk): "2026/07/01"})
    assert refused.value.messages == [
        "Answer the question “尺码”.",
        "For “年龄” enter a number.",
        "For “到达日期” enter a date as YYYY-MM-DD.",
    ]
    with pytest.raises(ValidationError, match=r"For “尺码” choose one of: M、L\."):
        reg(person, activity, answers={size.pk: "XL"})
    outcome = reg(
        person,
        activity,
        answers={f"q_{size.pk}": "L", str(age.pk): " 42 ", str(day.pk): "2026-07-01", note.pk: ""},
    )
    assert outcome.registration.answers == {str(size.pk): "L", str(age.pk): "42", str(day.pk): "2026-07-01"}


# -- quotas ----------------------------------------------------------------------------------------------------


def test_quota_first_then_the_pool_and_the_pool_never_eats_a_quota(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=4, waitlist=False)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    # The pool is 4 − 2 = 2 places.
    b1, b2, b3 = member(tree.b), member(tree.b1), member(tree.b)
    assert reg(b1, activity).result == "confirmed"
    assert reg(b2, activity).result == "confirmed"
    before = written()
    assert reg(b3, activity).result == "full"  # two places are left, but they are unit A's
    assert written() == before
    a1 = member(tree.a1)  # the quota of an ancestor unit applies
    outcome = reg(a1, activity)
    assert (outcome.result, outcome.registration.quota.unit_id) == ("confirmed", tree.a.pk)
    assert counters(activity) == (3, 2, {"机械工程学院": (1, 2)})
    assert reg(member(tree.a), activity).result == "confirmed"
    assert reg(member(tree.a), activity).result == "full"
    assert counters(activity) == (4, 2, {"机械工程学院": (2, 2)})


def test_a_quota_member_falls_back_to_the_pool(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=3)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=1)
    first, second = member(tree.a), member(tree.a)
    assert reg(first, activity).registration.quota_id is not None
    outcome = reg(second, activity)
    assert (outcome.result, outcome.registration.quota_id) == ("confirmed", None)
    assert counters(activity) == (2, 1, {"机械工程学院": (1, 1)})


def test_the_nearest_quota_is_used_first(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=5)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    group = UnitQuota.objects.create(activity=activity, unit=tree.a1, places=1)
    assert reg(member(tree.a1), activity).registration.quota_id == group.pk
    assert reg(member(tree.a1), activity).registration.quota.unit_id == tree.a.pk


def test_bulk_register_within_the_units_quota(tree, organiser, make_user):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    officer = make_user("subunion_committee", tree.a)
    people = [member(tree.a1), member(tree.a), member(tree.a), member(tree.b, name="外院人")]
    ineligible = member(tree.a, status="none", name="非会员甲")
    activity.eligibility = {"statuses": ["full"]}
    activity.save()
    outcomes = services.bulk_register(actor=officer, activity=activity, people=[*people, ineligible])
    assert [o.result for o in outcomes] == ["confirmed", "confirmed", "full", "refused", "refused"]
    assert outcomes[2].message == f"The unit's quota for {activity.title} is used up."
    assert outcomes[3].message == "外院人 is not a member of your units."
    assert outcomes[4].message.startswith("非会员甲 cannot take part")
    assert [o.person for o in outcomes] == [*people, ineligible]
    assert counters(activity) == (2, 0, {"机械工程学院": (2, 2)})
    assert Registration.objects.filter(registered_by=officer).count() == 2
    again = services.bulk_register(actor=officer, activity=activity, people=people[:1])
    assert again[0].result == "already"


# -- cancelling ----------------------------------------------------------------------------------------------


def test_member_cancels_until_the_deadline(tree, organiser):
    activity = factories.make_activity(unit=tree.a, actor=organiser)
    person = member(tree.a)
    registration = reg(person, activity).registration
    cancelled = services.cancel(actor=person.user, registration=registration)
    assert (cancelled.status, cancelled.cancelled_at is not None) == ("cancelled", True)
    assert counters(activity) == (0, 0, {})
    assert AuditEntry.objects.filter(action="activities.registration.cancelled").count() == 1
    with pytest.raises(ValidationError, match="no longer active"):
        services.cancel(actor=person.user, registration=registration)
    # A new registration after cancelling is allowed (only one live one).
    assert reg(person, activity, key="again").result == "confirmed"


def test_after_the_deadline_the_member_asks_the_organiser(tree, organiser):
    activity = factories.make_activity(
        unit=tree.a, actor=organiser, cancel_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    person = member(tree.a)
    registration = reg(person, activity).registration
    with pytest.raises(ValidationError, match=r"can be cancelled until .*ask the organiser"):
        services.cancel(actor=person.user, registration=registration)
    with pytest.raises(ValidationError, match="Give the reason"):
        services.cancel(actor=organiser, registration=registration)
    services.cancel(actor=organiser, registration=registration, reason="场地临时关闭")
    registration.refresh_from_db()
    assert (registration.status, registration.cancel_reason) == ("cancelled", "场地临时关闭")
    note = Notification.objects.filter(recipient=person.user, kind="activities.registration.cancelled").get()
    assert (note.title, note.body) == (f"Your registration was cancelled: {activity.title}", "场地临时关闭")


def test_strangers_cannot_cancel(tree, activity, make_user):
    registration = reg(member(tree.a), activity).registration
    with pytest.raises(PermissionDenied):
        services.cancel(actor=member(tree.a).user, registration=registration, reason="x")
    with pytest.raises(PermissionDenied):
        services.cancel(actor=make_user("subunion_chair", tree.b), registration=registration, reason="x")


# -- approval ------------------------------------------------------------------------------------------------


def test_approval_mode(tree, organiser, make_user):
    activity = factories.make_activity(
        unit=tree.a, actor=organiser, capacity=1, allocation=Activity.Allocation.APPROVAL
    )
    first, second, third = member(tree.a), member(tree.a), member(tree.a)
    outcomes = [reg(p, activity) for p in (first, second, third)]
    assert [o.result for o in outcomes] == ["pending"] * 3
    assert outcomes[0].message == f"Your registration for {activity.title} awaits the organiser's approval."
    assert counters(activity)[0] == 0
    with pytest.raises(PermissionDenied):
        services.approve(actor=make_user("subunion_chair", tree.b), registration=outcomes[0].registration)
    approved = services.approve(actor=organiser, registration=outcomes[0].registration)
    assert approved.status == "confirmed"
    assert counters(activity)[0] == 1
    assert ServiceRecord.objects.filter(person=first, kind="activities.registered").exists()
    with pytest.raises(ValidationError, match="No places left for 1 more: 1 of 1 are taken"):
        services.approve(actor=organiser, registration=outcomes[1].registration)
    with pytest.raises(ValidationError, match="Give the reason"):
        services.reject(actor=organiser, registration=outcomes[2].registration, reason="")
    rejected = services.reject(actor=organiser, registration=outcomes[2].registration, reason="名额已满")
    assert (rejected.status, rejected.cancel_reason) == ("rejected", "名额已满")
    assert Notification.objects.get(recipient=third.user).body == "名额已满"
    with pytest.raises(ValidationError, match="Only a registration awaiting approval"):
        services.approve(actor=organiser, registration=rejected)
    assert AuditEntry.objects.filter(action="activities.registration.approved").count() == 1
    assert AuditEntry.objects.filter(action="activities.registration.rejected").count() == 1


# -- the lock retry ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_is_locked_is_retried_then_answered_clearly(tree, make_user, monkeypatch):
    organiser = make_user("subunion_chair", tree.a)
    activity = factories.make_activity(unit=tree.a, actor=organiser)
    real = services._register_write
    calls = {"n": 0}

    def flaky(plan: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise OperationalError("database is locked")
        return real(plan)

    monkeypatch.setattr(services, "_register_write", flaky)
    monkeypatch.setattr(services.time, "sleep", lambda seconds: None)
    assert reg(member(tree.a), activity).result == "confirmed"
    assert calls["n"] == 3

    def locked(plan: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "_register_write", locked)
    with pytest.raises(ValidationError, match="Too many people are registering at this moment"):
        reg(member(tree.a), activity)
    assert statuses(activity) == {"confirmed": 1}

    def broken(plan: Any) -> Any:
        raise OperationalError("no such table: x")

    monkeypatch.setattr(services, "_register_write", broken)
    with pytest.raises(OperationalError):
        reg(member(tree.a), activity)
