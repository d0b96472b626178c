"""Writes to the books. Every movement of money is posted here, by the modules that cause it:

    entry_post(actor=user, idempotency_key="welfare.batch:12:person:7", unit=unit, posted_on=day,
               memo="春节慰问", source_type="welfare.batch", source_id=12,
               lines=[Line(category=comfort, amount="500.00"), Line(account="funds", amount="-500.00")])

Amounts are signed: debit positive, credit negative; an entry's lines sum to zero. The same idempotency
key posts once: a retried or concurrent call gets the entry the first call posted. Postings are serialised
by a lock on the chain head (one row), so the hash chain has no forks and budget checks see every earlier
posting; budget lines of "stop" categories are locked as well before they are checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from . import chain
from .models import BudgetLine, Category, ChainHead, Entry, EntryLine, FiscalYear
from .selectors import spent, year_is_closed

__all__ = ["Line", "Posting", "entry_post", "entry_reverse", "fiscal_year_close", "repost_key"]

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")


@dataclass(frozen=True)
class Line:
    """One line to post: on a category (``category=``) or on the unit's funds (``account="funds"``)."""

    amount: Decimal | str | int
    account: str = EntryLine.Account.CATEGORY
    category: Category | None = None
    unit: Any = None  # defaults to the entry's unit


@dataclass
class Posting:
    entry: Entry
    created: bool  # False: the idempotency key had posted already, nothing was written
    warnings: list[str] = field(default_factory=list)


def _actor_pk(actor: Any) -> int | None:
    return getattr(actor, "pk", None)


def _as_line(raw: Line | Mapping[str, Any]) -> Line:
    return raw if isinstance(raw, Line) else Line(**raw)


def _clean_lines(
    raw_lines: Iterable[Line | Mapping[str, Any]], *, unit: Any, posted_on: dt.date, check_dates: bool
) -> list[EntryLine]:
    """The lines as unsaved EntryLines, or ValidationError listing every problem."""
    lines = [_as_line(raw) for raw in raw_lines]
    errors: list[str] = []
    if len(lines) < 2:
        errors.append(_("An entry needs at least two lines."))
    category_ids = {line.category.pk for line in lines if line.category is not None}
    categories = Category.objects.in_bulk(category_ids)
    prepared: list[EntryLine] = []
    total = Decimal("0.00")
    for number, line in enumerate(lines, start=1):
        try:
            amount = Decimal(str(line.amount))
        except (InvalidOperation, ValueError):
            errors.append(
                _("Line %(n)s: %(amount)s is not an amount.") % {"n": number, "amount": line.amount}
            )
            continue
        if not amount.is_finite():
            errors.append(
                _("Line %(n)s: %(amount)s is not an amount.") % {"n": number, "amount": line.amount}
            )
            continue
        if amount != amount.quantize(CENT):
            errors.append(_("Line %(n)s: an amount has at most two decimals (fen).") % {"n": number})
            continue
        amount = amount.quantize(CENT)
        if amount == 0:
            errors.append(_("Line %(n)s: the amount must not be zero.") % {"n": number})
            continue
        if abs(amount) > MAX_AMOUNT:
            errors.append(_("Line %(n)s: the amount is too large.") % {"n": number})
            continue
        total += amount
        category = categories.get(line.category.pk) if line.category is not None else None
        if line.account == EntryLine.Account.FUNDS:
            if line.category is not None:
                errors.append(_("Line %(n)s: a funds line has no category.") % {"n": number})
                continue
        elif line.account == EntryLine.Account.CATEGORY:
            if category is None:
                errors.append(_("Line %(n)s: choose a category.") % {"n": number})
                continue
            if check_dates and not category.is_valid_on(posted_on):
                errors.append(
                    _("Line %(n)s: the category %(category)s is not in use on %(date)s.")
                    % {"n": number, "category": category, "date": posted_on.isoformat()}
                )
                continue
        else:
            errors.append(
                _("Line %(n)s: unknown account %(account)s.") % {"n": number, "account": line.account}
            )
            continue
        prepared.append(
            EntryLine(
                unit=line.unit if line.unit is not None else unit,
                account=line.account,
                category=category,
                amount=amount,
            )
        )
    if not errors and total != 0:
        errors.append(_("The entry does not balance: its lines sum to %(total)s, not 0.") % {"total": total})
    if errors:
        raise ValidationError(errors)
    return prepared


def _lock_head() -> ChainHead:
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        try:
            with transaction.atomic():
                ChainHead.objects.create(pk=1, last_seq=0, last_hash=chain.GENESIS)
        except IntegrityError:
            pass  # created by a concurrent first posting
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _budget_line_for(*, year: int, unit_id: int, category: Category) -> BudgetLine | None:
    """The budget line covering a category: its own, or the nearest ancestor's; locked."""
    current: Category | None = category
    while current is not None:
        line = (
            BudgetLine.objects.select_for_update(of=("self",))
            .select_related("category")
            .filter(year=year, unit_id=unit_id, category=current)
            .first()
        )
        if line is not None:
            return line
        current = current.parent
    return None


def _check_budgets(lines: list[EntryLine], *, year: int) -> list[str]:
    """Refuse spending beyond the budget of a "stop" category; return warnings for "warn" ones."""
    groups: dict[tuple[int, int], Decimal] = {}
    for line in lines:
        if line.category is not None and line.category.kind == Category.Kind.EXPENSE:
            group = (line.unit_id, line.category.pk)
            groups[group] = groups.get(group, Decimal("0.00")) + line.amount
    # Several sub-categories may draw on one budget line: add them up per line first.
    needs: dict[tuple[int, int | None, int], dict[str, Any]] = {}
    for (unit_id, category_id), amount in sorted(groups.items()):
        if amount <= 0:
            continue  # a refund never overspends
        category = next(line.category for line in lines if line.category and line.category.pk == category_id)
        covering = _budget_line_for(year=year, unit_id=unit_id, category=category)
        key = (unit_id, covering.pk if covering else None, category_id if covering is None else 0)
        need = needs.setdefault(key, {"line": covering, "category": category, "amount": Decimal("0.00")})
        need["amount"] += amount
        need["stop"] = need.get("stop", False) or category.overspend == Category.Overspend.STOP
    refusals: list[str] = []
    warnings: list[str] = []
    for (unit_id, _line_pk, _cat), need in needs.items():
        budget_line: BudgetLine | None = need["line"]
        unit_label = str(next(line.unit for line in lines if line.unit_id == unit_id))
        if budget_line is None:
            message = _("%(category)s at %(unit)s has no budget for %(year)s (this posting: %(amount)s).") % {
                "category": need["category"],
                "unit": unit_label,
                "year": year,
                "amount": need["amount"],
            }
        else:
            remaining = budget_line.amount - spent(year=year, unit_id=unit_id, category=budget_line.category)
            if need["amount"] <= remaining:
                continue
            message = _(
                "Over budget: %(category)s at %(unit)s has %(remaining)s left of %(budget)s for %(year)s; "
                "this posting needs %(amount)s."
            ) % {
                "category": budget_line.category,
                "unit": unit_label,
                "remaining": remaining,
                "budget": budget_line.amount,
                "year": year,
                "amount": need["amount"],
            }
        (refusals if need["stop"] else warnings).append(message)
    if refusals:
        raise ValidationError(refusals)
    return warnings


@transaction.atomic
def _append(
    *,
    actor: Any,
    idempotency_key: str,
    unit: Any,
    posted_on: dt.date,
    memo: str,
    lines: list[EntryLine],
    source_type: str,
    source_id: str,
    reversal_of: Entry | None = None,
) -> Posting:
    head = _lock_head()
    # Under the lock every earlier posting is visible: a concurrent call with the same key has won.
    existing = Entry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return Posting(entry=existing, created=False)
    if reversal_of is not None:
        _refuse_reversed(reversal_of)
    if year_is_closed(posted_on.year):
        raise ValidationError(
            _("The fiscal year %(year)s is closed: it accepts no postings.") % {"year": posted_on.year}
        )
    warnings = _check_budgets(lines, year=posted_on.year)
    entry = Entry(
        seq=head.last_seq + 1,
        posted_on=posted_on,
        posted_at=timezone.now(),
        unit=unit,
        memo=memo[:200],
        source_type=source_type,
        source_id=source_id,
        idempotency_key=idempotency_key,
        reversal_of=reversal_of,
        posted_by_id=_actor_pk(actor),
        previous_hash=head.last_hash or chain.GENESIS,
    )
    entry.entry_hash = chain.entry_hash(entry.previous_hash, entry, lines)
    entry.save()
    for line in lines:
        line.entry = entry
    EntryLine.objects.bulk_create(lines)
    head.last_seq = entry.seq
    head.last_hash = entry.entry_hash
    head.save(update_fields=["last_seq", "last_hash"])
    debit = sum((line.amount for line in lines if line.amount > 0), Decimal("0.00"))
    changes: dict[str, Any] = {"seq": entry.seq, "total": debit}
    if source_type:
        changes["source"] = f"{source_type}:{source_id}"
    if warnings:
        changes["warnings"] = warnings
    if reversal_of is not None:
        changes["reversed_entry"] = f"#{reversal_of.seq}"
        changes["reason"] = memo
    audit(
        actor=actor,
        action="finance.entry.reversed" if reversal_of is not None else "finance.entry.posted",
        target=entry,
        changes=changes,
    )
    return Posting(entry=entry, created=True, warnings=warnings)


def _refuse_reversed(entry: Entry) -> None:
    if entry.reversal_of_id is not None:
        raise ValidationError(
            _("Entry #%(seq)s is a reversal; post a new entry instead.") % {"seq": entry.seq}
        )
    reversal = Entry.objects.filter(reversal_of=entry).first()
    if reversal is not None:
        raise ValidationError(
            _("Entry #%(seq)s has already been reversed by entry #%(by)s.")
            % {"seq": entry.seq, "by": reversal.seq}
        )


def repost_key(base: str) -> str:
    """The idempotency key for posting ``base`` (again): ``base`` itself, or the key of its latest posting
    while that stands, or a numbered new key (``base#2``…) once it has been reversed — so a corrected month
    can be posted again while a retry of a standing posting still posts nothing."""
    postings = list(
        Entry.objects.filter(Q(idempotency_key=base) | Q(idempotency_key__startswith=f"{base}#"))
        .order_by("pk")
        .values_list("pk", "idempotency_key")
    )
    if not postings:
        return base
    latest_pk, latest_key = postings[-1]
    if Entry.objects.filter(reversal_of_id=latest_pk).exists():
        return f"{base}#{len(postings) + 1}"
    return latest_key


def _existing(idempotency_key: str) -> Entry | None:
    return Entry.objects.filter(idempotency_key=idempotency_key).first()


def entry_post(
    *,
    actor: Any,
    idempotency_key: str,
    unit: Any,
    posted_on: dt.date,
    memo: str,
    lines: Iterable[Line | Mapping[str, Any]],
    source_type: str = "",
    source_id: str | int = "",
) -> Posting:
    """Post one balanced entry, once per idempotency key; ValidationError (nothing written) if refused."""
    if not idempotency_key:
        raise ValidationError(_("A posting needs an idempotency key."))
    existing = _existing(idempotency_key)
    if existing is not None:
        return Posting(entry=existing, created=False)
    prepared = _clean_lines(lines, unit=unit, posted_on=posted_on, check_dates=True)
    try:
        return _append(
            actor=actor,
            idempotency_key=idempotency_key,
            unit=unit,
            posted_on=posted_on,
            memo=memo,
            lines=prepared,
            source_type=source_type,
            source_id=str(source_id),
        )
    except IntegrityError:
        winner = _existing(idempotency_key)
        if winner is None:
            raise
        return Posting(entry=winner, created=False)


def entry_reverse(
    *,
    actor: Any,
    entry: Entry,
    reason: str,
    idempotency_key: str,
    posted_on: dt.date | None = None,
) -> Posting:
    """Post the entry's lines negated, linked to it by ``reversal_of``; an entry is reversed at most once."""
    if not idempotency_key:
        raise ValidationError(_("A posting needs an idempotency key."))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the entry is reversed."))
    existing = _existing(idempotency_key)
    if existing is not None:
        return Posting(entry=existing, created=False)
    _refuse_reversed(entry)
    day = posted_on or timezone.localdate()
    lines = [
        EntryLine(unit=line.unit, account=line.account, category=line.category, amount=-line.amount)
        for line in entry.lines.select_related("category", "unit").order_by("id")
    ]
    try:
        return _append(
            actor=actor,
            idempotency_key=idempotency_key,
            unit=entry.unit,
            posted_on=day,
            memo=reason,
            lines=lines,
            source_type=entry.source_type,
            source_id=entry.source_id,
            reversal_of=entry,
        )
    except IntegrityError:
        winner = _existing(idempotency_key)
        if winner is not None:
            return Posting(entry=winner, created=False)
        _refuse_reversed(entry)
        raise


@transaction.atomic
def fiscal_year_close(*, actor: Any, year: int) -> FiscalYear:
    """Close a year: from now on it accepts no postings (a correction goes into an open year)."""
    _lock_head()  # no posting into the year can be half-way while it closes
    fiscal_year, _created = FiscalYear.objects.select_for_update().get_or_create(year=year)
    if fiscal_year.is_closed:
        raise ValidationError(_("The fiscal year %(year)s is already closed.") % {"year": year})
    fiscal_year.closed_at = timezone.now()
    fiscal_year.closed_by_id = _actor_pk(actor)
    fiscal_year.save(update_fields=["closed_at", "closed_by"])
    audit(actor=actor, action="finance.year.closed", target=fiscal_year, changes={"year": year})
    return fiscal_year
