"""Reads for the member portal's 活动 tab: the activities a member may see (with places left and their own
registration), one activity with why not, my registrations, clubs and 点单式 ideas — and the console's
club pages.

A page reads the member's facts once (``eligibility.facts_for``) and the rest in a handful of queries:
the activities with their batches prefetched, the member's registrations for them in one query, and the
units named by eligibility rules in one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import Col
from django.http import Http404
from django.utils import timezone

from smartunion.core.permissions import get_in_scope, scope_queryset
from smartunion.members.selectors import family as family_selectors
from smartunion.members.selectors import people as people_selectors

from ..models import (
    Activity,
    Club,
    ClubMembership,
    ClubPlan,
    Idea,
    IdeaVote,
    Kind,
    Question,
    Registration,
    UnitQuota,
)
from . import eligibility
from . import registrations as registration_reads
from .eligibility import Facts

FILTER_FIT = "fit"  # 适合我: visible, eligible and open now (the default)
FILTER_ALL = "all"
PERIOD_WEEK = "week"
PERIOD_MONTH = "month"
CLUBS_MANAGE = "activities.clubs.manage"


@dataclass
class Card:
    """One activity as the member sees it."""

    activity: Activity
    places_left: int | None  # None: no limit
    open_now: bool
    eligible: bool
    registration: Registration | None = None
    batches: list[Card] = field(default_factory=list)
    not_yet_open: bool = False

    @property
    def full(self) -> bool:
        return self.places_left is not None and self.places_left <= 0

    @property
    def fit(self) -> bool:
        """适合我: eligible and open now (a series: one of its batches is)."""
        if self.batches:
            return any(batch.fit for batch in self.batches)
        return self.eligible and self.open_now


def places_left(activity: Activity) -> int | None:
    if activity.capacity is None:
        return None
    return max(activity.capacity - activity.confirmed, 0)


def is_open_now(activity: Activity, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        activity.status == Activity.Status.PUBLISHED
        and activity.registration_opens_at <= now < activity.registration_closes_at
    )


def _rule_unit_paths(activities: list[Activity]) -> dict[int, str]:
    ids = {pk for activity in activities for pk in (activity.eligibility or {}).get("unit_ids") or []}
    if not ids:
        return {}
    from smartunion.organisations import selectors as org_selectors

    return {unit.pk: unit.path for unit in org_selectors.units_by_ids(ids)}


def _own_registrations(person_id: int, activity_ids: list[int]) -> dict[int, Registration]:
    """The member's registration for each activity: the live one, else the latest."""
    found: dict[int, Registration] = {}
    for registration in Registration.objects.filter(
        person_id=person_id, activity_id__in=activity_ids
    ).order_by("created_at", "id"):
        current = found.get(registration.activity_id)
        if current is None or current.status not in Registration.LIVE_STATUSES:
            found[registration.activity_id] = registration
    return found


def _period_end(period: str, now: dt.datetime) -> dt.datetime | None:
    today = timezone.localdate(now)
    if period == PERIOD_WEEK:
        end = today + dt.timedelta(days=7 - today.weekday())
    elif period == PERIOD_MONTH:
        end = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    else:
        return None
    return timezone.make_aware(dt.datetime.combine(end, dt.time.min))


def browse(
    *, facts: Facts, show: str = FILTER_FIT, kind: str = "", period: str = "", now: dt.datetime | None = None
) -> list[Card]:
    """The open and upcoming activities visible to the member; a 疗休养 series as one card with its
    batches. ``show``: "fit" (适合我) or "all"; ``kind`` and ``period`` ("week", "month") narrow it."""
    now = now or timezone.now()
    batches = Activity.objects.filter(status=Activity.Status.PUBLISHED, ends_at__gte=now).select_related(
        "visibility_unit"
    )
    activities = (
        Activity.objects.filter(series__isnull=True, status=Activity.Status.PUBLISHED, ends_at__gte=now)
        .select_related("visibility_unit")
        .prefetch_related(Prefetch("batches", queryset=batches.order_by("starts_at", "id")))
        .order_by("starts_at", "id")
    )
    if kind in Kind.values:
        activities = activities.filter(kind=kind)
    end = _period_end(period, now)
    if end is not None:
        activities = activities.filter(Q(starts_at__lt=end) | Q(batches__starts_at__lt=end)).distinct()
    rows = [activity for activity in activities if eligibility.is_visible(activity, facts)]
    every = [item for activity in rows for item in (activity, *activity.batches.all())]
    paths = _rule_unit_paths(every)
    mine = _own_registrations(facts.person_id, [activity.pk for activity in every])

    def card(activity: Activity) -> Card:
        return Card(
            activity=activity,
            places_left=places_left(activity),
            open_now=is_open_now(activity, now),
            eligible=not eligibility.reasons(activity, facts, unit_paths=paths),
            registration=mine.get(activity.pk),
            not_yet_open=activity.registration_opens_at > now,
        )

    cards = []
    for activity in rows:
        top = card(activity)
        top.batches = [
            card(batch) for batch in activity.batches.all() if eligibility.is_visible(batch, facts)
        ]
        if end is not None and top.batches:
            top.batches = [batch for batch in top.batches if batch.activity.starts_at < end] or top.batches
        cards.append(top)
    if show != FILTER_ALL:
        cards = [card for card in cards if card.fit]
    return cards


def activity_for_member(*, facts: Facts, pk: Any) -> Activity:
    """A published (or cancelled/finished) activity the member may see; drafts and invisible ones 404."""
    try:
        activity = (
            Activity.objects.exclude(status=Activity.Status.DRAFT)
            .select_related("visibility_unit", "organiser_unit", "series", "club")
            .get(pk=pk)
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not eligibility.is_visible(activity, facts):
        raise Http404
    return activity


def activity_for_post(pk: Any) -> Activity:
    """The activity a registration is posted for (the engine checks visibility and eligibility)."""
    try:
        return Activity.objects.exclude(status=Activity.Status.DRAFT).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# The registration POST's read: one plain SQL statement (built once per database) for the activity with its
# visibility unit, whether it has questions and quotas (so that the form and the engine skip those reads
# when there are none) and the member — one round trip instead of the ORM's two.
_REGISTRATION_READ: dict[str, tuple[str, list[str], list[tuple[Any, list[Any]]]]] = {}


def _registration_read() -> tuple[str, list[str], list[tuple[Any, list[Any]]]]:
    read = _REGISTRATION_READ.get(connection.vendor)
    if read is None:
        quote = connection.ops.quote_name
        meta = Activity._meta
        fields: list[Any] = list(meta.concrete_fields)
        unit_model: Any = meta.get_field("visibility_unit").related_model
        pk, activity_id = quote("id"), quote("activity_id")
        question, quota = quote(Question._meta.db_table), quote(UnitQuota._meta.db_table)
        member_columns, person_table, member_joins = registration_reads.member_sql_parts()
        sql = (
            f"SELECT {', '.join(f'a.{quote(f.column)}' for f in fields)}, v.{quote('name')}, "
            f"v.{quote('path')}, "
            f"EXISTS(SELECT 1 FROM {question} WHERE {question}.{activity_id} = a.{pk}), "
            f"EXISTS(SELECT 1 FROM {quota} WHERE {quota}.{activity_id} = a.{pk}), {member_columns} "
            f"FROM {quote(meta.db_table)} a "
            f"LEFT JOIN {quote(unit_model._meta.db_table)} v ON v.{pk} = a.{quote('visibility_unit_id')} "
            f"LEFT JOIN {person_table} p ON p.{quote('user_id')} = %s {member_joins} "
            f"WHERE a.{pk} = %s AND a.{quote('status')} <> %s"
        )
        converters = []
        for f in fields:
            column = Col(meta.db_table, f)
            converters.append(
                (column, connection.ops.get_db_converters(column) + f.get_db_converters(connection))
            )
        read = _REGISTRATION_READ[connection.vendor] = (sql, [f.attname for f in fields], converters)
    return read


def for_registration(user: Any, pk: Any) -> tuple[Any | None, Activity | None]:
    """(the member, the activity) for the registration POST in one plain SQL read. The member is a
    Person with what the engine and the eligibility rules read (``registrations.member_from_row``), None
    when the account has no staff record; the activity (not a draft; None when there is none) comes with
    its visibility unit and ``has_questions`` / ``has_quotas`` set (the engine reads the quotas only when
    there are some; its conditional UPDATE checks the pool against the quotas anyway)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return registration_reads.member_for_registration(user), None
    sql, attnames, converters = _registration_read()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, key, Activity.Status.DRAFT])
        row = cursor.fetchone()
    if row is None:  # no such activity: the member is read on their own (the view answers 403 or 404)
        return registration_reads.member_for_registration(user), None
    values = list(row[: len(attnames)])
    for index, (column, functions) in enumerate(converters):
        for convert in functions:
            values[index] = convert(values[index], column, connection)
    activity = Activity.from_db(connection.alias, attnames, values)
    unit_name, unit_path, has_questions, has_quotas = row[len(attnames) : len(attnames) + 4]
    if activity.visibility_unit_id is not None:
        unit_model: Any = Activity._meta.get_field("visibility_unit").related_model
        activity.visibility_unit = unit_model.from_db(
            connection.alias, ["id", "name", "path"], [activity.visibility_unit_id, unit_name, unit_path]
        )
    activity.has_questions = bool(has_questions)  # type: ignore[attr-defined]
    activity.has_quotas = bool(has_quotas)  # type: ignore[attr-defined]
    return registration_reads.member_from_row(row[len(attnames) + 4 :]), activity


def registration_questions(activity: Activity) -> list[registration_reads.QuestionRow]:
    """The questions of the activity for the registration POST (none read when it has none)."""
    if not getattr(activity, "has_questions", True):
        return []
    return registration_reads.questions_for(activity.pk)


def detail_card(*, activity: Activity, facts: Facts, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the activity page shows: places, open or not, the reasons why not, the member's registration,
    and a series' batches (each a Card)."""
    now = now or timezone.now()
    batches = [
        batch
        for batch in activity.batches.filter(status=Activity.Status.PUBLISHED)
        .select_related("visibility_unit")
        .order_by("starts_at", "id")
        if eligibility.is_visible(batch, facts)
    ]
    paths = _rule_unit_paths([activity, *batches])
    mine = _own_registrations(facts.person_id, [activity.pk, *(batch.pk for batch in batches)])
    return {
        "places_left": places_left(activity),
        "open_now": is_open_now(activity, now),
        "not_yet_open": activity.registration_opens_at > now,
        "reasons": eligibility.reasons(activity, facts, unit_paths=paths),
        "registration": mine.get(activity.pk),
        "batches": [
            Card(
                activity=batch,
                places_left=places_left(batch),
                open_now=is_open_now(batch, now),
                eligible=not eligibility.reasons(batch, facts, unit_paths=paths),
                registration=mine.get(batch.pk),
                not_yet_open=batch.registration_opens_at > now,
            )
            for batch in batches
        ],
    }


def questions_of(activity: Activity) -> list[Question]:
    return list(Question.objects.filter(activity=activity).order_by("order", "id"))


def children_of(person: Any, activity: Activity) -> list[tuple[Any, int]]:
    """The member's children with their ages on the activity's first day."""
    start = timezone.localtime(activity.starts_at).date()
    return [
        (member, eligibility.age_on(member.birth_date, start))
        for member in family_selectors.family_of_person(person)
        if member.relation == "child" and member.birth_date is not None
    ]


def people_by_staff_numbers(numbers: list[str]) -> dict[str, Any]:
    """Team members named by staff number → their staff records."""
    return people_selectors.people_by_staff_numbers(numbers)


# -- my registrations ----------------------------------------------------------------------------------


def my_registrations(person: Any, now: dt.datetime | None = None) -> dict[str, list[Registration]]:
    """The member's registrations: upcoming (live, not yet over) and past (over, or no longer live)."""
    now = now or timezone.now()
    registrations = list(
        Registration.objects.filter(person=person)
        .select_related("activity", "activity__series")
        .order_by("activity__starts_at", "id")
    )
    upcoming = [
        r for r in registrations if r.status in Registration.LIVE_STATUSES and r.activity.ends_at >= now
    ]
    upcoming_ids = {r.pk for r in upcoming}
    past = [r for r in reversed(registrations) if r.pk not in upcoming_ids]
    return {"upcoming": upcoming, "past": past}


def registration_for_member(*, person: Any, pk: Any) -> Registration:
    """One of the member's own registrations; anyone else's is not found."""
    if person is None:
        raise Http404
    try:
        return (
            Registration.objects.select_related("activity", "activity__series", "team")
            .prefetch_related("dependants")
            .get(pk=pk, person=person)
        )
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def upcoming_for_block(person: Any, limit: int = 3) -> list[Registration]:
    now = timezone.now()
    return list(
        Registration.objects.filter(
            person=person, status__in=Registration.LIVE_STATUSES, activity__ends_at__gte=now
        )
        .select_related("activity")
        .order_by("activity__starts_at")[:limit]
    )


# -- clubs ---------------------------------------------------------------------------------------------


def _active_members() -> Q:
    return Q(memberships__left_at__isnull=True)


def clubs_for_member(person: Any) -> list[Club]:
    """Active clubs with their member counts; ``joined`` marks the member's own."""
    clubs: list[Club] = list(
        Club.objects.filter(is_active=True)
        .select_related("unit")
        .annotate(member_count=Count("memberships", filter=_active_members()))
        .order_by("name")
    )
    joined: set[int] = set()
    if person is not None:
        joined = set(
            ClubMembership.objects.filter(person=person, left_at__isnull=True).values_list(
                "club_id", flat=True
            )
        )
    for club in clubs:
        club.joined = club.pk in joined  # type: ignore[attr-defined]
    return clubs


def club_get(pk: Any, *, active_only: bool = True) -> Club:
    queryset = Club.objects.select_related("unit")
    if active_only:
        queryset = queryset.filter(is_active=True)
    try:
        return queryset.get(pk=pk)
    except (Club.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def club_memberships(club: Club) -> list[ClubMembership]:
    return list(
        ClubMembership.objects.filter(club=club, left_at__isnull=True)
        .select_related("person", "person__unit")
        .order_by("-role", "joined_at", "id")
    )


def membership_of(club: Club, person: Any) -> ClubMembership | None:
    if person is None:
        return None
    return ClubMembership.objects.filter(club=club, person=person, left_at__isnull=True).first()


def club_year(club: Club, year: int | None = None) -> dict[str, Any]:
    """This year's plan "1个品牌活动 + N个支撑活动" with the club's activities of the year."""
    year = year or timezone.localdate().year
    plan = ClubPlan.objects.filter(club=club, year=year).first()
    activities = list(
        Activity.objects.filter(club=club, starts_at__year=year)
        .exclude(status=Activity.Status.DRAFT)
        .order_by("starts_at", "id")
    )
    supporting = [activity for activity in activities if not activity.is_brand]
    return {
        "year": year,
        "plan": plan,
        "activities": activities,
        "brand": [activity for activity in activities if activity.is_brand],
        "supporting": supporting,
        "supporting_done": len(supporting),
    }


def clubs_for_console(user: Any) -> QuerySet[Club]:
    return (
        scope_queryset(Club.objects.all(), user=user, perm=CLUBS_MANAGE)
        .select_related("unit")
        .annotate(member_count=Count("memberships", filter=_active_members()))
        .order_by("-is_active", "name")
    )


def club_for_console(*, user: Any, pk: Any) -> Club:
    try:
        return get_in_scope(Club.objects.select_related("unit"), user=user, perm=CLUBS_MANAGE, pk=pk)
    except (ValueError, TypeError):
        raise Http404 from None


def membership_for_console(*, user: Any, club: Club, pk: Any) -> ClubMembership:
    try:
        return ClubMembership.objects.select_related("person").get(club=club, pk=pk, left_at__isnull=True)
    except (ClubMembership.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- ideas ---------------------------------------------------------------------------------------------


def open_ideas(person: Any) -> list[Idea]:
    """Open ideas, most votes first; ``voted`` marks the member's own votes, ``mine`` their own ideas."""
    ideas = list(
        Idea.objects.filter(status=Idea.Status.OPEN)
        .select_related("unit")
        .order_by("-votes", "-created_at", "-id")[:200]
    )
    voted: set[int] = set()
    if person is not None:
        voted = set(
            IdeaVote.objects.filter(person=person, idea__in=[idea.pk for idea in ideas]).values_list(
                "idea_id", flat=True
            )
        )
    for idea in ideas:
        idea.voted = idea.pk in voted  # type: ignore[attr-defined]
        idea.mine = person is not None and idea.proposer_id == person.pk  # type: ignore[attr-defined]
    return ideas


def recent_decided_ideas(limit: int = 10) -> list[Idea]:
    return list(
        Idea.objects.exclude(status=Idea.Status.OPEN)
        .prefetch_related("activities")
        .order_by("-updated_at", "-id")[:limit]
    )


def idea_get(pk: Any) -> Idea:
    try:
        return Idea.objects.get(pk=pk)
    except (Idea.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
