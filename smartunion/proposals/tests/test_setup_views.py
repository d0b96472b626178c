"""The congress set-up pages: terms, a term's page (sessions with their 五制, delegations, representatives
with filters and htmx paging, committee), the session form, delegations, adding / editing / ending
representatives, the export, the committee, the categories — and the query-count guards of the lists."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from smartunion.core.models import AuditEntry
from smartunion.proposals.models import (
    Category,
    CommitteeMember,
    Congress,
    Delegation,
    Representative,
    Session,
)

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="工会办公室")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


# -- terms -------------------------------------------------------------------------------------------------


def test_congress_list_empty_then_created(office: Any) -> None:
    client = client_for(office)
    page = client.get(reverse("proposals:congress_list"))
    assert page.status_code == 200 and "No congress term yet" in text(page)
    form = client.get(reverse("proposals:congress_new"))
    assert 'value="1"' in text(form)  # the next term number
    response = client.post(reverse("proposals:congress_new"), {"number": "5", "start_date": "2024-03-01"})
    congress = Congress.objects.get(number=5)
    assert response.status_code == 302 and response["Location"] == reverse(
        "proposals:congress_detail", args=[congress.pk]
    )
    assert congress.name == "第五届教职工代表大会"
    page = client.get(reverse("proposals:congress_list"))
    assert "第五届教职工代表大会" in text(page)


def test_congress_new_refused_input_rerenders(office: Any) -> None:
    client = client_for(office)
    client.post(reverse("proposals:congress_new"), {"number": "5", "start_date": "2024-03-01"})
    page = client.post(reverse("proposals:congress_new"), {"number": "5", "start_date": "2024-03-01"})
    assert page.status_code == 200 and "Term 5 already exists" in text(page)
    page = client.post(
        reverse("proposals:congress_new"),
        {"number": "6", "start_date": "2024-03-01", "end_date": "2023-01-01"},
    )
    assert "cannot end before it starts" in text(page)
    assert Congress.objects.count() == 1


def test_congress_edit(congress: SimpleNamespace, office: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:congress_edit", args=[congress.congress.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"number": "5", "name": "第五届教代会", "start_date": "2024-03-01", "end_date": "2029-03-01"}
    )
    assert response.status_code == 302
    congress.congress.refresh_from_db()
    assert congress.congress.name == "第五届教代会" and congress.congress.end_date == dt.date(2029, 3, 1)


def test_congress_detail_shows_everything(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    from smartunion.proposals.services import congress as services

    services.representative_update(
        actor=office,
        representative=congress.rep1,
        delegation=congress.delegations[0],
        kind="full",
        is_delegation_leader=True,
    )
    services.committee_add(
        actor=office, congress=congress.congress, person=congress.rep3.person, position="chair"
    )
    services.session_update(actor=office, session=congress.session, control_supervision=False)
    page = client_for(office).get(reverse("proposals:congress_detail", args=[congress.congress.pk]))
    body = text(page)
    assert page.status_code == 200
    assert "第5届教代会第2次会议" in body and "Collecting proposals" in body
    assert "✗ supervision (督办)" in body and "✓ time limits (限时办结)" in body
    assert "机械学院代表团" in body and "外语学院代表团" in body
    assert "代表1" in body and "代表4" in body and "列席者" in body
    assert "Chair (主任)" in body
    assert 'id="export-representatives"' in body and 'id="import-representatives"' in body


def test_congress_detail_filters_and_htmx(congress: SimpleNamespace, office: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:congress_detail", args=[congress.congress.pk])
    d2 = congress.delegations[1]
    body = text(client.get(url, {"delegation": d2.pk}))
    assert "代表3" in body and "代表1</a>" not in body
    body = text(client.get(url, {"kind": "observer"}))
    assert "列席者" in body and "代表2</a>" not in body
    body = text(client.get(url, {"q": "代表4"}))
    assert "代表4" in body and "代表3</a>" not in body
    partial = client.get(url, {"q": "代表4"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert 'id="table-region"' in text(partial) and "Sessions (次)" not in text(partial)
    congress.rep2.is_active = False
    congress.rep2.save()
    assert "代表2</a>" not in text(client.get(url))
    assert "代表2</a>" in text(client.get(url, {"status": "ended"}))


def test_congress_detail_query_count(
    congress: SimpleNamespace, office: Any, tree: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        factories.make_representative(
            congress.congress, congress.delegations[i % 2], unit=tree.a, name=f"加{i}"
        )
    client = client_for(office)
    url = reverse("proposals:congress_detail", args=[congress.congress.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_congress_list_query_count(office: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(1, 6):
        factories.make_session(congress_number=number, number=1)
    client = client_for(office)
    client.get(reverse("proposals:congress_list"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("proposals:congress_list")).status_code == 200


def test_setup_needs_the_union_office(congress: SimpleNamespace) -> None:
    committee = client_for(congress.committee)
    assert committee.get(reverse("proposals:congress_list")).status_code == 403
    assert committee.get(reverse("proposals:category_list")).status_code == 403
    assert Client().get(reverse("proposals:congress_list")).status_code == 302


def test_unknown_term_is_404(office: Any) -> None:
    assert client_for(office).get(reverse("proposals:congress_detail", args=[9999])).status_code == 404


# -- sessions -----------------------------------------------------------------------------------------------


def session_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "number": "3",
        "name": "",
        "collection_opens": "2026-03-01T08:00",
        "collection_closes": "2026-03-31T17:00",
        "cosigners_required": "2",
        "title_max_chars": "60",
        "reasons_min_chars": "50",
        "reasons_max_chars": "3000",
        "suggestions_min_chars": "30",
        "suggestions_max_chars": "3000",
        "reply_working_days": "30",
        "return_working_days": "5",
        "warning_working_days": "5",
        "escalate_after_working_days": "5",
        "evaluation_reminder_working_days": "5",
        "max_rehandling_rounds": "1",
        "control_leader_signoff": "on",
        "control_time_limit": "on",
        "control_evaluation": "on",
    }
    data.update(overrides)
    return data


def test_session_new_prefilled_and_created(congress: SimpleNamespace, office: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:session_new", args=[congress.congress.pk])
    form = text(client.get(url))
    assert "第五届教代会第三次会议" in form and "The five controls (五制)" in form
    response = client.post(url, session_post())
    assert response.status_code == 302
    session = Session.objects.get(congress=congress.congress, number=3)
    assert session.name == "第五届教代会第三次会议"
    assert (
        session.control_leader_signoff and not session.control_co_handling and not session.control_supervision
    )


def test_session_new_refused(congress: SimpleNamespace, office: Any) -> None:
    url = reverse("proposals:session_new", args=[congress.congress.pk])
    page = client_for(office).post(url, session_post(collection_closes="2026-02-01T08:00"))
    assert page.status_code == 200 and "Collection must close after it opens" in text(page)
    page = client_for(office).post(url, session_post(number="2"))
    assert "already has session 2" in text(page)
    assert not Session.objects.filter(number=3).exists()


def test_session_edit_switches(congress: SimpleNamespace, office: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:session_edit", args=[congress.session.pk])
    page = client.get(url)
    assert page.status_code == 200 and "History" in text(page)
    response = client.post(
        url, session_post(number="2", name="第五届教代会第二次会议", accepts_between_sessions="on")
    )
    assert response.status_code == 302
    congress.session.refresh_from_db()
    assert congress.session.accepts_between_sessions and not congress.session.control_co_handling
    assert congress.session.name == "第五届教代会第二次会议"


# -- delegations ----------------------------------------------------------------------------------------------


def test_delegation_new_and_edit(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:delegation_new", args=[congress.congress.pk])
    assert "机械工程学院" in text(client.get(url))  # the units to pick from
    assert client.post(url, {"name": "外国语学院代表团", "unit": tree.b.pk}).status_code == 302
    delegation = Delegation.objects.get(name="外国语学院代表团")
    assert delegation.unit == tree.b
    page = client.post(url, {"name": "外国语学院代表团"})
    assert "already has a delegation" in text(page)
    edit = reverse("proposals:delegation_edit", args=[delegation.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"name": "外院代表团", "sort_order": "1"}).status_code == 302
    delegation.refresh_from_db()
    assert delegation.name == "外院代表团" and delegation.unit is None


# -- representatives --------------------------------------------------------------------------------------------


def test_representative_search_and_add(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    person = factories.make_person_with_user(tree.b, name="王新来")
    client = client_for(office)
    url = reverse("proposals:representative_add", args=[congress.congress.pk])
    page = client.get(url, {"q": "王新"})
    assert person.staff_no in text(page) and "Choose" in text(page)
    partial = client.get(url, {"q": "王新"}, HTTP_HX_REQUEST="true")
    assert 'id="results"' in text(partial) and '<form method="post"' not in text(partial)
    assert "Nobody on the staff matches" in text(client.get(url, {"q": "没有这个人"}))
    chosen = client.get(url, {"staff_no": person.staff_no})
    assert f'value="{person.staff_no}"' in text(chosen)
    d2 = congress.delegations[1]
    response = client.post(
        url, {"person": person.staff_no.lower(), "delegation": d2.pk, "kind": "full", "another": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"?delegation={d2.pk}")
    rep = Representative.objects.get(person=person)
    assert rep.delegation == d2 and rep.congress == congress.congress


def test_representative_add_refused(congress: SimpleNamespace, office: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:representative_add", args=[congress.congress.pk])
    page = client.post(url, {"person": "NOPE1", "delegation": congress.delegations[0].pk, "kind": "full"})
    assert "No staff member has the number NOPE1" in text(page)
    page = client.post(
        url,
        {"person": congress.rep1.person.staff_no, "delegation": congress.delegations[1].pk, "kind": "full"},
    )
    assert "already represents 机械学院代表团" in text(page)


def test_representative_edit_and_end(congress: SimpleNamespace, office: Any) -> None:
    client = client_for(office)
    rep = congress.rep1
    url = reverse("proposals:representative_edit", args=[rep.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"delegation": rep.delegation_id, "kind": "full", "is_delegation_leader": "on", "is_active": "on"},
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.is_delegation_leader
    page = client.post(
        reverse("proposals:representative_edit", args=[congress.rep2.pk]),
        {"delegation": rep.delegation_id, "kind": "full", "is_delegation_leader": "on", "is_active": "on"},
    )
    assert "代表1 already leads" in text(page)
    remove = reverse("proposals:representative_remove", args=[rep.pk])
    response = client.post(remove, follow=True)
    assert "can no longer propose or co-sign" in text(response)
    rep.refresh_from_db()
    assert not rep.is_active
    again = client.post(remove, follow=True)
    assert "no longer serves" in text(again)
    assert client.get(remove).status_code == 405


def test_representative_export(congress: SimpleNamespace, office: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:representative_export", args=[congress.congress.pk])
    response = client.get(url, {"delegation": congress.delegations[0].pk})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    header = rows[1]
    assert "Staff number" in header and "Delegation" in header and "Congress term" in header
    names = [row[1] for row in rows[2:]]
    assert set(names) == {"代表1", "代表2", "列席者"}
    assert AuditEntry.objects.filter(action="core.list.exported").exists()


# -- committee ---------------------------------------------------------------------------------------------------


def test_committee_add_and_remove(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    person = factories.make_person_with_user(tree.root, name="委员甲")
    client = client_for(office)
    url = reverse("proposals:committee_add", args=[congress.congress.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"person": person.staff_no, "position": "member"}, follow=True)
    assert "joined the proposal committee" in text(response)
    member = CommitteeMember.objects.get(person=person)
    page = client.post(url, {"person": person.staff_no, "position": "member"})
    assert "already on the proposal committee" in text(page)
    response = client.post(reverse("proposals:committee_remove", args=[member.pk]))
    assert response.status_code == 302 and not CommitteeMember.objects.exists()


# -- categories ---------------------------------------------------------------------------------------------------


def test_category_pages(office: Any) -> None:
    client = client_for(office)
    page = client.get(reverse("proposals:category_list"))
    body = text(page)
    assert "内涵建设" in body and "子女入学与托育" in body and "Core development (内涵建设)" in body
    core = Category.objects.get(name="内涵建设", parent=None)
    new = client.get(reverse("proposals:category_new"), {"parent": core.pk})
    assert f'<option value="{core.pk}" selected>' in text(new)
    response = client.post(
        reverse("proposals:category_new"),
        {"name": "师德师风", "parent": core.pk, "kpi_class": "other", "is_active": "on"},
    )
    assert response.status_code == 302
    created = Category.objects.get(name="师德师风")
    assert created.kpi_class == "core"
    page = client.post(
        reverse("proposals:category_new"), {"name": "师德师风", "parent": core.pk, "kpi_class": "core"}
    )
    assert "already exists among 内涵建设" in text(page)
    edit = reverse("proposals:category_edit", args=[created.pk])
    edit_page = text(client.get(edit))
    assert "History" in edit_page
    assert (
        client.post(edit, {"name": "师德师风建设", "parent": core.pk, "kpi_class": "core"}).status_code == 302
    )
    created.refresh_from_db()
    assert created.name == "师德师风建设" and not created.is_active


def test_category_list_query_count(office: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(office)
    client.get(reverse("proposals:category_list"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("proposals:category_list")).status_code == 200


def test_navigation_lists_the_setup_pages(office: Any, congress: SimpleNamespace) -> None:
    body = text(client_for(office).get(reverse("proposals:congress_list")))
    assert reverse("proposals:category_list") in body
    assert reverse("organisations:office_list") in body and reverse("core:calendar_list") in body
    assert "Staff congress (教代会)" in body
