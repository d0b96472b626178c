"""Income recorded from other modules' books: the monthly dues (会费) that payroll deducted.

For a month the union office recorded as deducted in members, each sub-union's part of the paid dues is
posted as one entry at that sub-union (Dr its funds, Cr 会费收入), with the school union's part on the same
entry at the top of the tree. The idempotency key names the month and the unit, so recording a month again
posts nothing new (and a sub-union whose dues were already posted is skipped).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smartunion.members.selectors import dues as dues_selectors
from smartunion.organisations import selectors as org_selectors

from .models import Category, Entry, EntryLine
from .services import Line, Posting, entry_post

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
                idempotency_key=dues_key(month, unit.pk),
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
        Entry.objects.filter(source_type=DUES_SOURCE, source_id__in=ids, reversal_of__isnull=True)
        .values("source_id")
        .annotate(n=Count("id"))
        .values_list("source_id", "n")
    )
    amounts: dict[str, Decimal] = {}
    for source_id, amount in EntryLine.objects.filter(
        entry__source_type=DUES_SOURCE,
        entry__source_id__in=ids,
        entry__reversal_of__isnull=True,
        account=EntryLine.Account.FUNDS,
    ).values_list("entry__source_id", "amount"):
        amounts[source_id] = amounts.get(source_id, ZERO) + amount
    return [
        DuesIncomeMonth(
            record=record, entries=counts.get(str(record.pk), 0), amount=amounts.get(str(record.pk), ZERO)
        )
        for record in records
    ]
