"""Birthday benefits (生日慰问): each month the members born in that month receive the birthday item as a
提货券 (a cake voucher), with a greeting.

Never twice: each benefit's key is ``birthday:<year>:person:<pk>`` (one birthday benefit per member per
year), each unit's cost is posted once per month (``welfare.birthday:<YYYY-MM>:unit:<id>``), and a month
that ran completely is recorded in ``BirthdayRun``. ``birthday_catch_up`` runs every month from the last
recorded run (or January of this year) up to this month that has not run, so a job that did not run for
a while catches up; a month whose run failed part-way (e.g. a unit's budget refused its cost) is not
recorded and the next run completes it without issuing anyone twice.

Decisions: the voucher is valid from the first of the month to 30 days after its end, at every active
merchant (items have no merchant list of their own); the cost is posted at each member's sub-union
(分工会 — where the unit budgets for 慰问), one entry per sub-union and month; the recipients are the members
in the statuses the birthday standard names (in-service members by default).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.finance import selectors as finance_selectors
from smartunion.finance.services import Line, entry_post
from smartunion.members.selectors import people as people_selectors
from smartunion.notifications.services import notify

from ..models import BirthdayRun, Form, Issuance, Merchant, WelfareItem
from ..selectors.standards import standard_on
from . import issuing
from .care import subunion_of

IN_SERVICE = ("full", "temporary")
VOUCHER_GRACE_DAYS = 30


@dataclass
class MonthResult:
    month: dt.date
    issued: int = 0  # new benefits this run
    already: int = 0  # members issued before (a second run, or the year's benefit given already)
    entries: int = 0  # finance entries posted this run
    errors: list[str] = field(default_factory=list)
    recorded: bool = False  # the month is complete (BirthdayRun written)
    skipped: bool = False  # the month had run before: nothing done


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def birthday_item() -> WelfareItem | None:
    """The birthday item: the one with code "birthday" if seeded, else the first active of kind birthday."""
    items = WelfareItem.objects.filter(kind=WelfareItem.Kind.BIRTHDAY, is_active=True)
    return items.filter(code="birthday").first() or items.order_by("sort_order", "pk").first()


def birthday_run(month: dt.date, actor: Any = None) -> MonthResult:
    """Issue the birthday benefit of ``month`` to the members born in it. Safe to run again: a month
    recorded as run does nothing; otherwise only those not yet issued receive it."""
    month = first_of(month)
    result = MonthResult(month=month)
    if BirthdayRun.objects.filter(month=month).exists():
        result.skipped = True
        return result
    item = birthday_item()
    if item is None:
        result.errors.append(_("No birthday item is set up (福利项目 of kind birthday): nothing issued."))
        return result
    standard = standard_on(item, month)
    if standard is None or not (standard.amount or standard.cap_per_event):
        result.errors.append(
            _("The birthday item %(item)s has no standard with an amount on %(month)s: nothing issued.")
            % {"item": item, "month": month.strftime("%Y-%m")}
        )
        return result
    # The standard's amount within its cap; where only the cap is known (≤ 300) the cap is given.
    amount = Decimal(str(standard.amount or standard.cap_per_event))
    if standard.cap_per_event is not None:
        amount = min(amount, Decimal(standard.cap_per_event))
    allowed = list(standard.allowed_forms or [])
    form = Form.VOUCHER if not allowed or Form.VOUCHER in allowed else allowed[0]
    category = finance_selectors.category_by_code(item.expense_category_code)
    if category is None:
        result.errors.append(
            _("The expense category %(code)s of %(item)s is not in the chart: nothing issued.")
            % {"code": item.expense_category_code, "item": item}
        )
        return result
    statuses = standard.eligible_statuses or list(IN_SERVICE)
    people = list(people_selectors.people_born_in_month(month.month, statuses))
    issued_keys = set(
        Issuance.objects.filter(
            key__in=[f"birthday:{month.year}:person:{person.pk}" for person in people]
        ).values_list("key", flat=True)
    )
    subunions: dict[int, Any] = {}
    by_unit: dict[int, tuple[Any, list[Any]]] = {}
    for person in people:
        if f"birthday:{month.year}:person:{person.pk}" in issued_keys:
            result.already += 1
            continue
        if person.unit_id not in subunions:
            subunions[person.unit_id] = subunion_of(person.unit)
        paying = subunions[person.unit_id]
        by_unit.setdefault(paying.pk, (paying, []))[1].append(person)
    merchants = list(Merchant.objects.filter(is_active=True))
    voucher = issuing.VoucherSpec(
        valid_from=month,
        # A month caught up late still gets its full grace period from the day it is issued.
        valid_to=max(_last_day(month), timezone.localdate()) + dt.timedelta(days=VOUCHER_GRACE_DAYS),
        merchants=merchants,
        goods=_("Birthday cake"),
    )
    # Issued (and posted) today, or on the month's last day when catching up on a past month.
    day = max(month, min(timezone.localdate(), _last_day(month)))
    greeted: list[Any] = []
    for unit, members in by_unit.values():
        try:
            with transaction.atomic():
                created = []
                for person in members:
                    issued = issuing.issue(
                        key=f"birthday:{month.year}:person:{person.pk}",
                        item=item,
                        person=person,
                        unit=person.unit,
                        amount=amount,
                        form=form,
                        day=day,
                        actor=actor,
                        voucher=voucher if form == Form.VOUCHER else None,
                        title=_("Birthday benefit %(month)s") % {"month": month.strftime("%Y-%m")},
                    )
                    if issued.created:
                        created.append(issued.issuance)
                if created:
                    total = amount * len(created)
                    key = f"welfare.birthday:{month:%Y-%m}:unit:{unit.pk}"
                    if finance_selectors.entries_of_source(
                        source_type="welfare.birthday", source_id=f"{month:%Y-%m}:{unit.pk}"
                    ):
                        # A re-run issued to members the first run did not reach (a newcomer, a unit
                        # refused then): their cost is a new posting, not the first run's entry again.
                        key = f"{key}:from:{min(issuance.pk for issuance in created)}"
                    posting = entry_post(
                        actor=actor,
                        idempotency_key=key,
                        unit=unit,
                        posted_on=day,
                        memo=_("Birthday benefits %(month)s: %(count)d members")
                        % {"month": month.strftime("%Y-%m"), "count": len(created)},
                        lines=[Line(category=category, amount=total), Line(account="funds", amount=-total)],
                        source_type="welfare.birthday",
                        source_id=f"{month:%Y-%m}:{unit.pk}",
                    )
                    Issuance.objects.filter(pk__in=[i.pk for i in created]).update(
                        entry_id_ref=posting.entry.pk
                    )
                    result.entries += int(posting.created)
        except ValidationError as error:
            result.errors.append(f"{unit}: {'; '.join(error.messages)}")
            continue
        result.issued += len(created)
        greeted.extend(issuance.person for issuance in created)
    for person in greeted:
        if person.user_id is not None:
            notify(
                recipients=[person.user],
                kind="welfare.birthday",
                title=_("Happy birthday from the union!"),
                body=_(
                    "The trade union wishes you a happy birthday. Your birthday benefit (a cake voucher, "
                    "%(amount)s yuan) is valid until %(until)s."
                )
                % {"amount": amount, "until": voucher.valid_to.isoformat()},
                link=_my_benefits_link(),
            )
    if not result.errors:
        try:
            with transaction.atomic():
                BirthdayRun.objects.create(month=month, issued=result.issued, ran_at=timezone.now())
        except IntegrityError:
            result.skipped = True  # a concurrent run recorded the month
        else:
            result.recorded = True
    audit(
        actor=actor,
        action="welfare.birthday.ran",
        changes={
            "month": month.strftime("%Y-%m"),
            "issued": result.issued,
            "already": result.already,
            "errors": result.errors,
        },
    )
    return result


def _my_benefits_link() -> str:
    """The member's vouchers page (the vouchers part may not be installed: then no link)."""
    for name in ("welfare:my_vouchers", "welfare:my_benefits"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def months_to_run(today: dt.date) -> list[dt.date]:
    """Months up to this one not recorded yet: from January of this year when nothing ever ran, else from
    the earliest run of the last twelve months (so a month that failed between two runs is retried), or
    the month after the last run when it is older."""
    this_month = first_of(today)
    year_ago = dt.date(this_month.year - 1, this_month.month, 1)
    recent = BirthdayRun.objects.filter(month__gte=year_ago).order_by("month").values_list("month", flat=True)
    earliest = recent.first()
    if earliest is not None:
        start = earliest
    else:
        last = BirthdayRun.objects.order_by("-month").values_list("month", flat=True).first()
        start = dt.date(this_month.year, 1, 1) if last is None else _next_month(last)
    done = set(BirthdayRun.objects.filter(month__gte=start).values_list("month", flat=True))
    months = []
    current = start
    while current <= this_month:
        if current not in done:
            months.append(current)
        current = _next_month(current)
    return months


def birthday_catch_up(today: dt.date | None = None, actor: Any = None) -> list[MonthResult]:
    """Run every month up to this one that has not run (a scheduled job that missed months catches up)."""
    today = today or timezone.localdate()
    return [birthday_run(month, actor=actor) for month in months_to_run(today)]
