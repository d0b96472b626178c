"""Hardship statistics: counts of 1–2 suppressed as "<3" and the totals that would give them away hidden
("*", also across the two tables sharing the category totals), a sub-union chair sees only their subtree,
the assistance paid by programme and month (a month of 1–2 payments shows no amount), the average days to
payment, the dashboard counts, the logged export."""

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
    # 5 and 4 would give the "<3" away: the row, the column and the grand totals are hidden.
    assert deep["total"] == "*" and grid.total == "*"
    assert grid.column_totals[causes.index("illness")] == 4
    assert grid.column_totals[causes.index("schooling")] == "<3"
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
    # Two payments in the month: no amount, and no total to work it back from.
    assert rows[0].months[today.month - 1] == "*"
    assert rows[0].total == "*" and rows[0].count == "<3"
    # Two payments: the average would be those two people's own waiting times — not shown.
    assert stats.average_days_to_payment(user=world, year=year) is None
    application = factories.make_application(
        person=make_person(unit=tree.a), actor=world, programme=programme, status="paid", amount="2000"
    )
    paid = timezone.now()
    AssistanceApplication.objects.filter(pk=application.pk).update(
        paid_at=paid, created_at=paid - dt.timedelta(days=7)
    )
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


# -- complementary suppression on concrete tables --------------------------------------------------------


def test_protect_hides_the_totals_around_a_suppressed_cell() -> None:
    # Category × cause, and unit × category (its columns sum to the grid's rows: 5, 14, 0).
    grid = [[4, 1, 0], [5, 3, 6], [0, 0, 0]]
    units = [[4, 10, 0], [1, 4, 0]]
    protected = stats.protect(grid, units)
    assert protected.grid == [[4, "<3", 0], [5, 3, 6], [0, 0, 0]]
    assert protected.units == [[4, 10, 0], ["<3", 4, 0]]
    assert protected.category_hidden == [True, False, False]


def test_protect_hides_a_shown_cell_when_the_other_table_hides_the_shared_total() -> None:
    """Unit B has 1 "deep" file. The grid has no small cell, but its "deep" row total (5) minus unit A's 4
    would give B's 1 away: the total is hidden, and so is the grid cell that would rebuild it."""
    grid = [[5, 0], [3, 3]]
    units = [[4, 6], [1, 0]]
    protected = stats.protect(grid, units)
    assert protected.units == [[4, 6], ["<3", 0]]
    assert protected.grid == [["*", 0], [3, 3]]
    assert protected.category_hidden == [True, False]
    # And the other way round: a small grid cell hides the unit cell of its category.
    protected = stats.protect([[4, 1], [3, 3]], [[5, 6]])
    assert protected.grid == [[4, "<3"], [3, 3]] and protected.units == [["*", 6]]


def test_the_file_tables_on_a_concrete_world(tree: Any, make_user: Any, make_person: Any) -> None:
    """Unit A: 4 files for illness; unit B: 1 for illness and 3 for schooling (all "deep" by the factory's
    figures). Nothing is below 3 in the grid, yet B's single illness file must not be worked out."""
    staff = make_user("union_staff", tree.root)
    for unit, cause in [(tree.a, "illness")] * 4 + [(tree.b, "illness")] + [(tree.b, "schooling")] * 3:
        factories.make_file(person=make_person(unit=unit), actor=staff, cause=cause)
    tables = stats.file_tables(user=staff)
    causes = [value for value, _label in tables.grid.columns]
    deep = next(row for row in tables.grid.rows if row["key"] == "deep")
    assert deep["cells"][causes.index("illness")] == 5
    assert deep["cells"][causes.index("schooling")] == 3
    units = {row.name: row for row in tables.units}
    assert units["机械学院"].active == 4 and units["外国语学院"].active == 4
    # Per category, B has 4 "deep" files and A 4: nothing small there either …
    assert units["机械学院"].by_category[0] == 4 and units["外国语学院"].by_category[0] == 4
    assert deep["total"] == 8 and tables.grid.total == 8
    # … one more file of unit B in "relative" (schooling): a 1 in both tables, and every total that
    # would give it away is hidden.
    extra = factories.make_file(person=make_person(unit=tree.b), actor=staff, cause="schooling")
    HardshipFile.objects.filter(pk=extra.pk).update(category="relative")
    tables = stats.file_tables(user=staff)
    relative = next(row for row in tables.grid.rows if row["key"] == "relative")
    assert relative["cells"][causes.index("schooling")] == "<3" and relative["total"] == "<3"
    assert tables.grid.column_totals[causes.index("schooling")] == "*"
    units = {row.name: row for row in tables.units}
    assert units["外国语学院"].by_category[1] == "<3" and units["外国语学院"].active == "*"
    assert units["机械学院"].active == 4
    assert tables.grid.total == "*"


def test_the_amounts_paid_hide_months_of_one_or_two_payments(
    tree: Any, make_user: Any, make_person: Any
) -> None:
    staff = make_user("union_staff", tree.root)
    year = timezone.localdate().year
    small = factories.make_programme(code="small", name="小额补助")
    steady = factories.make_programme(code="steady", name="常规补助")

    def paid(programme: Any, month: int, amount: str) -> None:
        application = factories.make_application(
            person=make_person(unit=tree.a), actor=staff, programme=programme, status="paid", amount=amount
        )
        when = timezone.make_aware(dt.datetime(year, month, 15, 10))
        AssistanceApplication.objects.filter(pk=application.pk).update(paid_at=when, created_at=when)

    for _n in range(3):
        paid(small, 1, "1000")
        paid(steady, 1, "2000")
        paid(steady, 2, "500")
    paid(small, 2, "800")  # one payment in February: its amount would be one person's
    rows = {row.code: row for row in stats.assistance_paid(user=staff, year=year)}
    assert rows["small"].months[:3] == [Decimal("3000.00"), "*", Decimal("0")]
    assert rows["small"].total == "*" and rows["small"].count == "*"
    assert rows["steady"].months[:3] == [Decimal("6000.00"), Decimal("1500.00"), Decimal("0")]
    assert rows["steady"].total == Decimal("7500.00") and rows["steady"].count == 6


def test_dashboard_counts_below_the_top_are_all_suppressed(
    world: Any, tree: Any, make_user: Any, make_person: Any
) -> None:
    file = HardshipFile.objects.filter(status=Status.ACTIVE, unit=tree.a).first()
    Review.objects.create(file=file, due_on=timezone.localdate() - dt.timedelta(days=3))
    programme = factories.make_programme()
    for _n in range(2):
        factories.make_application(person=make_person(unit=tree.a), actor=world, programme=programme)
    chair_a = make_user("subunion_chair", tree.a)
    assert stats.dashboard_counts(chair_a) == {"active": 4, "overdue": "<3", "awaiting": "<3"}
    assert stats.dashboard_counts(world) == {"active": 5, "overdue": 1, "awaiting": 2}


def test_the_export_is_logged_as_statistics_under_the_scope(world: Any, tree: Any, make_user: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    from smartunion.core.models import AuditEntry

    chair = make_user("subunion_chair", tree.a)
    for user, unit in ((chair, tree.a), (world, tree.root)):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("hardship:stats") + "?export=xlsx").status_code == 200
        entry = AuditEntry.objects.get(action="hardship.stats.exported", actor_id=user.pk)
        assert entry.unit_id == unit.pk and entry.sensitive
    assert not AuditEntry.objects.filter(action="hardship.file.exported").exists()
