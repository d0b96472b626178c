"""Reads for the "适合我" recommender (``ai``): the assistance programmes open for application that a member
may qualify for, and whether recommended programmes were taken up (applied for).

Only members on the hardship register (an active 困难职工 file) are offered assistance: the programmes have
no eligibility rules of their own, and offering 临时补助 to every member would be noise. An education
programme (金秋助学 and the like, recognised by its name or code) is offered only when the member also has a
child of school age. A programme is left out when the member has an application in it under way, or has
used up its yearly limit (count or amount) this year. Nothing about the file but "on the register" leaves
this module: its figures and category are sensitive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from ..models import AssistanceApplication, HardshipFile, ProgrammeRule
from .assistance import GRANTED, OPEN

# Words in a programme's name or code that make it an education programme (助学).
EDUCATION_WORDS = ("助学", "奖学", "education", "study", "school", "student", "jinqiu")
SCHOOL_AGE_MIN = 6
SCHOOL_AGE_MAX = 22


@dataclass(frozen=True)
class AssistanceMatch:
    programme: Any
    rule: ProgrammeRule
    education: bool
    child_ages: tuple[int, ...] = ()
    # Times the member may still receive it this year (None: no count limit).
    count_left: int | None = None


def is_education(programme: Any) -> bool:
    text = f"{programme.name} {programme.code}".lower()
    return any(word in text for word in EDUCATION_WORDS)


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def on_register(person: Any) -> bool:
    return HardshipFile.objects.filter(person_id=person.pk, status=HardshipFile.Status.ACTIVE).exists()


def open_for_member(
    person: Any, *, children: Iterable[dt.date] = (), today: dt.date | None = None
) -> list[AssistanceMatch]:
    """The open programmes ``person`` may apply for now (``children``: the birth dates of their children,
    which the caller has read already)."""
    today = today or timezone.localdate()
    if not on_register(person):
        return []
    rules = list(
        ProgrammeRule.objects.filter(programme__is_active=True, effective_from__lte=today)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .select_related("programme")
        .order_by("programme__sort_order", "programme_id", "-effective_from")
    )
    in_force: dict[int, ProgrammeRule] = {}
    for rule in rules:
        in_force.setdefault(rule.programme_id, rule)
    if not in_force:
        return []
    busy: set[int] = set()
    granted: dict[int, tuple[int, Decimal]] = {}
    for programme_id, status, amount in AssistanceApplication.objects.filter(
        person_id=person.pk, programme_id__in=list(in_force), year=today.year
    ).values_list("programme_id", "status", "approved_amount"):
        if status in OPEN:
            busy.add(programme_id)
        if status in GRANTED:
            count, total = granted.get(programme_id, (0, Decimal(0)))
            granted[programme_id] = (count + 1, total + (amount or Decimal(0)))
    school_ages = tuple(
        sorted(
            age
            for age in (_age_on(birth, today) for birth in children)
            if SCHOOL_AGE_MIN <= age <= SCHOOL_AGE_MAX
        )
    )
    matches = []
    for programme_id, rule in in_force.items():
        if programme_id in busy:
            continue
        count, total = granted.get(programme_id, (0, Decimal(0)))
        if rule.yearly_limit_count is not None and count >= rule.yearly_limit_count:
            continue
        if rule.yearly_limit_amount is not None and total >= rule.yearly_limit_amount:
            continue
        education = is_education(rule.programme)
        if education and not school_ages:
            continue
        matches.append(
            AssistanceMatch(
                programme=rule.programme,
                rule=rule,
                education=education,
                child_ages=school_ages if education else (),
                count_left=None if rule.yearly_limit_count is None else rule.yearly_limit_count - count,
            )
        )
    return matches


def first_applications(
    person_ids: Iterable[int],
    programme_ids: Iterable[int],
    *,
    since: Mapping[tuple[int, int], dt.datetime] | None = None,
) -> dict[tuple[int, int], dt.datetime]:
    """(person, programme) → when the person first applied (any outcome), for the given ids. With
    ``since`` ((person, programme) → when it was first recommended), only those pairs, each with its
    first application at or after that moment: an application before the recommendation does not hide
    one made after it."""
    rows = AssistanceApplication.objects.filter(
        person_id__in=set(person_ids), programme_id__in=set(programme_ids)
    )
    if since is not None:
        if not since:
            return {}
        rows = rows.filter(created_at__gte=min(since.values()))
    first: dict[tuple[int, int], dt.datetime] = {}
    for person_id, programme_id, created_at in rows.values_list("person_id", "programme_id", "created_at"):
        key = (person_id, programme_id)
        if since is not None:
            bound = since.get(key)
            if bound is None or created_at < bound:
                continue
        if key not in first or created_at < first[key]:
            first[key] = created_at
    return first
