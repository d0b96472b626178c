"""Hardship statistics: aggregate counts only, within the user's ``hardship.stats.view`` scope (a
sub-union chair sees their subtree). No figure of any person is read. Every count of files from 1 to 2 is
shown as "<3" (small-cell suppression, domain.md §7): a count that small could point at a family."""

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
SUBUNION_TYPES = ("branch", "direct_group")
Status = HardshipFile.Status
AppStatus = AssistanceApplication.Status
AWAITING = (AppStatus.SUBMITTED, AppStatus.UNIT_APPROVED, AppStatus.APPROVED)


def suppress(count: int | None) -> int | str:
    """0 stays 0; 1 and 2 become "<3"."""
    count = count or 0
    return SUPPRESSED if 0 < count < THRESHOLD else count


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


def files_by_category_and_cause(*, user: Any) -> Grid:
    counts = {
        (row["category"], row["cause"]): row["n"]
        for row in _files(user)
        .filter(status=Status.ACTIVE)
        .values("category", "cause")
        .annotate(n=Count("pk"))
        .order_by()
    }
    causes = list(HardshipFile.Cause.choices)
    grid = Grid(columns=[(value, str(label)) for value, label in causes])
    for value, label in Category.choices:
        cells = [counts.get((value, cause), 0) for cause, _label in causes]
        grid.rows.append(
            {
                "key": value,
                "label": str(label),
                "cells": [suppress(c) for c in cells],
                "total": suppress(sum(cells)),
            }
        )
    grid.column_totals = [
        suppress(sum(counts.get((category, cause), 0) for category in Category.values))
        for cause, _l in causes
    ]
    grid.total = suppress(sum(counts.values()))
    return grid


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


def files_by_unit(*, user: Any) -> list[UnitRow]:
    """Active files per top-level sub-union of the scope (files of units outside every sub-union — the
    school union's own — are one row)."""
    units = subunions(user)
    raw = (
        _files(user)
        .filter(status=Status.ACTIVE)
        .values("unit__path", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in raw:
        unit = _subunion_of(row["unit__path"], units)
        table[unit.pk if unit else None][row["category"]] += row["n"]
    rows = []
    for unit in units:
        counts = table.get(unit.pk, {})
        rows.append(
            UnitRow(
                key=unit.pk,
                name=unit.short_name or unit.name,
                active=suppress(sum(counts.values())),
                by_category=[suppress(counts.get(value, 0)) for value in Category.values],
            )
        )
    if None in table:
        counts = table[None]
        rows.append(
            UnitRow(
                key=None,
                name=str(_school_label()),
                active=suppress(sum(counts.values())),
                by_category=[suppress(counts.get(value, 0)) for value in Category.values],
            )
        )
    return rows


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
    months: list[Decimal]
    total: Decimal
    count: int | str


def assistance_paid(*, user: Any, year: int) -> list[PaidRow]:
    """Amounts paid per programme and month of ``year`` (approved amounts of paid applications)."""
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
        months = [table[programme.pk].get(m, (Decimal("0"), 0))[0] for m in range(1, 13)]
        count = sum(n for _amount, n in table[programme.pk].values())
        rows.append(
            PaidRow(
                programme=programme.name,
                code=programme.code,
                months=months,
                total=sum(months, Decimal("0")),
                count=suppress(count),
            )
        )
    return rows


def average_days_to_payment(*, user: Any, year: int) -> Decimal | None:
    """Average days from the application (created) to the payment, over the applications paid in ``year``."""
    duration = ExpressionWrapper(F("paid_at") - F("created_at"), output_field=DurationField())
    value = (
        _applications(user)
        .filter(status=AppStatus.PAID, paid_at__year=year, paid_at__isnull=False)
        .aggregate(avg=Avg(duration))["avg"]
    )
    if value is None:
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
            "amount": row["amount"] or Decimal("0"),
        }
        for row in rows
    ]


def years(today: dt.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year, today.year - 6, -1))


def dashboard_counts(user: Any, today: dt.date | None = None) -> dict[str, Any]:
    """The console card: active files, reviews overdue and applications awaiting action in the user's
    stats scope — counts only. A scope below the top of the tree is one unit's count: suppressed."""
    today = today or timezone.localdate()
    scope = _scope(user)
    if scope.is_empty:
        return {}
    active = _files(user).filter(status=Status.ACTIVE).count()
    overdue = (
        scope.filter(Review.objects.all(), "file__unit")
        .filter(done_at__isnull=True, file__status=Status.ACTIVE, due_on__lt=today)
        .count()
    )
    awaiting = _applications(user).filter(status__in=AWAITING).count()
    return {
        "active": active if scope.at_top else suppress(active),
        "overdue": overdue,
        "awaiting": awaiting,
    }


def as_number(value: int | str) -> int | None:
    """A suppressed cell for a chart: None (no bar)."""
    return value if isinstance(value, int) else None
