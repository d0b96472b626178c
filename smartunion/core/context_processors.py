from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from .navigation import console_nav, has_console


def shell(request: HttpRequest) -> dict[str, Any]:
    """What both shells need on every page; computed lazily so pages that don't show it pay nothing."""
    context: dict[str, Any] = {"site_name": settings.SMARTUNION_SITE_NAME or _("SmartUnion")}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["console_nav"] = SimpleLazyObject(lambda: console_nav.for_user(user, path=request.path))
        context["has_console"] = SimpleLazyObject(lambda: has_console(user))
    return context
