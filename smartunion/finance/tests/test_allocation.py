"""Budget allocation by formula: members counted on a date per unit subtree, the preview, the all-or-nothing
apply with its rows and audit trail, and every refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.finance import adjustments, allocation, services, spending
from smartunion.finance.models import BudgetAllocation, BudgetAllocationRow, BudgetLine, FiscalYear
from smartunion.members import services as member_services
from smartunion.members.selectors import kpis
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit

from .conftest import YEAR, spend
from .test_spending import file

pytestmark = pytest.mark.django_db

D = Decimal
COUNTED_ON = dt.date(YEAR, 1, 1)
_letters = {"n": 0}


@pytest.fixture(autouse=True)
def today(monkeypatch: Any) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(YEAR, 3, 2))


def member(make_person: Any, unit: Any, joined: dt.date = dt.date(2015, 1, 1), **fields: Any) -> Any:
    """A person who transferred in as a member on ``joined``."""
    person = make_person(unit=unit, hire_date=dt.date(2010, 1, 1), **fields)
    _letters["n"] += 1
    member_services.membership.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="某单位工会",
        letter_no=f"ALLOC-{_letters['n']}",
        original_joined_on=joined,
        on=joined,
    )
    return person


@pytest.fixture
def people(make_person: Any, tree: Any) -> dict[str, Any]:
    """A: two members, one in its group A1 (3 in the subtree with the late joiner after the count date …
    who does not count); B: one member and one non-member."""
    return {
        "a": member(make_person, tree.a),
        "a1": member(make_person, tree.a1),
        "late_a": member(make_person, tree.a, joined=dt.date(YEAR, 2, 1)),
        "b": member(make_person, tree.b),
        "non_member_b": make_person(unit=tree.b, hire_date=dt.date(2010, 1, 1)),
    }


@pytest.fixture
def school(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


def inputs(chart: dict[str, Any], **changes: Any) -> dict[str, Any]:
    values = {
        "year": YEAR,
        "category": chart["50101"],
        "counted_on": COUNTED_ON,
        "per_member": "100.50",
        "fixed_amount": "2000.00",
    }
    values.update(changes)
    return values


def test_member_counts_on_a_date_per_subtree(people, tree):
    counts = kpis.member_counts_on(on=COUNTED_ON, units=[tree.a, tree.b, tree.a1])
    assert counts == {tree.a.pk: 2, tree.b.pk: 1, tree.a1.pk: 1}
    assert kpis.member_counts_on(on=dt.date(YEAR, 3, 1), units=[tree.a])[tree.a.pk] == 3
    assert kpis.member_counts_on(on=COUNTED_ON, units=[]) == {}


def test_preview_defaults_to_every_sub_union_and_computes_the_formula(people, school, chart, tree, budget):
    budget("50101", "1000.00", unit=tree.b)
    preview = allocation.allocation_preview(actor=school, **inputs(chart))
    assert [row.unit for row in preview.rows] == [tree.a, tree.b]
    a, b = preview.rows
    assert (a.members, a.per_member_part, a.fixed_part, a.amount, a.current) == (
        2,
        D("201.00"),
        D("2000.00"),
        D("2201.00"),
        None,
    )
    assert (b.members, b.amount, b.current, b.change) == (1, D("2100.50"), D("1000.00"), D("1100.50"))
    assert preview.total == D("4301.50") and preview.members == 3 and preview.ok
    assert not BudgetLine.objects.filter(unit=tree.a).exists()  # a preview writes nothing


def test_apply_sets_every_line_and_records_the_allocation(people, school, chart, tree, budget):
    existing = budget("50101", "1000.00", unit=tree.b)
    applied = allocation.allocation_apply(actor=school, note="年初分配", **inputs(chart))
    assert applied.total == D("4301.50") and applied.note == "年初分配" and applied.applied_by == school
    line_a = BudgetLine.objects.get(year=YEAR, unit=tree.a, category=chart["50101"])
    existing.refresh_from_db()
    assert line_a.amount == D("2201.00") and existing.amount == D("2100.50")
    rows = {row.unit_id: row for row in applied.rows.all()}
    assert (rows[tree.a.pk].members, rows[tree.a.pk].previous_amount, rows[tree.a.pk].budget_line) == (
        2,
        None,
        line_a,
    )
    assert rows[tree.b.pk].previous_amount == D("1000.00") and rows[tree.b.pk].amount == D("2100.50")
    assert AuditEntry.objects.filter(action="finance.budget.allocated").count() == 2
    entry = AuditEntry.objects.get(action="finance.allocation.applied")
    assert entry.unit_id == tree.root.pk and entry.changes["total"] == "4301.50"
    # Applied again with the same figures: the lines hold already, nothing to audit per line.
    allocation.allocation_apply(actor=school, **inputs(chart))
    assert AuditEntry.objects.filter(action="finance.budget.allocated").count() == 2
    assert BudgetAllocation.objects.count() == 2


def test_chosen_units_and_zero_members(people, school, chart, tree, make_person):
    empty = org_services.unit_create(
        actor=None, name="新成立工会", code="03", union_type=OrgUnit.UnionType.BRANCH, parent=tree.root
    )
    preview = allocation.allocation_preview(actor=school, units=[tree.a1, empty], **inputs(chart))
    assert [(row.unit, row.members, row.amount) for row in preview.rows] == [
        (tree.a1, 1, D("2100.50")),
        (empty, 0, D("2000.00")),
    ]


def test_a_line_used_beyond_the_new_amount_refuses_the_whole_allocation(
    people, school, chart, tree, budget, make_user
):
    line_b = budget("50101", "9000.00", unit=tree.b)
    chair = make_user("subunion_chair", tree.b)
    spending.spending_request_approve(actor=school, request=file(chair, line_b, "1500.00"))
    services.entry_post(
        actor=None,
        idempotency_key="alloc-test",
        unit=tree.b,
        posted_on=dt.date(YEAR, 2, 1),
        memo="已支出",
        lines=spend(chart["50101"], "700.00"),
    )
    preview = allocation.allocation_preview(actor=school, **inputs(chart))
    assert not preview.ok
    assert preview.rows[1].used == D("2200.00")
    assert "2200.00" in preview.problems[0] and "外国语学院" in preview.problems[0]
    with pytest.raises(ValidationError):
        allocation.allocation_apply(actor=school, **inputs(chart))
    assert not BudgetLine.objects.filter(unit=tree.a).exists()  # all or nothing
    assert not BudgetAllocation.objects.exists() and not BudgetAllocationRow.objects.exists()
    line_b.refresh_from_db()
    assert line_b.amount == D("9000.00")
    # Enough per member: it applies.
    assert allocation.allocation_apply(actor=school, **inputs(chart, fixed_amount="2100.00")).pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"per_member": "-1"}, "per_member"),
        ({"fixed_amount": "-0.01"}, "fixed_amount"),
        ({"per_member": "1.005"}, "per_member"),
        ({"fixed_amount": "abc"}, "fixed_amount"),
        ({"per_member": "0", "fixed_amount": "0"}, "per_member"),
        ({"per_member": "100000000"}, "per_member"),
        ({"year": 1999}, "year"),
        ({"counted_on": dt.date(YEAR, 3, 3)}, "counted_on"),
        ({"counted_on": None}, "counted_on"),
        ({"category": None}, "category"),
    ],
)
def test_bad_inputs_are_refused_by_field(people, school, chart, changes, field):
    with pytest.raises(ValidationError) as refused:
        allocation.allocation_preview(actor=school, **inputs(chart, **changes))
    assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        allocation.allocation_apply(actor=school, **inputs(chart, **changes))
    assert not BudgetLine.objects.exists() and not BudgetAllocation.objects.exists()


def test_income_category_closed_year_no_units_nested_units(people, school, chart, tree):
    with pytest.raises(ValidationError) as refused:
        allocation.allocation_preview(actor=school, **inputs(chart, category=chart["401"]))
    assert "category" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        allocation.allocation_preview(actor=school, units=[], **inputs(chart))
    assert "units" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        allocation.allocation_preview(actor=school, units=[tree.a, tree.a1], **inputs(chart))
    assert "count twice" in " ".join(refused.value.message_dict["units"])
    FiscalYear.objects.create(year=YEAR, closed_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        allocation.allocation_apply(actor=school, **inputs(chart))
    assert "closed" in " ".join(refused.value.message_dict["year"])


def test_only_the_school_union_allocates(people, chart, tree, make_user):
    for user in (
        make_user("union_staff", tree.a),
        make_user("union_chair", tree.root),
        make_user("auditor", tree.root),
    ):
        with pytest.raises(PermissionDenied):
            allocation.allocation_preview(actor=user, **inputs(chart))
        with pytest.raises(PermissionDenied):
            allocation.allocation_apply(actor=user, **inputs(chart))
    assert not BudgetLine.objects.exists()


def test_a_unit_outside_the_actors_tree_is_refused(people, school, chart):
    other_root = org_services.unit_create(
        actor=None, name="另一所大学工会", code="X0", union_type=OrgUnit.UnionType.SCHOOL
    )
    elsewhere = org_services.unit_create(
        actor=None, name="某学院", code="X1", union_type=OrgUnit.UnionType.BRANCH, parent=other_root
    )
    with pytest.raises(ValidationError) as refused:
        allocation.allocation_apply(actor=school, units=[elsewhere], **inputs(chart))
    assert "某学院" in " ".join(refused.value.message_dict["units"])
    assert not BudgetLine.objects.exists()


def test_a_pending_adjustment_is_warned_about_and_goes_stale(people, school, chart, tree, budget, make_user):
    line = budget("50101", "1000.00", unit=tree.b)
    requester = make_user("union_staff", tree.b)
    pending = adjustments.adjustment_request(
        actor=requester, line=line, amount_after="1500.00", reason="活动"
    )
    preview = allocation.allocation_preview(actor=school, **inputs(chart))
    assert len(preview.warnings) == 1 and "1500.00" in preview.warnings[0]
    allocation.allocation_apply(actor=school, **inputs(chart))
    with pytest.raises(ValidationError, match="changed"):
        adjustments.adjustment_approve(actor=school, adjustment=pending, note="")


def test_preview_queries_are_bounded_whatever_the_number_of_units(
    people, school, chart, tree, budget, django_assert_max_num_queries
):
    budget("50101", "100.00", unit=tree.a)
    for n in range(8):
        unit = org_services.unit_create(
            actor=None, name=f"学院{n}", code=f"1{n}", union_type=OrgUnit.UnionType.BRANCH, parent=tree.root
        )
        budget("50101", "100.00", unit=unit)
    school.scope_for("finance.budget.manage")  # the grants, read once per request anyway
    units = list(allocation.default_units(school))
    assert len(units) == 10

    def count(chosen: list[Any]) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            allocation.allocation_preview(actor=school, units=chosen, **inputs(chart))
        return len(captured.captured_queries)

    assert count(units[:2]) == count(units)
    with django_assert_max_num_queries(8):
        allocation.allocation_preview(actor=school, units=units, **inputs(chart))
