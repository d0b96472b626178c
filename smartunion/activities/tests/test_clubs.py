"""社团 clubs: join and leave (once, audited), officers, the yearly plan "1个品牌活动 + N个支撑活动"; the
member's club pages and the union office's console pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from smartunion.activities.models import Club, ClubMembership, ClubPlan, Kind
from smartunion.activities.services import clubs
from smartunion.core.models import AuditEntry

from . import factories
from . import portal_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(tree: Any) -> Club:
    return Club.objects.create(name="羽毛球协会", unit=tree.root, description="每周三活动")


@pytest.fixture
def person(make_user: Any, make_person: Any, tree: Any) -> Any:
    return support.member(make_user, make_person, tree.a1, name="李红")


@pytest.fixture
def office(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="工会干事")


# -- services ------------------------------------------------------------------------------------------


def test_join_and_leave_once_with_audit(club, person):
    membership = clubs.join(actor=person.user, person=person, club=club)
    assert membership.role == ClubMembership.Role.MEMBER and membership.left_at is None
    with pytest.raises(ValidationError, match="member of this club already"):
        clubs.join(actor=person.user, person=person, club=club)
    clubs.leave(actor=person.user, person=person, club=club)
    assert ClubMembership.objects.get(pk=membership.pk).left_at is not None
    with pytest.raises(ValidationError, match="not a member"):
        clubs.leave(actor=person.user, person=person, club=club)
    again = clubs.join(actor=person.user, person=person, club=club)  # history kept, a new row
    assert again.pk != membership.pk
    assert list(
        AuditEntry.objects.filter(action__startswith="activities.club.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["activities.club.joined", "activities.club.left", "activities.club.joined"]


def test_an_inactive_club_takes_no_members(club, person):
    Club.objects.filter(pk=club.pk).update(is_active=False)
    with pytest.raises(ValidationError, match="no longer takes members"):
        clubs.join(actor=person.user, person=person, club=club)
    with pytest.raises(ValidationError, match="not linked"):
        clubs.join(actor=person.user, person=None, club=club)


def test_officers_and_the_plan(club, person, office):
    membership = clubs.join(actor=person.user, person=person, club=club)
    clubs.officer_set(actor=office, membership=membership, officer=True)
    assert ClubMembership.objects.get(pk=membership.pk).role == ClubMembership.Role.OFFICER
    year = timezone.localdate().year
    plan = clubs.plan_save(
        actor=office, club=club, year=year, brand_title="校园羽毛球联赛", supporting_planned=4
    )
    again = clubs.plan_save(
        actor=office, club=club, year=year, brand_title="羽毛球联赛", supporting_planned=5
    )
    assert again.pk == plan.pk and ClubPlan.objects.get().supporting_planned == 5
    with pytest.raises(ValidationError):
        clubs.plan_save(actor=office, club=club, year=year, brand_title="", supporting_planned=1)
    with pytest.raises(ValidationError):
        clubs.plan_save(actor=office, club=club, year=year + 5, brand_title="x", supporting_planned=1)
    with pytest.raises(ValidationError):
        clubs.plan_save(actor=office, club=club, year=year, brand_title="x", supporting_planned=101)


def test_create_club_names_are_unique(tree, office, club):
    with pytest.raises(ValidationError, match="exists already"):
        clubs.club_create(actor=office, name="羽毛球协会", unit=tree.root)
    created = clubs.club_create(actor=office, name=" 摄影协会 ", unit=tree.a)
    assert created.name == "摄影协会"
    with pytest.raises(ValidationError):
        clubs.club_create(actor=office, name="  ", unit=tree.a)


# -- the member's pages --------------------------------------------------------------------------------


def test_club_list_and_page(club, person, office, tree, make_user, make_person):
    officer = support.member(make_user, make_person, tree.a, name="王队长")
    clubs.officer_set(
        actor=office, membership=clubs.join(actor=officer.user, person=officer, club=club), officer=True
    )
    year = timezone.localdate().year
    clubs.plan_save(actor=office, club=club, year=year, brand_title="校园羽毛球联赛", supporting_planned=3)
    brand = factories.make_activity(
        unit=tree.root, actor=office, title="联赛决赛", kind=Kind.CLUB, club=club, is_brand=True
    )
    Club.objects.create(name="停办协会", unit=tree.root, is_active=False)
    client = support.client_for(person.user)
    html = client.get(reverse("activities:portal_clubs")).content.decode()
    assert "羽毛球协会" in html and "1 member" in html and "停办协会" not in html
    html = client.get(reverse("activities:portal_club", args=[club.pk])).content.decode()
    assert "1 brand activity + 3 supporting activities" in html and "王队长" in html
    if brand.starts_at.year == year:
        assert "联赛决赛" in html
    assert 'id="join-button"' in html and 'id="plan-form"' not in html


def test_join_and_leave_pages(club, person):
    client = support.client_for(person.user)
    response = client.post(reverse("activities:portal_club_join", args=[club.pk]))
    assert response.status_code == 302
    assert ClubMembership.objects.filter(club=club, person=person, left_at__isnull=True).exists()
    html = client.get(reverse("activities:portal_club", args=[club.pk])).content.decode()
    assert 'id="leave-button"' in html and 'id="member-count">1<' in html
    client.post(reverse("activities:portal_club_leave", args=[club.pk]))
    assert not ClubMembership.objects.filter(club=club, person=person, left_at__isnull=True).exists()
    assert client.get(reverse("activities:portal_club_join", args=[club.pk])).status_code == 405


def test_only_officers_keep_the_plan_on_the_phone(club, person, office):
    client = support.client_for(person.user)
    data = {"year": timezone.localdate().year, "brand_title": "联赛", "supporting_planned": 2, "note": ""}
    assert client.post(reverse("activities:portal_club_plan", args=[club.pk]), data).status_code == 403
    membership = clubs.join(actor=person.user, person=person, club=club)
    clubs.officer_set(actor=office, membership=membership, officer=True)
    assert 'id="plan-form"' in client.get(reverse("activities:portal_club", args=[club.pk])).content.decode()
    assert client.post(reverse("activities:portal_club_plan", args=[club.pk]), data).status_code == 302
    assert ClubPlan.objects.get(club=club).brand_title == "联赛"
    bad = client.post(reverse("activities:portal_club_plan", args=[club.pk]), {**data, "brand_title": ""})
    assert bad.status_code == 400


# -- the console ---------------------------------------------------------------------------------------


def test_console_list_new_and_detail(office, tree, club, person):
    client = support.client_for(office)
    assert "羽毛球协会" in client.get(reverse("activities:club_list")).content.decode()
    assert client.get(reverse("activities:club_new")).status_code == 200
    response = client.post(
        reverse("activities:club_new"), {"name": "读书会", "unit": tree.a.pk, "description": ""}
    )
    created = Club.objects.get(name="读书会")
    assert response.status_code == 302 and response["Location"] == reverse(
        "activities:club_detail", args=[created.pk]
    )
    membership = clubs.join(actor=person.user, person=person, club=club)
    html = client.get(reverse("activities:club_detail", args=[club.pk])).content.decode()
    assert "李红" in html and "Appoint officer" in html
    client.post(reverse("activities:club_officer", args=[club.pk, membership.pk]), {"officer": "1"})
    assert ClubMembership.objects.get(pk=membership.pk).role == ClubMembership.Role.OFFICER
    data = {
        "year": timezone.localdate().year,
        "brand_title": "羽毛球节",
        "supporting_planned": 6,
        "note": "春秋两季",
    }
    assert client.post(reverse("activities:club_plan", args=[club.pk]), data).status_code == 302
    assert ClubPlan.objects.get(club=club).supporting_planned == 6
    response = client.post(
        reverse("activities:club_detail", args=[club.pk]),
        {"name": "羽协", "description": "", "is_active": ""},
    )
    club.refresh_from_db()
    assert response.status_code == 302 and club.name == "羽协" and not club.is_active


def test_console_is_for_the_office_within_scope(tree, make_user):
    chair = make_user("subunion_chair", tree.a, name="分工会主席")
    assert support.client_for(chair).get(reverse("activities:club_list")).status_code == 403
    staff_a = make_user("union_staff", tree.a, name="学院干事")
    elsewhere = Club.objects.create(name="外院协会", unit=tree.b)
    assert (
        support.client_for(staff_a).get(reverse("activities:club_detail", args=[elsewhere.pk])).status_code
        == 404
    )
