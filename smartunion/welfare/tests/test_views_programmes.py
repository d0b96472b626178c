"""The programme pages: the console list, form, programme page with its preview, the progress and the
members' list (with Excel and a bounded query count); the member's choice on the phone and their history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from smartunion.welfare.models import Entitlement, Issuance, Programme
from smartunion.welfare.services import programmes as services

from .programme_factories import close_choice, make_budget_line, make_item, make_member, make_programme

Status = Programme.Status


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.a, name="机械干事")


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_list_has_tabs_and_an_empty_state(staff: Any) -> None:
    response = _client(staff).get(reverse("welfare:programme_list"))
    assert response.status_code == 200
    assert "No benefit programmes here" in response.text
    assert reverse("welfare:programme_new") in response.text


def test_the_list_shows_the_users_programmes_only(tree: Any, staff: Any, make_user: Any) -> None:
    mine = make_programme(actor=staff, unit=tree.a, title="机械端午")
    other_staff = make_user("union_staff", tree.b)
    make_programme(actor=other_staff, unit=tree.b, title="外语端午")
    response = _client(staff).get(reverse("welfare:programme_list"))
    assert mine.title in response.text
    assert "外语端午" not in response.text
    response = _client(staff).get(reverse("welfare:programme_list") + "?status=issued")
    assert "机械端午" not in response.text


def test_a_programme_is_created_through_the_form(tree: Any, staff: Any) -> None:
    item = make_item()
    line = make_budget_line(tree.a)
    deadline = timezone.localtime() + dt.timedelta(days=5)
    response = _client(staff).post(
        reverse("welfare:programme_new"),
        {
            "title": "2026年端午节福利",
            "item": item.pk,
            "unit": tree.a.pk,
            "value_per_member": "300",
            "eligible_statuses": ["full", "temporary"],
            "counted_on": timezone.localdate().isoformat(),
            "choice_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "budget_line": line.pk,
            "voucher_valid_from": timezone.localdate().isoformat(),
            "voucher_valid_to": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("welfare:programme_detail", args=[programme.pk])
    page = _client(staff).get(response["Location"])
    assert "No options yet" in page.text
    assert "Open for choice" in page.text


def test_a_bad_form_names_the_field(tree: Any, staff: Any) -> None:
    item = make_item(cap_per_event="200.00")
    response = _client(staff).post(
        reverse("welfare:programme_new"),
        {
            "title": "端午",
            "item": item.pk,
            "unit": tree.a.pk,
            "value_per_member": "300",
            "eligible_statuses": ["full"],
            "counted_on": timezone.localdate().isoformat(),
            "choice_deadline": (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "budget_line": make_budget_line(tree.a).pk,
        },
    )
    assert response.status_code == 400
    assert "at most 200.00" in response.text
    assert not Programme.objects.exists()


def test_options_are_added_and_the_programme_opened_from_its_page(tree: Any, staff: Any) -> None:
    make_member(tree.a)
    programme = make_programme(actor=staff, unit=tree.a, options=("粽子礼盒",))
    client = _client(staff)
    page = client.get(reverse("welfare:programme_option_new", args=[programme.pk]))
    assert page.status_code == 200
    assert "Cash (慰问金)" not in page.text  # festival: no cash among the forms
    merchant = programme.options.get().merchants.get()
    response = client.post(
        reverse("welfare:programme_option_new", args=[programme.pk]),
        {"name": "水果提货券", "form": "voucher", "merchants": [merchant.pk], "sort_order": "1"},
    )
    assert response.status_code == 302
    response = client.post(reverse("welfare:programme_open", args=[programme.pk]))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == Status.CHOOSING
    page = client.get(reverse("welfare:programme_detail", args=[programme.pk]))
    assert "members listed" in page.text
    assert "issue after the deadline" in page.text  # the preview waits for the deadline


def test_the_issue_preview_the_start_and_the_result(
    tree: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(2):
        make_member(tree.a)
    programme = make_programme(actor=staff, unit=tree.a)
    services.programme_open(actor=staff, programme=programme)
    close_choice(programme)
    client = _client(staff)
    page = client.get(reverse("welfare:programme_detail", args=[programme.pk]))
    assert 'id="issue-button"' in page.text
    assert "600.00" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("welfare:programme_issue", args=[programme.pk]))
    assert response["Location"] == reverse("welfare:programme_progress", args=[programme.pk])
    result = client.get(response["Location"])
    assert result.status_code == 200
    assert "Posted to the books, per unit" in result.text
    assert Issuance.objects.filter(programme=programme).count() == 2
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert partial.text.lstrip().startswith('<div id="programme-progress"')


def test_the_members_list_exports_and_keeps_its_query_count(
    tree: Any, staff: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        make_member(tree.a)
    programme = make_programme(actor=staff, unit=tree.a)
    services.programme_open(actor=staff, programme=programme)
    client = _client(staff)
    url = reverse("welfare:programme_entitlements", args=[programme.pk])
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for _ in range(30):
        make_member(tree.a1)
    Entitlement.objects.bulk_create(
        Entitlement(programme=programme, person=person, unit=person.unit)
        for person in type(tree.a1.people.first()).objects.filter(unit=tree.a1)
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "33" in response.text
    export = client.get(url + "?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_programmes_outside_the_scope_answer_404(tree: Any, staff: Any, make_user: Any) -> None:
    other = make_programme(actor=make_user("union_staff", tree.b), unit=tree.b)
    client = _client(staff)
    for name in ("welfare:programme_detail", "welfare:programme_entitlements", "welfare:programme_edit"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404


# -- the member portal -------------------------------------------------------------------------------------


@pytest.fixture
def member(tree: Any, staff: Any, make_user: Any) -> dict[str, Any]:
    user = make_user(name="张会员")
    person = make_member(tree.a, user=user)
    programme = make_programme(actor=staff, unit=tree.a)
    services.programme_open(actor=staff, programme=programme)
    return {"user": user, "person": person, "programme": programme}


def test_the_welfare_tab_lists_what_i_can_choose(member: dict[str, Any]) -> None:
    page = _client(member["user"]).get(reverse("dashboards:portal_section", args=["welfare"]))
    assert page.status_code == 200
    assert member["programme"].title in page.text
    assert reverse("welfare:portal_choose", args=[member["programme"].pk]) in page.text


def test_a_member_chooses_on_the_phone(member: dict[str, Any]) -> None:
    programme = member["programme"]
    gift, fruit = list(programme.options.order_by("sort_order"))
    client = _client(member["user"])
    url = reverse("welfare:portal_choose", args=[programme.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "If you do not choose, you receive 粽子礼盒." in page.text
    response = client.post(url, {"option": fruit.pk})
    assert response.status_code == 302
    page = client.get(url)
    assert "You chose 水果提货券" in page.text
    assert Entitlement.objects.get(person=member["person"]).option_id == fruit.pk
    bogus = client.post(url, {"option": 999999})
    assert bogus.status_code == 400
    close_choice(programme)
    closed = client.post(url, {"option": gift.pk})
    assert closed.status_code == 302
    assert Entitlement.objects.get(person=member["person"]).option_id == fruit.pk
    assert "The choice is closed" in client.get(url).text


def test_another_members_programme_answers_404(member: dict[str, Any], make_user: Any, tree: Any) -> None:
    stranger = make_user(name="路人")
    make_member(tree.b, user=stranger)
    response = _client(stranger).get(reverse("welfare:portal_choose", args=[member["programme"].pk]))
    assert response.status_code == 404
    no_person = make_user(name="无档案")
    response = _client(no_person).get(reverse("welfare:portal_choose", args=[member["programme"].pk]))
    assert response.status_code == 404


def test_my_benefits_lists_what_i_received_or_says_what_comes(
    member: dict[str, Any], staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(member["user"])
    url = reverse("welfare:my_benefits")
    assert "Nothing received yet" in client.get(url).text
    programme = close_choice(member["programme"])
    with django_capture_on_commit_callbacks(execute=True):
        services.programme_issue(actor=staff, programme=programme)
    page = client.get(url)
    assert programme.title in page.text
    assert "300.00" in page.text
