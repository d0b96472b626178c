"""Test data for the activities tests: activities built directly (the engine is tested through services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from smartunion.activities.models import Activity, Kind

_counter = {"n": 0}


def make_activity(*, unit: Any, actor: Any, **fields: Any) -> Activity:
    """A published first-come activity open for registration now, starting in 10 days, 10 places."""
    _counter["n"] += 1
    now = timezone.now()
    values: dict[str, Any] = {
        "title": f"测试活动{_counter['n']}",
        "kind": Kind.SPORTS,
        "organiser_unit": unit,
        "starts_at": now + dt.timedelta(days=10),
        "ends_at": now + dt.timedelta(days=10, hours=3),
        "registration_opens_at": now - dt.timedelta(days=1),
        "registration_closes_at": now + dt.timedelta(days=5),
        "cancel_deadline": now + dt.timedelta(days=8),
        "status": Activity.Status.PUBLISHED,
        "capacity": 10,
        "created_by": actor,
        "location": "体育馆",
    }
    values.update(fields)
    return Activity.objects.create(**values)
