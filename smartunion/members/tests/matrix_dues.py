"""Permission-matrix helpers for dues and the KPIs (used by tests/test_permission_matrix.py): a recorded
month with one charge per side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from smartunion.members.models import DuesCharge, DuesMonth, DuesRule

MONTH = dt.date(2026, 1, 1)


def build(world: SimpleNamespace, side: str, unit: Any) -> None:
    """``{side}_charge``: ``{side}_person``'s dues in a month recorded as deducted."""
    dues_month, _ = DuesMonth.objects.get_or_create(
        month=MONTH,
        defaults={"rule": DuesRule.objects.order_by("effective_from").first(), "closed_by": world.stranger},
    )
    charge = DuesCharge.objects.create(
        dues_month=dues_month,
        membership=world.__dict__[f"{side}_person"].membership,
        unit=unit,
        base=Decimal("4560"),
        amount=Decimal("22.80"),
        school_part=Decimal("11.40"),
        unit_part=Decimal("11.40"),
    )
    setattr(world, f"{side}_charge", charge)


def month_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {"month": "2026-02"}
