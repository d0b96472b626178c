"""Finance reports (reads only): budget execution by unit, category or month, and the year-end summary
(年度经费收支情况) the union presents to the 教代会/工代会.

Every figure is summed in the database, grouped by unit, category or month, so a report costs the same
handful of queries whatever the number of units, lines and entries. Amounts follow the ledger's signs:
expense lines are debits (positive), income lines credits (negative, so income is their negated sum);
reversals are entries with the signs flipped and so count back by themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from .models import BudgetLine, Category, EntryLine, SpendingRequest

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
DIMENSIONS = ("unit", "category", "month")


def _money(value: Any) -> Decimal:
    """A sum from the database in yuan and fen: SQLite adds decimals as floats, so round to the fen."""
    return ZERO if value is None else Decimal(value).quantize(CENT) + ZERO


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal; None when there is no whole to compare."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def change_percent(current: Decimal | int, previous: Decimal | int) -> Decimal | None:
    """The change from last year in percent; None when last year had nothing to compare with."""
    if not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / abs(Decimal(previous))).quantize(Decimal("0.1"))


# -- the chart of categories, walked in memory (one query) ---------------------------------------------------


class Chart:
    """The categories as a tree: the chart is small, so it is read once and walked in memory."""

    def __init__(self) -> None:
        self.by_pk: dict[int, Category] = {}
        self.children: dict[int | None, list[Category]] = {}
        for category in Category.objects.order_by("sort_order", "code"):
            self.by_pk[category.pk] = category
            self.children.setdefault(category.parent_id, []).append(category)

    def subtree(self, pk: int) -> list[int]:
        ids, todo = [], [pk]
        while todo:
            current = todo.pop()
            ids.append(current)
            todo.extend(child.pk for child in self.children.get(current, []))
        return ids

    def walk(self, roots: Iterable[Category], depth: int = 0) -> Iterable[tuple[Category, int]]:
        """Categories depth first in chart order, with their depth below the roots."""
        for category in roots:
            yield category, depth
            yield from self.walk(self.children.get(category.pk, []), depth + 1)

    def roots(self, kind: str) -> list[Category]:
        return [c for c in self.children.get(None, []) if c.kind == kind]

    def ids_of_kind(self, kind: str) -> list[int]:
        return [pk for pk, c in self.by_pk.items() if c.kind == kind]

    def rollup(self, pk: int, sums: dict[int, Decimal]) -> Decimal:
        return sum((sums.get(child, ZERO) for child in self.subtree(pk)), ZERO)


def _signed(sign: int, value: Decimal) -> Decimal:
    """``value`` with the sign flipped for credits; + ZERO so an empty sum never reads "-0.00"."""
    return sign * value + ZERO


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _scoped(user: Any, queryset: QuerySet[Any], unit: Any = None) -> QuerySet[Any]:
    """Rows whose unit lies in the user's finance.view scope (and in ``unit``'s subtree, if given)."""
    queryset = user.scope_for("finance.view").filter(queryset, "unit")
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    return queryset


# -- budget execution --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExecutionRow:
    """One row of the execution report: a unit, a category or (in months) the month's spending."""

    key: str
    label: str
    depth: int = 0
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO
    code: str = ""

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed - self.spent

    @property
    def rate(self) -> Decimal | None:
        """Execution rate: spent as a percentage of the budget."""
        return percent(self.spent, self.budget)


@dataclass(frozen=True)
class MonthRow:
    month: int
    spent: Decimal
    cumulative: Decimal
    budget: Decimal

    @property
    def cumulative_rate(self) -> Decimal | None:
        return percent(self.cumulative, self.budget)

    @property
    def time_progress(self) -> Decimal:
        """How much of the year has gone by the month's end (the line execution is read against)."""
        return (Decimal(self.month) * 100 / 12).quantize(Decimal("0.1"))


@dataclass
class ExecutionReport:
    year: int
    dimension: str
    rows: list[Any] = field(default_factory=list)  # ExecutionRow, or MonthRow for months
    budget: Decimal = ZERO
    committed: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed - self.spent

    @property
    def rate(self) -> Decimal | None:
        return percent(self.spent, self.budget)

    @property
    def is_empty(self) -> bool:
        return not (self.budget or self.committed or self.spent)


def _sources(
    *, user: Any, year: int, chart: Chart, unit: Any, category: Category | None
) -> tuple[QuerySet[Any], QuerySet[Any], QuerySet[Any]]:
    """The year's budget lines, expense ledger lines and open commitments in scope, filtered."""
    expense_ids = chart.ids_of_kind(Category.Kind.EXPENSE)
    if category is not None:
        wanted = set(chart.subtree(category.pk))
        expense_ids = [pk for pk in expense_ids if pk in wanted]
    start, end = _year_range(year)
    budgets = _scoped(user, BudgetLine.objects.filter(year=year, category_id__in=expense_ids), unit)
    spending = _scoped(
        user,
        EntryLine.objects.filter(
            account=EntryLine.Account.CATEGORY,
            category_id__in=expense_ids,
            entry__posted_on__gte=start,
            entry__posted_on__lte=end,
        ),
        unit,
    )
    commitments = _scoped(
        user,
        SpendingRequest.objects.filter(
            status=SpendingRequest.Status.APPROVED,
            budget_line__year=year,
            budget_line__category_id__in=expense_ids,
        ),
        unit,
    )
    return budgets, spending, commitments


def execution_report(
    *,
    user: Any,
    year: int,
    dimension: str = "unit",
    unit: Any = None,
    category: Category | None = None,
) -> ExecutionReport:
    """Budget execution of ``year`` in the user's finance.view scope, by unit, category or month.

    Budget is the budget lines; committed the approved spending requests not yet paid; spent the net of
    the expense lines posted in the year (reversals count back). Four queries whatever the data size."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    chart = Chart()
    budgets, spending, commitments = _sources(user=user, year=year, chart=chart, unit=unit, category=category)
    if dimension == "unit":
        return _by_unit(year, budgets, spending, commitments)
    if dimension == "category":
        return _by_category(year, chart, budgets, spending, commitments, category)
    return _by_month(year, budgets, spending, commitments)


def _by_unit(
    year: int, budgets: QuerySet[Any], spending: QuerySet[Any], commitments: QuerySet[Any]
) -> ExecutionReport:
    """One row per unit with a budget, a commitment or spending, in tree order, indented by depth."""
    units: dict[int, dict[str, Any]] = {}

    def add(queryset: QuerySet[Any], key: str) -> None:
        grouped = (
            queryset.order_by()
            .values("unit_id", "unit__name", "unit__path", "unit__depth")
            .annotate(total=Sum("amount"))
        )
        for row in grouped:
            item = units.setdefault(
                row["unit_id"],
                {
                    "name": row["unit__name"],
                    "path": row["unit__path"],
                    "depth": row["unit__depth"],
                    "budget": ZERO,
                    "committed": ZERO,
                    "spent": ZERO,
                },
            )
            item[key] += _money(row["total"])

    add(budgets, "budget")
    add(commitments, "committed")
    add(spending, "spent")
    items = sorted(units.items(), key=lambda pair: pair[1]["path"])
    top = min((item["depth"] for _pk, item in items), default=0)
    rows = [
        ExecutionRow(
            key=str(pk),
            label=item["name"],
            depth=item["depth"] - top,
            budget=item["budget"],
            committed=item["committed"],
            spent=item["spent"],
        )
        for pk, item in items
        if item["budget"] or item["committed"] or item["spent"]
    ]
    return ExecutionReport(
        year=year,
        dimension="unit",
        rows=rows,
        budget=sum((row.budget for row in rows), ZERO),
        committed=sum((row.committed for row in rows), ZERO),
        spent=sum((row.spent for row in rows), ZERO),
    )


def _sums_by(queryset: QuerySet[Any], field_name: str) -> dict[Any, Decimal]:
    return {
        row[field_name]: _money(row["total"])
        for row in queryset.order_by().values(field_name).annotate(total=Sum("amount"))
    }


def _by_category(
    year: int,
    chart: Chart,
    budgets: QuerySet[Any],
    spending: QuerySet[Any],
    commitments: QuerySet[Any],
    category: Category | None,
) -> ExecutionReport:
    """Top-level expense categories with their sub-categories indented; each row adds up its subtree."""
    budget_sums = _sums_by(budgets, "category_id")
    committed_sums = _sums_by(commitments, "budget_line__category_id")
    spent_sums = _sums_by(spending, "category_id")
    roots = [chart.by_pk[category.pk]] if category is not None else chart.roots(Category.Kind.EXPENSE)
    rows = []
    for node, depth in chart.walk(roots):
        row = ExecutionRow(
            key=str(node.pk),
            code=node.code,
            label=node.name,
            depth=depth,
            budget=chart.rollup(node.pk, budget_sums),
            committed=chart.rollup(node.pk, committed_sums),
            spent=chart.rollup(node.pk, spent_sums),
        )
        if row.budget or row.committed or row.spent:
            rows.append(row)
    return ExecutionReport(
        year=year,
        dimension="category",
        rows=rows,
        budget=sum(budget_sums.values(), ZERO),
        committed=sum(committed_sums.values(), ZERO),
        spent=sum(spent_sums.values(), ZERO),
    )


def _by_month(
    year: int, budgets: QuerySet[Any], spending: QuerySet[Any], commitments: QuerySet[Any]
) -> ExecutionReport:
    """Spending per month, January to December, and the cumulative spending against the year's budget
    (预算执行进度), next to the share of the year gone by."""
    monthly = {
        row["month"]: _money(row["total"])
        for row in spending.order_by()
        .annotate(month=ExtractMonth("entry__posted_on"))
        .values("month")
        .annotate(total=Sum("amount"))
    }
    budget = _money(budgets.order_by().aggregate(total=Sum("amount"))["total"])
    committed = _money(commitments.order_by().aggregate(total=Sum("amount"))["total"])
    rows, cumulative = [], ZERO
    for month in range(1, 13):
        cumulative += monthly.get(month, ZERO)
        rows.append(
            MonthRow(month=month, spent=monthly.get(month, ZERO), cumulative=cumulative, budget=budget)
        )
    return ExecutionReport(
        year=year, dimension="month", rows=rows, budget=budget, committed=committed, spent=cumulative
    )


# -- the year-end summary (年度经费收支情况) ------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    """A category in the year summary: this year's amount, last year's, and (expense) the budget."""

    code: str
    name: str
    depth: int
    amount: Decimal
    previous: Decimal
    budget: Decimal = ZERO

    @property
    def change(self) -> Decimal | None:
        return change_percent(self.amount, self.previous)

    @property
    def rate(self) -> Decimal | None:
        return percent(self.amount, self.budget)


@dataclass(frozen=True)
class Compared:
    """One figure this year and last year."""

    amount: Decimal | int
    previous: Decimal | int

    @property
    def change(self) -> Decimal | None:
        return change_percent(self.amount, self.previous)


@dataclass
class YearSummary:
    year: int
    income: list[SummaryRow]
    expense: list[SummaryRow]
    income_total: Compared
    expense_total: Compared
    expense_budget: Decimal
    opening: Compared  # funds at the start of the year (with balances carried into the books that year)
    closing: Compared  # funds at the end of the year
    carried_in: Compared  # opening balances (上年结余) brought into the books during the year
    paid_count: Compared
    paid_total: Compared

    @property
    def surplus(self) -> Compared:
        return Compared(
            self.income_total.amount - self.expense_total.amount,
            self.income_total.previous - self.expense_total.previous,
        )

    @property
    def transfers(self) -> Compared:
        """Funds moved in or out of the scope without income or expense (allocations between units)."""
        return Compared(
            self.closing.amount - self.opening.amount - self.surplus.amount,
            self.closing.previous - self.opening.previous - self.surplus.previous,
        )

    @property
    def expense_rate(self) -> Decimal | None:
        return percent(self.expense_total.amount, self.expense_budget)

    @property
    def is_empty(self) -> bool:
        return not (
            self.income_total.amount
            or self.expense_total.amount
            or self.expense_budget
            or self.opening.amount
            or self.closing.amount
            or self.paid_count.amount
        )


def year_summary(*, user: Any, year: int, unit: Any = None) -> YearSummary:
    """The year's funds in the user's finance.view scope (and ``unit``'s subtree) against last year:
    income by category, expense by category (two levels) with its budget, funds at the start and the end of
    the year, and the spending requests paid. Five queries whatever the data size."""
    chart = Chart()
    start, end = _year_range(year)
    previous_start = dt.date(year - 1, 1, 1)
    in_year = Q(entry__posted_on__gte=start)
    in_previous = Q(entry__posted_on__lt=start)
    current: dict[int, Decimal] = {}
    previous: dict[int, Decimal] = {}
    for row in (
        _scoped(
            user,
            EntryLine.objects.filter(
                account=EntryLine.Account.CATEGORY,
                entry__posted_on__gte=previous_start,
                entry__posted_on__lte=end,
            ),
            unit,
        )
        .order_by()
        .values("category_id")
        .annotate(now=Sum("amount", filter=in_year), before=Sum("amount", filter=in_previous))
    ):
        current[row["category_id"]] = _money(row["now"])
        previous[row["category_id"]] = _money(row["before"])

    budgets: dict[int, Decimal] = {}
    for row in (
        _scoped(user, BudgetLine.objects.filter(year=year), unit)
        .order_by()
        .values("category_id")
        .annotate(total=Sum("amount"))
    ):
        budgets[row["category_id"]] = _money(row["total"])

    funds = (
        _scoped(
            user, EntryLine.objects.filter(account=EntryLine.Account.FUNDS, entry__posted_on__lte=end), unit
        )
        .order_by()
        .aggregate(
            closing=Sum("amount"),
            before=Sum("amount", filter=Q(entry__posted_on__lt=start)),
            before_previous=Sum("amount", filter=Q(entry__posted_on__lt=previous_start)),
        )
    )
    paid = (
        _scoped(
            user,
            SpendingRequest.objects.filter(
                status=SpendingRequest.Status.PAID,
                entry__posted_on__gte=previous_start,
                entry__posted_on__lte=end,
            ),
            unit,
        )
        .order_by()
        .aggregate(
            n=Count("pk", filter=in_year),
            total=Sum("amount", filter=in_year),
            n_before=Count("pk", filter=in_previous),
            total_before=Sum("amount", filter=in_previous),
        )
    )

    def rows(kind: str, sign: int, with_budget: bool) -> list[SummaryRow]:
        result = []
        for node, depth in chart.walk(chart.roots(kind)):
            if depth > 1:
                continue  # the report shows two levels; deeper categories are in their parent's sum
            row = SummaryRow(
                code=node.code,
                name=node.name,
                depth=depth,
                amount=_signed(sign, chart.rollup(node.pk, current)),
                previous=_signed(sign, chart.rollup(node.pk, previous)),
                budget=chart.rollup(node.pk, budgets) if with_budget else ZERO,
            )
            # Top-level categories always show (the congress reads the whole chart); empty sub-categories not.
            if depth == 0 or row.amount or row.previous or row.budget:
                result.append(row)
        return result

    def total(kind: str, sums: dict[int, Decimal], sign: int) -> Decimal:
        return _signed(sign, sum((sums.get(pk, ZERO) for pk in chart.ids_of_kind(kind)), ZERO))

    income_kind, expense_kind, assets_kind = (
        Category.Kind.INCOME,
        Category.Kind.EXPENSE,
        Category.Kind.NET_ASSETS,
    )
    carried_in = Compared(total(assets_kind, current, -1), total(assets_kind, previous, -1))
    before = _money(funds["before"])
    before_previous = _money(funds["before_previous"])
    return YearSummary(
        year=year,
        income=rows(income_kind, -1, with_budget=False),
        expense=rows(expense_kind, 1, with_budget=True),
        income_total=Compared(total(income_kind, current, -1), total(income_kind, previous, -1)),
        expense_total=Compared(total(expense_kind, current, 1), total(expense_kind, previous, 1)),
        expense_budget=sum((budgets.get(pk, ZERO) for pk in chart.ids_of_kind(expense_kind)), ZERO),
        opening=Compared(before + carried_in.amount, before_previous + carried_in.previous),
        closing=Compared(_money(funds["closing"]), before),
        carried_in=carried_in,
        paid_count=Compared(paid["n"] or 0, paid["n_before"] or 0),
        paid_total=Compared(_money(paid["total"]), _money(paid["total_before"])),
    )
