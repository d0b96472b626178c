"""Reads of the books: category subtrees and the status of a budget line (budget, spent, remaining)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from .models import BudgetLine, Category, EntryLine


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
    return total or Decimal("0.00")


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
