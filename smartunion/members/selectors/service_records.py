"""Reads of the member service ledger."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import Person, ServiceRecord


def service_records_of_person(person: Person, *, limit: int = 50) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(person=person)
        .select_related("unit")
        .order_by("-occurred_at", "-id")[:limit]
    )


def service_records_for_user(*, user: Any, kind_prefix: str = "") -> QuerySet[ServiceRecord]:
    """Services received by the people in the user's ``members.view`` scope."""
    records = user.scope_for("members.view").filter(ServiceRecord.objects.all(), "unit")
    if kind_prefix:
        records = records.filter(kind__startswith=kind_prefix)
    return records.select_related("person", "unit").order_by("-occurred_at", "-id")
