"""The member's 活动 pages: browse (适合我, places left, a few queries), the activity page with why not and
the registration form inline, the registration POST through the engine (confirmed with its QR, waiting
list, lottery, full writing nothing, a double click giving the same result), my registrations, the
registration page (own only), cancel, and a freed place's offer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from smartunion.activities.models import Activity, Kind, Participant, Question, Registration
from smartunion.core.models import AuditEntry

from . import factories
from . import portal_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="组织者")


@pytest.fixture
def person(make_user: Any, make_person: Any, tree: Any) -> Any:
    return support.member(make_user, make_person, tree.a1, name="李红", sex="F")


@pytest.fixture
def client(person: Any) -> Any:
    return support.client_for(person.user)


def _key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    assert match, "the form carries an idempotency key"
    return match.group(1)


def _post(client: Any, activity: Activity, **data: Any) -> Any:
    return client.post(reverse("activities:portal_register", args=[activity.pk]), data)


# -- browse --------------------------------------------------------------------------------------------


def test_the_activities_tab_is_this_apps_page(client):
    assert reverse("dashboards:portal_section", args=["activities"]) == reverse("activities:portal_browse")
    page = client.get(reverse("dashboards:portal_section", args=["activities"]))
    assert page.status_code == 200
    assert page.resolver_match.view_name == "activities:portal_browse"


def test_browse_cards(client, tree, organiser, person, make_user, make_person):
    open_ = factories.make_activity(unit=tree.root, actor=organiser, title="羽毛球赛", capacity=12)
    full = factories.make_activity(unit=tree.root, actor=organiser, title="满员讲座", capacity=1)
    other = support.member(make_user, make_person, tree.b, name="他人")
    support.register(full, other, by=organiser)
    support.register(open_, person, by=person.user)
    factories.make_activity(unit=tree.root, actor=organiser, title="男子组", eligibility={"sex": "M"})
    html = client.get(reverse("activities:portal_browse")).content.decode()
    assert "羽毛球赛" in html and "11 places left" in html
    assert "满员讲座" in html and "Full, waiting list open" in html
    assert 'data-status="confirmed"' in html
    assert "男子组" not in html  # 适合我 is the default
    html = client.get(reverse("activities:portal_browse") + "?show=all").content.decode()
    assert "男子组" in html and "Not for you" in html


def test_browse_without_a_staff_record(make_user):
    page = support.client_for(make_user()).get(reverse("activities:portal_browse"))
    assert page.status_code == 200 and 'id="activities-no-person"' in page.content.decode()


def test_browse_empty(client):
    html = client.get(reverse("activities:portal_browse")).content.decode()
    assert 'id="activities-empty"' in html


def test_browse_reads_a_few_queries_whatever_the_number_of_activities(client, tree, organiser, person):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("activities:portal_browse") + "?show=all").status_code == 200
        return len(queries)

    factories.make_activity(unit=tree.root, actor=organiser)
    few = count()
    for index in range(8):
        activity = factories.make_activity(
            unit=tree.root, actor=organiser, eligibility={"unit_ids": [tree.a.pk]} if index % 2 else {}
        )
        if index % 3 == 0:
            support.register(activity, person, by=person.user)
    series = factories.make_activity(unit=tree.root, actor=organiser, kind=Kind.RETREAT)
    for _ in range(3):
        factories.make_activity(unit=tree.root, actor=organiser, kind=Kind.RETREAT, series=series)
    many = count()
    assert many <= few + 1  # + the units named by eligibility rules, read once
    assert many <= 16


# -- one activity --------------------------------------------------------------------------------------


def test_detail_shows_why_not(client, tree, organiser):
    activity = factories.make_activity(
        unit=tree.root, actor=organiser, eligibility={"sex": "M", "age_min": 30, "age_max": 40}
    )
    page = client.get(reverse("activities:portal_activity", args=[activity.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="not-eligible"' in html
    assert "Only for men members." in html
    assert "Your date of birth is not on record" in html or "Only for members aged 30 to 40" in html
    assert 'id="register-form"' not in html
    assert "Men members" in html  # who may register


def test_detail_form_children_questions_and_key(client, tree, organiser, person):
    activity = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        kind=Kind.FAMILY,
        participants=Activity.Participants.MEMBER_AND_DEPENDANTS,
        max_quantity=3,
    )
    Question.objects.create(
        activity=activity, label="衣服尺码", kind=Question.Kind.CHOICE, choices=["M", "L"]
    )
    start = timezone.localtime(activity.starts_at).date()
    support.child(person, "小宝", born=start.replace(year=start.year - 6))
    html = client.get(reverse("activities:portal_activity", args=[activity.pk])).content.decode()
    assert 'id="register-form"' in html
    assert "小宝, 6 on the first day" in html and 'type="checkbox"' in html
    assert "衣服尺码" in html
    first, second = (
        _key(html),
        _key(client.get(reverse("activities:portal_activity", args=[activity.pk])).content.decode()),
    )
    assert first != second  # a fresh key each time the page renders


def test_detail_team_fields(client, tree, organiser):
    activity = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        kind=Kind.COMPETITION,
        participants=Activity.Participants.TEAM,
        team_min=2,
        team_max=3,
    )
    html = client.get(reverse("activities:portal_activity", args=[activity.pk])).content.decode()
    assert 'name="team_name"' in html and 'name="team_members"' in html


def test_detail_of_an_invisible_activity_is_not_found(client, tree, organiser):
    activity = factories.make_activity(
        unit=tree.b, actor=organiser, visibility=Activity.Visibility.SUBTREE, visibility_unit=tree.b
    )
    assert client.get(reverse("activities:portal_activity", args=[activity.pk])).status_code == 404
    assert _post(client, activity, idempotency_key="k" * 32, quantity=1).status_code in (400, 404)
    assert not Registration.objects.filter(activity=activity).exists()


def test_detail_series_lists_batches(client, tree, organiser):
    series = factories.make_activity(unit=tree.root, actor=organiser, title="微休养", kind=Kind.RETREAT)
    batch = factories.make_activity(
        unit=tree.root, actor=organiser, title="第一批", kind=Kind.RETREAT, series=series
    )
    html = client.get(reverse("activities:portal_activity", args=[series.pk])).content.decode()
    assert f'id="batch-{batch.pk}"' in html and 'id="register-form"' not in html


# -- registering through the engine --------------------------------------------------------------------


def test_register_confirmed_with_qr_in_three_taps(client, tree, organiser, person):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=5)
    key = _key(client.get(reverse("activities:portal_activity", args=[activity.pk])).content.decode())
    response = _post(client, activity, idempotency_key=key, quantity=1)
    registration = Registration.objects.get(activity=activity, person=person)
    assert response.status_code == 303
    assert (
        response["Location"]
        == reverse("activities:portal_registration", args=[registration.pk]) + "?result=confirmed"
    )
    assert registration.status == Registration.Status.CONFIRMED and registration.idempotency_key == key
    html = client.get(response["Location"]).content.decode()
    assert 'data-result="confirmed"' in html and 'id="checkin-qr"' in html and "<svg" in html
    assert registration.token in html


def test_a_double_click_gives_the_same_result(client, tree, organiser, person):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=5)
    first = _post(client, activity, idempotency_key="a" * 32, quantity=1)
    second = _post(client, activity, idempotency_key="a" * 32, quantity=1)
    registration = Registration.objects.get(activity=activity)
    assert second.status_code == 303
    assert first["Location"].split("?")[0] == second["Location"].split("?")[0]
    assert second["Location"].endswith("?result=already")
    assert Activity.objects.get(pk=activity.pk).confirmed == 1 and registration.person == person


def test_waitlisted_shows_the_position(client, tree, organiser, person, make_user, make_person):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1)
    support.register(activity, support.member(make_user, make_person, tree.b, name="先到"), by=organiser)
    response = _post(client, activity, idempotency_key="w" * 32, quantity=1)
    assert response["Location"].endswith("?result=waitlisted")
    html = client.get(response["Location"]).content.decode()
    assert "You are number 1 on the waiting list." in html
    assert "Number 1 on the waiting list" in client.get(reverse("activities:portal_mine")).content.decode()


def test_full_without_a_waiting_list_writes_nothing(client, tree, organiser, person, make_user, make_person):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1, waitlist=False)
    support.register(activity, support.member(make_user, make_person, tree.b, name="先到"), by=organiser)
    audit_rows, registrations = AuditEntry.objects.count(), Registration.objects.count()
    response = _post(client, activity, idempotency_key="f" * 32, quantity=1)
    assert response.status_code == 303
    assert response["Location"] == reverse("activities:portal_activity", args=[activity.pk]) + "?result=full"
    assert Registration.objects.count() == registrations and AuditEntry.objects.count() == audit_rows
    html = client.get(response["Location"]).content.decode()
    assert 'id="result-full"' in html and "all places are taken" in html


def test_lottery_is_pending_until_the_draw(client, tree, organiser):
    activity = factories.make_activity(
        unit=tree.root, actor=organiser, allocation=Activity.Allocation.LOTTERY, capacity=2
    )
    response = _post(client, activity, idempotency_key="l" * 32, quantity=1)
    assert response["Location"].endswith("?result=pending")
    html = client.get(response["Location"]).content.decode()
    assert 'id="pending-note"' in html and "Awaiting the draw" in html and 'id="checkin-qr"' not in html


def test_register_children_and_answers(client, tree, organiser, person):
    activity = factories.make_activity(
        unit=tree.root,
        actor=organiser,
        kind=Kind.CHILDCARE,
        participants=Activity.Participants.DEPENDANTS,
        max_quantity=3,
        capacity=10,
    )
    question = Question.objects.create(activity=activity, label="过敏史", required=True)
    start = timezone.localtime(activity.starts_at).date()
    kid = support.child(person, "小宝", born=start.replace(year=start.year - 8))
    missing = _post(client, activity, idempotency_key="c" * 32, quantity=1, dependants=[kid.pk])
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    response = _post(
        client,
        activity,
        idempotency_key="c" * 32,
        quantity=1,
        dependants=[kid.pk],
        **{f"q_{question.pk}": "无"},
    )
    assert response.status_code == 303
    registration = Registration.objects.get(activity=activity)
    assert registration.answers == {str(question.pk): "无"}
    assert list(
        Participant.objects.filter(registration=registration).values_list("name", "age_on_start")
    ) == [("小宝", 8)]


def test_an_ineligible_post_is_refused_with_the_reason(client, tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser, eligibility={"sex": "M"})
    response = _post(client, activity, idempotency_key="e" * 32, quantity=1)
    assert response.status_code == 400 and "Only for men members." in response.content.decode()
    assert not Registration.objects.filter(activity=activity).exists()


def test_register_needs_a_staff_record(make_user, tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    response = _post(support.client_for(make_user()), activity, idempotency_key="n" * 32, quantity=1)
    assert response.status_code == 403 and not Registration.objects.exists()


def test_register_is_post_only(client, tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    assert client.get(reverse("activities:portal_register", args=[activity.pk])).status_code == 405


# -- my registrations, the registration page, cancel, offers -------------------------------------------


def test_mine_lists_upcoming_and_past(client, tree, organiser, person):
    now = timezone.now()
    upcoming = support.register(
        factories.make_activity(unit=tree.root, actor=organiser, title="下周"), person, by=person.user
    )
    past = support.register(
        factories.make_activity(
            unit=tree.root,
            actor=organiser,
            title="上周",
            starts_at=now - dt.timedelta(days=7),
            ends_at=now - dt.timedelta(days=6),
        ),
        person,
        by=person.user,
    )
    html = client.get(reverse("activities:portal_mine")).content.decode()
    upcoming_part, past_part = html.split('id="mine-past"')
    assert f'id="registration-{upcoming.pk}"' in upcoming_part and f'id="registration-{past.pk}"' in past_part


def test_mine_empty_and_without_a_staff_record(client, make_user):
    assert 'id="mine-empty"' in client.get(reverse("activities:portal_mine")).content.decode()
    html = support.client_for(make_user()).get(reverse("activities:portal_mine")).content.decode()
    assert 'id="mine-no-person"' in html


def test_the_registration_page_is_the_members_own(client, tree, organiser, make_user, make_person):
    other = support.member(make_user, make_person, tree.a1, name="别人")
    registration = support.register(
        factories.make_activity(unit=tree.root, actor=organiser), other, by=other.user
    )
    url = reverse("activities:portal_registration", args=[registration.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("activities:portal_cancel", args=[registration.pk])).status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED
    assert support.client_for(other.user).get(url).status_code == 200


def test_cancel_before_the_deadline(client, tree, organiser, person):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    key = "x" * 32
    registration = Registration.objects.get(
        pk=Registration.objects.get(
            pk=int(_post(client, activity, idempotency_key=key, quantity=1)["Location"].split("/")[-2])
        ).pk
    )
    page = client.get(reverse("activities:portal_registration", args=[registration.pk])).content.decode()
    assert 'id="cancel-button"' in page and "data-confirm" in page
    response = client.post(reverse("activities:portal_cancel", args=[registration.pk]))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
    assert Activity.objects.get(pk=activity.pk).confirmed == 0


def test_no_cancel_after_the_deadline(client, tree, organiser, person):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    registration = support.register(activity, person, by=person.user)
    Activity.objects.filter(pk=activity.pk).update(cancel_deadline=timezone.now() - dt.timedelta(hours=1))
    page = client.get(reverse("activities:portal_registration", args=[registration.pk])).content.decode()
    assert 'id="cancel-button"' not in page
    response = client.post(reverse("activities:portal_cancel", args=[registration.pk]), follow=True)
    assert "can be cancelled until" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED


def test_a_freed_place_is_offered_and_accepted(tree, organiser, make_user, make_person):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1, offer_hours=12)
    first = support.member(make_user, make_person, tree.a1, name="先到")
    second = support.member(make_user, make_person, tree.a1, name="后到")
    first_client, second_client = support.client_for(first.user), support.client_for(second.user)
    _post(first_client, activity, idempotency_key="1" * 32, quantity=1)
    _post(second_client, activity, idempotency_key="2" * 32, quantity=1)
    mine = Registration.objects.get(person=second)
    assert mine.status == Registration.Status.WAITLISTED
    first_client.post(reverse("activities:portal_cancel", args=[Registration.objects.get(person=first).pk]))
    mine.refresh_from_db()
    assert mine.status == Registration.Status.OFFERED
    assert (
        "A place is offered to you: accept within"
        in second_client.get(reverse("activities:portal_mine")).content.decode()
    )
    page = second_client.get(reverse("activities:portal_registration", args=[mine.pk])).content.decode()
    assert 'id="accept-button"' in page and 'id="decline-button"' in page
    second_client.post(reverse("activities:portal_accept", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CONFIRMED


def test_a_freed_place_declined(tree, organiser, make_user, make_person):
    activity = factories.make_activity(unit=tree.root, actor=organiser, capacity=1)
    first = support.member(make_user, make_person, tree.a1, name="先到")
    second = support.member(make_user, make_person, tree.a1, name="后到")
    taken = support.register(activity, first, by=first.user)
    _post(support.client_for(second.user), activity, idempotency_key="3" * 32, quantity=1)
    support.client_for(first.user).post(reverse("activities:portal_cancel", args=[taken.pk]))
    mine = Registration.objects.get(person=second)
    assert mine.status == Registration.Status.OFFERED
    support.client_for(second.user).post(reverse("activities:portal_decline", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.status == Registration.Status.CANCELLED
    assert Activity.objects.get(pk=activity.pk).confirmed == 0


def test_accepting_without_an_offer_says_so(client, tree, organiser, person):
    registration = support.register(
        factories.make_activity(unit=tree.root, actor=organiser), person, by=person.user
    )
    response = client.post(reverse("activities:portal_accept", args=[registration.pk]), follow=True)
    assert "No place is offered to you" in response.content.decode()


def test_home_block_lists_my_next_activities(client, tree, organiser, person):
    support.register(
        factories.make_activity(unit=tree.root, actor=organiser, title="周五篮球"), person, by=person.user
    )
    html = client.get(reverse("dashboards:portal_home")).content.decode()
    assert 'id="activities-upcoming"' in html and "周五篮球" in html


def test_a_post_after_the_registration_closed_says_so(client, tree, organiser):
    activity = factories.make_activity(unit=tree.root, actor=organiser)
    Activity.objects.filter(pk=activity.pk).update(
        registration_closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = _post(client, activity, idempotency_key="z" * 32, quantity=1)
    html = response.content.decode()
    assert response.status_code == 400 and 'id="post-errors"' in html and "Registration closed at" in html
    assert not Registration.objects.filter(activity=activity).exists()
