"""Reads of 提货券: a member's own vouchers (their state derived from the date, so a voucher past its
date reads expired whether or not the nightly job ran), a voucher as a cashier may see it (only at their
own shops), a merchant's redemptions, and the reconciliation of a merchant's redemptions over a period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import pgettext

from smartunion.finance import selectors as finance_selectors

from ..models import Merchant, Redemption, Settlement, Voucher
from ..services.vouchers import merchants_of, normalise_code

Status = Voucher.Status
ZERO = Decimal("0.00")

# Shown first: what can still be used; then what was used or ran out.
_ORDER = {Status.ACTIVE: 0, "upcoming": 0, Status.REDEEMED: 1, Status.EXPIRED: 2, Status.VOID: 3}


def derived_status(voucher: Voucher, today: dt.date | None = None) -> str:
    """The status as of today: a valid voucher past its date is expired even before the job marks it."""
    today = today or timezone.localdate()
    if voucher.status == Status.ACTIVE and voucher.valid_to < today:
        return Status.EXPIRED
    return voucher.status


def status_label(status: str) -> str:
    if status == Status.REDEEMED:
        return pgettext("voucher state", "Used")
    if status == Status.EXPIRED:
        return pgettext("voucher state", "Expired")
    if status == Status.VOID:
        return pgettext("voucher state", "Void")
    return pgettext("voucher state", "Valid")


def decorate(voucher: Voucher, today: dt.date | None = None) -> Voucher:
    today = today or timezone.localdate()
    state = derived_status(voucher, today)
    voucher.state = state  # type: ignore[attr-defined]
    voucher.state_label = status_label(state)  # type: ignore[attr-defined]
    voucher.usable = state == Status.ACTIVE and voucher.valid_from <= today  # type: ignore[attr-defined]
    voucher.upcoming = state == Status.ACTIVE and voucher.valid_from > today  # type: ignore[attr-defined]
    voucher.days_left = (voucher.valid_to - today).days  # type: ignore[attr-defined]
    return voucher


def _vouchers() -> QuerySet[Voucher]:
    return Voucher.objects.select_related(
        "issuance__item", "issuance__programme", "issuance__option", "issuance__person"
    ).prefetch_related("merchants")


def vouchers_of_person(person: Any) -> list[Voucher]:
    """The member's vouchers, usable ones first (soonest to expire first), then used, expired, void."""
    if person is None:
        return []
    today = timezone.localdate()
    vouchers = [decorate(v, today) for v in _vouchers().filter(issuance__person=person)]
    return sorted(vouchers, key=_list_order)


def _list_order(voucher: Any) -> tuple[int, int]:
    # Usable: the soonest to expire first; used and expired: the latest first.
    day = voucher.valid_to.toordinal()
    return (_ORDER.get(voucher.state, 9), day if voucher.state == Status.ACTIVE else -day)


def valid_voucher_count(person: Any) -> int:
    if person is None:
        return 0
    today = timezone.localdate()
    return Voucher.objects.filter(issuance__person=person, status=Status.ACTIVE, valid_to__gte=today).count()


def voucher_of_person(*, person: Any, pk: Any) -> Voucher:
    """One of the member's own vouchers; anyone else's does not exist for them (404)."""
    voucher = _vouchers().filter(pk=pk, issuance__person=person).first() if person is not None else None
    if voucher is None:
        raise Http404
    return decorate(voucher)


def voucher_title(voucher: Voucher) -> str:
    issuance = voucher.issuance
    if issuance.programme_id is not None:
        return str(issuance.programme)
    return str(issuance.item)


@dataclass
class CounterView:
    """A voucher as the cashier sees it: at which of their shops, and whether it can be redeemed now."""

    voucher: Voucher
    merchant: Merchant
    refusal: str


def voucher_for_cashier(*, user: Any, code: str) -> CounterView:
    """The voucher with ``code`` if it is valid at one of the cashier's shops; otherwise Http404 (an
    unknown code and another shop's voucher answer the same)."""
    from ..services.vouchers import voucher_refusal

    normalised = normalise_code(code)
    counters = merchants_of(user)
    voucher = (
        _vouchers().filter(code=normalised, merchants__in=counters).first()
        if normalised and counters
        else None
    )
    if voucher is None:
        raise Http404
    decorate(voucher)
    valid_at = {m.pk for m in voucher.merchants.all()}
    merchant = next(m for m in counters if m.pk in valid_at)
    return CounterView(voucher=voucher, merchant=merchant, refusal=voucher_refusal(voucher))


def redemptions_of_merchants(merchants: list[Merchant]) -> QuerySet[Redemption]:
    """Redemptions at these shops only (a merchant never sees another's)."""
    return Redemption.objects.filter(merchant__in=merchants).select_related(
        "voucher__issuance__person",
        "voucher__issuance__item",
        "voucher__issuance__programme",
        "merchant",
        "redeemed_by",
    )


def redemptions_today(merchants: list[Merchant]) -> tuple[list[Redemption], Decimal]:
    today = timezone.localdate()
    rows = list(
        redemptions_of_merchants(merchants).filter(redeemed_at__date=today).order_by("-redeemed_at")[:200]
    )
    return rows, sum((r.amount for r in rows), ZERO)


def redemption_for_cashier(*, user: Any, pk: Any) -> Redemption:
    redemption = redemptions_of_merchants(merchants_of(user)).filter(pk=pk).first()
    if redemption is None:
        raise Http404
    return redemption


# -- console -------------------------------------------------------------------------------------------


def merchants_with_counts() -> QuerySet[Merchant]:
    return Merchant.objects.annotate(
        cashier_count=Count("users", distinct=True),
        unsettled_count=Count("redemptions", filter=Q(redemptions__settlement__isnull=True), distinct=True),
    )


def merchant_get(*, pk: Any) -> Merchant:
    merchant = Merchant.objects.filter(pk=pk).first()
    if merchant is None:
        raise Http404
    return merchant


def merchant_cashiers(merchant: Merchant) -> list[Any]:
    return list(merchant.users.order_by("staff_no"))


def period_redemptions(merchant: Merchant, period_from: dt.date, period_to: dt.date) -> QuerySet[Redemption]:
    return redemptions_of_merchants([merchant]).filter(
        redeemed_at__date__gte=period_from, redeemed_at__date__lte=period_to
    )


@dataclass
class Reconciliation:
    merchant: Merchant
    period_from: dt.date
    period_to: dt.date
    count: int = 0
    total: Decimal = ZERO
    settled_count: int = 0
    settled_total: Decimal = ZERO
    unsettled_count: int = 0
    unsettled_total: Decimal = ZERO
    expensed_at_issuance: Decimal = ZERO  # cost already in the books through the issuing programme
    expensed_at_settlement: Decimal = ZERO  # cost the settlement posts (or posted)
    by_day: list[dict[str, Any]] = field(default_factory=list)


# A redemption whose voucher was expensed by what issued it (a programme, a birthday run, a care visit —
# see services.vouchers.expensed_by_its_source); the others are expensed when settled.
EXPENSED_BY_SOURCE_Q = (
    Q(voucher__issuance__entry_id_ref__isnull=False)
    | Q(voucher__issuance__programme__isnull=False)
    | Q(voucher__issuance__key__startswith="programme:")
    | Q(voucher__issuance__key__startswith="birthday:")
    | Q(voucher__issuance__key__startswith="care:")
)


def reconciliation(merchant: Merchant, period_from: dt.date, period_to: dt.date) -> Reconciliation:
    """Counts and totals of the merchant's redemptions in the period, settled and not, by day: a fixed
    number of aggregate queries whatever the volume."""
    rows = period_redemptions(merchant, period_from, period_to).order_by()
    figures = rows.aggregate(
        count=Count("pk"),
        total=Sum("amount"),
        settled_count=Count("pk", filter=Q(settlement__isnull=False)),
        settled_total=Sum("amount", filter=Q(settlement__isnull=False)),
        at_issuance=Sum("amount", filter=EXPENSED_BY_SOURCE_Q),
        at_settlement=Sum("amount", filter=~EXPENSED_BY_SOURCE_Q),
    )
    result = Reconciliation(
        merchant=merchant,
        period_from=period_from,
        period_to=period_to,
        count=figures["count"] or 0,
        total=figures["total"] or ZERO,
        settled_count=figures["settled_count"] or 0,
        settled_total=figures["settled_total"] or ZERO,
        expensed_at_issuance=figures["at_issuance"] or ZERO,
        expensed_at_settlement=figures["at_settlement"] or ZERO,
    )
    result.unsettled_count = result.count - result.settled_count
    result.unsettled_total = result.total - result.settled_total
    days = (
        rows.annotate(day=TruncDate("redeemed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("pk"), total=Sum("amount"), settled=Count("settlement"))
        .order_by("day")
    )
    result.by_day = [
        {"day": d["day"], "count": d["count"], "total": d["total"], "unsettled": d["count"] - d["settled"]}
        for d in days
    ]
    return result


def settlements() -> QuerySet[Settlement]:
    return Settlement.objects.select_related("merchant", "settled_by")


def settlement_get(*, pk: Any) -> Settlement:
    settlement = settlements().filter(pk=pk).first()
    if settlement is None:
        raise Http404
    return settlement


def settlement_entries(settlement: Settlement) -> list[dict[str, Any]]:
    """The finance entries a settlement posted (one per issuing unit; none when all was expensed at
    issuance), read from the books by their source."""
    return finance_selectors.entries_of_source(source_type="welfare.settlement", source_id=settlement.pk)
