"""Reads of the benefit standards: the rule in force on a day, the yearly cap of a group, and what a member
has received so far in a year (the caps are checked against issued benefits, whatever issued them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.members.selectors.membership import MEMBER_STATUS_CHOICES

from ..models import (
    FESTIVAL_FORBIDDEN_FORMS,
    CapGroup,
    Form,
    GroupCap,
    Issuance,
    WelfareItem,
    WelfareStandard,
)

ZERO = Decimal("0.00")


def _form_labels(forms: list[str] | tuple[str, ...]) -> str:
    labels = dict(Form.choices)
    return "、".join(str(labels.get(form, form)) for form in forms)


def festival_forms_message(forbidden: list[str] | tuple[str, ...]) -> str:
    """Why a festival benefit may not take these forms (shared by the service and the form check)."""
    return _(
        "Festival benefits may never be given as cash, shopping cards (购物卡) or cash coupons (代金券) — the "
        "八不准. Remove %(forms)s; use in kind (实物) or goods vouchers (提货券)."
    ) % {"forms": _form_labels(forbidden)}


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


# -- rules a caller checks before issuing -----------------------------------------------------------------


def eligibility(person_status: str, standard: WelfareStandard | None) -> str:
    """Why a member with this membership status may not receive the benefit of ``standard`` ("" if they
    may). No standard in force means nobody may."""
    if standard is None:
        return _("No standard of this item is in force on that day.")
    if person_status in standard.eligible_statuses:
        return ""
    labels = dict(MEMBER_STATUS_CHOICES)
    if person_status not in labels:
        return _("Only members receive benefits: this person is not a member (%(status)s).") % {
            "status": person_status or "—"
        }
    return _("%(item)s is for %(allowed)s members; this member's status is %(status)s.") % {
        "item": standard.item,
        "allowed": "、".join(str(labels.get(code, code)) for code in standard.eligible_statuses),
        "status": labels[person_status],
    }


def check_form(item: WelfareItem, form: str, *, day: dt.date | None = None) -> str:
    """Why ``item`` may not be given in ``form`` ("" if it may): never cash, 购物卡 or 代金券 for a festival
    (八不准), and only the forms the standard in force on ``day`` (today by default) allows."""
    labels = dict(Form.choices)
    if form not in labels:
        return _("Unknown form %(form)s.") % {"form": form or "—"}
    if item.kind == WelfareItem.Kind.FESTIVAL and form in FESTIVAL_FORBIDDEN_FORMS:
        return festival_forms_message([form])
    standard = standard_on(item, day or timezone.localdate())
    if standard is not None and form not in standard.allowed_forms:
        return _("The standard of %(item)s allows only %(allowed)s, not %(form)s.") % {
            "item": item,
            "allowed": "、".join(str(labels.get(code, code)) for code in standard.allowed_forms),
            "form": labels[form],
        }
    return ""


def suggested_amount(item: WelfareItem, day: dt.date) -> Decimal | None:
    """What the standard in force on ``day`` suggests giving per event: its amount, else its cap per
    event (None: the standard names no figure, or there is no standard)."""
    standard = standard_on(item, day)
    if standard is None:
        return None
    return standard.amount if standard.amount is not None else standard.cap_per_event


def over_event_cap(item: WelfareItem, amount: Decimal, day: dt.date) -> str:
    """Why ``amount`` is more than one event of ``item`` may receive ("" if it is within the cap)."""
    standard = standard_on(item, day)
    if standard is not None and standard.cap_per_event is not None and amount > standard.cap_per_event:
        return _("%(amount)s yuan is above the cap per event of %(item)s (%(cap)s yuan).") % {
            "amount": amount,
            "item": item,
            "cap": standard.cap_per_event,
        }
    return ""


# -- the pages --------------------------------------------------------------------------------------------


@dataclass
class ItemRow:
    item: WelfareItem
    standard: WelfareStandard | None  # in force on the day


@dataclass
class KindGroup:
    kind: str
    label: str
    rows: list[ItemRow] = field(default_factory=list)


def standards_overview(day: dt.date, *, include_inactive: bool = False) -> list[KindGroup]:
    """The items grouped by kind, each with the standard in force on ``day``: two queries."""
    items = WelfareItem.objects.select_related("group").order_by("sort_order", "code")
    if not include_inactive:
        items = items.filter(is_active=True)
    in_force: dict[int, WelfareStandard] = {}
    for standard in (
        WelfareStandard.objects.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("item_id", "effective_from")
    ):
        in_force[standard.item_id] = standard  # the latest start wins, as in standard_on
    groups = {kind: KindGroup(kind=kind, label=str(label)) for kind, label in WelfareItem.Kind.choices}
    for item in items:
        groups[item.kind].rows.append(ItemRow(item=item, standard=in_force.get(item.pk)))
    return [group for group in groups.values() if group.rows]


def item_standards(item: WelfareItem) -> list[WelfareStandard]:
    """The item's standards, newest first (its effective-dated history)."""
    return list(item.standards.order_by("-effective_from"))


def cap_groups_with_caps(day: dt.date) -> list[dict[str, Any]]:
    """Each cap group with its items, the cap in force on ``day`` and the history of caps."""
    rows = []
    for group in CapGroup.objects.prefetch_related(
        Prefetch("caps", queryset=GroupCap.objects.order_by("-effective_from")),
        Prefetch("items", queryset=WelfareItem.objects.filter(is_active=True).order_by("sort_order")),
    ).order_by("code"):
        caps = list(group.caps.all())
        current = next(
            (
                c
                for c in caps
                if c.effective_from <= day and (c.effective_to is None or day <= c.effective_to)
            ),
            None,
        )
        rows.append({"group": group, "current": current, "caps": caps, "items": list(group.items.all())})
    return rows


def standards_for_export() -> QuerySet[WelfareStandard]:
    """Every standard of every item, for the workbook (the table orders it)."""
    return WelfareStandard.objects.select_related("item", "item__group")


def unconfirmed_count() -> int:
    return (
        WelfareStandard.objects.filter(needs_confirmation=True).count()
        + GroupCap.objects.filter(needs_confirmation=True).count()
    )
