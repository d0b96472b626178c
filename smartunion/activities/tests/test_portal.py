"""The portal's reads: which activities a member sees (visibility), "适合我" (visible, eligible, open now),
places left, the member's own registration on the card, series with their batches, the filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from smartunion.activities.models import Activity, Invitation, Kind, Registration
from smartunion.activities.selectors import eligibility
from smartunion.activities.selectors import portal as selectors

from . import factories
from . import portal_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="组织者")


@pytest.fixture
def person(make_user: Any, make_person: Any, tree: Any) -> Any:
    return support.member(make_user, make_person, tree.a1, name="李红", sex="F")


def _titles(cards: list[selectors.Card]) -> list[str]:
    return [card.activity.title for card in cards]


def test_fit_is_visible_eligible_and_open_now(tree, organiser, person):
    now = timezone.now()
    open_ = factories.make_activity(unit=tree.root, actor=organiser, title="开放")
    factories.make_activity(unit=tree.root, actor=organiser, title="男职工", eligibility={"sex": "M"})
    factories.make_activity(
        unit=tree.root,
        actor=organiser,
        title="未开始",
        registration_opens_at=now + dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=3),
    )
    factories.make_activity(
        unit=tree.root, actor=organiser, title="已截止", registration_closes_at=now - dt.timedelta(hours=1)
    )
    factories.make_activity(unit=tree.root, actor=organiser, title="草稿", status=Activity.Status.DRAFT)
    factories.make_activity(unit=tree.root, actor=organiser, title="取消", status=Activity.Status.CANCELLED)
    factories.make_activity(
        unit=tree.root,
        actor=organiser,
        title="已结束",
        starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=2),
    )
    facts = eligibility.facts_for(person)
    assert _titles(selectors.browse(facts=facts)) == ["开放"]
    every = selectors.browse(facts=facts, show=selectors.FILTER_ALL)
    assert sorted(_titles(every)) == sorted(["开放", "男职工", "未开始", "已截止"])
    by_title = {card.activity.title: card for card in every}
    assert by_title["男职工"].eligible is False and by_title["男职工"].open_now is True
    assert by_title["未开始"].not_yet_open is True and by_title["未开始"].open_now is False
    assert by_title["已截止"].open_now is False and by_title["已截止"].not_yet_open is False
    assert by_title["开放"].activity.pk == open_.pk


def test_visibility_subtree_and_invited(tree, organiser, person):
    factories.make_activity(
        unit=tree.a,
        actor=organiser,
        title="本院",
        visibility=Activity.Visibility.SUBTREE,
        visibility_unit=tree.a,
    )
    factories.make_activity(
        unit=tree.b,
        actor=organiser,
        title="外院",
        visibility=Activity.Visibility.SUBTREE,
        visibility_unit=tree.b,
    )
    invited = factories.make_activity(
        unit=tree.root, actor=organiser, title="受邀", visibility=Activity.Visibility.INVITED
    )
    factories.make_activity(
        unit=tree.root, actor=organiser, title="未受邀", visibility=Activity.Visibility.INVITED
    )
    Invitation.objects.create(activity=invited, person=person)
    facts = eligibility.facts_for(person)
    assert sorted(_titles(selectors.browse(facts=facts, show=selectors.FILTER_ALL))) == ["受邀", "本院"]


def test_places_left_and_own_registration(tree, organiser, person, make_user, make_person):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10)
    unlimited = factories.make_activity(unit=tree.root, actor=organiser, capacity=None)
    full = factories.make_activity(unit=tree.root, actor=organiser, capacity=1)
    others = [support.member(make_user, make_person, tree.b, name=f"他人{i}") for i in range(3)]
    for other in others:
        support.register(activity, other, by=organiser)
    support.register(full, others[0], by=organiser)
    mine = support.register(activity, person, by=person.user, status=Registration.Status.WAITLISTED)
    cards = {card.activity.pk: card for card in selectors.browse(facts=eligibility.facts_for(person))}
    assert cards[activity.pk].places_left == 7 and not cards[activity.pk].full
    assert cards[activity.pk].registration == mine
    assert cards[unlimited.pk].places_left is None and not cards[unlimited.pk].full
    assert cards[full.pk].places_left == 0 and cards[full.pk].full
    assert cards[full.pk].registration is None


def test_a_cancelled_registration_gives_way_to_the_live_one(tree, organiser, person):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    support.register(activity, person, by=person.user, status=Registration.Status.CANCELLED)
    live = support.register(activity, person, by=person.user)
    card = selectors.browse(facts=eligibility.facts_for(person))[0]
    assert card.registration == live


def test_series_shows_its_batches(tree, organiser, person):
    series = factories.make_activity(unit=tree.root, actor=organiser, title="疗休养", kind=Kind.RETREAT)
    now = timezone.now()
    first = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        title="第一批",
        kind=Kind.RETREAT,
        series=series,
        starts_at=now + dt.timedelta(days=20),
        ends_at=now + dt.timedelta(days=23),
    )
    second = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        title="第二批",
        kind=Kind.RETREAT,
        series=series,
        starts_at=now + dt.timedelta(days=30),
        ends_at=now + dt.timedelta(days=33),
    )
    cards = selectors.browse(facts=eligibility.facts_for(person))
    assert _titles(cards) == ["疗休养"]
    assert [batch.activity.pk for batch in cards[0].batches] == [first.pk, second.pk]
    assert cards[0].fit


def test_kind_and_period_filters(tree, organiser, person):
    now = timezone.now()
    soon = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        title="明天讲座",
        kind=Kind.LECTURE,
        starts_at=now + dt.timedelta(hours=2),
        ends_at=now + dt.timedelta(hours=4),
    )
    later = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        title="两月后",
        kind=Kind.SPORTS,
        starts_at=now + dt.timedelta(days=60),
        ends_at=now + dt.timedelta(days=60, hours=2),
    )
    facts = eligibility.facts_for(person)
    assert _titles(selectors.browse(facts=facts, kind=Kind.LECTURE)) == [soon.title]
    assert _titles(selectors.browse(facts=facts, period=selectors.PERIOD_WEEK)) == [soon.title]
    assert _titles(selectors.browse(facts=facts, period=selectors.PERIOD_MONTH)) == [soon.title]
    assert sorted(_titles(selectors.browse(facts=facts))) == sorted([soon.title, later.title])


def test_detail_card_reasons_in_words(tree, organiser, person):
    activity = factories.make_activity(
        unit=tree.root, actor=organiser, eligibility={"sex": "M", "child_age_min": 3, "child_age_max": 6}
    )
    detail = selectors.detail_card(activity=activity, facts=eligibility.facts_for(person))
    assert detail["reasons"][0] == "Only for men members."
    assert "child aged 3 to 6" in detail["reasons"][1]
    assert detail["open_now"] and detail["places_left"] == 10 and detail["registration"] is None


def test_activity_for_member_hides_drafts_and_invisible(tree, organiser, person):
    from django.http import Http404

    facts = eligibility.facts_for(person)
    draft = factories.make_activity(unit=tree.root, actor=organiser, status=Activity.Status.DRAFT)
    elsewhere = factories.make_activity(
        unit=tree.b, actor=organiser, visibility=Activity.Visibility.SUBTREE, visibility_unit=tree.b
    )
    for activity in (draft, elsewhere):
        with pytest.raises(Http404):
            selectors.activity_for_member(facts=facts, pk=activity.pk)
    with pytest.raises(Http404):
        selectors.activity_for_member(facts=facts, pk="x")


def test_my_registrations_upcoming_and_past(tree, organiser, person):
    now = timezone.now()
    upcoming = support.register(
        factories.make_activity(unit=tree.root, actor=organiser), person, by=person.user
    )
    cancelled = support.register(
        factories.make_activity(unit=tree.root, actor=organiser),
        person,
        by=person.user,
        status=Registration.Status.CANCELLED,
    )
    over = support.register(
        factories.make_activity(
            unit=tree.root,
            actor=organiser,
            starts_at=now - dt.timedelta(days=5),
            ends_at=now - dt.timedelta(days=4),
        ),
        person,
        by=person.user,
    )
    groups = selectors.my_registrations(person)
    assert groups["upcoming"] == [upcoming]
    assert set(groups["past"]) == {cancelled, over}


def test_children_with_their_ages_on_the_first_day(tree, organiser, person):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    start = timezone.localtime(activity.starts_at).date()
    kid = support.child(person, "小宝", born=start.replace(year=start.year - 7) - dt.timedelta(days=1))
    assert selectors.children_of(person, activity) == [(kid, 7)]
