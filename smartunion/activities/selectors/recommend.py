"""Reads for the "适合我" recommender (``ai``): the activities a member could register for right now, with
what about the member fits each one, and whether recommended activities were taken up (registered for).

"Could register for" is the registration engine's own test, read without writing: published, registration
open now, places left, visible to the member, every eligibility rule met (``eligibility.reasons``), the
member's children fit when children take part, and no registration of theirs yet (a cancelled one too: the
member has decided). A 疗休养 series is offered by its batch that closes first.

The reads are bounded whatever the number of activities: the member's facts (``eligibility.facts_for``),
the open activities, the units named by their rules, the member's registrations for them and the member's
past participation by kind — one query each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from ..models import Activity, Kind, Registration
from . import eligibility
from .eligibility import Facts
from .portal import _rule_unit_paths, places_left

# At most this many open activities are looked at (those closing first): the member sees five.
MAX_CANDIDATES = 200

# Targeting rules of an activity the member meets (the reason names them).
TARGET_SEX = "sex"
TARGET_AGE = "age"
TARGET_UNIT = "unit"
TARGET_CATEGORY = "category"
TARGET_INVITED = "invited"


@dataclass(frozen=True)
class ActivityMatch:
    activity: Activity
    places_left: int | None
    # Ages on the first day of the member's children who fit the activity (empty when children don't count).
    child_ages: tuple[int, ...] = ()
    child_age_min: int | None = None
    child_age_max: int | None = None
    # The targeting rules the member meets (TARGET_*), in the order above.
    targeted: tuple[str, ...] = ()
    rule_age_min: int | None = None
    rule_age_max: int | None = None
    # The 疗休养 rotation: not attended this kind within ``rotation_years`` (None: no such rule).
    rotation_years: int | None = None
    # Confirmed registrations of the member for past activities of the same kind.
    times_joined_kind: int = 0


@dataclass(frozen=True)
class MemberActivities:
    facts: Facts
    matches: list[ActivityMatch] = field(default_factory=list)
    # Kind → confirmed registrations for past activities of that kind.
    joined_by_kind: dict[str, int] = field(default_factory=dict)


def kind_label(kind: str) -> str:
    """The activity kind as the member reads it ("文体活动")."""
    return str(dict(Kind.choices).get(kind, kind))


def _children_in_band(facts: Facts, start: dt.date, low: int | None, high: int | None) -> tuple[int, ...]:
    low = low if low is not None else 0
    high = high if high is not None else 17
    ages = sorted(
        age for age in (eligibility.age_on(birth, start) for birth in facts.children) if low <= age <= high
    )
    return tuple(ages)


def _joined_by_kind(person_id: int, now: dt.datetime) -> dict[str, int]:
    rows = (
        Registration.objects.filter(
            person_id=person_id, status=Registration.Status.CONFIRMED, activity__starts_at__lt=now
        )
        .values("activity__kind")
        .annotate(n=Count("id"))
        .values_list("activity__kind", "n")
    )
    return dict(rows)


def _match(activity: Activity, facts: Facts, joined: dict[str, int]) -> ActivityMatch | None:
    """What fits the member, or None when the member cannot take part (children needed and none fit)."""
    rules = activity.eligibility or {}
    start = timezone.localtime(activity.starts_at).date()
    child_ages: tuple[int, ...] = ()
    low = high = None
    if rules.get("child_age_min") is not None or rules.get("child_age_max") is not None:
        low, high = rules.get("child_age_min"), rules.get("child_age_max")
        child_ages = _children_in_band(facts, start, low, high)
    if activity.participants in (
        Activity.Participants.DEPENDANTS,
        Activity.Participants.MEMBER_AND_DEPENDANTS,
    ):
        low = activity.dependant_min_age if activity.dependant_min_age is not None else low
        high = activity.dependant_max_age if activity.dependant_max_age is not None else high
        child_ages = _children_in_band(facts, start, low, high)
        if not child_ages:
            return None
    targeted = []
    if rules.get("sex"):
        targeted.append(TARGET_SEX)
    if rules.get("age_min") is not None or rules.get("age_max") is not None:
        targeted.append(TARGET_AGE)
    if rules.get("unit_ids") or activity.visibility == Activity.Visibility.SUBTREE:
        targeted.append(TARGET_UNIT)
    if rules.get("category_ids"):
        targeted.append(TARGET_CATEGORY)
    if activity.visibility == Activity.Visibility.INVITED:
        targeted.append(TARGET_INVITED)
    rotation = None
    if rules.get("not_attended_kind") and rules.get("not_attended_years"):
        rotation = int(rules["not_attended_years"])
    return ActivityMatch(
        activity=activity,
        places_left=places_left(activity),
        child_ages=child_ages,
        child_age_min=low,
        child_age_max=high,
        targeted=tuple(targeted),
        rule_age_min=rules.get("age_min"),
        rule_age_max=rules.get("age_max"),
        rotation_years=rotation,
        times_joined_kind=joined.get(activity.kind, 0),
    )


def open_for_member(person: Any, *, now: dt.datetime | None = None) -> MemberActivities:
    """The activities ``person`` could register for now, each with what about the member fits it."""
    now = now or timezone.now()
    facts = eligibility.facts_for(person)
    joined = _joined_by_kind(person.pk, now)
    has_batches = Activity.objects.filter(series_id=OuterRef("pk"))
    candidates = list(
        Activity.objects.filter(
            status=Activity.Status.PUBLISHED,
            registration_opens_at__lte=now,
            registration_closes_at__gt=now,
        )
        .filter(~Exists(has_batches))
        .select_related("visibility_unit")
        .order_by("registration_closes_at", "id")[:MAX_CANDIDATES]
    )
    candidates = [
        activity
        for activity in candidates
        if eligibility.is_visible(activity, facts) and places_left(activity) != 0
    ]
    if not candidates:
        return MemberActivities(facts=facts, joined_by_kind=joined)
    taken = set(
        Registration.objects.filter(
            person_id=person.pk, activity_id__in=[activity.pk for activity in candidates]
        ).values_list("activity_id", flat=True)
    )
    paths = _rule_unit_paths(candidates)
    matches: list[ActivityMatch] = []
    series_seen: set[int] = set()
    for activity in candidates:
        if activity.pk in taken or eligibility.reasons(activity, facts, unit_paths=paths):
            continue
        if activity.series_id is not None:
            # One batch of a series: the member registers for one of them (the first to close is offered).
            if activity.series_id in series_seen:
                continue
            series_seen.add(activity.series_id)
        match = _match(activity, facts, joined)
        if match is not None:
            matches.append(match)
    return MemberActivities(facts=facts, matches=matches, joined_by_kind=joined)


def first_registrations(
    person_ids: Iterable[int],
    activity_ids: Iterable[int],
    *,
    since: Mapping[tuple[int, int], dt.datetime] | None = None,
) -> dict[tuple[int, int], dt.datetime]:
    """(person, activity) → when the person first registered for it (any outcome), for the given ids.
    With ``since`` ((person, activity) → when it was first recommended), only those pairs, each with its
    first registration at or after that moment: a registration before the recommendation (cancelled
    since) does not hide one made after it."""
    rows = Registration.objects.filter(person_id__in=set(person_ids), activity_id__in=set(activity_ids))
    if since is not None:
        if not since:
            return {}
        rows = rows.filter(created_at__gte=min(since.values()))
    first: dict[tuple[int, int], dt.datetime] = {}
    for person_id, activity_id, created_at in rows.values_list("person_id", "activity_id", "created_at"):
        key = (person_id, activity_id)
        if since is not None:
            bound = since.get(key)
            if bound is None or created_at < bound:
                continue
        if key not in first or created_at < first[key]:
            first[key] = created_at
    return first
