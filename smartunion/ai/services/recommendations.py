"""Writes of the "适合我" recommender: impressions (which items a member was shown, how often, last when)
and take-up (the member registered for the activity, chose the benefit, applied to the programme).

These rows are the recommender's own measurements, not member data or decisions: nobody acts on them
but the figures page, so they are not audit-logged (an entry per home-page view would drown the log).
Take-up is derived from the source apps' own records and is idempotent: it is checked for the member
whenever their recommendations are shown, and for everyone by ``manage.py ai_recommendations_take_up``
(a periodic job that catches up after downtime), so the figures never depend on the job having run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smartunion.activities.selectors import recommend as activity_source
from smartunion.hardship.selectors import recommend as assistance_source
from smartunion.welfare.selectors import recommend as benefit_source

from ..models import Recommendation
from ..selectors.recommendations import Item

# kind → (person ids, item ids, since={(person id, item id): first shown}) → {(person id, item id): when it
# was first taken up at or after it was first shown}
TAKE_UP_SOURCES: dict[str, Callable[..., dict[tuple[int, int], dt.datetime]]] = {
    Recommendation.Kind.ACTIVITY: activity_source.first_registrations,
    Recommendation.Kind.BENEFIT: benefit_source.first_choices,
    Recommendation.Kind.ASSISTANCE: assistance_source.first_applications,
}
CHUNK = 500


@transaction.atomic
def record_shown(*, person: Any, items: Sequence[Item], now: dt.datetime | None = None) -> None:
    """Count one impression of each of ``items`` for ``person``: a new row the first time, else one more
    ``times_shown`` with the latest title, reason and score."""
    if not items:
        return
    now = now or timezone.now()
    existing = {
        (row.kind, row.item_id): row.pk
        for row in Recommendation.objects.select_for_update(of=("self",)).filter(
            person_id=person.pk,
            kind__in={item.kind for item in items},
            item_id__in={item.item_id for item in items},
        )
    }
    new = []
    for item in items:
        pk = existing.get((item.kind, item.item_id))
        if pk is None:
            new.append(
                Recommendation(
                    person_id=person.pk,
                    kind=item.kind,
                    item_id=item.item_id,
                    title=item.title[:200],
                    reason=item.reason[:300],
                    score=item.score,
                    times_shown=1,
                )
            )
            continue
        Recommendation.objects.filter(pk=pk).update(
            times_shown=F("times_shown") + 1,
            last_shown_at=now,
            title=item.title[:200],
            reason=item.reason[:300],
            score=item.score,
        )
    if new:
        # A concurrent view of the same home page may have created a row meanwhile: theirs stands.
        Recommendation.objects.bulk_create(new, ignore_conflicts=True)


def refresh_take_up(*, person_ids: Iterable[int] | None = None) -> int:
    """Mark the recommendations taken up since they were first shown (for ``person_ids``, or everyone).
    Returns how many were marked now."""
    pending = Recommendation.objects.filter(taken_up_at__isnull=True)
    if person_ids is not None:
        pending = pending.filter(person_id__in=list(person_ids))
    marked = 0
    last_pk = 0
    while True:
        chunk = list(
            pending.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "person_id", "kind", "item_id", "first_shown_at")[:CHUNK]
        )
        if not chunk:
            return marked
        last_pk = chunk[-1][0]
        marked += _mark_chunk(chunk)


def _mark_chunk(chunk: list[tuple[int, int, str, int, dt.datetime]]) -> int:
    by_kind: dict[str, list[tuple[int, int, int, dt.datetime]]] = defaultdict(list)
    for pk, person_id, kind, item_id, first_shown in chunk:
        by_kind[kind].append((pk, person_id, item_id, first_shown))
    found: dict[int, dt.datetime] = {}
    for kind, rows in by_kind.items():
        source = TAKE_UP_SOURCES.get(kind)
        if source is None:
            continue
        # The first take-up at or after the recommendation was first shown (an earlier one, e.g. a
        # registration cancelled before, must not hide it).
        taken = source(
            [row[1] for row in rows],
            [row[2] for row in rows],
            since={(row[1], row[2]): row[3] for row in rows},
        )
        for pk, person_id, item_id, first_shown in rows:
            at = taken.get((person_id, item_id))
            # Taken up after it was recommended (never before: such an item is not offered).
            if at is not None and at >= first_shown:
                found[pk] = at
    if not found:
        return 0
    return _mark(found)


@transaction.atomic
def _mark(found: dict[int, dt.datetime]) -> int:
    rows = list(
        Recommendation.objects.select_for_update(of=("self",)).filter(
            pk__in=list(found), taken_up_at__isnull=True
        )
    )
    for row in rows:
        row.taken_up_at = found[row.pk]
    Recommendation.objects.bulk_update(rows, ["taken_up_at"])
    return len(rows)
