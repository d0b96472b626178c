"""The national identification standard: a table of families → categories, boundaries included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smartunion.hardship.models import Category
from smartunion.hardship.services.category import Figures, derive

D = Decimal
DIBAO = D("900")


def figures(
    incomes: tuple[str, ...], medical: str = "0", schooling: str = "0", other: str = "0", accident: str = "0"
) -> Figures:
    return Figures(
        incomes=tuple(D(value) for value in incomes),
        medical=D(medical),
        schooling=D(schooling),
        other_rigid=D(other),
        accident_costs=D(accident),
    )


@pytest.mark.parametrize(
    ("family", "expected", "per_capita"),
    [
        # 3 people, 30,000 a year, 6,000 medical: (30000−6000)/12/3 = 666.67 < 900 → 深度
        (figures(("30000", "0", "0"), medical="6000"), Category.DEEP, D("666.67")),
        # exactly at 低保: 32,400/12/3 = 900 — not below → 相对 (below 1,800)
        (figures(("32400", "0", "0")), Category.RELATIVE, D("900.00")),
        # one fen below 低保 per person per month
        (figures(("32399.64", "0", "0")), Category.DEEP, D("899.99")),
        # exactly at 2 × 低保: 64,800/12/3 = 1,800 → not in hardship
        (figures(("64800", "0", "0")), Category.NONE, D("1800.00")),
        (figures(("64799.64", "0", "0")), Category.RELATIVE, D("1799.99")),
        # rigid expenses count: schooling and other rigid costs are deducted too
        (figures(("50000", "20000"), schooling="30000", other="10000"), Category.RELATIVE, D("1250.00")),
        # expenses larger than income: negative per-capita income is still below 低保
        (figures(("20000",), medical="40000"), Category.DEEP, D("-1666.67")),
    ],
)
def test_income_categories(family: Figures, expected: str, per_capita: Decimal) -> None:
    derivation = derive(family, DIBAO)
    assert derivation.category == expected
    assert derivation.per_capita_monthly == per_capita
    assert derivation.household_size == len(family.incomes)
    assert derivation.relative_line == D("1800")


@pytest.mark.parametrize(
    ("accident", "expected"),
    [
        ("80000.01", Category.ACCIDENT),  # just above 80 % of 100,000
        ("80000", Category.NONE),  # exactly 80 % is not above it
        ("0", Category.NONE),
    ],
)
def test_accident_category_boundary(accident: str, expected: str) -> None:
    # 100,000 for 2 people is 4,166.67 a month per person: no income category; only the event decides.
    derivation = derive(figures(("60000", "40000"), accident=accident), DIBAO)
    assert derivation.category == expected


def test_deep_hardship_comes_before_accident() -> None:
    derivation = derive(figures(("10000",), accident="9000"), DIBAO)
    assert derivation.category == Category.DEEP
    assert derivation.accident_share == D("0.9000")


def test_accident_comes_before_relative() -> None:
    # 40,000 for 3: 1,111.11 a month per person (relative), and a 35,000 loss (87.5 %) → 意外致困
    derivation = derive(figures(("40000", "0", "0"), accident="35000"), DIBAO)
    assert derivation.category == Category.ACCIDENT


def test_missing_dibao_or_household_gives_no_income_category() -> None:
    no_dibao = derive(figures(("30000", "0")), None)
    assert no_dibao.category == ""
    assert no_dibao.missing == ("dibao",)
    nobody = derive(figures(()), DIBAO)
    assert nobody.category == ""
    assert nobody.missing == ("household",)
    assert nobody.per_capita_monthly is None


def test_accident_is_found_without_a_dibao_standard() -> None:
    derivation = derive(figures(("10000",), accident="9000"), None)
    assert derivation.category == Category.ACCIDENT
    assert derivation.missing == ("dibao",)


@pytest.mark.parametrize(
    ("incomes", "dibao", "expected", "reported"),
    [
        # The reviewer's case: 28,799.99 for 3 people is 799.99972… a month per person — below 800, though
        # it is reported as 800.00.
        (("28799.99", "0", "0"), D("800"), Category.DEEP, D("800.00")),
        # The same just below twice the line: 57,599.99 / 36 = 1,599.99972… < 1,600 → 相对
        (("57599.99", "0", "0"), D("800"), Category.RELATIVE, D("1600.00")),
        # Exactly on the line stays not below it.
        (("28800", "0", "0"), D("800"), Category.RELATIVE, D("800.00")),
    ],
)
def test_the_lines_are_compared_with_the_unrounded_figure(
    incomes: tuple[str, ...], dibao: Decimal, expected: str, reported: Decimal
) -> None:
    derivation = derive(figures(incomes), dibao)
    assert derivation.category == expected
    assert derivation.per_capita_monthly == reported
