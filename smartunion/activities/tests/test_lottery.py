"""The lottery: entries pending until the draw after registration closes; a seeded, reproducible draw with
priority tiers (never attended first) and fairness between units; quotas respected; the losers waitlisted
in draw order (or not drawn); one audit entry; an explanation in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from smartunion.activities.models import Activity, Registration, UnitQuota
from smartunion.activities.services import registration as services
from smartunion.core.models import AuditEntry

from . import factories
from .registration_support import counters, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会")


def lottery(tree: Any, organiser: Any, **fields: Any) -> Activity:
    values = {"capacity": 3, "allocation": Activity.Allocation.LOTTERY, "kind": "retreat"}
    values.update(fields)
    return factories.make_activity(unit=tree.root, actor=organiser, **values)


def enter(activity: Activity, people: list[Any]) -> list[Registration]:
    entries = []
    for person in people:
        outcome = services.register(
            actor=person.user, activity=activity, person=person, idempotency_key=f"k-{person.pk}"
        )
        assert outcome.result == "pending"
        entries.append(outcome.registration)
    return entries


def close(activity: Activity) -> None:
    Activity.objects.filter(pk=activity.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    activity.refresh_from_db()


def drawn_order(activity: Activity) -> list[int]:
    return list(
        Registration.objects.filter(activity=activity)
        .order_by("lottery_position")
        .values_list("pk", flat=True)
    )


def test_entries_wait_for_the_draw_after_registration_closes(tree, organiser, make_user):
    activity = lottery(tree, organiser)
    entries = enter(activity, [member(tree.a) for _ in range(5)])
    assert counters(activity)[0] == 0
    message = services.register(
        actor=entries[0].person.user, activity=activity, person=entries[0].person, idempotency_key="k"
    ).message
    assert "Places are drawn by lottery after registration closes" in message
    with pytest.raises(ValidationError, match="drawn after registration closes"):
        services.lottery_draw(actor=organiser, activity=activity)
    close(activity)
    with pytest.raises(PermissionDenied):
        services.lottery_draw(actor=make_user("subunion_chair", tree.a), activity=activity)
    result = services.lottery_draw(actor=organiser, activity=activity, seed="公开种子2026")
    assert result == {
        "seed": "公开种子2026",
        "derived": False,
        "entries": 5,
        "confirmed": 3,
        "waitlisted": 2,
        "not_drawn": 0,
    }
    activity.refresh_from_db()
    assert (activity.lottery_seed, activity.lottery_drawn_at is not None) == ("公开种子2026", True)
    assert counters(activity)[0] == 3
    rows = list(Registration.objects.filter(activity=activity).order_by("lottery_position"))
    assert [r.lottery_position for r in rows] == [1, 2, 3, 4, 5]
    assert [r.status for r in rows] == ["confirmed"] * 3 + ["waitlisted"] * 2
    assert [services.waitlist_position(r) for r in rows[3:]] == [
        1,
        2,
    ]  # the waiting list keeps the draw order
    audit = AuditEntry.objects.get(action="activities.lottery.drawn")
    assert (audit.changes["seed"], audit.changes["confirmed"], audit.changes["waitlisted"]) == (
        "公开种子2026",
        3,
        2,
    )
    with pytest.raises(ValidationError, match="The lottery was drawn at"):
        services.lottery_draw(actor=organiser, activity=activity)


def test_the_draw_is_reproducible_from_its_seed(tree, organiser):
    activity = lottery(tree, organiser, capacity=4, lottery_unit_fair=True)
    enter(activity, [member(unit) for unit in (tree.a, tree.a1, tree.b, tree.b1) for _ in range(3)])
    close(activity)

    # Draw on a copy of the database (rolled back), then for real with the same seed: the same order.
    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            services.lottery_draw(actor=organiser, activity=activity, seed="abc123")
            first = drawn_order(activity)
            raise Rollback
    except Rollback:
        pass
    assert Registration.objects.filter(activity=activity, lottery_position__isnull=False).count() == 0
    services.lottery_draw(actor=organiser, activity=activity, seed="abc123")
    activity.refresh_from_db()
    assert drawn_order(activity) == first
    assert services.lottery_replay(activity) == first  # anyone can re-run it from the published seed
    other = services.lottery_order(
        activity_pk=activity.pk,
        seed="another",
        entries=[(r.pk, r.unit_id, 0) for r in Registration.objects.filter(activity=activity)],
        unit_fair=True,
    )
    assert other != first


def test_the_published_seed_is_used(tree, organiser):
    activity = lottery(tree, organiser)
    enter(activity, [member(tree.a) for _ in range(4)])
    published = services.lottery_seed_publish(actor=organiser, activity=activity, seed="事先公布")
    assert published.lottery_seed == "事先公布"
    close(activity)
    assert services.lottery_draw(actor=organiser, activity=activity)["seed"] == "事先公布"
    with pytest.raises(ValidationError, match="only for a lottery not drawn yet"):
        services.lottery_seed_publish(actor=organiser, activity=activity)


def test_without_a_seed_a_random_one_is_recorded(tree, organiser):
    activity = lottery(tree, organiser)
    enter(activity, [member(tree.a)])
    close(activity)
    seed = services.lottery_draw(actor=organiser, activity=activity)["seed"]
    assert len(seed) == 32
    activity.refresh_from_db()
    assert activity.lottery_seed == seed


def attended_last_year(person: Any, organiser: Any, tree: Any) -> None:
    past = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        kind="retreat",
        starts_at=timezone.now() - dt.timedelta(days=200),
        ends_at=timezone.now() - dt.timedelta(days=199),
        registration_opens_at=timezone.now() - dt.timedelta(days=300),
        registration_closes_at=timezone.now() - dt.timedelta(days=250),
    )
    Registration.objects.create(
        activity=past,
        person=person,
        unit=person.unit,
        status="confirmed",
        idempotency_key=f"past-{person.pk}",
        registered_by=person.user,
    )


def test_never_attended_draw_first(tree, organiser):
    activity = lottery(tree, organiser, capacity=2, lottery_priority="never_attended")
    veterans = [member(tree.a) for _ in range(4)]
    for person in veterans:
        attended_last_year(person, organiser, tree)
    newcomers = [member(tree.b) for _ in range(2)]
    enter(activity, [*veterans, *newcomers])
    close(activity)
    services.lottery_draw(actor=organiser, activity=activity, seed="s")
    winners = set(
        Registration.objects.filter(activity=activity, status="confirmed").values_list("person_id", flat=True)
    )
    assert winners == {p.pk for p in newcomers}
    tiers = dict(Registration.objects.filter(activity=activity).values_list("person_id", "lottery_tier"))
    assert {tiers[p.pk] for p in newcomers} == {0} and {tiers[p.pk] for p in veterans} == {1}
    newcomer_entry = Registration.objects.get(activity=activity, person=newcomers[0])
    text = services.lottery_explanation(newcomer_entry)
    assert text.startswith("First priority (has not taken part in the last 3 years): number ")
    assert text.endswith("of 2 in the draw order; 2 places; seed s: drawn.")
    loser = (
        Registration.objects.filter(activity=activity, person__in=veterans)
        .order_by("lottery_position")
        .first()
    )
    assert services.lottery_explanation(loser) == (
        "Second priority (took part in the last 3 years): number 1 of 4 in the draw order; 2 places; seed s: "
        "not drawn; number 1 on the waiting list."
    )


def test_unit_fairness_shares_the_places_round_the_units(tree, organiser):
    activity = lottery(tree, organiser, capacity=2, lottery_unit_fair=True)
    enter(activity, [member(tree.a) for _ in range(6)] + [member(tree.b)])
    close(activity)
    services.lottery_draw(actor=organiser, activity=activity, seed="fair")
    units = set(
        Registration.objects.filter(activity=activity, status="confirmed").values_list("unit_id", flat=True)
    )
    assert units == {tree.a.pk, tree.b.pk}


def test_the_order_function_goes_round_the_units(tree):
    order = services.lottery_order(
        activity_pk=1,
        seed="x",
        entries=[(1, 10, 0), (2, 10, 0), (3, 10, 0), (4, 20, 0), (5, 30, 1), (6, 20, 0)],
        unit_fair=True,
    )
    assert order[-1] == 5  # the lower tier last
    units = {1: 10, 2: 10, 3: 10, 4: 20, 6: 20}
    assert [units[pk] for pk in order[:4]].count(10) == 2  # A, B, A, B, then A's last one


def test_quotas_are_respected_in_the_draw(tree, organiser):
    activity = lottery(tree, organiser, capacity=3)
    UnitQuota.objects.create(activity=activity, unit=tree.b, places=2)
    enter(activity, [member(tree.a) for _ in range(5)] + [member(tree.b1) for _ in range(2)])
    close(activity)
    services.lottery_draw(actor=organiser, activity=activity, seed="q")
    confirmed = list(
        Registration.objects.filter(activity=activity, status="confirmed").values_list("unit_id", flat=True)
    )
    assert sorted(confirmed).count(tree.b1.pk) == 2  # B's two places are theirs whatever the order
    assert counters(activity) == (3, 1, {"外国语学院": (2, 2)})


def test_without_a_waiting_list_the_others_are_not_drawn(tree, organiser):
    activity = lottery(tree, organiser, capacity=1, waitlist=False)
    entries = enter(activity, [member(tree.a) for _ in range(3)])
    close(activity)
    assert services.lottery_draw(actor=organiser, activity=activity, seed="n")["not_drawn"] == 2
    assert {e.pk for e in entries} == set(
        Registration.objects.filter(activity=activity).values_list("pk", flat=True)
    )
    loser = Registration.objects.get(activity=activity, lottery_position=2)
    assert loser.status == "not_drawn"
    assert services.lottery_explanation(loser) == (
        "One draw for everyone: number 2 of 3 in the draw order; 1 places; seed n: not drawn."
    )


def test_explanation_before_the_draw(tree, organiser):
    activity = lottery(tree, organiser)
    entry = enter(activity, [member(tree.a)])[0]
    assert services.lottery_explanation(entry) == "The lottery has not been drawn yet."
