"""Reads of the benefit standards: the rule in force on a day, the yearly cap of a group, and what a member
has received so far in a year (the caps are checked against issued benefits, whatever issued them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, Sum

from ..models import GroupCap, Issuance, WelfareItem, WelfareStandard

ZERO = Decimal("0.00")


def standard_on(item: WelfareItem, day: dt.date) -> WelfareStandard | None:
    """The item's standard in force on ``day`` (the latest that started on or before it)."""
    return (
        WelfareStandard.objects.filter(item=item, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
        .first()
    )


def group_cap_on(item: WelfareItem, day: dt.date) -> GroupCap | None:
    """The yearly cap per member of the item's group in force on ``day``, if the item is in a group."""
    if item.group_id is None:
        return None
    return (
        GroupCap.objects.filter(group_id=item.group_id, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
        .first()
    )


def year_to_date(*, person_id: int, group_id: int, year: int) -> Decimal:
    """What the member has received in ``year`` from the items of the group."""
    total = Issuance.objects.filter(person_id=person_id, year=year, item__group_id=group_id).aggregate(
        total=Sum("amount")
    )["total"]
    return (total or ZERO).quantize(Decimal("0.01"))


def year_to_date_many(*, person_ids: list[int], group_id: int, year: int) -> dict[int, Decimal]:
    """The same for many members in one query (a programme checks thousands)."""
    rows = (
        Issuance.objects.filter(person_id__in=person_ids, year=year, item__group_id=group_id)
        .values("person_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["person_id"]: (row["total"] or ZERO).quantize(Decimal("0.01")) for row in rows}


def cap_room(*, item: WelfareItem, person_id: int, day: dt.date) -> Decimal | None:
    """How much more the member may receive this year from the item's group (None: no group cap)."""
    cap = group_cap_on(item, day)
    if cap is None:
        return None
    used = year_to_date(person_id=person_id, group_id=cap.group_id, year=day.year)
    return max(cap.cap_per_member_year - used, ZERO)
