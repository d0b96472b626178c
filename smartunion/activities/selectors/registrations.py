"""Reads for the registration engine: the waiting-list order and positions, the quotas that apply to a
member, the lottery's priority tiers and the member's live registration."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from smartunion.members.selectors import family as family_selectors
from smartunion.members.selectors import people as people_selectors

from ..models import Activity, Invitation, Question, Registration, TeamMember, UnitQuota
from .eligibility import Facts

# The waiting list's order: the lottery's draw order where there was one, else first come (FIFO).
QUEUE_ORDER = ("lottery_position", "created_at", "id")

LIVE = Registration.LIVE_STATUSES


def waiting(activity: Activity | int) -> QuerySet[Registration]:
    """The waitlisted entries of ``activity`` in the order places are offered."""
    pk = activity if isinstance(activity, int) else activity.pk
    return Registration.objects.filter(activity_id=pk, status=Registration.Status.WAITLISTED).order_by(
        *QUEUE_ORDER
    )


def waitlist_position(registration: Registration) -> int | None:
    """1-based position of a waitlisted entry on its activity's waiting list; None when not waitlisted."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ids = list(waiting(registration.activity_id).values_list("pk", flat=True))
    try:
        return ids.index(registration.pk) + 1
    except ValueError:  # moved on meanwhile
        return None


def live_registration(activity: Activity, person_id: int) -> Registration | None:
    return (
        Registration.objects.filter(activity=activity, person_id=person_id, status__in=LIVE)
        .select_related("activity", "person", "quota")
        .first()
    )


def quota_ids_for(activity_id: int, unit_path: str) -> list[int]:
    """The ids of the quotas of the activity held by the unit at ``unit_path`` or one of its ancestors, the
    nearest first — one plain SQL read (the registration path runs it for every request)."""
    quote = connection.ops.quote_name
    unit_model = UnitQuota._meta.get_field("unit").related_model
    sql = (
        f"SELECT q.{quote('id')}, u.{quote('path')} FROM {quote(UnitQuota._meta.db_table)} q "
        f"JOIN {quote(unit_model._meta.db_table)} u ON u.{quote('id')} = q.{quote('unit_id')} "  # type: ignore[union-attr]
        f"WHERE q.{quote('activity_id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [activity_id])
        rows = [(pk, path) for pk, path in cursor.fetchall() if unit_path.startswith(path)]
    return [pk for pk, path in sorted(rows, key=lambda row: -len(row[1]))]


def questions_for(activity_id: int) -> list[tuple[int, str, str, list[Any], bool]]:
    """The activity's questions as (id, label, kind, choices, required), in order — one plain SQL read."""
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote('id')}, {quote('label')}, {quote('kind')}, {quote('choices')}, {quote('required')} "
        f"FROM {quote(Question._meta.db_table)} WHERE {quote('activity_id')} = %s "
        f"ORDER BY {quote('order')}, {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [activity_id])
        rows = cursor.fetchall()
    result = []
    for pk, label, kind, choices, required in rows:
        if isinstance(choices, str | bytes):
            choices = json.loads(choices or "[]")
        result.append((pk, label, kind, list(choices or []), bool(required)))
    return result


def quotas_for(activity: Activity, unit: Any) -> list[UnitQuota]:
    """The quotas of ``activity`` held by ``unit`` or one of its ancestors, the nearest first."""
    quotas = [
        quota
        for quota in UnitQuota.objects.filter(activity=activity).select_related("unit")
        if unit.path.startswith(quota.unit.path)
    ]
    return sorted(quotas, key=lambda quota: -len(quota.unit.path))


def people_in_live_entries(activity: Activity, person_ids: Iterable[int]) -> set[int]:
    """Of ``person_ids``, who already takes part in ``activity``: a live registration of their own, or a
    member of a team whose registration is live."""
    ids = list(person_ids)
    own = set(
        Registration.objects.filter(activity=activity, person_id__in=ids, status__in=LIVE).values_list(
            "person_id", flat=True
        )
    )
    in_teams = set(
        TeamMember.objects.filter(
            team__activity=activity, team__registration__status__in=LIVE, person_id__in=ids
        ).values_list("person_id", flat=True)
    )
    return own | in_teams


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def recently_attended(activity: Activity, person_ids: Iterable[int], years: int) -> set[int]:
    """Of ``person_ids``, who has a confirmed registration for another activity of the same kind starting
    within ``years`` before this one starts (or later): the lottery's second tier. One query for everyone,
    the same rule as ``eligibility.never_attended``."""
    return set(
        Registration.objects.filter(
            person_id__in=list(person_ids),
            status=Registration.Status.CONFIRMED,
            activity__kind=activity.kind,
            activity__starts_at__gte=years_before(activity.starts_at, years),
        )
        .exclude(activity=activity)
        .values_list("person_id", flat=True)
    )


def facts_for_activity(activity: Activity, person: Any) -> Facts:
    """``eligibility.facts_for`` reading only what this activity's rules and visibility need (the
    registration path: a member with no family query when no rule is about children, and so on). The
    same answers as ``facts_for`` for every rule of ``activity``."""
    rules = activity.eligibility or {}
    status = ""
    if rules.get("statuses"):
        membership = getattr(person, "membership", None)
        status = getattr(membership, "status", "")
    children: tuple[dt.date, ...] = ()
    if rules.get("child_age_min") is not None or rules.get("child_age_max") is not None:
        children = tuple(
            member.birth_date
            for member in family_selectors.family_of_person(person)
            if member.relation == "child"
        )
    last: dict[str, dt.datetime] = {}
    kind = rules.get("not_attended_kind")
    if kind and rules.get("not_attended_years"):
        latest = (
            Registration.objects.filter(
                person_id=person.pk, status=Registration.Status.CONFIRMED, activity__kind=kind
            )
            .order_by("-activity__starts_at")
            .values_list("activity__starts_at", flat=True)
            .first()
        )
        if latest is not None:
            last[kind] = latest
    invited: frozenset[int] = frozenset()
    if (
        activity.visibility == Activity.Visibility.INVITED
        and Invitation.objects.filter(activity=activity, person_id=person.pk).exists()
    ):
        invited = frozenset({activity.pk})
    return Facts(
        person_id=person.pk,
        unit_id=person.unit_id,
        unit_path=person.unit.path,
        status=status,
        sex=person.sex,
        birth_date=person.birth_date,
        category_id=person.category_id,
        children=children,
        last_attended=last,
        invited_to=invited,
    )


def people_by_ids(ids: Iterable[int]) -> dict[int, Any]:
    """Staff records by id with unit and membership (a team's members)."""
    return people_selectors.people_by_ids(ids)
