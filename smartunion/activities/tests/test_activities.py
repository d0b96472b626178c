"""The organisers' services: create/edit/publish/cancel/finish, batches, quotas, questions, invitations,
eligibility rules, judges, ideas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.activities.models import (
    Activity,
    Idea,
    IdeaVote,
    Invitation,
    Kind,
    Question,
    Registration,
    UnitQuota,
)
from smartunion.activities.services import activities as services
from smartunion.activities.services import registration as engine
from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification

from . import registration_support as support
from .factories import make_activity

pytestmark = pytest.mark.django_db


def _times(**shift: Any) -> dict[str, Any]:
    now = timezone.now()
    values = {
        "registration_opens_at": now - dt.timedelta(days=1),
        "registration_closes_at": now + dt.timedelta(days=5),
        "starts_at": now + dt.timedelta(days=10),
        "ends_at": now + dt.timedelta(days=10, hours=3),
    }
    values.update(shift)
    return values


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("subunion_chair", tree.a, name="组织者")


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会")


def _create(actor: Any, unit: Any, **fields: Any) -> Activity:
    values = {"title": "羽毛球赛", "kind": Kind.SPORTS, "capacity": 10, **_times(), **fields}
    return services.activity_create(actor=actor, organiser_unit=unit, **values)


def _errors(excinfo: Any) -> str:
    return " ".join(excinfo.value.messages)


# -- create --------------------------------------------------------------------------------------------------


def test_create_makes_a_draft_and_audits(tree: Any, organiser: Any) -> None:
    activity = _create(organiser, tree.a, eligibility={"sex": "F", "age_min": "30", "age_max": 55})
    assert activity.status == Activity.Status.DRAFT
    assert activity.organiser_unit == tree.a
    assert activity.eligibility == {"sex": "F", "age_min": 30, "age_max": 55}
    assert AuditEntry.objects.filter(
        action="activities.activity.created", target_id=str(activity.pk)
    ).exists()


def test_the_school_union_organises_at_the_top(tree: Any, staff: Any) -> None:
    assert _create(staff, tree.root).organiser_unit == tree.root


def test_create_outside_scope_is_refused(tree: Any, organiser: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _create(organiser, tree.b)
    assert "units in your care" in _errors(excinfo)
    with pytest.raises(ValidationError):
        _create(organiser, tree.root)
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        ({"registration_closes_at": "opens"}, "Registration must close after it opens."),
        ({"registration_closes_at": "after_start"}, "close by the time the activity starts"),
        ({"ends_at": "before_start"}, "cannot end before it starts"),
        ({"cancel_deadline": "after_start"}, "cancelling must end by the start"),
    ],
)
def test_dates_must_be_in_order(tree: Any, organiser: Any, shift: dict[str, str], message: str) -> None:
    times = _times()
    key, how = next(iter(shift.items()))
    if how == "opens":
        times[key] = times["registration_opens_at"]
    elif how == "after_start":
        times[key] = times["starts_at"] + dt.timedelta(hours=1)
    else:
        times[key] = times["starts_at"] - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as excinfo:
        _create(organiser, tree.a, **times)
    assert message in _errors(excinfo)


def test_closing_at_the_start_is_allowed(tree: Any, organiser: Any) -> None:
    times = _times()
    times["registration_closes_at"] = times["starts_at"]
    times["cancel_deadline"] = times["starts_at"]
    assert _create(organiser, tree.a, **times).pk


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "  "}, "Give the activity a title."),
        ({"capacity": 0}, "at least one place"),
        ({"max_quantity": 0}, "at least one place"),
        ({"kind": Kind.CHILDCARE}, "take the members' children part"),
        (
            {"kind": Kind.CHILDCARE, "participants": Activity.Participants.DEPENDANTS},
            "children's age range",
        ),
        (
            {
                "kind": Kind.FAMILY,
                "participants": Activity.Participants.MEMBER_AND_DEPENDANTS,
                "dependant_min_age": 9,
                "dependant_max_age": 3,
            },
            "upper age is below the lower",
        ),
        ({"participants": Activity.Participants.TEAM}, "Give the team size"),
        ({"participants": Activity.Participants.TEAM, "team_min": 5, "team_max": 3}, "not below the lower"),
        ({"team_min": 2, "team_max": 3}, "only for team activities"),
        ({"visibility": Activity.Visibility.SUBTREE}, "Choose the unit whose members see"),
        ({"hours": Decimal("8")}, "only for training"),
        ({"allocation": Activity.Allocation.LOTTERY, "capacity": None}, "lottery needs a number of places"),
        ({"eligibility": {"age_min": 50, "age_max": 30}}, "age band is upside down"),
        ({"eligibility": {"child_age_min": 9, "child_age_max": 3}}, "children's age band is upside down"),
        ({"eligibility": {"not_attended_kind": "retreat"}}, "both the kind of activity and the number"),
        ({"eligibility": {"sex": "X"}}, "Sex must be M or F."),
        ({"eligibility": {"statuses": ["nonsense"]}}, "Unknown membership status."),
    ],
)
def test_bad_values_are_refused(tree: Any, organiser: Any, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _create(organiser, tree.a, **fields)
    assert message in _errors(excinfo)
    assert not Activity.objects.exists()


def test_valid_kind_specific_values(tree: Any, organiser: Any) -> None:
    care = _create(
        organiser,
        tree.a,
        kind=Kind.CHILDCARE,
        participants=Activity.Participants.DEPENDANTS,
        dependant_min_age=6,
        dependant_max_age=12,
        max_quantity=2,
    )
    assert (care.dependant_min_age, care.dependant_max_age, care.max_quantity) == (6, 12, 2)
    team = _create(organiser, tree.a, participants=Activity.Participants.TEAM, team_min=3, team_max=5)
    assert team.team_max == 5
    training = _create(organiser, tree.a, kind=Kind.TRAINING, hours=Decimal("12.5"))
    assert training.hours == Decimal("12.5")
    subtree = _create(organiser, tree.a, visibility=Activity.Visibility.SUBTREE, visibility_unit=tree.a1)
    assert subtree.visibility_unit == tree.a1


def test_visibility_unit_must_be_within_the_organiser(tree: Any, staff: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.activity_create(
            actor=staff,
            organiser_unit=tree.a,
            title="t",
            kind=Kind.SPORTS,
            visibility=Activity.Visibility.SUBTREE,
            visibility_unit=tree.b,
            **_times(),
        )
    assert "within the organising unit" in _errors(excinfo)


# -- update --------------------------------------------------------------------------------------------------


def test_draft_changes_freely(tree: Any, organiser: Any) -> None:
    activity = _create(organiser, tree.a)
    services.activity_update(
        actor=organiser, activity=activity, title="乒乓球赛", kind=Kind.GAMES, capacity=3
    )
    activity.refresh_from_db()
    assert (activity.title, activity.kind, activity.capacity) == ("乒乓球赛", Kind.GAMES, 3)
    entry = AuditEntry.objects.get(action="activities.activity.changed")
    assert entry.changes["title"] == ["羽毛球赛", "乒乓球赛"]


def test_places_never_below_taken_and_kind_fixed(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, capacity=5)
    for _ in range(3):
        person = support.member(tree.a)
        outcome = engine.register(
            actor=person.user, activity=activity, person=person, idempotency_key=f"k{person.pk}"
        )
        assert outcome.result == "confirmed"
    activity.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.activity_update(actor=organiser, activity=activity, capacity=2)
    assert "3 places are already taken" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_update(actor=organiser, activity=activity, kind=Kind.LECTURE)
    assert "can no longer change" in _errors(excinfo)
    services.activity_update(actor=organiser, activity=activity, capacity=3, title="改名")
    activity.refresh_from_db()
    assert (activity.capacity, activity.title) == (3, "改名")


def test_capacity_not_below_the_quotas(tree: Any, organiser: Any) -> None:
    activity = _create(organiser, tree.a)
    services.quota_set(actor=organiser, activity=activity, unit=tree.a1, places=6)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_update(actor=organiser, activity=activity, capacity=5)
    assert "quotas add up to 6 places" in _errors(excinfo)


def test_cancelled_or_finished_cannot_change(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, status=Activity.Status.FINISHED)
    with pytest.raises(ValidationError):
        services.activity_update(actor=organiser, activity=activity, title="x")


def test_update_outside_scope_is_refused(tree: Any, make_user: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.b, actor=organiser)
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=organiser, activity=activity, title="x")


# -- publish, cancel, finish ---------------------------------------------------------------------------------


def test_publish(tree: Any, organiser: Any) -> None:
    activity = _create(organiser, tree.a)
    services.activity_publish(actor=organiser, activity=activity)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PUBLISHED
    with pytest.raises(ValidationError) as excinfo:
        services.activity_publish(actor=organiser, activity=activity)
    assert "Only a draft" in _errors(excinfo)


def test_publish_for_invited_needs_invitations_and_tells_them(tree: Any, organiser: Any) -> None:
    activity = _create(organiser, tree.a, visibility=Activity.Visibility.INVITED)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_publish(actor=organiser, activity=activity)
    assert "Invite the members first" in _errors(excinfo)
    person = support.member(tree.a)
    services.invitations_add(actor=organiser, activity=activity, staff_numbers=person.staff_no)
    assert not Notification.objects.filter(recipient=person.user).exists()  # a draft: nobody told yet
    services.activity_publish(actor=organiser, activity=activity)
    assert Notification.objects.filter(recipient=person.user, kind="activities.invited").exists()


def test_cancel_needs_a_reason_and_cancels_everyone(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, capacity=1)
    quota = UnitQuota.objects.create(activity=activity, unit=tree.a, places=1)
    first, second = support.member(tree.a1), support.member(tree.a1)
    assert (
        engine.register(actor=first.user, activity=activity, person=first, idempotency_key="a").result
        == "confirmed"
    )
    assert (
        engine.register(actor=second.user, activity=activity, person=second, idempotency_key="b").result
        == "waitlisted"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.activity_cancel(actor=organiser, activity=activity, reason="  ")
    assert "Give the reason" in _errors(excinfo)
    services.activity_cancel(actor=organiser, activity=activity, reason="场馆维修")
    activity.refresh_from_db()
    quota.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert (activity.confirmed, activity.pool_used, quota.used) == (0, 0, 0)
    assert set(Registration.objects.filter(activity=activity).values_list("status", "cancel_reason")) == {
        ("cancelled", "场馆维修")
    }
    for person in (first, second):
        note = Notification.objects.get(recipient=person.user, kind="activities.cancelled")
        assert note.body == "场馆维修"
    with pytest.raises(ValidationError):
        services.activity_cancel(actor=organiser, activity=activity, reason="again")


def test_cancel_a_series_cancels_its_batches(tree: Any, organiser: Any) -> None:
    series = make_activity(unit=tree.a, actor=organiser, kind=Kind.RETREAT, capacity=None)
    batch = services.batch_add(
        actor=organiser,
        series=series,
        title="第一批",
        starts_at=series.starts_at,
        ends_at=series.ends_at,
        capacity=5,
    )
    services.activity_cancel(actor=organiser, activity=series, reason="取消")
    batch.refresh_from_db()
    assert batch.status == Activity.Status.CANCELLED


def test_finish_only_after_the_end(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_finish(actor=organiser, activity=activity)
    assert "not ended yet" in _errors(excinfo)
    services.activity_finish(
        actor=organiser, activity=activity, now=activity.ends_at + dt.timedelta(minutes=1)
    )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.FINISHED
    draft = _create(organiser, tree.a)
    with pytest.raises(ValidationError):
        services.activity_finish(actor=organiser, activity=draft, now=draft.ends_at + dt.timedelta(days=1))


# -- batches -------------------------------------------------------------------------------------------------


def test_batch_copies_the_series_rules(tree: Any, organiser: Any) -> None:
    series = make_activity(
        unit=tree.a,
        actor=organiser,
        kind=Kind.RETREAT,
        capacity=None,
        eligibility={"not_attended_kind": "retreat", "not_attended_years": 3},
        allocation=Activity.Allocation.LOTTERY,
        lottery_priority="never_attended",
        visibility=Activity.Visibility.INVITED,
        location="莫干山",
    )
    Question.objects.create(activity=series, label="身份证号后四位", required=True)
    person = support.member(tree.a)
    Invitation.objects.create(activity=series, person=person)
    start = series.starts_at + dt.timedelta(days=7)
    batch = services.batch_add(
        actor=organiser,
        series=series,
        title="第二批",
        starts_at=start,
        ends_at=start + dt.timedelta(days=2),
        capacity=30,
    )
    assert batch.series == series
    assert (batch.kind, batch.allocation, batch.lottery_priority, batch.visibility, batch.location) == (
        Kind.RETREAT,
        Activity.Allocation.LOTTERY,
        "never_attended",
        Activity.Visibility.INVITED,
        "莫干山",
    )
    assert batch.eligibility == series.eligibility
    assert batch.registration_closes_at == series.registration_closes_at
    assert batch.capacity == 30 and batch.status == series.status
    assert list(batch.questions.values_list("label", "required")) == [("身份证号后四位", True)]
    assert list(batch.invitations.values_list("person_id", flat=True)) == [person.pk]
    with pytest.raises(ValidationError) as excinfo:
        services.batch_add(
            actor=organiser, series=batch, title="x", starts_at=start, ends_at=start, capacity=1
        )
    assert "cannot have batches" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.batch_add(
            actor=organiser,
            series=series,
            title="x",
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
            capacity=1,
        )


# -- quotas --------------------------------------------------------------------------------------------------


def test_quotas_total_within_capacity_and_unit_inside(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, capacity=10)
    quota = services.quota_set(actor=organiser, activity=activity, unit=tree.a1, places=6)
    assert quota is not None and quota.places == 6
    with pytest.raises(ValidationError) as excinfo:
        services.quota_set(actor=organiser, activity=activity, unit=tree.a, places=5)
    assert "add up to 11 places" in _errors(excinfo)
    services.quota_set(actor=organiser, activity=activity, unit=tree.a, places=4)
    with pytest.raises(ValidationError) as excinfo:
        services.quota_set(actor=organiser, activity=activity, unit=tree.b, places=1)
    assert "within the organising unit" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.quota_set(actor=organiser, activity=activity, unit=tree.a1, places=-1)
    assert services.quota_set(actor=organiser, activity=activity, unit=tree.a, places=0) is None
    assert list(UnitQuota.objects.filter(activity=activity).values_list("unit", "places")) == [
        (tree.a1.pk, 6)
    ]


def test_quota_not_below_used(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, capacity=10)
    services.quota_set(actor=organiser, activity=activity, unit=tree.a1, places=3)
    for _ in range(2):
        person = support.member(tree.a1)
        engine.register(actor=person.user, activity=activity, person=person, idempotency_key=f"q{person.pk}")
    quota = UnitQuota.objects.get(activity=activity)
    assert quota.used == 2
    with pytest.raises(ValidationError) as excinfo:
        services.quota_set(actor=organiser, activity=activity, unit=tree.a1, places=1)
    assert "already used 2 places" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.quota_set(actor=organiser, activity=activity, unit=tree.a1, places=0)
    services.quota_set(actor=organiser, activity=activity, unit=tree.a1, places=2)
    quota.refresh_from_db()
    assert (quota.places, quota.used) == (2, 2)


# -- questions -----------------------------------------------------------------------------------------------


def test_questions_add_edit_remove(tree: Any, organiser: Any) -> None:
    activity = _create(organiser, tree.a)
    size = services.question_add(
        actor=organiser,
        activity=activity,
        label="衣服尺码",
        kind="choice",
        choices="M\nL\n\nXL",
        required=True,
    )
    assert size.choices == ["M", "L", "XL"]
    with pytest.raises(ValidationError) as excinfo:
        services.question_add(actor=organiser, activity=activity, label="尺码", kind="choice", choices="M")
    assert "at least two options" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.question_add(actor=organiser, activity=activity, label=" ", kind="text")
    services.question_edit(actor=organiser, question=size, label="尺码", kind="text", required=False)
    size.refresh_from_db()
    assert (size.label, size.kind, size.choices, size.required) == ("尺码", "text", [], False)
    services.question_remove(actor=organiser, question=size)
    assert not activity.questions.exists()


def test_questions_locked_after_registrations(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser)
    question = services.question_add(actor=organiser, activity=activity, label="饮食禁忌", kind="text")
    person = support.member(tree.a)
    engine.register(actor=person.user, activity=activity, person=person, idempotency_key="lock")
    with pytest.raises(ValidationError) as excinfo:
        services.question_edit(actor=organiser, question=question, label="x", kind="text")
    assert "can no longer change" in _errors(excinfo)
    with pytest.raises(ValidationError):
        services.question_remove(actor=organiser, question=question)
    with pytest.raises(ValidationError) as excinfo:
        services.question_add(actor=organiser, activity=activity, label="必填", kind="text", required=True)
    assert "only optional questions" in _errors(excinfo)
    optional = services.question_add(actor=organiser, activity=activity, label="备注", kind="text")
    assert optional.order == 2


# -- invitations, judges -------------------------------------------------------------------------------------


def test_invitations_by_staff_numbers(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, visibility=Activity.Visibility.INVITED)
    one, two = support.member(tree.a), support.member(tree.a1)
    result = services.invitations_add(
        actor=organiser,
        activity=activity,
        staff_numbers=f"{one.staff_no}\n\n {two.staff_no} \nNOPE1\n{one.staff_no}",
    )
    assert [p.pk for p in result.added] == [one.pk, two.pk]
    assert result.unknown == ["NOPE1"]
    assert Notification.objects.filter(kind="activities.invited").count() == 2  # published: told
    again = services.invitations_add(actor=organiser, activity=activity, staff_numbers=one.staff_no)
    assert [p.pk for p in again.already] == [one.pk] and not again.added
    with pytest.raises(ValidationError):
        services.invitations_add(actor=organiser, activity=activity, staff_numbers="  ")
    services.invitation_remove(
        actor=organiser, invitation=Invitation.objects.get(activity=activity, person=one)
    )
    assert list(Invitation.objects.filter(activity=activity).values_list("person", flat=True)) == [two.pk]


def test_judges_for_competitions(tree: Any, organiser: Any, make_user: Any) -> None:
    judge = make_user(name="评委")
    competition = make_activity(unit=tree.a, actor=organiser, kind=Kind.COMPETITION)
    with pytest.raises(ValidationError) as excinfo:
        services.judges_set(actor=organiser, activity=competition, staff_numbers=f"{judge.staff_no}\nX404")
    assert "X404" in _errors(excinfo)
    assert not competition.judges.exists()
    services.judges_set(actor=organiser, activity=competition, staff_numbers=judge.staff_no)
    assert list(competition.judges.all()) == [judge]
    with pytest.raises(ValidationError):
        services.judges_set(
            actor=organiser, activity=make_activity(unit=tree.a, actor=organiser), staff_numbers=""
        )


# -- ideas ---------------------------------------------------------------------------------------------------


def _idea(tree: Any) -> tuple[Idea, Any, Any]:
    proposer, voter = support.member(tree.a1), support.member(tree.a)
    idea = Idea.objects.create(title="读书会", proposer=proposer, unit=tree.a1, votes=2, kind=Kind.LECTURE)
    IdeaVote.objects.create(idea=idea, person=proposer, unit=tree.a1)
    IdeaVote.objects.create(idea=idea, person=voter, unit=tree.a)
    return idea, proposer, voter


def test_idea_becomes_an_activity(tree: Any, staff: Any) -> None:
    idea, proposer, voter = _idea(tree)
    activity = _create(staff, tree.root, idea=idea)
    idea.refresh_from_db()
    assert activity.idea == idea and idea.status == Idea.Status.ADOPTED
    for person in (proposer, voter):
        assert Notification.objects.filter(recipient=person.user, kind="activities.idea_adopted").exists()
    with pytest.raises(ValidationError):
        _create(staff, tree.root, idea=idea)


def test_idea_close_needs_a_note_and_scope(tree: Any, staff: Any, make_user: Any) -> None:
    idea, proposer, _voter = _idea(tree)
    outsider = make_user("union_staff", tree.b)
    with pytest.raises(ValidationError):
        services.idea_close(actor=outsider, idea=idea, note="不办")
    with pytest.raises(ValidationError):
        services.idea_close(actor=staff, idea=idea, note=" ")
    services.idea_close(actor=staff, idea=idea, note="经费不足，明年再议")
    idea.refresh_from_db()
    assert (idea.status, idea.close_note) == (Idea.Status.CLOSED, "经费不足，明年再议")
    assert (
        Notification.objects.get(recipient=proposer.user, kind="activities.idea_closed").body
        == "经费不足，明年再议"
    )


def test_release_quotas_now(tree: Any, organiser: Any) -> None:
    activity = make_activity(unit=tree.a, actor=organiser, capacity=5)
    UnitQuota.objects.create(activity=activity, unit=tree.a1, places=3)
    waiting = support.member(tree.a)
    Activity.objects.filter(pk=activity.pk).update(capacity=3)  # every place is in the quota
    activity.refresh_from_db()
    assert engine.register(
        actor=waiting.user, activity=activity, person=waiting, idempotency_key="w"
    ).result == ("waitlisted")
    assert services.quotas_release_now(actor=organiser, activity=activity) == 3
    activity.refresh_from_db()
    assert activity.quotas_released_at is not None
    assert UnitQuota.objects.get(activity=activity).places == 0
    assert Registration.objects.get(person=waiting).status in ("offered", "confirmed")
    with pytest.raises(ValidationError) as excinfo:
        services.quotas_release_now(actor=organiser, activity=activity)
    assert "released already" in _errors(excinfo)
