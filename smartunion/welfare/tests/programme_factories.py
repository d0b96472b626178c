"""Test data for the festival programmes, built in the tests themselves (the seeded standards may or may not
be there): an item with its standard and yearly cap, merchants, a budget line, members, and a programme
open for choice. Used by the programme tests, the permission matrix and the browser test."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from smartunion.finance.models import BudgetLine, Category
from smartunion.members import services as member_services
from smartunion.members.models import Membership, Person, StaffCategory
from smartunion.welfare.models import CapGroup, GroupCap, Merchant, Programme, WelfareItem, WelfareStandard
from smartunion.welfare.services import programmes

_serial = itertools.count(1)


def make_item(
    *,
    kind: str = WelfareItem.Kind.FESTIVAL,
    cap_per_event: str | None = "800.00",
    yearly_cap: str | None = "2200.00",
    forms: tuple[str, ...] = ("in_kind", "voucher"),
    statuses: tuple[str, ...] = (),
    category_code: str = "50203",
) -> WelfareItem:
    n = next(_serial)
    group = None
    if yearly_cap is not None:
        group = CapGroup.objects.create(code=f"tgrp{n}", name=f"测试节日慰问{n}")
        GroupCap.objects.create(
            group=group, effective_from=dt.date(2020, 1, 1), cap_per_member_year=Decimal(yearly_cap)
        )
    item = WelfareItem.objects.create(
        code=f"titem{n}", name=f"端午节{n}", kind=kind, group=group, expense_category_code=category_code
    )
    WelfareStandard.objects.create(
        item=item,
        effective_from=dt.date(2020, 1, 1),
        amount=Decimal(cap_per_event) if cap_per_event else None,
        cap_per_event=Decimal(cap_per_event) if cap_per_event else None,
        allowed_forms=list(forms),
        eligible_statuses=list(statuses),
    )
    return item


def make_merchant(name: str = "") -> Merchant:
    return Merchant.objects.create(name=name or f"测试超市{next(_serial)}")


def make_budget_line(
    unit: Any, amount: str = "100000.00", code: str = "50203", year: int | None = None
) -> Any:
    line, _created = BudgetLine.objects.update_or_create(
        year=year or timezone.localdate().year,
        unit=unit,
        category=Category.objects.get(code=code),
        defaults={"amount": Decimal(amount)},
    )
    return line


def make_member(
    unit: Any, *, status: str = Membership.Status.FULL, user: Any = None, name: str = ""
) -> Person:
    n = next(_serial)
    person = member_services.person_create(
        actor=None,
        staff_no=user.staff_no if user is not None else f"W{n:05d}",
        name=name or (user.name if user is not None else f"会员{n}"),
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=user,
    )
    Membership.objects.filter(person=person).update(status=status)
    return person


def make_programme(
    *,
    actor: Any,
    unit: Any,
    item: WelfareItem | None = None,
    budget_line: Any = None,
    value: str = "300.00",
    options: tuple[str, ...] = ("粽子礼盒", "水果提货券"),
    merchant: Merchant | None = None,
    statuses: tuple[str, ...] = ("full", "temporary"),
    units: tuple[Any, ...] = (),
    title: str = "2026年端午节福利",
) -> Programme:
    """A draft with voucher options (the first the default)."""
    item = item or make_item()
    budget_line = budget_line or make_budget_line(unit)
    merchant = merchant or make_merchant()
    now = timezone.now()
    programme = programmes.programme_save(
        actor=actor,
        title=title,
        item=item,
        unit=unit,
        value_per_member=value,
        eligible_statuses=list(statuses),
        units=list(units),
        counted_on=timezone.localdate(),
        choice_deadline=now + dt.timedelta(days=7),
        budget_line=budget_line,
        voucher_valid_from=timezone.localdate(),
        voucher_valid_to=timezone.localdate() + dt.timedelta(days=60),
    )
    for order, name in enumerate(options):
        programmes.option_save(
            actor=actor,
            programme=programme,
            name=name,
            description="端午节慰问品" if order == 0 else "",
            form="voucher",
            merchants=[merchant],
            sort_order=order,
        )
    programme.refresh_from_db()
    return programme


def close_choice(programme: Programme) -> Programme:
    """Move the deadline into the past (the members' time to choose is over)."""
    Programme.objects.filter(pk=programme.pk).update(choice_deadline=timezone.now() - dt.timedelta(minutes=1))
    programme.refresh_from_db()
    return programme
