"""Helpers shared by the accounts tests."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from smartunion.accounts.models import Role
from smartunion.core.models import AuditEntry


def zh(msgid: str) -> str:
    """A UI message as the (Chinese) pages show it, whether or not the catalogue translates it yet."""
    with translation.override("zh-hans"):
        return gettext(msgid)


def role(code: str) -> Role:
    return Role.objects.get(code=code)


def role_codes(code: str) -> set[str]:
    return set(role(code).permissions.values_list("code", flat=True))


def audit_entries(action: str, **filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("id"))
