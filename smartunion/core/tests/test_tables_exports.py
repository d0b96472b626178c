"""Excel exports of console lists: the same rows as the screen, masked unless the user may see them
(and then logged as sensitive access), streamed so that big lists do not sit in memory."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role
from smartunion.core.excel.exporting import SheetColumn, write_workbook
from smartunion.core.masking import mask_id_number, mask_phone
from smartunion.core.models import AuditEntry
from smartunion.members.views.people import PersonTable

from .conftest import valid_id, xlsx_rows

LIST_URL = reverse("members:person_list")
ID_A = valid_id("32068219850312123")
ID_A1 = valid_id("32068219900101456")
ID_B = valid_id("11010119780601789")
COLUMNS = [c.key for c in PersonTable.columns if c.in_export]


@pytest.fixture
def people(tree, make_person):
    return {
        "a": make_person(tree.a, "10001", name="张三", id_number=ID_A, mobile="13812345678"),
        "a1": make_person(tree.a1, "10002", name="李四", id_number=ID_A1, mobile="13900001111"),
        "b": make_person(tree.b, "10003", name="王五", id_number=ID_B, mobile="13700002222"),
    }


def exported(client, **params) -> dict[str, dict[str, object]]:
    """{staff number: {column key: value}} of an export of the staff list."""
    response = client.get(LIST_URL, {**params, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response)
    data = [row for row in rows if row and row[0] in {"10001", "10002", "10003"}]
    return {row[0]: dict(zip(COLUMNS, row, strict=False)) for row in data}


def last_export() -> AuditEntry:
    return AuditEntry.objects.filter(action="core.list.exported").latest("id")


def test_export_without_the_sensitive_permission_is_masked(client, tree, make_user, people):
    user = make_user("subunion_committee", tree.root)  # members.view everywhere, not members.sensitive.view
    client.force_login(user)
    rows = exported(client)
    assert set(rows) == {"10001", "10002", "10003"}
    assert rows["10001"]["id_number"] == mask_id_number(ID_A) == ID_A[:4] + "*" * 10 + ID_A[-4:]
    assert rows["10003"]["id_number"] == mask_id_number(ID_B)
    assert rows["10001"]["mobile"] == "138****5678"
    assert rows["10001"]["name"] == "张三" and rows["10001"]["unit"] == "机械工程学院"
    assert rows["10001"]["post_salary"] in {0, Decimal("0"), "0", "0.00"}  # export-only columns are there

    entry = last_export()
    assert entry.actor == user
    assert entry.sensitive is False
    assert entry.changes["unmasked_columns"] == []
    assert entry.changes["rows"] == 3
    assert entry.changes["list"]


def test_export_with_the_sensitive_permission_is_in_full_and_logged_as_sensitive(
    client, tree, make_user, people
):
    user = make_user("union_staff", tree.root)
    client.force_login(user)
    rows = exported(client)
    assert {number: row["id_number"] for number, row in rows.items()} == {
        "10001": ID_A,
        "10002": ID_A1,
        "10003": ID_B,
    }
    assert rows["10003"]["mobile"] == "13700002222"

    entry = last_export()
    assert entry.actor == user
    assert entry.sensitive is True
    assert entry.changes["unmasked_columns"] == ["id_number", "mobile"]
    assert entry.changes["rows"] == 3


def test_the_screen_stays_masked_for_everyone(client, tree, make_user, people):
    client.force_login(make_user("union_staff", tree.root))
    html = client.get(LIST_URL).content.decode()
    assert mask_id_number(ID_A) in html and mask_phone("13812345678") in html
    assert ID_A not in html and "13812345678" not in html
    assert not AuditEntry.objects.filter(action="core.list.exported").exists()  # viewing masked is not logged


def test_values_are_revealed_only_in_units_where_the_permission_is_held(client, tree, make_user, people):
    user = make_user("subunion_committee", tree.root)  # sees everyone, masked
    account_services.role_assign(
        actor=None, user=user, role=Role.objects.get(code="union_chair"), unit=tree.a
    )
    client.force_login(user)
    rows = exported(client)
    assert rows["10001"]["id_number"] == ID_A  # A: the permission is held there
    assert rows["10002"]["id_number"] == ID_A1  # A1 lies inside A
    assert rows["10003"]["id_number"] == mask_id_number(ID_B)  # B: masked
    assert rows["10003"]["mobile"] == "137****2222"
    entry = last_export()
    assert entry.sensitive is True and entry.changes["unmasked_columns"] == ["id_number", "mobile"]


def test_a_masked_export_of_only_rows_outside_the_reveal_scope_is_not_sensitive(
    client, tree, make_user, people
):
    user = make_user("subunion_committee", tree.root)
    account_services.role_assign(
        actor=None, user=user, role=Role.objects.get(code="union_chair"), unit=tree.a
    )
    client.force_login(user)
    rows = exported(client, unit=tree.b.pk)
    assert set(rows) == {"10003"} and rows["10003"]["id_number"] == mask_id_number(ID_B)
    entry = last_export()
    assert entry.sensitive is False and entry.changes["unmasked_columns"] == []


def test_the_export_has_the_same_rows_as_the_filtered_screen(client, tree, make_user, people):
    client.force_login(make_user("union_staff", tree.root))
    rows = exported(client, q="李四")
    assert set(rows) == {"10002"}
    assert last_export().changes["filters"] == {"q": "李四"}
    assert last_export().changes["rows"] == 1
    # A full ID number finds its person through the blind index, on screen and in the export alike.
    assert set(exported(client, q=ID_B)) == {"10003"}


def test_an_officer_exports_only_their_subtree(client, tree, make_user, people):
    client.force_login(make_user("subunion_chair", tree.a))
    rows = exported(client)
    assert set(rows) == {"10001", "10002"}
    assert rows["10001"]["id_number"] == mask_id_number(ID_A)  # a sub-union chair does not see ID numbers
    assert last_export().sensitive is False


def test_export_is_sorted_like_the_screen(client, tree, make_user, people):
    client.force_login(make_user("union_staff", tree.root))
    response = client.get(LIST_URL, {"export": "xlsx", "sort": "-staff_no"})
    numbers = [row[0] for row in xlsx_rows(response) if row and row[0] in {"10001", "10002", "10003"}]
    assert numbers == ["10003", "10002", "10001"]


def test_export_file_name_and_header(client, tree, make_user, people):
    client.force_login(make_user("union_staff", tree.root))
    response = client.get(LIST_URL, {"export": "xlsx"})
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=UTF-8''")
    assert disposition.endswith(".xlsx")
    rows = xlsx_rows(response)
    header = next(i for i, row in enumerate(rows) if row and row[0] == "10001") - 1
    labels = [str(c.label) for c in PersonTable.columns if c.in_export]
    assert len(rows[header]) == len(labels)


# -- write_workbook -------------------------------------------------------------------------------


def test_write_workbook_cell_values():
    buffer = io.BytesIO()
    aware = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 in Shanghai
    count = write_workbook(
        buffer,
        sheet_title="测试" * 20,  # longer than Excel's 31 characters
        columns=[SheetColumn("A"), SheetColumn("B"), SheetColumn("C"), SheetColumn("D"), SheetColumn("E")],
        rows=[[dt.date(2026, 1, 2), aware, Decimal("12.50"), True, None], ["x", 1, 2.5, False, object]],
        title="标题",
        notes=["说明一"],
        number_formats={2: "#,##0.00"},
    )
    assert count == 2
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook.worksheets[0]
    assert len(sheet.title) <= 31
    assert sheet["A1"].value == "标题" and sheet["A2"].value == "说明一"
    assert [c.value for c in sheet[3]] == ["A", "B", "C", "D", "E"]
    assert sheet["A4"].value == dt.datetime(2026, 1, 2) and sheet["A4"].number_format == "yyyy-mm-dd"
    assert sheet["B4"].value == dt.datetime(2026, 3, 1, 9, 30)  # local time, without a zone
    assert sheet["C4"].number_format == "#,##0.00" and sheet["C4"].value == 12.5
    assert sheet["D4"].value == "是" and sheet["D5"].value == "否"
    assert sheet["E4"].value in {None, ""}


def test_write_workbook_streams_rows_in_bounded_memory(tmp_path):
    """50,000 rows, not 100,000: under tracemalloc openpyxl's pure-Python XML writer (no lxml installed)
    takes ~25 s per 100,000 rows of 4 cells here. An ordinary (not write-only) workbook holding these
    rows peaks at ~53 MB, so the bound is 20 MB; the streamed file peaks at ~1 MB whatever the count."""
    rows_wanted = 50_000

    def rows():
        for i in range(rows_wanted):
            yield [f"{i:06d}", f"姓名{i}", "机械工程学院", 13800000000 + i]

    columns = [SheetColumn(name) for name in ["工号", "姓名", "单位", "手机"]]
    target = tmp_path / "big.xlsx"
    tracemalloc.start()
    try:
        count = write_workbook(target, sheet_title="big", columns=columns, rows=rows(), title="大表")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == rows_wanted
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
    with zipfile.ZipFile(target) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    last = rows_wanted + 2  # title and header above the data
    assert f'<row r="{last}"' in sheet and f'<row r="{last + 1}"' not in sheet
    assert f"{rows_wanted - 1:06d}" in sheet


def test_text_that_looks_like_a_formula_is_exported_as_text(tmp_path):
    """A name or note typed as =HYPERLINK(…) must not become a live formula in the office's Excel."""
    target = tmp_path / "x.xlsx"
    write_workbook(
        target,
        sheet_title="x",
        columns=[SheetColumn("A"), SheetColumn("B")],
        rows=[['=HYPERLINK("http://evil.example","点击")', "=1+1"], [dt.date(2026, 1, 1), "=SUM(A1:A2)"]],
    )
    sheet = load_workbook(target).worksheets[0]
    assert sheet["A2"].value == '=HYPERLINK("http://evil.example","点击")' and sheet["A2"].data_type == "s"
    assert sheet["B2"].data_type == "s" and sheet["B3"].data_type == "s"
    with zipfile.ZipFile(target) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_control_characters_do_not_break_an_export(tmp_path):
    target = tmp_path / "x.xlsx"
    write_workbook(
        target,
        sheet_title="x",
        columns=[SheetColumn("备注\x01")],
        rows=[["第一行\x07响铃"], ["换\n行\t制表"]],
        title="标题\x00",
    )
    sheet = load_workbook(target).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == [
        "标题",
        "备注",
        "第一行响铃",
        "换\n行\t制表",
    ]


def test_a_person_named_like_a_formula_exports_as_text(client, tree, make_user, make_person):
    make_person(tree.a, "10001", name="=1+2")
    client.force_login(make_user("union_staff", tree.root))
    response = client.get(LIST_URL, {"export": "xlsx"})
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_search_terms_that_are_numbers_are_masked_in_the_export_log():
    from smartunion.core.masking import redact

    assert redact("320602198503121231") == "3206**********1231"
    assert redact("找 13812345678 的人") == "找 138****5678 的人"
    assert redact("110105491231002") == "1101*******1002"
    assert redact("工号 100234") == "工号 100234"


def test_a_malformed_sort_falls_back_to_the_default(client, tree, make_user):
    client.force_login(make_user("union_staff", tree.root))
    for sort in ("--name", "-", "name;drop", "---staff_no"):
        assert client.get("/console/members/", {"sort": sort}).status_code == 200, sort
        assert client.get("/console/audit/", {"sort": sort}).status_code == 200, sort
