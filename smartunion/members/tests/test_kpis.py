"""The membership KPIs on a small constructed population: 入会率 at any date (with the status read back
from the timeline) and 新进教职工入会率 for a period, per unit, in scope, with the people behind them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.members import selectors, services
from smartunion.members.models import Person, StaffCategory

D = Decimal
_letters = {"n": 0}


def transfer_in(person: Person, on: dt.date) -> Person:
    _letters["n"] += 1
    services.membership.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="某单位工会",
        letter_no=f"KPI-{_letters['n']}",
        original_joined_on=on,
        on=on,
    )
    person.membership.refresh_from_db()
    return person


def enrol(person: Person, on: dt.date) -> Person:
    services.membership.ceremony_enrol(
        actor=None,
        unit=person.unit,
        title="入职入会仪式",
        held_on=on,
        approval_ref="校工会委员会会议",
        people=[person],
    )
    person.membership.refresh_from_db()
    return person


@pytest.fixture
def staff(make_person: Any, tree: Any) -> dict[str, Person]:
    """Long-serving staff for the 入会率."""
    retired = StaffCategory.objects.get(name="退休")
    p = {
        "member_a": transfer_in(make_person(unit=tree.a, hire_date=dt.date(2010, 1, 1)), dt.date(2012, 5, 1)),
        "non_member_a1": make_person(unit=tree.a1, hire_date=dt.date(2010, 1, 1)),
        "retiree_a": transfer_in(
            make_person(unit=tree.a, category=retired, hire_date=dt.date(1990, 1, 1)), dt.date(1995, 1, 1)
        ),
        "withdrew_a": transfer_in(
            make_person(unit=tree.a, hire_date=dt.date(2015, 1, 1)), dt.date(2016, 1, 1)
        ),
        "member_b": transfer_in(make_person(unit=tree.b, hire_date=dt.date(2011, 1, 1)), dt.date(2011, 6, 1)),
        "left_a": transfer_in(make_person(unit=tree.a, hire_date=dt.date(2012, 1, 1)), dt.date(2012, 6, 1)),
        "hired_late_a": make_person(unit=tree.a, hire_date=dt.date(2026, 9, 1)),
    }
    services.membership.membership_retain(
        actor=None, membership=p["retiree_a"].membership, reason="retired", on=dt.date(2020, 1, 1)
    )
    services.membership.membership_withdraw(
        actor=None, membership=p["withdrew_a"].membership, on=dt.date(2026, 3, 1)
    )
    Person.objects.filter(pk=p["left_a"].pk).update(is_active=False, left_on=dt.date(2026, 1, 31))
    return p


@pytest.fixture
def school(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root)


@pytest.fixture
def chair_a(make_user: Any, tree: Any) -> Any:
    return make_user("subunion_chair", tree.a)


def names(people: Any) -> set[str]:
    return {person.name for person in people}


def test_join_rate_definition_at_dates(staff: dict[str, Person], school: Any, tree: Any) -> None:
    mid = selectors.kpis.join_rate(user=school, on=dt.date(2026, 6, 30))
    # Eligible on 2026-06-30: member_a, non_member_a1, withdrew_a, member_b (the retiree's category is not
    # eligible, left_a left in January, hired_late_a was not hired yet). Members: member_a, member_b.
    assert (mid.total.numerator, mid.total.denominator, mid.total.rate) == (2, 4, D("50.0"))
    # On 2026-01-15 the withdrawn member was still a member and left_a still on the staff.
    early = selectors.kpis.join_rate(user=school, on=dt.date(2026, 1, 15))
    assert (early.total.numerator, early.total.denominator) == (4, 5)
    assert early.total.rate == D("80.0")
    # The day after leaving, left_a no longer counts.
    feb = selectors.kpis.join_rate(user=school, on=dt.date(2026, 2, 1))
    assert (feb.total.numerator, feb.total.denominator) == (3, 4)
    # Today: hired_late_a is on the staff and not a member.
    now = selectors.kpis.join_rate(user=school)
    assert (now.total.numerator, now.total.denominator) == (2, 5)
    # Per unit: the school's rows are its sub-unions; A's group counts under A.
    assert [(row.unit, row.numerator, row.denominator) for row in mid.rows] == [
        (tree.a, 1, 3),
        (tree.b, 1, 1),
    ]


def test_join_rate_people_behind_the_numbers(staff: dict[str, Person], school: Any) -> None:
    on = dt.date(2026, 6, 30)
    p = staff
    eligible = selectors.kpis.join_rate_people(user=school, group="eligible", on=on)
    members = selectors.kpis.join_rate_people(user=school, group="members", on=on)
    others = selectors.kpis.join_rate_people(user=school, group="non_members", on=on)
    assert names(eligible) == names([p["member_a"], p["non_member_a1"], p["withdrew_a"], p["member_b"]])
    assert names(members) == names([p["member_a"], p["member_b"]])
    assert names(others) == names([p["non_member_a1"], p["withdrew_a"]])
    early_members = selectors.kpis.join_rate_people(user=school, group="members", on=dt.date(2026, 1, 15))
    assert p["withdrew_a"].name in names(early_members) and p["left_a"].name in names(early_members)
    with pytest.raises(ValueError):
        selectors.kpis.join_rate_people(user=school, group="everyone", on=on)


def test_join_rate_in_a_subunion_scope(staff: dict[str, Person], chair_a: Any, tree: Any) -> None:
    report = selectors.kpis.join_rate(user=chair_a, on=dt.date(2026, 6, 30))
    assert (report.total.numerator, report.total.denominator) == (1, 3)
    assert report.root == tree.a
    rows = [(row.unit, row.is_self, row.numerator, row.denominator) for row in report.rows]
    assert rows == [(tree.a, True, 1, 2), (tree.a1, False, 0, 1)]
    direct = selectors.kpis.join_rate_people(
        user=chair_a, group="eligible", on=dt.date(2026, 6, 30), unit=tree.a, direct=True
    )
    assert names(direct) == names([staff["member_a"], staff["withdrew_a"]])
    assert staff["member_b"].name not in names(
        selectors.kpis.join_rate_people(user=chair_a, group="eligible", on=dt.date(2026, 6, 30))
    )


def test_a_unit_without_staff_has_no_rate(school: Any, tree: Any) -> None:
    report = selectors.kpis.join_rate(user=school, unit=tree.b1)
    assert report.total.denominator == 0 and report.total.rate is None and report.rows == []


@pytest.fixture
def hires(make_person: Any, tree: Any) -> dict[str, Person]:
    """New hires around the period 2026-01-01 … 2026-06-30 (joining deadline: 3 months after hire)."""
    retired = StaffCategory.objects.get(name="退休")
    h = {
        "first_day": enrol(make_person(unit=tree.a, hire_date=dt.date(2026, 1, 1)), dt.date(2026, 3, 15)),
        "last_day_on_deadline": enrol(
            make_person(unit=tree.a1, hire_date=dt.date(2026, 6, 30)), dt.date(2026, 9, 30)
        ),
        "late": enrol(make_person(unit=tree.a, hire_date=dt.date(2026, 2, 10)), dt.date(2026, 6, 1)),
        "missed": make_person(unit=tree.a, hire_date=dt.date(2026, 3, 1)),
        "withdrew": enrol(make_person(unit=tree.b, hire_date=dt.date(2026, 4, 1)), dt.date(2026, 5, 1)),
        "retiree": make_person(unit=tree.a, category=retired, hire_date=dt.date(2026, 2, 1)),
        "before": enrol(make_person(unit=tree.a, hire_date=dt.date(2025, 12, 31)), dt.date(2026, 1, 10)),
        "after": make_person(unit=tree.a, hire_date=dt.date(2026, 7, 1)),
        "left_early": make_person(unit=tree.a, hire_date=dt.date(2026, 3, 1)),
        "transferred_in": transfer_in(
            make_person(unit=tree.b, hire_date=dt.date(2026, 5, 1)), dt.date(2019, 1, 1)
        ),
    }
    services.membership.membership_withdraw(
        actor=None, membership=h["withdrew"].membership, on=dt.date(2026, 8, 1)
    )
    Person.objects.filter(pk=h["left_early"].pk).update(is_active=False, left_on=dt.date(2026, 4, 1))
    return h


PERIOD = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 6, 30)}


def test_new_hire_rate_definition(hires: dict[str, Person], school: Any, tree: Any) -> None:
    report = selectors.kpis.new_hire_join_rate(user=school, **PERIOD)
    # In: first_day, last_day_on_deadline, late, missed, withdrew, transferred_in (6); joined in time:
    # first_day, last_day_on_deadline (exactly on the deadline), transferred_in (joined before hire).
    assert (report.total.numerator, report.total.denominator, report.total.rate) == (3, 6, D("50.0"))
    assert report.total.counts == {"late": 1, "pending": 0, "missed": 2}
    assert [(row.unit, row.numerator, row.denominator) for row in report.rows] == [
        (tree.a, 2, 4),
        (tree.b, 1, 2),
    ]
    h = hires
    joined = selectors.kpis.new_hire_people(user=school, group="joined", **PERIOD)
    not_joined = selectors.kpis.new_hire_people(user=school, group="not_joined", **PERIOD)
    assert names(joined) == names([h["first_day"], h["last_day_on_deadline"], h["transferred_in"]])
    assert names(not_joined) == names([h["late"], h["missed"], h["withdrew"]])
    assert names(selectors.kpis.new_hire_people(user=school, group="new_hires", **PERIOD)) == names(
        joined
    ) | names(not_joined)


def test_new_hire_rate_in_scope_and_pending(
    make_person: Any, hires: dict[str, Person], chair_a: Any, tree: Any
) -> None:
    report = selectors.kpis.new_hire_join_rate(user=chair_a, **PERIOD)
    assert (report.total.numerator, report.total.denominator) == (2, 4)
    recent = make_person(unit=tree.a, hire_date=timezone.localdate() - dt.timedelta(days=20))
    this_year = selectors.kpis.new_hire_join_rate(user=chair_a)
    assert this_year.start == dt.date(timezone.localdate().year, 1, 1)
    assert this_year.total.counts["pending"] >= 1
    assert recent.name in names(selectors.kpis.new_hire_people(user=chair_a, group="not_joined"))


# -- pages ---------------------------------------------------------------------------------------------


def test_overview_page(client: Any, staff: dict[str, Person], hires: dict[str, Person], chair_a: Any) -> None:
    client.force_login(chair_a)
    response = client.get(
        "/console/members/kpis/", {"on": "2026-06-30", "start": "2026-01-01", "end": "2026-06-30"}
    )
    assert response.status_code == 200
    # A on 2026-06-30: member_a, non_member_a1, withdrew_a and the new hires first_day, late, before (members)
    # and missed, last_day_on_deadline (not yet): 4 of 8.
    assert (response.context["rate"].total.numerator, response.context["rate"].total.denominator) == (4, 8)
    assert response.context["hires"].total.rate == D("50.0")
    body = response.content.decode()
    assert "/console/members/kpis/people/?" in body and "group=non_members" in body and "direct=1" in body
    assert staff["member_b"].name not in body


def test_overview_bad_period_is_explained(client: Any, chair_a: Any) -> None:
    client.force_login(chair_a)
    response = client.get("/console/members/kpis/", {"start": "2026-06-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assert "end" in response.context["form"].errors


def test_another_units_filter_is_refused(
    client: Any, staff: dict[str, Person], chair_a: Any, tree: Any
) -> None:
    client.force_login(chair_a)
    response = client.get(
        "/console/members/kpis/people/", {"kpi": "join_rate", "group": "eligible", "unit": tree.b.pk}
    )
    assert response.status_code == 200
    assert staff["member_b"].name not in response.content.decode()
    assert (
        client.get("/console/members/kpis/people/", {"kpi": "join_rate", "group": "all"}).status_code == 404
    )


def test_people_page_lists_and_exports(client: Any, hires: dict[str, Person], school: Any) -> None:
    client.force_login(school)
    params = {"kpi": "new_hires", "group": "not_joined", "start": "2026-01-01", "end": "2026-06-30"}
    page = client.get("/console/members/kpis/people/", params)
    body = page.content.decode()
    assert page.status_code == 200
    assert hires["missed"].name in body and hires["first_day"].name not in body
    assert f"/console/members/{hires['missed'].pk}/" in body
    export = client.get("/console/members/kpis/people/", {**params, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert {hires["late"].name, hires["missed"].name, hires["withdrew"].name} <= cells
    assert hires["first_day"].name not in cells


def test_overview_export(client: Any, staff: dict[str, Person], school: Any) -> None:
    client.force_login(school)
    export = client.get("/console/members/kpis/", {"on": "2026-06-30", "export": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[-1][1:4] == (4, 2, 50)
