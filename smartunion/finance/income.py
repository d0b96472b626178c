"""Income recorded from other modules' books: the monthly dues (会费) that payroll deducted, and the
拨缴经费 (the school's 2 % of its payroll, of which the union keeps its share).

For a month the union office recorded as deducted in members, each sub-union's part of the paid dues is
posted as one entry at that sub-union (Dr its funds, Cr 会费收入), with the school union's part on the same
entry at the top of the tree. The idempotency key names the month and the unit, so recording a month again
posts nothing new (and a sub-union whose dues were already posted is skipped).

The 拨缴经费 of a month is one entry at the top of the tree (the school union): Dr funds, Cr 拨缴经费收入 for
the part the union keeps; the part that goes on to the higher-level union is recorded beside it
(``FundsAllocationIncome``) but never passes through the union's funds, so it is not posted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.members.selectors import dues as dues_selectors
from smartunion.organisations import selectors as org_selectors

from .models import Category, Entry, EntryLine, FundsAllocationIncome
from .services import CENT, Line, Posting, _lock_head, entry_post, repost_key

DUES_INCOME_CODE = "401"  # 会费收入 in the seeded chart
DUES_SOURCE = "members.dues_month"
ZERO = Decimal("0.00")


def dues_key(month: dt.date, unit_id: int) -> str:
    return f"finance.dues:{month:%Y-%m}:{unit_id}"


@dataclass
class DuesIncome:
    month: dt.date
    postings: list[Posting] = field(default_factory=list)

    @property
    def created(self) -> list[Posting]:
        return [posting for posting in self.postings if posting.created]


def _income_category() -> Category:
    category = Category.objects.filter(code=DUES_INCOME_CODE).first()
    if category is None or category.kind != Category.Kind.INCOME:
        raise ValidationError(
            _("The chart has no income category %(code)s (会费收入): add it before recording dues income.")
            % {"code": DUES_INCOME_CODE}
        )
    return category


def _check_may_post(actor: Any) -> None:
    if actor is None or not actor.scope_for("finance.post").at_top:
        raise PermissionDenied
    if not actor.scope_for("members.dues.view").at_top:
        raise PermissionDenied


def _lines_for(group: Any, category: Category) -> tuple[Any, list[Line], Decimal]:
    """The lines of one sub-union's entry: its part and the school's part of the dues actually paid."""
    paid = [line for line in group.lines if line.paid]
    unit_part = sum((line.unit_part for line in paid), ZERO)
    school_part = sum((line.school_part for line in paid), ZERO)
    unit = group.unit
    top = org_selectors.ancestors(unit, include_self=True)[0]
    parts: dict[int, tuple[Any, Decimal]] = {}
    for owner, amount in ((unit, unit_part), (top, school_part)):
        if amount:
            previous = parts.get(owner.pk, (owner, ZERO))[1]
            parts[owner.pk] = (owner, previous + amount)
    lines: list[Line] = []
    for owner, amount in parts.values():
        lines.append(Line(account=EntryLine.Account.FUNDS, amount=amount, unit=owner))
        lines.append(Line(category=category, amount=-amount, unit=owner))
    return unit, lines, unit_part + school_part


@transaction.atomic
def dues_income_record(*, actor: Any, month: dt.date) -> DuesIncome:
    """Post the dues income of ``month`` (recorded as deducted in members): one entry per sub-union.
    Idempotent: what has been posted already is not posted again."""
    _check_may_post(actor)
    month = dues_selectors.month_start(month)
    label = date_format(month, "YEAR_MONTH_FORMAT")
    sheet = dues_selectors.dues_sheet(user=actor, month=month)
    if sheet.recorded is None:
        raise ValidationError(
            _(
                "%(month)s has not been recorded as deducted on the dues sheet: the union office records "
                "the month there first."
            )
            % {"month": label}
        )
    category = _income_category()
    posted_on = min(dues_selectors.month_end(month), timezone.localdate())
    result = DuesIncome(month=month)
    for group in sheet.groups:
        unit, lines, total = _lines_for(group, category)
        if not total:
            continue  # nobody paid: nothing to post
        result.postings.append(
            entry_post(
                actor=actor,
                idempotency_key=repost_key(dues_key(month, unit.pk)),
                unit=unit,
                posted_on=posted_on,
                memo=_("Dues income %(month)s: %(unit)s") % {"month": label, "unit": unit.name},
                lines=lines,
                source_type=DUES_SOURCE,
                source_id=sheet.recorded.pk,
            )
        )
    return result


# -- reads -------------------------------------------------------------------------------------------


@dataclass
class DuesIncomeMonth:
    record: Any  # members' DuesMonth
    entries: int
    amount: Decimal

    @property
    def month(self) -> dt.date:
        return self.record.month  # type: ignore[no-any-return]

    @property
    def is_posted(self) -> bool:
        return self.entries > 0


def dues_income_months(limit: int = 24) -> list[DuesIncomeMonth]:
    """The months recorded as deducted in members, newest first, with what the books hold of each."""
    records = dues_selectors.recorded_months(limit)
    ids = [str(record.pk) for record in records]
    counts = dict(
        Entry.objects.filter(
            source_type=DUES_SOURCE, source_id__in=ids, reversal_of__isnull=True, reversed_by__isnull=True
        )
        .values("source_id")
        .annotate(n=Count("id"))
        .values_list("source_id", "n")
    )
    amounts: dict[str, Decimal] = {}
    for source_id, amount in EntryLine.objects.filter(
        entry__source_type=DUES_SOURCE,
        entry__source_id__in=ids,
        entry__reversal_of__isnull=True,
        entry__reversed_by__isnull=True,
        account=EntryLine.Account.FUNDS,
    ).values_list("entry__source_id", "amount"):
        amounts[source_id] = amounts.get(source_id, ZERO) + amount
    return [
        DuesIncomeMonth(
            record=record, entries=counts.get(str(record.pk), 0), amount=amounts.get(str(record.pk), ZERO)
        )
        for record in records
    ]


# -- 拨缴经费: the school's 2 % of its payroll, of which the union keeps its share -------------------------

ALLOCATION_INCOME_CODE = "402"  # 拨缴经费收入 in the seeded chart
ALLOCATION_SOURCE = "finance.allocation_income"
RATE_PLACES = Decimal("0.0001")  # the model keeps rates and shares with four decimals
MAX_PAYROLL = Decimal("999999999999.99")


def allocation_key(month: dt.date) -> str:
    return f"finance.allocation:{month:%Y-%m}"


def default_allocation_rate() -> Decimal:
    return Decimal(str(getattr(settings, "FINANCE_ALLOCATION_RATE", "0.02")))


def default_retained_share() -> Decimal:
    return Decimal(str(getattr(settings, "FINANCE_ALLOCATION_RETAINED_SHARE", "0.60")))


@dataclass(frozen=True)
class AllocationSplit:
    payroll_total: Decimal
    rate: Decimal
    retained_share: Decimal
    allocation: Decimal  # payroll × rate
    retained: Decimal  # kept by the union: posted as income
    upward: Decimal  # to the higher-level union


def _decimal(value: Any, name: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationError(
            {name: _("%(field)s: %(value)s is not a number.") % {"field": label, "value": value}}
        )
    return number


def allocation_split(payroll_total: Any, rate: Any = None, retained_share: Any = None) -> AllocationSplit:
    """The split of a month's 拨缴经费, or ValidationError naming the bad input.

    Rounding: the allocation (payroll × rate) and the kept part (allocation × share) are each rounded to
    the fen half up (四舍五入); the part for the higher-level union is the allocation minus the kept part,
    so the two parts always add up to the allocation exactly.
    """
    payroll = _decimal(payroll_total, "payroll_total", _("Payroll total"))
    if payroll <= 0:
        raise ValidationError(
            {"payroll_total": _("Payroll total: enter the month's payroll in yuan, more than 0.")}
        )
    if payroll != payroll.quantize(CENT):
        raise ValidationError({"payroll_total": _("Payroll total: at most two decimals (fen).")})
    if payroll > MAX_PAYROLL:
        raise ValidationError({"payroll_total": _("Payroll total: the amount is too large.")})
    rate_value = (
        default_allocation_rate() if rate in (None, "") else _decimal(rate, "rate", _("Allocation rate"))
    )
    if not Decimal("0") < rate_value <= Decimal("1"):
        raise ValidationError({"rate": _("Allocation rate: more than 0 and at most 100 per cent.")})
    share = (
        default_retained_share()
        if retained_share in (None, "")
        else _decimal(retained_share, "retained_share", _("Share kept"))
    )
    if not Decimal("0") <= share <= Decimal("1"):
        raise ValidationError({"retained_share": _("Share kept: between 0 and 100 per cent.")})
    for name, value, label in (
        ("rate", rate_value, _("Allocation rate")),
        ("retained_share", share, _("Share kept")),
    ):
        if value != value.quantize(RATE_PLACES):
            raise ValidationError({name: _("%(field)s: in steps of 0.01 %% at most.") % {"field": label}})
    allocation = (payroll * rate_value).quantize(CENT, rounding=ROUND_HALF_UP)
    retained = (allocation * share).quantize(CENT, rounding=ROUND_HALF_UP)
    return AllocationSplit(
        payroll_total=payroll.quantize(CENT),
        rate=rate_value.quantize(RATE_PLACES),
        retained_share=share.quantize(RATE_PLACES),
        allocation=allocation,
        retained=retained,
        upward=allocation - retained,
    )


def top_unit_for(actor: Any, perm: str) -> Any:
    """The top of the tree where ``actor`` holds ``perm`` school-wide (the school union), or
    PermissionDenied. Of several trees (a provincial deployment) the first is taken."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    scope = actor.scope_for(perm)
    if not scope.at_top:
        raise PermissionDenied
    unit = (
        org_selectors.unit_list_for_user(user=actor, perm=perm)
        .filter(parent__isnull=True)
        .order_by("path")
        .first()
    )
    if unit is None:
        raise PermissionDenied
    return unit


def _allocation_category() -> Category:
    category = Category.objects.filter(code=ALLOCATION_INCOME_CODE).first()
    if category is None or category.kind != Category.Kind.INCOME:
        raise ValidationError(
            _(
                "The chart has no income category %(code)s (拨缴经费收入): add it before recording the "
                "allocated funds."
            )
            % {"code": ALLOCATION_INCOME_CODE}
        )
    return category


@transaction.atomic
def allocation_income_record(
    *,
    actor: Any,
    month: dt.date,
    payroll_total: Any,
    rate: Any = None,
    retained_share: Any = None,
    posted_on: dt.date | None = None,
) -> FundsAllocationIncome:
    """Record a month's 拨缴经费 and post the union's kept share as income of the school union (Dr funds,
    Cr 402), once per month. Rate and share default to the settings; the office may override them."""
    top = top_unit_for(actor, "finance.post")
    month = dues_selectors.month_start(month)
    label = date_format(month, "YEAR_MONTH_FORMAT")
    today = timezone.localdate()
    if month > dues_selectors.month_start(today):
        raise ValidationError({"month": _("Month: %(month)s has not begun yet.") % {"month": label}})
    split = allocation_split(payroll_total, rate, retained_share)
    if split.retained <= 0:
        raise ValidationError(
            {
                "retained_share": _(
                    "Share kept: the union keeps nothing of %(allocation)s yuan, so there is no income to post."
                )
                % {"allocation": split.allocation}
            }
        )
    day = posted_on or min(dues_selectors.month_end(month), today)
    if dues_selectors.month_start(day) != month:
        raise ValidationError({"posted_on": _("Posting date: choose a day in %(month)s.") % {"month": label}})
    category = _allocation_category()
    _lock_head()  # a concurrent submit of the same month waits here, then finds this month recorded
    existing = FundsAllocationIncome.objects.select_related("entry").filter(month=month).first()
    if existing is not None and not Entry.objects.filter(reversal_of=existing.entry).exists():
        raise ValidationError(
            _(
                "The 拨缴经费 of %(month)s is already recorded (entry #%(seq)s). To correct it, reverse that "
                "entry on its page, then record the month again."
            )
            % {"month": label, "seq": existing.entry.seq}
        )
    posting = entry_post(
        actor=actor,
        idempotency_key=repost_key(allocation_key(month)),
        unit=top,
        posted_on=day,
        memo=_("拨缴经费 %(month)s: %(share)s %% of %(allocation)s yuan kept")
        % {"month": label, "share": _percent(split.retained_share), "allocation": split.allocation},
        lines=[
            Line(account=EntryLine.Account.FUNDS, amount=split.retained),
            Line(category=category, amount=-split.retained),
        ],
        source_type=ALLOCATION_SOURCE,
        source_id=f"{month:%Y-%m}",
    )
    if not posting.created:  # the key posted before without its record: never silently link to it
        raise ValidationError(
            _("The 拨缴经费 of %(month)s is already recorded (entry #%(seq)s).")
            % {"month": label, "seq": posting.entry.seq}
        )
    figures = {
        "payroll_total": split.payroll_total,
        "rate": split.rate,
        "retained_share": split.retained_share,
        "allocation": split.allocation,
        "retained": split.retained,
        "upward": split.upward,
        "entry": posting.entry,
        "recorded_by": actor,
        "recorded_at": timezone.now(),
    }
    if existing is None:
        record = FundsAllocationIncome.objects.create(month=month, **figures)
    else:  # a corrected month: the record names the new entry; the reversed one stays in the books
        for name, value in figures.items():
            setattr(existing, name, value)
        existing.save()
        record = existing
    audit(
        actor=actor,
        action="finance.allocation_income.recorded"
        if existing is None
        else "finance.allocation_income.corrected",
        target=record,
        unit=top,
        changes={
            "month": f"{month:%Y-%m}",
            "payroll_total": split.payroll_total,
            "rate": split.rate,
            "retained_share": split.retained_share,
            "allocation": split.allocation,
            "retained": split.retained,
            "upward": split.upward,
            "entry": f"#{posting.entry.seq}",
        },
    )
    return record


def _percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}"


def allocation_income_months(limit: int = 36) -> list[FundsAllocationIncome]:
    """The recorded 拨缴经费 months, newest first (school-wide figures: the school union's income)."""
    return list(
        FundsAllocationIncome.objects.select_related("entry", "recorded_by").order_by("-month")[:limit]
    )
