"""The waiting list: positions, a freed place offered to the next that fits (held while offered), accept,
decline, expiry passing it on, the quota release returning unused places to the pool."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from smartunion.activities.models import Activity, Registration, UnitQuota
from smartunion.activities.services import registration as services
from smartunion.core.models import AuditEntry
from smartunion.members.models import ServiceRecord
from smartunion.notifications.models import Notification

from . import factories
from .registration_support import counters, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("subunion_chair", tree.a, name="活动组织者")


def reg(person: Any, activity: Activity, **kwargs: Any) -> Registration:
    outcome = services.register(
        actor=person.user, activity=activity, person=person, idempotency_key=f"k-{person.pk}", **kwargs
    )
    assert outcome.registration is not None
    return outcome.registration


def fresh(registration: Registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


@pytest.fixture
def full(tree: Any, organiser: Any) -> tuple[Activity, list[Any], list[Registration]]:
    """One place, taken; three on the waiting list."""
    activity = factories.make_activity(
        unit=tree.a, actor=organiser, capacity=1, offer_hours=12, max_quantity=2
    )
    people = [member(tree.a) for _ in range(4)]
    entries = [reg(person, activity) for person in people]
    return activity, people, entries


def test_positions_are_one_based_and_move_up(full):
    _activity, people, entries = full
    assert [services.waitlist_position(e) for e in entries] == [None, 1, 2, 3]
    services.cancel(actor=people[2].user, registration=entries[2])
    assert services.waitlist_position(fresh(entries[3])) == 2


def test_a_freed_place_is_offered_to_the_next_and_held(tree, full):
    activity, people, entries = full
    services.cancel(actor=people[0].user, registration=entries[0])
    offered = fresh(entries[1])
    assert offered.status == "offered"
    expected = timezone.now() + dt.timedelta(hours=12)
    assert abs((offered.offer_expires_at - expected).total_seconds()) < 60
    assert counters(activity) == (1, 1, {})  # the place is held for the offer
    note = Notification.objects.get(recipient=people[1].user, kind="activities.offered")
    assert note.title == f"A place is free for you: {activity.title}"
    assert AuditEntry.objects.filter(action="activities.registration.offered").count() == 1
    # Nobody else can take the held place.
    newcomer = member(tree.a)
    late = services.register(actor=newcomer.user, activity=activity, person=newcomer, idempotency_key="late")
    assert late.result == "waitlisted"


def test_accepting_the_offer_confirms(full):
    activity, people, entries = full
    services.cancel(actor=people[0].user, registration=entries[0])
    with pytest.raises(PermissionDenied):
        services.accept_offer(actor=people[2].user, registration=entries[1])
    accepted = services.accept_offer(actor=people[1].user, registration=entries[1])
    assert (accepted.status, accepted.confirmed_at is not None) == ("confirmed", True)
    assert counters(activity) == (1, 1, {})
    assert ServiceRecord.objects.filter(person=people[1], kind="activities.registered").exists()
    with pytest.raises(ValidationError, match="No place is offered to you"):
        services.accept_offer(actor=people[1].user, registration=accepted)


def test_declining_passes_the_place_on(full):
    activity, people, entries = full
    services.cancel(actor=people[0].user, registration=entries[0])
    declined = services.decline_offer(actor=people[1].user, registration=entries[1])
    assert (declined.status, declined.cancel_reason) == ("cancelled", "Declined the offered place.")
    assert fresh(entries[2]).status == "offered"
    assert counters(activity) == (1, 1, {})


def test_an_expired_offer_passes_on(full):
    activity, people, entries = full
    services.cancel(actor=people[0].user, registration=entries[0])
    assert services.expire_offers() == 0
    later = timezone.now() + dt.timedelta(hours=13)
    assert services.expire_offers(now=later) == 1
    expired = fresh(entries[1])
    assert (expired.status, expired.cancel_reason) == (
        "cancelled",
        "The offered place was not accepted in time.",
    )
    assert fresh(entries[2]).status == "offered"
    assert Notification.objects.filter(recipient=people[1].user, kind="activities.offer.expired").exists()
    assert AuditEntry.objects.filter(action="activities.offer.expired").count() == 1
    assert counters(activity) == (1, 1, {})


def test_accepting_too_late_is_refused_and_passes_on(full):
    _activity, people, entries = full
    services.cancel(actor=people[0].user, registration=entries[0])
    Registration.objects.filter(pk=entries[1].pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ValidationError, match="The offer expired at"):
        services.accept_offer(actor=people[1].user, registration=entries[1])
    assert fresh(entries[1]).status == "cancelled"
    assert fresh(entries[2]).status == "offered"


def test_the_command_expires_offers(full):
    _activity, people, entries = full
    services.cancel(actor=people[0].user, registration=entries[0])
    Registration.objects.filter(pk=entries[1].pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    out = StringIO()
    call_command("activities_expire_offers", stdout=out)
    assert out.getvalue().strip() == "1 offer(s) expired and passed on."
    assert fresh(entries[2]).status == "offered"


def test_entries_whose_quantity_does_not_fit_are_skipped_in_order(tree, organiser):
    activity = factories.make_activity(unit=tree.a, actor=organiser, capacity=2, max_quantity=2)
    holders = [member(tree.a), member(tree.a)]
    held = [reg(p, activity) for p in holders]
    pair, single = member(tree.a), member(tree.a)
    pair_entry = reg(pair, activity, quantity=2)
    single_entry = reg(single, activity)
    services.cancel(actor=holders[0].user, registration=held[0])
    assert fresh(pair_entry).status == "waitlisted"  # one place: the pair does not fit
    assert fresh(single_entry).status == "offered"
    assert services.waitlist_position(fresh(pair_entry)) == 1
    services.accept_offer(actor=single.user, registration=single_entry)
    services.cancel(actor=holders[1].user, registration=held[1])
    services.cancel(actor=single.user, registration=fresh(single_entry))
    assert fresh(pair_entry).status == "offered"  # two places free now
    assert counters(activity) == (2, 2, {})


def test_a_waitlisted_cancel_frees_nothing(full):
    activity, people, entries = full
    services.cancel(actor=people[3].user, registration=entries[3])
    assert counters(activity) == (1, 1, {})
    assert fresh(entries[1]).status == "waitlisted"


def test_organiser_cancel_offers_the_place_and_tells_the_member(full, organiser):
    _activity, people, entries = full
    services.cancel(actor=organiser, registration=entries[0], reason="重复报名")
    assert (
        Notification.objects.get(recipient=people[0].user, kind="activities.registration.cancelled").body
        == "重复报名"
    )
    assert fresh(entries[1]).status == "offered"


# -- the quota release -------------------------------------------------------------------------------------


@pytest.fixture
def quota_activity(tree: Any, organiser: Any) -> Activity:
    activity = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        capacity=4,
        quota_release_at=timezone.now() + dt.timedelta(days=2),
    )
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=3)
    return activity


def test_release_returns_the_unused_quota_to_the_pool_once_and_offers_it(tree, quota_activity):
    activity = quota_activity
    a_member = member(tree.a)
    reg(a_member, activity)
    b_people = [member(tree.b) for _ in range(3)]
    b_entries = [reg(p, activity) for p in b_people]
    assert [e.status for e in b_entries] == ["confirmed", "waitlisted", "waitlisted"]
    assert services.release_quotas(activity=activity) == 0  # not yet
    release = activity.quota_release_at + dt.timedelta(minutes=1)
    assert services.release_quotas(activity=activity, now=release) == 2
    assert counters(activity) == (4, 3, {"机械工程学院": (1, 1)})
    assert [fresh(e).status for e in b_entries] == ["confirmed", "offered", "offered"]
    assert services.release_quotas(activity=activity, now=release) == 0  # once
    entry = AuditEntry.objects.get(action="activities.quotas.released")
    assert entry.changes["places"] == 2
    # After the release a place freed from the quota joins the pool.
    services.cancel(actor=a_member.user, registration=Registration.objects.get(person=a_member))
    assert counters(activity) == (3, 3, {"机械工程学院": (0, 0)})


def test_the_release_command_handles_due_activities(tree, quota_activity):
    Activity.objects.filter(pk=quota_activity.pk).update(
        quota_release_at=timezone.now() - dt.timedelta(minutes=1)
    )
    out = StringIO()
    call_command("activities_release_quotas", stdout=out)
    assert "Quotas released for 1" in out.getvalue()
    assert counters(quota_activity)[2] == {"机械工程学院": (0, 0)}
    call_command("activities_release_quotas", stdout=StringIO())
    assert AuditEntry.objects.filter(action="activities.quotas.released").count() == 1


def test_a_quota_place_freed_before_the_release_stays_with_the_unit(tree, quota_activity):
    activity = quota_activity
    a_member = member(tree.a)
    entry = reg(a_member, activity)
    b_entries = [reg(member(tree.b), activity) for _ in range(2)]
    assert [e.status for e in b_entries] == ["confirmed", "waitlisted"]
    services.cancel(actor=a_member.user, registration=entry)
    assert fresh(b_entries[1]).status == "waitlisted"  # the freed place is unit A's
    a_waiting = reg(member(tree.a1), activity)
    assert a_waiting.status == "confirmed"
