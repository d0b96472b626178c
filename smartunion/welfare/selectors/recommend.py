"""Reads for the "适合我" recommender (``ai``): the member's benefit programmes open for choice that they
have not chosen in yet, and whether recommended programmes were taken up (an option chosen)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone

from ..models import Entitlement, Programme


def open_unchosen(person: Any, *, now: dt.datetime | None = None) -> list[Entitlement]:
    """The member's entitlements in programmes open for choice now with nothing chosen yet, soonest
    deadline first (with their programme; one query)."""
    now = now or timezone.now()
    return list(
        Entitlement.objects.filter(
            person_id=person.pk,
            status=Entitlement.Status.ELIGIBLE,
            option__isnull=True,
            chosen_at__isnull=True,
            programme__status=Programme.Status.CHOOSING,
            programme__choice_deadline__gt=now,
        )
        .select_related("programme")
        .order_by("programme__choice_deadline", "pk")
    )


def first_choices(
    person_ids: Iterable[int],
    programme_ids: Iterable[int],
    *,
    since: Mapping[tuple[int, int], dt.datetime] | None = None,
) -> dict[tuple[int, int], dt.datetime]:
    """(person, programme) → when the person chose an option, for the given ids (chosen ones only). With
    ``since`` ((person, programme) → when it was first recommended), only those pairs and only a choice at
    or after that moment. (One entitlement per member and programme: its ``chosen_at`` is the latest
    choice, so a choice made before the recommendation and changed after it counts.)"""
    rows = Entitlement.objects.filter(
        person_id__in=set(person_ids), programme_id__in=set(programme_ids), chosen_at__isnull=False
    )
    if since is not None:
        if not since:
            return {}
        rows = rows.filter(chosen_at__gte=min(since.values()))
    first: dict[tuple[int, int], dt.datetime] = {}
    for person_id, programme_id, chosen_at in rows.values_list("person_id", "programme_id", "chosen_at"):
        key = (person_id, programme_id)
        if chosen_at is None:
            continue
        if since is not None:
            bound = since.get(key)
            if bound is None or chosen_at < bound:
                continue
        if key not in first or chosen_at < first[key]:
            first[key] = chosen_at
    return first
