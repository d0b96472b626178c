"""Fixtures shared by the welfare tests (each part adds its own below, briefly)."""

from __future__ import annotations

from smartunion.members.tests.conftest import make_person

__all__ = ["make_person"]
