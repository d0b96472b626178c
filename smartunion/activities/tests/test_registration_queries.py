"""The registration POST — the hottest path of the product — reads and writes a fixed, small number of
statements, whatever the activity (benchmarks/registration_rush measures the same path under load): the
member and the activity in one statement (which says whether the activity has questions and quotas), the
questions once when there are some (shared by the form and the engine), no family, team or quota reads
when the activity does not need them, and the confirmed place's ledger line and notification after the
registration's transaction. These guards fail when a change adds a statement to the path."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from smartunion.activities.models import Activity, Question, Registration, UnitQuota
from smartunion.core.models import AuditEntry
from smartunion.members.models import ServiceRecord
from smartunion.notifications.models import Notification

from . import factories
from . import portal_support as support

pytestmark = pytest.mark.django_db

# Session, account, member with the activity; the registration's savepoint, the counters' UPDATE, the
# window's guard (the counters' UPDATE matched no row: the database says whether the activity is still open),
# the entry, its audit entry and the savepoint's release.
WAITLISTED_MAX = 9
# The same, then the ledger line (a read of its key, a savepoint, the INSERT, the release) and the
# notification (its INSERT) in a savepoint of their own.
CONFIRMED_MAX = 15


@pytest.fixture
def organiser(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="组织者")


@pytest.fixture
def person(make_user: Any, make_person: Any, tree: Any) -> Any:
    return support.member(make_user, make_person, tree.a1, name="李红", sex="F")


@pytest.fixture
def client(person: Any) -> Any:
    """The member's client after a first page: the session refreshed (as the rush benchmark's sessions
    are) and the content types cached, as in a running server."""
    client = support.client_for(person.user)
    client.get(reverse("activities:portal_browse"))
    ContentType.objects.get_for_model(Registration)
    return client


def _post(client: Any, activity: Activity, **data: Any) -> Any:
    fields = {"idempotency_key": f"key-{activity.pk}-{len(data)}", "quantity": "1", **data}
    return client.post(reverse("activities:portal_register", args=[activity.pk]), fields)


def _main_table(sql: str) -> str:
    """The table a statement reads or writes (its FROM/INTO/UPDATE outside any subquery)."""
    depth = 0
    for index, char in enumerate(sql):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and sql.startswith((" FROM ", " INTO ", "UPDATE "), index):
            match = re.match(r'(?: FROM | INTO |UPDATE )"?(\w+)"?', sql[index:])
            if match:
                return match.group(1)
    return ""


def _reads(queries: list[dict[str, Any]], table: str) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and _main_table(q["sql"]) == table]


def _writes(queries: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def _run(client: Any, activity: Activity, **data: Any) -> tuple[Any, list[dict[str, Any]]]:
    with CaptureQueriesContext(connection) as captured:
        response = _post(client, activity, **data)
    return response, captured.captured_queries


def test_a_waitlisted_registration_takes_a_handful_of_statements(
    client, person, organiser, tree, make_user, make_person, django_assert_max_num_queries
):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1, waitlist=True)
    other = support.member(make_user, make_person, tree.b)
    support.register(activity, other, by=other.user)
    with django_assert_max_num_queries(WAITLISTED_MAX):
        response = _post(client, activity)
    registration = Registration.objects.get(person=person)
    assert response.status_code == 303
    assert response["Location"].endswith(f"/registrations/{registration.pk}/?result=waitlisted")
    assert registration.status == Registration.Status.WAITLISTED
    assert AuditEntry.objects.filter(action="activities.registration.created").count() == 1


def test_a_confirmed_registration_writes_the_ledger_and_notification_after_its_transaction(
    client, person, organiser, tree, django_assert_max_num_queries
):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=5)
    with django_assert_max_num_queries(CONFIRMED_MAX):
        response, queries = _run(client, activity)
    registration = Registration.objects.get(person=person)
    assert response.status_code == 303 and response["Location"].endswith("?result=confirmed")
    assert registration.status == Registration.Status.CONFIRMED
    assert ServiceRecord.objects.filter(person=person, kind="activities.registered").count() == 1
    assert Notification.objects.filter(recipient=person.user, kind="activities.confirmed").count() == 1
    # The ledger line and the notification come after the registration's savepoint is released: they do
    # not hold the counters' lock.
    sqls = [query["sql"] for query in queries]
    entry = next(
        i for i, sql in enumerate(sqls) if sql.startswith("INSERT") and "activities_registration" in sql
    )
    released = next(i for i, sql in enumerate(sqls) if i > entry and sql.startswith("RELEASE SAVEPOINT"))
    ledger = next(
        i for i, sql in enumerate(sqls) if sql.startswith("INSERT") and "members_servicerecord" in sql
    )
    note = next(
        i for i, sql in enumerate(sqls) if sql.startswith("INSERT") and "notifications_notification" in sql
    )
    assert entry < released < ledger and released < note


def test_the_member_activity_and_questions_are_each_read_once(client, person, organiser, tree):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    size = Question.objects.create(
        activity=activity, label="衣服尺码", kind=Question.Kind.CHOICE, choices=["M", "L"]
    )
    note = Question.objects.create(activity=activity, label="备注", order=2)
    response, queries = _run(client, activity, **{f"q_{size.pk}": "L", f"q_{note.pk}": "素食"})
    assert response.status_code == 303
    assert Registration.objects.get(person=person).answers == {str(size.pk): "L", str(note.pk): "素食"}
    assert len(_reads(queries, "activities_question")) == 1  # the form and the engine share it
    # The member and the activity: one statement.
    assert len(_reads(queries, "activities_activity")) == 1
    assert not _reads(queries, "members_person")


def test_no_family_team_quota_or_eligibility_reads_when_the_activity_needs_none(
    client, person, organiser, tree
):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    response, queries = _run(client, activity)
    assert response.status_code == 303
    for table in (
        "members_familymember",  # children: only when the activity takes children
        "activities_team",  # teams: only for team activities
        "activities_teammember",
        "activities_unitquota",  # quotas: only when the activity has some
        "activities_question",  # questions: only when it has some
        "activities_invitation",  # eligibility facts: only for the activity's rules and visibility
        "activities_registration",  # (the member's past entries: only for a "not attended lately" rule)
        "members_membership",  # (read with the member, in the same statement)
        "members_staffcategory",
    ):
        assert not _reads(queries, table), table
    assert [_main_table(sql) for sql in _writes(queries)] == [
        "activities_activity",  # the counters' conditional UPDATE
        "activities_registration",
        "core_auditentry",
        "members_servicerecord",  # after the registration's transaction
        "notifications_notification",
    ]


def test_quotas_and_children_are_read_when_the_activity_has_them(
    client, person, organiser, tree, django_assert_max_num_queries
):
    activity = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        participants=Activity.Participants.DEPENDANTS,
        dependant_min_age=3,
        dependant_max_age=12,
        max_quantity=3,
    )
    UnitQuota.objects.create(activity=activity, unit=tree.a, places=2)
    kid = support.child(person, born=timezone.localdate() - dt.timedelta(days=365 * 7))
    # + the children (the form's choices, the engine's age check), the quotas, the quota's UPDATE and the
    # participant's INSERT.
    with django_assert_max_num_queries(CONFIRMED_MAX + 5):
        response, queries = _run(client, activity, dependants=[str(kid.pk)])
    registration = Registration.objects.get(person=person)
    assert response.status_code == 303 and registration.status == Registration.Status.CONFIRMED
    assert registration.quota is not None and registration.quota.unit == tree.a
    assert registration.dependants.get().family_member == kid
    assert len(_reads(queries, "members_familymember")) == 2  # the form's choices, the engine's age check
    assert len(_reads(queries, "activities_unitquota")) == 1


def test_sold_out_without_a_waiting_list_writes_nothing_in_few_statements(
    client, person, organiser, tree, make_user, make_person, django_assert_max_num_queries
):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1, waitlist=False)
    other = support.member(make_user, make_person, tree.b)
    support.register(activity, other, by=other.user)
    before = _counts()
    # Session, account, member with the activity, the counters, the probe for a registration of this key.
    with django_assert_max_num_queries(5):
        response, queries = _run(client, activity)
    assert response.status_code == 303 and response["Location"].endswith("?result=full")
    assert _counts() == before
    assert not _writes(queries)
    assert not [sql for sql in (q["sql"] for q in queries) if sql.startswith(("SAVEPOINT", "BEGIN"))]


def _counts() -> tuple[int, int, int]:
    return Registration.objects.count(), AuditEntry.objects.count(), Notification.objects.count()


def test_a_draft_or_missing_activity_is_not_found_and_an_account_without_staff_record_refused(
    client, person, organiser, tree, make_user
):
    draft = factories.make_activity(unit=tree.root, actor=organiser, status=Activity.Status.DRAFT)
    assert _post(client, draft).status_code == 404
    assert client.post(reverse("activities:portal_register", args=[draft.pk + 999]), {}).status_code == 404
    open_ = factories.make_activity(unit=tree.root, actor=organiser)
    stranger = support.client_for(make_user(name="没有档案"))
    assert _post(stranger, open_).status_code == 403
    assert _post(stranger, draft).status_code == 403
    assert not Registration.objects.exists()
