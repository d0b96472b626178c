"""Reads of the books: category subtrees and the status of a budget line (budget, spent, remaining)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from .models import BudgetLine, Category, Entry, EntryLine, FiscalYear, SpendingAttachment, SpendingRequest


def category_subtree_ids(category: Category) -> list[int]:
    """The category and all its descendants (the chart is small: one query, walked in memory)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    ids, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        ids.append(pk)
        todo.extend(children.get(pk, []))
    return ids


def spent(*, year: int, unit_id: int, category: Category) -> Decimal:
    """Net spending of a unit on a category and its sub-categories in a year (reversals count back)."""
    total = EntryLine.objects.filter(
        unit_id=unit_id,
        account=EntryLine.Account.CATEGORY,
        category_id__in=category_subtree_ids(category),
        entry__posted_on__gte=dt.date(year, 1, 1),
        entry__posted_on__lte=dt.date(year, 12, 31),
    ).aggregate(total=Sum("amount"))["total"]
    return fen(total)


def year_is_closed(year: int) -> bool:
    """A year is closed once it or any later year has been closed: the closing balances of the later year
    were frozen from it, so nothing may be posted, budgeted or requested in it any more."""
    return FiscalYear.objects.filter(year__gte=year, closed_at__isnull=False).exists()


def fen(value: Decimal | None) -> Decimal:
    """A sum from the database to the fen: SQLite adds decimals as floats, so a total may carry noise
    beyond the second decimal (0.30000000000000004); budget checks compare exact amounts."""
    return (value or Decimal("0.00")).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class BudgetStatus:
    line: BudgetLine
    budget: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent


def budget_line_status(line: BudgetLine) -> BudgetStatus:
    return BudgetStatus(
        line=line,
        budget=Decimal(str(line.amount)),
        spent=spent(year=line.year, unit_id=line.unit_id, category=line.category),
    )


def committed(*, budget_line_id: int) -> Decimal:
    """Approved spending requests not yet paid: money promised against the line."""
    total = SpendingRequest.objects.filter(
        budget_line_id=budget_line_id, status=SpendingRequest.Status.APPROVED
    ).aggregate(total=Sum("amount"))["total"]
    return fen(total)


@dataclass(frozen=True)
class BudgetRow:
    """A budget line with its execution: budget, committed (approved, unpaid), spent (posted), remaining."""

    line: BudgetLine
    budget: Decimal
    committed: Decimal
    spent: Decimal

    @property
    def pk(self) -> int:
        return self.line.pk

    @property
    def unit(self) -> Any:
        return self.line.unit

    @property
    def category(self) -> Category:
        return self.line.category

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed - self.spent

    @property
    def used_percent(self) -> int:
        if not self.budget:
            return 100 if (self.committed or self.spent) else 0
        return int((self.committed + self.spent) * 100 / self.budget)


class RowList(list):  # type: ignore[type-arg]
    """Computed rows for a console Table: already in order, read once."""

    def order_by(self, *fields: str) -> RowList:
        return self

    def iterator(self, chunk_size: int = 0) -> Any:
        return iter(self)


def budget_rows_for_user(*, user: Any, year: int, unit: Any = None) -> RowList:
    """The year's budget lines in the user's finance.view scope with their execution, in four queries
    whatever the number of lines: lines, the chart, ledger sums by unit and category, commitments."""
    lines = list(
        user.scope_for("finance.view")
        .filter(BudgetLine.objects.filter(year=year), "unit")
        .filter(**({"unit__path__startswith": unit.path} if unit is not None else {}))
        .select_related("unit", "category")
        .order_by("unit__path", "category__code")
    )
    if not lines:
        return RowList()
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)

    def subtree(pk: int) -> list[int]:
        ids, todo = [], [pk]
        while todo:
            current = todo.pop()
            ids.append(current)
            todo.extend(children.get(current, []))
        return ids

    unit_ids = {line.unit_id for line in lines}
    sums: dict[tuple[int, int], Decimal] = {}
    for row in (
        EntryLine.objects.filter(
            unit_id__in=unit_ids,
            account=EntryLine.Account.CATEGORY,
            entry__posted_on__gte=dt.date(year, 1, 1),
            entry__posted_on__lte=dt.date(year, 12, 31),
        )
        .values("unit_id", "category_id")
        .annotate(total=Sum("amount"))
    ):
        sums[(row["unit_id"], row["category_id"])] = fen(row["total"])
    commitments = dict(
        SpendingRequest.objects.filter(
            budget_line_id__in=[line.pk for line in lines], status=SpendingRequest.Status.APPROVED
        )
        .values("budget_line_id")
        .annotate(total=Sum("amount"))
        .values_list("budget_line_id", "total")
    )
    rows = RowList()
    for line in lines:
        spent_total = sum(
            (sums.get((line.unit_id, pk), Decimal("0.00")) for pk in subtree(line.category_id)),
            Decimal("0.00"),
        )
        rows.append(
            BudgetRow(
                line=line,
                budget=Decimal(str(line.amount)),
                committed=fen(commitments.get(line.pk)),
                spent=spent_total,
            )
        )
    return rows


def execution_by_category(rows: list[BudgetRow]) -> list[dict[str, Any]]:
    """Budget, committed and spent summed per category, for the execution chart."""
    totals: dict[int, dict[str, Any]] = {}
    for row in rows:
        item = totals.setdefault(
            row.category.pk,
            {
                "code": row.category.code,
                "name": row.category.name,
                "budget": Decimal("0.00"),
                "committed": Decimal("0.00"),
                "spent": Decimal("0.00"),
            },
        )
        item["budget"] += row.budget
        item["committed"] += row.committed
        item["spent"] += row.spent
    return [
        {
            **item,
            "budget": float(item["budget"]),
            "committed": float(item["committed"]),
            "spent": float(item["spent"]),
        }
        for item in sorted(totals.values(), key=lambda item: item["code"])
    ]


def budget_line_get_for_user(*, user: Any, pk: int, perm: str = "finance.view") -> BudgetLine:
    line = (
        user.scope_for(perm)
        .filter(BudgetLine.objects.select_related("unit", "category"), "unit")
        .filter(pk=pk)
        .first()
    )
    if line is None:
        raise Http404
    return line


def spending_requests_for_user(*, user: Any, status: str = "") -> QuerySet[Any]:
    requests = user.scope_for("finance.view").filter(SpendingRequest.objects.all(), "unit")
    if status:
        requests = requests.filter(status=status)
    return requests.select_related("unit", "budget_line__category", "requester")


def spending_request_counts_for_user(*, user: Any) -> dict[str, int]:
    requests = user.scope_for("finance.view").filter(SpendingRequest.objects.all(), "unit")
    return dict(requests.values("status").annotate(n=Count("pk")).values_list("status", "n"))


def spending_request_get_for_user(*, user: Any, pk: int) -> Any:
    request = (
        spending_requests_for_user(user=user)
        .select_related(
            "first_approved_by", "approved_by", "rejected_by", "paid_by", "entry", "budget_line__unit"
        )
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404
    return request


def attachment_get_for_user(*, user: Any, pk: int) -> Any:
    attachment = (
        user.scope_for("finance.view")
        .filter(SpendingAttachment.objects.all(), "request__unit")
        .select_related("request")
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


# -- the ledger: lines and entries -------------------------------------------------------------------------


def ledger_lines_for_user(
    *,
    user: Any,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unit: Any = None,
    category: Category | None = None,
    kind: str = "",
    source: str = "",
) -> QuerySet[EntryLine]:
    """Entry lines (收支明细) whose unit lies in the user's ``finance.view`` scope, filtered. A category
    includes its sub-categories; a unit its subtree; ``kind`` keeps income or expense category lines."""
    lines = user.scope_for("finance.view").filter(EntryLine.objects.all(), "unit")
    if date_from:
        lines = lines.filter(entry__posted_on__gte=date_from)
    if date_to:
        lines = lines.filter(entry__posted_on__lte=date_to)
    if unit is not None:
        lines = lines.filter(unit__path__startswith=unit.path)
    if category is not None:
        lines = lines.filter(category_id__in=category_subtree_ids(category))
    if kind:
        lines = lines.filter(category__kind=kind)
    if source:
        lines = lines.filter(entry__source_type=source)
    return lines.select_related("entry", "unit", "category")


def ledger_totals(lines: QuerySet[EntryLine]) -> dict[str, Any]:
    """Debits, credits and the count of the lines; income and expense by their categories."""
    zero = Decimal("0.00")
    plain = lines.order_by()
    debit = plain.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"] or zero
    credit = plain.filter(amount__lt=0).aggregate(s=Sum("amount"))["s"] or zero
    income = plain.filter(category__kind=Category.Kind.INCOME).aggregate(s=Sum("amount"))["s"] or zero
    expense = plain.filter(category__kind=Category.Kind.EXPENSE).aggregate(s=Sum("amount"))["s"] or zero
    return {
        "count": plain.count(),
        "debit": debit,
        "credit": -credit,
        "income": -income,
        "expense": expense,
    }


def ledger_sources() -> list[str]:
    return list(
        Entry.objects.exclude(source_type="")
        .order_by("source_type")
        .values_list("source_type", flat=True)
        .distinct()
    )


def entries_for_user(*, user: Any) -> QuerySet[Entry]:
    """Entries posted at a unit in the user's ``finance.view`` scope, or with a line there."""
    scope = user.scope_for("finance.view")
    if scope.is_empty:
        return Entry.objects.none()
    return Entry.objects.filter(
        scope.q("unit") | Q(pk__in=scope.filter(EntryLine.objects.all(), "unit").values("entry_id"))
    )


def entry_get_for_user(*, user: Any, pk: int) -> Entry:
    entry = (
        entries_for_user(user=user).select_related("unit", "posted_by", "reversal_of").filter(pk=pk).first()
    )
    if entry is None:
        raise Http404
    return entry


def entry_reversal(entry: Entry) -> Entry | None:
    return Entry.objects.filter(reversal_of=entry).first()


def entry_lines(entry: Entry) -> list[EntryLine]:
    return list(entry.lines.select_related("unit", "category").order_by("id"))


def entry_spending_request(entry: Entry) -> SpendingRequest | None:
    """The spending request an entry paid (its source), with its invoices."""
    if entry.source_type != "finance.spending":
        return None
    return SpendingRequest.objects.filter(entry=entry).first()


def entry_sample(*, size: int, seed: int) -> list[Entry]:
    """``size`` entries drawn at random from the whole ledger; the same seed (and the same ledger)
    draws the same entries."""
    ids = list(Entry.objects.order_by("seq").values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, min(size, len(ids)))  # a sample, not a secret
    entries = (
        Entry.objects.filter(pk__in=chosen)
        .select_related("unit")
        .prefetch_related("lines__unit", "lines__category")
    )
    return sorted(entries, key=lambda entry: entry.seq)


@dataclass(frozen=True)
class ChartRow:
    """A category of the chart in tree order, with its depth and how much it is used."""

    category: Category
    depth: int
    budget_lines: int
    postings: int

    @property
    def pk(self) -> int:
        return self.category.pk


def category_tree() -> list[ChartRow]:
    """The whole chart in tree order (parents first, siblings by code): three queries."""
    # By code: a sub-category's code extends its parent's, so codes keep siblings in the chart's order.
    categories = list(Category.objects.select_related("parent").order_by("code"))
    budget_counts = dict(
        BudgetLine.objects.order_by()
        .values("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    posting_counts = dict(
        EntryLine.objects.filter(category__isnull=False)
        .order_by()
        .values("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[ChartRow] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in children.get(parent_id, []):
            rows.append(
                ChartRow(
                    category=category,
                    depth=depth,
                    budget_lines=budget_counts.get(category.pk, 0),
                    postings=posting_counts.get(category.pk, 0),
                )
            )
            walk(category.pk, depth + 1)

    walk(None, 0)
    return rows


def category_by_code(code: str) -> Category | None:
    """The category of the chart with this code (other modules post their costs on it)."""
    return Category.objects.filter(code=code).first()


def entries_of_source(*, source_type: str, source_id: Any) -> list[dict[str, Any]]:
    """The entries another module posted for one of its objects (number, unit, memo), in order."""
    rows = (
        Entry.objects.filter(source_type=source_type, source_id=str(source_id))
        .order_by("pk")
        .values("pk", "seq", "unit__name", "memo")
    )
    return [dict(row) for row in rows]


# -- for the modules that spend (welfare, …) ---------------------------------------------------------------


def expense_budget_lines(*, unit_ids: list[int], years: list[int]) -> QuerySet[BudgetLine]:
    """The units' budget lines of expense categories for the years, by year, unit and the chart's order."""
    return (
        BudgetLine.objects.filter(unit_id__in=unit_ids, year__in=years, category__kind=Category.Kind.EXPENSE)
        .select_related("category", "unit")
        .order_by("-year", "unit__path", "category__code")
    )


def budget_line_get(pk: int) -> BudgetLine | None:
    return BudgetLine.objects.select_related("category", "unit").filter(pk=pk).first()
