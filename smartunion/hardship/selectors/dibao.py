"""The local 低保 standards."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from smartunion.hardship.models import DibaoStandard


def dibao_amount(city: str, year: int) -> Decimal | None:
    """The monthly 低保 of ``city`` for ``year``; the latest earlier year when the year's is not set yet
    (民政 publishes mid-year; the previous standard applies until then)."""
    row = (
        DibaoStandard.objects.filter(city=city, year__lte=year)
        .order_by("-year")
        .values_list("monthly_amount", flat=True)
        .first()
    )
    return row


def dibao_standards() -> QuerySet[DibaoStandard]:
    return DibaoStandard.objects.select_related("updated_by").order_by("city", "-year")


def cities() -> list[str]:
    return list(DibaoStandard.objects.order_by("city").values_list("city", flat=True).distinct())
