"""The seeded items, cap groups and standards (Jiangsu figures from reference/domain.md §3.3) and the care
event types, created after migrate when none exist (see ``services.standards.seed_defaults``)."""

from __future__ import annotations

from typing import Any


def ensure_defaults(**kwargs: Any) -> None:
    from .services import standards

    seed = getattr(standards, "seed_defaults", None)
    if seed is not None:
        seed()
