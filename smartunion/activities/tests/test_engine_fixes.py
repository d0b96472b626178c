"""The registration engine's fixes after review: the window guarded by the database inside the write,
series (batches), children against ``max_quantity``, the lottery's seed fixed before the close, the quota
give-back in one statement, bulk registration within the unit's quota, the busy message extracted, an
expired offer ending alone, no offers after the start, and the ledger line of a cancellation."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from smartunion.activities.models import Activity, Registration, UnitQuota
from smartunion.activities.services import registration as services
from smartunion.members.models import ServiceRecord

from . import factories
from .registration_support import child, counters, member, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会")


def reg(person: Any, activity: Activity, key: str = "", **kwargs: Any) -> services.Outcome:
    return services.register(
        actor=person.user,
        activity=activity,
        person=person,
        idempotency_key=key or f"k-{person.pk}-{activity.pk}",
        **kwargs,
    )


def stale_cancelled(activity: Activity) -> Activity:
    """The activity as a request read it (published, open) while ``activity_cancel`` committed meanwhile."""
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.CANCELLED)
    return activity


# -- 1. the window, guarded inside the write ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "fill"),
    [
        ({"capacity": 5}, False),  # would be confirmed
        ({"capacity": 1, "waitlist": True}, True),  # would be waitlisted
        ({"capacity": 1, "waitlist": False}, True),  # would be "full"
        ({"allocation": Activity.Allocation.LOTTERY}, False),  # would be pending
        ({"allocation": Activity.Allocation.APPROVAL}, False),
    ],
)
def test_a_registration_is_refused_once_the_activity_was_cancelled_meanwhile(tree, organiser, fields, fill):
    activity = factories.make_activity(unit=tree.root, actor=organiser, **fields)
    if fill:
        assert reg(member(tree.a), activity).result == "confirmed"
    before_counters, before = counters(activity), written()
    activity = stale_cancelled(activity)
    person = member(tree.a)
    # The "full" answer from a read may stand (nothing is written); everything else is refused.
    if fill and not fields.get("waitlist"):
        Activity.objects.filter(pk=activity.pk).update(capacity=2)  # room again: the write is reached
    with pytest.raises(ValidationError, match="not open for registration"):
        reg(person, activity)
    assert written() == before
    assert counters(activity)[0] == before_counters[0]


def test_a_registration_is_refused_once_the_window_closed_meanwhile(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=5)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    Activity.objects.filter(pk=activity.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    before = written()
    with pytest.raises(ValidationError, match="not open for registration"):
        reg(member(tree.a), activity)  # the stale instance still says "open"
    assert written() == before
    assert counters(activity) == (0, 0, {"机械工程学院": (0, 2)})  # the quota's place was given back


def test_bulk_register_is_refused_on_a_cancelled_activity(tree, organiser, make_user):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=5)
    officer = make_user("subunion_committee", tree.a)
    activity = stale_cancelled(activity)
    outcomes = services.bulk_register(actor=officer, activity=activity, people=[member(tree.a)])
    assert [(o.result, o.message) for o in outcomes] == [
        ("refused", "This activity is not open for registration.")
    ]
    assert not Registration.objects.filter(activity=activity).exists()


def test_offers_and_approvals_still_work_after_the_close(tree, organiser):
    activity = factories.make_activity(
        unit=tree.root, actor=organiser, allocation=Activity.Allocation.APPROVAL, capacity=2
    )
    entry = reg(member(tree.a), activity).registration
    Activity.objects.filter(pk=activity.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert services.approve(actor=organiser, registration=entry).status == "confirmed"


# -- 2. series and batches ---------------------------------------------------------------------------------


def test_a_series_takes_registrations_only_on_its_batches(tree, organiser):
    series = factories.make_activity(unit=tree.root, actor=organiser, title="疗休养")
    first = factories.make_activity(unit=tree.root, actor=organiser, series=series, title="第一批")
    second = factories.make_activity(unit=tree.root, actor=organiser, series=series, title="第二批")
    person = member(tree.a)
    before = written()
    with pytest.raises(ValidationError, match="Choose a batch"):
        reg(person, series)
    assert written() == before
    assert reg(person, first).result == "confirmed"
    with pytest.raises(ValidationError, match="already registered for batch 第一批 of this trip"):
        reg(person, second)
    assert counters(second)[0] == 0
    # Another member may; and after cancelling the first batch the member may take the second.
    assert reg(member(tree.a), second).result == "confirmed"
    services.cancel(actor=person.user, registration=Registration.objects.get(person=person))
    assert reg(person, second, key="again").result == "confirmed"


# -- 3. children and max_quantity ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("participants", "places"),
    [(Activity.Participants.DEPENDANTS, 1), (Activity.Participants.MEMBER_AND_DEPENDANTS, 2)],
)
def test_max_quantity_counts_the_children(tree, organiser, participants, places):
    activity = factories.make_activity(
        unit=tree.root, actor=organiser, participants=participants, max_quantity=1
    )
    parent = member(tree.a)
    born = timezone.localdate() - dt.timedelta(days=365 * 8)
    kids = [child(parent, "小明", born), child(parent, "小红", born)]
    with pytest.raises(ValidationError, match="At most 1 children"):
        reg(parent, activity, dependant_ids=[k.pk for k in kids])
    outcome = reg(parent, activity, key="one-child", dependant_ids=[kids[0].pk])
    assert (outcome.result, outcome.registration.quantity) == ("confirmed", places)
    assert counters(activity)[0] == places


# -- 4. the lottery's seed -----------------------------------------------------------------------------------


def lottery(tree: Any, organiser: Any, **fields: Any) -> Activity:
    return factories.make_activity(
        unit=tree.root, actor=organiser, allocation=Activity.Allocation.LOTTERY, capacity=1, **fields
    )


def close(activity: Activity) -> None:
    Activity.objects.filter(pk=activity.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    activity.refresh_from_db()


def test_the_seed_cannot_be_published_after_the_close(tree, organiser):
    activity = lottery(tree, organiser)
    close(activity)
    with pytest.raises(ValidationError, match="published before registration closes"):
        services.lottery_seed_publish(actor=organiser, activity=activity, seed="看过名单再定")
    activity.refresh_from_db()
    assert activity.lottery_seed == ""


def test_without_a_published_seed_the_draw_derives_one_reproducibly(tree, organiser):
    activity = lottery(tree, organiser)
    entries = [reg(member(tree.a), activity).registration for _ in range(3)]
    close(activity)
    result = services.lottery_draw(actor=organiser, activity=activity)
    expected = services.derived_seed(activity, [e.pk for e in reversed(entries)])
    assert result["derived"] is True and result["seed"] == expected
    activity.refresh_from_db()
    assert activity.lottery_seed == expected
    assert services.lottery_replay(activity) == list(
        Registration.objects.filter(activity=activity)
        .order_by("lottery_position")
        .values_list("pk", flat=True)
    )


def test_the_console_draw_offers_no_seed_and_ignores_one_posted(tree, organiser):
    activity = lottery(tree, organiser)
    entries = [reg(member(tree.a), activity).registration for _ in range(3)]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(organiser)
    url = reverse("activities:console_lottery", args=[activity.pk])
    client.post(url, {"action": "publish_seed", "seed": "事先公布"})
    close(activity)
    page = client.get(url).content.decode()
    assert 'id="draw"' in page and 'name="seed"' not in page and 'id="seed-form"' not in page
    client.post(url, {"seed": "临时挑的"})
    activity.refresh_from_db()
    assert activity.lottery_drawn_at is not None and activity.lottery_seed == "事先公布"
    assert len(entries) == 3


def test_the_console_says_when_the_seed_was_derived(tree, organiser):
    activity = lottery(tree, organiser)
    entry = reg(member(tree.a), activity).registration
    close(activity)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(organiser)
    url = reverse("activities:console_lottery", args=[activity.pk])
    assert "derives one from the activity" in client.get(url).content.decode()
    page = client.post(url, {}, follow=True).content.decode()
    seed = services.derived_seed(activity, [entry.pk])
    assert "was derived from the activity and its entries" in page and seed in page


# -- 5. the quota give-back ----------------------------------------------------------------------------------


def test_the_quota_give_back_decides_released_in_the_same_update(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=5)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    person = member(tree.a)
    registration = reg(person, activity).registration
    with CaptureQueriesContext(connection) as captured:
        services.cancel(actor=person.user, registration=registration)
    sqls = [q["sql"] for q in captured.captured_queries]
    quota_updates = [
        s for s in sqls if s.startswith("UPDATE") and "activities_unitquota" in s.split("SET")[0]
    ]
    assert len(quota_updates) == 1 and "CASE" in quota_updates[0]
    # No separate unlocked read of "released?" on the activity before it.
    assert not [s for s in sqls if s.startswith("SELECT") and "quotas_released_at" in s.split("FROM")[-1]]
    assert counters(activity) == (0, 0, {"机械工程学院": (0, 2)})


def test_a_quota_place_freed_after_the_release_joins_the_pool(tree, organiser):
    activity = factories.make_activity(
        unit=tree.root, actor=organiser, capacity=5, quota_release_at=timezone.now() - dt.timedelta(hours=1)
    )
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    person = member(tree.a)
    registration = reg(person, activity).registration
    assert services.release_quotas(activity=activity) == 1
    services.cancel(actor=person.user, registration=registration)
    assert counters(activity) == (0, 0, {"机械工程学院": (0, 0)})


# -- 6. bulk registration within the unit's quota ----------------------------------------------------------


def test_bulk_register_refuses_a_unit_without_a_quota(tree, organiser, make_user):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10)
    UnitQuota.objects.create(activity=activity, unit=tree.b, places=2)
    officer = make_user("subunion_committee", tree.a)
    outcomes = services.bulk_register(actor=officer, activity=activity, people=[member(tree.a)])
    assert [(o.result, o.message) for o in outcomes] == [
        ("refused", "Your unit has no quota for this activity.")
    ]
    assert counters(activity) == (0, 0, {"外国语学院": (0, 2)})


def test_bulk_register_without_any_quotas_uses_the_pool(tree, organiser, make_user):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10)
    officer = make_user("subunion_committee", tree.a)
    outcomes = services.bulk_register(actor=officer, activity=activity, people=[member(tree.a)])
    assert [o.result for o in outcomes] == ["confirmed"]


@pytest.mark.parametrize("allocation", [Activity.Allocation.LOTTERY, Activity.Allocation.APPROVAL])
def test_bulk_register_keeps_lottery_and_approval_entries_within_the_quota(
    tree, organiser, make_user, allocation
):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10, allocation=allocation)
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    own = reg(member(tree.a1), activity).registration  # a member's own entry counts too
    assert own.status == "pending"
    officer = make_user("subunion_committee", tree.a)
    outcomes = services.bulk_register(
        actor=officer, activity=activity, people=[member(tree.a), member(tree.a)]
    )
    assert [o.result for o in outcomes] == ["pending", "refused"]
    assert "quota" in outcomes[1].message and "2 of 2" in outcomes[1].message
    assert Registration.objects.filter(activity=activity).count() == 2
    nobody = make_user("subunion_committee", tree.b)
    refused = services.bulk_register(actor=nobody, activity=activity, people=[member(tree.b)])
    assert refused[0].message == "Your unit has no quota for this activity."


# -- 7. the busy message -------------------------------------------------------------------------------------


def test_the_busy_message_is_a_literal_for_makemessages():
    source = inspect.getsource(services._busy)
    assert '_("Too many people are registering at this moment; try again in a few seconds.")' in source
    assert services._busy().messages == [services.BUSY_MESSAGE]


# -- 8. an expired offer ends alone --------------------------------------------------------------------------


def _offered(tree: Any, organiser: Any) -> tuple[Activity, Any, Registration]:
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1, waitlist=True)
    first, second = member(tree.a), member(tree.a)
    held = reg(first, activity).registration
    waiting = reg(second, activity).registration
    services.cancel(actor=first.user, registration=held)
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    Registration.objects.filter(pk=waiting.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    return activity, second, waiting


def test_accepting_an_expired_offer_expires_only_that_offer(tree, organiser):
    _activity, person, mine = _offered(tree, organiser)
    _other_activity, _other_person, theirs = _offered(tree, organiser)
    third = member(tree.a)
    waiting = reg(third, _activity, key="third").registration
    with pytest.raises(ValidationError, match="offer expired"):
        services.accept_offer(actor=person.user, registration=mine)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == "cancelled"
    assert theirs.status == "offered"  # another activity's offer is the cron's to expire
    assert waiting.status == "offered"  # this place passed on


# -- 9. no offers after the start ----------------------------------------------------------------------------


def test_no_place_is_offered_once_the_activity_has_started(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1, waitlist=True)
    first, second = member(tree.a), member(tree.a)
    held = reg(first, activity).registration
    waiting = reg(second, activity).registration
    Activity.objects.filter(pk=activity.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    services.cancel(actor=organiser, registration=held, reason="生病")
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    assert counters(activity)[0] == 0


# -- 10. the ledger line of a cancellation --------------------------------------------------------------------


def test_cancelling_a_confirmed_registration_adds_a_ledger_line(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, title="春季登山")
    person = member(tree.a)
    registration = reg(person, activity).registration
    services.cancel(actor=person.user, registration=registration)
    line = ServiceRecord.objects.get(person=person, kind="activities.cancelled")
    assert line.title == "Registration cancelled: 春季登山"
    assert ServiceRecord.objects.filter(person=person, kind="activities.registered").count() == 1


def test_cancelling_a_waitlisted_registration_adds_no_ledger_line(tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1, waitlist=True)
    reg(member(tree.a), activity)
    person = member(tree.a)
    registration = reg(person, activity).registration
    services.cancel(actor=person.user, registration=registration)
    assert not ServiceRecord.objects.filter(person=person).exists()
