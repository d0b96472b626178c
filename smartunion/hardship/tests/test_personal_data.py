"""个人信息查阅复制: the hardship part of the member's download — their own files, household, figures,
category history, documents (names), consents with the notice text, applications — never anyone else's,
and never the text of an objection (a third party's words)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from smartunion.core import crypto
from smartunion.core.models import AuditEntry
from smartunion.core.personal_data import sections_for
from smartunion.hardship.models import Document, HardshipFile, Objection
from smartunion.hardship.selectors.personal_data import hardship_sections

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="帮扶经办")


@pytest.fixture
def member(make_user: Any, make_person: Any, tree: Any) -> Any:
    user = make_user("member", tree.a, name="孙丽")
    return make_person(unit=tree.a, staff_no=user.staff_no, name="孙丽", user=user)


@pytest.fixture
def own_file(member: Any, officer: Any) -> HardshipFile:
    file = factories.make_file(
        person=member,
        actor=officer,
        status=HardshipFile.Status.NOTICE,
        incomes=("31415", "0", "0"),
        medical="27182",
    )
    Document.objects.create(
        file=file,
        kind=Document.Kind.MEDICAL,
        filename="诊断证明.pdf",
        content_type="application/pdf",
        size=10,
        content=crypto.encrypt_bytes(b"%PDF-1.4 x"),
        uploaded_by=officer,
    )
    Objection.objects.create(file=file, text="举报人的原话：隐瞒收入", raised_by=officer)
    return file


@pytest.fixture
def other_file(make_person: Any, officer: Any, tree: Any) -> HardshipFile:
    return factories.make_file(
        person=make_person(unit=tree.a, name="别人"),
        actor=officer,
        incomes=("99991", "0", "0"),
        medical="88881",
    )


def _workbook_text(content: bytes) -> dict[str, str]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {
        sheet.title: "\n".join(
            " | ".join("" if value is None else str(value) for value in row)
            for row in sheet.iter_rows(values_only=True)
        )
        for sheet in workbook.worksheets
    }


def test_sections_hold_the_members_own_hardship_data(
    own_file: HardshipFile, other_file: HardshipFile, member: Any, officer: Any
) -> None:
    programme = factories.make_programme(code="temp", name="临时补助")
    factories.make_application(
        person=member, actor=officer, programme=programme, status="paid", amount="2000"
    )
    sections = {str(section.title): section for section in hardship_sections(member, member.user)}
    assert {
        "Hardship files",
        "Household",
        "Category history",
        "Home visits",
        "Objections during the notice",
        "Annual reviews",
        "Help plan",
        "Assistance applications",
        "Supporting documents",
        "Consents to process sensitive information",
    } <= set(sections)
    assert sections["Hardship files"].count == 1
    assert sections["Household"].count == 3
    assert sections["Objections during the notice"].count == 1
    assert sections["Supporting documents"].rows[0][2] == "诊断证明.pdf"
    # Where the member opens it: their own document in the portal.
    document = Document.objects.get(file=own_file)
    assert sections["Supporting documents"].rows[0][5] == reverse(
        "hardship:portal_document", args=[document.pk]
    )
    assert "portal" in str(sections["Supporting documents"].note)
    assert sections["Assistance applications"].count == 1
    assert (
        sections["Consents to process sensitive information"].count == 2
    )  # the file's and the application's
    everything = repr([section.rows for section in sections.values()])
    assert "31415" in everything and "27182" in everything
    assert "99991" not in everything and "88881" not in everything and "别人" not in everything
    assert "隐瞒收入" not in everything  # the objection's text is a third party's
    assert officer.name not in everything


def test_download_holds_own_figures_only_and_is_logged(
    own_file: HardshipFile, other_file: HardshipFile, member: Any
) -> None:
    client = Client()
    client.force_login(member.user)
    page = client.get(reverse("members:my_data"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hardship files" in body and "Household" in body and "Membership" in body
    assert not AuditEntry.objects.filter(action="members.personal_data.downloaded").exists()

    response = client.get(reverse("members:my_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    sheets = _workbook_text(content)
    assert "Hardship files" in sheets and "Household" in sheets and "Personal record" in sheets
    text = "\n".join(sheets.values())
    assert "31415" in text and "27182" in text and "诊断证明.pdf" in text
    assert "测试告知" in text  # the consent's notice, word for word
    assert "99991" not in text and "88881" not in text and "别人" not in text
    assert "隐瞒收入" not in text

    entry = AuditEntry.objects.get(action="members.personal_data.downloaded")
    assert entry.actor == member.user and entry.target_id == str(member.pk)
    assert "31415" not in str(entry.changes)


def test_all_registered_sources_answer(member: Any) -> None:
    titles = [str(section.title) for section in sections_for(member, member.user)]
    assert "Personal record" in titles and "Hardship files" in titles and "Care events (五必访)" in titles
