"""Masks for sensitive values shown in lists and exports (GB/T 35273 7.2 display restrictions)."""

from __future__ import annotations

import re


def mask_id_number(value: str | None) -> str:
    """3206**********123X: region prefix and the last four kept."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:  # keeping 3 in front and 4 behind would hide nothing
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张*, 欧阳** — for public notices (公示)."""
    if not value:
        return ""
    value = str(value)
    if len(value) == 1:
        return value
    return value[0] + "*" * (len(value) - 1)


_ID_OR_MOBILE = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[0-9]{10})(?![0-9Xx])")


def redact(text: str) -> str:
    """Mask every ID number and mobile number inside free text (search terms kept in the audit log)."""

    def masked(match: re.Match[str]) -> str:
        value = match.group(0)
        return mask_phone(value) if len(value) == 11 else mask_id_number(value)

    return _ID_OR_MOBILE.sub(masked, text)


def mask_day(value: str | None) -> str:
    """1985-03: a birth date without its day. Beside a masked ID number the full date would give most
    of the number back."""
    if not value:
        return ""
    return str(value)[:7]
