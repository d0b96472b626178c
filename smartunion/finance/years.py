"""Fiscal years: each unit's funds from year to year, the year-end close (结账) that freezes them, and the
opening balances (上年结余) carried in from books kept before SmartUnion.

A unit's year, from its own lines (not its subtree's):

    opening = its funds at the end of the previous year + opening balances posted in the year (301 lines)
    income  = −(its income-category lines in the year)     (income is credited: negative lines)
    expense =   its expense-category lines in the year
    closing = opening + income − expense

Every entry the project posts balances per unit (a unit's funds move with its own category lines), so the
closing is also the unit's funds at the end of the year; the close refuses a year where it is not, rather
than freezing numbers that contradict the ledger. Closing a year writes one ``YearBalance`` per unit with
lines up to its end, so the figures stay as they were; the next year's opening is that closing.

An opening balance is posted once per unit and year (Dr funds, Cr 301 上年结余; reversed for a negative
balance), dated 1 January. Once an earlier year is closed, balances are carried forward by the close and
can no longer be typed in.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from . import services
from .income import top_unit_for
from .models import Category, Entry, EntryLine, FiscalYear, SpendingRequest, YearBalance
from .selectors import fen
from .services import repost_key

ZERO = Decimal("0.00")
OPENING_CODE = "301"  # 上年结余 in the seeded chart
OPENING_SOURCE = "finance.opening"
MIN_YEAR, MAX_YEAR = 2000, 2100  # the years a form accepts; dates beyond them are typing mistakes


def opening_key(year: int, unit_id: int) -> str:
    return f"finance.opening:{year}:{unit_id}"


# -- reads -------------------------------------------------------------------------------------------------


@dataclass
class UnitYear:
    """One unit's figures for one year (live from the ledger, or frozen in a ``YearBalance``)."""

    unit_id: int
    name: str
    path: str
    opening: Decimal = ZERO
    income: Decimal = ZERO
    expense: Decimal = ZERO
    funds_at_end: Decimal = ZERO  # the unit's funds lines up to the end of the year

    @property
    def closing(self) -> Decimal:
        return self.opening + self.income - self.expense

    @property
    def consistent(self) -> bool:
        return self.closing == self.funds_at_end


@dataclass
class YearFigures:
    year: int
    rows: list[UnitYear] = field(default_factory=list)
    frozen: bool = False

    def total(self, name: str) -> Decimal:
        return sum((getattr(row, name) for row in self.rows), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {name: self.total(name) for name in ("opening", "income", "expense", "closing")}


def funds_balance(*, unit: Any, on: dt.date) -> Decimal:
    """A unit's funds (cash and bank) at the end of ``on``: the sum of its funds lines up to that day."""
    total = EntryLine.objects.filter(
        unit=unit, account=EntryLine.Account.FUNDS, entry__posted_on__lte=on
    ).aggregate(total=Sum("amount"))["total"]
    return fen(total)


def _lines(scope: Any = None) -> QuerySet[EntryLine]:
    lines = EntryLine.objects.all()
    return scope.filter(lines, "unit") if scope is not None else lines


def live_figures(*, years: list[int], scope: Any = None) -> dict[int, YearFigures]:
    """Each unit's figures for each of ``years``, computed from the ledger in two queries whatever the
    number of units and years: the lines summed by unit, year, account and category kind; the units."""
    if not years:
        return {}
    last = max(years)
    sums: dict[int, dict[tuple[int, str, str], Decimal]] = defaultdict(dict)
    units: dict[int, tuple[str, str]] = {}
    for row in (
        _lines(scope)
        .filter(entry__posted_on__lte=dt.date(last, 12, 31))
        .annotate(year=ExtractYear("entry__posted_on"))
        .values("unit_id", "unit__name", "unit__path", "year", "account", "category__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        key = (row["year"], row["account"], row["category__kind"] or "")
        sums[row["unit_id"]][key] = fen(row["total"])
        units[row["unit_id"]] = (row["unit__name"], row["unit__path"])
    result = {year: YearFigures(year=year) for year in sorted(years)}
    funds = EntryLine.Account.FUNDS
    for unit_id, by_key in sums.items():
        for year, figures in result.items():
            before = sum((v for (y, a, _k), v in by_key.items() if a == funds and y < year), ZERO)
            active = any(y <= year for (y, _a, _k) in by_key)
            if not active:
                continue
            in_year = {(a, k): v for (y, a, k), v in by_key.items() if y == year}
            figures.rows.append(
                UnitYear(
                    unit_id=unit_id,
                    name=units[unit_id][0],
                    path=units[unit_id][1],
                    opening=before - in_year.get(("category", Category.Kind.NET_ASSETS), ZERO),
                    income=-in_year.get(("category", Category.Kind.INCOME), ZERO),
                    expense=in_year.get(("category", Category.Kind.EXPENSE), ZERO),
                    funds_at_end=before + in_year.get((funds, ""), ZERO),
                )
            )
    for figures in result.values():
        figures.rows.sort(key=lambda row: row.path)
    return result


def frozen_figures(*, scope: Any = None) -> dict[int, YearFigures]:
    """The frozen balances of the closed years, by year (one query)."""
    balances = YearBalance.objects.select_related("unit").order_by("-year", "unit__path")
    if scope is not None:
        balances = scope.filter(balances, "unit")
    result: dict[int, YearFigures] = {}
    for balance in balances:
        figures = result.setdefault(balance.year, YearFigures(year=balance.year, frozen=True))
        figures.rows.append(
            UnitYear(
                unit_id=balance.unit_id,
                name=balance.unit.name,
                path=balance.unit.path,
                opening=balance.opening,
                income=balance.income,
                expense=balance.expense,
                funds_at_end=balance.closing,
            )
        )
    return result


@dataclass
class YearRow:
    year: int
    fiscal_year: FiscalYear | None
    has_postings: bool

    @property
    def is_closed(self) -> bool:
        return self.fiscal_year is not None and self.fiscal_year.is_closed

    @property
    def has_ended(self) -> bool:
        return dt.date(self.year, 12, 31) < timezone.localdate()


def fiscal_years() -> list[YearRow]:
    """Every year the books know (a fiscal year row, a posting, or the current year), newest first."""
    known = {fiscal_year.year: fiscal_year for fiscal_year in FiscalYear.objects.select_related("closed_by")}
    posted = {day.year for day in Entry.objects.order_by().dates("posted_on", "year")}
    years = set(known) | posted | {timezone.localdate().year}
    return [
        YearRow(year=year, fiscal_year=known.get(year), has_postings=year in posted)
        for year in sorted(years, reverse=True)
    ]


@dataclass
class ClosePlan:
    """What closing a year would freeze, and what stops it."""

    year: int
    figures: YearFigures
    blockers: list[str] = field(default_factory=list)
    open_requests: list[SpendingRequest] = field(default_factory=list)

    @property
    def can_close(self) -> bool:
        return not self.blockers


def _open_requests(year: int, *, lock: bool = False) -> list[SpendingRequest]:
    requests = SpendingRequest.objects.filter(
        budget_line__year=year,
        status__in=[SpendingRequest.Status.SUBMITTED, SpendingRequest.Status.APPROVED],
    )
    if lock:  # an approval half-way waits for the close (or the close for it) and is seen
        requests = requests.select_for_update(of=("self",))
    return list(requests.select_related("unit", "budget_line__category").order_by("unit__path", "pk"))


def close_plan(year: int, *, lock: bool = False) -> ClosePlan:
    """The figures the close of ``year`` would freeze and the reasons it cannot close yet, if any."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(_("%(year)s is not a fiscal year of the books.") % {"year": year})
    plan = ClosePlan(year=year, figures=live_figures(years=[year])[year])
    fiscal_year = FiscalYear.objects.filter(year=year).first()
    if fiscal_year is not None and fiscal_year.is_closed:
        plan.blockers.append(_("The fiscal year %(year)s is already closed.") % {"year": year})
        return plan
    if not plan.figures.rows:  # closing a year before the books began would bar their opening balances
        plan.blockers.append(
            _("The books have no postings up to the end of %(year)s: there is nothing to close.")
            % {"year": year}
        )
    if dt.date(year, 12, 31) >= timezone.localdate():
        plan.blockers.append(
            _("The year %(year)s has not ended: it can be closed from 1 January %(next)s.")
            % {"year": year, "next": year + 1}
        )
    closed = set(FiscalYear.objects.filter(closed_at__isnull=False).values_list("year", flat=True))
    earlier = sorted(
        day.year
        for day in Entry.objects.filter(posted_on__lt=dt.date(year, 1, 1))
        .order_by()
        .dates("posted_on", "year")
        if day.year not in closed
    )
    if earlier:
        plan.blockers.append(
            _("The year %(earlier)s has postings and is still open: close it first (years close in order).")
            % {"earlier": earlier[0]}
        )
    plan.open_requests = _open_requests(year, lock=lock)
    if plan.open_requests:
        plan.blockers.append(
            _(
                "%(count)s spending requests against %(year)s budgets are awaiting approval or payment: "
                "pay, reject or withdraw them first (a closed year can pay nothing)."
            )
            % {"count": len(plan.open_requests), "year": year}
        )
    for row in plan.figures.rows:
        if not row.consistent:
            plan.blockers.append(
                _(
                    "%(unit)s: opening + income − expense is %(closing)s but its funds at the end of the "
                    "year are %(funds)s; check its entries in the ledger."
                )
                % {"unit": row.name, "closing": row.closing, "funds": row.funds_at_end}
            )
    return plan


# -- writes ------------------------------------------------------------------------------------------------


@transaction.atomic
def year_close(*, actor: Any, year: int) -> FiscalYear:
    """Close ``year`` (no postings from now on) and freeze each unit's opening, income, expense and closing
    in ``YearBalance`` rows, in one transaction under the ledger's lock."""
    top = top_unit_for(actor, "finance.post")
    # Locks in the order a payment takes them (its request, then the chain head), or a close and a payment
    # of the year's last request could deadlock on PostgreSQL.
    _open_requests(year, lock=True)
    services._lock_head()  # no posting can slip in between the figures and the close
    plan = close_plan(year, lock=True)
    if plan.blockers:
        raise ValidationError(plan.blockers)
    fiscal_year = services.fiscal_year_close(actor=actor, year=year)
    YearBalance.objects.bulk_create(
        YearBalance(
            year=year,
            unit_id=row.unit_id,
            opening=row.opening,
            income=row.income,
            expense=row.expense,
            closing=row.closing,
        )
        for row in plan.figures.rows
    )
    totals = plan.figures.totals
    audit(
        actor=actor,
        action="finance.year.balances_frozen",
        target=fiscal_year,
        unit=top,
        changes={"year": year, "units": len(plan.figures.rows), **totals},
    )
    return fiscal_year


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValidationError({"amount": _("Amount: %(value)s is not an amount in yuan.") % {"value": value}})
    if amount != amount.quantize(services.CENT):
        raise ValidationError({"amount": _("Amount: at most two decimals (fen).")})
    if amount == 0:
        raise ValidationError({"amount": _("Amount: an opening balance of 0 needs no entry.")})
    if abs(amount) > services.MAX_AMOUNT:
        raise ValidationError({"amount": _("Amount: the amount is too large.")})
    return amount


def _opening_category() -> Category:
    category = Category.objects.filter(code=OPENING_CODE).first()
    if category is None or category.kind != Category.Kind.NET_ASSETS:
        raise ValidationError(
            _("The chart has no net-assets category %(code)s (上年结余): add it first.")
            % {"code": OPENING_CODE}
        )
    return category


@transaction.atomic
def opening_balance_record(*, actor: Any, unit: Any, year: int, amount: Any, note: str = "") -> Entry:
    """Post a unit's opening balance for ``year`` (funds carried in from before SmartUnion), once."""
    top_unit_for(actor, "finance.post")
    if not actor.has_unit_perm("finance.post", unit):
        raise PermissionDenied
    value = _amount(amount)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("%(year)s is not a fiscal year of the books.") % {"year": year}})
    note = (note or "").strip()
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("Year: %(year)s has not begun yet.") % {"year": year}})
    category = _opening_category()
    services._lock_head()  # a close or a second submit waits here
    closed = (
        FiscalYear.objects.filter(closed_at__isnull=False)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if closed is not None and closed >= year:
        raise ValidationError({"year": _("The fiscal year %(year)s is closed.") % {"year": year}})
    if closed is not None:
        raise ValidationError(
            {
                "year": _(
                    "%(closed)s is closed: from then on balances are carried forward by the close, not typed in."
                )
                % {"closed": closed}
            }
        )
    key = repost_key(opening_key(year, unit.pk))
    existing = Entry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        raise ValidationError(
            _("The opening balance of %(unit)s for %(year)s is already recorded (entry #%(seq)s).")
            % {"unit": unit, "year": year, "seq": existing.seq}
        )
    if EntryLine.objects.filter(unit=unit, entry__posted_on__lt=dt.date(year, 1, 1)).exists():
        raise ValidationError(
            {
                "year": _(
                    "%(unit)s has postings before %(year)s: its funds are already in the books; record an "
                    "opening balance only for the first year of a unit's books."
                )
                % {"unit": unit, "year": year}
            }
        )
    memo = _("Opening balance %(year)s: %(unit)s") % {"year": year, "unit": unit.name}
    if note:
        memo = f"{memo} ({note})"
    posting = services.entry_post(
        actor=actor,
        idempotency_key=key,
        unit=unit,
        posted_on=dt.date(year, 1, 1),
        memo=memo,
        lines=[
            services.Line(account=EntryLine.Account.FUNDS, amount=value),
            services.Line(category=category, amount=-value),
        ],
        source_type=OPENING_SOURCE,
        source_id=f"{year}:{unit.pk}",
    )
    audit(
        actor=actor,
        action="finance.opening.recorded",
        target=posting.entry,
        unit=unit,
        changes={"year": year, "opening_balance": value, "note": note, "entry": f"#{posting.entry.seq}"},
    )
    return posting.entry


def opening_balances_for_user(*, user: Any) -> QuerySet[Entry]:
    """The recorded opening balances at units in the user's finance.view scope, newest year first."""
    standing = Entry.objects.filter(
        source_type=OPENING_SOURCE, reversal_of__isnull=True, reversed_by__isnull=True
    )  # a reversed opening balance and its reversal cancel out: the ledger shows both
    entries = user.scope_for("finance.view").filter(standing, "unit")
    return (
        entries.select_related("unit", "posted_by")
        .annotate(amount=Sum("lines__amount", filter=Q(lines__account=EntryLine.Account.FUNDS)))
        .order_by("-posted_on", "unit__path")
    )
