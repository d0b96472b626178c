"""Seeded defaults of the members lists, created after migrate when the list is empty (and again after a
flush), never re-added once an office has edited the list."""

from __future__ import annotations

from typing import Any

# name, retired, membership an approved application gives (劳务派遣 staff join as 临时会员, SCNU practice)
CATEGORIES = [
    ("在编", False, "full"),
    ("人事代理", False, "full"),
    ("合同制", False, "full"),
    ("劳务派遣", False, "temporary"),
    ("博士后", False, "full"),
    ("退休", True, "full"),
]


def ensure_default_lists(**kwargs: Any) -> None:
    from .models import StaffCategory

    if not StaffCategory.objects.exists():
        StaffCategory.objects.bulk_create(
            [
                StaffCategory(
                    name=name, is_retired=retired, is_eligible=not retired, member_type=kind, sort_order=order
                )
                for order, (name, retired, kind) in enumerate(CATEGORIES)
            ]
        )
