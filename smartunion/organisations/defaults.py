"""Seeded defaults of the organisation lists, created after migrate when a list is empty (and again
after a flush), never re-added once an office has edited the list."""

from __future__ import annotations

from typing import Any

UNIT_KINDS = ["学院", "机关处室", "直属单位", "附属单位", "群团组织"]
POSITIONS = [
    "主席",
    "常务副主席",
    "副主席",
    "委员",
    "组长",
    "副组长",
    "女工委员",
    "经审委员",
    "组织委员",
    "宣传委员",
    "文体委员",
    "生活委员",
]


def ensure_default_lists(**kwargs: Any) -> None:
    from .models import PositionKind, UnitKind

    if not UnitKind.objects.exists():
        UnitKind.objects.bulk_create(
            [UnitKind(name=name, sort_order=order) for order, name in enumerate(UNIT_KINDS)]
        )
    if not PositionKind.objects.exists():
        PositionKind.objects.bulk_create(
            [PositionKind(name=name, sort_order=order) for order, name in enumerate(POSITIONS)]
        )
