"""Reads of the handling offices (承办单位): who works for which office, who supervises it. Proposals and
appeals scope an office user's work by ``office_ids_of_user``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import HandlingOffice, OfficeStaff


def office_list(*, active_only: bool = True) -> QuerySet[HandlingOffice]:
    offices = HandlingOffice.objects.select_related("leader", "unit")
    return offices.filter(is_active=True) if active_only else offices


def office_get(pk: Any) -> HandlingOffice:
    try:
        return HandlingOffice.objects.select_related("leader", "unit").get(pk=pk)
    except (HandlingOffice.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def offices_by_ids(ids: Iterable[int]) -> dict[int, HandlingOffice]:
    return {office.pk: office for office in HandlingOffice.objects.filter(pk__in=list(ids))}


def office_ids_of_user(user: Any) -> set[int]:
    """The offices a user works for (empty for everyone else, and for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        OfficeStaff.objects.filter(user=user, office__is_active=True).values_list("office_id", flat=True)
    )


def office_ids_supervised_by(user: Any) -> set[int]:
    """The offices whose 分管校领导 the user is."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(HandlingOffice.objects.filter(leader=user).values_list("pk", flat=True))


def office_staff(office: HandlingOffice) -> QuerySet[OfficeStaff]:
    return OfficeStaff.objects.filter(office=office).select_related("user")


def office_staff_users(office_ids: Iterable[int], *, heads_only: bool = False) -> list[Any]:
    """The users who work for these offices (their heads only, for escalations)."""
    rows = OfficeStaff.objects.filter(office_id__in=list(office_ids), user__is_active=True)
    if heads_only:
        rows = rows.filter(is_head=True)
    return [row.user for row in rows.select_related("user")]


def office_by_name(name: str) -> HandlingOffice | None:
    """An office by its name or short name (Excel imports and the appeals data name offices in words)."""
    name = name.strip()
    if not name:
        return None
    return (
        HandlingOffice.objects.filter(name=name).first()
        or HandlingOffice.objects.filter(short_name=name).first()
    )


def office_staff_get(pk: Any) -> OfficeStaff:
    """One staff row (to remove it), or 404."""
    try:
        return OfficeStaff.objects.select_related("office", "user").get(pk=pk)
    except (OfficeStaff.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
