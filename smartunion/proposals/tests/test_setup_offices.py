"""The handling offices (organisations app): creating and editing an office with its supervising leader,
its staff and head, every refused input, the pages, and the list's query-count guard."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from smartunion.core.models import AuditEntry
from smartunion.organisations import selectors_offices
from smartunion.organisations import services_offices as services
from smartunion.organisations.models import HandlingOffice, OfficeStaff

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_user(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="工会办公室")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


# -- services ------------------------------------------------------------------------------------------------


def test_office_create_update_and_audit(office_user: Any, make_user: Any, tree: Any) -> None:
    leader = make_user("school_leader", tree.root, name="副校长")
    office = services.office_create(
        actor=office_user, name=" 教务处 ", short_name="教务", leader=leader, duties="教学运行、课程与考试"
    )
    assert office.name == "教务处" and office.leader == leader
    assert AuditEntry.objects.filter(action="organisations.office.created", target_id=str(office.pk)).exists()
    services.office_update(
        actor=office_user, office=office, name="本科生院", short_name="", leader=None, is_active=False
    )
    office.refresh_from_db()
    assert office.name == "本科生院" and office.leader is None and not office.is_active
    entry = AuditEntry.objects.get(action="organisations.office.updated")
    assert entry.changes["name"] == ["教务处", "本科生院"]


def test_office_refusals(office_user: Any, make_user: Any, tree: Any) -> None:
    services.office_create(actor=office_user, name="后勤管理处", short_name="后勤处")
    with pytest.raises(ValidationError) as error:
        services.office_create(actor=office_user, name="后勤管理处")
    assert "already exists" in error.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as error:
        services.office_create(actor=office_user, name="总务处", short_name="后勤处")
    assert "already names another office" in error.value.message_dict["short_name"][0]
    with pytest.raises(ValidationError):
        services.office_create(actor=office_user, name="  ")
    disabled = make_user(name="停用账号", is_active=False)
    with pytest.raises(ValidationError) as error:
        services.office_create(actor=office_user, name="人事处", leader=disabled)
    assert "disabled" in error.value.message_dict["leader"][0]
    assert HandlingOffice.objects.count() == 1


def test_staff_add_head_and_remove(office_user: Any, make_user: Any) -> None:
    office = services.office_create(actor=office_user, name="后勤管理处")
    clerk = make_user(name="经办人")
    staff = services.office_staff_add(actor=office_user, office=office, user=clerk)
    assert not staff.is_head
    assert selectors_offices.office_ids_of_user(clerk) == {office.pk}
    with pytest.raises(ValidationError) as error:
        services.office_staff_add(actor=office_user, office=office, user=clerk)
    assert "already works for 后勤管理处" in error.value.message_dict["user"][0]
    services.office_staff_add(actor=office_user, office=office, user=clerk, is_head=True)
    assert selectors_offices.office_staff_users([office.pk], heads_only=True) == [clerk]
    with pytest.raises(ValidationError):
        services.office_staff_add(
            actor=office_user, office=office, user=make_user(name="停用", is_active=False)
        )
    services.office_staff_remove(actor=office_user, staff=OfficeStaff.objects.get(user=clerk))
    assert not OfficeStaff.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "organisations.office_staff.added",
        "organisations.office_staff.updated",
        "organisations.office_staff.removed",
    } <= actions


# -- pages ---------------------------------------------------------------------------------------------------


def test_office_pages(office_user: Any, make_user: Any, tree: Any) -> None:
    leader = make_user("school_leader", tree.root, name="分管副校长", staff_no="L0001")
    client = client_for(office_user)
    page = client.get(reverse("organisations:office_list"))
    assert page.status_code == 200 and "No handling offices yet" in text(page)
    assert client.get(reverse("organisations:office_new")).status_code == 200
    response = client.post(
        reverse("organisations:office_new"),
        {
            "name": "后勤管理处",
            "short_name": "后勤处",
            "leader": "l0001",
            "duties": "物业、餐饮",
            "is_active": "on",
        },
    )
    office = HandlingOffice.objects.get(name="后勤管理处")
    assert response.status_code == 302 and response["Location"] == reverse(
        "organisations:office_edit", args=[office.pk]
    )
    assert office.leader == leader
    bad = client.post(reverse("organisations:office_new"), {"name": "人事处", "leader": "NOSUCH"})
    assert "No active account has the staff number NOSUCH" in text(bad)
    edit = client.get(reverse("organisations:office_edit", args=[office.pk]))
    assert 'value="L0001"' in text(edit) and "Nobody works for this office yet" in text(edit)
    response = client.post(
        reverse("organisations:office_edit", args=[office.pk]), {"name": "后勤保障处", "is_active": "on"}
    )
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.name == "后勤保障处" and office.leader is None
    clerk = make_user(name="后勤经办", staff_no="C0001")
    response = client.post(
        reverse("organisations:office_staff_add", args=[office.pk]),
        {"user": "C0001", "is_head": "on"},
        follow=True,
    )
    assert "works for 后勤保障处" in text(response)
    assert OfficeStaff.objects.get(office=office, user=clerk).is_head
    again = client.post(
        reverse("organisations:office_staff_add", args=[office.pk]), {"user": "C0001", "is_head": "on"}
    )
    assert again.status_code == 200 and "already works for" in text(again)
    unknown = client.post(reverse("organisations:office_staff_add", args=[office.pk]), {"user": "ZZZ"})
    assert "No active account has the staff number ZZZ" in text(unknown)
    listing = text(client.get(reverse("organisations:office_list")))
    assert "后勤保障处" in listing and "后勤经办" in listing
    staff = OfficeStaff.objects.get(office=office, user=clerk)
    response = client.post(reverse("organisations:office_staff_remove", args=[staff.pk]))
    assert response.status_code == 302 and not OfficeStaff.objects.exists()
    assert client.post(reverse("organisations:office_staff_remove", args=[staff.pk])).status_code == 404
    assert client.get(reverse("organisations:office_staff_add", args=[office.pk])).status_code == 405


def test_office_list_shows_inactive_on_demand(office_user: Any) -> None:
    services.office_create(actor=office_user, name="已撤销处", is_active=False)
    client = client_for(office_user)
    assert "已撤销处" not in text(client.get(reverse("organisations:office_list")))
    assert "已撤销处" in text(client.get(reverse("organisations:office_list"), {"all": "1"}))


def test_offices_need_the_permission(congress: SimpleNamespace) -> None:
    assert client_for(congress.committee).get(reverse("organisations:office_list")).status_code == 403
    assert client_for(congress.logistics_staff).get(reverse("organisations:office_list")).status_code == 403


def test_office_list_query_count(
    office_user: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(12):
        office = services.office_create(actor=office_user, name=f"处室{i}", leader=make_user(name=f"领导{i}"))
        for j in range(3):
            services.office_staff_add(
                actor=office_user, office=office, user=make_user(name=f"员{i}-{j}"), is_head=j == 0
            )
    client = client_for(office_user)
    client.get(reverse("organisations:office_list"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("organisations:office_list")).status_code == 200


def test_an_office_follows_its_unit_when_the_unit_is_merged(office_user: Any, tree: Any) -> None:
    from smartunion.organisations import services as org_services

    library = org_services.unit_create(
        actor=None, name="图书馆", code="09", union_type="branch", parent=tree.root
    )
    office = services.office_create(actor=office_user, name="图书馆办公室", unit=library)
    org_services.unit_merge(actor=office_user, source=library, target=tree.b)
    office.refresh_from_db()
    assert office.unit == tree.b
    entry = AuditEntry.objects.filter(action="organisations.office.updated", target_id=str(office.pk)).get()
    assert entry.changes["unit"] == ["图书馆", "外国语学院"]
