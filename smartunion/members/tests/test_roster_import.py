"""The HR roster sync (kind "members.roster", command ``members_import_roster``): a messy roster built here
with openpyxl, classified row by row against a registry that already holds people, applied, re-applied
(nothing changes), and every kind of bad input with its message."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from smartunion.accounts.models import Permission, Role
from smartunion.core.excel.importing import get_importer, run_import
from smartunion.core.models import AuditEntry, ImportJob
from smartunion.core.normalise import id_check_digit, normalise_id_number
from smartunion.members import services
from smartunion.members.models import Membership, MembershipEvent, Person, StaffCategory

KIND = "members.roster"


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


ID_ZHANG = valid_id("32068219780601123")  # male, born 1978-06-01
ID_NEW_15 = "320682850312123"  # 15 digits: male, born 1985-03-12
ID_NEW_15_AS_18 = normalise_id_number(ID_NEW_15).number
ID_HE = valid_id("32060219900101002")  # female, born 1990-01-01
_bad = valid_id("32068219800202456")
ID_BAD = _bad[:-1] + ("1" if _bad[-1] != "1" else "2")  # a wrong check digit

HEADER = ["序号", "工　号", "姓名", "性别", "身份证号（必填）", "出生日期", "手机号码", "人员类别", "所在单位",
          "岗位工资", "薪级工资"]  # fmt: skip

# Excel row → cells. Row 8 and 22 are blank; I4:I6 hold one merged unit cell.
ROWS: dict[int, list[Any]] = {
    4: [1, "10001", "张三", "男", ID_ZHANG, "1978-06-01", "13812345678", "在编", "机械工程学院", "2800", "1050"],
    5: [2, "10002", "李四", "女", None, None, None, "在编", None, "3,150.00", "1050"],
    6: [3, "10004", "赵六", "男", None, None, None, "退休", None, None, None],
    9: [4, "10003", "王五", "女", None, None, None, "在编", "外国语学院", None, None],
    10: [5, "10007", "周七", "男", None, None, "13900002222", "在编", "机械工程学园", None, None],
    11: [6, "２０００１", "林\u3000晓", None, ID_NEW_15, None, None, "人事代理", "外国语学院", "３，８５０", None],
    12: [7, "20002", "何丽", "女", ID_HE, "1990年1月2日", None, "合同制", "机械学院", None, None],
    13: [8, "20003", "马强", "男", ID_BAD, None, None, "在编", "机械工程学院", None, None],
    14: [9, "20004", None, "男", None, None, None, "在编", "机械工程学院", None, None],
    15: [10, "20005", "陈静", "女", None, None, None, "在编", "机械工程学院", None, None],
    16: [11, "20006", "高远", "男", None, None, "13700001111", "在编", "外国语学院", None, None],
    17: [12, "20006", "高远", "男", None, None, "13700001111", "在编", "外国语学院", None, None],
    18: [13, "20007", "吴一", "男", None, None, None, "在编", "外国语学院", None, None],
    19: [14, "20007", "郑二", "女", None, None, None, "在编", "外国语学院", None, None],
    20: [15, None, "冯三", "男", None, None, None, "在编", "外国语学院", None, None],
    21: [16, "20008", "褚四", "男", None, None, None, "在编", "不存在学院", None, None],
    23: ["合计", None, None, None, None, None, None, None, None, 9800, None],
}  # fmt: skip
HIRE_COLUMN = 12  # row 15 gets an impossible hire date in an extra column


def messy_roster() -> bytes:
    """A merged title, a note, a header with spaces and notes in it, a merged unit column, blank rows,
    full-width digits and spaces, a 合计 row and a merged note row at the bottom."""
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws["A1"] = "江海大学2026年3月教职工花名册"
    ws.merge_cells("A1:L1")
    ws["A2"] = "填表说明：身份证号请设为文本格式；人员类别按人事处口径填写。"
    for col, text in enumerate([*HEADER, "入职日期"], start=1):
        ws.cell(row=3, column=col, value=text)
    for number, cells in ROWS.items():
        for col, value in enumerate(cells, start=1):
            if value is not None:
                ws.cell(row=number, column=col, value=value)
    ws.cell(row=15, column=HIRE_COLUMN, value="2026-02-30")
    ws.merge_cells("I4:I6")
    ws["A24"] = "注：本表由人事处提供，截至2026年3月31日。"
    ws.merge_cells("A24:L24")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def workbook(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def category(name: str) -> StaffCategory:
    return StaffCategory.objects.get(name=name)


def make_member(person: Person, status: str = Membership.Status.FULL) -> Person:
    Membership.objects.filter(person=person).update(status=status, joined_on=dt.date(2010, 9, 1))
    return person


@pytest.fixture
def registry(tree: Any, make_person: Any) -> dict[str, Person]:
    """What the registry holds before the roster arrives."""
    people = {
        "zhang": make_person(
            tree.a,
            staff_no="10001",
            name="张三",
            sex="M",
            id_number=ID_ZHANG,
            birth_date=dt.date(1978, 6, 1),
            mobile="13812345678",
            post_salary=Decimal("2800"),
            grade_salary=Decimal("1050"),
        ),
        "li": make_person(
            tree.a,
            staff_no="10002",
            name="李四",
            sex="F",
            post_salary=Decimal("2800"),
            grade_salary=Decimal("1050"),
        ),
        "wang": make_member(make_person(tree.a, staff_no="10003", name="王五", sex="F")),
        "zhao": make_member(make_person(tree.a, staff_no="10004", name="赵六", sex="M")),
        "qian": make_member(make_person(tree.a, staff_no="10005", name="钱七", sex="F")),
        "sun": make_person(tree.b, staff_no="10006", name="孙八", sex="M"),
        "zhou": make_person(tree.a, staff_no="10007", name="周七", sex="M", mobile="13900001111"),
    }
    services.person_mark_left(actor=None, person=people["sun"], left_on=dt.date(2025, 12, 31))
    return people


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


def classified(outcome: Any) -> dict[int, tuple[str, str]]:
    return {row.number: (row.status, row.classification) for row in outcome.rows}


def messages(outcome: Any, number: int) -> str:
    """The row's problems and, after them, its notes."""
    row = next(row for row in outcome.rows if row.number == number)
    return " | ".join([*row.messages, *row.notes])


# -- the messy roster, row by row -----------------------------------------------------------------


def test_every_row_of_a_messy_roster_is_classified(registry: dict[str, Person], staff: Any) -> None:
    with translation.override("en"):
        outcome = run_import(get_importer(KIND)(user=staff), messy_roster())
    assert outcome.header_row == 3 and outcome.sheet_name == "花名册"
    assert classified(outcome) == {
        4: ("ok", "unchanged"),
        5: ("ok", "changed"),
        6: ("ok", "retired"),
        9: ("ok", "moved"),
        10: ("warning", "changed"),  # the unit's name is misspelt: kept, with a suggestion
        11: ("warning", "new"),  # a 15-digit ID number, converted
        12: ("warning", "new"),  # the birth date disagrees with the ID number
        13: ("error", ""),  # a wrong check digit
        14: ("error", ""),  # no name
        15: ("error", ""),  # 2026-02-30
        16: ("ok", "new"),
        17: ("warning", ""),  # the same person twice: imported once
        18: ("error", ""),  # one staff number, two different people
        19: ("error", ""),
        20: ("error", ""),  # no staff number
        21: ("error", ""),  # no such unit, for a new person
    }
    assert [number for number, _reason in outcome.skipped] == [23, 24]  # 合计 and the note
    assert outcome.counts["classifications"] == {
        "new": 3,
        "moved": 1,
        "retired": 1,
        "changed": 2,
        "unchanged": 1,
    }
    assert outcome.counts["create"] == 3 and outcome.counts["update"] == 4 and outcome.counts["error"] == 7

    rows = {row.number: row for row in outcome.rows}
    # changed fields: before → after
    assert rows[5].changes == {"post_salary": [Decimal("2800.00"), Decimal("3150.00")]}
    assert rows[6].changes == {"category": ["在编", "退休"]}
    assert rows[6].messages == [] and "保留会籍 is proposed" in rows[6].notes[0]  # a note, not a problem
    assert rows[9].changes == {"unit": ["机械工程学院", "外国语学院"]}
    assert "the membership moves with them (会籍接转" in messages(outcome, 9)
    assert rows[10].changes == {"mobile": ["139****1111", "139****2222"]}
    assert "I10 Unit：no unit named “机械工程学园”. Did you mean “机械工程学院”?" in messages(outcome, 10)
    assert "The unit stays “机械工程学院”" in messages(outcome, 10)
    # new people, cleaned
    assert rows[11].values["staff_no"] == "20001" and rows[11].values["name"] == "林晓"
    assert rows[11].values["id_number"] == ID_NEW_15_AS_18
    assert rows[11].values["post_salary"] == Decimal("3850")
    assert "E11 ID number：a 15-digit ID number (issued before 1999) was converted" in messages(outcome, 11)
    assert ID_NEW_15_AS_18 not in messages(outcome, 11)  # quoted masked
    assert "F12 Birth date：the birth date 1990-01-02 disagrees with the ID number (1990-01-01)" in messages(
        outcome, 12
    )
    assert rows[12].values["birth_date"] == dt.date(1990, 1, 1)
    assert "not yet a member (待入会)" in messages(outcome, 16)
    # rejected, each naming its cell
    assert messages(outcome, 13).startswith("E13 ID number：") and "wrong check digit" in messages(
        outcome, 13
    )
    assert ID_BAD not in messages(outcome, 13)
    assert messages(outcome, 14) == "C14 Name：this cell is empty; fill it in."
    assert messages(outcome, 15).startswith("L15 Hire date：“2026-02-30” is not a real date")
    assert "the same as row 16; imported once." in messages(outcome, 17)
    for number in (18, 19):
        assert "“20007” appears in rows 18、19 with different contents (Name、Sex)" in messages(
            outcome, number
        )
    assert messages(outcome, 20) == "B20 Staff number：this cell is empty; fill it in."
    assert "no unit named “不存在学院”" in messages(outcome, 21)

    # People on the staff whom the roster does not list: 钱七 only (孙八 has left already).
    [finding] = outcome.findings
    assert finding["code"] == "not_in_roster" and finding["total"] == 1
    [item] = finding["items"]
    assert (item["staff_no"], item["name"], item["unit"], item["membership"]) == (
        "10005",
        "钱七",
        "机械工程学院",
        "Full member",
    )
    assert item["url"] == reverse("members:person_detail", args=[registry["qian"].pk])
    assert Person.objects.count() == len(registry)  # checking writes nothing


def test_applying_the_roster_then_applying_it_again(registry: dict[str, Person], staff: Any) -> None:
    last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    outcome = run_import(get_importer(KIND)(user=staff), messy_roster(), apply=True)
    assert outcome.applied

    people = {p.staff_no: p for p in Person.objects.select_related("unit", "category", "membership__unit")}
    assert set(people) == {f"1000{n}" for n in range(1, 8)} | {"20001", "20002", "20006"}
    assert people["10002"].post_salary == Decimal("3150.00")
    wang = people["10003"]
    assert wang.unit.name == "外国语学院" and wang.membership.unit.name == "外国语学院"
    assert wang.membership.status == Membership.Status.FULL  # moved, not re-joined
    moved = MembershipEvent.objects.get(membership=wang.membership, kind=MembershipEvent.Kind.MOVED)
    assert (moved.from_unit.name, moved.to_unit.name) == ("机械工程学院", "外国语学院")
    zhao = people["10004"]
    assert zhao.category.name == "退休"
    assert zhao.membership.status == Membership.Status.FULL  # 保留会籍 is only proposed: an officer decides
    zhou = people["10007"]
    assert zhou.unit.name == "机械工程学院" and zhou.mobile == "13900002222"
    lin = people["20001"]
    assert lin.id_number == ID_NEW_15_AS_18 and lin.name == "林晓" and lin.birth_date == dt.date(1985, 3, 12)
    assert lin.membership.status == Membership.Status.NONE  # 待入会
    assert people["20002"].birth_date == dt.date(1990, 1, 1)
    assert people["10005"].is_active  # absent from the roster: nothing happens to them
    assert not people["10006"].is_active

    new_audits = list(AuditEntry.objects.filter(pk__gt=last_audit))
    actions = sorted(entry.action for entry in new_audits)
    assert actions == sorted(
        ["members.person.created"] * 3 + ["members.person.updated"] * 4 + ["members.membership.moved"]
    )
    assert all(
        entry.actor_id == staff.pk for entry in new_audits if entry.action.startswith("members.person")
    )

    # The same file again: every row that was applied is now unchanged, and nothing is written.
    snapshot = list(Person.objects.order_by("pk").values())
    memberships = list(Membership.objects.order_by("pk").values())
    audits, events = AuditEntry.objects.count(), MembershipEvent.objects.count()
    again = run_import(get_importer(KIND)(user=staff), messy_roster(), apply=True)
    assert again.counts["create"] == 0 and again.counts["update"] == 0
    assert again.counts["classifications"] == {
        "new": 0,
        "moved": 0,
        "retired": 0,
        "changed": 0,
        "unchanged": 8,
    }
    assert list(Person.objects.order_by("pk").values()) == snapshot
    assert list(Membership.objects.order_by("pk").values()) == memberships
    assert AuditEntry.objects.count() == audits and MembershipEvent.objects.count() == events


def test_the_command_reports_every_row_with_its_classification(
    registry: dict[str, Person], tmp_path: Any
) -> None:
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(messy_roster())
    report_path = tmp_path / "report.json"
    out = io.StringIO()
    with translation.override("en"):
        call_command("members_import_roster", str(path), "--report", str(report_path), stdout=out)
    report = json.loads(report_path.read_text())
    assert report["kind"] == KIND and report["applied"] is False
    rows = {row["row"]: row for row in report["rows"]}
    assert set(rows) == {4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}
    assert rows[6]["classification"] == "retired" and rows[9]["classification"] == "moved"
    assert rows[6]["messages"] == [] and "保留会籍 is proposed" in rows[6]["notes"][0]
    assert rows[13]["classification"] is None and rows[13]["action"] == "reject"
    assert rows[11]["values"]["id_number"] == "3206**********" + ID_NEW_15_AS_18[-4:]  # masked
    assert rows[5]["changes"] == {"post_salary": ["2800.00", "3150.00"]}
    assert report["totals"]["classifications"] == {
        "new": 3,
        "moved": 1,
        "retired": 1,
        "changed": 2,
        "unchanged": 1,
    }
    assert report["classifications"]["retired"] == "Now retired"
    [finding] = report["findings"]
    assert [item["staff_no"] for item in finding["items"]] == ["10005"]
    assert ID_ZHANG not in report_path.read_text()
    assert "Not in this roster: 1" in out.getvalue() and "Now retired: 1" in out.getvalue()
    assert Person.objects.count() == len(registry)

    call_command(
        "members_import_roster", str(path), "--apply", "--report", str(report_path), stdout=io.StringIO()
    )
    assert json.loads(report_path.read_text())["applied"] is True
    assert Person.objects.get(staff_no="10003").unit.name == "外国语学院"
    assert AuditEntry.objects.get(action="core.import.applied").changes["classifications"]["moved"] == 1


# -- bad input, one at a time ----------------------------------------------------------------------

ROSTER_HEADER = ["工号", "姓名", "性别", "身份证号", "出生日期", "入职日期", "人员类别", "所在单位"]


def check(rows: list[list[Any]], user: Any = None) -> Any:
    with translation.override("en"):
        return run_import(get_importer(KIND)(user=user), workbook([ROSTER_HEADER, *rows]))


def test_one_staff_number_for_two_people_rejects_both(tree: Any) -> None:
    outcome = check(
        [
            ["30001", "吴一", "男", None, None, None, "在编", "机械学院"],
            ["30001", "郑二", "女", None, None, None, "在编", "机械学院"],
        ]
    )
    assert [row.status for row in outcome.rows] == ["error", "error"]
    for row in outcome.rows:
        assert row.errors == [
            f"A{row.number} Staff number：Staff number “30001” appears in rows 2、3 with different contents "
            "(Name、Sex); keep only the right one."
        ]


def test_the_same_person_twice_is_imported_once_with_a_warning(tree: Any) -> None:
    row = ["30001", "吴一", "男", None, None, None, "在编", "机械学院"]
    outcome = run_import(get_importer(KIND)(), workbook([ROSTER_HEADER, row, row]), apply=True)
    assert [(r.status, r.action) for r in outcome.rows] == [("ok", "create"), ("warning", "skip")]
    assert Person.objects.filter(staff_no="30001").count() == 1


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["", "吴一", "男", None, None, None, "在编", "机械学院"], "A2 Staff number：this cell is empty; fill it in."),
        (["30001", " ", "男", None, None, None, "在编", "机械学院"], "B2 Name：this cell is empty; fill it in."),
        (["30001", "吴一", "男", ID_BAD, None, None, "在编", "机械学院"], "has a wrong check digit"),
        (["30001", "吴一", "男", "12345", None, None, "在编", "机械学院"], "is not an ID number"),
        (["30001", "吴一", "男", None, "1990-02-30", None, "在编", "机械学院"], "E2 Birth date：“1990-02-30” is not a real date"),
        (["30001", "吴一", "男", None, None, "2026-02-30", "在编", "机械学院"], "F2 Hire date：“2026-02-30” is not a real date"),
        (["30001", "吴一", "男", None, None, None, "临时工", "机械学院"], "G2 Staff category：unknown staff category “临时工”"),
        (["30001", "吴一", None, None, None, None, "在编", "机械学院"], "the sex is needed when there is no ID number"),
        (["30001", "吴一", "男", None, None, None, "在编", "机械工程学园"], "Did you mean “机械工程学院”?"),
        (["30001", "吴一", "男", None, None, None, "在编", "第一工会小组"], "several units are named “第一工会小组”"),
    ],
)  # fmt: skip
def test_a_bad_cell_rejects_its_row_with_a_message(tree: Any, cells: list[Any], message: str) -> None:
    [row] = check([cells]).rows
    assert row.status == "error"
    assert message in " ".join(row.errors), row.errors


def test_a_fifteen_digit_id_number_is_converted_with_a_warning(tree: Any) -> None:
    [row] = check([["30001", "林晓", None, ID_NEW_15, None, None, "在编", "机械学院"]]).rows
    assert (row.status, row.classification) == ("warning", "new")
    assert row.values["id_number"] == ID_NEW_15_AS_18
    assert row.values["birth_date"] == dt.date(1985, 3, 12) and row.values["sex"] == "M"
    assert "converted to its 18-character form 3206**********" in row.warnings[0]


def _command_error(tmp_path: Any, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("members_import_roster", str(path), stdout=io.StringIO())
    return str(caught.value)


def test_files_that_are_not_a_roster_are_refused_with_a_message(
    tmp_path: Any, tree: Any, settings: Any
) -> None:
    assert "CSV file" in _command_error(tmp_path, "花名册.csv", "工号,姓名\n1,张三\n".encode())
    assert "old Excel 97-2003 file" in _command_error(
        tmp_path, "花名册.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100
    )
    assert "not an Excel workbook" in _command_error(tmp_path, "花名册.xlsx", b"just text, renamed")
    no_header = workbook([["江海大学花名册"], ["一些", "无关", "内容"], [1, 2, 3]])
    assert "No header row was found" in _command_error(tmp_path, "无表头.xlsx", no_header)
    missing = workbook([["工号", "姓名", "性别"], ["30001", "吴一", "男"]])
    message = _command_error(tmp_path, "缺列.xlsx", missing)
    assert "Required columns are missing: Staff category、Unit" in message
    settings.IMPORT_MAX_UPLOAD_MB = 1
    oversized = _command_error(tmp_path, "大文件.xlsx", messy_roster() + b"\x00" * (1024 * 1024))
    assert "the largest file accepted is 1 MB" in oversized
    assert not Person.objects.exists()


# -- scope -----------------------------------------------------------------------------------------


def test_an_officers_roster_covers_their_units_only(tree: Any, make_user: Any, make_person: Any) -> None:
    # Roles are data: an administrator may let sub-union chairs sync their own unit's roster.
    Role.objects.get(code="subunion_chair").permissions.add(Permission.objects.get(code="members.import"))
    chair = make_user("subunion_chair", tree.a)
    make_person(tree.a, staff_no="40001", name="甲")
    make_person(tree.a1, staff_no="40002", name="乙")  # A's subtree, absent from the roster
    make_person(tree.b, staff_no="40003", name="丙")  # B's: absent too, but none of the chair's business
    outcome = check(
        [
            ["40001", "甲", "女", None, None, None, "在编", "机械学院"],
            ["40003", "丙", "女", None, None, None, "在编", "机械学院"],
        ],
        user=chair,
    )
    first, second = outcome.rows
    assert (first.status, first.classification) == ("ok", "unchanged")
    assert second.status == "error" and "outside the units you manage" in second.errors[0]
    [finding] = outcome.findings
    assert [item["staff_no"] for item in finding["items"]] == ["40002"]


# -- bounded queries -------------------------------------------------------------------------------


def _roster_of(count: int) -> bytes:
    rows = [ROSTER_HEADER]
    for n in range(count):
        id_number = valid_id(f"3206821980{(n % 12) + 1:02d}01{n % 1000:03d}")
        rows.append(
            [
                f"5{n:04d}",
                f"教工{n}",
                None,
                id_number,
                None,
                None,
                "在编",
                "机械学院" if n % 2 else "外国语学院",
            ]
        )
    return workbook(rows)


def test_checking_takes_the_same_number_of_queries_whatever_the_number_of_rows(
    tree: Any, make_person: Any, staff: Any
) -> None:
    for n in range(0, 60, 2):  # every other row of the larger file is someone already registered
        make_person(tree.a, staff_no=f"5{n:04d}", name=f"旧名{n}")
    staff.scope_for("members.edit")  # the user's grants, loaded once per request in real use
    counts = []
    for size in (6, 60):
        data = _roster_of(size)
        with CaptureQueriesContext(connection) as queries:
            outcome = run_import(get_importer(KIND)(user=staff), data)
        assert outcome.counts["error"] == 0, [row.errors for row in outcome.rows if row.errors]
        counts.append(len(queries))
    # units, aliases, categories, people by staff number, ID number holders, everyone on the staff
    assert counts == [6, 6]


# -- the pages -------------------------------------------------------------------------------------


@pytest.fixture
def previewed(
    client: Any, staff: Any, registry: dict[str, Person], django_capture_on_commit_callbacks: Any
) -> Any:
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    file = SimpleUploadedFile("花名册.xlsx", messy_roster(), content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        response = client.post(reverse("core:import_new", args=[KIND]), {"file": file})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.PREVIEWED, job.error
    return job


def test_the_preview_shows_classifications_tabs_and_who_is_not_in_the_roster(
    client: Any, previewed: ImportJob, registry: dict[str, Person]
) -> None:
    job = previewed
    assert job.counts["classifications"]["moved"] == 1
    assert {row.row_number: row.classification for row in job.rows.exclude(classification="")} == {
        4: "unchanged", 5: "changed", 6: "retired", 9: "moved", 10: "changed", 11: "new", 12: "new", 16: "new"
    }  # fmt: skip
    url = reverse("core:import_detail", args=[job.pk])
    response = client.get(url)
    html = response.content.decode()
    assert "?class=moved" in html and "Moved to another unit (1)" in html and "Now retired (1)" in html
    assert '<span class="badge badge-ok">Now retired</span>' in html
    # a note (stored in the language of the check), shown apart from problems
    note = next(m for m in job.rows.get(row_number=6).notes if "保留会籍" in m)
    assert f'<div class="muted">{note}' in html
    # the finding, with a link to the person's page where an officer decides
    assert job.findings[0]["title"] in html and "钱七" in html
    assert reverse("members:person_detail", args=[registry["qian"].pk]) in html
    assert "孙八" not in html

    moved_only = client.get(url, {"class": "moved"})
    assert [row.row_number for row in moved_only.context["page"].object_list] == [9]
    assert "王五" in moved_only.content.decode() and "张三" not in moved_only.content.decode()
    assert client.get(url, {"class": "nonsense"}).context["class_filter"] == ""

    download = client.get(url, {"finding": "not_in_roster"})
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    data = b"".join(download.streaming_content) if download.streaming else download.content
    sheet = [
        list(row)
        for row in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True)
    ]
    assert ["10005", "钱七", "机械工程学院", "在编"] in [
        row[:4] for row in sheet
    ]  # labels: language of the check
    assert client.get(url, {"finding": "nonsense"}).status_code == 404


def test_after_applying_the_page_still_lists_who_is_not_in_the_roster(
    client: Any, previewed: ImportJob, registry: dict[str, Person], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("core:import_apply", args=[previewed.pk]))
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.APPLIED, previewed.error
    html = client.get(reverse("core:import_detail", args=[previewed.pk])).content.decode()
    assert previewed.findings[0]["title"] in html and "钱七" in html
    assert Person.objects.get(staff_no="10003").unit.name == "外国语学院"
    assert Person.objects.get(staff_no="10005").is_active


def test_a_roster_listing_everyone_says_so(client: Any, staff: Any, tree: Any, make_person: Any) -> None:
    make_person(tree.a, staff_no="60001", name="甲")
    outcome = check([["60001", "甲", "女", None, None, None, "在编", "机械学院"]], user=staff)
    [finding] = outcome.findings
    assert finding["total"] == 0 and finding["items"] == []
    assert "Everyone on the staff" in finding["empty"]


def test_checking_writes_nothing(tree: Any, staff: Any, registry: dict[str, Person]) -> None:
    before = AuditEntry.objects.count()
    run_import(get_importer(KIND)(user=staff), messy_roster())
    assert AuditEntry.objects.count() == before


def test_a_corrected_id_number_is_shown_masked_and_applied(tree: Any, make_person: Any, staff: Any) -> None:
    make_person(
        tree.a, staff_no="70001", name="甲", sex="M", id_number=ID_ZHANG, birth_date=dt.date(1978, 6, 1)
    )
    make_person(tree.a, staff_no="70002", name="乙", sex="M")  # no ID number registered yet
    rows = [
        ["70001", "甲", None, ID_NEW_15_AS_18, None, None, "在编", "机械学院"],
        ["70002", "乙", None, ID_HE[:-4] + "0013", None, None, "在编", "机械学院"],
    ]
    rows[1][3] = valid_id(rows[1][3][:17])
    outcome = check(rows, user=staff)
    first, second = outcome.rows
    assert first.classification == "changed"
    assert first.changes["id_number"] == [
        ID_ZHANG[:4] + "*" * 10 + ID_ZHANG[-4:],
        "3206**********" + ID_NEW_15_AS_18[-4:],
    ]
    assert first.changes["birth_date"] == [dt.date(1978, 6, 1), dt.date(1985, 3, 12)]
    assert second.changes["id_number"][0] is None
    run_import(get_importer(KIND)(user=staff), workbook([ROSTER_HEADER, *rows]), apply=True)
    assert Person.objects.get(staff_no="70001").id_number == ID_NEW_15_AS_18
    entry = AuditEntry.objects.filter(
        action="members.person.updated", target_id=str(Person.objects.get(staff_no="70001").pk)
    ).get()
    assert ID_NEW_15_AS_18 not in json.dumps(entry.changes)
