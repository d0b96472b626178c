"""Building blocks of the 提货券 tests: an item of their own, a merchant with a cashier, a member with an
account, and vouchers issued through the one way benefits are issued (``issuing.issue``)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, User
from smartunion.finance.models import BudgetLine, Category
from smartunion.members import services as member_services
from smartunion.members.models import Person, StaffCategory
from smartunion.welfare.models import Form, Merchant, Voucher, WelfareItem
from smartunion.welfare.services.issuing import VoucherSpec, issue

_seq = itertools.count(1)
PASSWORD = "Secret-2026!"


def item() -> WelfareItem:
    n = next(_seq)
    return WelfareItem.objects.get_or_create(
        code=f"vtest{n}", defaults={"name": f"端午提货券{n}", "kind": WelfareItem.Kind.FESTIVAL}
    )[0]


def merchant(name: str = "", cashiers: int = 1, unit: Any = None) -> Merchant:
    shop = Merchant.objects.create(name=name or f"校园超市{next(_seq)}")
    for _ in range(cashiers):
        shop.users.add(cashier(unit))
    return shop


def cashier(unit: Any = None) -> User:
    n = next(_seq)
    user = User.objects.create_user(f"SH{n:05d}", f"收银员{n}", PASSWORD)
    top = unit
    if top is None:
        from smartunion.organisations.models import OrgUnit

        top = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    account_services.role_assign(actor=None, user=user, role=Role.objects.get(code="merchant"), unit=top)
    user.forget_grants()
    return user


def member(unit: Any, name: str = "") -> Person:
    n = next(_seq)
    user = User.objects.create_user(f"M{n:05d}", name or f"张{n}", PASSWORD)
    return member_services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name=user.name,
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=user,
    )


def voucher(
    person: Person,
    shops: list[Merchant],
    *,
    amount: str = "200.00",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    allow_partial: bool = False,
    goods: str = "粽子礼盒",
    of_item: WelfareItem | None = None,
) -> Voucher:
    today = timezone.localdate()
    issued = issue(
        key=f"vtest:{next(_seq)}:person:{person.pk}",
        item=of_item or item(),
        person=person,
        unit=person.unit,
        amount=Decimal(amount),
        form=Form.VOUCHER,
        day=today,
        voucher=VoucherSpec(
            valid_from=valid_from or today - dt.timedelta(days=1),
            valid_to=valid_to or today + dt.timedelta(days=30),
            merchants=shops,
            goods=goods,
            allow_partial=allow_partial,
        ),
        title="端午节福利",
    )
    return issued.issuance.voucher


def budget(unit: Any, code: str = "50203", amount: str = "100000.00") -> BudgetLine:
    return BudgetLine.objects.get_or_create(
        year=timezone.localdate().year,
        unit=unit,
        category=Category.objects.get(code=code),
        defaults={"amount": amount},
    )[0]
