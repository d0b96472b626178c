"""Hardship statistics: counts of 1–2 suppressed as "<3", a sub-union chair sees only their subtree, the
assistance paid by programme and month, the average days to payment, the dashboard counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from smartunion.hardship.models import AssistanceApplication, HardshipFile, PurgedCount, Review
from smartunion.hardship.selectors import stats

from . import factories

pytestmark = pytest.mark.django_db
Status = HardshipFile.Status


@pytest.fixture
def world(tree: Any, make_user: Any, make_person: Any) -> Any:
    staff = make_user("union_staff", tree.root)
    # Unit A (with its group A1): 4 active files (illness), unit B: 1 active file (schooling).
    for unit in (tree.a, tree.a, tree.a1, tree.a1):
        factories.make_file(person=make_person(unit=unit), actor=staff)
    factories.make_file(person=make_person(unit=tree.b), actor=staff, cause=HardshipFile.Cause.SCHOOLING)
    factories.make_file(person=make_person(unit=tree.b), actor=staff, status=Status.EXITED)
    return staff


def test_suppress() -> None:
    assert [stats.suppress(n) for n in (0, 1, 2, 3, 10, None)] == [0, "<3", "<3", 3, 10, 0]


def test_category_cause_grid_and_suppression(world: Any, tree: Any, make_user: Any) -> None:
    grid = stats.files_by_category_and_cause(user=world)
    deep = next(row for row in grid.rows if row["key"] == "deep")
    causes = [value for value, _label in grid.columns]
    assert deep["cells"][causes.index("illness")] == 4
    assert deep["cells"][causes.index("schooling")] == "<3"
    assert deep["total"] == 5 and grid.total == 5
    relative = next(row for row in grid.rows if row["key"] == "relative")
    assert relative["total"] == 0


def test_by_unit_is_per_top_level_subunion_and_suppressed(world: Any, tree: Any) -> None:
    rows = {row.name: row for row in stats.files_by_unit(user=world)}
    assert rows["机械学院"].active == 4, "A and its group A1 count together"
    assert rows["外国语学院"].active == "<3"


def test_subunion_chair_sees_only_their_subtree(world: Any, tree: Any, make_user: Any) -> None:
    chair = make_user("subunion_chair", tree.a)
    rows = stats.files_by_unit(user=chair)
    assert [row.name for row in rows] == ["机械学院"]
    assert stats.files_by_category_and_cause(user=chair).total == 4
    other = make_user("subunion_chair", tree.b)
    assert stats.files_by_category_and_cause(user=other).total == "<3"
    assert stats.purged_totals(user=chair) == [], "school-wide anonymous counts are for the top only"


def test_months_paid_and_average_days(world: Any, tree: Any, make_person: Any) -> None:
    today = timezone.localdate()
    year = today.year
    months = stats.files_by_month(user=world, year=year)
    assert len(months) == 12
    this_month = months[today.month - 1]
    assert this_month.new == 6
    assert this_month.exited == "<3"
    programme = factories.make_programme(code="linshi", name="临时补助")
    person = make_person(unit=tree.a)
    for amount, days in (("2000", 4), ("5000", 10)):
        application = factories.make_application(
            person=person, actor=world, programme=programme, status="paid", amount=amount
        )
        paid = timezone.now()
        AssistanceApplication.objects.filter(pk=application.pk).update(
            paid_at=paid, created_at=paid - dt.timedelta(days=days)
        )
    rows = stats.assistance_paid(user=world, year=year)
    assert len(rows) == 1 and rows[0].code == "linshi"
    assert rows[0].total == Decimal("7000.00") and rows[0].months[today.month - 1] == Decimal("7000.00")
    assert rows[0].count == "<3"
    assert stats.average_days_to_payment(user=world, year=year) == Decimal("7.0")
    assert stats.average_days_to_payment(user=world, year=year - 3) is None


def test_purged_totals_for_the_top(world: Any) -> None:
    PurgedCount.objects.create(kind="file", closed_year=2014, label="deep", outcome="exited", count=5)
    PurgedCount.objects.create(kind="file", closed_year=2014, label="relative", outcome="exited", count=1)
    totals = stats.purged_totals(user=world)
    assert totals[0]["year"] == 2014 and totals[0]["count"] == 6


def test_dashboard_counts(world: Any, tree: Any, make_user: Any, make_person: Any) -> None:
    file = HardshipFile.objects.filter(status=Status.ACTIVE, unit=tree.a).first()
    Review.objects.create(file=file, due_on=timezone.localdate() - dt.timedelta(days=3))
    programme = factories.make_programme()
    factories.make_application(person=make_person(unit=tree.a), actor=world, programme=programme)
    counts = stats.dashboard_counts(world)
    assert counts == {"active": 5, "overdue": 1, "awaiting": 1}
    chair_b = make_user("subunion_chair", tree.b)
    assert stats.dashboard_counts(chair_b)["active"] == "<3"
    assert stats.dashboard_counts(make_user("member", tree.a)) == {}
