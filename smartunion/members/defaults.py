"""Seeded defaults of the members lists, created after migrate when the list is empty (and again after a
flush), never re-added once an office has edited the list."""

from __future__ import annotations

from typing import Any

CATEGORIES = [
    ("在编", False),
    ("人事代理", False),
    ("合同制", False),
    ("劳务派遣", False),
    ("博士后", False),
    ("退休", True),
]


def ensure_default_lists(**kwargs: Any) -> None:
    from .models import StaffCategory

    if not StaffCategory.objects.exists():
        StaffCategory.objects.bulk_create(
            [
                StaffCategory(name=name, is_retired=retired, sort_order=order)
                for order, (name, retired) in enumerate(CATEGORIES)
            ]
        )
