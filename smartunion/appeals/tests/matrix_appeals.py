"""Permission-matrix world for the appeals pages (used by tests/test_permission_matrix.py).

Appeals are school-wide for the union office, so "own" and "other" mean:
- union-office pages (triage, lists, reveal, publishing): both sides are appeals of the same kind —
  holders of the permission get 200 on both;
- office pages: "own" is an appeal routed to an office the requesting user is made staff of (inside the
  request's rolled-back transaction), "other" one routed to another office (404);
- portal pages: "own" is the requesting user's own appeal (a member person is made for them when
  needed), "other" another member's (404).

``build`` makes the shared objects once per side; each part adds its rows' kwargs helpers below its marker.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from smartunion.appeals.models import Appeal

from . import factories

Status = Appeal.Status
Kwargs = Callable[[SimpleNamespace, str, Any], dict[str, Any]]


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    office = factories.make_office(f"{side}诉求承办处", staff=[make_user(name=f"{side}诉求经办")])
    category = factories.make_category(office, f"{side}类别", description="食堂饭菜", keywords="食堂 早餐")
    submitter = factories.make_member(unit, name=f"{side}诉求人")
    setattr(world, f"{side}_appeal_office", office)
    setattr(world, f"{side}_appeal_category", category)
    setattr(world, f"{side}_appeal_person", submitter)
    for status in (Status.TRIAGE, Status.ROUTED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED):
        appeal = factories.make_appeal(
            submitter,
            status=status,
            category=None if status == Status.TRIAGE else category,
            title=f"{side}诉求{status}",
            anonymous=True,
            allow_identity_reveal=True,
            allow_publish=True,
        )
        setattr(world, f"{side}_appeal_{status}", appeal)


def _appeal(world: SimpleNamespace, side: str, status: str) -> Appeal:
    return getattr(world, f"{side}_appeal_{status}")


def any_appeal(status: str) -> Kwargs:
    """Either side's appeal in ``status`` (union-office pages)."""
    return lambda world, side, user: {"pk": _appeal(world, side, status).pk}


# -- portal helper: kwargs helpers --
# -- end portal helper --
# -- triage helper: kwargs helpers --
# -- end triage helper --
# -- office helper: kwargs helpers --
# -- end office helper --
# -- insight helper: kwargs helpers --
# -- end insight helper --
