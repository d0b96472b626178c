"""Reads for the registration engine: the waiting-list order and positions, the quotas that apply to a
member, the lottery's priority tiers and the member's live registration."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet, Sum

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


def has_quotas(activity_id: int) -> bool:
    """Whether the activity reserves places for units at all."""
    return UnitQuota.objects.filter(activity_id=activity_id).exists()


def live_places_under(activity_id: int, unit_path: str) -> int:
    """The places of the activity's live entries (pending, confirmed, offered) of members of the unit at
    ``unit_path`` and its sub-units — what a unit's quota already covers in a lottery or approval."""
    rows = Registration.objects.filter(
        activity_id=activity_id,
        status__in=(Registration.Status.PENDING, *HOLDING_STATUSES),
        unit__path__startswith=unit_path,
    ).aggregate(total=Sum("quantity"))
    return int(rows["total"] or 0)


HOLDING_STATUSES = (Registration.Status.CONFIRMED, Registration.Status.OFFERED)


class QuestionRow(NamedTuple):
    """One registration question as the registration path reads it (plain SQL, no model instance): what
    the form and ``clean_answers`` need."""

    pk: int
    label: str
    kind: str
    choices: list[Any]
    required: bool


def questions_for(activity_id: int) -> list[QuestionRow]:
    """The activity's questions (id, label, kind, choices, required), in order — one plain SQL read, shared
    by the registration form and the engine's ``clean_answers``."""
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
        result.append(QuestionRow(pk, label, kind, list(choices or []), bool(required)))
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


# -- the registration POST's own reads ------------------------------------------------------------------------

# The member's fields the engine and the eligibility rules read; any other field loads when first read.
_MEMBER_FIELDS = ("id", "staff_no", "name", "sex", "birth_date", "category", "unit", "user")
MEMBER_COLUMNS = len(_MEMBER_FIELDS) + 4  # + the unit's name and path, the membership's id and status
_MEMBER_PARTS: dict[str, tuple[str, str, str]] = {}


def member_sql_parts() -> tuple[str, str, str]:
    """(the member's columns, the person table, the LEFT JOINs of its unit and membership) — aliases
    ``p``, ``pu``, ``m`` — for a statement that reads the member (``member_from_row`` builds it from the
    ``MEMBER_COLUMNS`` columns). The columns are named from the models' metadata."""
    parts = _MEMBER_PARTS.get(connection.vendor)
    if parts is None:
        quote = connection.ops.quote_name
        person_model: Any = Registration._meta.get_field("person").related_model
        person_meta: Any = person_model._meta
        unit_meta: Any = person_meta.get_field("unit").related_model._meta
        membership: Any = person_meta.get_field("membership")
        membership_meta: Any = membership.related_model._meta
        columns = ", ".join(f"p.{quote(person_meta.get_field(name).column)}" for name in _MEMBER_FIELDS)
        parts = _MEMBER_PARTS[connection.vendor] = (
            f"{columns}, pu.{quote('name')}, pu.{quote('path')}, m.{quote('id')}, m.{quote('status')}",
            quote(person_meta.db_table),
            f"LEFT JOIN {quote(unit_meta.db_table)} pu ON pu.{quote('id')} = p.{quote('unit_id')} "
            f"LEFT JOIN {quote(membership_meta.db_table)} m "
            f"ON m.{quote(membership.field.column)} = p.{quote('id')}",
        )
    return parts


def member_from_row(row: Sequence[Any]) -> Any | None:
    """The member read by a statement built with ``member_sql_parts`` (None when no staff record): a
    members' Person with its unit (id, name, path) and membership (status) cached; its other fields load
    when first read."""
    if row[0] is None:
        return None
    person_model: Any = Registration._meta.get_field("person").related_model
    meta = person_model._meta
    values = list(row[: len(_MEMBER_FIELDS)])
    unit_name, unit_path, membership_id, status = row[len(_MEMBER_FIELDS) : MEMBER_COLUMNS]
    birth = values[4]
    if isinstance(birth, str):  # a backend handing dates back as text
        values[4] = dt.date.fromisoformat(birth)
    attnames = [meta.get_field(name).attname for name in _MEMBER_FIELDS]
    person = person_model.from_db(connection.alias, attnames, values)
    unit_model: Any = meta.get_field("unit").related_model
    person.unit = unit_model.from_db(
        connection.alias, ["id", "name", "path"], [values[6], unit_name, unit_path]
    )
    relation = meta.get_field("membership")
    membership = None
    if membership_id is not None:
        membership = relation.related_model.from_db(
            connection.alias, ["id", relation.field.attname, "status"], [membership_id, person.pk, status]
        )
    relation.set_cached_value(person, membership)
    return person


def member_for_registration(user: Any) -> Any | None:
    """The staff record of ``user`` for the registration path, in one plain SQL read of what the engine
    and the eligibility rules need (``member_from_row``); None when the account has none.
    (``members.selectors.person_of_user`` reads every column of the person, unit and category through
    the ORM: on the hottest path compiling that query costs more than running it.)"""
    if not getattr(user, "is_authenticated", False):
        return None
    columns, table, joins = member_sql_parts()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} p {joins} WHERE p.{connection.ops.quote_name('user_id')} = %s",
            [user.pk],
        )
        row = cursor.fetchone()
    return None if row is None else member_from_row(row)
