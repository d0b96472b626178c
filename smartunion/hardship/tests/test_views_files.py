"""The hardship files' console pages: the list and its export never show figures; the file's page shows
them to the case handlers only (and logs each view); documents are served to the case handlers only;
every step of the procedure through its form."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.core import crypto
from smartunion.core.models import AuditEntry
from smartunion.hardship.models import Category, Consent, Document, HardshipFile, HouseholdMember, Objection

from . import factories

pytestmark = pytest.mark.django_db

Status = HardshipFile.Status
INCOME = "31415.92"
HEALTH = "慢性病"
PDF = b"%PDF-1.4 secret certificate"


@pytest.fixture
def v(tree: Any, make_user: Any, make_person: Any) -> SimpleNamespace:
    factories.dibao()
    staff = make_user("union_staff", tree.root, name="帮扶干事")
    member_user = make_user(name="困难教工")
    person = make_person(unit=tree.a1, staff_no=member_user.staff_no, name="困难教工", user=member_user)
    active = factories.make_file(person=person, actor=staff, status=Status.ACTIVE, incomes=(INCOME, "0", "0"))
    document = Document.objects.create(
        file=active,
        kind=Document.Kind.INCOME,
        filename="收入证明.pdf",
        content_type="application/pdf",
        size=len(PDF),
        content=crypto.encrypt_bytes(PDF),
        uploaded_by=staff,
    )
    person_b = make_person(unit=tree.b1, name="外院教工")
    file_b = factories.make_file(person=person_b, actor=staff, status=Status.ACTIVE)
    return SimpleNamespace(
        tree=tree,
        staff=staff,
        member=member_user,
        person=person,
        active=active,
        document=document,
        file_b=file_b,
        handler=make_user("subunion_chair", tree.a, name="分工会主席"),
        reviewer=make_user("subunion_chair", tree.a, name="分工会副主席"),
        chair=make_user("union_chair", tree.a, name="校工会主席"),
        approver=make_user("union_chair", tree.root, name="校主席"),
        handler_b=make_user("subunion_chair", tree.b, name="外院主席"),
        make_person=make_person,
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _detail(file: HardshipFile) -> str:
    return reverse("hardship:file_detail", args=[file.pk])


# -- the list ----------------------------------------------------------------------------------------------


def test_list_shows_no_figures_even_to_case_handlers(v: SimpleNamespace) -> None:
    response = _client(v.handler).get(reverse("hardship:file_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "困难教工" in html and v.active.number in html
    assert INCOME not in html and "31415" not in html and HEALTH not in html
    assert "外院教工" not in html  # unit B is outside a sub-union chair of A


def test_list_export_has_no_figures_and_is_logged(v: SimpleNamespace) -> None:
    response = _client(v.staff).get(reverse("hardship:file_list") + "?export=xlsx")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert v.active.number in cells and "困难教工" in cells
    assert "外院教工" in cells  # union staff at the top see both
    joined = " ".join(cells)
    assert "31415" not in joined and HEALTH not in joined and "6000" not in joined
    entry = AuditEntry.objects.get(action="hardship.file.exported")
    assert entry.sensitive and entry.changes["rows"] == 2


def test_list_tabs_and_filters(v: SimpleNamespace) -> None:
    notice = factories.make_file(
        person=v.make_person(unit=v.tree.a1, name="公示中"), actor=v.staff, status=Status.NOTICE
    )
    client = _client(v.handler)
    html = client.get(reverse("hardship:file_list") + "?tab=notice").content.decode()
    assert "公示中" in html and "困难教工" not in html
    html = client.get(reverse("hardship:file_list") + f"?tab=all&q={v.person.staff_no}").content.decode()
    assert "困难教工" in html and "公示中" not in html
    html = client.get(
        reverse("hardship:file_list") + f"?tab=all&category={Category.ACCIDENT}"
    ).content.decode()
    assert "困难教工" not in html
    HardshipFile.objects.filter(pk=v.active.pk).update(
        review_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    html = client.get(reverse("hardship:file_list") + "?tab=all&review_due=overdue").content.decode()
    assert "困难教工" in html
    html = client.get(reverse("hardship:file_list") + "?tab=all&review_due=soon").content.decode()
    assert "困难教工" not in html
    assert notice.pk


def test_list_refused_without_the_permission(v: SimpleNamespace) -> None:
    assert _client(v.member).get(reverse("hardship:file_list")).status_code == 403


# -- the file's page ---------------------------------------------------------------------------------------


def test_detail_shows_figures_to_the_case_handlers_and_logs_it(v: SimpleNamespace) -> None:
    response = _client(v.handler).get(_detail(v.active))
    assert response.status_code == 200
    html = response.content.decode()
    assert INCOME in html and HEALTH in html
    assert "Per capita per month" in html
    assert reverse("hardship:document_download", args=[v.document.pk]) in html
    entry = AuditEntry.objects.get(action="hardship.file.viewed")
    assert entry.sensitive and entry.actor == v.handler and entry.target_id == str(v.active.pk)


def test_detail_masks_figures_for_the_union_chair(v: SimpleNamespace) -> None:
    response = _client(v.chair).get(_detail(v.active))
    assert response.status_code == 200
    html = response.content.decode()
    assert INCOME not in html and HEALTH not in html and "6000" not in html
    assert "Figures are shown only to the case handlers" in html
    assert "••••" in html
    assert reverse("hardship:document_download", args=[v.document.pk]) not in html
    assert not AuditEntry.objects.filter(action="hardship.file.viewed").exists()


def test_detail_outside_the_scope_is_404(v: SimpleNamespace) -> None:
    assert _client(v.handler_b).get(_detail(v.active)).status_code == 404
    assert _client(v.handler).get(_detail(v.file_b)).status_code == 404


# -- documents ---------------------------------------------------------------------------------------------


def test_document_download_for_case_handlers_only(v: SimpleNamespace) -> None:
    url = reverse("hardship:document_download", args=[v.document.pk])
    response = _client(v.handler).get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    entry = AuditEntry.objects.get(action="hardship.document.viewed")
    assert entry.sensitive and entry.actor == v.handler
    assert _client(v.chair).get(url).status_code == 404
    assert _client(v.handler_b).get(url).status_code == 404
    assert AuditEntry.objects.filter(action="hardship.document.viewed").count() == 1


def test_document_upload(v: SimpleNamespace) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("hardship:file_document_upload", args=[v.active.pk])
    client = _client(v.handler)
    bad = SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")
    response = client.post(url, {"kind": "medical", "upload": bad})
    assert response.status_code == 400 and "is not accepted" in response.content.decode()
    good = SimpleUploadedFile("诊断.pdf", b"%PDF-1.4 diagnosis", content_type="application/pdf")
    response = client.post(url, {"kind": "medical", "upload": good})
    assert response.status_code == 302
    document = v.active.documents.get(filename="诊断.pdf")
    assert b"diagnosis" not in bytes(document.content)
    assert _client(v.chair).post(url, {"kind": "medical"}).status_code == 403


def test_encrypted_columns_are_not_readable_in_the_database(v: SimpleNamespace) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT annual_income, health FROM hardship_householdmember")
        rows = cursor.fetchall()
        cursor.execute("SELECT cause_detail, medical_expense FROM hardship_hardshipfile")
        file_rows = cursor.fetchall()
    raw = " ".join(str(value) for row in rows + file_rows for value in row)
    assert INCOME not in raw and "31415" not in raw and HEALTH not in raw
    assert "家人患病" not in raw and "6000" not in raw
    assert HouseholdMember.objects.filter(file=v.active).first().annual_income is not None  # type: ignore[union-attr]


# -- a new file and its edits ------------------------------------------------------------------------------


def test_new_file_on_behalf(v: SimpleNamespace) -> None:
    newcomer = v.make_person(unit=v.tree.a1, name="新申请人")
    client = _client(v.handler)
    url = reverse("hardship:file_new")
    assert client.get(url).status_code == 200
    html = client.get(url + f"?staff_no={newcomer.staff_no}").content.decode()
    assert "新申请人" in html and 'name="cause"' in html
    html = client.get(url + f"?staff_no={v.file_b.person.staff_no}").content.decode()
    assert "No member of your units" in html
    html = client.get(url + f"?staff_no={v.person.staff_no}").content.decode()
    assert "already has a current hardship file" in html
    response = client.post(
        url,
        {
            "staff_no": newcomer.staff_no,
            "cause": "illness",
            "housing": "owned",
            "city": factories.CITY,
            "year": timezone.localdate().year,
            "medical_expense": "1200",
        },
    )
    file = HardshipFile.objects.get(person=newcomer)
    assert response.status_code == 302 and response["Location"] == _detail(file)
    assert file.on_behalf and file.status == Status.DRAFT and file.created_by == v.handler


def test_household_pages_and_submit_on_behalf(v: SimpleNamespace) -> None:
    newcomer = v.make_person(unit=v.tree.a1, name="新申请人")
    client = _client(v.handler)
    from smartunion.hardship.services import files as services

    file = services.file_create(
        actor=v.handler,
        person=newcomer,
        city=factories.CITY,
        year=timezone.localdate().year,
        cause="illness",
        housing="rented",
        on_behalf=True,
    )
    add = reverse("hardship:file_household_add", args=[file.pk])
    assert client.get(add).status_code == 200
    response = client.post(
        add,
        {
            "relation": "self",
            "name": "新申请人",
            "birth_year": 1975,
            "occupation": "employed",
            "annual_income": "20000",
        },
    )
    assert response.status_code == 302
    response = client.post(
        add,
        {
            "relation": "child",
            "name": "小孩",
            "birth_year": timezone.localdate().year - 5,
            "occupation": "preschool",
            "annual_income": "0",
        },
    )
    assert response.status_code == 302
    child = file.household.get(relation="child")
    edit = reverse("hardship:file_household_edit", args=[child.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "relation": "child",
            "name": "小孩",
            "birth_year": 1899,
            "occupation": "preschool",
            "annual_income": "0",
        },
    )
    assert response.status_code == 200  # re-rendered with the error
    submit = reverse("hardship:file_submit", args=[file.pk])
    response = client.post(submit, {})
    assert response.status_code == 400 and "paper consent" in response.content.decode()
    response = client.post(submit, {"paper_consent": "on"})
    assert response.status_code == 400 and "guardian" in response.content.decode()
    file.refresh_from_db()
    assert file.status == Status.DRAFT
    response = client.post(submit, {"paper_consent": "on", "guardian_consent": "on"})
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.status == Status.APPLIED and file.number
    assert file.consent is not None and file.consent.method == Consent.Method.PAPER
    # removing a member (with confirmation on the page) recomputes
    response = client.post(reverse("hardship:file_household_remove", args=[child.pk]))
    assert response.status_code == 302 and file.household.count() == 1


def test_detail_draft_shows_the_consent_notice(v: SimpleNamespace) -> None:
    draft = factories.make_file(person=v.make_person(unit=v.tree.a1), actor=v.staff, status=Status.DRAFT)
    html = _client(v.handler).get(_detail(draft)).content.decode()
    assert 'id="submit-form"' in html and "敏感个人信息" in html


def test_edit_active_file_needs_a_reason(v: SimpleNamespace) -> None:
    url = reverse("hardship:file_edit", args=[v.active.pk])
    client = _client(v.handler)
    assert client.get(url).status_code == 200
    data = {
        "cause": "illness",
        "housing": "rented",
        "city": factories.CITY,
        "year": v.active.year,
        "medical_expense": "9000",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(url, {**data, "reason": "新增住院费用"})
    assert response.status_code == 302
    v.active.refresh_from_db()
    assert str(v.active.medical_expense) == "9000.00"
    reasons = [c.reason for c in v.active.category_changes.filter(source="circumstances")]
    assert reasons == ["新增住院费用"]
    # the union chair (no files.manage) cannot edit
    assert _client(v.chair).get(url).status_code == 403


# -- the procedure through the pages ------------------------------------------------------------------------


def test_visit_review_objection_and_approval_pages(v: SimpleNamespace) -> None:
    applied = factories.make_file(
        person=v.make_person(unit=v.tree.a1, name="走访对象"), actor=v.staff, status=Status.APPLIED
    )
    handler = _client(v.handler)
    response = handler.post(
        reverse("hardship:file_visit", args=[applied.pk]),
        {"visited_on": timezone.localdate().isoformat(), "visitors": "张三", "findings": "见"},
    )
    assert response.status_code == 400 and "at least two people" in response.content.decode()
    response = handler.post(
        reverse("hardship:file_visit", args=[applied.pk]),
        {
            "visited_on": timezone.localdate().isoformat(),
            "visitors": "张三、李四",
            "findings": "属实",
            "figures_confirmed": "on",
        },
    )
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == Status.VISITED
    reviewer = _client(v.reviewer)
    response = reviewer.post(reverse("hardship:file_unit_review", args=[applied.pk]), {"decision": "approve"})
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == Status.NOTICE
    response = reviewer.post(
        reverse("hardship:file_objection_raise", args=[applied.pk]), {"text": "收入不实"}
    )
    assert response.status_code == 302
    objection = Objection.objects.get(file=applied)
    HardshipFile.objects.filter(pk=applied.pk).update(
        notice_ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    approver = _client(v.approver)
    response = approver.post(reverse("hardship:file_approve", args=[applied.pk]))
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == Status.NOTICE  # the objection is not resolved
    html = approver.get(_detail(applied)).content.decode()
    assert "An objection is not resolved yet." in html
    response = reviewer.post(
        reverse("hardship:file_objection_resolve", args=[objection.pk]),
        {"upheld": "no", "resolution": "经核实不属实"},
    )
    assert response.status_code == 302
    response = approver.post(reverse("hardship:file_approve", args=[applied.pk]))
    applied.refresh_from_db()
    assert applied.status == Status.ACTIVE and applied.approved_by == v.approver


def test_reject_override_and_withdraw_pages(v: SimpleNamespace) -> None:
    notice = factories.make_file(person=v.make_person(unit=v.tree.a1), actor=v.staff, status=Status.NOTICE)
    approver = _client(v.approver)
    response = approver.post(reverse("hardship:file_reject", args=[notice.pk]), {"reason": ""})
    assert response.status_code == 400
    response = approver.post(reverse("hardship:file_reject", args=[notice.pk]), {"reason": "不符合条件"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Status.REJECTED
    response = approver.post(
        reverse("hardship:file_override", args=[v.active.pk]), {"category": "accident", "reason": "突发事故"}
    )
    assert response.status_code == 302
    v.active.refresh_from_db()
    assert v.active.category == Category.ACCIDENT
    draft = factories.make_file(person=v.make_person(unit=v.tree.a1), actor=v.staff, status=Status.DRAFT)
    response = _client(v.handler).post(
        reverse("hardship:file_withdraw", args=[draft.pk]), {"reason": "本人放弃"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    # the sub-union chair does not approve
    assert _client(v.handler).post(reverse("hardship:file_approve", args=[v.active.pk])).status_code == 403


def test_timeline_and_history_on_the_page(v: SimpleNamespace) -> None:
    from smartunion.hardship.services import files as services

    services.category_override(actor=v.approver, file=v.active, category="accident", reason="车祸损失")
    html = _client(v.handler).get(_detail(v.active)).content.decode()
    assert "车祸损失" in html and "Set by an officer" in html
    html = _client(v.chair).get(_detail(v.active)).content.decode()
    assert "Set by an officer" in html and "车祸损失" not in html


# -- reviewer's findings: logged edit forms, decisions at the top, one's own file ------------------------


def _views(user: Any, what: str) -> int:
    return AuditEntry.objects.filter(action="hardship.file.viewed", actor=user, changes__what=what).count()


def test_the_edit_forms_are_logged_sensitive_views(v: SimpleNamespace) -> None:
    client = _client(v.handler)
    edit = reverse("hardship:file_edit", args=[v.active.pk])
    page = client.get(edit)
    assert page.status_code == 200 and "测试：家人患病住院" in page.content.decode()
    assert _views(v.handler, "figures form") == 1
    # A refused POST re-renders the figures: logged too.
    refused = client.post(edit, {"cause": "illness", "housing": "rented", "city": "", "year": v.active.year})
    assert refused.status_code == 200 and _views(v.handler, "figures form") == 2
    member = v.active.household.get(relation=HouseholdMember.Relation.SELF)
    household_edit = reverse("hardship:file_household_edit", args=[member.pk])
    page = client.get(household_edit)
    assert page.status_code == 200 and INCOME in page.content.decode()
    assert _views(v.handler, "household member") == 1
    refused = client.post(household_edit, {"relation": "self", "name": "", "birth_year": "1980"})
    assert refused.status_code == 200 and _views(v.handler, "household member") == 2
    add = reverse("hardship:file_household_add", args=[v.active.pk])
    assert client.get(add).status_code == 200 and _views(v.handler, "household form") == 0
    refused = client.post(add, {"relation": "other", "name": "亲属", "annual_income": "1", "health": HEALTH})
    assert refused.status_code == 200 and _views(v.handler, "household form") == 1
    entries = AuditEntry.objects.filter(action="hardship.file.viewed", actor=v.handler)
    assert all(entry.sensitive and entry.target_id == str(v.active.pk) for entry in entries)


def test_school_decisions_are_refused_below_the_top(v: SimpleNamespace) -> None:
    # v.chair is the union chair's role held at a sub-union: files.approve covers the file, not the school.
    notice = factories.make_file(person=v.make_person(unit=v.tree.a1), actor=v.staff, status=Status.NOTICE)
    HardshipFile.objects.filter(pk=notice.pk).update(
        notice_ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    client = _client(v.chair)
    html = client.get(_detail(notice)).content.decode()
    assert 'id="approve-form"' not in html and 'id="override-form"' not in html
    assert client.post(reverse("hardship:file_approve", args=[notice.pk])).status_code == 403
    assert client.post(reverse("hardship:file_reject", args=[notice.pk]), {"reason": "x"}).status_code == 403
    response = client.post(
        reverse("hardship:file_override", args=[notice.pk]), {"category": "accident", "reason": "x"}
    )
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == Status.NOTICE and notice.category_override == ""
    html = _client(v.approver).get(_detail(notice)).content.decode()
    assert 'id="approve-form"' in html and 'id="override-form"' in html


def test_an_officers_own_file_page_offers_no_visit_nor_edit(v: SimpleNamespace, make_user: Any) -> None:
    officer = make_user("subunion_chair", v.tree.a, name="主席本人")
    person = v.make_person(unit=v.tree.a1, staff_no=officer.staff_no, name="主席本人", user=officer)
    own = factories.make_file(person=person, actor=v.staff, status=Status.APPLIED)
    client = _client(officer)
    html = client.get(_detail(own)).content.decode()
    assert 'id="own-file"' in html
    assert 'id="visit-form"' not in html and 'id="edit-link"' not in html
    response = client.post(
        reverse("hardship:file_visit", args=[own.pk]),
        {
            "visited_on": timezone.localdate().isoformat(),
            "visitors": "张三、李四",
            "findings": "属实",
            "figures_confirmed": "on",
        },
    )
    assert response.status_code == 400
    assert "Another officer records this for your own file." in response.content.decode()
    own.refresh_from_db()
    assert own.status == Status.APPLIED
    html = _client(v.handler).get(_detail(own)).content.decode()
    assert 'id="own-file"' not in html and 'id="visit-form"' in html and 'id="edit-link"' in html
