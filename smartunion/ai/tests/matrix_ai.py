"""Permission-matrix world for the AI pages (used by tests/test_permission_matrix.py): a router model
version per side (model pages are school-wide: 200 on both sides for the holders)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    # -- router helper: world objects --
    # -- end router helper --
    # -- recommendations helper: world objects --
    # -- end recommendations helper --
    return None
