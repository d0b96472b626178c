"""The management part of a file's page (help plan, reviews, exit and removal) — filled by the reviews part."""

from __future__ import annotations

from typing import Any


def file_management_context(*, file: Any, user: Any) -> dict[str, Any]:
    """Context for ``hardship/files/_management.html`` on the file's page."""
    return {}
