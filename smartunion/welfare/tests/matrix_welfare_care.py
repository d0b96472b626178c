"""Permission-matrix helpers for care visits (used by tests/test_permission_matrix.py): per side a care
event type with its benefit item (shared), a 50203 budget line at the sub-union, and for the side's member
an event awaiting approval, an approved one awaiting the visit, and a visited one with a photo — reported
by a sub-union committee member of that unit, approved by its chair."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from smartunion.finance.models import BudgetLine, Category
from smartunion.welfare.models import CareEventType, WelfareItem, WelfareStandard
from smartunion.welfare.services import care

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _event_type(world: SimpleNamespace) -> CareEventType:
    existing = getattr(world, "care_type", None)
    if existing is not None:
        return existing
    item = WelfareItem.objects.create(
        code="matrix_care", name="矩阵慰问", kind=WelfareItem.Kind.LIFE_EVENT, expense_category_code="50203"
    )
    WelfareStandard.objects.create(
        item=item,
        effective_from=dt.date(2020, 1, 1),
        amount=Decimal("500.00"),
        cap_per_event=Decimal("1000.00"),
        allowed_forms=["in_kind", "cash", "voucher"],
    )
    world.care_type = CareEventType.objects.create(code="matrix_care", name="矩阵住院", item=item)
    return world.care_type


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    event_type = _event_type(world)
    today = timezone.localdate()
    BudgetLine.objects.create(
        year=today.year, unit=unit, category=Category.objects.get(code="50203"), amount="100000.00"
    )
    reporter = make_user("subunion_committee", unit, name=f"{side}五必访委员")
    approver = make_user("subunion_chair", unit, name=f"{side}五必访主席")
    person = getattr(world, f"{side}_person")

    def reported() -> Any:
        return care.care_event_report(
            actor=reporter, person=person, event_type=event_type, occurred_on=today, description="住院"
        )

    def approved() -> Any:
        return care.care_event_approve(actor=approver, event=reported(), amount="500.00", form="cash")

    setattr(world, f"{side}_care_event", reported())
    setattr(world, f"{side}_care_approved", approved())
    visited = approved()
    result = care.care_visit_record(
        actor=reporter,
        event=visited,
        visited_on=today,
        visitors="甲、乙",
        notes="",
        photos=[care.Upload("visit.png", PNG)],
    )
    setattr(world, f"{side}_care_photo", result.visit.photos.get())
