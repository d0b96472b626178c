"""What members contributes to the member portal: the profile card on 我的."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from smartunion.core.navigation import PortalBlock, portal_blocks

from .selectors import person_of_user


def _profile(request: HttpRequest) -> dict[str, Any] | None:
    return {"person": person_of_user(request.user)}


def register_portal_blocks() -> None:
    portal_blocks.register(
        PortalBlock(
            section="me", key="profile", template="members/portal_profile.html", context=_profile, order=10
        )
    )
