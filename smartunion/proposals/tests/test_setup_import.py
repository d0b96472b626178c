"""The Excel import of representatives through the core import framework: started from a term's page (the
term filled in where the file names none), previewed with a message per row (unknown 工号, a name that is
not the roster's, a second leader, an observer as leader, an unknown term), applied in one transaction
(delegations created, representatives added, updated and reinstated), idempotent on a second run."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from smartunion.core.models import ImportJob, ImportRow
from smartunion.proposals.imports import parse_term, with_term_column
from smartunion.proposals.models import Delegation, Representative

from . import factories

pytestmark = pytest.mark.django_db
HEADER = ["工号", "姓名", "代表团", "代表类别", "团长"]


@pytest.fixture
def office(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="工会办公室")


def workbook(rows: list[list[Any]], header: list[str] = HEADER, title: str = "第五届教代会代表名单") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(
    client: Client, congress: Any, data: bytes, capture: Any, name: str = "代表名单.xlsx"
) -> tuple[Any, Any]:
    before = set(ImportJob.objects.values_list("pk", flat=True))
    with capture(execute=True):
        response = client.post(
            reverse("proposals:representative_import", args=[congress.pk]),
            {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")},
        )
    job = ImportJob.objects.exclude(pk__in=before).first()
    return response, job


def apply(client: Client, job: ImportJob, capture: Any) -> Any:
    with capture(execute=True):
        response = client.post(reverse("core:import_apply", args=[job.pk]), follow=True)
    job.refresh_from_db()
    return response


def row_messages(job: ImportJob) -> dict[int, str]:
    return {row.row_number: " ".join(row.messages) for row in ImportRow.objects.filter(job=job)}


def test_parse_term() -> None:
    assert parse_term(5) == 5
    assert parse_term("第5届") == 5
    assert parse_term("第五届") == 5
    assert parse_term("第十二届教职工代表大会") == 12
    assert parse_term("二十") == 20
    with pytest.raises(Exception, match="not a term number"):
        parse_term("本届")


def test_with_term_column_adds_the_term_only_when_missing(congress: SimpleNamespace) -> None:
    data = workbook([["A1", "张三", "机械学院代表团", "正式", "否"]])
    filled = openpyxl.load_workbook(io.BytesIO(with_term_column(data, congress.congress))).active
    assert [cell.value for cell in filled[2]][-1] == "届次"
    assert [cell.value for cell in filled[3]][-1] == 5
    named = workbook([["A1", "张三", "机械学院代表团", "正式", "否", 6]], header=[*HEADER, "届次"])
    assert with_term_column(named, congress.congress) == named


def test_import_page(congress: SimpleNamespace, office: Any) -> None:
    client = Client()
    client.force_login(office)
    page = client.get(reverse("proposals:representative_import", args=[congress.congress.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert (
        "工号" in body
        and "代表团" in body
        and reverse("core:import_template", args=["proposals.representatives"]) in body
    )
    bad = client.post(
        reverse("proposals:representative_import", args=[congress.congress.pk]),
        {"file": SimpleUploadedFile("名单.xls", b"old", content_type="application/vnd.ms-excel")},
    )
    assert "Excel 97-2003" in bad.content.decode()
    assert not ImportJob.objects.exists()


def test_preview_then_apply(
    congress: SimpleNamespace, office: Any, tree: Any, django_capture_on_commit_callbacks: Any
) -> None:
    newcomer = factories.make_person_with_user(tree.b, name="新代表")
    observer_new = factories.make_person_with_user(tree.b, name="新列席")
    left = factories.make_person_with_user(tree.a, name="已离校")
    left.is_active = False
    left.save(update_fields=["is_active"])
    ended = congress.rep4
    ended.is_active = False
    ended.save(update_fields=["is_active"])
    client = Client()
    client.force_login(office)
    data = workbook(
        [
            [newcomer.staff_no, "新代表", "图书馆代表团", "正式代表", "是"],  # 3: new delegation, its leader
            [observer_new.staff_no, "新列席", "外语学院代表团", "列席", ""],  # 4: a new observer
            [congress.rep1.person.staff_no, "代表1", "外语学院代表团", "正式", "否"],  # 5: moves delegation
            [congress.rep2.person.staff_no, "代表2", "机械学院代表团", "", ""],  # 6: unchanged
            [ended.person.staff_no, "代表4", "外语学院代表团", "正式", "否"],  # 7: reinstated
            ["NOBODY9", "无名", "机械学院代表团", "正式", "否"],  # 8: unknown number
            [congress.rep3.person.staff_no, "张冠李戴", "外语学院代表团", "正式", "否"],  # 9: wrong name
            [left.staff_no, "已离校", "机械学院代表团", "正式", "否"],  # 10: left the staff
            [
                congress.outsider.staff_no,
                "普通会员",
                "机械学院代表团",
                "列席",
                "是",
            ],  # 11: observer as leader
        ]
    )
    response, job = upload(client, congress.congress, data, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:import_detail", args=[job.pk]
    )
    assert job.kind == "proposals.representatives"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED, job.error
    messages = row_messages(job)
    assert "no staff member has the number NOBODY9" in messages[8]
    assert "is 代表3 in the roster, not 张冠李戴" in messages[9]
    assert "has left the staff" in messages[10]
    assert "only a full representative" in messages[11]
    assert job.counts["create"] == 2 and job.counts["update"] == 2 and job.counts["unchanged"] == 1
    assert job.counts["error"] == 4
    notes = {row.row_number: row.notes for row in ImportRow.objects.filter(job=job)}
    assert any("creates the delegation 图书馆代表团" in note for note in notes[3])
    assert any("reinstates 代表4" in note for note in notes[7])
    detail = client.get(response["Location"]).content.decode()
    assert "NOBODY9" in detail
    assert not Representative.objects.filter(person=newcomer).exists()  # the preview writes nothing

    apply(client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.APPLIED, job.error
    library = Delegation.objects.get(congress=congress.congress, name="图书馆代表团")
    rep = Representative.objects.get(person=newcomer)
    assert rep.delegation == library and rep.is_delegation_leader and rep.kind == "full"
    assert Representative.objects.get(person=observer_new).kind == "observer"
    congress.rep1.refresh_from_db()
    assert congress.rep1.delegation == congress.delegations[1]
    ended.refresh_from_db()
    assert ended.is_active
    assert not Representative.objects.filter(person=congress.outsider).exists()

    # The same file again: nothing to write.
    _response, again = upload(client, congress.congress, data, django_capture_on_commit_callbacks)
    again.refresh_from_db()
    assert again.counts["create"] == 0 and again.counts["update"] == 0


def test_leader_rules_across_the_file(
    congress: SimpleNamespace, office: Any, tree: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from smartunion.proposals.services import congress as services

    services.representative_update(
        actor=office,
        representative=congress.rep1,
        delegation=congress.delegations[0],
        kind="full",
        is_delegation_leader=True,
    )
    client = Client()
    client.force_login(office)
    rep2 = congress.rep2.person
    data = workbook([[rep2.staff_no, "代表2", "机械学院代表团", "正式", "是"]])
    _response, job = upload(client, congress.congress, data, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert "代表1 leads 机械学院代表团 now" in row_messages(job)[3]
    # Handing over in one file (the old leader listed with 团长 否, even below the new one) is fine.
    data = workbook(
        [
            [rep2.staff_no, "代表2", "机械学院代表团", "正式", "是"],
            [congress.rep1.person.staff_no, "代表1", "机械学院代表团", "正式", "否"],
        ]
    )
    _response, job = upload(client, congress.congress, data, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.counts["error"] == 0, row_messages(job)
    apply(client, job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.APPLIED, job.error
    congress.rep1.refresh_from_db()
    congress.rep2.refresh_from_db()
    assert congress.rep2.is_delegation_leader and not congress.rep1.is_delegation_leader
    # Two leaders of one delegation in one file: the second is rejected.
    third = congress.rep3.person
    fourth = congress.rep4.person
    data = workbook(
        [
            [third.staff_no, "代表3", "外语学院代表团", "正式", "是"],
            [fourth.staff_no, "代表4", "外语学院代表团", "正式", "是"],
        ]
    )
    _response, job = upload(client, congress.congress, data, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert "row 3 already names the leader" in row_messages(job)[4]


def test_a_term_column_names_the_term(
    congress: SimpleNamespace, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(office)
    data = workbook(
        [[congress.rep1.person.staff_no, "代表1", "机械学院代表团", "正式", "否", "第九届"]],
        header=[*HEADER, "届次"],
    )
    _response, job = upload(client, congress.congress, data, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert "there is no congress term 9" in row_messages(job)[3]


def test_findings_list_serving_representatives_not_in_the_file(
    congress: SimpleNamespace, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(office)
    data = workbook([[congress.rep1.person.staff_no, "代表1", "机械学院代表团", "正式", "否"]])
    _response, job = upload(client, congress.congress, data, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    finding = job.findings[0]
    assert finding["code"] == "not_listed" and finding["total"] == 4
    assert {item["name"] for item in finding["items"]} == {"代表2", "代表3", "代表4", "列席者"}
