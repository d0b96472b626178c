"""Budget allocation by formula (经费分配): the school union gives each chosen unit a budget for one expense
category and year of

    per-member amount × the unit's members on a date (its whole subtree) + a fixed amount per unit,

previewed first (``allocation_preview``), then applied all at once (``allocation_apply``), which recomputes
everything under row locks — posted totals are never trusted.

Rules, decided here:

* School-wide only: ``finance.budget.manage`` held at the top of the tree.
* Members are counted as the 入会率 numerator counts them (``members.selectors.kpis.member_counts_on``),
  on today or a past date; a future date is refused, because the count would silently be today's.
* The default units are the top unit's active children (every 分工会 and 直属工会小组); a unit inside
  another chosen unit is refused, since its members would be paid for twice.
* A unit's existing line is set to the new amount; refused (for the whole allocation) when the line's
  committed and spent money is above it. A pending adjustment of a changed line stays pending, and its
  approval is then refused as stale (see ``adjustments``): the preview warns about it.
* A closed fiscal year takes no allocation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.members.selectors import kpis as member_kpis
from smartunion.organisations import selectors as org_selectors

from . import selectors
from .models import (
    BudgetAdjustment,
    BudgetAllocation,
    BudgetAllocationRow,
    BudgetLine,
    Category,
    EntryLine,
    SpendingRequest,
)

__all__ = [
    "AllocationPreview",
    "AllocationRow",
    "allocation_apply",
    "allocation_preview",
    "default_units",
    "may_allocate",
]

PERM = "finance.budget.manage"
CENT = Decimal("0.01")
MAX_LINE = Decimal("9999999999.99")  # BudgetLine.amount: 12 digits, 2 decimals
MAX_PER_MEMBER = Decimal("99999999.99")  # BudgetAllocation.per_member: 10 digits, 2 decimals
ZERO = Decimal("0.00")


@dataclass
class AllocationRow:
    unit: Any
    members: int
    per_member_part: Decimal
    fixed_part: Decimal
    line: BudgetLine | None  # the unit's existing line for the year and category
    used: Decimal = ZERO  # committed (approved, unpaid) and spent on that line
    pending: BudgetAdjustment | None = None
    problem: str = ""

    @property
    def amount(self) -> Decimal:
        return self.per_member_part + self.fixed_part

    @property
    def current(self) -> Decimal | None:
        return self.line.amount if self.line is not None else None

    @property
    def change(self) -> Decimal:
        return self.amount - (self.current or ZERO)


@dataclass
class AllocationPreview:
    year: int
    category: Category
    counted_on: dt.date
    per_member: Decimal
    fixed_amount: Decimal
    rows: list[AllocationRow]
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)

    @property
    def current_total(self) -> Decimal:
        return sum((row.current or ZERO for row in self.rows), ZERO)

    @property
    def members(self) -> int:
        return sum(row.members for row in self.rows)

    @property
    def problems(self) -> list[str]:
        return [row.problem for row in self.rows if row.problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def fingerprint(self) -> str:
        """What the preview showed, unit by unit: applying refuses figures that differ from it."""
        shown = ";".join(f"{row.unit.pk}:{row.members}:{row.amount}:{row.current}" for row in self.rows)
        return hashlib.sha256(shown.encode()).hexdigest()[:32]


def may_allocate(user: Any) -> bool:
    return bool(user.scope_for(PERM).at_top)


def default_units(user: Any) -> Any:
    """The units an allocation goes to unless others are chosen: the top unit's active children."""
    return org_selectors.unit_choices_for_user(user=user, perm=PERM).filter(depth=1)


def _money(raw: Any, field_name: str, *, maximum: Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip() or "0")
    except (InvalidOperation, ValueError):
        raise ValidationError({field_name: _("Enter an amount in yuan, e.g. 1200.50.")}) from None
    if not value.is_finite() or value != value.quantize(CENT):
        raise ValidationError({field_name: _("Enter an amount in yuan with at most two decimals (fen).")})
    if value < 0:
        raise ValidationError({field_name: _("The amount cannot be negative.")})
    if value > maximum:
        raise ValidationError({field_name: _("The amount is too large.")})
    return value.quantize(CENT)


@dataclass(frozen=True)
class _Inputs:
    year: int
    category: Category
    counted_on: dt.date
    per_member: Decimal
    fixed_amount: Decimal
    units: list[Any]


def _check(
    *,
    actor: Any,
    year: Any,
    category: Category | None,
    counted_on: dt.date | None,
    per_member: Any,
    fixed_amount: Any,
    units: Iterable[Any] | None,
) -> _Inputs:
    """The inputs cleaned, or ValidationError naming every bad field; PermissionDenied below the top."""
    if not may_allocate(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}

    def add(error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)

    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        errors.setdefault("year", []).append(_("Enter a year between 2000 and 2100."))
    elif selectors.year_is_closed(year):
        errors.setdefault("year", []).append(
            _("The fiscal year %(year)s is closed: its budgets cannot change.") % {"year": year}
        )
    if category is None:
        errors.setdefault("category", []).append(_("Choose an expense category."))
    elif category.kind != Category.Kind.EXPENSE:
        errors.setdefault("category", []).append(
            _("Budgets are set for expense categories: %(category)s is not one.") % {"category": category}
        )
    if counted_on is None:
        errors.setdefault("counted_on", []).append(_("Choose the date on which members are counted."))
    elif counted_on > timezone.localdate():
        errors.setdefault("counted_on", []).append(_("Members can only be counted on today or a past date."))
    amounts = {}
    for name, raw, maximum in (
        ("per_member", per_member, MAX_PER_MEMBER),
        ("fixed_amount", fixed_amount, MAX_LINE),
    ):
        try:
            amounts[name] = _money(raw, name, maximum=maximum)
        except ValidationError as error:
            add(error)
    if amounts.get("per_member") == ZERO and amounts.get("fixed_amount") == ZERO:
        errors.setdefault("per_member", []).append(
            _("Enter an amount per member, a fixed amount per unit, or both.")
        )
    chosen = list(default_units(actor) if units is None else units)
    scope = actor.scope_for(PERM)
    if not chosen:
        errors.setdefault("units", []).append(_("Choose at least one unit."))
    for unit in chosen:
        if not scope.covers(unit.path) or not unit.is_active:
            errors.setdefault("units", []).append(
                _("%(unit)s is not a unit you may allocate to.") % {"unit": unit}
            )
    for unit in chosen:
        outer = next((o for o in chosen if o.pk != unit.pk and unit.path.startswith(o.path)), None)
        if outer is not None:
            errors.setdefault("units", []).append(
                _("%(unit)s lies inside %(outer)s: choose one of the two, or its members count twice.")
                % {"unit": unit, "outer": outer}
            )
    if errors:
        raise ValidationError(errors)
    assert category is not None and counted_on is not None
    return _Inputs(
        year=year,
        category=category,
        counted_on=counted_on,
        per_member=amounts["per_member"],
        fixed_amount=amounts["fixed_amount"],
        units=sorted(chosen, key=lambda unit: unit.path),
    )


def _compute(inputs: _Inputs, *, lock: bool) -> AllocationPreview:
    """The rows, in a fixed number of queries whatever the number of units: member counts, the lines,
    the chart, ledger sums, commitments, pending adjustments."""
    units = inputs.units
    counts = member_kpis.member_counts_on(on=inputs.counted_on, units=units)
    lines_query = BudgetLine.objects.filter(
        year=inputs.year, category=inputs.category, unit_id__in=[unit.pk for unit in units]
    )
    if lock:
        lines_query = lines_query.select_for_update().order_by("pk")
    lines = {line.unit_id: line for line in lines_query}
    used: dict[int, Decimal] = {}
    pending: dict[int, BudgetAdjustment] = {}
    if lines:
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        subtree, todo = [], [inputs.category.pk]
        while todo:
            current = todo.pop()
            subtree.append(current)
            todo.extend(children.get(current, []))
        spent = dict(
            EntryLine.objects.filter(
                unit_id__in=list(lines),
                account=EntryLine.Account.CATEGORY,
                category_id__in=subtree,
                entry__posted_on__gte=dt.date(inputs.year, 1, 1),
                entry__posted_on__lte=dt.date(inputs.year, 12, 31),
            )
            .order_by()
            .values("unit_id")
            .annotate(total=Sum("amount"))
            .values_list("unit_id", "total")
        )
        line_ids = [line.pk for line in lines.values()]
        committed = dict(
            SpendingRequest.objects.filter(
                budget_line_id__in=line_ids, status=SpendingRequest.Status.APPROVED
            )
            .order_by()
            .values("budget_line_id")
            .annotate(total=Sum("amount"))
            .values_list("budget_line_id", "total")
        )
        for unit_id, existing in lines.items():
            used[unit_id] = ((spent.get(unit_id) or ZERO) + (committed.get(existing.pk) or ZERO)).quantize(
                CENT
            )
        for adjustment in BudgetAdjustment.objects.filter(
            budget_line_id__in=line_ids, status=BudgetAdjustment.Status.PENDING
        ):
            pending[adjustment.budget_line_id] = adjustment
    rows: list[AllocationRow] = []
    warnings: list[str] = []
    for unit in units:
        members = counts.get(unit.pk, 0)
        line = lines.get(unit.pk)
        row = AllocationRow(
            unit=unit,
            members=members,
            per_member_part=(inputs.per_member * members).quantize(CENT, rounding=ROUND_HALF_UP),
            fixed_part=inputs.fixed_amount,
            line=line,
            used=used.get(unit.pk, ZERO),
            pending=pending.get(line.pk) if line is not None else None,
        )
        if row.amount > MAX_LINE:
            row.problem = _("%(unit)s: %(amount)s is more than a budget line can hold.") % {
                "unit": unit,
                "amount": row.amount,
            }
        elif line is not None and row.amount < row.used:
            row.problem = _(
                "%(unit)s: %(used)s is committed or spent on this line already; the new budget %(amount)s "
                "would be below it."
            ) % {"unit": unit, "used": row.used, "amount": row.amount}
        if row.pending is not None and row.change:
            warnings.append(
                _(
                    "%(unit)s has a pending adjustment request (%(before)s → %(after)s): once this allocation "
                    "changes the line, that request can no longer be approved and must be filed again."
                )
                % {"unit": unit, "before": row.pending.amount_before, "after": row.pending.amount_after}
            )
        rows.append(row)
    return AllocationPreview(
        year=inputs.year,
        category=inputs.category,
        counted_on=inputs.counted_on,
        per_member=inputs.per_member,
        fixed_amount=inputs.fixed_amount,
        rows=rows,
        warnings=warnings,
    )


def allocation_preview(
    *,
    actor: Any,
    year: Any,
    category: Category | None,
    counted_on: dt.date | None,
    per_member: Any,
    fixed_amount: Any,
    units: Iterable[Any] | None = None,
) -> AllocationPreview:
    """What an allocation would give each unit (nothing is written). Bad inputs: ValidationError; rows
    that cannot be applied carry a ``problem`` (``preview.ok`` is False)."""
    inputs = _check(
        actor=actor,
        year=year,
        category=category,
        counted_on=counted_on,
        per_member=per_member,
        fixed_amount=fixed_amount,
        units=units,
    )
    return _compute(inputs, lock=False)


@transaction.atomic
def allocation_apply(
    *,
    actor: Any,
    year: Any,
    category: Category | None,
    counted_on: dt.date | None,
    per_member: Any,
    fixed_amount: Any,
    units: Iterable[Any] | None = None,
    note: str = "",
    expected: str | None = None,
) -> BudgetAllocation:
    """Recompute the allocation with the existing lines locked and apply it all or nothing: create or
    update each unit's line, record the allocation and its rows, audit every line and the whole."""
    inputs = _check(
        actor=actor,
        year=year,
        category=category,
        counted_on=counted_on,
        per_member=per_member,
        fixed_amount=fixed_amount,
        units=units,
    )
    preview = _compute(inputs, lock=True)
    if not preview.ok:
        raise ValidationError(preview.problems)
    if expected is not None and expected != preview.fingerprint:
        raise ValidationError(
            _(
                "The figures changed since the preview (a member count or a budget line): check the new "
                "preview and confirm again."
            )
        )
    allocation = BudgetAllocation.objects.create(
        year=inputs.year,
        category=inputs.category,
        counted_on=inputs.counted_on,
        per_member=inputs.per_member,
        fixed_amount=inputs.fixed_amount,
        total=preview.total,
        note=note.strip()[:200],
        applied_by=actor,
        applied_at=timezone.now(),
    )
    rows = []
    for row in preview.rows:
        line = row.line
        before = row.current
        if line is None:
            try:
                with transaction.atomic():
                    line = BudgetLine.objects.create(
                        year=inputs.year, unit=row.unit, category=inputs.category, amount=row.amount
                    )
            except IntegrityError:
                raise ValidationError(
                    _("A budget line of %(unit)s was added meanwhile: preview the allocation again.")
                    % {"unit": row.unit}
                ) from None
        elif line.amount != row.amount:
            line.amount = row.amount
            line.save(update_fields=["amount"])
        rows.append(
            BudgetAllocationRow(
                allocation=allocation,
                unit=row.unit,
                members=row.members,
                amount=row.amount,
                previous_amount=before,
                budget_line=line,
            )
        )
        if before != row.amount:
            audit(
                actor=actor,
                action="finance.budget.allocated",
                target=line,
                changes={
                    "amount": [before, row.amount],
                    "members": row.members,
                    "allocation": f"#{allocation.pk}",
                },
            )
    BudgetAllocationRow.objects.bulk_create(rows)
    audit(
        actor=actor,
        action="finance.allocation.applied",
        target=allocation,
        unit=org_selectors.ancestors(inputs.units[0], include_self=True)[0],
        changes={
            "year": inputs.year,
            "category": str(inputs.category),
            "counted_on": inputs.counted_on,
            "per_member": inputs.per_member,
            "fixed_amount": inputs.fixed_amount,
            "units": len(rows),
            "members": preview.members,
            "total": preview.total,
        },
    )
    return allocation


# -- reads -----------------------------------------------------------------------------------------------


def allocations() -> Any:
    """Every allocation (school-wide: the views check ``finance.view`` at the top)."""
    return BudgetAllocation.objects.select_related("category", "applied_by").annotate(
        units=Count("rows"), members=Sum("rows__members")
    )


def allocation_get(*, pk: int) -> BudgetAllocation:
    allocation = BudgetAllocation.objects.select_related("category", "applied_by").filter(pk=pk).first()
    if allocation is None:
        raise Http404
    return allocation


def allocation_rows(allocation: BudgetAllocation) -> Any:
    return allocation.rows.select_related("unit", "budget_line").order_by("unit__path")


def allocation_rows_for_line(line: BudgetLine) -> Any:
    """The allocations that set this line, newest first."""
    return (
        BudgetAllocationRow.objects.filter(budget_line=line)
        .select_related("allocation__applied_by")
        .order_by("-allocation__applied_at")
    )
