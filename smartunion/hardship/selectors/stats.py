"""Hardship statistics: aggregate counts only, within the user's ``hardship.stats.view`` scope (a
sub-union chair sees their subtree). No figure of any person is read. Every count of files from 1 to 2 is
shown as "<3" (small-cell suppression, domain.md §7): a count that small could point at a family.

Complementary suppression: a total that would let a suppressed cell be worked back by subtraction is
hidden too ("*"). Every row and column holding a suppressed or hidden cell has its total hidden, and the
grand total is hidden as soon as any row or column total is. The table by category and cause and the table
by sub-union share their category totals (each sums to the same active files per category): a category
total hidden for one table is hidden for both, and the other table then hides one of that category's
cells as well, so that the shared total cannot be rebuilt from it. The amounts paid by programme and month
follow the same rule: a month with 1 or 2 payments of a programme shows no amount, and that programme's
totals are hidden."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from smartunion.hardship.models import (
    AssistanceApplication,
    AssistanceProgramme,
    Category,
    HardshipFile,
    PurgedCount,
    Review,
)
from smartunion.organisations import selectors as org_selectors

PERM = "hardship.stats.view"
THRESHOLD = 3
SUPPRESSED = "<3"
# A total (or, for the shared category totals, a cell) hidden so that a suppressed cell cannot be worked
# back by subtraction: its value may be any size, so it is not shown as "<3".
HIDDEN = "*"
SUBUNION_TYPES = ("branch", "direct_group")
Status = HardshipFile.Status
AppStatus = AssistanceApplication.Status
AWAITING = (AppStatus.SUBMITTED, AppStatus.UNIT_APPROVED, AppStatus.APPROVED)

Cell = int | str


def suppress(count: int | None) -> int | str:
    """0 stays 0; 1 and 2 become "<3"."""
    count = count or 0
    return SUPPRESSED if 0 < count < THRESHOLD else count


def shown(cell: Any) -> bool:
    """A cell whose value is printed (neither "<3" nor hidden)."""
    return not isinstance(cell, str)


def _total(value: int, hidden: bool) -> Cell:
    """A total: "<3" when it is 1 or 2 (true and no more telling), hidden when a cell below it is not
    shown, else the value."""
    small = suppress(value)
    if isinstance(small, str):
        return small
    return HIDDEN if hidden else value


def _hide_one(cells: list[Cell], values: list[int]) -> bool:
    """Hide the smallest non-zero shown cell (the complementary cell); False when there is none."""
    candidates = [(values[i], i) for i, cell in enumerate(cells) if shown(cell) and values[i] > 0]
    if not candidates:
        return False
    cells[min(candidates)[1]] = HIDDEN
    return True


@dataclass
class Protected:
    """Two tables sharing their category totals, after suppression: ``grid`` is category × cause (its
    rows are the categories), ``units`` is unit × category (its columns are the categories)."""

    grid: list[list[Cell]]
    units: list[list[Cell]]
    category_hidden: list[bool]


def protect(grid: list[list[int]], units: list[list[int]]) -> Protected:
    """Suppress 1–2 in both tables, then hide until no hidden or suppressed cell can be rebuilt: a category
    total is hidden when a cell of that category is not shown in either table; once hidden, each table must
    hold a hidden cell of that category (else the total would be their sum), so the smallest non-zero one
    is hidden. ``units`` may be empty (no unit rows: then the grid stands alone)."""
    g: list[list[Cell]] = [[suppress(n) for n in row] for row in grid]
    u: list[list[Cell]] = [[suppress(n) for n in row] for row in units]
    hidden = [False] * len(grid)
    changed = True
    while changed:
        changed = False
        for r in range(len(grid)):
            column = [row[r] for row in u]
            if not hidden[r] and (not all(shown(c) for c in g[r]) or not all(shown(c) for c in column)):
                hidden[r] = True
                changed = True
            if not hidden[r]:
                continue
            if all(shown(c) for c in g[r]) and _hide_one(g[r], grid[r]):
                changed = True
            if u and all(shown(row[r]) for row in u):
                values = [row[r] for row in units]
                if _hide_one(column, values):
                    for j, cell in enumerate(column):
                        u[j][r] = cell
                    changed = True
    return Protected(grid=g, units=u, category_hidden=hidden)


def _scope(user: Any) -> Any:
    return user.scope_for(PERM)


def _files(user: Any) -> Any:
    return _scope(user).filter(HardshipFile.objects.all(), "unit")


def _applications(user: Any) -> Any:
    return _scope(user).filter(AssistanceApplication.objects.all(), "unit")


@dataclass
class Grid:
    """Rows × columns of suppressed counts (and the suppressed totals)."""

    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int | str = 0
    column_totals: list[int | str] = field(default_factory=list)


def subunions(user: Any) -> list[Any]:
    units: list[Any] = []
    for kind in SUBUNION_TYPES:
        units.extend(org_selectors.unit_list_for_user(user=user, perm=PERM, union_type=kind))
    return sorted(units, key=lambda unit: unit.path)


def _subunion_of(path: str, units: list[Any]) -> Any:
    found = None
    for unit in units:
        if path.startswith(unit.path) and (found is None or len(unit.path) < len(found.path)):
            found = unit
    return found


@dataclass
class UnitRow:
    key: int | None
    name: str
    active: int | str
    by_category: list[int | str]


@dataclass
class FileTables:
    grid: Grid
    units: list[UnitRow]


def file_tables(*, user: Any) -> FileTables:
    """Active files by category and cause, and by top-level sub-union of the scope and category (files of
    units outside every sub-union — the school union's own — are one row), suppressed together."""
    raw = list(
        _files(user)
        .filter(status=Status.ACTIVE)
        .values("unit__path", "category", "cause")
        .annotate(n=Count("pk"))
        .order_by()
    )
    categories = list(Category.values)
    causes = list(HardshipFile.Cause.choices)
    cause_values = [value for value, _label in causes]
    grid_counts = [[0] * len(causes) for _c in categories]
    units = subunions(user)
    by_unit: dict[int | None, list[int]] = {}
    for row in raw:
        if row["category"] not in categories or row["cause"] not in cause_values:
            continue
        r = categories.index(row["category"])
        grid_counts[r][cause_values.index(row["cause"])] += row["n"]
        unit = _subunion_of(row["unit__path"], units)
        key = unit.pk if unit else None
        by_unit.setdefault(key, [0] * len(categories))[r] += row["n"]
    unit_rows: list[tuple[int | None, str]] = [(unit.pk, unit.short_name or unit.name) for unit in units]
    if None in by_unit:
        unit_rows.append((None, str(_school_label())))
    unit_counts = [by_unit.get(key, [0] * len(categories)) for key, _name in unit_rows]
    protected = protect(grid_counts, unit_counts)

    grid = Grid(columns=[(value, str(label)) for value, label in causes])
    for r, (value, label) in enumerate(Category.choices):
        grid.rows.append(
            {
                "key": value,
                "label": str(label),
                "cells": protected.grid[r],
                "total": _total(sum(grid_counts[r]), protected.category_hidden[r]),
            }
        )
    grid.column_totals = [
        _total(
            sum(grid_counts[r][c] for r in range(len(categories))),
            not all(shown(protected.grid[r][c]) for r in range(len(categories))),
        )
        for c in range(len(causes))
    ]
    rows = [
        UnitRow(
            key=key,
            name=name,
            active=_total(sum(counts), not all(shown(cell) for cell in cells)),
            by_category=cells,
        )
        for (key, name), counts, cells in zip(unit_rows, unit_counts, protected.units, strict=True)
    ]
    totals: list[Any] = [row["total"] for row in grid.rows] + grid.column_totals
    totals += [row.active for row in rows]
    grid.total = _total(sum(sum(row) for row in grid_counts), not all(shown(total) for total in totals))
    return FileTables(grid=grid, units=rows)


def files_by_category_and_cause(*, user: Any) -> Grid:
    return file_tables(user=user).grid


def files_by_unit(*, user: Any) -> list[UnitRow]:
    """Active files per top-level sub-union of the scope (files of units outside every sub-union — the
    school union's own — are one row)."""
    return file_tables(user=user).units


def _school_label() -> str:
    from django.utils.translation import gettext as _

    return _("School union (no sub-union)")


@dataclass
class MonthRow:
    month: int
    new: int | str
    exited: int | str
    removed: int | str


def files_by_month(*, user: Any, year: int) -> list[MonthRow]:
    files = _files(user)
    new = dict(
        files.filter(approved_at__year=year)
        .annotate(m=ExtractMonth("approved_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("m", "n")
    )
    closed: dict[tuple[str, int], int] = defaultdict(int)
    for status, month, n in (
        files.filter(closed_on__year=year, status__in=(Status.EXITED, Status.REMOVED))
        .annotate(m=ExtractMonth("closed_on"))
        .values("status", "m")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "m", "n")
    ):
        closed[(status, month)] += n
    return [
        MonthRow(
            month=month,
            new=suppress(new.get(month, 0)),
            exited=suppress(closed.get((Status.EXITED, month), 0)),
            removed=suppress(closed.get((Status.REMOVED, month), 0)),
        )
        for month in range(1, 13)
    ]


@dataclass
class PaidRow:
    programme: str
    code: str
    months: list[Decimal | str]
    total: Decimal | str
    count: int | str


def assistance_paid(*, user: Any, year: int) -> list[PaidRow]:
    """Amounts paid per programme and month of ``year`` (approved amounts of paid applications). A month
    with 1 or 2 payments of a programme shows no amount (HIDDEN): that programme's total amount and count
    are hidden too, so the month cannot be worked back from them."""
    raw = (
        _applications(user)
        .filter(status=AppStatus.PAID, paid_at__year=year)
        .annotate(m=ExtractMonth("paid_at"))
        .values("programme_id", "m")
        .annotate(amount=Sum("approved_amount"), n=Count("pk"))
        .order_by()
    )
    table: dict[int, dict[int, tuple[Decimal, int]]] = defaultdict(dict)
    for row in raw:
        table[row["programme_id"]][row["m"]] = (row["amount"] or Decimal("0"), row["n"])
    rows = []
    for programme in AssistanceProgramme.objects.filter(pk__in=list(table)).order_by("sort_order", "pk"):
        cells = [table[programme.pk].get(m, (Decimal("0"), 0)) for m in range(1, 13)]
        months: list[Decimal | str] = [HIDDEN if 0 < count < THRESHOLD else amount for amount, count in cells]
        hidden = not all(shown(month) for month in months)
        count = sum(n for _amount, n in cells)
        rows.append(
            PaidRow(
                programme=programme.name,
                code=programme.code,
                months=months,
                total=HIDDEN if hidden else sum((amount for amount, _n in cells), Decimal("0")),
                count=_total(count, hidden),
            )
        )
    return rows


def average_days_to_payment(*, user: Any, year: int) -> Decimal | None:
    """Average days from the application (created) to the payment, over the applications paid in ``year``."""
    duration = ExpressionWrapper(F("paid_at") - F("created_at"), output_field=DurationField())
    figures = (
        _applications(user)
        .filter(status=AppStatus.PAID, paid_at__year=year, paid_at__isnull=False)
        .aggregate(avg=Avg(duration), count=Count("pk"))
    )
    value = figures["avg"]
    # One or two payments: the average would be those people's own waiting times.
    if value is None or figures["count"] < 3:
        return None
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))


def purged_totals(*, user: Any) -> list[dict[str, Any]]:
    """What is left of purged records (anonymous, school-wide): shown to holders at the top of the tree."""
    if not _scope(user).at_top:
        return []
    rows = (
        PurgedCount.objects.values("kind", "closed_year")
        .annotate(count=Sum("count"), amount=Sum("amount"))
        .order_by("-closed_year", "kind")
    )
    labels = dict(PurgedCount.Kind.choices)
    return [
        {
            "kind": str(labels.get(row["kind"], row["kind"])),
            "year": row["closed_year"],
            "count": suppress(row["count"]),
            # With one or two records the amount would be those people's own payments.
            "amount": (row["amount"] or Decimal("0")) if (row["count"] or 0) >= 3 else HIDDEN,
        }
        for row in rows
    ]


def years(today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year, today.year - 6, -1))


def dashboard_counts(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The console card: active files, reviews overdue and applications awaiting action in the user's
    stats scope — counts only. Below the top of the tree the scope is a few units: every count of 1 or 2
    is suppressed ("<3")."""
    today = today or timezone.localdate()
    scope = _scope(user)
    if scope.is_empty:
        return {}
    counts = {
        "active": _files(user).filter(status=Status.ACTIVE).count(),
        "overdue": scope.filter(Review.objects.all(), "file__unit")
        .filter(done_at__isnull=True, file__status=Status.ACTIVE, due_on__lt=today)
        .count(),
        "awaiting": _applications(user).filter(status__in=AWAITING).count(),
    }
    if scope.at_top:
        return counts
    return {key: suppress(value) for key, value in counts.items()}


def as_number(value: int | str) -> int | None:
    """A suppressed cell for a chart: None (no bar)."""
    return value if isinstance(value, int) else None
