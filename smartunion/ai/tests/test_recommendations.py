"""Service matching (适合我): each source offers only what the member can take up, with a reason that
refers to the member's data; the ranking; impressions; take-up; the figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smartunion.activities.models import Activity, Kind, Registration
from smartunion.ai.models import Recommendation
from smartunion.ai.selectors import recommendations as selectors
from smartunion.ai.selectors.recommendations import Item, recommendations_for, take_up_stats
from smartunion.ai.services import recommendations as services
from smartunion.hardship.models import AssistanceApplication, AssistanceProgramme, HardshipFile
from smartunion.hardship.tests import factories as hardship
from smartunion.welfare.models import Entitlement

from . import recommendations_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_seeded_assistance(db: Any) -> None:
    """The default assistance programmes (seeded after migrate) are closed: each test opens its own."""
    AssistanceProgramme.objects.update(is_active=False)


@pytest.fixture
def actor(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会")


def _kinds(items: list[Item]) -> list[tuple[str, int]]:
    return [(item.kind, item.item_id) for item in items]


def _only(items: list[Item], kind: str, item_id: int) -> Item:
    found = [item for item in items if item.kind == kind and item.item_id == item_id]
    assert len(found) == 1, items
    return found[0]


# -- activities ----------------------------------------------------------------------------------------


def test_childcare_for_a_member_with_a_child_of_the_age(tree, actor):
    care = support.activity(
        unit=tree.root,
        actor=actor,
        title="暑期托管",
        kind=Kind.CHILDCARE,
        eligibility={"child_age_min": 6, "child_age_max": 12},
    )
    parent = support.member(tree.a1)
    support.child(parent, 8)
    no_children = support.member(tree.a1)
    older = support.member(tree.a1)
    support.child(older, 15)

    item = _only(recommendations_for(parent), "activity", care.pk)
    assert item.reason == "You have a child aged 8: you may register for 暑期托管."
    assert item.url == f"/m/activities/{care.pk}/"
    assert item.title == "暑期托管"
    assert recommendations_for(no_children) == []
    assert recommendations_for(older) == []


def test_children_taking_part_need_a_child_in_the_band(tree, actor):
    family = support.activity(
        unit=tree.root,
        actor=actor,
        title="亲子运动会",
        kind=Kind.FAMILY,
        participants=Activity.Participants.MEMBER_AND_DEPENDANTS,
        dependant_min_age=3,
        dependant_max_age=10,
    )
    parent = support.member(tree.a1)
    support.child(parent, 4, name="小红")
    support.child(parent, 9, name="小刚")
    other = support.member(tree.a1)
    support.child(other, 14)
    item = _only(recommendations_for(parent), "activity", family.pk)
    assert item.reason == "You have children aged 4、9: you may register for 亲子运动会."
    assert recommendations_for(other) == []


def test_history_of_the_same_kind(tree, actor):
    regular = support.member(tree.a1)
    for _ in range(2):
        support.past_activity(unit=tree.root, actor=actor, kind=Kind.SPORTS, person=regular)
    newcomer = support.member(tree.a1)
    match = support.activity(unit=tree.root, actor=actor, title="羽毛球赛", kind=Kind.SPORTS)

    item = _only(recommendations_for(regular), "activity", match.pk)
    assert item.reason == (
        "You took part in 2 activities of this kind (Sports and culture (文体活动)) before: "
        "you may register for 羽毛球赛."
    )
    assert item.score == 2.0
    # Nothing about the newcomer fits a school-wide activity closing in weeks: not recommended.
    assert recommendations_for(newcomer) == []


def test_deadline_soon_and_few_places(tree, actor):
    soon = support.activity(
        unit=tree.root, actor=actor, title="读书会", closes_in=1.5, capacity=10, confirmed=7
    )
    person = support.member(tree.a1)
    item = _only(recommendations_for(person), "activity", soon.pk)
    assert "You may register for 读书会." in item.reason
    assert "3 places left." in item.reason
    assert "Registration closes in" in item.reason
    assert item.score == selectors.SCORE_URGENT


def test_targeted_activity_names_the_group(tree, actor):
    women = support.activity(
        unit=tree.root,
        actor=actor,
        title="三八节插花",
        eligibility={"sex": "F", "age_min": 30, "age_max": 55},
    )
    her = support.member(tree.a1, sex="F", birth=support.years_ago(40))
    him = support.member(tree.a1, sex="M", birth=support.years_ago(40))
    young = support.member(tree.a1, sex="F", birth=support.years_ago(25))
    item = _only(recommendations_for(her), "activity", women.pk)
    assert item.reason == "三八节插花 is for women members、members aged 30 to 55, which includes you."
    assert recommendations_for(him) == []
    assert recommendations_for(young) == []


def test_never_what_the_member_cannot_take_up(tree, actor, make_user):
    person = support.member(tree.a1)
    support.child(person, 8)
    rules = {"child_age_min": 6, "child_age_max": 12}
    now = timezone.now()
    full = support.activity(unit=tree.root, actor=actor, eligibility=rules, capacity=5, confirmed=5)
    closed = support.activity(
        unit=tree.root,
        actor=actor,
        eligibility=rules,
        registration_opens_at=now - dt.timedelta(days=9),
        registration_closes_at=now - dt.timedelta(hours=1),
    )
    not_yet = support.activity(
        unit=tree.root, actor=actor, eligibility=rules, registration_opens_at=now + dt.timedelta(days=1)
    )
    draft = support.activity(unit=tree.root, actor=actor, eligibility=rules, status=Activity.Status.DRAFT)
    elsewhere = support.activity(
        unit=tree.root,
        actor=actor,
        eligibility=rules,
        visibility=Activity.Visibility.SUBTREE,
        visibility_unit=tree.b,
    )
    men_only = support.activity(unit=tree.root, actor=actor, eligibility={**rules, "sex": "M"})
    registered = support.activity(unit=tree.root, actor=actor, eligibility=rules)
    support.register(registered, person, by=actor, status=Registration.Status.WAITLISTED)
    cancelled = support.activity(unit=tree.root, actor=actor, eligibility=rules)
    support.register(cancelled, person, by=actor, status=Registration.Status.CANCELLED)
    offered = support.activity(unit=tree.root, actor=actor, eligibility=rules)

    ids = {item.item_id for item in recommendations_for(person, limit=50)}
    assert ids == {offered.pk}
    for act in (full, closed, not_yet, draft, elsewhere, men_only, registered, cancelled):
        assert act.pk not in ids


def test_a_series_is_offered_by_one_batch(tree, actor):
    person = support.member(tree.a1)
    rules = {"child_age_min": 6, "child_age_max": 12}
    support.child(person, 8)
    series = support.activity(
        unit=tree.root, actor=actor, title="疗休养", kind=Kind.RETREAT, eligibility=rules
    )
    first = support.activity(
        unit=tree.root, actor=actor, title="疗休养第一批", series=series, eligibility=rules, closes_in=5
    )
    support.activity(
        unit=tree.root, actor=actor, title="疗休养第二批", series=series, eligibility=rules, closes_in=9
    )
    assert _kinds(recommendations_for(person)) == [("activity", first.pk)]


# -- benefits ------------------------------------------------------------------------------------------


def test_benefit_to_choose(tree, actor):
    prog = support.programme(unit=tree.root, actor=actor, title="2026年端午节福利", closes_in=5.5)
    listed = support.member(tree.a1)
    support.entitle(prog, listed)
    not_listed = support.member(tree.a1)

    item = _only(recommendations_for(listed), "benefit", prog.pk)
    days = (timezone.localtime(prog.choice_deadline).date() - timezone.localdate()).days
    assert item.reason == (
        "You are on the list for 2026年端午节福利 (worth 300 yuan) and have not chosen yet. "
        f"The choice closes in {days} days."
    )
    assert item.url == f"/m/welfare/choose/{prog.pk}/"
    assert item.score == selectors.SCORE_BENEFIT + selectors.SCORE_SOON
    assert recommendations_for(not_listed) == []


def test_no_benefit_once_chosen_closed_or_over_cap(tree, actor):
    person = support.member(tree.a1)
    chosen = support.programme(unit=tree.root, actor=actor)
    support.entitle(chosen, person)
    Entitlement.objects.filter(programme=chosen).update(chosen_at=timezone.now())
    past = support.programme(unit=tree.root, actor=actor, closes_in=-1)
    support.entitle(past, person)
    over_cap = support.programme(unit=tree.root, actor=actor)
    entitlement = support.entitle(over_cap, person)
    entitlement.status = Entitlement.Status.OVER_CAP
    entitlement.save()
    issuing = support.programme(unit=tree.root, actor=actor)
    issuing.status = issuing.Status.ISSUING
    issuing.save()
    support.entitle(issuing, person)
    assert recommendations_for(person) == []


# -- assistance ----------------------------------------------------------------------------------------


def test_assistance_for_a_member_on_the_hardship_register(tree, actor):
    aid = hardship.make_programme(name="临时补助", limit_count=2)
    on_file = support.member(tree.a1)
    hardship.make_file(person=on_file, actor=actor)
    applying = support.member(tree.a1)
    hardship.make_file(person=applying, actor=actor, status=HardshipFile.Status.APPLIED)
    nobody = support.member(tree.a1)

    item = _only(recommendations_for(on_file), "assistance", aid.pk)
    assert item.reason == (
        "You are on the union's hardship register: you may apply for 临时补助. "
        "You may receive it 2 more times this year."
    )
    assert item.url == f"/m/services/assistance/apply/{aid.pk}/"
    assert recommendations_for(applying) == []
    assert recommendations_for(nobody) == []


def test_no_assistance_when_applied_or_limit_used(tree, actor):
    aid = hardship.make_programme(name="临时补助", limit_count=1)
    person = support.member(tree.a1)
    hardship.make_file(person=person, actor=actor)
    application = hardship.make_application(person=person, actor=actor, programme=aid)
    assert recommendations_for(person) == []  # under way
    application.status = AssistanceApplication.Status.PAID
    application.approved_amount = application.band_amount
    application.save()
    assert recommendations_for(person) == []  # the yearly limit of one is used
    application.status = AssistanceApplication.Status.REJECTED
    application.save()
    assert _kinds(recommendations_for(person)) == [("assistance", aid.pk)]
    aid.is_active = False
    aid.save()
    assert recommendations_for(person) == []


def test_education_assistance_needs_a_child_of_school_age(tree, actor):
    study = hardship.make_programme(code="jinqiu_study", name="金秋助学", limit_count=None)
    parent = support.member(tree.a1)
    hardship.make_file(person=parent, actor=actor)
    support.child(parent, 18)
    childless = support.member(tree.a1)
    hardship.make_file(person=childless, actor=actor)

    item = _only(recommendations_for(parent), "assistance", study.pk)
    assert item.reason == (
        "You have a child aged 18 and are on the union's hardship register: you may apply for 金秋助学."
    )
    assert item.score == selectors.SCORE_ASSISTANCE + selectors.SCORE_EDUCATION_CHILD
    assert recommendations_for(childless) == []


# -- ranking -------------------------------------------------------------------------------------------


def test_ranking_by_score_then_deadline(tree, actor):
    person = support.member(tree.a1)
    support.child(person, 8)
    support.past_activity(unit=tree.root, actor=actor, kind=Kind.LECTURE, person=person)
    lecture = support.activity(unit=tree.root, actor=actor, kind=Kind.LECTURE, title="讲座")  # 1
    care = support.activity(  # 3
        unit=tree.root,
        actor=actor,
        kind=Kind.CHILDCARE,
        eligibility={"child_age_min": 6, "child_age_max": 12},
    )
    urgent = support.programme(unit=tree.root, actor=actor, closes_in=1)  # 3 + 2
    later = support.programme(unit=tree.root, actor=actor, closes_in=30)  # 3, closes after the care
    for prog in (urgent, later):
        support.entitle(prog, person)

    items = recommendations_for(person)
    assert _kinds(items) == [
        ("benefit", urgent.pk),
        ("activity", care.pk),
        ("benefit", later.pk),
        ("activity", lecture.pk),
    ]
    assert [item.score for item in items] == [5.0, 3.0, 3.0, 1.0]
    assert _kinds(recommendations_for(person, limit=2)) == [("benefit", urgent.pk), ("activity", care.pk)]
    assert recommendations_for(None) == []


def test_queries_do_not_grow_with_the_data(tree, actor):
    person = support.member(tree.a1)
    support.child(person, 8)
    hardship.make_file(person=person, actor=actor)

    def add(n: int) -> None:
        for _ in range(n):
            support.activity(
                unit=tree.root,
                actor=actor,
                kind=Kind.CHILDCARE,
                eligibility={"child_age_min": 6, "child_age_max": 12, "unit_ids": [tree.a.pk]},
            )
            support.entitle(support.programme(unit=tree.root, actor=actor), person)
            hardship.make_programme()
            support.past_activity(unit=tree.root, actor=actor, kind=Kind.CHILDCARE, person=person)

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert len(recommendations_for(person, limit=50)) == 6
    add(6)
    with CaptureQueriesContext(connection) as many:
        assert len(recommendations_for(person, limit=50)) == 24
    assert len(many) == len(few)
    assert len(few) <= 14


# -- impressions and take-up ---------------------------------------------------------------------------


def _item(kind: str, item_id: int, title: str = "暑期托管", score: float = 3.0) -> Item:
    return Item(kind=kind, item_id=item_id, title=title, url="/", reason=f"理由{score}", score=score)


def test_impressions_are_upserted(tree):
    person = support.member(tree.a1)
    services.record_shown(person=person, items=[_item("activity", 1), _item("benefit", 1)])
    first = Recommendation.objects.get(person=person, kind="activity", item_id=1)
    later = timezone.now() + dt.timedelta(hours=1)
    services.record_shown(person=person, items=[_item("activity", 1, "暑期托管（二期）", 4.0)], now=later)
    assert Recommendation.objects.filter(person=person).count() == 2
    row = Recommendation.objects.get(pk=first.pk)
    assert row.times_shown == 2
    assert row.title == "暑期托管（二期）"
    assert row.reason == "理由4.0"
    assert row.score == 4.0
    assert row.last_shown_at == later
    assert row.first_shown_at == first.first_shown_at
    assert Recommendation.objects.get(person=person, kind="benefit").times_shown == 1
    services.record_shown(person=person, items=[])
    assert Recommendation.objects.filter(person=person).count() == 2


def test_take_up_of_each_kind(tree, actor):
    person = support.member(tree.a1)
    support.child(person, 8)
    hardship.make_file(person=person, actor=actor)
    care = support.activity(
        unit=tree.root,
        actor=actor,
        kind=Kind.CHILDCARE,
        eligibility={"child_age_min": 6, "child_age_max": 12},
    )
    prog = support.programme(unit=tree.root, actor=actor)
    support.entitle(prog, person)
    aid = hardship.make_programme(name="临时补助")
    other = support.member(tree.a1)
    services.record_shown(person=other, items=[_item("activity", care.pk)])

    items = recommendations_for(person)
    assert len(items) == 3
    services.record_shown(person=person, items=items)
    assert services.refresh_take_up() == 0

    registration = support.register(care, person, by=person.user)
    Entitlement.objects.filter(programme=prog, person=person).update(chosen_at=timezone.now())
    application = hardship.make_application(person=person, actor=person.user, programme=aid)
    assert services.refresh_take_up(person_ids=[other.pk]) == 0
    call_command("ai_recommendations_take_up", stdout=open("/dev/null", "w"))  # noqa: SIM115
    rows = {row.kind: row for row in Recommendation.objects.filter(person=person)}
    assert rows["activity"].taken_up_at == registration.created_at
    assert rows["benefit"].taken_up_at is not None
    assert rows["assistance"].taken_up_at == application.created_at
    assert Recommendation.objects.get(person=other).taken_up_at is None
    assert services.refresh_take_up() == 0  # idempotent
    # Taken up: no longer recommended.
    assert recommendations_for(person) == []


def test_take_up_before_it_was_shown_does_not_count(tree, actor):
    person = support.member(tree.a1)
    care = support.activity(unit=tree.root, actor=actor)
    support.register(care, person, by=actor)
    services.record_shown(person=person, items=[_item("activity", care.pk)])
    Recommendation.objects.filter(person=person).update(
        first_shown_at=timezone.now() + dt.timedelta(minutes=5)
    )
    assert services.refresh_take_up() == 0


def test_take_up_after_an_earlier_try_counts(tree, actor):
    """A member who registered (applied) before the item was first shown, gave it up, and did it again
    after being shown it took the recommendation up — with the later moment."""
    person = support.member(tree.a1)
    hardship.make_file(person=person, actor=actor)
    care = support.activity(unit=tree.root, actor=actor)
    aid = hardship.make_programme(name="临时补助")
    now = timezone.now()
    before, shown = now - dt.timedelta(days=10), now - dt.timedelta(days=1)
    old_registration = support.register(care, person, by=person.user, status=Registration.Status.CANCELLED)
    old_application = hardship.make_application(
        person=person, actor=person.user, programme=aid, status=AssistanceApplication.Status.WITHDRAWN
    )
    Registration.objects.filter(pk=old_registration.pk).update(created_at=before)
    AssistanceApplication.objects.filter(pk=old_application.pk).update(created_at=before)
    services.record_shown(person=person, items=[_item("activity", care.pk), _item("assistance", aid.pk)])
    Recommendation.objects.filter(person=person).update(first_shown_at=shown)
    assert services.refresh_take_up() == 0  # only the tries before it was shown
    registration = support.register(care, person, by=person.user)
    application = hardship.make_application(person=person, actor=person.user, programme=aid)
    assert services.refresh_take_up() == 2
    rows = {row.kind: row for row in Recommendation.objects.filter(person=person)}
    assert rows["activity"].taken_up_at == registration.created_at
    assert rows["assistance"].taken_up_at == application.created_at


def test_benefit_chosen_before_it_was_shown_does_not_count(tree, actor):
    person = support.member(tree.a1)
    prog = support.programme(unit=tree.root, actor=actor)
    support.entitle(prog, person)
    services.record_shown(person=person, items=[_item("benefit", prog.pk)])
    Entitlement.objects.filter(programme=prog, person=person).update(
        chosen_at=timezone.now() - dt.timedelta(days=2)
    )
    Recommendation.objects.filter(person=person).update(first_shown_at=timezone.now() - dt.timedelta(days=1))
    assert services.refresh_take_up() == 0
    Entitlement.objects.filter(programme=prog, person=person).update(chosen_at=timezone.now())
    assert services.refresh_take_up() == 1


# -- figures -------------------------------------------------------------------------------------------


def _row(person: Any, kind: str, item_id: int, shown: dt.datetime, taken: bool, times: int = 1) -> None:
    row = Recommendation.objects.create(
        person=person, kind=kind, item_id=item_id, title=f"{kind}{item_id}", reason="r", times_shown=times
    )
    Recommendation.objects.filter(pk=row.pk).update(
        first_shown_at=shown, last_shown_at=shown, taken_up_at=shown + dt.timedelta(days=1) if taken else None
    )


def test_take_up_stats_on_a_constructed_table(tree):
    people = [support.member(tree.a1) for _ in range(4)]
    tz = timezone.get_current_timezone()
    march = dt.datetime(2026, 3, 10, 12, tzinfo=tz)
    april = dt.datetime(2026, 4, 10, 12, tzinfo=tz)
    # Activity 1 shown to four members in March, two took it up; benefit 7 shown to two in April, one took it.
    for index, person in enumerate(people):
        _row(person, "activity", 1, march, taken=index < 2, times=3)
    _row(people[0], "benefit", 7, april, taken=True)
    _row(people[1], "benefit", 7, april, taken=False)
    _row(people[2], "activity", 2, april, taken=False)

    stats = take_up_stats()
    assert (stats["overall"].shown, stats["overall"].taken, stats["overall"].rate) == (7, 3, 42.9)
    by_kind = {row["kind"]: row["figures"] for row in stats["by_kind"]}
    assert (by_kind["activity"].shown, by_kind["activity"].taken, by_kind["activity"].rate) == (5, 2, 40.0)
    assert (by_kind["benefit"].shown, by_kind["benefit"].taken, by_kind["benefit"].rate) == (2, 1, 50.0)
    assert (by_kind["assistance"].shown, by_kind["assistance"].rate) == (0, None)
    months = {row["month"]: row for row in stats["by_month"]}
    assert list(months) == [dt.date(2026, 4, 1), dt.date(2026, 3, 1)]
    april_row = months[dt.date(2026, 4, 1)]
    assert [(f.shown, f.taken) for f in april_row["kinds"]] == [(1, 0), (2, 1), (0, 0)]
    assert (april_row["total"].shown, april_row["total"].taken) == (3, 1)
    top = stats["top"][0]
    assert (top["kind"], top["item_id"], top["title"]) == ("activity", 1, "activity1")
    assert (top["figures"].shown, top["figures"].taken, top["impressions"]) == (4, 2, 12)
    assert [row["item_id"] for row in stats["top"]] == [1, 7, 2]

    since_april = take_up_stats(since=dt.date(2026, 4, 1))
    assert (since_april["overall"].shown, since_april["overall"].taken) == (3, 1)
    assert [row["month"] for row in since_april["by_month"]] == [dt.date(2026, 4, 1)]
