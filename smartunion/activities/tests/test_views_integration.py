"""How the parts meet: the console activity page links to check-in, attendance, results and the summary;
judges are told and find the competitions they score; the member sees the published result on the
registration and the summary with photos on the activity page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from smartunion.activities.models import Activity, Kind, Photo, Registration, Result
from smartunion.activities.services import activities as services
from smartunion.notifications.models import Notification

from . import checkin_support
from . import portal_support as support
from .factories import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(tree: Any, make_user: Any) -> Any:
    return make_user("subunion_chair", tree.a, name="组织者")


def _href(name: str, pk: int) -> str:
    return f'href="{reverse(f"activities:{name}", args=[pk])}"'


def _page(user: Any, url: str) -> str:
    response = support.client_for(user).get(url)
    assert response.status_code == 200
    return response.content.decode()


# -- the console activity page -------------------------------------------------------------------------


def test_detail_links_to_checkin_attendance_results_and_summary(tree: Any, organiser: Any) -> None:
    childcare = make_activity(unit=tree.a, actor=organiser, kind=Kind.CHILDCARE)
    html = _page(organiser, reverse("activities:console_detail", args=[childcare.pk]))
    for name in ("checkin_scan", "attendance_sheet", "attendance_month", "attendance_export", "summary"):
        assert _href(name, childcare.pk) in html, name
    # Childcare has no results.
    assert _href("results", childcare.pk) not in html

    competition = make_activity(unit=tree.a, actor=organiser, kind=Kind.COMPETITION)
    html = _page(organiser, reverse("activities:console_detail", args=[competition.pk]))
    assert _href("results", competition.pk) in html
    assert _href("checkin_scan", competition.pk) in html
    # The daily sheet and month grid are for childcare and training only.
    assert _href("attendance_sheet", competition.pk) not in html
    assert _href("attendance_month", competition.pk) not in html


def test_detail_of_a_draft_has_no_running_links(tree: Any, organiser: Any) -> None:
    draft = make_activity(unit=tree.a, actor=organiser, kind=Kind.TRAINING, status=Activity.Status.DRAFT)
    html = _page(organiser, reverse("activities:console_detail", args=[draft.pk]))
    assert 'id="run-links"' not in html
    assert _href("checkin_scan", draft.pk) not in html


def test_viewer_without_checkin_sees_no_scan_link(tree: Any, organiser: Any, make_user: Any) -> None:
    viewer = make_user("union_chair", tree.root, name="主席")
    assert viewer.has_unit_perm("activities.view", tree.a)
    assert not viewer.has_unit_perm("activities.checkin", tree.a)
    activity = make_activity(unit=tree.a, actor=organiser, kind=Kind.TRAINING)
    html = _page(viewer, reverse("activities:console_detail", args=[activity.pk]))
    assert _href("checkin_scan", activity.pk) not in html
    assert _href("attendance_sheet", activity.pk) not in html
    assert _href("attendance_month", activity.pk) in html


def test_latest_registrations_is_a_short_table(
    tree: Any, organiser: Any, make_user: Any, make_person: Any
) -> None:
    activity = make_activity(unit=tree.a, actor=organiser)
    tree.a1.short_name = "短名"
    tree.a1.save(update_fields=["short_name"])
    person = support.member(make_user, make_person, tree.a1, name="王五")
    support.register(activity, person, by=organiser)
    html = _page(organiser, reverse("activities:console_detail", args=[activity.pk]))
    recent = html.split('id="recent"', 1)[1].split("</section>", 1)[0]
    assert "王五" in recent
    assert f'class="nowrap" title="{tree.a1.name}">短名<' in recent
    # Places, children, team and check-in live on the full registrations page.
    assert "Children" not in recent and "Team" not in recent and "Checked in" not in recent


# -- judges --------------------------------------------------------------------------------------------


def test_judges_are_notified_once_and_find_their_competitions(
    tree: Any, organiser: Any, make_user: Any
) -> None:
    competition = make_activity(unit=tree.b, actor=organiser, kind=Kind.COMPETITION, title="演讲比赛")
    school = make_user("union_staff", tree.root, name="校工会")
    judge = make_user("subunion_chair", tree.a, name="评委")
    services.judges_set(actor=school, activity=competition, staff_numbers=judge.staff_no)
    note = Notification.objects.get(recipient=judge, kind="activities.judge_added")
    assert note.link == reverse("activities:results", args=[competition.pk])
    assert "演讲比赛" in note.title
    # Saving the same judges again tells nobody again.
    services.judges_set(actor=school, activity=competition, staff_numbers=judge.staff_no)
    assert Notification.objects.filter(recipient=judge, kind="activities.judge_added").count() == 1

    # The competition is organised outside the judge's units, yet the list shows it to score.
    html = _page(judge, reverse("activities:console_list"))
    assert 'id="to-score"' in html
    assert _href("results", competition.pk) in html
    assert _page(judge, reverse("activities:results", args=[competition.pk]))

    # Once the results are published it is no longer to score.
    entrant = checkin_support.register(competition, _person(tree), by=organiser)
    Result.objects.create(registration=entrant, rank=1, award="一等奖")
    assert 'id="to-score"' not in _page(judge, reverse("activities:console_list"))


def test_no_to_score_notice_for_others(tree: Any, organiser: Any) -> None:
    make_activity(unit=tree.a, actor=organiser, kind=Kind.COMPETITION)
    assert 'id="to-score"' not in _page(organiser, reverse("activities:console_list"))


def test_judge_without_console_rights_sees_it_on_the_portal_home(
    tree: Any, organiser: Any, make_user: Any, make_person: Any
) -> None:
    competition = make_activity(unit=tree.a, actor=organiser, kind=Kind.COMPETITION, title="技能竞赛")
    person = support.member(make_user, make_person, tree.a1, name="评委")
    competition.judges.add(person.user)
    html = _page(person.user, reverse("dashboards:portal_home"))
    assert 'id="activities-to-score"' in html
    assert _href("results", competition.pk) in html


def _person(tree: Any) -> Any:
    from . import registration_support

    return registration_support.member(tree.a1)


# -- the member portal ---------------------------------------------------------------------------------


def test_registration_shows_the_published_result(
    tree: Any, organiser: Any, make_user: Any, make_person: Any
) -> None:
    past = timezone.now() - dt.timedelta(days=2)
    competition = make_activity(
        unit=tree.a,
        actor=organiser,
        kind=Kind.COMPETITION,
        starts_at=past,
        ends_at=past + dt.timedelta(hours=3),
        registration_opens_at=past - dt.timedelta(days=5),
        registration_closes_at=past - dt.timedelta(days=1),
        cancel_deadline=None,
    )
    person = support.member(make_user, make_person, tree.a1)
    registration = support.register(competition, person, by=organiser)
    url = reverse("activities:portal_registration", args=[registration.pk])
    html = _page(person.user, url)
    assert 'id="published-result"' not in html
    # The activity is over: no check-in code any more.
    assert 'id="checkin-qr"' not in html

    Result.objects.create(registration=registration, rank=2, award="二等奖")
    html = _page(person.user, url)
    assert 'id="published-result"' in html
    assert "二等奖" in html and "No. 2" in html


def test_upcoming_registration_still_shows_the_code(
    tree: Any, organiser: Any, make_user: Any, make_person: Any
) -> None:
    activity = make_activity(unit=tree.a, actor=organiser)
    person = support.member(make_user, make_person, tree.a1)
    registration = support.register(activity, person, by=organiser)
    html = _page(person.user, reverse("activities:portal_registration", args=[registration.pk]))
    assert 'id="checkin-qr"' in html
    # The cancel button is a plain secondary button (the confirmation tells it is destructive).
    assert 'class="button button-ghost button-block" type="submit" id="cancel-button"' in html


def test_activity_page_shows_the_summary_with_photos(
    tree: Any, organiser: Any, make_user: Any, make_person: Any
) -> None:
    activity = make_activity(unit=tree.a, actor=organiser)
    person = support.member(make_user, make_person, tree.a1)
    url = reverse("activities:portal_activity", args=[activity.pk])
    assert 'id="activity-summary"' not in _page(person.user, url)
    activity.summary = "比赛圆满结束。"
    activity.save(update_fields=["summary"])
    photo = Photo.objects.create(
        activity=activity,
        filename="a.png",
        content_type="image/png",
        size=4,
        content=b"\x89PNG",
        caption="现场",
        uploaded_by=organiser,
    )
    html = _page(person.user, url)
    assert 'id="activity-summary"' in html
    assert "比赛圆满结束。" in html and "现场" in html
    assert _href("photo", photo.pk) in html


def test_cancelled_activity_page_shows_no_places(
    tree: Any, organiser: Any, make_user: Any, make_person: Any
) -> None:
    activity = make_activity(
        unit=tree.a, actor=organiser, status=Activity.Status.CANCELLED, cancel_reason="下雨"
    )
    person = support.member(make_user, make_person, tree.a1)
    html = _page(person.user, reverse("activities:portal_activity", args=[activity.pk]))
    assert "下雨" in html
    assert 'id="places-left"' not in html and 'id="not-open"' not in html
    assert Registration.objects.count() == 0


# -- wording and layout --------------------------------------------------------------------------------


def test_console_club_pages_have_crumbs_and_club_words(tree: Any, make_user: Any, make_person: Any) -> None:
    from smartunion.activities.models import Club, ClubMembership
    from smartunion.activities.services import clubs

    office = make_user("union_staff", tree.root, name="工会干事")
    assert 'class="card"' in _page(office, reverse("activities:club_list"))  # the empty state sits in a card
    club = Club.objects.create(name="羽毛球协会", unit=tree.root)
    person = support.member(make_user, make_person, tree.a1, name="李红")
    membership = clubs.join(actor=person.user, person=person, club=club)
    ClubMembership.objects.filter(pk=membership.pk).update(role=ClubMembership.Role.OFFICER)
    html = _page(office, reverse("activities:club_detail", args=[club.pk]))
    assert f'href="{reverse("activities:club_list")}"' in html  # the crumb back to the list
    assert '<span class="badge badge-ok">Officer</span>' in html


def test_idea_tabs_use_the_ideas_own_closed(tree: Any, make_user: Any) -> None:
    office = make_user("union_staff", tree.root, name="工会干事")
    html = _page(office, reverse("activities:console_ideas"))
    assert "?status=closed" in html and ">Closed<" in html
