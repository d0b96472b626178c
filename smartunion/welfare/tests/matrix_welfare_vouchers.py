"""Permission-matrix helpers for 提货券 (used by tests/test_permission_matrix.py): per side a merchant
with a cashier of its own, two vouchers of the side's member valid only there (one redeemed, and that
redemption settled by the school union office), and the kwargs functions that make the requesting user a
cashier of the "own" merchant or the owner of an "own" voucher."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from smartunion.members import services as member_services
from smartunion.members.models import Person, StaffCategory
from smartunion.welfare.services import vouchers as services

from . import vouchers_support as support


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    support.budget(unit)
    shop = support.merchant(f"{side}商户", unit=unit.parent)
    person = getattr(world, f"{side}_person")
    setattr(world, f"{side}_merchant", shop)
    setattr(world, f"{side}_cashier", shop.users.get())
    setattr(world, f"{side}_voucher", support.voucher(person, [shop]))
    used = support.voucher(person, [shop])
    redemption = services.voucher_redeem(actor=shop.users.get(), code=used.code)
    setattr(world, f"{side}_redemption", redemption)
    office = make_user("union_staff", unit.parent, name=f"{side}结算人")
    today = timezone.localdate()
    setattr(
        world,
        f"{side}_settlement",
        services.settlement_create(actor=office, merchant=shop, period_from=today, period_to=today),
    )


def _counter_of_own(world: SimpleNamespace, side: str, user: Any) -> None:
    if side == "own" and user is not None:
        world.own_merchant.users.add(user)


def counter(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """The requesting user serves the "own" merchant (the "other" one is someone else's shop)."""
    _counter_of_own(world, side, user)
    return {}


def redemption(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    _counter_of_own(world, side, user)
    return {"pk": getattr(world, f"{side}_redemption").pk}


def code(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {"code": getattr(world, f"{side}_voucher").code, "seen": "0.00"}


def my_voucher(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": a voucher of the requesting user's own (they get a staff record); "other": someone else's."""
    if side == "own" and user is not None:
        person = Person.objects.filter(user=user).first() or member_services.person_create(
            actor=None,
            staff_no=user.staff_no,
            name=user.name,
            sex="M",
            category=StaffCategory.objects.get(name="在编"),
            unit=world.tree.a,
            user=user,
        )
        voucher = support.voucher(
            person, [world.own_merchant], valid_to=timezone.localdate() + dt.timedelta(days=3)
        )
        return {"pk": voucher.pk}
    return {"pk": getattr(world, f"{side}_voucher").pk}


def merchant(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_merchant").pk}


def cashier(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_merchant").pk, "user_pk": getattr(world, f"{side}_cashier").pk}


def settlement(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_settlement").pk}
