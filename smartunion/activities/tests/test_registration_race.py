"""THE RUSH: 200 members registering at the same moment for 10 places, in real threads each with its own
database connection. Exactly 10 are confirmed, the others waitlisted (or told "full", with nothing written),
never a unit quota exceeded, never a member twice. Runs on SQLite (IMMEDIATE transactions queue on the
write lock; "database is locked" is retried) and, with DATABASE_URL set, on PostgreSQL (conditional UPDATEs
wait on the row and re-check)."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from smartunion.activities.models import Activity, Registration, UnitQuota
from smartunion.activities.services import registration as services
from smartunion.core.models import AuditEntry
from smartunion.members.models import ServiceRecord

from . import factories
from .registration_support import counters, member

PEOPLE = 200
# Threads racing at once: each holds a connection (PostgreSQL allows 100 by default, shared with others).
THREADS = 40


def race(jobs: list[Any]) -> tuple[Counter[str], list[BaseException]]:
    """Run the jobs in THREADS threads released together by a barrier; count the outcomes."""
    results: Counter[str] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS, timeout=120)
    chunks = [jobs[n::THREADS] for n in range(THREADS)]

    def run(chunk: list[Any]) -> None:
        try:
            with translation.override("en"):
                barrier.wait()
                for job in chunk:
                    try:
                        outcome = job()
                        key = outcome.result
                    except ValidationError as refused:
                        key = "refused: " + refused.messages[0]
                    with lock:
                        results[key] += 1
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def registering(activity: Activity, person: Any, key: str | None = None) -> Any:
    return lambda: services.register(
        actor=person.user, activity=activity, person=person, idempotency_key=key or f"rush-{person.pk}"
    )


@pytest.fixture
def crowd(tree: Any) -> list[Any]:
    units = (tree.a, tree.a1, tree.b, tree.b1)
    return [member(units[n % 4]) for n in range(PEOPLE)]


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root)


@pytest.mark.django_db(transaction=True)
def test_two_hundred_race_for_ten_places_with_a_waiting_list(tree, organiser, crowd):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10)
    results, errors = race([registering(activity, person) for person in crowd])
    assert errors == []
    assert results == Counter({"confirmed": 10, "waitlisted": 190}), results
    assert counters(activity) == (10, 10, {})
    rows = Counter(Registration.objects.filter(activity=activity).values_list("status", flat=True))
    assert rows == Counter({"confirmed": 10, "waitlisted": 190})
    assert ServiceRecord.objects.filter(kind="activities.registered").count() == 10
    positions = sorted(
        services.waitlist_position(r)
        for r in Registration.objects.filter(activity=activity, status="waitlisted")
    )
    assert positions == list(range(1, 191))


@pytest.mark.django_db(transaction=True)
def test_two_hundred_race_for_ten_places_without_a_waiting_list_write_only_ten(tree, organiser, crowd):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10, waitlist=False)
    audits = AuditEntry.objects.count()
    results, errors = race([registering(activity, person) for person in crowd])
    assert errors == []
    assert results == Counter({"confirmed": 10, "full": 190}), results
    assert counters(activity) == (10, 10, {})
    assert Registration.objects.filter(activity=activity).count() == 10
    assert AuditEntry.objects.count() - audits == 10


@pytest.mark.django_db(transaction=True)
def test_quotas_hold_under_the_race(tree, organiser, crowd):
    """10 places of which 4 are unit A's quota: A's members (half the crowd) take their 4 and compete for
    the pool's 6 with everyone else; nobody else ever takes A's places."""
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10, waitlist=False)
    quota = UnitQuota.objects.create(activity=activity, unit=tree.a, places=4)
    results, errors = race([registering(activity, person) for person in crowd])
    assert errors == []
    assert results == Counter({"confirmed": 10, "full": 190}), results
    confirmed, pool, quotas = counters(activity)
    assert (confirmed, quotas) == (10, {"机械工程学院": (4, 4)})
    assert pool == 6
    in_quota = Registration.objects.filter(activity=activity, quota=quota)
    assert in_quota.count() == 4
    assert all(unit in (tree.a.pk, tree.a1.pk) for unit in in_quota.values_list("unit_id", flat=True))
    assert Registration.objects.filter(activity=activity, quota__isnull=True).count() == 6


@pytest.mark.django_db(transaction=True)
def test_one_member_clicking_many_times_is_registered_once(tree, organiser, crowd):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10)
    person = crowd[0]
    same_key = [registering(activity, person, key="one-form") for _ in range(THREADS)]
    other_keys = [registering(activity, person, key=f"tab-{n}") for n in range(THREADS)]
    results, errors = race(same_key + other_keys)
    assert errors == []
    assert results["confirmed"] == 1
    assert results["already"] == 2 * THREADS - 1, results
    assert Registration.objects.filter(activity=activity).count() == 1
    assert counters(activity)[0] == 1


@pytest.mark.django_db(transaction=True)
def test_cancellations_racing_registrations_never_oversell(tree, organiser, crowd):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=10)
    first = [
        services.register(actor=p.user, activity=activity, person=p, idempotency_key=f"f-{p.pk}")
        for p in crowd[:10]
    ]
    assert all(o.result == "confirmed" for o in first)
    cancels = [
        (
            lambda o=o: (
                services.cancel(actor=o.registration.person.user, registration=o.registration)
                and services.Outcome(None, "cancelled", "")
            )
        )
        for o in first[:5]
    ]
    results, errors = race(cancels + [registering(activity, person) for person in crowd[10:100]])
    assert errors == []
    held = Registration.objects.filter(activity=activity, status__in=["confirmed", "offered"])
    assert sum(held.values_list("quantity", flat=True)) == 10
    assert counters(activity) == (10, 10, {})
    # Each freed place went either straight to a newcomer or, once there was a queue, to an offer.
    assert Registration.objects.filter(activity=activity, status="cancelled").count() == 5
    assert results["cancelled"] == 5
    assert results["confirmed"] + held.filter(status="offered").count() == 5
