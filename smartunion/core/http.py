"""Request types for views that only run for logged-in users (require_perm / login_required)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


class AuthenticatedRequest(HttpRequest):
    """``request.user`` is the logged-in user (accounts.User: scope_for, has_unit_perm, …)."""

    user: Any  # type: ignore[assignment]
    htmx: Any
