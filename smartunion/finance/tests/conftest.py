from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from smartunion.finance.models import BudgetLine, Category
from smartunion.finance.services import Line
from smartunion.members.tests.conftest import make_person  # noqa: F401  (a fixture: people for the dues)

DAY = dt.date(2026, 3, 2)
YEAR = DAY.year


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def chart(db: Any) -> dict[str, Category]:
    """The seeded chart, by code (seeded after migrate and again after every flush)."""
    return {category.code: category for category in Category.objects.all()}


@pytest.fixture
def budget(tree: Any, chart: dict[str, Category]) -> Any:
    def make(code: str = "50101", amount: str = "1000.00", unit: Any = None, year: int = YEAR) -> BudgetLine:
        return BudgetLine.objects.create(year=year, unit=unit or tree.a, category=chart[code], amount=amount)

    return make


def spend(category: Category, amount: str) -> list[Line]:
    """Expense lines: the category debited, the unit's funds credited."""
    return [Line(category=category, amount=amount), Line(account="funds", amount=f"-{amount}")]
