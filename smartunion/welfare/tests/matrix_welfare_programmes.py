"""Permission-matrix helpers for the festival programmes (used by tests/test_permission_matrix.py): per side
a draft programme with two options organised by the side's sub-union, and a programme open for choice;
URL kwargs that give the requesting user an entitlement of their own in the "own" side's open programme."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from smartunion.members.models import Person
from smartunion.welfare.models import Entitlement
from smartunion.welfare.services import programmes

from .programme_factories import make_budget_line, make_item, make_member, make_merchant, make_programme


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    organiser = make_user("union_staff", unit, name=f"{side}福利干事")
    item = make_item()
    line = make_budget_line(unit, code="502")  # 维权支出 covers 慰问 (50203 lines are the care helper's)
    merchant = make_merchant(f"{side}超市")
    draft = make_programme(
        actor=organiser, unit=unit, item=item, budget_line=line, merchant=merchant, title=f"{side}端午草稿"
    )
    setattr(world, f"{side}_programme", draft)
    setattr(world, f"{side}_programme_option", draft.options.order_by("sort_order").last())
    make_member(unit, name=f"{side}福利会员")
    opened = make_programme(
        actor=organiser, unit=unit, item=item, budget_line=line, merchant=merchant, title=f"{side}中秋"
    )
    programmes.programme_open(actor=organiser, programme=opened)
    setattr(world, f"{side}_open_programme", opened)


def programme(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_programme").pk}


def option(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {
        "pk": getattr(world, f"{side}_programme").pk,
        "option_pk": getattr(world, f"{side}_programme_option").pk,
    }


def open_programme(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_open_programme").pk}


def my_choice(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": a programme open for choice in which the requesting user is listed; "other": one they are not."""
    target = getattr(world, f"{side}_open_programme")
    if side == "own" and user is not None:
        person = Person.objects.filter(user=user).first() or make_member(world.tree.a, user=user)
        Entitlement.objects.get_or_create(programme=target, person=person, defaults={"unit": person.unit})
    return {"pk": target.pk}
