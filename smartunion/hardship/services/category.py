"""The national identification standard (domain.md §4.1), as pure arithmetic on a family's figures.

    per-capita monthly = (the household's disposable income of the year − rigid expenses) ÷ 12 ÷ household size
    深度困难  per-capita monthly < 低保
    相对困难  per-capita monthly < 2 × 低保
    意外致困  the year's costs and losses of a sudden event > 80 % of the family's income of the year

A family that meets several is put in the most serious: 深度 before 意外 before 相对 (意外致困 is checked before
相对困难 because it is the narrower, event-based category the 帮扶 rules treat separately). Boundaries are strict:
exactly 低保 is not below 低保, exactly 80 % is not above 80 %. The comparison is on the exact (unrounded)
per-capita figure: 799.9997 is below 800 even though it is reported as 800.00; only the value shown in the
Derivation is rounded to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from smartunion.hardship.models import Category

ZERO = Decimal("0")
ACCIDENT_SHARE = Decimal("0.80")
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Figures:
    incomes: tuple[Decimal, ...]  # one per household member, the applicant included
    medical: Decimal = ZERO
    schooling: Decimal = ZERO
    other_rigid: Decimal = ZERO
    accident_costs: Decimal = ZERO


@dataclass(frozen=True)
class Derivation:
    """Every number of the computation, for the officer's "how was this derived" panel."""

    category: str
    household_size: int
    income: Decimal
    rigid: Decimal
    per_capita_monthly: Decimal | None
    dibao: Decimal | None
    relative_line: Decimal | None
    accident_costs: Decimal
    accident_share: Decimal | None  # accident costs ÷ income (None when the income is zero)
    missing: tuple[str, ...]  # what is missing for a computation (no household, no 低保 for the city/year)


def _d(value: Decimal | None) -> Decimal:
    return value if value is not None else ZERO


def derive(figures: Figures, dibao: Decimal | None) -> Derivation:
    size = len(figures.incomes)
    income = sum((_d(value) for value in figures.incomes), ZERO)
    rigid = _d(figures.medical) + _d(figures.schooling) + _d(figures.other_rigid)
    accident = _d(figures.accident_costs)
    missing: list[str] = []
    if size == 0:
        missing.append("household")
    if dibao is None or dibao <= 0:
        missing.append("dibao")
    exact = None  # compared with the lines; only the reported value is rounded
    per_capita = None
    if size:
        exact = (income - rigid) / Decimal(12) / Decimal(size)
        per_capita = exact.quantize(FEN, rounding=ROUND_HALF_UP)
    share = (accident / income).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if income > 0 else None
    accident_met = accident > 0 and (income <= 0 or accident > ACCIDENT_SHARE * income)
    category = ""
    if not missing:
        assert exact is not None and dibao is not None
        if exact < dibao:
            category = Category.DEEP
        elif accident_met:
            category = Category.ACCIDENT
        elif exact < 2 * dibao:
            category = Category.RELATIVE
        else:
            category = Category.NONE
    elif size and accident_met:
        category = Category.ACCIDENT  # needs no 低保: the event test is on the family's own income
    return Derivation(
        category=str(category),
        household_size=size,
        income=income,
        rigid=rigid,
        per_capita_monthly=per_capita,
        dibao=dibao,
        relative_line=2 * dibao if dibao else None,
        accident_costs=accident,
        accident_share=share,
        missing=tuple(missing),
    )
