"""The member service ledger: other modules record here each service a member received."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from ..models import Person, ServiceRecord


def service_record_add(
    *,
    person: Person,
    kind: str,
    title: str,
    key: str,
    occurred_at: dt.datetime,
    amount: Decimal | None = None,
    link: str = "",
    unit: Any = None,
) -> ServiceRecord:
    """Record a service once per ``key`` (a retry or a second run returns the first record)."""
    existing = ServiceRecord.objects.filter(key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ServiceRecord.objects.create(
                person=person,
                unit_id=unit.pk if unit is not None else person.unit_id,
                kind=kind,
                title=title[:200],
                key=key,
                occurred_at=occurred_at,
                amount=amount,
                link=link[:300],
            )
    except IntegrityError:
        return ServiceRecord.objects.get(key=key)


def service_records_add_many(records: list[ServiceRecord]) -> int:
    """Record many services at once (a programme issued to thousands); keys already recorded are skipped."""
    created = ServiceRecord.objects.bulk_create(records, ignore_conflicts=True, batch_size=1000)
    return len(created)
