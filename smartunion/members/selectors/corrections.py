"""Reads of correction requests: the union office's queue and the member's own requests."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from smartunion.core.normalise import clean_text

from ..models import CorrectionRequest, Person

HANDLE = "members.corrections.handle"


def correction_list_for_user(
    *, user: Any, status: str = "", field: str = "", search: str = ""
) -> QuerySet[CorrectionRequest]:
    requests = user.scope_for(HANDLE).filter(
        CorrectionRequest.objects.select_related("person__unit", "handled_by"), "person__unit"
    )
    if status:
        requests = requests.filter(status=status)
    if field:
        requests = requests.filter(field=field)
    if search:
        term = clean_text(search)
        requests = requests.filter(Q(person__name__icontains=term) | Q(person__staff_no=term))
    return requests


def correction_get_for_user(*, user: Any, pk: Any) -> CorrectionRequest:
    try:
        return correction_list_for_user(user=user).get(pk=pk)
    except (CorrectionRequest.DoesNotExist, ValueError):
        raise Http404 from None


def corrections_of_person(person: Person, *, limit: int = 20) -> list[CorrectionRequest]:
    return list(CorrectionRequest.objects.filter(person=person).order_by("-created_at", "-pk")[:limit])
