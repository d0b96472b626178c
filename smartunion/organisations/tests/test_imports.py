from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from smartunion.core.excel.importing import ImportFileError, run_import
from smartunion.organisations import selectors, services
from smartunion.organisations.imports import UnitImporter, parse_union_type
from smartunion.organisations.models import OrgUnit, UnitAlias

HEADER = ["单位代码", "单位名称", "上级单位", "工会类型", "单位类别", "简称", "排序", "别名"]


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def by_number(outcome) -> dict:
    return {row.number: row for row in outcome.rows}


@pytest.fixture
def messy_sheet(tree, xlsx):
    """What a union office really sends: a merged title, a blank row, a 合计 row, full-width digits, a
    parent named by an alias, a child above its parent, an unknown parent and an unknown unit kind."""
    services.alias_add(actor=None, unit=tree.b, alias="外院")
    return xlsx(
        [
            ["江海大学工会 组织机构名单（2026年3月）"],
            HEADER,
            ["0301", "化工学院第一工会小组", "化工学院", "工会小组"],  # its parent comes two rows later
            [],
            ["０３", "化工学院", "江海大学工会", "分工会", "学院", "化工", "３", "化学化工学院、化工系"],
            ["0202", "第二工会小组", "外院", "工会小组"],
            ["0401", "第二工会小组", "机械工程学", "工会小组"],
            ["05", "体育学院", "江海大学工会", "分工会", "体育类"],
            ["合计", "5个单位"],
        ],
        merge_title="A1:H1",
    )


def test_preview_reads_a_messy_sheet_and_writes_nothing(messy_sheet, staff, audit_log):
    before = (OrgUnit.objects.count(), len(audit_log()))
    outcome = run_import(UnitImporter(user=staff), messy_sheet)

    assert not outcome.applied
    assert outcome.header_row == 2
    assert [row.number for row in outcome.rows] == [3, 5, 6, 7, 8]
    assert [number for number, _reason in outcome.skipped] == [9]
    rows = by_number(outcome)
    assert {n: (r.status, r.action) for n, r in rows.items() if n in (3, 5, 6)} == {
        3: ("ok", "create"),
        5: ("ok", "create"),
        6: ("ok", "create"),
    }
    assert rows[5].values["code"] == "03"
    assert rows[5].values["union_type"] == "branch"
    assert rows[5].values["sort_order"] == 3
    assert rows[5].values["aliases"] == ["化学化工学院", "化工系"]
    assert rows[3].values["union_type"] == "group"

    assert rows[7].status == "error"
    (message,) = rows[7].errors
    assert message.startswith("C7") and "机械工程学" in message and "“机械工程学院”" in message
    assert rows[8].status == "error"
    (message,) = rows[8].errors
    assert message.startswith("E8") and "学院" in message and "机关处室" in message

    assert outcome.counts["create"] == 3 and outcome.counts["error"] == 2 and outcome.counts["skipped"] == 1
    assert (OrgUnit.objects.count(), len(audit_log())) == before


def test_apply_creates_parents_first_and_rejects_only_the_bad_rows(tree, messy_sheet, staff, audit_log):
    before = len(audit_log())
    outcome = run_import(UnitImporter(user=staff), messy_sheet, apply=True)

    assert outcome.applied
    college, group, b2 = unit("03"), unit("0301"), unit("0202")
    assert (college.parent, college.kind.name, college.short_name, college.sort_order) == (
        tree.root,
        "学院",
        "化工",
        3,
    )
    assert college.union_type == "branch"
    assert group.parent == college and group.path == f"{college.path}{group.pk}/" and group.depth == 2
    assert b2.parent == tree.b and b2.depth == 2
    assert sorted(college.aliases.values_list("alias", flat=True)) == ["化学化工学院", "化工系"]
    assert not OrgUnit.objects.filter(code__in=["0401", "05"]).exists()

    entries = audit_log()[before:]
    assert [(e.action, e.target_label) for e in entries] == [
        ("organisations.unit.created", "化工学院"),
        ("organisations.alias.added", "化工学院"),
        ("organisations.alias.added", "化工学院"),
        ("organisations.unit.created", "第二工会小组"),
        ("organisations.unit.created", "化工学院第一工会小组"),  # waited for its parent
    ]
    assert all(entry.actor == staff for entry in entries)


def test_running_the_same_file_again_changes_nothing(messy_sheet, staff, audit_log):
    run_import(UnitImporter(user=staff), messy_sheet, apply=True)
    units = list(OrgUnit.objects.values_list("pk", "code", "name", "path", "depth"))
    before = len(audit_log())

    again = run_import(UnitImporter(user=staff), messy_sheet, apply=True)

    rows = by_number(again)
    assert {n: (rows[n].status, rows[n].action, rows[n].changes) for n in (3, 5, 6)} == {
        3: ("ok", "unchanged", {}),
        5: ("ok", "unchanged", {}),
        6: ("ok", "unchanged", {}),
    }
    assert rows[7].status == rows[8].status == "error"  # still wrong, still reported
    assert again.counts["create"] == again.counts["update"] == 0
    assert len(audit_log()) == before
    assert list(OrgUnit.objects.values_list("pk", "code", "name", "path", "depth")) == units


def test_a_clean_file_applied_twice_is_all_unchanged_the_second_time(tree, staff, xlsx, audit_log):
    data = xlsx(
        [
            HEADER,
            ["00", "江海大学工会", None, "校工会"],
            ["01", "机械工程学院", "00", "分工会", None, "机械学院"],
            ["0102", "第二工会小组", "机械学院", "工会小组", None, None, "2"],
            ["06", "图书馆", "江海大学工会", "直属工会小组", "直属单位", None, None, "图书馆工会"],
        ]
    )
    first = run_import(UnitImporter(user=staff), data, apply=True)
    assert [row.action for row in first.rows] == ["unchanged", "unchanged", "create", "create"]
    before = len(audit_log())
    second = run_import(UnitImporter(user=staff), data, apply=True)
    assert [(row.status, row.action) for row in second.rows] == [("ok", "unchanged")] * 4
    assert len(audit_log()) == before
    assert unit("0102").parent == tree.a and unit("06").union_type == "direct_group"


def test_an_existing_unit_with_a_changed_parent_is_moved_and_a_changed_name_kept_as_alias(
    tree, staff, xlsx, audit_log
):
    b2 = services.unit_create(actor=None, name="第二工会小组", code="0202", union_type="group", parent=tree.b)
    below = services.unit_create(actor=None, name="教研室", code="020201", union_type="group", parent=b2)
    data = xlsx(
        [
            HEADER,
            ["01", "机械与电气工程学院", "江海大学工会", "分工会"],
            ["0202", "第二工会小组", "机械学院", "工会小组"],
        ]
    )
    preview = run_import(UnitImporter(user=staff), data)
    assert [(row.action, row.changes) for row in preview.rows] == [
        ("update", {"name": ["机械工程学院", "机械与电气工程学院"]}),
        ("update", {"parent": ["外国语学院", "机械工程学院"]}),
    ]
    before = len(audit_log())

    run_import(UnitImporter(user=staff), data, apply=True)

    a = unit("01")
    assert a.name == "机械与电气工程学院"
    assert list(a.aliases.values_list("alias", flat=True)) == ["机械工程学院"]
    moved = unit("0202")
    assert moved.parent == a and moved.path == f"{a.path}{moved.pk}/"
    assert unit("020201").path == f"{moved.path}{below.pk}/" and unit("020201").depth == 3
    entries = audit_log()[before:]
    assert [(e.action, e.target_id) for e in entries] == [
        ("organisations.unit.updated", str(a.pk)),
        ("organisations.unit.moved", str(moved.pk)),
    ]
    again = run_import(UnitImporter(user=staff), data, apply=True)
    assert [row.action for row in again.rows] == ["unchanged", "unchanged"]
    assert len(audit_log()) == before + 2


def test_a_unit_moved_and_renamed_where_its_old_name_is_taken_lands_under_its_new_name(tree, staff, xlsx):
    # B already has a 第一工会小组: A1 can go there only as 机械一组.
    data = xlsx([HEADER, ["0101", "机械一组", "外国语学院", "工会小组"]])
    (row,) = run_import(UnitImporter(user=staff), data).rows
    assert (row.status, row.action) == ("ok", "update")
    run_import(UnitImporter(user=staff), data, apply=True)
    a1 = unit("0101")
    assert (a1.name, a1.parent) == ("机械一组", tree.b)
    assert unit("0201").name == "第一工会小组"


def test_a_unit_created_under_a_unit_the_same_file_moves_gets_the_new_path(tree, staff, xlsx):
    data = xlsx(
        [
            HEADER,
            ["01", "机械工程学院", "外国语学院", "分工会"],  # A moves under B …
            ["0102", "第二工会小组", "机械工程学院", "工会小组"],  # … and gets a new group
        ]
    )
    run_import(UnitImporter(user=staff), data, apply=True)
    a, new = unit("01"), unit("0102")
    assert a.parent == tree.b
    assert new.parent == a
    assert new.path == f"{a.path}{new.pk}/" and new.depth == 3
    assert new in selectors.subtree(tree.b)


def test_a_name_a_sibling_already_has_is_rejected_in_the_preview_not_at_apply(tree, staff, xlsx):
    data = xlsx(
        [
            HEADER,
            ["0203", "第一工会小组", "外国语学院", "工会小组"],  # B has one
            ["0204", "第三工会小组", "外国语学院", "工会小组"],
            ["0205", "第三工会小组", "外国语学院", "工会小组"],  # the row above takes the name
            ["0101", "第一工会小组", "外国语学院", "工会小组"],  # A1 cannot move there under its name
        ]
    )
    rows = run_import(UnitImporter(user=staff), data).rows
    assert [row.status for row in rows] == ["error", "ok", "error", "error"]
    assert rows[0].errors[0].startswith("B2") and "外国语学院" in rows[0].errors[0]
    assert rows[2].errors[0].startswith("B4") and "3" in rows[2].errors[0]  # the row using the name
    outcome = run_import(UnitImporter(user=staff), data, apply=True)  # applies the good row, no crash
    assert outcome.applied
    assert unit("0204").parent == tree.b
    assert not OrgUnit.objects.filter(code__in=["0203", "0205"]).exists()
    assert unit("0101").parent == tree.a


def test_a_row_under_a_rejected_row_of_the_file_is_rejected_too(tree, staff, xlsx):
    data = xlsx(
        [
            HEADER,
            ["0301", "化工一组", "化工学院", "工会小组"],
            ["03", "化工学院", "江海大学工会", "分工会", "化工类"],  # unknown kind
            ["0701", "甲组", "乙组", "工会小组"],  # these two name each other as parent
            ["0702", "乙组", "甲组", "工会小组"],
        ]
    )
    rows = run_import(UnitImporter(user=staff), data).rows
    assert [row.status for row in rows] == ["error"] * 4
    assert rows[0].errors[0].startswith("C2") and "3" in rows[0].errors[0]
    outcome = run_import(UnitImporter(user=staff), data, apply=True)
    assert outcome.applied
    assert OrgUnit.objects.count() == 5


def test_a_parent_name_two_units_share_must_be_given_by_code(tree, staff, xlsx):
    data = xlsx(
        [
            HEADER,
            ["010101", "教研室", "第一工会小组", "工会小组"],  # A1 or B1?
            ["010102", "实验室", "0101", "工会小组"],
        ]
    )
    rows = run_import(UnitImporter(user=staff), data).rows
    assert rows[0].status == "error" and rows[0].errors[0].startswith("C2")
    assert "单位编码" in rows[0].errors[0]  # the way out: name the parent by its code
    assert (rows[1].status, rows[1].action) == ("ok", "create")
    run_import(UnitImporter(user=staff), data, apply=True)
    assert unit("010102").parent == tree.a1
    assert not OrgUnit.objects.filter(code="010101").exists()


def test_a_parent_name_two_rows_of_the_file_share_must_be_given_by_code(tree, staff, xlsx):
    data = xlsx(
        [
            HEADER,
            ["03", "化工学院", "江海大学工会", "分工会"],
            ["0301", "教工一组", "化工学院", "工会小组"],
            ["04", "体育学院", "江海大学工会", "分工会"],
            ["0401", "教工一组", "体育学院", "工会小组"],
            ["030101", "教研室", "教工一组", "工会小组"],  # which one?
            ["040101", "教研室", "0401", "工会小组"],
        ]
    )
    rows = run_import(UnitImporter(user=staff), data).rows
    assert [row.status for row in rows] == ["ok", "ok", "ok", "ok", "error", "ok"]
    assert rows[4].errors[0].startswith("C6") and "教工一组" in rows[4].errors[0]
    run_import(UnitImporter(user=staff), data, apply=True)
    assert unit("040101").parent == unit("0401")
    assert not OrgUnit.objects.filter(code="030101").exists()


def test_an_importer_scoped_to_a_unit_changes_nothing_outside_it(tree, make_user, xlsx, audit_log):
    local_staff = make_user("union_staff", tree.a)
    data = xlsx(
        [
            HEADER,
            ["0102", "第二工会小组", "机械工程学院", "工会小组"],  # inside A: fine
            ["0202", "第二工会小组", "外国语学院", "工会小组"],  # under B
            ["0101", "第一工会小组", "外国语学院", "工会小组"],  # A1 moved under B
            ["0102", "第二工会小组", "机械工程学院", "工会小组"],  # same as row 2: imported once
            ["99", "新大学工会", None, "校工会"],  # a new top-level unit
            ["02", "外语学院", "江海大学工会", "分工会"],  # renaming B
        ]
    )
    rows = run_import(UnitImporter(user=local_staff), data).rows
    assert [row.status for row in rows] == ["ok", "error", "error", "warning", "error", "error"]
    before = len(audit_log())
    outcome = run_import(UnitImporter(user=local_staff), data, apply=True)
    assert outcome.applied
    assert unit("0102").parent == tree.a
    assert not OrgUnit.objects.filter(code__in=["0202", "99"]).exists()
    assert unit("0101").parent == tree.a and unit("02").name == "外国语学院"
    assert [e.action for e in audit_log()[before:]] == ["organisations.unit.created"]


def test_missing_parent_for_a_sub_union_and_alias_clash_are_reported(tree, staff, xlsx):
    services.alias_add(actor=None, unit=tree.b, alias="外院")
    data = xlsx(
        [
            HEADER,
            ["07", "体育学院", None, "分工会"],
            ["08", "艺术学院", "江海大学工会", "分工会", None, None, None, "外院"],
            ["09", "商学院", "江海大学工会", "分工会", None, None, "第一"],
            ["10", "法学院", "江海大学工会", "某某工会"],
        ]
    )
    rows = run_import(UnitImporter(user=staff), data).rows
    assert [row.status for row in rows] == ["error"] * 4
    assert rows[0].errors[0].startswith("C2")
    assert rows[1].errors[0].startswith("H3") and "02" in rows[1].errors[0]
    assert rows[2].errors[0].startswith("G4")
    assert rows[3].errors[0].startswith("D5")


def test_level_names_and_headers_are_understood_whatever_the_interface_language(tree, staff, xlsx):
    for text, value in [
        ("校工会", "school"),
        ("分工会", "branch"),
        ("工会小组", "group"),
        ("直属工会小组", "direct_group"),
    ]:
        with translation.override("en"):
            assert parse_union_type(text) == value
        with translation.override("zh-hans"):
            assert parse_union_type(text) == value
    data = xlsx([HEADER, ["0102", "第二工会小组", "机械工程学院", "工会小组"]])
    with translation.override("en"):
        (row,) = run_import(UnitImporter(user=staff), data).rows
    assert (row.status, row.action) == ("ok", "create")


def test_a_sheet_without_the_required_columns_is_refused(staff, xlsx):
    with pytest.raises(ImportFileError):
        run_import(UnitImporter(user=staff), xlsx([["单位代码", "备注"], ["01", "x"]]))


# -- the management command -----------------------------------------------------------------------------


def test_command_checks_and_reports_without_writing(messy_sheet, tmp_path, audit_log):
    source = tmp_path / "单位名单.xlsx"
    source.write_bytes(messy_sheet)
    report_path = tmp_path / "report.json"
    before = (OrgUnit.objects.count(), len(audit_log()))

    call_command("organisations_import_units", str(source), "--report", str(report_path))

    report = json.loads(report_path.read_text())
    assert report["kind"] == "organisations.units" and report["applied"] is False
    assert report["file"] == "单位名单.xlsx" and report["header_row"] == 2
    assert [(r["row"], r["status"], r["action"]) for r in report["rows"]] == [
        (3, "ok", "create"),
        (5, "ok", "create"),
        (6, "ok", "create"),
        (7, "error", "reject"),
        (8, "error", "reject"),
    ]
    assert report["rows"][1]["key"] == "03"
    assert any("C7" in message for message in report["rows"][3]["messages"])
    assert report["skipped"][0]["row"] == 9
    totals = report["totals"]
    assert (totals["total"], totals["ok"], totals["error"], totals["skipped"], totals["create"]) == (
        5,
        3,
        2,
        1,
        3,
    )
    assert (OrgUnit.objects.count(), len(audit_log())) == before


def test_command_with_apply_imports_and_is_idempotent(tree, messy_sheet, tmp_path, audit_log):
    source = tmp_path / "units.xlsx"
    source.write_bytes(messy_sheet)
    report_path = tmp_path / "report.json"

    call_command("organisations_import_units", str(source), "--apply", "--report", str(report_path))

    report = json.loads(report_path.read_text())
    assert report["applied"] is True
    assert report["totals"]["create"] == 3 and report["totals"]["error"] == 2
    assert unit("0301").parent == unit("03") and unit("0202").parent == tree.b
    created = [e for e in audit_log() if e.action == "organisations.unit.created" and e.actor is None]
    assert {e.target_label for e in created} >= {"化工学院", "化工学院第一工会小组", "第二工会小组"}
    before = len(audit_log())

    call_command("organisations_import_units", str(source), "--apply", "--report", str(report_path))

    report = json.loads(report_path.read_text())
    assert [(r["row"], r["action"]) for r in report["rows"] if r["status"] != "error"] == [
        (3, "unchanged"),
        (5, "unchanged"),
        (6, "unchanged"),
    ]
    assert report["totals"]["unchanged"] == 3 and report["totals"]["create"] == 0
    assert len(audit_log()) == before


def test_command_refuses_a_missing_file_or_user(tmp_path, db):
    with pytest.raises(CommandError):
        call_command("organisations_import_units", str(tmp_path / "none.xlsx"))
    source = tmp_path / "units.xlsx"
    source.write_bytes(b"not a workbook")
    with pytest.raises(CommandError):
        call_command("organisations_import_units", str(source))
    with pytest.raises(CommandError):
        call_command("organisations_import_units", str(source), "--user", "NOBODY")
    assert not UnitAlias.objects.exists()


def test_checking_a_file_costs_the_same_number_of_queries_for_5_or_60_rows(tree, staff, xlsx):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(count: int) -> int:
        rows = [HEADER] + [[f"09{n:03d}", f"新组{n}", "机械学院", "工会小组"] for n in range(count)]
        data = xlsx(rows)
        with CaptureQueriesContext(connection) as captured:
            outcome = run_import(UnitImporter(user=staff), data)
        assert outcome.counts["create"] == count
        return len(captured)

    cost(5)  # loads the user's grants once
    assert cost(60) == cost(5)
