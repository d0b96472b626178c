"""The Excel import framework end to end, through the HR roster importer ("members.roster"): a messy
workbook as HR offices send them, uploaded, previewed, confirmed, re-uploaded, and its rejected rows."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook

from smartunion.core import crypto, services
from smartunion.core.excel.importing import get_importer, run_import
from smartunion.core.excel.reader import ImportFileError, check_upload, read_sheet
from smartunion.core.models import AuditEntry, ImportColumnMapping, ImportJob, ImportRow
from smartunion.core.normalise import normalise_id_number
from smartunion.members.models import Person

from .conftest import valid_id, xlsx_rows

KIND = "members.roster"
NEW_URL = reverse("core:import_new", args=[KIND])

ID_ZHANG = valid_id("32068219780601123")  # male, born 1978-06-01
ID_LI_15 = "320682850312123"  # a 15-digit legacy number: male, born 1985-03-12
ID_LI_18 = normalise_id_number(ID_LI_15).number
_zhao = valid_id("32068219800202456")
ID_ZHAO_BAD = _zhao[:-1] + ("1" if _zhao[-1] != "1" else "2")  # wrong check digit
ID_QIAN = valid_id("32060219900101002")  # female, born 1990-01-01
HIRE_SERIAL = 40422  # an Excel date serial as a plain number
HIRE_SERIAL_DATE = dt.date(1899, 12, 30) + dt.timedelta(days=HIRE_SERIAL)

HEADER = ["序号", "人员编号", "姓名", "身份证号码", "出生日期", "手机号码", "人员类别", "所在单位", "参加工作时间",
          "岗位工资", "籍贯", "性别"]  # fmt: skip


def messy_workbook(*, unit_header: str = "所在单位") -> bytes:
    """Row 1 a merged title, row 2 a note, row 3 the header (synonyms, an unrelated 籍贯 column), the unit
    merged over rows 4–6, blank rows 8 and 13, full-width digits and odd spaces, a bad check digit (D7),
    a 15-digit ID, a serial and a 年月日 date, duplicates (9/10 identical, 11/12 conflicting), an unknown
    unit (H14), a 合计 row and a merged note row at the bottom."""
    wb = Workbook()
    ws = wb.active
    ws.title = "教职工"
    ws["A1"] = "江海大学2026年教职工名册"
    ws.merge_cells("A1:L1")
    ws["A2"] = "填表说明：带*为必填项，身份证号请设为文本格式。"
    ws.append([])  # (append writes after the last used row; row 3 is written explicitly below)
    for col, text in enumerate([*HEADER[:7], unit_header, *HEADER[8:]], start=1):
        ws.cell(row=3, column=col, value=text)
    rows = {
        4: [1, "１０００１", "张\u3000三", ID_ZHANG, None, "138\u00a01234\u00a05678", "在编", "机械工程学院",
            HIRE_SERIAL, "2,800.00", "江苏南通", "男"],
        5: [2, "10002", "李四", ID_LI_15, "1985年3月12日", None, "人事代理", None, "2008.09.01", "３，８５０",
            "江苏扬州", "男"],
        6: [3, "10003 ", "王五", None, "1985年3月12日", None, "合同制", None, None, None, "山东", "女"],
        7: [4, "10004", "赵六", ID_ZHAO_BAD, None, None, "在编", "机械学院", None, None, "安徽", "男"],
        9: [5, "10005", "钱七", ID_QIAN, None, "13900001111", "在编", "外国语学院\u00a0", None, None, "江苏", "女"],
        10: [6, "10005", "钱七", ID_QIAN, None, "13900001111", "在编", "外国语学院", None, None, "江苏", "女"],
        11: [7, "10006", "孙八", None, None, "13700001111", "在编", "外国语学院", None, None, "浙江", "男"],
        12: [8, "10006", "孙八", None, None, "13700002222", "在编", "外国语学院", None, None, "浙江", "男"],
        14: [9, "10007", "周九", None, None, None, "在编", "不存在学院", None, None, "河南", "男"],
        15: ["合计", None, None, None, None, None, None, None, None, 6650, None, None],
    }  # fmt: skip
    for number, cells in rows.items():
        for col, value in enumerate(cells, start=1):
            if value is not None:
                ws.cell(row=number, column=col, value=value)
    ws.merge_cells("H4:H6")
    ws["A16"] = "注：本表数据由人事处提供，截至2026年3月。"
    ws.merge_cells("A16:L16")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name: str, capture, language: str = "zh-hans"):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # the language switch's choice
    try:
        with capture(execute=True):
            return client.post(NEW_URL, {"file": file})
    finally:
        del client.cookies[settings.LANGUAGE_COOKIE_NAME]


@pytest.fixture
def staff(client, tree, make_user):
    user = make_user("union_staff", tree.root, name="校工会干事")
    client.force_login(user)
    return user


@pytest.fixture
def send(client, staff, django_capture_on_commit_callbacks):
    """send(data, name) → (response, job or None): an upload through the view with its preview run."""

    def do(data: bytes, name: str = "教职工名册.xlsx", language: str = "zh-hans"):
        """(The preview task runs in the language the request left active, as a worker runs in its own.)"""
        before = set(ImportJob.objects.values_list("pk", flat=True))
        response = upload(client, data, name, django_capture_on_commit_callbacks, language)
        created = ImportJob.objects.exclude(pk__in=before)
        return response, created.get() if created.exists() else None

    return do


@pytest.fixture
def apply(client, django_capture_on_commit_callbacks):
    def do(job: ImportJob):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("core:import_apply", args=[job.pk]), follow=True)
        job.refresh_from_db()
        return response

    return do


def errors_shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


def rows_of(job: ImportJob) -> dict[int, ImportRow]:
    return {row.row_number: row for row in job.rows.all()}


# -- upload and preview ---------------------------------------------------------------------------


def test_messy_workbook_preview(client, send):
    response, job = send(messy_workbook())
    assert response.status_code == 302
    assert response["Location"] == reverse("core:import_detail", args=[job.pk])
    assert job.status == ImportJob.Status.PREVIEWED, job.error
    assert job.sheet_name == "教职工" and job.header_row == 3
    assert job.created_by.name == "校工会干事"
    fields = {col["header"]: col["field"] for col in job.columns.values()}
    assert fields["人员编号"] == "staff_no"
    assert fields["身份证号码"] == "id_number"
    assert fields["参加工作时间"] == "hire_date"
    assert fields["籍贯"] == "" and fields["序号"] == ""  # unrelated columns are ignored

    rows = rows_of(job)
    assert sorted(rows) == [4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16]  # blank rows 8 and 13 are not rows
    status = {number: (row.status, row.action) for number, row in rows.items()}
    assert status == {
        4: ("ok", "create"),
        5: ("warning", "create"),  # the 15-digit ID number was converted: say so
        6: ("ok", "create"),
        7: ("error", ""),
        9: ("ok", "create"),
        10: ("warning", "skip"),
        11: ("error", ""),
        12: ("error", ""),
        14: ("error", ""),
        15: ("skipped", ""),
        16: ("skipped", ""),
    }
    assert job.counts == {
        "total": 9,
        "ok": 3,
        "warning": 2,
        "error": 4,
        "skipped": 2,
        "create": 4,
        "update": 0,
        "unchanged": 0,
        "skip": 1,
        "classifications": {"new": 4, "moved": 0, "retired": 0, "changed": 0, "unchanged": 0},
    }
    assert {n: r.classification for n, r in rows.items() if r.classification} == {
        4: "new",
        5: "new",
        6: "new",
        9: "new",
    }

    # Cleaned values: full-width digits, U+3000 and U+00A0, merged unit, serial and 年月日 dates.
    zhang = rows[4].values
    assert zhang["staff_no"] == "10001" and zhang["name"] == "张三"
    assert zhang["unit"] == "机械工程学院"
    assert zhang["hire_date"] == HIRE_SERIAL_DATE.isoformat()
    assert zhang["post_salary"] == "2800.00"
    assert zhang["mobile"] == "138****5678"  # sensitive values are stored masked in the preview
    assert zhang["id_number"] == ID_ZHANG[:4] + "*" * 10 + ID_ZHANG[-4:]
    li = rows[5].values
    assert li["unit"] == "机械工程学院"  # from the merged cell
    assert li["id_number"] == ID_LI_18[:4] + "*" * 10 + ID_LI_18[-4:]  # upgraded to 18 characters
    assert li["birth_date"] == "1985-03-12" and li["hire_date"] == "2008-09-01"
    assert li["post_salary"] == "3850.00"
    assert rows[6].values["unit"] == "机械工程学院" and rows[6].values["staff_no"] == "10003"
    assert rows[9].values["unit"] == "外国语学院"
    for row in rows.values():
        assert ID_ZHANG not in json.dumps(row.values) and ID_QIAN not in json.dumps(row.values)

    # Messages name the cell to fix.
    assert len(rows[7].messages) == 1 and rows[7].messages[0].startswith("D7 ")
    assert ID_ZHAO_BAD not in rows[7].messages[0]  # quoted masked: messages are stored in the clear
    assert ID_ZHAO_BAD[:4] + "*" * 10 + ID_ZHAO_BAD[-4:] in rows[7].messages[0]
    with translation.override("zh-hans"):  # the language the preview ran in
        assert rows[10].messages[0].startswith(gettext("Row %(row)d") % {"row": 10})
        assert gettext("the same as row %(row)d; imported once.") % {"row": 9} in rows[10].messages[0]
    assert rows[11].messages[0].startswith("B11 ") and rows[12].messages[0].startswith("B12 ")
    assert "10006" in rows[11].messages[0] and "11、12" in rows[11].messages[0]
    assert rows[14].messages[0].startswith("H14 ") and "不存在学院" in rows[14].messages[0]
    # Only rejected rows keep their original cells (encrypted), for the rejected-rows file.
    assert json.loads(rows[7].raw)[1] == "10004" and rows[4].raw == ""

    assert Person.objects.count() == 0  # nothing is written before confirming
    assert AuditEntry.objects.filter(action="members.person.created").count() == 0
    uploaded = AuditEntry.objects.get(action="core.import.uploaded")
    assert uploaded.target_id == str(job.pk) and uploaded.actor == job.created_by


def test_preview_page_shows_rows_messages_and_filters(client, send):
    _response, job = send(messy_workbook())
    url = reverse("core:import_detail", args=[job.pk])
    html = client.get(url).content.decode()
    assert "D7 " in html and "H14 " in html
    assert reverse("core:import_apply", args=[job.pk]) in html  # can be confirmed
    assert reverse("core:import_errors", args=[job.pk]) in html
    assert ID_ZHANG not in html  # masked
    only_errors = client.get(url, {"status": "error"})
    assert [row.row_number for row in only_errors.context["page"].object_list] == [7, 11, 12, 14]
    assert "D7 " in only_errors.content.decode()
    assert "张三" not in only_errors.content.decode()
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="import-job"' in partial and "<html" not in partial


def test_confirm_writes_people_audits_and_clears_the_file(client, staff, send, apply):
    _response, job = send(messy_workbook())
    assert job.content
    response = apply(job)
    assert response.status_code == 200
    assert job.status == ImportJob.Status.APPLIED, job.error
    assert job.content is None  # the workbook is gone once applied
    assert job.applied_by == staff and job.applied_at is not None

    people = {p.staff_no: p for p in Person.objects.select_related("unit", "category")}
    assert set(people) == {"10001", "10002", "10003", "10005"}
    zhang = people["10001"]
    assert (zhang.name, zhang.sex, zhang.unit.name, zhang.category.name) == (
        "张三",
        "M",
        "机械工程学院",
        "在编",
    )
    assert zhang.id_number == ID_ZHANG and zhang.birth_date == dt.date(1978, 6, 1)
    assert zhang.mobile == "13812345678"
    assert zhang.hire_date == HIRE_SERIAL_DATE
    assert zhang.post_salary == Decimal("2800.00")
    li = people["10002"]
    assert li.id_number == ID_LI_18 and li.birth_date == dt.date(1985, 3, 12)
    assert li.hire_date == dt.date(2008, 9, 1) and li.post_salary == Decimal("3850.00")
    assert li.category.name == "人事代理" and li.unit.name == "机械工程学院"
    wang = people["10003"]
    assert (wang.sex, wang.birth_date, wang.id_number) == ("F", dt.date(1985, 3, 12), "")
    qian = people["10005"]
    assert qian.unit.name == "外国语学院" and qian.sex == "F"

    created = AuditEntry.objects.filter(action="members.person.created")
    assert created.count() == 4
    assert {entry.actor_id for entry in created} == {staff.pk}
    assert {entry.target_id for entry in created} == {str(p.pk) for p in people.values()}
    assert all(ID_ZHANG not in json.dumps(entry.changes) for entry in created)  # masked in the log too
    applied = AuditEntry.objects.get(action="core.import.applied")
    assert applied.target_id == str(job.pk)
    assert applied.changes["create"] == 4 and applied.changes["error"] == 4

    rows = rows_of(job)
    assert rows[4].action == "create" and rows[7].status == "error"
    html = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert reverse("core:import_apply", args=[job.pk]) not in html


def test_reimporting_the_same_file_changes_nothing(client, send, apply, tmp_path):
    _response, first = send(messy_workbook())
    apply(first)
    people = list(Person.objects.order_by("pk").values())
    person_audits = AuditEntry.objects.filter(action__startswith="members.person").count()

    _response, again = send(messy_workbook(), "教职工名册（再次）.xlsx")
    assert again.status == ImportJob.Status.PREVIEWED
    rows = rows_of(again)
    assert {n: r.action for n, r in rows.items() if r.status in {"ok", "warning"}} == {
        4: "unchanged",
        5: "unchanged",
        6: "unchanged",
        9: "unchanged",
        10: "skip",
    }
    assert all(row.changes == {} for row in rows.values())
    assert again.counts["create"] == 0 and again.counts["update"] == 0 and again.counts["unchanged"] == 4

    response = apply(again)  # there is nothing to import: refused with a message
    assert again.status == ImportJob.Status.PREVIEWED
    assert errors_shown(response)
    # Applying anyway (the command does not ask) writes nothing either.
    path = tmp_path / "again.xlsx"
    path.write_bytes(messy_workbook())
    call_command("members_import_roster", str(path), "--apply", stdout=io.StringIO())

    assert list(Person.objects.order_by("pk").values()) == people
    assert AuditEntry.objects.filter(action__startswith="members.person").count() == person_audits


def test_an_update_is_previewed_with_its_changes_and_applied(client, send, apply):
    _response, first = send(messy_workbook())
    apply(first)
    changed = workbook(
        [
            ["人员编号", "姓名", "性别", "人员类别", "所在单位", "手机"],
            ["10003", "王五", "女", "人事代理", "外国语学院", "13512345678"],
        ]
    )
    _response, job = send(changed, "更新.xlsx")
    row = rows_of(job)[2]
    assert (row.status, row.action) == ("ok", "update")
    assert row.changes == {
        "category": ["合同制", "人事代理"],
        "unit": ["机械工程学院", "外国语学院"],
        "mobile": [None, "135****5678"],
    }
    apply(job)
    wang = Person.objects.get(staff_no="10003")
    assert (wang.category.name, wang.unit.name, wang.mobile) == ("人事代理", "外国语学院", "13512345678")
    assert wang.birth_date == dt.date(1985, 3, 12)  # a blank column does not erase
    assert AuditEntry.objects.filter(action="members.person.updated", target_id=str(wang.pk)).count() == 1


# -- the rejected rows ----------------------------------------------------------------------------


def test_rejected_rows_file_has_the_reason_beside_the_original_cells(client, send, apply):
    _response, job = send(messy_workbook())
    apply(job)  # still available after applying
    response = client.get(reverse("core:import_errors", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = xlsx_rows(response)
    header_at = next(i for i, row in enumerate(sheet) if "人员编号" in row)
    header = sheet[header_at]
    assert header[2:] == HEADER  # then every column of the source, in order
    data = {row[0]: row for row in sheet[header_at + 1 :] if row and row[0] is not None}
    assert set(data) == {7, 11, 12, 14}
    assert data[7][1].startswith("D7 ")
    by_header = {name: index for index, name in enumerate(header)}
    assert data[7][by_header["身份证号码"]] == ID_ZHAO_BAD
    assert data[7][by_header["姓名"]] == "赵六"
    assert data[7][by_header["籍贯"]] == "安徽"  # unrelated columns travel too
    assert (
        data[11][by_header["手机号码"]] == "13700001111" and data[12][by_header["手机号码"]] == "13700002222"
    )
    assert data[14][by_header["所在单位"]] == "不存在学院"
    assert "H14 " in data[14][1]


# -- files refused at the door --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("名册.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "97-2003"),
        ("名册.csv", "工号,姓名\n10001,张三\n".encode(), "CSV"),
        ("名册.xlsx", b"this is a text file renamed to xlsx", "renamed"),
        ("名册.pdf", b"%PDF-1.4", ".xlsx"),
        ("名册.xlsx", b"", "empty"),
    ],
)
def test_wrong_files_get_a_clear_error_and_no_job(client, send, name, data, words):
    with translation.override("en"):
        response, job = send(data, name, "en")
        errors = " ".join(response.context["form"].errors["file"])
    assert job is None and not ImportJob.objects.exists()
    assert response.status_code == 200
    assert words.lower() in errors.lower(), errors


def test_a_file_over_the_size_limit_is_refused(client, send, settings):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = messy_workbook() + b"\x00" * (1024 * 1024)
    with translation.override("en"):
        response, job = send(big, language="en")
        errors = " ".join(response.context["form"].errors["file"])
    assert job is None and not ImportJob.objects.exists()
    assert "1 MB" in errors, errors


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("a.xls", b"x", "97-2003"),
        ("a.ET", b"x", "97-2003"),
        ("a.CSV", b"x", "CSV"),
        ("a.docx", b"PK", ".xlsx"),
        ("a.xlsx", b"", "empty"),
        ("a.xlsx", b"not a zip", "renamed"),
        ("a.xlsx", b"PK" + b"\x00" * (2 * 1024 * 1024), "2.0 MB; the largest file accepted is 1 MB"),
    ],
)
def test_check_upload(name, data, words):
    with translation.override("en"), pytest.raises(ImportFileError) as caught:
        check_upload(name, data, 1024 * 1024)
    assert words.lower() in str(caught.value).lower()
    assert name in str(caught.value)


def test_check_upload_accepts_a_workbook():
    check_upload("名册.XLSX", workbook([["工号"]]), 1024 * 1024)


def test_a_sheet_without_a_header_fails_the_job_with_a_message(client, send):
    with translation.override("en"):
        _response, job = send(workbook([["一些", "无关", "内容"], [1, 2, 3]]), language="en")
    assert job.status == ImportJob.Status.FAILED
    assert "header" in job.error.lower()
    assert not job.rows.exists()
    html = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert job.error.split(":")[0] in html


def test_a_workbook_that_cannot_be_opened_fails_the_job(client, send):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    _response, job = send(buffer.getvalue())
    assert job.status == ImportJob.Status.FAILED and job.error


def test_users_without_the_permission_cannot_import(client, tree, make_user):
    client.force_login(make_user("subunion_chair", tree.a))
    assert client.get(NEW_URL).status_code == 403
    assert client.get(reverse("core:import_list")).status_code == 403
    assert client.get(reverse("core:import_new", args=["no.such.kind"])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.import_job_create(
            user=make_user("subunion_chair", tree.a), kind=KIND, filename="a.xlsx", data=messy_workbook()
        )
    assert not ImportJob.objects.exists()


# -- column mapping -------------------------------------------------------------------------------


def test_a_missing_required_column_is_mapped_once_and_remembered(
    client, send, django_capture_on_commit_callbacks
):
    data = messy_workbook(unit_header="工作部门")  # not a known spelling of 单位
    with translation.override("en"):
        _response, job = send(data, language="en")
    assert job.status == ImportJob.Status.FAILED
    assert "Required columns are missing: Unit." in job.error
    columns = {int(index): col for index, col in job.columns.items()}
    assert columns, "the columns found must be kept so the user can map them"
    unit_index = next(index for index, col in columns.items() if col["header"] == "工作部门")
    assert columns[unit_index]["field"] == ""
    html = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert f'name="col_{unit_index}"' in html

    form = {f"col_{index}": col["field"] for index, col in columns.items()}
    form[f"col_{unit_index}"] = "unit"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:import_remap", args=[job.pk]), form)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED, job.error
    assert job.columns[str(unit_index)]["field"] == "unit"
    assert job.counts["create"] == 4
    mapping = ImportColumnMapping.objects.get(kind=KIND, header="工作部门")
    assert mapping.field == "unit"
    assert AuditEntry.objects.filter(action="core.import.mapping_saved", target_id=str(job.pk)).exists()

    _response, next_job = send(data, "下个月.xlsx")  # the next upload uses the saved mapping
    assert next_job.status == ImportJob.Status.PREVIEWED
    assert next_job.columns[str(unit_index)]["field"] == "unit"


def test_remapping_a_column_of_a_checked_import(client, send, django_capture_on_commit_callbacks):
    _response, job = send(messy_workbook())
    columns = {int(index): col for index, col in job.columns.items()}
    mobile_index = next(index for index, col in columns.items() if col["header"] == "手机号码")
    form = {f"col_{index}": col["field"] for index, col in columns.items()}
    form[f"col_{mobile_index}"] = ""  # ignore the mobile column
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_remap", args=[job.pk]), form)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert rows_of(job)[4].values["mobile"] is None
    assert ImportColumnMapping.objects.get(kind=KIND, header="手机号码").field == ""

    _response, next_job = send(messy_workbook())
    assert rows_of(next_job)[4].values["mobile"] is None


def test_remapping_refuses_two_columns_for_one_field_and_unknown_fields(client, send):
    _response, job = send(messy_workbook())
    url = reverse("core:import_remap", args=[job.pk])
    response = client.post(url, {"col_1": "name", "col_2": "name"}, follow=True)
    assert errors_shown(response)
    response = client.post(url, {"col_1": "salary_of_the_dean"}, follow=True)
    assert errors_shown(response)
    assert not ImportColumnMapping.objects.exists()
    with pytest.raises(ValidationError):
        services.import_job_remap(job=job, user=job.created_by, mapping={"1": "name", "2": "name"})


# -- confirming -----------------------------------------------------------------------------------


def test_double_apply_is_refused(client, send, apply, django_capture_on_commit_callbacks):
    _response, job = send(messy_workbook())
    apply(job)
    people = Person.objects.count()
    audits = AuditEntry.objects.count()
    response = apply(job)  # a second click on the same page
    assert job.status == ImportJob.Status.APPLIED
    assert errors_shown(response)
    assert Person.objects.count() == people and AuditEntry.objects.count() == audits


def test_two_confirmations_of_one_checked_job_start_one_apply(
    send, staff, django_capture_on_commit_callbacks
):
    _response, job = send(messy_workbook())
    first, second = ImportJob.objects.get(pk=job.pk), ImportJob.objects.get(pk=job.pk)  # two officers' pages
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.import_job_apply(job=first, user=staff)
        with pytest.raises(ValidationError):
            services.import_job_apply(job=second, user=staff)
    assert len(callbacks) == 1
    for callback in callbacks:
        callback()
    assert Person.objects.count() == 4
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.APPLIED


def test_a_row_that_went_stale_after_the_preview_is_rejected_at_apply(tree, send, staff, make_person, apply):
    """Applying re-checks every row inside the transaction: what changed since the preview is caught."""
    _response, job = send(messy_workbook())
    # Between the preview and the confirmation someone registers 张三's ID number for another person.
    make_person(tree.b, "99999", name="另一人", id_number=ID_ZHANG)
    apply(job)
    assert job.status == ImportJob.Status.APPLIED
    stale = job.rows.get(key="10001")
    assert stale.status == "error" and any("99999" in message for message in stale.messages)
    assert not Person.objects.filter(staff_no="10001").exists()
    assert Person.objects.get(staff_no="99999").name == "另一人"


def test_a_failure_while_applying_rolls_back_and_says_so(tree, send, staff, apply, monkeypatch):
    from smartunion.members import services as member_services

    _response, job = send(messy_workbook())
    real_create = member_services.person_create
    calls = {"n": 0}

    def failing_create(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the second person fails: the first must not stay behind
            raise ValidationError("数据库拒绝了这一行")
        return real_create(**kwargs)

    monkeypatch.setattr(member_services, "person_create", failing_create)
    apply(job)
    assert job.status == ImportJob.Status.FAILED
    assert "数据库拒绝了这一行" in job.error
    assert job.content  # kept: the file can be corrected and applied again
    assert not Person.objects.exists()  # nothing half-done
    assert not AuditEntry.objects.filter(action="core.import.applied").exists()


def test_another_users_job_answers_404(client, tree, make_user, send, django_capture_on_commit_callbacks):
    _response, job = send(messy_workbook())
    other = make_user("union_staff", tree.root)
    client.force_login(other)
    assert client.get(reverse("core:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:import_errors", args=[job.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("core:import_apply", args=[job.pk])).status_code == 404
        assert client.post(reverse("core:import_remap", args=[job.pk]), {"col_1": ""}).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert Person.objects.count() == 0
    assert job not in client.get(reverse("core:import_list")).context["jobs"]


def test_import_list_shows_my_jobs(client, send):
    _response, job = send(messy_workbook())
    response = client.get(reverse("core:import_list"))
    assert list(response.context["jobs"]) == [job]
    assert "教职工名册.xlsx" in response.content.decode()


def test_the_template_round_trips(client, send):
    response = client.get(reverse("core:import_template", args=[KIND]))
    sheet = xlsx_rows(response)
    fields = get_importer(KIND).fields
    header = sheet[-1]  # title and notes above, then the header, and no data
    assert len(header) == len(fields)
    assert [cell.endswith("*") for cell in header] == [f.required for f in fields]
    filled = workbook([*sheet, ["20001", "陈一", "女", None, None, None, "在编", None, None, "外国语学院"]])
    _response, job = send(filled, "模板.xlsx")
    assert job.status == ImportJob.Status.PREVIEWED, job.error
    assert job.header_row == len(sheet)
    assert job.counts["create"] == 1 and job.counts["error"] == 0


# -- the management command -----------------------------------------------------------------------


def test_management_command_checks_and_reports(tmp_path, tree):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(messy_workbook())
    report = tmp_path / "out.json"
    out = io.StringIO()
    call_command("members_import_roster", str(path), "--report", str(report), stdout=out)
    assert Person.objects.count() == 0
    data = json.loads(report.read_text())
    assert data["kind"] == KIND and data["applied"] is False and data["header_row"] == 3
    statuses = {row["row"]: (row["status"], row["action"]) for row in data["rows"]}
    assert statuses[4] == ("ok", "create") and statuses[7] == ("error", "reject")
    assert statuses[10] == ("warning", "skip")
    assert data["totals"]["error"] == 4 and data["totals"]["create"] == 4
    assert {row["row"] for row in data["skipped"]} == {15, 16}
    assert any(row["messages"] and row["messages"][0].startswith("D7 ") for row in data["rows"])
    assert ID_ZHANG not in report.read_text()  # masked in the report too
    assert {"column": "D", "header": "身份证号码", "field": "id_number"} in data["columns"]
    assert "row 7:" in out.getvalue()

    call_command("members_import_roster", str(path), "--report", str(report), "--apply", stdout=io.StringIO())
    assert json.loads(report.read_text())["applied"] is True
    assert set(Person.objects.values_list("staff_no", flat=True)) == {"10001", "10002", "10003", "10005"}
    applied = AuditEntry.objects.get(action="core.import.applied")
    assert applied.actor_label == "系统（自动）" and applied.changes["via"] == "command"


def test_management_command_refuses_bad_files(tmp_path, db):
    path = tmp_path / "名册.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CommandError):
        call_command("members_import_roster", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="does not exist"):
        call_command("members_import_roster", str(tmp_path / "missing.xlsx"), stdout=io.StringIO())
    good = tmp_path / "ok.xlsx"
    good.write_bytes(messy_workbook())
    with pytest.raises(CommandError, match="nobody"):
        call_command("members_import_roster", str(good), "--user", "nobody", stdout=io.StringIO())


def test_management_command_acts_as_the_given_user(tmp_path, tree, make_user):
    make_user("subunion_chair", tree.b, staff_no="CHAIR-B")
    path = tmp_path / "名册.xlsx"
    path.write_bytes(messy_workbook())
    report = tmp_path / "r.json"
    call_command(
        "members_import_roster", str(path), "--user", "CHAIR-B", "--report", str(report), stdout=io.StringIO()
    )
    rows = {row["row"]: row for row in json.loads(report.read_text())["rows"]}
    # A chair of B may not write people into A: those rows are rejected, B's are fine.
    assert rows[4]["status"] == "error" and rows[9]["status"] == "ok"


# -- the reader on its own ------------------------------------------------------------------------


def test_reader_skips_title_notes_blank_and_subtotal_rows():
    sheet = read_sheet(messy_workbook(), score_header=get_importer(KIND).score_header)
    assert sheet.header_row == 3
    assert sheet.headers == HEADER
    assert [number for number, _cells in sheet.rows] == [4, 5, 6, 7, 9, 10, 11, 12, 14]
    assert [number for number, _reason in sheet.skipped] == [15, 16]
    cells = dict(sheet.rows)
    assert cells[5][7] == cells[6][7] == "机械工程学院"  # merged cells filled


def test_reader_picks_the_best_header_among_sheets():
    wb = Workbook()
    wb.active.title = "说明"
    wb.active.append(["本文件说明"])
    second = wb.create_sheet("名单")
    second.append(["工号", "姓名", "单位", "人员类别", "性别"])
    second.append(["1", "甲", "机械学院", "在编", "男"])
    hidden = wb.create_sheet("隐藏")
    hidden.append(["工号", "姓名", "单位", "人员类别", "性别", "身份证号"])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    sheet = read_sheet(buffer.getvalue(), score_header=get_importer(KIND).score_header)
    assert sheet.sheet_name == "名单" and sheet.header_row == 1 and len(sheet.rows) == 1


def test_run_import_directly_is_idempotent(tree, make_user):
    user = make_user("union_staff", tree.root)
    importer = get_importer(KIND)(user=user)
    first = run_import(importer, messy_workbook(), apply=True)
    assert first.applied and first.counts["create"] == 4
    second = run_import(get_importer(KIND)(user=user), messy_workbook(), apply=True)
    assert second.counts["create"] == 0 and second.counts["unchanged"] == 4
    assert Person.objects.count() == 4
    assert Person.objects.get(id_number_hash=crypto.blind_index(ID_LI_18)).staff_no == "10002"


def test_applying_uses_the_column_mapping_that_was_previewed(client, tree, make_user, send, apply):
    """Another office saving a mapping for the same kind meanwhile must not change what this import writes."""
    _response, job = send(messy_workbook())
    assert rows_of(job)[4].values["mobile"] == "138****5678"
    ImportColumnMapping.objects.create(kind=KIND, header="手机号码", field="")  # someone else's remap
    apply(job)
    assert job.status == ImportJob.Status.APPLIED
    assert Person.objects.get(staff_no="10001").mobile == "13812345678"


def test_a_repeated_header_feeds_its_field_once_in_preview_and_apply(send, apply):
    data = workbook(
        [
            ["工号", "姓名", "性别", "人员类别", "单位", "备注", "姓名"],
            ["30001", "吴一", "男", "在编", "机械学院", "", "配偶姓名"],
        ]
    )
    _response, job = send(data, "两列姓名.xlsx")
    assert job.status == ImportJob.Status.PREVIEWED, job.error
    assert [col["field"] for _i, col in sorted(job.columns.items(), key=lambda item: int(item[0]))] == [
        "staff_no", "name", "sex", "category", "unit", "", ""
    ]  # fmt: skip
    apply(job)
    assert job.status == ImportJob.Status.APPLIED, job.error
    assert Person.objects.get(staff_no="30001").name == "吴一"


def test_sensitive_values_are_masked_in_stored_messages(tree, send):
    bad = "320602198503121235"  # a wrong check digit
    data = workbook(
        [
            ["工号", "姓名", "性别", "身份证号", "所在单位", "人员类别"],
            ["300001", "张三", "男", bad, "机械工程学院", "在编"],
        ]
    )
    _response, job = send(data)
    [row] = job.rows.filter(status="error")
    text = " ".join(row.messages)
    assert bad not in text
    assert "3206**********1235" in text


def test_an_unexpected_error_while_checking_fails_the_job_instead_of_leaving_it_checking(send, monkeypatch):
    from smartunion.members.imports import PersonImporter

    def broken(self, row):
        raise RuntimeError("bug")

    monkeypatch.setattr(PersonImporter, "check_row", broken)
    _response, job = send(messy_workbook())
    assert job.status == ImportJob.Status.FAILED
    assert job.error


def test_old_import_files_are_erased_but_their_results_kept(send):
    from smartunion.core.services import import_files_purge

    _response, job = send(messy_workbook())
    assert job.content and any(row.raw for row in job.rows.all())
    assert import_files_purge(older_than_days=30) == 0  # too recent
    ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(days=31))
    call_command("purge_import_files", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.content is None and not any(row.raw for row in job.rows.all())
    assert job.rows.count() and job.counts  # the results stay
    assert import_files_purge(older_than_days=30) == 0  # idempotent
    assert AuditEntry.objects.filter(action="core.import.purged").count() == 1
