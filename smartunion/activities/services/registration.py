"""The registration engine — the hottest path of the product (thousands open the app at 9:00 for 50 places).

Places are guarded in the database, never by check-then-write in Python:

* ``Activity.confirmed`` counts every place held (confirmed entries and places offered from the waiting
  list); ``UnitQuota.used`` the places a unit's quota holds; ``Activity.pool_used`` the places held outside
  the quotas, so ``confirmed = pool_used + Σ quota.used``.
* A quota reserves places out of the capacity for its unit until ``quota_release_at``; the pool is
  ``capacity − Σ quota.places − pool_used``. A member whose unit (or an ancestor) has a quota uses it first,
  then the pool. Releasing sets every quota's ``places`` to its ``used``: the unused places join the pool.
* Taking places is one conditional UPDATE per counter inside one short transaction::

      UPDATE quota SET used = used + q WHERE id = … AND used <= places - q
      UPDATE activity SET confirmed = confirmed + q [, pool_used = pool_used + q]
       WHERE id = … AND confirmed <= capacity - q [AND pool_used <= capacity - q - (SELECT SUM(places) …)]

  On PostgreSQL the second writer waits on the row and re-checks the condition against the committed
  value; on SQLite the IMMEDIATE transactions queue. CHECK constraints (``confirmed <= capacity``,
  ``used <= places``) are the last line. One live registration per member and activity is a partial
  unique constraint; a retried request finds its registration by its idempotency key.
* The sold-out answer ("full", when there is no waiting list) writes nothing: the conditional UPDATEs
  matched no row (a quota taken for an activity that turned out full is given back before anything else
  is written) and no registration or audit row is created.
* SQLite's "database is locked" (and PostgreSQL's deadlock/serialisation errors) are retried a few times
  with a short back-off outside the transaction, then answered as a clear ValidationError.

Locks are taken in one order — registration row, quota, activity — so deadlocks are rare; when one happens
PostgreSQL aborts one transaction and the retry runs it again.

Waiting list: a freed place (a cancellation, a declined or expired offer, the quota release) is offered to
the next waitlisted entry that fits (FIFO by ``created_at``, ``id``; after a lottery in the draw order);
offering moves the counters, so the place is held until the member accepts, declines or the offer expires
(``expire_offers``, run by cron or the task worker), and then passes on.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import Case, Exists, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.core.normalise import clean_text
from smartunion.members.selectors import family as family_selectors
from smartunion.members.services import service_records
from smartunion.notifications.services import notify

from ..models import Activity, Participant, Question, Registration, Team, TeamMember, UnitQuota
from ..selectors import eligibility
from ..selectors import registrations as queue

__all__ = [
    "BUSY_MESSAGE",
    "Outcome",
    "accept_offer",
    "approve",
    "bulk_register",
    "cancel",
    "clean_answers",
    "decline_offer",
    "derived_seed",
    "expire_offers",
    "lottery_draw",
    "lottery_explanation",
    "lottery_order",
    "lottery_replay",
    "lottery_seed_publish",
    "register",
    "reject",
    "release_quotas",
    "waitlist_position",
]

logger = logging.getLogger(__name__)

Status = Registration.Status
Allocation = Activity.Allocation
Participants = Activity.Participants
LIVE = Registration.LIVE_STATUSES
HOLDING = (Status.CONFIRMED, Status.OFFERED)  # entries whose places are counted

LOCK_RETRIES = 6
BUSY_MESSAGE = "Too many people are registering at this moment; try again in a few seconds."
NEVER_ATTENDED = "never_attended"
DEFAULT_PRIORITY_YEARS = 3

T = TypeVar("T")


class Outcome:
    """What a registration attempt came to. ``result``: "confirmed", "waitlisted", "pending" (lottery or
    approval), "full" (nothing written, ``registration`` None), "already" (the member's live registration
    or the same idempotency key's); ``bulk_register`` adds "refused" (``message`` says why). ``person`` is
    set by ``bulk_register``. ``message`` (for the member, in words) is made when first read — after the
    transaction, and not at all by a view that only redirects."""

    __slots__ = ("_message", "person", "registration", "result")

    def __init__(
        self, registration: Registration | None, result: str, message: str = "", person: Any = None
    ) -> None:
        self.registration = registration
        self.result = result
        self._message = message
        self.person = person

    @property
    def message(self) -> str:
        if not self._message and self.registration is not None:
            self._message = _message(self.registration, self.result)
        return self._message

    def __repr__(self) -> str:
        return f"Outcome({self.result!r}, registration={getattr(self.registration, 'pk', None)})"


# -- small helpers -------------------------------------------------------------------------------------------


def _busy() -> ValidationError:
    return ValidationError(_("Too many people are registering at this moment; try again in a few seconds."))


def _transient(error: OperationalError) -> bool:
    text = str(error).lower()
    return any(
        sign in text
        for sign in (
            "database is locked",
            "database table is locked",
            "deadlock detected",
            "could not serialize",
        )
    )


def _retrying(work: Callable[[], T]) -> T:
    """Run ``work`` (one transaction) again when the database is momentarily busy: SQLite's "database is
    locked", PostgreSQL's deadlock or serialisation failures. Inside an outer transaction nothing can be
    retried: the member is told to try again."""
    for attempt in range(LOCK_RETRIES):
        try:
            return work()
        except OperationalError as error:
            if not _transient(error):
                raise
            if connection.in_atomic_block or attempt == LOCK_RETRIES - 1:
                logger.warning("Registration gave up after %s attempts: %s", attempt + 1, error)
                raise _busy() from None
            time.sleep(0.02 * 2**attempt + random.random() * 0.03)
    raise _busy()  # pragma: no cover — the loop returns or raises


def _portal_link(activity: Activity) -> str:
    try:
        return reverse("activities:portal_activity", args=[activity.pk])
    except Exception:  # the portal's page may not exist (yet): the notification still says what happened
        return ""


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _organiser(activity: Activity) -> Any:
    """The organiser unit for an audit entry — without a query when only its id is at hand (the audit
    records the unit's id)."""
    if Activity.organiser_unit.is_cached(activity):
        return activity.organiser_unit
    return SimpleNamespace(pk=activity.organiser_unit_id)


def may_manage(user: Any, activity: Activity) -> bool:
    return bool(user is not None and user.scope_for("activities.manage").covers(activity.organiser_unit.path))


def _require_manage(actor: Any, activity: Activity) -> None:
    if not may_manage(actor, activity):
        raise PermissionDenied


def _is_member(actor: Any, registration: Registration) -> bool:
    return actor is not None and registration.person.user_id == getattr(actor, "pk", None)


def _fresh(registration: Registration, *, lock: bool = False) -> Registration:
    rows = Registration.objects.select_related("activity__organiser_unit", "person__user", "unit", "quota")
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.get(pk=registration.pk)


# -- the counters ------------------------------------------------------------------------------------------


def _sql() -> dict[str, str]:
    """The counters' conditional UPDATEs as plain SQL (the ORM would rebuild them on every request)."""
    quote = connection.ops.quote_name
    activity, quota = quote(Activity._meta.db_table), quote(UnitQuota._meta.db_table)
    registration = quote(Registration._meta.db_table)
    pk, confirmed, capacity = quote("id"), quote("confirmed"), quote("capacity")
    pool_used, used, places = quote("pool_used"), quote("used"), quote("places")
    # The registration window, checked by the database inside the registration's transaction (an
    # activity cancelled or closed meanwhile matches no row); a series (an activity with batches) takes
    # registrations only on its batches.
    is_open = (
        f"{quote('status')} = %s AND {quote('registration_opens_at')} <= %s AND "
        f"{quote('registration_closes_at')} > %s AND NOT EXISTS (SELECT 1 FROM {activity} b "
        f"WHERE b.{quote('series_id')} = {activity}.{pk})"
    )
    statements = {
        # A place from the pool: the total within the capacity, and the pool within the capacity less
        # the places the quotas reserve (read in the same statement).
        "pool_take": (
            f"UPDATE {activity} SET {confirmed} = {confirmed} + %s, {pool_used} = {pool_used} + %s "
            f"WHERE {pk} = %s AND ({capacity} IS NULL OR ({confirmed} + %s <= {capacity} AND "
            f"{pool_used} + %s + COALESCE((SELECT SUM({places}) FROM {quota} "
            f"WHERE {quote('activity_id')} = %s), 0) <= {capacity}))"
        ),
        "total_take": (
            f"UPDATE {activity} SET {confirmed} = {confirmed} + %s "
            f"WHERE {pk} = %s AND ({capacity} IS NULL OR {confirmed} + %s <= {capacity})"
        ),
        "quota_take": f"UPDATE {quota} SET {used} = {used} + %s WHERE {pk} = %s AND {used} + %s <= {places}",
        "quota_undo": f"UPDATE {quota} SET {used} = {used} - %s WHERE {pk} = %s",
        "counters": (
            f"SELECT {capacity}, {confirmed}, {pool_used}, COALESCE((SELECT SUM({places}) FROM {quota} "
            f"WHERE {quote('activity_id')} = %s), 0) FROM {activity} WHERE {pk} = %s"
        ),
        "quota_rooms": f"SELECT {pk}, {places}, {used} FROM {quota} WHERE {quote('activity_id')} = %s",
        "existing": (
            f"SELECT {pk} FROM {registration} WHERE {quote('idempotency_key')} = %s OR "
            f"({quote('activity_id')} = %s AND {quote('person_id')} = %s AND {quote('status')} IN "
            f"({', '.join(['%s'] * len(LIVE))}))"
        ),
        "open_guard": f"UPDATE {activity} SET {quote('status')} = {quote('status')} WHERE {pk} = %s AND {is_open}",
    }
    # The member's registration folds the window into the place-taking UPDATE (no statement more).
    statements["pool_take_open"] = f"{statements['pool_take']} AND {is_open}"
    statements["total_take_open"] = f"{statements['total_take']} AND {is_open}"
    return statements


_STATEMENTS: dict[str, dict[str, str]] = {}


def _statements() -> dict[str, str]:
    statements = _STATEMENTS.get(connection.vendor)
    if statements is None:
        statements = _STATEMENTS[connection.vendor] = _sql()
    return statements


def _execute(name: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_statements()[name], params)
        return int(cursor.rowcount)


def _open_params(now: dt.datetime) -> list[Any]:
    return [Activity.Status.PUBLISHED, now, now]


def _activity_take(
    activity_id: int, quantity: int, *, pool: bool, open_at: dt.datetime | None = None
) -> bool:
    suffix, extra = ("_open", _open_params(open_at)) if open_at is not None else ("", [])
    if pool:
        params = [quantity, quantity, activity_id, quantity, quantity, activity_id, *extra]
        return _execute(f"pool_take{suffix}", params) == 1
    return _execute(f"total_take{suffix}", [quantity, activity_id, quantity, *extra]) == 1


def _guard_open(activity: Activity, now: dt.datetime) -> None:
    """Inside the registration's transaction: refuse unless the activity is still published, its window
    open and it is not a series (a conditional UPDATE that locks the activity's row until the commit, so
    ``activity_cancel`` cannot slip in between)."""
    if _execute("open_guard", [activity.pk, *_open_params(now)]) != 1:
        _refuse_closed(activity)


def _refuse_closed(activity: Activity) -> None:
    if Activity.objects.filter(series_id=activity.pk).exists():
        raise ValidationError(_("Choose a batch."))
    raise ValidationError(_("This activity is not open for registration."))


def _take_places(
    activity_id: int,
    quota_ids: Sequence[int],
    quantity: int,
    *,
    quota_only: bool = False,
    open_at: dt.datetime | None = None,
) -> tuple[bool, int | None]:
    """Hold ``quantity`` places: from the nearest quota with room, else from the pool. Returns (taken, the
    quota's id or None). Runs inside the caller's transaction; moves nothing when it fails. ``open_at``
    (a member's registration): the activity must also be open for registration at that moment."""
    for quota_id in quota_ids:
        if _execute("quota_take", [quantity, quota_id, quantity]):
            if _activity_take(activity_id, quantity, pool=False, open_at=open_at):
                return True, quota_id
            # The whole activity is full (quotas adding up to more than the places): give it back.
            _execute("quota_undo", [quantity, quota_id])
            return False, None
    if quota_only and quota_ids:
        return False, None
    if _activity_take(activity_id, quantity, pool=True, open_at=open_at):
        return True, None
    return False, None


def _give_back(activity_id: int, quota_id: int | None, quantity: int) -> None:
    """Free the places an entry held (inside the caller's transaction). After the quotas were released a
    place freed from a quota joins the pool."""
    if quota_id is not None:
        # Lock the quota first (the order is registration, quota, activity): a quota release holds the
        # quotas' locks until it commits, so the "released?" read below — part of the same UPDATE, in a
        # statement that starts after the lock is held — sees it.
        list(UnitQuota.objects.select_for_update().filter(pk=quota_id).values_list("pk", flat=True))
        released = Exists(Activity.objects.filter(pk=activity_id, quotas_released_at__isnull=False))
        UnitQuota.objects.filter(pk=quota_id).update(
            used=F("used") - quantity,
            places=Case(
                When(released, then=F("places") - quantity),
                default=F("places"),
                output_field=UnitQuota._meta.get_field("places"),
            ),
        )
        Activity.objects.filter(pk=activity_id).update(confirmed=F("confirmed") - quantity)
    else:
        Activity.objects.filter(pk=activity_id).update(
            confirmed=F("confirmed") - quantity, pool_used=F("pool_used") - quantity
        )


def _room(activity_id: int, *, quotas: bool = True) -> tuple[int | None, int | None, dict[int, int]]:
    """(total room, pool room, quota id → room) as they stand — a hint to skip hopeless attempts; the
    conditional UPDATEs decide. Two plain SQL reads (one when the caller knows there are no quotas)."""
    statements = _statements()
    with connection.cursor() as cursor:
        cursor.execute(statements["counters"], [activity_id, activity_id])
        row = cursor.fetchone()
        rooms: dict[int, int] = {}
        if quotas:
            cursor.execute(statements["quota_rooms"], [activity_id])
            rooms = {int(pk): int(places) - int(used) for pk, places, used in cursor.fetchall()}
    capacity, confirmed, pool_used = row[0], int(row[1]), int(row[2])
    if capacity is None:
        return None, None, rooms
    return int(capacity) - confirmed, int(capacity) - int(row[3]) - pool_used, rooms


def _might_fit(room: tuple[int | None, int | None, dict[int, int]], quotas: Sequence[int], q: int) -> bool:
    total, pool, quota_room = room
    if total is not None and total < q:
        return False
    if any(quota_room.get(quota, 0) >= q for quota in quotas):
        return True
    return pool is None or pool >= q


# -- confirmations and offers ------------------------------------------------------------------------------


def _on_confirmed(registration: Registration, activity: Activity, *, user: Any = None) -> None:
    """The member's service ledger and notification (in the transaction: notify defers outside channels
    until it commits). ``user`` is the member's account when the caller has it at hand."""
    person = registration.person
    link = _portal_link(activity)
    service_records.service_record_add(
        person=person,
        unit=registration.unit,
        kind="activities.registered",
        title=_("Registered: %(title)s") % {"title": activity.title},
        key=f"activities.registration:{registration.pk}",
        occurred_at=registration.confirmed_at or timezone.now(),
        link=link,
    )
    if user is None and person.user_id is not None:
        user = person.user
    if user is not None:
        notify(
            recipients=[user],
            kind="activities.confirmed",
            title=_("Your place is confirmed: %(title)s") % {"title": activity.title},
            body=_("%(when)s, %(where)s. Show the QR code of your registration at the entrance.")
            % {"when": _day(activity.starts_at), "where": activity.location or "—"},
            link=link,
        )


def _offer_freed(activity: Activity, *, now: dt.datetime) -> list[Registration]:
    """Offer the places now free to the waiting list, in its order, skipping entries whose quantity does
    not fit (inside the caller's transaction). Each offer holds its places until accepted, declined or
    expired."""
    if activity.status != Activity.Status.PUBLISHED or not activity.waitlist or now >= activity.starts_at:
        return []  # nothing is offered once the activity has started
    offered: list[Registration] = []
    room = _room(activity.pk)
    if room[0] is not None and room[0] <= 0:
        return []
    expires = now + dt.timedelta(hours=activity.offer_hours or 24)
    for entry in queue.waiting(activity).select_related("unit", "person__user"):
        quotas = queue.quota_ids_for(activity.pk, entry.unit.path)
        if not _might_fit(room, quotas, entry.quantity):
            continue
        taken, quota_id = _take_places(activity.pk, quotas, entry.quantity)
        if not taken:
            room = _room(activity.pk)
            if room[0] is not None and room[0] <= 0:
                break
            continue
        if not Registration.objects.filter(pk=entry.pk, status=Status.WAITLISTED).update(
            status=Status.OFFERED, quota_id=quota_id, offer_expires_at=expires
        ):
            _give_back(activity.pk, quota_id, entry.quantity)  # left the list meanwhile
            continue
        entry.status, entry.quota_id, entry.offer_expires_at = Status.OFFERED, quota_id, expires
        audit(
            actor=None,
            action="activities.registration.offered",
            target=entry,
            unit=activity.organiser_unit,
            changes={
                "status": [Status.WAITLISTED, Status.OFFERED],
                "expires": expires,
                "quantity": entry.quantity,
            },
        )
        if entry.person.user_id is not None:
            notify(
                recipients=[entry.person.user],
                kind="activities.offered",
                title=_("A place is free for you: %(title)s") % {"title": activity.title},
                body=_("Accept it before %(when)s, or it passes to the next on the waiting list.")
                % {"when": _day(expires)},
                link=_portal_link(activity),
            )
        offered.append(entry)
        room = _room(activity.pk)
        if room[0] is not None and room[0] <= 0:
            break
    return offered


# -- registering -------------------------------------------------------------------------------------------


def _message(registration: Registration, result: str) -> str:
    activity = registration.activity
    status = registration.status
    if status == Status.CONFIRMED:
        text = _("You are registered for %(title)s.")
    elif status == Status.WAITLISTED:
        position = waitlist_position(registration)
        return _("All places are taken; you are number %(position)s on the waiting list of %(title)s.") % {
            "position": position or "—",
            "title": activity.title,
        }
    elif status == Status.OFFERED:
        return _("A place is offered to you: accept it before %(when)s.") % {
            "when": _day(registration.offer_expires_at)
        }
    elif status == Status.PENDING and activity.allocation == Allocation.LOTTERY:
        return _(
            "Your registration for %(title)s is received. Places are drawn by lottery after registration "
            "closes on %(when)s."
        ) % {"title": activity.title, "when": _day(activity.registration_closes_at)}
    elif status == Status.PENDING:
        text = _("Your registration for %(title)s awaits the organiser's approval.")
    else:
        text = _("Registration for %(title)s: %(status)s.")
        return text % {"title": activity.title, "status": registration.get_status_display()}
    message = text % {"title": activity.title}
    if result == "already":
        return _("You had registered already. %(state)s") % {"state": message}
    return message


def _full_message(activity: Activity, *, quota_only: bool = False) -> str:
    if quota_only:
        return _("The unit's quota for %(title)s is used up.") % {"title": activity.title}
    return _("Sorry, all places of %(title)s are taken.") % {"title": activity.title}


def clean_answers(
    activity: Activity,
    answers: dict[Any, Any] | None,
    questions: Sequence[queue.QuestionRow] | None = None,
) -> dict[str, str]:
    """The answers to the activity's questions, checked: keyed by the question's id (as text; "q_<id>"
    is accepted too), required ones present, a choice among the choices, a number, a date as YYYY-MM-DD.
    ``questions``: the activity's questions when the caller has read them already (the registration form)."""
    given: dict[str, Any] = {}
    for key, value in (answers or {}).items():
        name = str(key)
        given[name[2:] if name.startswith("q_") else name] = value
    cleaned: dict[str, str] = {}
    errors: list[str] = []
    if questions is None:
        questions = queue.questions_for(activity.pk)
    for pk, question_label, kind, question_choices, required in questions:
        raw = given.get(str(pk))
        text = "" if raw is None else str(raw).strip()
        label = {"question": question_label}
        if not text:
            if required:
                errors.append(_("Answer the question “%(question)s”.") % label)
            continue
        if kind == Question.Kind.CHOICE:
            choices = [str(choice) for choice in question_choices]
            if text not in choices:
                errors.append(
                    _("For “%(question)s” choose one of: %(choices)s.")
                    % {**label, "choices": "、".join(choices)}
                )
                continue
        elif kind == Question.Kind.NUMBER:
            try:
                number = Decimal(text.replace(",", ""))
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(_("For “%(question)s” enter a number.") % label)
                continue
            text = str(number)
        elif kind == Question.Kind.DATE:
            try:
                text = dt.date.fromisoformat(text).isoformat()
            except ValueError:
                errors.append(_("For “%(question)s” enter a date as YYYY-MM-DD.") % label)
                continue
        else:
            text = text[:1000]
        cleaned[str(pk)] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_open(activity: Activity, now: dt.datetime) -> None:
    if activity.status != Activity.Status.PUBLISHED:
        raise ValidationError(_("This activity is not open for registration."))
    if now < activity.registration_opens_at:
        raise ValidationError(
            _("Registration opens at %(when)s.") % {"when": _day(activity.registration_opens_at)}
        )
    if now >= activity.registration_closes_at:
        raise ValidationError(
            _("Registration closed at %(when)s.") % {"when": _day(activity.registration_closes_at)}
        )


def _check_eligible(activity: Activity, person: Any, *, own: bool) -> None:
    facts = queue.facts_for_activity(activity, person)
    if not eligibility.is_visible(activity, facts):
        raise ValidationError(
            _("This activity is not open to you.")
            if own
            else _("%(name)s may not take part: the activity is not open to them.") % {"name": person.name}
        )
    unmet = eligibility.reasons(activity, facts)
    if unmet:
        if own:
            raise ValidationError(_("You cannot register: %(reasons)s") % {"reasons": " ".join(unmet)})
        raise ValidationError(
            _("%(name)s cannot take part: %(reasons)s") % {"name": person.name, "reasons": " ".join(unmet)}
        )


def _children(activity: Activity, person: Any, dependant_ids: Iterable[Any]) -> list[tuple[Any, int]]:
    """The chosen children (the member's own child records) with their age on the first day."""
    wanted: list[int] = []
    for raw in dependant_ids or ():
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("Choose among your own children.")) from None
        if pk not in wanted:
            wanted.append(pk)
    if not wanted:
        raise ValidationError(_("Choose the children taking part (add them under 我的 → 家庭成员)."))
    own = {
        member.pk: member
        for member in family_selectors.family_of_person(person)
        if member.relation == "child"
    }
    start = timezone.localtime(activity.starts_at).date()
    low, high = activity.dependant_min_age, activity.dependant_max_age
    chosen: list[tuple[Any, int]] = []
    for pk in wanted:
        child = own.get(pk)
        if child is None:
            raise ValidationError(_("Choose among your own children recorded under 我的 → 家庭成员."))
        age = eligibility.age_on(child.birth_date, start)
        if (low is not None and age < low) or (high is not None and age > high):
            raise ValidationError(
                _(
                    "%(name)s will be %(age)s on %(day)s, the first day; this activity is for children aged "
                    "%(min)s to %(max)s."
                )
                % {
                    "name": child.name,
                    "age": age,
                    "day": start.isoformat(),
                    "min": low if low is not None else 0,
                    "max": high if high is not None else "—",
                }
            )
        chosen.append((child, age))
    return chosen


def _team(
    activity: Activity, captain: Any, team_name: str, member_ids: Iterable[Any]
) -> tuple[str, list[Any]]:
    name = clean_text(team_name)[:100]
    if not name:
        raise ValidationError(_("Give the team a name."))
    ids: list[int] = []
    for raw in member_ids or ():
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("Choose the team members among the staff.")) from None
        if pk != captain.pk and pk not in ids:
            ids.append(pk)
    size = len(ids) + 1
    low, high = activity.team_min, activity.team_max
    if (low is not None and size < low) or (high is not None and size > high):
        raise ValidationError(
            _("A team has %(min)s to %(max)s members, the captain included; yours has %(size)s.")
            % {"min": low or 1, "max": high if high is not None else "—", "size": size}
        )
    people = queue.people_by_ids(ids)
    if len(people) != len(ids):
        raise ValidationError(_("Choose the team members among the staff."))
    members = [people[pk] for pk in ids]
    for member in members:
        _check_eligible(activity, member, own=False)
    taken = queue.people_in_live_entries(activity, [captain.pk, *ids])
    if taken:
        names = "、".join(p.name for p in [captain, *members] if p.pk in taken)
        raise ValidationError(
            _("Already taking part in this activity (on their own or in a team): %(names)s.")
            % {"names": names}
        )
    if Team.objects.filter(activity=activity, name=name).exists():
        raise ValidationError(
            _("A team named %(name)s is registered already; choose another name.") % {"name": name}
        )
    return name, members


@dataclass
class _Plan:
    activity: Activity
    person: Any
    actor: Any
    key: str
    quantity: int
    children: list[tuple[Any, int]]
    answers: dict[str, str]
    team_name: str
    team_members: list[Any]
    quotas: list[int]
    on_behalf: bool
    quota_only: bool


def register(
    *,
    actor: Any,
    activity: Activity,
    person: Any,
    idempotency_key: str,
    quantity: int = 1,
    dependant_ids: Iterable[Any] = (),
    answers: dict[Any, Any] | None = None,
    team_name: str = "",
    team_member_ids: Iterable[Any] = (),
    on_behalf: bool = False,
    questions: Sequence[queue.QuestionRow] | None = None,
) -> Outcome:
    """Register ``person`` (the actor themself, or — ``on_behalf`` — a member of the actor's units) for
    ``activity``. First come: confirmed while places last, then waitlisted (or "full", writing nothing,
    without a waiting list). Lottery and approval: pending. A repeated key, or a second registration of the
    same member, answers "already" with the live registration.

    ``questions``: the activity's questions when the caller read them already (the portal's form), so they
    are not read twice. An ``activity`` read by ``selectors.portal.for_registration`` says whether
    it has quotas (``has_quotas``): without any, the quotas are not read."""
    return _register(
        actor=actor,
        activity=activity,
        person=person,
        idempotency_key=idempotency_key,
        quantity=quantity,
        dependant_ids=dependant_ids,
        answers=answers,
        team_name=team_name,
        team_member_ids=team_member_ids,
        on_behalf=on_behalf,
        questions=questions,
    )


def _already(registration: Registration) -> Outcome:
    return Outcome(registration, "already")


def _register(
    *,
    actor: Any,
    activity: Activity,
    person: Any,
    idempotency_key: str,
    quantity: Any = 1,
    dependant_ids: Iterable[Any] = (),
    answers: dict[Any, Any] | None = None,
    team_name: str = "",
    team_member_ids: Iterable[Any] = (),
    on_behalf: bool = False,
    quota_only: bool = False,
    questions: Sequence[queue.QuestionRow] | None = None,
) -> Outcome:
    key = str(idempotency_key or "").strip()[:64] or secrets.token_hex(16)
    if on_behalf:
        if actor is None or not actor.has_unit_perm("activities.register_members", person.unit):
            raise PermissionDenied
    elif actor is None or person.user_id != actor.pk:
        raise PermissionDenied
    # No read for "sent already" on the way in: the unique constraints answer it (a repeated key or a
    # second live registration fails the INSERT, the transaction rolls back, and the registration that
    # exists is returned). A refusal or "full" looks it up, so a retry always finds its registration.
    try:
        plan = _plan(
            actor=actor,
            activity=activity,
            person=person,
            key=key,
            quantity=quantity,
            dependant_ids=dependant_ids,
            answers=answers,
            team_name=team_name,
            team_member_ids=team_member_ids,
            on_behalf=on_behalf,
            quota_only=quota_only,
            questions=questions,
        )
    except ValidationError:
        existing = _existing(key, activity, person)
        if existing is not None:
            return _already(existing)
        raise
    if isinstance(plan, Outcome):  # full, answered from a read
        existing = _existing(key, activity, person)
        return _already(existing) if existing is not None else plan
    try:
        outcome = _retrying(lambda: _register_write(plan))
    except IntegrityError:
        existing = _existing(key, activity, person)
        if existing is not None:
            return _already(existing)
        raise ValidationError(_("This registration could not be saved; open the form again.")) from None
    if outcome.registration is None:
        existing = _existing(key, activity, person)
        if existing is not None:
            return _already(existing)
    elif outcome.result == Status.CONFIRMED:
        own_account = actor if getattr(actor, "pk", None) == person.user_id else None
        _confirmed_after_commit(outcome.registration, plan.activity, user=own_account)
    return outcome


def _confirmed_after_commit(registration: Registration, activity: Activity, *, user: Any = None) -> None:
    """The ledger line and the notification of a place confirmed at registration, written after the
    registration's transaction has committed: they do not lengthen the time the places' counters are
    locked. The place is held already, so a failure here is logged (the ledger line is keyed by the
    registration and can be written again), never answered to the member as an error."""
    try:
        _retrying(lambda: _confirmed_write(registration, activity, user))
    except (DatabaseError, ValidationError):
        logger.exception(
            "Registration %s: the ledger line or the notification was not written", registration.pk
        )


@transaction.atomic
def _confirmed_write(registration: Registration, activity: Activity, user: Any) -> None:
    _on_confirmed(registration, activity, user=user)


def _existing(key: str, activity: Activity, person: Any) -> Registration | None:
    """The registration of this idempotency key, or the member's live one for the activity (a plain SQL
    probe first: on the sold-out path there is usually none)."""
    with connection.cursor() as cursor:
        cursor.execute(_statements()["existing"], [key, activity.pk, person.pk, *LIVE])
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return None
    for existing in Registration.objects.filter(pk__in=ids).order_by("-pk"):
        if existing.idempotency_key == key and (
            existing.person_id != person.pk or existing.activity_id != activity.pk
        ):
            raise ValidationError(_("This form was already used for another registration: open it again."))
        return existing
    return None


def _plan(
    *,
    actor: Any,
    activity: Activity,
    person: Any,
    key: str,
    quantity: Any,
    dependant_ids: Iterable[Any],
    answers: dict[Any, Any] | None,
    team_name: str,
    team_member_ids: Iterable[Any],
    on_behalf: bool,
    quota_only: bool,
    questions: Sequence[queue.QuestionRow] | None = None,
) -> _Plan | Outcome:
    """Every check of a registration, reading what it needs, outside any transaction."""
    if activity.visibility == Activity.Visibility.SUBTREE and not Activity.visibility_unit.is_cached(
        activity
    ):
        activity = Activity.objects.select_related("organiser_unit", "visibility_unit").get(pk=activity.pk)
    now = timezone.now()
    _check_open(activity, now)
    _check_eligible(activity, person, own=not on_behalf)

    children: list[tuple[Any, int]] = []
    team_members: list[Any] = []
    name = ""
    participants = activity.participants
    if participants == Participants.TEAM:
        name, team_members = _team(activity, person, team_name, team_member_ids)
        places = 1
    elif participants in (Participants.DEPENDANTS, Participants.MEMBER_AND_DEPENDANTS):
        # ``max_quantity`` counts the children here; the places are the children (+1 for the member).
        children = _children(activity, person, dependant_ids)
        most = max(activity.max_quantity, 1)
        if len(children) > most:
            raise ValidationError(_("At most %(max)s children per registration.") % {"max": most})
        places = len(children) + (1 if participants == Participants.MEMBER_AND_DEPENDANTS else 0)
    else:
        try:
            places = int(quantity)
        except (TypeError, ValueError):
            raise ValidationError(_("Enter the number of places as a whole number.")) from None
        if places < 1:
            raise ValidationError(_("Register for at least one place."))
    if participants == Participants.MEMBER and places > max(activity.max_quantity, 1):
        raise ValidationError(
            _("At most %(max)s places per registration.") % {"max": max(activity.max_quantity, 1)}
        )
    cleaned = clean_answers(activity, answers, questions)
    quotas = (
        queue.quota_ids_for(activity.pk, person.unit.path)
        if (activity.allocation == Allocation.FIRST_COME or quota_only)
        and getattr(activity, "has_quotas", True)
        else []
    )
    if quota_only and not quotas and queue.has_quotas(activity.pk):
        # An officer registers "within their unit's quota": none for this unit, no registration.
        raise ValidationError(_("Your unit has no quota for this activity."))

    plan = _Plan(
        activity=activity,
        person=person,
        actor=actor,
        key=key,
        quantity=places,
        children=children,
        answers=cleaned,
        team_name=name,
        team_members=team_members,
        quotas=quotas,
        on_behalf=on_behalf,
        quota_only=quota_only and bool(quotas),
    )
    if activity.allocation == Allocation.FIRST_COME and (plan.quota_only or not activity.waitlist):
        room = _room(activity.pk, quotas=bool(quotas))
        if plan.quota_only:
            fits = (room[0] is None or room[0] >= places) and any(room[2].get(q, 0) >= places for q in quotas)
        else:
            fits = _might_fit(room, quotas, places)
    else:
        fits = True
    if not fits:
        # Sold out and no waiting list: answered from a read, no transaction, nothing written.
        return Outcome(None, "full", _full_message(activity, quota_only=plan.quota_only))
    return plan


@transaction.atomic
def _register_write(plan: _Plan) -> Outcome:
    activity, person = plan.activity, plan.person
    now = timezone.now()
    quota_id: int | None = None
    if activity.series_id is not None:
        _guard_series(activity, activity.series_id, person)
    if activity.allocation == Allocation.FIRST_COME:
        taken, quota_id = _take_places(
            activity.pk, plan.quotas, plan.quantity, quota_only=plan.quota_only, open_at=now
        )
        if taken:
            status = Status.CONFIRMED
        else:
            # The place-taking UPDATE also checked the window: matching no row may mean closed.
            _guard_open(activity, now)
            if activity.waitlist and not plan.quota_only:
                status = Status.WAITLISTED
            else:
                # Nothing was moved (the conditional updates matched no row) and nothing is written.
                return Outcome(None, "full", _full_message(activity, quota_only=plan.quota_only))
    else:
        if plan.quota_only and plan.quotas:  # the quota's lock first: registration, quota, activity
            _guard_quota_entries(activity, plan.quotas[0], plan.quantity)
        _guard_open(activity, now)
        status = Status.PENDING
    team = None
    if activity.participants == Participants.TEAM:
        team = Team.objects.create(activity=activity, name=plan.team_name, captain=person)
        TeamMember.objects.bulk_create(
            [TeamMember(team=team, person_id=member.pk) for member in [person, *plan.team_members]]
        )
    registration = Registration.objects.create(
        activity=activity,
        person=person,
        unit=person.unit,
        quota_id=quota_id,
        team=team,
        status=status,
        quantity=plan.quantity,
        answers=plan.answers,
        idempotency_key=plan.key,
        registered_by=plan.actor,
        created_at=now,
        confirmed_at=now if status == Status.CONFIRMED else None,
    )
    if plan.children:
        Participant.objects.bulk_create(
            [
                Participant(registration=registration, family_member=child, name=child.name, age_on_start=age)
                for child, age in plan.children
            ]
        )
    changes: dict[str, Any] = {"status": status, "quantity": plan.quantity}
    if plan.on_behalf:
        changes["on_behalf"] = True
    if quota_id is not None:
        changes["quota"] = quota_id
    if plan.children:
        changes["children"] = len(plan.children)
    if team is not None:
        changes["team"] = team.name
    audit(
        actor=plan.actor,
        action="activities.registration.created",
        target=registration,
        unit=_organiser(activity),
        changes=changes,
    )
    registration.activity = activity
    # A confirmed place's ledger line and notification follow the commit (``_confirmed_after_commit``).
    return Outcome(registration, str(status))


def _guard_series(activity: Activity, series_id: int, person: Any) -> None:
    """One live registration per member and series: lock the series' row (registrations for its batches
    queue on it) and refuse a second batch."""
    list(Activity.objects.select_for_update().filter(pk=series_id).values_list("pk", flat=True))
    other = (
        Registration.objects.filter(activity__series_id=series_id, person_id=person.pk, status__in=LIVE)
        .exclude(activity_id=activity.pk)
        .values_list("activity__title", flat=True)
        .first()
    )
    if other is not None:
        raise ValidationError(
            _("You are already registered for batch %(batch)s of this trip.") % {"batch": other}
        )


def _guard_quota_entries(activity: Activity, quota_id: int, quantity: int) -> None:
    """Lottery or approval, an officer within the unit's quota: the unit's live entries (pending and
    confirmed) may not exceed the quota's places. The quota's row is locked so two officers queue."""
    quota = UnitQuota.objects.select_for_update().select_related("unit").get(pk=quota_id)
    held = queue.live_places_under(activity.pk, quota.unit.path)
    if held + quantity > quota.places:
        raise ValidationError(
            _("The unit's quota for %(title)s is used up: %(held)s of %(places)s places are applied for.")
            % {"title": activity.title, "held": held, "places": quota.places}
        )


def bulk_register(*, actor: Any, activity: Activity, people: Iterable[Any]) -> list[Outcome]:
    """An officer registers members of their units, each in their own transaction and within the unit's
    quota where the unit has one: one person's refusal does not undo the others; each outcome says why."""
    outcomes: list[Outcome] = []
    for person in people:
        try:
            outcome = _register(
                actor=actor,
                activity=activity,
                person=person,
                idempotency_key=f"bulk-{secrets.token_hex(12)}",
                on_behalf=True,
                quota_only=True,
            )
        except PermissionDenied:
            outcome = Outcome(
                None, "refused", _("%(name)s is not a member of your units.") % {"name": person.name}
            )
        except ValidationError as refused:
            outcome = Outcome(None, "refused", " ".join(refused.messages))
        outcomes.append(Outcome(outcome.registration, outcome.result, outcome.message, person=person))
    return outcomes


def waitlist_position(registration: Registration) -> int | None:
    """1-based position among the activity's waitlisted entries; None when not on the waiting list."""
    if registration.status != Status.WAITLISTED:
        return None
    rows = queue.waiting(registration.activity_id)
    if registration.lottery_position is not None:
        ahead = rows.filter(lottery_position__lt=registration.lottery_position)
    else:
        ahead = rows.filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
    return ahead.count() + 1


# -- cancelling and offers ---------------------------------------------------------------------------------


def cancel(*, actor: Any, registration: Registration, reason: str = "") -> Registration:
    """Cancel a live registration: the member until the cancel deadline (or the start); an organiser at any
    time, giving the reason (the member is told). Held places go to the waiting list."""
    registration = _fresh(registration)
    activity = registration.activity
    member = _is_member(actor, registration)
    organiser = may_manage(actor, activity)
    if not member and not organiser:
        raise PermissionDenied
    now = timezone.now()
    deadline = activity.cancel_deadline or activity.starts_at
    reason = clean_text(reason)[:300]
    as_organiser = not member or (now >= deadline and organiser)
    if member and not organiser and now >= deadline:
        raise ValidationError(
            _("Registrations can be cancelled until %(when)s; ask the organiser.") % {"when": _day(deadline)}
        )
    if as_organiser and not reason:
        raise ValidationError({"reason": _("Give the reason: the member is told.")})
    cancelled, before = _retrying(lambda: _cancel_write(registration.pk, actor, reason, as_organiser, now))
    if before == Status.CONFIRMED:
        _cancelled_after_commit(cancelled)
    return cancelled


def _cancelled_after_commit(registration: Registration) -> None:
    """The member's service ledger says the registration was cancelled (after the cancel's commit, like
    the confirmation's line); a failure is logged, the cancel stands."""
    try:
        _retrying(lambda: _cancelled_write(registration))
    except (DatabaseError, ValidationError):
        logger.exception("Registration %s: the cancellation's ledger line was not written", registration.pk)


@transaction.atomic
def _cancelled_write(registration: Registration) -> None:
    service_records.service_record_add(
        person=registration.person,
        unit=registration.unit,
        kind="activities.cancelled",
        title=_("Registration cancelled: %(title)s") % {"title": registration.activity.title},
        key=f"activities.cancelled:{registration.pk}",
        occurred_at=registration.cancelled_at or timezone.now(),
        link=_portal_link(registration.activity),
    )


@transaction.atomic
def _cancel_write(
    pk: int, actor: Any, reason: str, as_organiser: bool, now: dt.datetime
) -> tuple[Registration, str]:
    registration = _fresh(Registration(pk=pk), lock=True)
    if registration.status not in LIVE:
        raise ValidationError(_("This registration is no longer active."))
    before = registration.status
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.cancel_reason = reason
    registration.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    activity = registration.activity
    if before in HOLDING:
        _give_back(activity.pk, registration.quota_id, registration.quantity)
    audit(
        actor=actor,
        action="activities.registration.cancelled",
        target=registration,
        unit=activity.organiser_unit,
        changes={"status": [before, Status.CANCELLED], "reason": reason, "by_organiser": as_organiser},
    )
    if as_organiser and registration.person.user_id is not None:
        notify(
            recipients=[registration.person.user],
            kind="activities.registration.cancelled",
            title=_("Your registration was cancelled: %(title)s") % {"title": activity.title},
            body=reason,
            link=_portal_link(activity),
        )
    if before in HOLDING:
        _offer_freed(Activity.objects.select_related("organiser_unit").get(pk=activity.pk), now=now)
    return registration, str(before)


def accept_offer(*, actor: Any, registration: Registration) -> Registration:
    """The member takes the place offered to them (before the offer expires)."""
    registration = _fresh(registration)
    if not _is_member(actor, registration):
        raise PermissionDenied
    now = timezone.now()
    if registration.status != Status.OFFERED:
        raise ValidationError(_("No place is offered to you for this activity."))
    if registration.offer_expires_at is not None and registration.offer_expires_at <= now:
        # Only this offer ends here (and its place passes on); the others are the cron's.
        reason = _("The offered place was not accepted in time.")
        _retrying(functools.partial(_pass_on, registration.pk, None, reason, "activities.offer.expired", now))
        raise ValidationError(
            _("The offer expired at %(when)s; the place passed to the next on the waiting list.")
            % {"when": _day(registration.offer_expires_at)}
        )
    return _retrying(lambda: _accept_write(registration.pk, actor, now))


@transaction.atomic
def _accept_write(pk: int, actor: Any, now: dt.datetime) -> Registration:
    registration = _fresh(Registration(pk=pk), lock=True)
    if registration.status != Status.OFFERED:
        raise ValidationError(_("No place is offered to you for this activity."))
    registration.status = Status.CONFIRMED
    registration.confirmed_at = now
    registration.save(update_fields=["status", "confirmed_at"])
    audit(
        actor=actor,
        action="activities.offer.accepted",
        target=registration,
        unit=registration.activity.organiser_unit,
        changes={"status": [Status.OFFERED, Status.CONFIRMED]},
    )
    _on_confirmed(registration, registration.activity)
    return registration


def decline_offer(*, actor: Any, registration: Registration) -> Registration:
    """The member turns the offered place down; it passes to the next on the waiting list."""
    registration = _fresh(registration)
    if not _is_member(actor, registration):
        raise PermissionDenied
    if registration.status != Status.OFFERED:
        raise ValidationError(_("No place is offered to you for this activity."))
    reason = _("Declined the offered place.")
    work = functools.partial(_pass_on, registration.pk, actor, reason, "activities.offer.declined")
    done = _retrying(work)
    return done if done is not None else _fresh(registration)


@transaction.atomic
def _pass_on(
    pk: int, actor: Any, reason: str, action: str, now: dt.datetime | None = None
) -> Registration | None:
    """End an offer (declined or expired) and offer the place on; None when it was no longer offered."""
    now = now or timezone.now()
    registration = _fresh(Registration(pk=pk), lock=True)
    if registration.status != Status.OFFERED:
        return None
    registration.status = Status.CANCELLED
    registration.cancelled_at = now
    registration.cancel_reason = reason
    registration.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    activity = registration.activity
    _give_back(activity.pk, registration.quota_id, registration.quantity)
    audit(
        actor=actor,
        action=action,
        target=registration,
        unit=activity.organiser_unit,
        changes={"status": [Status.OFFERED, Status.CANCELLED], "reason": reason},
    )
    if action == "activities.offer.expired" and registration.person.user_id is not None:
        notify(
            recipients=[registration.person.user],
            kind="activities.offer.expired",
            title=_("The offered place has passed on: %(title)s") % {"title": activity.title},
            body=_("The offer was not accepted before %(when)s.")
            % {"when": _day(registration.offer_expires_at)},
            link=_portal_link(activity),
        )
    _offer_freed(Activity.objects.select_related("organiser_unit").get(pk=activity.pk), now=now)
    return registration


def expire_offers(now: dt.datetime | None = None) -> int:
    """Pass on every offer not accepted in time (each in its own transaction); how many expired."""
    now = now or timezone.now()
    count = 0
    expired = Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now).order_by(
        "offer_expires_at", "pk"
    )
    reason = _("The offered place was not accepted in time.")
    for pk in list(expired.values_list("pk", flat=True)):
        work = functools.partial(_pass_on, pk, None, reason, "activities.offer.expired", now)
        if _retrying(work) is not None:
            count += 1
    return count


# -- approval ----------------------------------------------------------------------------------------------


def approve(*, actor: Any, registration: Registration) -> Registration:
    """The organiser confirms a pending entry (approval mode), taking its places; refused when full."""
    registration = _fresh(registration)
    _require_manage(actor, registration.activity)
    return _retrying(lambda: _approve_write(registration.pk, actor))


@transaction.atomic
def _approve_write(pk: int, actor: Any) -> Registration:
    registration = _fresh(Registration(pk=pk), lock=True)
    activity = registration.activity
    if activity.allocation != Allocation.APPROVAL or registration.status != Status.PENDING:
        raise ValidationError(_("Only a registration awaiting approval can be approved."))
    quotas = queue.quota_ids_for(activity.pk, registration.unit.path)
    taken, quota_id = _take_places(activity.pk, quotas, registration.quantity)
    if not taken:
        raise ValidationError(
            _("No places left for %(places)s more: %(taken)s of %(capacity)s are taken.")
            % {
                "places": registration.quantity,
                "taken": Activity.objects.values_list("confirmed", flat=True).get(pk=activity.pk),
                "capacity": activity.capacity,
            }
        )
    now = timezone.now()
    registration.status = Status.CONFIRMED
    registration.quota_id = quota_id
    registration.confirmed_at = now
    registration.save(update_fields=["status", "quota", "confirmed_at"])
    audit(
        actor=actor,
        action="activities.registration.approved",
        target=registration,
        unit=activity.organiser_unit,
        changes={"status": [Status.PENDING, Status.CONFIRMED], "quantity": registration.quantity},
    )
    _on_confirmed(registration, activity)
    return registration


@transaction.atomic
def reject(*, actor: Any, registration: Registration, reason: str) -> Registration:
    """The organiser turns a pending entry down, with the reason (the member is told)."""
    registration = _fresh(registration, lock=True)
    activity = registration.activity
    _require_manage(actor, activity)
    reason = clean_text(reason)[:300]
    if not reason:
        raise ValidationError({"reason": _("Give the reason: the member is told.")})
    if registration.status != Status.PENDING:
        raise ValidationError(_("Only a registration awaiting approval can be turned down."))
    registration.status = Status.REJECTED
    registration.cancel_reason = reason
    registration.save(update_fields=["status", "cancel_reason"])
    audit(
        actor=actor,
        action="activities.registration.rejected",
        target=registration,
        unit=activity.organiser_unit,
        changes={"status": [Status.PENDING, Status.REJECTED], "reason": reason},
    )
    if registration.person.user_id is not None:
        notify(
            recipients=[registration.person.user],
            kind="activities.registration.rejected",
            title=_("Your registration was not approved: %(title)s") % {"title": activity.title},
            body=reason,
            link=_portal_link(activity),
        )
    return registration


# -- quotas ------------------------------------------------------------------------------------------------


def release_quotas(*, activity: Activity, now: dt.datetime | None = None) -> int:
    """At or after ``quota_release_at`` the quotas' unused places join the pool (once) and are offered to
    the waiting list. Returns the number of places released (0 when not due or done already)."""
    now = now or timezone.now()
    if activity.quota_release_at is None or activity.quota_release_at > now:
        return 0
    return _retrying(lambda: _release_write(activity.pk, now))


@transaction.atomic
def _release_write(pk: int, now: dt.datetime) -> int:
    quotas = list(
        UnitQuota.objects.select_for_update().filter(activity_id=pk).select_related("unit").order_by("pk")
    )
    if not Activity.objects.filter(pk=pk, quotas_released_at__isnull=True, quota_release_at__lte=now).update(
        quotas_released_at=now
    ):
        return 0
    released = {quota.unit.name: quota.places - quota.used for quota in quotas if quota.places > quota.used}
    UnitQuota.objects.filter(activity_id=pk).update(places=F("used"))
    activity = Activity.objects.select_related("organiser_unit").get(pk=pk)
    audit(
        actor=None,
        action="activities.quotas.released",
        target=activity,
        unit=activity.organiser_unit,
        changes={"released": released, "places": sum(released.values())},
    )
    _offer_freed(activity, now=now)
    return sum(released.values())


def release_due_quotas(now: dt.datetime | None = None) -> int:
    """Release the quotas of every published activity whose release time has come; how many activities."""
    now = now or timezone.now()
    due = Activity.objects.filter(
        status=Activity.Status.PUBLISHED, quota_release_at__lte=now, quotas_released_at__isnull=True
    )
    count = 0
    for activity in due:
        release_quotas(activity=activity, now=now)
        count += 1
    return count


# -- the lottery -------------------------------------------------------------------------------------------


def _rng(seed: str, activity_pk: int) -> random.Random:
    return random.Random(f"{seed}:{activity_pk}")


def lottery_order(
    *, activity_pk: int, seed: str, entries: Sequence[tuple[int, int, int]], unit_fair: bool
) -> list[int]:
    """The draw order: ``entries`` are (registration id, unit id, tier); tier 0 draws first. Within a tier
    the entries sorted by id are shuffled with ``random.Random(f"{seed}:{activity_pk}")``; with
    ``unit_fair`` the tier's places go round the units in turn (each unit's own shuffled queue, the units in
    the order their first member was drawn). Pure: anyone with the seed and the list can repeat it."""
    rng = _rng(seed, activity_pk)
    order: list[int] = []
    for tier in sorted({tier for _pk, _unit, tier in entries}):
        drawn = sorted((pk, unit) for pk, unit, entry_tier in entries if entry_tier == tier)
        rng.shuffle(drawn)
        if not unit_fair:
            order.extend(pk for pk, _unit in drawn)
            continue
        queues: dict[int, list[int]] = {}
        for pk, unit in drawn:
            queues.setdefault(unit, []).append(pk)
        lines = list(queues.values())
        while any(lines):
            for line in lines:
                if line:
                    order.append(line.pop(0))
    return order


def _priority_years(activity: Activity) -> int:
    years = (activity.eligibility or {}).get("not_attended_years")
    try:
        return int(years) if years else DEFAULT_PRIORITY_YEARS
    except (TypeError, ValueError):
        return DEFAULT_PRIORITY_YEARS


@transaction.atomic
def lottery_seed_publish(*, actor: Any, activity: Activity, seed: str | None = None) -> Activity:
    """Fix and publish the seed before the draw (anyone can then re-run the draw from the page)."""
    activity = Activity.objects.select_for_update().select_related("organiser_unit").get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.allocation != Allocation.LOTTERY or activity.lottery_drawn_at is not None:
        raise ValidationError(_("The seed can be set only for a lottery not drawn yet."))
    if timezone.now() >= activity.registration_closes_at:
        # A seed chosen once the entries are known could pick the winners.
        raise ValidationError(_("The seed must be published before registration closes."))
    activity.lottery_seed = clean_text(seed or "")[:64] or secrets.token_hex(16)
    activity.save(update_fields=["lottery_seed", "updated_at"])
    audit(
        actor=actor,
        action="activities.lottery.seed_published",
        target=activity,
        unit=activity.organiser_unit,
        changes={"seed": activity.lottery_seed},
    )
    return activity


def lottery_draw(*, actor: Any, activity: Activity, seed: str | None = None) -> dict[str, Any]:
    """Draw the lottery after registration closes: priority tiers (never attended this kind in the last N
    years first, when the activity says so), a seeded shuffle within each tier, optionally round-robin
    between units, unit quotas respected. Winners are confirmed; the others waitlisted in draw order (or
    not drawn without a waiting list). Returns the counts, the seed and ``derived``.

    The seed is the one published before registration closed (``lottery_seed_publish``). Without one it is
    derived, reproducibly, from the entries — see ``derived_seed`` — never chosen at draw time. ``seed`` is
    for tests only (the console does not offer it)."""
    activity = Activity.objects.select_related("organiser_unit").get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.allocation != Allocation.LOTTERY:
        raise ValidationError(_("This activity does not allocate its places by lottery."))
    if activity.status != Activity.Status.PUBLISHED:
        raise ValidationError(_("Only a published activity can be drawn."))
    if activity.lottery_drawn_at is not None:
        raise ValidationError(
            _("The lottery was drawn at %(when)s.") % {"when": _day(activity.lottery_drawn_at)}
        )
    if timezone.now() < activity.registration_closes_at:
        raise ValidationError(
            _("The lottery is drawn after registration closes at %(when)s.")
            % {"when": _day(activity.registration_closes_at)}
        )
    chosen = clean_text(seed or "")[:64] or activity.lottery_seed
    return _retrying(lambda: _draw_write(activity.pk, actor, chosen))


def derived_seed(activity: Activity, registration_ids: Iterable[int]) -> str:
    """The seed of a lottery drawn without a published one: SHA-256 (hex, first 32 characters) of
    ``"<activity id>|<registration_closes_at, ISO 8601 UTC>|<the entries' ids, sorted, comma-separated>"``
    — fixed when registration closes, so anyone can recompute it and nobody chooses it."""
    closes = activity.registration_closes_at.astimezone(dt.UTC).isoformat()
    ids = ",".join(str(pk) for pk in sorted(registration_ids))
    return hashlib.sha256(f"{activity.pk}|{closes}|{ids}".encode()).hexdigest()[:32]


@transaction.atomic
def _draw_write(pk: int, actor: Any, seed: str) -> dict[str, Any]:
    now = timezone.now()
    if not Activity.objects.filter(pk=pk, lottery_drawn_at__isnull=True).update(lottery_drawn_at=now):
        raise ValidationError(_("The lottery was drawn meanwhile."))
    activity = Activity.objects.select_related("organiser_unit").get(pk=pk)
    entries = list(
        Registration.objects.select_for_update(of=("self",))
        .filter(activity=activity, status=Status.PENDING)
        .select_related("unit", "person__user")
        .order_by("pk")
    )
    derived = not seed
    if derived:
        seed = derived_seed(activity, [entry.pk for entry in entries])
    Activity.objects.filter(pk=pk).update(lottery_seed=seed)
    activity.lottery_seed = seed
    by_pk = {entry.pk: entry for entry in entries}
    years = _priority_years(activity)
    prioritised = activity.lottery_priority == NEVER_ATTENDED
    recent = (
        queue.recently_attended(activity, [e.person_id for e in entries], years) if prioritised else set()
    )
    tiers = {entry.pk: (1 if entry.person_id in recent else 0) if prioritised else 0 for entry in entries}
    order = lottery_order(
        activity_pk=activity.pk,
        seed=seed,
        entries=[(entry.pk, entry.unit_id, tiers[entry.pk]) for entry in entries],
        unit_fair=activity.lottery_unit_fair,
    )
    counts = {"entries": len(entries), "confirmed": 0, "waitlisted": 0, "not_drawn": 0}
    link = _portal_link(activity)
    for position, entry_pk in enumerate(order, start=1):
        entry = by_pk[entry_pk]
        quotas = queue.quota_ids_for(activity.pk, entry.unit.path)
        taken, quota_id = _take_places(activity.pk, quotas, entry.quantity)
        entry.lottery_tier = tiers[entry_pk]
        entry.lottery_position = position
        entry.quota_id = quota_id
        if taken:
            entry.status = Status.CONFIRMED
            entry.confirmed_at = now
            counts["confirmed"] += 1
        elif activity.waitlist:
            entry.status = Status.WAITLISTED
            counts["waitlisted"] += 1
        else:
            entry.status = Status.NOT_DRAWN
            counts["not_drawn"] += 1
        entry.save(update_fields=["status", "quota", "confirmed_at", "lottery_tier", "lottery_position"])
        entry.activity = activity
        if taken:
            _on_confirmed(entry, activity)
        elif entry.person.user_id is not None:
            notify(
                recipients=[entry.person.user],
                kind="activities.lottery.not_drawn",
                title=_("Not drawn this time: %(title)s") % {"title": activity.title},
                body=lottery_explanation(entry),
                link=link,
            )
    audit(
        actor=actor,
        action="activities.lottery.drawn",
        target=activity,
        unit=activity.organiser_unit,
        changes={
            "seed": seed,
            "seed_derived": derived,
            **counts,
            "capacity": activity.capacity,
            "priority": activity.lottery_priority or "",
            "priority_years": years if prioritised else None,
            "unit_fair": activity.lottery_unit_fair,
        },
    )
    return {"seed": seed, "derived": derived, **counts}


def lottery_replay(activity: Activity) -> list[int]:
    """The draw order recomputed from the published seed and the entries' recorded tiers (to verify a
    draw); equal to the entries ordered by their recorded position."""
    entries = list(
        Registration.objects.filter(activity=activity, lottery_position__isnull=False).values_list(
            "pk", "unit_id", "lottery_tier"
        )
    )
    return lottery_order(
        activity_pk=activity.pk,
        seed=activity.lottery_seed,
        entries=[(pk, unit, tier or 0) for pk, unit, tier in entries],
        unit_fair=activity.lottery_unit_fair,
    )


def lottery_explanation(registration: Registration) -> str:
    """Why this member was or was not drawn, in words."""
    activity = registration.activity
    if activity.allocation != Allocation.LOTTERY:
        return ""
    if activity.lottery_drawn_at is None or registration.lottery_position is None:
        if activity.lottery_seed:
            return _("The lottery has not been drawn yet; its published seed is %(seed)s.") % {
                "seed": activity.lottery_seed
            }
        return _("The lottery has not been drawn yet.")
    drawn = Registration.objects.filter(activity=activity, lottery_position__isnull=False)
    tier = registration.lottery_tier or 0
    in_tier = drawn.filter(lottery_tier=tier)
    position = in_tier.filter(lottery_position__lt=registration.lottery_position).count() + 1
    if activity.lottery_priority == NEVER_ATTENDED:
        years = _priority_years(activity)
        tier_text = (
            _("First priority (has not taken part in the last %(years)s years)")
            if tier == 0
            else _("Second priority (took part in the last %(years)s years)")
        ) % {"years": years}
    else:
        tier_text = _("One draw for everyone")
    if registration.status == Status.CONFIRMED or (
        registration.status == Status.CANCELLED and registration.confirmed_at is not None
    ):
        result = _("drawn")
    elif registration.status == Status.WAITLISTED:
        result = _("not drawn; number %(position)s on the waiting list") % {
            "position": waitlist_position(registration)
        }
    elif registration.status == Status.OFFERED:
        result = _("not drawn at first; a freed place is now offered to you")
    else:
        result = _("not drawn")
    return _(
        "%(tier)s: number %(position)s of %(count)s in the draw order; %(places)s places; seed %(seed)s: "
        "%(result)s."
    ) % {
        "tier": tier_text,
        "position": position,
        "count": in_tier.count(),
        "places": activity.capacity if activity.capacity is not None else _("no limit on"),
        "seed": activity.lottery_seed,
        "result": result,
    }
