"""Dues (会费): the arithmetic, the effective-dated rule, the monthly sheet, recording a month as deducted,
marking a charge as not deducted, the pages and the member's own dues on 我的."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from smartunion.core.models import AuditEntry
from smartunion.members import selectors, services
from smartunion.members.models import DuesCharge, DuesMonth, DuesRule, Membership, StaffCategory
from smartunion.members.selectors.dues import add_months, counted_base, dues_amount, dues_split, month_start

D = Decimal
TODAY = timezone.localdate()
THIS_MONTH = month_start(TODAY)
LAST_MONTH = add_months(THIS_MONTH, -1)


@pytest.fixture
def english() -> Any:
    """The services' messages in English, as these tests quote them (the product speaks Chinese)."""
    with translation.override("en"):
        yield


def rule(**fields: Any) -> DuesRule:
    values = {
        "effective_from": dt.date(2000, 1, 1),
        "base_items": ["post_salary", "grade_salary"],
        "base_step": D("10"),
        "rate": D("0.005"),
        "precision": D("0.1"),
        "rounding": DuesRule.Rounding.HALF_UP,
        "school_share": D("0.5"),
    }
    values.update(fields)
    return DuesRule(**values)


# -- the arithmetic ------------------------------------------------------------------------------------

HALF_UP, DOWN, UP = DuesRule.Rounding.HALF_UP, DuesRule.Rounding.DOWN, DuesRule.Rounding.UP


@pytest.mark.parametrize(
    ("base", "precision", "rounding", "step", "expected_base", "expected"),
    [
        # The default rule: remainder under 10 yuan ignored, 0.5 %, to 0.1 yuan half up.
        ("4567.89", "0.1", HALF_UP, "10", "4560", "22.80"),
        ("9.99", "0.1", HALF_UP, "10", "0", "0.00"),
        ("0", "0.1", HALF_UP, "10", "0", "0.00"),
        ("-50", "0.1", HALF_UP, "10", "0", "0.00"),
        ("10.00", "0.1", HALF_UP, "10", "10", "0.10"),  # 0.05 → half up to 0.1
        ("19.99", "0.1", HALF_UP, "10", "10", "0.10"),
        ("4569.99", "0.1", HALF_UP, "10", "4560", "22.80"),  # just under the next step
        ("4570.00", "0.1", HALF_UP, "10", "4570", "22.90"),  # 22.85 exactly half → up
        ("4530.00", "0.1", HALF_UP, "10", "4530", "22.70"),  # 22.65 → 22.7
        ("4520.00", "0.1", HALF_UP, "10", "4520", "22.60"),  # exact
        ("4510.00", "0.1", HALF_UP, "10", "4510", "22.60"),  # 22.55 → 22.6
        # Each rounding mode on the same half-way value (22.55) and an exact one (22.60).
        ("4510.00", "0.1", DOWN, "10", "4510", "22.50"),
        ("4510.00", "0.1", UP, "10", "4510", "22.60"),
        ("4520.00", "0.1", DOWN, "10", "4520", "22.60"),
        ("4520.00", "0.1", UP, "10", "4520", "22.60"),
        ("4512.00", "0.1", DOWN, "10", "4510", "22.50"),
        # To the fen, without ignoring a remainder: 4567.89 × 0.005 = 22.83945.
        ("4567.89", "0.01", HALF_UP, "0", "4567.89", "22.84"),
        ("4567.89", "0.01", DOWN, "0", "4567.89", "22.83"),
        ("4567.89", "0.01", UP, "0", "4567.89", "22.84"),
        # To the yuan: 22.8 → 23 / 22 / 23.
        ("4567.89", "1", HALF_UP, "10", "4560", "23.00"),
        ("4567.89", "1", DOWN, "10", "4560", "22.00"),
        ("4567.89", "1", UP, "10", "4560", "23.00"),
        ("4500.00", "1", HALF_UP, "10", "4500", "23.00"),  # 22.5 → 23
        # A larger step.
        ("4567.89", "0.1", HALF_UP, "100", "4500", "22.50"),
    ],
)
def test_dues_amount_table(
    base: str, precision: str, rounding: str, step: str, expected_base: str, expected: str
) -> None:
    r = rule(precision=D(precision), rounding=rounding, base_step=D(step))
    assert counted_base(D(base), r) == D(expected_base)
    amount = dues_amount(D(base), r)
    assert amount == D(expected)
    assert amount.as_tuple().exponent == -2  # stored to the fen


@pytest.mark.parametrize(
    ("amount", "share", "school", "unit"),
    [
        ("22.80", "0.5", "11.40", "11.40"),
        ("22.90", "0.5", "11.45", "11.45"),
        ("0.05", "0.5", "0.03", "0.02"),  # 0.025 → the school's half rounds up, the unit gets the rest
        ("0.10", "0.3", "0.03", "0.07"),
        ("22.83", "0.6", "13.70", "9.13"),
        ("10.00", "0", "0.00", "10.00"),
        ("10.00", "1", "10.00", "0.00"),
    ],
)
def test_split_table(amount: str, share: str, school: str, unit: str) -> None:
    assert dues_split(D(amount), rule(school_share=D(share))) == (D(school), D(unit))


def test_split_always_adds_up() -> None:
    rng = random.Random(3)
    for _ in range(500):
        amount = D(rng.randint(0, 100000)) / 100
        share = D(rng.randint(0, 10000)) / 10000
        school, unit = dues_split(amount, rule(school_share=share))
        assert school + unit == amount and school >= 0 and unit >= 0


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 3, 15), -6) == dt.date(2025, 9, 15)


# -- the rule ------------------------------------------------------------------------------------------


def test_default_rule_is_seeded_after_migrate(db: Any) -> None:
    seeded = selectors.dues.rule_in_force(TODAY)
    assert seeded is not None
    assert seeded.base_items == ["post_salary", "grade_salary"]
    assert (seeded.rate, seeded.base_step, seeded.precision) == (D("0.005"), D("10"), D("0.1"))
    assert seeded.rounding == DuesRule.Rounding.HALF_UP and seeded.school_share == D("0.5")
    # As read back from the database (precision stored as 0.10): 22.85 rounds to the jiao.
    assert dues_amount(D("4575.00"), seeded) == D("22.90")
    services.dues.dues_rule_ensure_default()  # run again: nothing added
    assert DuesRule.objects.count() == 1


@pytest.fixture
def office(make_user: Any, tree: Any) -> Any:
    """The union office: union staff at the top of the tree."""
    return make_user("union_staff", tree.root, name="校工会干事")


GOOD_RULE = {
    "base_items": ["post_salary"],
    "base_step": "0",
    "rate": "0.004",
    "precision": "0.01",
    "rounding": "down",
    "school_share": "0.4",
}


def test_rule_set_effective_dated_and_audited(office: Any) -> None:
    start = add_months(THIS_MONTH, 1)
    new = services.dues.dues_rule_set(actor=office, effective_from=start, note="2027 调整", **GOOD_RULE)
    assert selectors.dues.rule_in_force(TODAY).effective_from == dt.date(2000, 1, 1)
    assert selectors.dues.rule_in_force(start) == new
    assert new.created_by == office and new.rate == D("0.004")
    entry = AuditEntry.objects.get(action="members.dues.rule_set")
    assert entry.changes["rate"] == "0.004" and entry.actor == office
    # The same date again replaces that (unused) rule, audited as a change.
    again = services.dues.dues_rule_set(actor=office, effective_from=start, **{**GOOD_RULE, "rate": "0.006"})
    assert again.pk == new.pk and DuesRule.objects.count() == 2
    assert AuditEntry.objects.get(action="members.dues.rule_changed").changes["rate"] == ["0.0040", "0.0060"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"rate": "0"}, "rate", "more than 0"),
        ({"rate": "0.06"}, "rate", "at most 5 per cent"),
        ({"rate": "abc"}, "rate", "more than 0"),
        ({"base_items": []}, "base_items", "at least one salary item"),
        ({"base_items": ["bonus"]}, "base_items", "Unknown salary item: bonus"),
        ({"precision": "0.5"}, "precision", "0.01, 0.1 or 1"),
        ({"school_share": "1.5"}, "school_share", "between 0 and 100 per cent"),
        ({"school_share": "-0.1"}, "school_share", "between 0 and 100 per cent"),
        ({"base_step": "500"}, "base_step", "between 0 and 100 yuan"),
        ({"rounding": "banker"}, "rounding", "how to round"),
    ],
)
@pytest.mark.usefixtures("english")
def test_rule_set_refuses_bad_values(office: Any, change: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.dues.dues_rule_set(
            actor=office, effective_from=add_months(THIS_MONTH, 1), **{**GOOD_RULE, **change}
        )
    assert field in caught.value.error_dict
    assert message in " ".join(caught.value.message_dict[field])
    assert DuesRule.objects.count() == 1


@pytest.mark.usefixtures("english")
def test_rule_must_start_on_a_first_and_after_the_last_recorded_month(office: Any, member: Any) -> None:
    with pytest.raises(ValidationError, match="first day of a month"):
        services.dues.dues_rule_set(actor=office, effective_from=THIS_MONTH.replace(day=2), **GOOD_RULE)
    services.dues.dues_month_record(actor=office, month=LAST_MONTH)
    for backdated in (LAST_MONTH, add_months(LAST_MONTH, -3)):
        with pytest.raises(ValidationError) as caught:
            services.dues.dues_rule_set(actor=office, effective_from=backdated, **GOOD_RULE)
        assert "already recorded as deducted" in caught.value.message_dict["effective_from"][0]
    assert services.dues.dues_rule_set(actor=office, effective_from=THIS_MONTH, **GOOD_RULE)


def test_rule_and_months_are_for_the_school_union_only(make_user: Any, tree: Any) -> None:
    staff_at_a_unit = make_user("union_staff", tree.a)
    chair = make_user("subunion_chair", tree.root)
    for actor in (staff_at_a_unit, chair):
        with pytest.raises(PermissionDenied):
            services.dues.dues_rule_set(actor=actor, effective_from=add_months(THIS_MONTH, 1), **GOOD_RULE)
        with pytest.raises(PermissionDenied):
            services.dues.dues_month_record(actor=actor, month=LAST_MONTH)


# -- the sheet -----------------------------------------------------------------------------------------

_letters = {"n": 0}


def make_member(person: Any, joined: dt.date = dt.date(2015, 7, 1)) -> Any:
    _letters["n"] += 1
    services.membership.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="某单位工会",
        letter_no=f"DUES-{_letters['n']}",
        original_joined_on=joined,
        on=joined,
    )
    person.membership.refresh_from_db()
    return person


@pytest.fixture
def member(make_person: Any, tree: Any) -> Any:
    return make_member(
        make_person(unit=tree.a, name="张三", post_salary=D("2800.00"), grade_salary=D("1767.89"))
    )


@pytest.fixture
def population(make_person: Any, tree: Any) -> dict[str, Any]:
    """Paying and non-paying people in A, its group A1 and B."""
    temporary = StaffCategory.objects.get(name="劳务派遣")
    people = {
        "full_a": make_member(make_person(unit=tree.a, post_salary=D("2800"), grade_salary=D("1767.89"))),
        "temp_a1": make_member(
            make_person(unit=tree.a1, category=temporary, post_salary=D("3000"), grade_salary=D("0"))
        ),
        "full_b": make_member(make_person(unit=tree.b, post_salary=D("5000"), grade_salary=D("1234.56"))),
        "retained_a": make_member(make_person(unit=tree.a, post_salary=D("6000"), grade_salary=D("2000"))),
        "applying_a": make_person(unit=tree.a, post_salary=D("6000"), grade_salary=D("2000")),
        "none_a": make_person(unit=tree.a, post_salary=D("6000")),
        "left_a": make_member(make_person(unit=tree.a, post_salary=D("6000"))),
        "joins_later": make_member(make_person(unit=tree.a, post_salary=D("6000")), joined=TODAY),
    }
    services.membership.membership_retain(
        actor=None, membership=people["retained_a"].membership, reason="long_absence"
    )
    Membership.objects.filter(person=people["applying_a"]).update(status=Membership.Status.APPLYING)
    people["left_a"].is_active = False
    people["left_a"].save(update_fields=["is_active"])
    assert people["temp_a1"].membership.status == Membership.Status.TEMPORARY
    return people


def staff_nos(sheet: Any) -> set[str]:
    return {line.staff_no for line in sheet.lines}


def test_sheet_charges_paying_members_only(population: dict[str, Any], office: Any, tree: Any) -> None:
    sheet = selectors.dues.dues_sheet(user=office, month=LAST_MONTH)
    p = population
    assert staff_nos(sheet) == {p["full_a"].staff_no, p["temp_a1"].staff_no, p["full_b"].staff_no}
    line = next(line for line in sheet.lines if line.staff_no == p["full_a"].staff_no)
    assert (line.base, line.amount, line.school_part, line.unit_part) == (
        D("4560"),
        D("22.80"),
        D("11.40"),
        D("11.40"),
    )
    # This month the member who joined today is charged too.
    assert p["joins_later"].staff_no in staff_nos(selectors.dues.dues_sheet(user=office, month=THIS_MONTH))
    # Grouped by sub-union (A's group A1 counts under A), with subtotals and the total.
    assert [g.unit for g in sheet.groups] == [tree.a, tree.b]
    group_a = sheet.groups[0]
    assert group_a.totals.count == 2
    assert group_a.totals.amount == D("22.80") + D("15.00")
    assert sheet.totals.amount == D("22.80") + D("15.00") + D("31.20")
    assert sheet.totals.school_part + sheet.totals.unit_part == sheet.totals.amount
    assert sheet.recorded is None


def test_sheet_is_scoped_and_filtered(population: dict[str, Any], make_user: Any, tree: Any) -> None:
    chair = make_user("subunion_chair", tree.a)
    sheet = selectors.dues.dues_sheet(user=chair, month=LAST_MONTH)
    assert population["full_b"].staff_no not in staff_nos(sheet)
    assert len(sheet.lines) == 2
    only_a1 = selectors.dues.dues_sheet(user=chair, month=LAST_MONTH, unit=tree.a1)
    assert staff_nos(only_a1) == {population["temp_a1"].staff_no}


def test_sheet_queries_do_not_grow_with_members(make_person: Any, office: Any, tree: Any) -> None:
    for _ in range(3):
        make_member(make_person(unit=tree.a, post_salary=D("3000")))
    selectors.dues.dues_sheet(user=office, month=LAST_MONTH)  # the user's grants, read once per request
    with CaptureQueriesContext(connection) as few:
        selectors.dues.dues_sheet(user=office, month=LAST_MONTH)
    for _ in range(30):
        make_member(make_person(unit=tree.a1, post_salary=D("3000")))
    with CaptureQueriesContext(connection) as many:
        sheet = selectors.dues.dues_sheet(user=office, month=LAST_MONTH)
    assert len(sheet.lines) == 33
    assert len(many) == len(few) <= 5


@pytest.mark.usefixtures("english")
def test_recording_a_month_freezes_it_once(population: dict[str, Any], office: Any) -> None:
    record = services.dues.dues_month_record(actor=office, month=LAST_MONTH)
    assert record.charges.count() == 3 and record.total == D("69.00")
    charge = record.charges.get(membership__person=population["full_a"])
    assert (charge.post_salary, charge.grade_salary, charge.base, charge.amount) == (
        D("2800"),
        D("1767.89"),
        D("4560"),
        D("22.80"),
    )
    entry = AuditEntry.objects.get(action="members.dues.month_recorded")
    assert entry.changes["members"] == 3 and entry.changes["total"] == "69.00"
    # HR raises the salary: the recorded month does not change, the live one does.
    population["full_a"].post_salary = D("5000")
    population["full_a"].save(update_fields=["post_salary"])
    frozen = selectors.dues.dues_sheet(user=office, month=LAST_MONTH)
    assert frozen.recorded == record and frozen.totals.amount == D("69.00")
    live = selectors.dues.dues_sheet(user=office, month=THIS_MONTH)
    assert live.recorded is None and live.totals.amount > D("69.00")
    with pytest.raises(ValidationError) as caught:
        services.dues.dues_month_record(actor=office, month=LAST_MONTH + dt.timedelta(days=9))
    assert "already recorded as deducted" in caught.value.messages[0]
    assert DuesMonth.objects.count() == 1 and DuesCharge.objects.count() == 3


@pytest.mark.usefixtures("english")
def test_a_month_not_started_cannot_be_recorded(member: Any, office: Any) -> None:
    with pytest.raises(ValidationError, match="has not started"):
        services.dues.dues_month_record(actor=office, month=add_months(THIS_MONTH, 1))
    assert not DuesMonth.objects.exists()


def test_marking_a_charge_not_deducted(
    population: dict[str, Any], office: Any, make_user: Any, tree: Any
) -> None:
    record = services.dues.dues_month_record(actor=office, month=LAST_MONTH)
    charge = record.charges.get(membership__person=population["full_b"])
    with pytest.raises(PermissionDenied):  # union staff of A cannot touch B's charge
        services.dues.dues_charge_set_paid(actor=make_user("union_staff", tree.a), charge=charge, paid=False)
    services.dues.dues_charge_set_paid(actor=office, charge=charge, paid=False, note="工资卡冻结")
    charge.refresh_from_db()
    assert charge.paid is False
    entry = AuditEntry.objects.get(action="members.dues.charge_unpaid")
    assert entry.changes["paid"] == [True, False] and entry.changes["note"] == "工资卡冻结"
    sheet = selectors.dues.dues_sheet(user=office, month=LAST_MONTH)
    assert sheet.totals.unpaid_count == 1 and sheet.totals.unpaid_amount == charge.amount


# -- pages ---------------------------------------------------------------------------------------------


def test_sheet_page_and_payroll_export(
    client: Any, population: dict[str, Any], make_user: Any, tree: Any
) -> None:
    client.force_login(make_user("subunion_chair", tree.a))
    page = client.get("/console/members/dues/", {"month": f"{LAST_MONTH:%Y-%m}"})
    assert page.status_code == 200
    body = page.content.decode()
    assert population["full_a"].name in body and population["full_b"].name not in body
    assert "dues_month_record" not in body and "/dues/record/" not in body  # a chair cannot record
    response = client.get("/console/members/dues/", {"month": f"{LAST_MONTH:%Y-%m}", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(rows) if len([c for c in row if c]) == 10)
    assert rows[header_at][0] in ("工号", "Staff number")
    line = next(row for row in rows if row[0] == population["full_a"].staff_no)
    assert [float(v) for v in line[3:9]] == [2800, 1767.89, 4560, 22.8, 11.4, 11.4]
    subtotal, total = rows[-2], rows[-1]
    assert subtotal[6] == pytest.approx(37.8)  # A's two members: 22.80 + 15.00
    assert total[6] == pytest.approx(37.8) and total[7] + total[8] == pytest.approx(37.8)
    assert len(rows) == header_at + 1 + 2 + 2  # two lines, A's subtotal, the total
    assert AuditEntry.objects.filter(action="core.list.exported").count() == 1


def test_sheet_page_bad_month_shows_a_message(client: Any, member: Any, office: Any) -> None:
    client.force_login(office)
    body = client.get("/console/members/dues/", {"month": "2026-13"}).content.decode()
    assert "field-error" in body


def test_record_from_the_page_twice(client: Any, population: dict[str, Any], office: Any) -> None:
    client.force_login(office)
    page = client.get("/console/members/dues/", {"month": f"{LAST_MONTH:%Y-%m}"}).content.decode()
    assert "/console/members/dues/record/" in page and "data-confirm" in page
    first = client.post("/console/members/dues/record/", {"month": f"{LAST_MONTH:%Y-%m}"}, follow=True)
    assert DuesMonth.objects.filter(month=LAST_MONTH).exists()
    assert "alert-success" in first.content.decode()
    second = client.post("/console/members/dues/record/", {"month": f"{LAST_MONTH:%Y-%m}"}, follow=True)
    messages = [str(m) for m in second.context["messages"]]
    assert any("already recorded" in m or "已" in m for m in messages)
    assert DuesCharge.objects.count() == 3
    # The frozen page offers "payroll failed" on each line; marking one works and comes back here.
    charge = DuesCharge.objects.get(membership__person=population["full_a"])
    back = client.post(
        f"/console/members/dues/charges/{charge.pk}/paid/",
        {"paid": "0", "next": f"/console/members/dues/?month={LAST_MONTH:%Y-%m}"},
    )
    assert back.status_code == 302 and back["Location"].startswith("/console/members/dues/?month=")
    charge.refresh_from_db()
    assert charge.paid is False


def test_rule_pages(client: Any, office: Any, make_user: Any, tree: Any) -> None:
    client.force_login(make_user("subunion_chair", tree.a))
    page = client.get("/console/members/dues/rules/")
    assert page.status_code == 200 and "dues-samples" in page.content.decode()
    assert "/dues/rules/new/" not in page.content.decode()
    assert client.get("/console/members/dues/rules/new/").status_code == 403
    client.force_login(office)
    assert "/dues/rules/new/" in client.get("/console/members/dues/rules/").content.decode()
    form = client.get("/console/members/dues/rules/new/")
    assert form.status_code == 200
    start = add_months(THIS_MONTH, 1)
    data = {
        "effective_from": f"{start:%Y-%m}",
        "base_items": ["post_salary", "grade_salary"],
        "base_step": "10",
        "rate_percent": "0.6",
        "precision": "0.1",
        "rounding": "half_up",
        "school_share_percent": "60",
        "action": "preview",
    }
    preview = client.post("/console/members/dues/rules/new/", data)
    assert preview.status_code == 200 and not DuesRule.objects.filter(effective_from=start).exists()
    samples = preview.context["samples"]
    assert samples[1]["gross"] == D("4567.89") and samples[1]["amount"] == D("27.40")  # 4560 × 0.6 % = 27.36
    bad = client.post("/console/members/dues/rules/new/", {**data, "rate_percent": "7", "action": "save"})
    assert bad.status_code == 200 and "rate_percent" in bad.context["form"].errors
    saved = client.post("/console/members/dues/rules/new/", {**data, "action": "save"})
    assert saved.status_code == 302
    created = DuesRule.objects.get(effective_from=start)
    assert created.rate == D("0.006") and created.school_share == D("0.6")


def test_member_sees_their_dues_on_me(
    client: Any, make_person: Any, make_user: Any, tree: Any, office: Any
) -> None:
    user = make_user("member", tree.a, name="李四")
    person = make_member(
        make_person(unit=tree.a, name="李四", user=user, post_salary=D("2800"), grade_salary=D("1767.89"))
    )
    services.dues.dues_month_record(actor=office, month=LAST_MONTH)
    client.force_login(user)
    body = client.get("/m/me/").content.decode()
    block = body.split('id="my-dues"')[1].split("</section>")[0]
    assert "22.80" in block and "4560.00" in block and "1767.89" in block
    assert f"{LAST_MONTH:%Y-%m}" in body
    dues = selectors.dues.dues_for_member(person)
    assert dues["current"]["amount"] == D("22.80") and len(dues["charges"]) == 1
    # Retained: no dues this month, and the block says so.
    services.membership.membership_retain(actor=None, membership=person.membership, reason="long_absence")
    body = client.get("/m/me/").content.decode()
    assert 'id="my-dues"' in body and "22.80" not in body.split('id="my-dues"')[1].split("<details")[0]
    assert selectors.dues.dues_for_member(person)["current"] is None


def test_non_member_has_no_dues_block(client: Any, make_person: Any, make_user: Any, tree: Any) -> None:
    user = make_user("member", tree.a)
    make_person(unit=tree.a, user=user)
    client.force_login(user)
    assert 'id="my-dues"' not in client.get("/m/me/").content.decode()
