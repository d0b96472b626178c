"""入会 applications: submitted by the member (or for them), reviewed by the 分工会, approved by the 校工会
(one step when the setting says so). Status changes go through ``membership.transition``/``join``."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import MembershipApplication


@transaction.atomic
def applications_units_merge(*, source: Any, target: Any, actor: Any) -> int:
    """A unit was merged: open applications are now reviewed by the target unit; decided ones stay."""
    return MembershipApplication.objects.filter(
        unit=source, status__in=MembershipApplication.OPEN_STATUSES
    ).update(unit=target)
