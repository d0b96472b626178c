"""Building blocks of the care-visit and birthday tests: items, standards and event types of their own
(unique codes: the seeded defaults may or may not exist), members with accounts, and budget lines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from smartunion.accounts.models import User
from smartunion.finance.models import BudgetLine, Category
from smartunion.members import services as member_services
from smartunion.members.models import Membership, Person, StaffCategory
from smartunion.welfare.models import CapGroup, CareEventType, GroupCap, WelfareItem, WelfareStandard

_seq = itertools.count(1)
PASSWORD = "Secret-2026!"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def item(
    *,
    kind: str = WelfareItem.Kind.LIFE_EVENT,
    amount: str | None = "500.00",
    cap: str | None = "1000.00",
    forms: list[str] | None = None,
    group: CapGroup | None = None,
    statuses: list[str] | None = None,
    code: str = "",
) -> WelfareItem:
    n = next(_seq)
    created = WelfareItem.objects.create(
        code=code or f"ctest{n}", name=f"测试慰问{n}", kind=kind, group=group, expense_category_code="50203"
    )
    WelfareStandard.objects.create(
        item=created,
        effective_from=dt.date(2020, 1, 1),
        amount=Decimal(amount) if amount is not None else None,
        cap_per_event=Decimal(cap) if cap is not None else None,
        allowed_forms=forms if forms is not None else ["in_kind", "cash", "voucher"],
        eligible_statuses=statuses if statuses is not None else ["full", "temporary"],
    )
    return created


def group(cap: str = "2200.00") -> CapGroup:
    n = next(_seq)
    created = CapGroup.objects.create(code=f"cgroup{n}", name=f"测试上限组{n}")
    GroupCap.objects.create(
        group=created, effective_from=dt.date(2020, 1, 1), cap_per_member_year=Decimal(cap)
    )
    return created


def event_type(
    benefit: WelfareItem | None = None, *, responsible: str = CareEventType.Level.SUBUNION, days: int = 7
) -> CareEventType:
    n = next(_seq)
    return CareEventType.objects.create(
        code=f"etype{n}", name=f"生病住院{n}", item=benefit, responsible=responsible, visit_within_days=days
    )


def member(unit: Any, *, name: str = "", birth_date: dt.date | None = None, status: str = "full") -> Person:
    n = next(_seq)
    user = User.objects.create_user(f"CM{n:05d}", name or f"李{n}", PASSWORD)
    person = member_services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name=user.name,
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        birth_date=birth_date,
        user=user,
    )
    Membership.objects.filter(person=person).update(status=status)
    return Person.objects.select_related("unit", "user").get(pk=person.pk)


def budget(unit: Any, amount: str = "100000.00", code: str = "50203", year: int | None = None) -> BudgetLine:
    line, _created = BudgetLine.objects.update_or_create(
        year=year or timezone.localdate().year,
        unit=unit,
        category=Category.objects.get(code=code),
        defaults={"amount": Decimal(amount)},
    )
    return line
