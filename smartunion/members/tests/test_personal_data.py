"""个人信息查阅复制 (PIPL art. 45): 我的 → 个人信息 lists what the union holds about the member and downloads
it as one workbook (one sheet per section): the member's own data in full, nobody else's, each download
audit-logged."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from smartunion.core import personal_data
from smartunion.core.models import AuditEntry
from smartunion.core.personal_data import Section
from smartunion.members.personal_data import members_sections
from smartunion.members.services import family

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """The assertions quote the English titles."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


ID_NUMBER = "11010519491231002X"
OTHER_ID = "110105194912310021"


@pytest.fixture
def member(make_user: Any, make_person: Any, tree: Any) -> Any:
    user = make_user("member", tree.a, name="周敏")
    person = make_person(
        unit=tree.a, staff_no=user.staff_no, name="周敏", user=user, id_number=ID_NUMBER, mobile="13912345678"
    )
    family.family_add(
        actor=user, person=person, relation="spouse", name="吴刚", sex="M", birth_date=dt.date(1984, 3, 2)
    )
    return person


@pytest.fixture
def stranger(make_user: Any, make_person: Any, tree: Any) -> Any:
    user = make_user("member", tree.a, name="郑某")
    person = make_person(
        unit=tree.a, staff_no=user.staff_no, name="郑某", user=user, id_number=OTHER_ID, mobile="13800000000"
    )
    family.family_add(
        actor=user, person=person, relation="child", name="郑小某", sex="F", birth_date=dt.date(2001, 1, 1)
    )
    return person


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def test_members_sections_hold_the_full_id_and_mobile(member: Any) -> None:
    sections = {str(section.title): section for section in members_sections(member, member.user)}
    assert {"Personal record", "Membership", "Membership history", "Family members", "Dues"} <= set(sections)
    record = dict(sections["Personal record"].rows)
    assert record["ID number"] == ID_NUMBER and record["Mobile number"] == "13912345678"
    assert [row[1] for row in sections["Family members"].rows] == ["吴刚"]


def test_page_lists_sections_with_counts(member: Any, stranger: Any) -> None:
    response = _client(member).get(reverse("members:my_data"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Personal record" in body and "Family members" in body and "Festival benefits" in body
    assert "1 record" in body and "nothing held" in body
    assert "Welfare and care" in body and "Hardship assistance" in body  # grouped by the app holding them
    assert reverse("members:my_data_download") in body
    assert ID_NUMBER not in body  # the page shows titles and counts; the values are in the download


def test_download_is_the_members_own_data_and_logged(member: Any, stranger: Any) -> None:
    response = _client(member).get(reverse("members:my_data_download"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    titles = [sheet.title for sheet in workbook.worksheets]
    assert "Personal record" in titles and "Family members" in titles and "Hardship files" in titles
    text = "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert ID_NUMBER in text and "13912345678" in text and "吴刚" in text
    assert OTHER_ID not in text and "13800000000" not in text and "郑小某" not in text
    entries = AuditEntry.objects.filter(action="members.personal_data.downloaded")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == member.user and entry.target_id == str(member.pk) and entry.sensitive
    assert ID_NUMBER not in str(entry.changes)


def test_an_account_without_a_staff_record_gets_no_data(make_user: Any, tree: Any) -> None:
    client = Client()
    client.force_login(make_user("member", tree.a))
    assert client.get(reverse("members:my_data")).status_code == 200
    response = client.get(reverse("members:my_data_download"))
    assert response.status_code == 200 and "attachment" not in response.get("Content-Disposition", "")
    assert not AuditEntry.objects.filter(action="members.personal_data.downloaded").exists()


def test_anonymous_is_sent_to_log_in() -> None:
    for name in ("members:my_data", "members:my_data_download"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


def test_me_page_links_to_my_data(member: Any) -> None:
    body = _client(member).get(reverse("dashboards:portal_me")).content.decode()
    assert reverse("members:my_data") in body


def test_registry_sheet_names_are_valid_and_unique() -> None:
    sections = [
        Section("A/B: [x]*?", ["h"], [["1"]]),
        Section("A/B: [x]*?", ["h"], [["=cmd()"]]),
        Section("x" * 40, ["h"], []),
    ]
    handle = io.BytesIO()
    assert personal_data.write_sections(handle, sections, title="T") == 3
    workbook = load_workbook(io.BytesIO(handle.getvalue()))
    titles = workbook.sheetnames
    assert len(set(titles)) == 3 and all(len(title) <= 31 for title in titles)
    cell = workbook.worksheets[1]["A3"]
    assert cell.value == "=cmd()" and cell.data_type == "s"  # data never becomes a live formula
