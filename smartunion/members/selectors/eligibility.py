"""Who is eligible for a benefit on a date: people whose membership status on that date was one of the
chosen statuses, in the chosen subtrees, read back from the membership timeline like the 入会率 numerator
(``kpis._member_on``) — in one query whatever the number of people (a festival programme snapshots
thousands)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import In

from ..models import FamilyMember, Membership, MembershipEvent, Person

__all__ = ["member_status_choices", "members_with_status_on", "status_on_in"]


def member_status_choices() -> list[tuple[str, str]]:
    """The member statuses a benefit may be given for (正式会员, 临时会员, 保留会籍), with their labels."""
    return [(status.value, str(status.label)) for status in Membership.MEMBER_STATUSES]


def in_service_statuses() -> list[str]:
    return [status.value for status in Membership.IN_SERVICE_STATUSES]


def status_on_in(on: dt.date, statuses: Iterable[str]) -> Q:
    """A condition on Person: their membership's status on ``on`` is one of ``statuses`` — the status the
    first change after ``on`` started from, or today's status if nothing changed since (as ``_member_on``)."""
    wanted = list(statuses)
    changes_after = (
        MembershipEvent.objects.filter(membership=OuterRef("membership__id"), occurred_on__gt=on)
        .exclude(from_status="")
        .exclude(to_status="")
        .exclude(from_status=F("to_status"))
    )
    first_from = Coalesce(
        Subquery(changes_after.order_by("occurred_on", "id").values("from_status")[:1]), Value("")
    )
    unchanged = ~Q(Exists(changes_after)) & Q(membership__status__in=wanted)
    return unchanged | Q(In(first_from, wanted))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def has_child_aged_at_most(on: dt.date, max_age: int) -> Q:
    """A condition on Person: a child recorded among their family members is at most ``max_age`` years
    old on ``on`` (六一 benefits: children aged 14 or under)."""
    born_after = _years_before(on, max_age + 1)
    return Q(
        Exists(
            FamilyMember.objects.filter(
                person=OuterRef("pk"),
                relation=FamilyMember.Relation.CHILD,
                birth_date__gt=born_after,
                birth_date__lte=on,
            )
        )
    )


def members_with_status_on(
    *,
    on: dt.date,
    statuses: Iterable[str],
    unit_paths: Iterable[str],
    sex: str = "",
    child_max_age: int | None = None,
) -> list[tuple[int, int]]:
    """(person id, unit id) of the people in the subtrees of ``unit_paths``, on the books by ``on`` (hired
    by then, or registered by then when the hire date is unknown), whose membership status on ``on`` was one
    of ``statuses`` — and, where asked, of that sex (三八: women members) or with a child aged at most
    ``child_max_age`` on ``on`` (六一). One query. Not scoped: the caller has checked the units."""
    paths = list(unit_paths)
    wanted = list(statuses)
    if not paths or not wanted:
        return []
    subtrees = Q()
    for path in paths:
        subtrees |= Q(unit__path__startswith=path)
    people = (
        Person.objects.filter(subtrees)
        .filter(Q(hire_date__lte=on) | Q(hire_date__isnull=True, created_at__date__lte=on))
        .filter(status_on_in(on, wanted))
    )
    if sex:
        people = people.filter(sex=sex)
    if child_max_age is not None:
        people = people.filter(has_child_aged_at_most(on, child_max_age))
    return list(people.order_by("unit__path", "staff_no").values_list("pk", "unit_id"))
