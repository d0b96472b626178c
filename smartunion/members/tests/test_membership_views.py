"""Officer pages of the roster and the membership lifecycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smartunion.members import services
from smartunion.members.models import JoiningCeremony, LapseProposal, Membership, StaffCategory

ms = services.membership
TODAY = timezone.localdate()


def join(person: Any, letter: str) -> None:
    ms.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="某厂工会",
        letter_no=letter,
        original_joined_on=None,
    )


@pytest.fixture
def chair(client: Any, make_user: Any, tree: Any) -> Any:
    user = make_user("subunion_chair", tree.a)
    client.force_login(user)
    return user


def test_roster_first_page_costs_the_same_queries_whatever_the_page_size(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    for index in range(60):
        person = make_person(unit=tree.a1 if index % 2 else tree.a)
        if index % 3 == 0:
            join(person, f"L{index}")
    client.get("/console/members/")  # the first request of a session also refreshes the session row
    counts = []
    for size in (25, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/console/members/?per_page={size}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 10, counts


def test_roster_filters_by_status_age_join_year_and_pinyin(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    young = make_person(unit=tree.a, name="张三", birth_date=TODAY.replace(year=TODAY.year - 25))
    old = make_person(unit=tree.a, name="李四", birth_date=TODAY.replace(year=TODAY.year - 55))
    join(old, "L1")
    make_person(unit=tree.b, name="张珊")  # another unit: never shown
    body = client.get("/console/members/", {"q": "zs"}).content.decode()
    assert young.staff_no in body and "张珊" not in body and old.staff_no not in body
    body = client.get("/console/members/", {"status": "full"}).content.decode()
    assert old.staff_no in body and young.staff_no not in body
    body = client.get("/console/members/", {"age_band": "-30"}).content.decode()
    assert young.staff_no in body and old.staff_no not in body
    body = client.get("/console/members/", {"join_year": TODAY.year}).content.decode()
    assert old.staff_no in body and young.staff_no not in body
    export = client.get("/console/members/", {"export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_member_page_shows_the_timeline_and_the_allowed_actions(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    person = make_person(unit=tree.a, name="王五")
    join(person, "JS-9")
    body = client.get(f"/console/members/{person.pk}/").content.decode()
    assert "JS-9" in body
    assert f"/console/members/{person.pk}/membership/retain/" in body
    assert f"/console/members/{person.pk}/membership/expel/" not in body  # only the union chair expels


def test_retain_form_records_the_change_and_refuses_future_dates(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    person = make_person(unit=tree.a)
    join(person, "JS-1")
    url = f"/console/members/{person.pk}/membership/retain/"
    assert client.get(url).status_code == 200
    future = (TODAY + dt.timedelta(days=2)).isoformat()
    response = client.post(url, {"reason": "long_absence", "on": future})
    assert response.status_code == 200 and Membership.objects.get(person=person).status == "full"
    response = client.post(url, {"reason": "long_absence", "on": TODAY.isoformat(), "note": "出国访学一年"})
    assert response.status_code == 302
    assert Membership.objects.get(person=person).status == "retained"


def test_an_illegal_transition_shows_the_services_message(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    person = make_person(unit=tree.a)
    response = client.post(f"/console/members/{person.pk}/membership/withdraw/", {"on": TODAY.isoformat()})
    assert response.status_code == 200
    assert Membership.objects.get(person=person).status == "none"
    assert "form-errors" in response.content.decode()


def test_transfer_out_leads_to_the_printable_certificate(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    person = make_person(unit=tree.a, name="赵六")
    join(person, "JS-2")
    response = client.post(
        f"/console/members/{person.pk}/membership/transfer_out/",
        {"counterpart": "苏州大学工会", "on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    certificate = client.get(response["Location"]).content.decode()
    assert "苏州大学工会" in certificate and "赵六" in certificate


def test_bulk_retain_confirms_first_then_applies_all_or_nothing(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    retired = StaffCategory.objects.get(name="退休")
    first, second = make_person(unit=tree.a, category=retired), make_person(unit=tree.a, category=retired)
    join(first, "A1")
    join(second, "A2")
    outsider = make_person(unit=tree.a)  # not a member: cannot be retained
    data = {"action": "retain_retired", "on": TODAY.isoformat(), "ids": [first.pk, second.pk, outsider.pk]}
    confirm = client.post("/console/members/bulk/", data)
    assert confirm.status_code == 200 and first.staff_no in confirm.content.decode()
    assert Membership.objects.get(person=first).status == "full"
    client.post("/console/members/bulk/", {**data, "confirm": "1"})
    assert {Membership.objects.get(person=p).status for p in (first, second)} == {"full"}  # nothing half-done
    listing = client.get("/console/members/retirees/").content.decode()
    assert first.staff_no in listing and second.staff_no in listing
    client.post("/console/members/bulk/", {**data, "ids": [first.pk, second.pk], "confirm": "1"})
    assert {Membership.objects.get(person=p).status for p in (first, second)} == {"retained"}


def test_bulk_without_a_selection_says_so(client: Any, chair: Any) -> None:
    response = client.post(
        "/console/members/bulk/", {"action": "resume", "on": TODAY.isoformat()}, follow=True
    )
    assert "Tick the people" in response.content.decode() or "勾选" in response.content.decode()


def test_pending_list_and_a_ceremony(client: Any, chair: Any, make_person: Any, tree: Any) -> None:
    newcomers = [make_person(unit=tree.a, hire_date=TODAY) for _ in range(2)]
    make_person(unit=tree.a, category=StaffCategory.objects.get(name="退休"))  # not eligible: not listed
    body = client.get("/console/members/pending/").content.decode()
    assert all(p.staff_no in body for p in newcomers)
    ids = [p.pk for p in newcomers]
    confirm = client.post("/console/members/ceremonies/new/", {"ids": ids})
    assert confirm.status_code == 200 and not JoiningCeremony.objects.exists()
    response = client.post(
        "/console/members/ceremonies/new/",
        {
            "ids": ids,
            "confirm": "1",
            "title": "2026年新教工入职入会仪式",
            "held_on": TODAY.isoformat(),
            "approval_ref": "校工会2026年第5次委员会",
        },
    )
    assert response.status_code == 302
    ceremony = JoiningCeremony.objects.get()
    assert client.get(f"/console/members/ceremonies/{ceremony.pk}/").status_code == 200
    assert {Membership.objects.get(person=p).status for p in newcomers} == {"full"}
    assert client.get("/console/members/ceremonies/").status_code == 200
    assert newcomers[0].staff_no not in client.get("/console/members/pending/").content.decode()


def test_lapse_decision_page(client: Any, chair: Any, make_person: Any, tree: Any) -> None:
    person = make_person(unit=tree.a)
    join(person, "L9")
    proposal = ms.lapse_propose(membership=person.membership, last_dues_month=dt.date(2026, 1, 1), on=TODAY)
    assert proposal is not None
    assert person.staff_no in client.get("/console/members/lapses/").content.decode()
    url = f"/console/members/lapses/{proposal.pk}/"
    assert client.post(url, {"decision": "confirm", "note": ""}).status_code == 200  # a note is required
    assert client.post(url, {"decision": "dismiss", "note": "长期病假，已说明"}).status_code == 302
    assert LapseProposal.objects.get().status == "dismissed"
    assert Membership.objects.get(person=person).status == "full"


def test_mark_left_page(client: Any, chair: Any, make_person: Any, tree: Any) -> None:
    person = make_person(unit=tree.a)
    url = f"/console/members/{person.pk}/left/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"on": TODAY.isoformat()}).status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    body = client.get("/console/members/", {"on_staff": "no"}).content.decode()
    assert person.staff_no in body


def test_member_page_shows_the_family_masked_for_sub_union_officers(
    client: Any, chair: Any, make_person: Any, tree: Any
) -> None:
    from smartunion.members.models import FamilyMember

    person = make_person(unit=tree.a)
    FamilyMember.objects.create(
        person=person,
        relation="child",
        name="王小明",
        sex="M",
        birth_date=dt.date(2018, 5, 17),
        school="附属小学",
    )
    body = client.get(f"/console/members/{person.pk}/").content.decode()
    assert "family-title" in body
    assert "王小明" not in body and "2018-05-17" not in body and "2018-05" in body


def test_crafted_ids_and_next_are_harmless(client: Any, chair: Any, make_person: Any, tree: Any) -> None:
    person = make_person(unit=tree.a)
    for ids in (["²"], ["9" * 30], ["-1"]):
        response = client.post(
            "/console/members/bulk/", {"action": "resume", "on": TODAY.isoformat(), "ids": ids}
        )
        assert response.status_code == 302  # "tick the people", not a server error
        assert client.post("/console/members/ceremonies/new/", {"ids": ids}).status_code in (302, 404)
    response = client.post(
        "/console/members/bulk/",
        {
            "action": "resume",
            "on": TODAY.isoformat(),
            "ids": [person.pk],
            "confirm": "1",
            "next": "//evil.example/",
        },
    )
    assert response["Location"] == "/console/members/"


def test_full_family_view_is_logged_as_sensitive_access(
    client: Any, make_user: Any, make_person: Any, tree: Any
) -> None:
    from smartunion.core.models import AuditEntry
    from smartunion.members.models import FamilyMember

    person = make_person(unit=tree.a)
    FamilyMember.objects.create(
        person=person, relation="child", name="王小明", sex="M", birth_date=dt.date(2018, 5, 17)
    )
    client.force_login(make_user("union_staff", tree.root))
    assert "王小明" in client.get(f"/console/members/{person.pk}/").content.decode()
    assert AuditEntry.objects.filter(action="members.family.viewed", sensitive=True).count() == 1
