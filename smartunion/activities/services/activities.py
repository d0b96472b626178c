"""The organisers' writes on activities: create, edit, publish, cancel and finish; batches of a series (疗休养
in batches), unit quotas (分工会名额), registration questions, invitations, eligibility rules, judges, and
turning members' ideas into activities. Registration itself is the engine's (services/registration.py).

Every write is audited; every rule answers a ValidationError with a message the organiser understands;
nothing is half-applied (one transaction per call)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.members.selectors.eligibility import member_status_choices
from smartunion.notifications.services import notify

from ..models import Activity, Idea, IdeaVote, Invitation, Kind, Question, Registration, UnitQuota
from ..selectors import activities as selectors

MANAGE = "activities.manage"
IDEAS = "activities.ideas.manage"
Status = Activity.Status
Participants = Activity.Participants

DEPENDANT_KINDS = (Kind.CHILDCARE, Kind.FAMILY)
WITH_DEPENDANTS = (Participants.DEPENDANTS, Participants.MEMBER_AND_DEPENDANTS)

# The fields an organiser sets on the form (everything but the counters, the status and the records).
EDITABLE_FIELDS = (
    "title",
    "kind",
    "club",
    "is_brand",
    "description",
    "location",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "cancel_deadline",
    "visibility",
    "visibility_unit",
    "allocation",
    "capacity",
    "quota_release_at",
    "waitlist",
    "offer_hours",
    "participants",
    "max_quantity",
    "dependant_min_age",
    "dependant_max_age",
    "team_min",
    "team_max",
    "eligibility",
    "hours",
    "lottery_priority",
    "lottery_unit_fair",
)
# What a batch takes from its series.
BATCH_RULES = tuple(
    name
    for name in EDITABLE_FIELDS
    if name
    not in (
        "title",
        "starts_at",
        "ends_at",
        "registration_opens_at",
        "registration_closes_at",
        "cancel_deadline",
        "capacity",
        "quota_release_at",
        "is_brand",
    )
)
ELIGIBILITY_KEYS = (
    "statuses",
    "unit_ids",
    "sex",
    "age_min",
    "age_max",
    "category_ids",
    "child_age_min",
    "child_age_max",
    "not_attended_kind",
    "not_attended_years",
)


def may_manage(user: Any, activity: Activity) -> bool:
    return bool(user.scope_for(MANAGE).covers(activity.organiser_unit.path))


def _require_manage(actor: Any, activity: Activity) -> None:
    if not may_manage(actor, activity):
        raise PermissionDenied(_("You may not organise activities of this unit."))


def has_registrations(activity: Activity) -> bool:
    return Registration.objects.filter(activity=activity).exists()


def quota_total(activity: Activity) -> int:
    return int(UnitQuota.objects.filter(activity=activity).aggregate(total=Sum("places"))["total"] or 0)


# -- eligibility ---------------------------------------------------------------------------------------------


def clean_eligibility(rules: dict[str, Any] | None) -> dict[str, Any]:
    """The rules as selectors/eligibility.py reads them: empty values dropped, numbers as ints, the bands in
    order, the rotation rule complete."""
    rules = dict(rules or {})
    unknown = set(rules) - set(ELIGIBILITY_KEYS)
    if unknown:
        raise ValidationError(
            _("Unknown eligibility rules: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )
    cleaned: dict[str, Any] = {}
    statuses = [str(s) for s in rules.get("statuses") or []]
    known = {code for code, _label in member_status_choices()}
    if set(statuses) - known:
        raise ValidationError({"eligibility": _("Unknown membership status.")})
    if statuses:
        cleaned["statuses"] = statuses
    for key in ("unit_ids", "category_ids"):
        ids = sorted({int(pk) for pk in rules.get(key) or []})
        if ids:
            cleaned[key] = ids
    sex = rules.get("sex") or ""
    if sex not in ("", "M", "F"):
        raise ValidationError({"eligibility": _("Sex must be M or F.")})
    if sex:
        cleaned["sex"] = sex
    for low_key, high_key, message in (
        ("age_min", "age_max", _("The members' age band is upside down: the lower age is above the upper.")),
        (
            "child_age_min",
            "child_age_max",
            _("The children's age band is upside down: the lower age is above the upper."),
        ),
    ):
        low, high = rules.get(low_key), rules.get(high_key)
        low = None if low in (None, "") else int(low)
        high = None if high in (None, "") else int(high)
        if (low is not None and low < 0) or (high is not None and high < 0):
            raise ValidationError({"eligibility": _("Ages cannot be negative.")})
        if low is not None and high is not None and low > high:
            raise ValidationError({"eligibility": message})
        if low is not None:
            cleaned[low_key] = low
        if high is not None:
            cleaned[high_key] = high
    kind = rules.get("not_attended_kind") or ""
    years = rules.get("not_attended_years")
    years = None if years in (None, "") else int(years)
    if bool(kind) != bool(years):
        raise ValidationError(
            {"eligibility": _("The rotation rule needs both the kind of activity and the number of years.")}
        )
    if kind:
        if kind not in Kind.values:
            raise ValidationError({"eligibility": _("Unknown kind of activity.")})
        if years is None or years < 1:
            raise ValidationError({"eligibility": _("The rotation rule needs at least one year.")})
        cleaned["not_attended_kind"] = kind
        cleaned["not_attended_years"] = years
    return cleaned


# -- validation ----------------------------------------------------------------------------------------------


def validate_values(values: dict[str, Any], *, quotas: int = 0) -> None:
    """Every rule between the fields of one activity; all the problems at once, by field."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not (values.get("title") or "").strip():
        add("title", _("Give the activity a title."))
    if values.get("kind") not in Kind.values:
        add("kind", _("Choose the kind of activity."))
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    starts, ends = values.get("starts_at"), values.get("ends_at")
    for name, value in (
        ("starts_at", starts),
        ("ends_at", ends),
        ("registration_opens_at", opens),
        ("registration_closes_at", closes),
    ):
        if value is None:
            add(name, _("This date is required."))
    if opens and closes and not opens < closes:
        add("registration_closes_at", _("Registration must close after it opens."))
    if closes and starts and closes > starts:
        add("registration_closes_at", _("Registration must close by the time the activity starts."))
    if starts and ends and ends < starts:
        add("ends_at", _("The activity cannot end before it starts."))
    deadline = values.get("cancel_deadline")
    if deadline and starts and deadline > starts:
        add("cancel_deadline", _("Members' cancelling must end by the start of the activity."))
    release = values.get("quota_release_at")
    if release and starts and release > starts:
        add("quota_release_at", _("Unused quotas must return to the pool before the activity starts."))
    capacity = values.get("capacity")
    if capacity is not None and capacity < 1:
        add("capacity", _("Give at least one place, or leave it empty for no limit."))
    elif capacity is not None and quotas > capacity:
        add(
            "capacity",
            _("The unit quotas add up to %(quotas)s places, more than the %(capacity)s places in all.")
            % {"quotas": quotas, "capacity": capacity},
        )
    if values.get("allocation") == Activity.Allocation.LOTTERY and capacity is None:
        add("capacity", _("A lottery needs a number of places to draw."))
    max_quantity = values.get("max_quantity")
    if max_quantity is None or max_quantity < 1:
        add("max_quantity", _("A registration takes at least one place."))
    participants = values.get("participants") or Participants.MEMBER
    kind = values.get("kind")
    low, high = values.get("dependant_min_age"), values.get("dependant_max_age")
    if kind in DEPENDANT_KINDS and participants not in WITH_DEPENDANTS:
        add("participants", _("Children's care and parent–child activities take the members' children part."))
    if participants in WITH_DEPENDANTS or kind in DEPENDANT_KINDS:
        if low is None or high is None:
            add("dependant_min_age", _("Give the children's age range (on the first day)."))
        elif low > high:
            add("dependant_max_age", _("The children's upper age is below the lower age."))
    team_min, team_max = values.get("team_min"), values.get("team_max")
    if participants == Participants.TEAM:
        if team_min is None or team_max is None:
            add("team_min", _("Give the team size: members at least and at most."))
        elif team_min < 1 or team_min > team_max:
            add("team_max", _("A team has at least one member and its upper size is not below the lower."))
    elif team_min is not None or team_max is not None:
        add("team_min", _("Team sizes are only for team activities."))
    if values.get("visibility") == Activity.Visibility.SUBTREE and values.get("visibility_unit") is None:
        add("visibility_unit", _("Choose the unit whose members see the activity."))
    hours = values.get("hours")
    if hours is not None and kind != Kind.TRAINING:
        add("hours", _("Training hours are only for training."))
    if hours is not None and Decimal(hours) <= 0:
        add("hours", _("Training hours must be more than zero."))
    offer_hours = values.get("offer_hours")
    if offer_hours is not None and offer_hours < 1:
        add("offer_hours", _("Give at least one hour to accept a freed place."))
    if errors:
        raise ValidationError(errors)


def _validated(values: dict[str, Any], *, quotas: int = 0) -> None:
    """Clean the eligibility rules in place and check every field: all the problems reported together."""
    errors: dict[str, list[str]] = {}
    try:
        values["eligibility"] = clean_eligibility(values.get("eligibility"))
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    try:
        validate_values(values, quotas=quotas)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _defaults() -> dict[str, Any]:
    return {
        "club": None,
        "is_brand": False,
        "description": "",
        "location": "",
        "cancel_deadline": None,
        "visibility": Activity.Visibility.SCHOOL,
        "visibility_unit": None,
        "allocation": Activity.Allocation.FIRST_COME,
        "capacity": None,
        "quota_release_at": None,
        "waitlist": True,
        "offer_hours": 24,
        "participants": Participants.MEMBER,
        "max_quantity": 1,
        "dependant_min_age": None,
        "dependant_max_age": None,
        "team_min": None,
        "team_max": None,
        "eligibility": {},
        "hours": None,
        "lottery_priority": "",
        "lottery_unit_fair": False,
    }


def _check_units(actor: Any, organiser_unit: Any, values: dict[str, Any]) -> None:
    if not actor.scope_for(MANAGE).covers(organiser_unit.path):
        raise ValidationError(
            {"organiser_unit": _("You may organise activities only for the units in your care.")}
        )
    unit = values.get("visibility_unit")
    if unit is not None and not unit.path.startswith(organiser_unit.path):
        raise ValidationError(
            {"visibility_unit": _("The activity can be shown only within the organising unit.")}
        )


# -- create, edit, publish, cancel, finish -------------------------------------------------------------------


@transaction.atomic
def activity_create(*, actor: Any, organiser_unit: Any, idea: Idea | None = None, **fields: Any) -> Activity:
    """A draft activity organised by ``organiser_unit`` (within the actor's scope for activities.manage).
    From ``idea``: links it, marks the idea adopted and tells its proposer and voters."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    values = {**_defaults(), **fields}
    _validated(values)
    _check_units(actor, organiser_unit, values)
    if idea is not None and idea.status != Idea.Status.OPEN:
        raise ValidationError(_("This idea is no longer open."))
    activity = Activity.objects.create(
        organiser_unit=organiser_unit, created_by=actor, status=Status.DRAFT, idea=idea, **values
    )
    audit(
        actor=actor,
        action="activities.activity.created",
        target=activity,
        changes={"title": activity.title, "kind": activity.kind, "idea": idea.pk if idea else None},
    )
    if idea is not None:
        _adopt_idea(actor=actor, idea=idea, activity=activity)
    return activity


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, **fields: Any) -> Activity:
    """Change an activity: a draft freely; once published, places and quotas never below what is taken and
    the kind and who takes part fixed once anyone registered; cancelled and finished ones not at all."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown activity fields: {sorted(unknown)}")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.status in (Status.CANCELLED, Status.FINISHED):
        raise ValidationError(_("A cancelled or finished activity cannot be changed."))
    values = {
        name: getattr(activity, name) for name in EDITABLE_FIELDS if name not in ("club", "visibility_unit")
    }
    values["club"] = activity.club
    values["visibility_unit"] = activity.visibility_unit
    values.update(fields)
    _validated(values, quotas=quota_total(activity))
    _check_units(actor, activity.organiser_unit, values)
    if has_registrations(activity):
        for name in ("kind", "participants"):
            if values[name] != getattr(activity, name):
                raise ValidationError(
                    {name: _("People have registered: the kind and who takes part can no longer change.")}
                )
        if values["allocation"] != activity.allocation:
            raise ValidationError(
                {
                    "allocation": _(
                        "People have registered: the way places are allocated can no longer change."
                    )
                }
            )
        if values["waitlist"] != activity.waitlist:
            raise ValidationError(
                {
                    "waitlist": _(
                        "People have registered: the waiting list can no longer be switched on or off."
                    )
                }
            )
    capacity = values["capacity"]
    if capacity is not None and capacity < activity.confirmed:
        raise ValidationError(
            {
                "capacity": _("%(taken)s places are already taken: the places cannot go below that.")
                % {"taken": activity.confirmed}
            }
        )
    quotas = quota_total(activity)
    if capacity is not None and activity.pool_used + quotas > capacity:
        raise ValidationError(
            {
                "capacity": _(
                    "%(pool)s places are taken from the common pool and the unit quotas reserve %(quotas)s: "
                    "the activity needs at least %(needed)s places."
                )
                % {"pool": activity.pool_used, "quotas": quotas, "needed": activity.pool_used + quotas}
            }
        )
    before_capacity = activity.capacity
    changes: dict[str, Any] = {}
    for name, value in values.items():
        old = getattr(activity, name)
        if old != value:
            changes[name] = [str(old) if old is not None else None, str(value) if value is not None else None]
            setattr(activity, name, value)
    if changes:
        activity.save()
        audit(actor=actor, action="activities.activity.changed", target=activity, changes=changes)
    more_room = before_capacity is not None and (capacity is None or capacity > before_capacity)
    if (
        more_room
        and activity.status == Status.PUBLISHED
        and activity.allocation == Activity.Allocation.FIRST_COME
        and activity.waitlist
    ):
        # The freed room goes to the waiting list first (offers, in its order), not to newcomers.
        from . import registration as engine

        if engine._offer_freed(activity, now=timezone.now()):
            activity.refresh_from_db()
    return activity


@transaction.atomic
def activity_publish(*, actor: Any, activity: Activity) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    values = {name: getattr(activity, name) for name in EDITABLE_FIELDS}
    validate_values(values, quotas=quota_total(activity))
    if activity.visibility == Activity.Visibility.INVITED and not activity.invitations.exists():
        raise ValidationError(
            _("Invite the members first: nobody would see an activity for invited members.")
        )
    activity.status = Status.PUBLISHED
    activity.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor, action="activities.activity.published", target=activity, changes={"status": "published"}
    )
    if activity.visibility == Activity.Visibility.INVITED:
        _notify_invited(
            activity, Invitation.objects.filter(activity=activity).values_list("person_id", flat=True)
        )
    return activity


def _users_of(person_ids: Any) -> list[Any]:
    return selectors.users_of_people(person_ids)


def _portal_link(activity: Activity) -> str:
    try:
        return reverse("activities:portal_activity", args=[activity.pk])
    except Exception:  # the portal's URL may not exist (yet): the notification still tells what happened
        return ""


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    """Cancel the activity (and its batches): every live registration is cancelled with the reason, the
    places counters return to zero, and the members are told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: the registered members are told.")})
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.status not in (Status.DRAFT, Status.PUBLISHED):
        raise ValidationError(_("Only a draft or published activity can be cancelled."))
    now = timezone.now()
    targets = [
        activity,
        *Activity.objects.select_for_update()
        .filter(series=activity)
        .exclude(status__in=[Status.CANCELLED, Status.FINISHED]),
    ]
    told = 0
    for target in targets:
        live = list(
            Registration.objects.select_for_update()
            .filter(activity=target, status__in=Registration.LIVE_STATUSES)
            .values_list("pk", "person_id")
        )
        Registration.objects.filter(pk__in=[pk for pk, _person in live]).update(
            status=Registration.Status.CANCELLED, cancelled_at=now, cancel_reason=reason[:300]
        )
        UnitQuota.objects.filter(activity=target).update(used=0)
        Activity.objects.filter(pk=target.pk).update(
            status=Status.CANCELLED, cancel_reason=reason, confirmed=0, pool_used=0, updated_at=now
        )
        if live:
            notify(
                recipients=_users_of(person for _pk, person in live),
                kind="activities.cancelled",
                title=_("Cancelled: %(title)s") % {"title": target.title},
                body=reason,
                link=_portal_link(target),
            )
            told += len(live)
        audit(
            actor=actor,
            action="activities.activity.cancelled",
            target=target,
            changes={"reason": reason, "registrations_cancelled": len(live)},
        )
    activity.refresh_from_db()
    return activity


@transaction.atomic
def activity_finish(*, actor: Any, activity: Activity, now: dt.datetime | None = None) -> Activity:
    now = now or timezone.now()
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published activity can be marked finished."))
    if activity.ends_at > now:
        raise ValidationError(_("The activity has not ended yet."))
    activity.status = Status.FINISHED
    activity.save(update_fields=["status", "updated_at"])
    audit(actor=actor, action="activities.activity.finished", target=activity, changes={"status": "finished"})
    return activity


# -- batches -------------------------------------------------------------------------------------------------


@transaction.atomic
def batch_add(
    *,
    actor: Any,
    series: Activity,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None,
    registration_opens_at: dt.datetime | None = None,
    registration_closes_at: dt.datetime | None = None,
    cancel_deadline: dt.datetime | None = None,
    location: str = "",
) -> Activity:
    """A batch of a series (疗休养 in batches): a child activity with the series' rules, questions and
    invitations, its own dates and places; registration is per batch. The registration window defaults to
    the series'."""
    series = Activity.objects.select_for_update().get(pk=series.pk)
    _require_manage(actor, series)
    if series.series_id is not None:
        raise ValidationError(_("A batch cannot have batches of its own."))
    if series.status in (Status.CANCELLED, Status.FINISHED):
        raise ValidationError(_("The series is cancelled or finished."))
    if has_registrations(series):
        raise ValidationError(_("Members registered for the series itself: it cannot be split into batches."))
    values = {name: getattr(series, name) for name in BATCH_RULES}
    values.update(
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        registration_opens_at=registration_opens_at or series.registration_opens_at,
        registration_closes_at=registration_closes_at or series.registration_closes_at,
        cancel_deadline=cancel_deadline,
        quota_release_at=None,
        is_brand=False,
    )
    if location:
        values["location"] = location
    validate_values(values)
    batch = Activity.objects.create(
        series=series,
        organiser_unit=series.organiser_unit,
        created_by=actor,
        status=series.status,
        idea=series.idea,
        **values,
    )
    Question.objects.bulk_create(
        [
            Question(
                activity=batch,
                label=q.label,
                kind=q.kind,
                choices=q.choices,
                required=q.required,
                order=q.order,
            )
            for q in series.questions.all()
        ]
    )
    Invitation.objects.bulk_create(
        [
            Invitation(activity=batch, person_id=pid)
            for pid in series.invitations.values_list("person_id", flat=True)
        ]
    )
    audit(
        actor=actor,
        action="activities.batch.added",
        target=batch,
        changes={"series": series.pk, "title": title, "capacity": capacity},
    )
    return batch


# -- quotas --------------------------------------------------------------------------------------------------


@transaction.atomic
def quota_set(*, actor: Any, activity: Activity, unit: Any, places: int) -> UnitQuota | None:
    """Set a unit's quota (0 removes an unused one): the unit within the organiser's subtree, never below
    what the unit has used, all quotas together within the places."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.status in (Status.CANCELLED, Status.FINISHED):
        raise ValidationError(_("A cancelled or finished activity cannot be changed."))
    if places is None or places < 0:
        raise ValidationError({"places": _("Give a number of places (0 removes the quota).")})
    if not unit.path.startswith(activity.organiser_unit.path):
        raise ValidationError({"unit": _("Quotas are for units within the organising unit.")})
    quota = UnitQuota.objects.select_for_update().filter(activity=activity, unit=unit).first()
    used = quota.used if quota else 0
    if places < used:
        raise ValidationError(
            {
                "places": _("The unit has already used %(used)s places: the quota cannot go below that.")
                % {"used": used}
            }
        )
    others = quota_total(activity) - (quota.places if quota else 0)
    if activity.capacity is not None and others + places > activity.capacity:
        raise ValidationError(
            {
                "places": _("The quotas would add up to %(total)s places, more than the %(capacity)s in all.")
                % {"total": others + places, "capacity": activity.capacity}
            }
        )
    if activity.capacity is not None and activity.pool_used + others + places > activity.capacity:
        raise ValidationError(
            {
                "places": _(
                    "%(pool)s places are already taken from the common pool: with the quotas at %(total)s "
                    "places, more than the %(capacity)s places in all would be needed."
                )
                % {"pool": activity.pool_used, "total": others + places, "capacity": activity.capacity}
            }
        )
    before = quota.places if quota else None
    if places == 0:
        if quota is not None:
            if quota.registrations.exists():
                raise ValidationError(
                    {"places": _("Registrations count against this quota: it cannot be removed.")}
                )
            quota.delete()
        result = None
    elif quota is None:
        result = UnitQuota.objects.create(activity=activity, unit=unit, places=places)
    else:
        # Conditional: the engine may move ``used`` concurrently; the CHECK constraint is the last line.
        if not UnitQuota.objects.filter(pk=quota.pk, used__lte=places).update(places=places):
            raise ValidationError({"places": _("The unit has just used more places: try again.")})
        quota.refresh_from_db()
        result = quota
    audit(
        actor=actor,
        action="activities.quota.set",
        target=activity,
        changes={"unit": unit.name, "places": [before, places]},
    )
    return result


@transaction.atomic
def quotas_release_now(*, actor: Any, activity: Activity) -> int:
    """Return every unit's unused places to the pool now (the release time brought forward), through the
    engine, which offers them to the waiting list. Returns the places released."""
    from . import registration as engine

    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published activity's quotas can be released."))
    if activity.quotas_released_at is not None:
        raise ValidationError(_("The unused quotas were released already."))
    now = timezone.now()
    before = activity.quota_release_at
    Activity.objects.filter(pk=activity.pk).update(quota_release_at=now)
    activity.quota_release_at = now
    audit(
        actor=actor,
        action="activities.quotas.released_now",
        target=activity,
        changes={"quota_release_at": [str(before) if before else None, str(now)]},
    )
    return engine.release_quotas(activity=activity, now=now)


# -- questions -----------------------------------------------------------------------------------------------


def _clean_question(label: str, kind: str, choices: Any) -> tuple[str, list[str]]:
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Write the question.")})
    if kind not in Question.Kind.values:
        raise ValidationError({"kind": _("Choose the type of answer.")})
    if isinstance(choices, str):
        choices = [line.strip() for line in choices.splitlines()]
    cleaned = [str(c).strip() for c in choices or [] if str(c).strip()]
    if kind == Question.Kind.CHOICE:
        if len(cleaned) < 2:
            raise ValidationError({"choices": _("A choice needs at least two options, one a line.")})
        if len(set(cleaned)) != len(cleaned):
            raise ValidationError({"choices": _("The options repeat.")})
    else:
        cleaned = []
    return label, cleaned


@transaction.atomic
def question_add(
    *, actor: Any, activity: Activity, label: str, kind: str, choices: Any = (), required: bool = False
) -> Question:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    label, cleaned = _clean_question(label, kind, choices)
    if required and has_registrations(activity):
        raise ValidationError(
            {"required": _("People have registered already: only optional questions can be added.")}
        )
    order = (activity.questions.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    question = Question.objects.create(
        activity=activity, label=label, kind=kind, choices=cleaned, required=required, order=order
    )
    audit(actor=actor, action="activities.question.added", target=activity, changes={"question": label})
    return question


def _locked(activity: Activity) -> None:
    if has_registrations(activity):
        raise ValidationError(
            _(
                "People have registered already: the questions can no longer change (optional ones may be added)."
            )
        )


@transaction.atomic
def question_edit(
    *, actor: Any, question: Question, label: str, kind: str, choices: Any = (), required: bool = False
) -> Question:
    activity = Activity.objects.select_for_update().get(pk=question.activity_id)
    _require_manage(actor, activity)
    _locked(activity)
    label, cleaned = _clean_question(label, kind, choices)
    before = [question.label, question.kind, question.choices, question.required]
    question.label, question.kind, question.choices, question.required = label, kind, cleaned, required
    question.save()
    audit(
        actor=actor,
        action="activities.question.changed",
        target=activity,
        changes={"question": [before, [label, kind, cleaned, required]]},
    )
    return question


@transaction.atomic
def question_remove(*, actor: Any, question: Question) -> None:
    activity = Activity.objects.select_for_update().get(pk=question.activity_id)
    _require_manage(actor, activity)
    _locked(activity)
    label = question.label
    question.delete()
    audit(actor=actor, action="activities.question.removed", target=activity, changes={"question": label})


# -- invitations, judges -------------------------------------------------------------------------------------


def _staff_numbers(text: str) -> list[str]:
    seen: list[str] = []
    for line in (text or "").replace(",", "\n").replace("，", "\n").splitlines():
        number = line.strip().split()[0] if line.strip() else ""
        if number and number not in seen:
            seen.append(number)
    return seen


@dataclass
class InvitationResult:
    added: list[Any] = field(default_factory=list)
    already: list[Any] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _notify_invited(activity: Activity, person_ids: Any) -> None:
    notify(
        recipients=_users_of(person_ids),
        kind="activities.invited",
        title=_("You are invited: %(title)s") % {"title": activity.title},
        body=_("Register on your phone under 活动 before %(date)s.")
        % {"date": timezone.localtime(activity.registration_closes_at).strftime("%Y-%m-%d %H:%M")},
        link=_portal_link(activity),
    )


@transaction.atomic
def invitations_add(*, actor: Any, activity: Activity, staff_numbers: str) -> InvitationResult:
    """Invite the members whose staff numbers are pasted (one a line); unknown numbers are reported. Once
    published, the newly invited are told."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require_manage(actor, activity)
    if activity.status in (Status.CANCELLED, Status.FINISHED):
        raise ValidationError(_("A cancelled or finished activity cannot be changed."))
    numbers = _staff_numbers(staff_numbers)
    if not numbers:
        raise ValidationError({"staff_numbers": _("Paste the staff numbers, one a line.")})
    found, _unknown = selectors.people_by_staff_numbers(numbers)
    people = {p.staff_no: p for p in found}
    invited = set(Invitation.objects.filter(activity=activity).values_list("person_id", flat=True))
    result = InvitationResult()
    for number in numbers:
        person = people.get(number)
        if person is None:
            result.unknown.append(number)
        elif person.pk in invited:
            result.already.append(person)
        else:
            result.added.append(person)
    Invitation.objects.bulk_create([Invitation(activity=activity, person=p) for p in result.added])
    if result.added:
        audit(
            actor=actor,
            action="activities.invitations.added",
            target=activity,
            changes={"staff_numbers": [p.staff_no for p in result.added]},
        )
        if activity.status == Status.PUBLISHED:
            _notify_invited(activity, [p.pk for p in result.added])
    return result


@transaction.atomic
def invitation_remove(*, actor: Any, invitation: Invitation) -> None:
    activity = invitation.activity
    _require_manage(actor, activity)
    staff_no = invitation.person.staff_no
    invitation.delete()
    audit(
        actor=actor, action="activities.invitation.removed", target=activity, changes={"staff_no": staff_no}
    )


@transaction.atomic
def judges_set(*, actor: Any, activity: Activity, staff_numbers: str) -> list[str]:
    """The judges of a competition, by their staff numbers (accounts); returns the numbers not found (and
    changes nothing then)."""
    _require_manage(actor, activity)
    if activity.kind != Kind.COMPETITION:
        raise ValidationError(_("Judges are only for competitions."))
    numbers = _staff_numbers(staff_numbers)
    users = []
    unknown = []
    for number in numbers:
        user = account_selectors.user_by_staff_no(number)
        if user is None:
            unknown.append(number)
        else:
            users.append(user)
    if unknown:
        raise ValidationError(
            {
                "staff_numbers": _("No account with the staff numbers: %(numbers)s.")
                % {"numbers": "、".join(unknown)}
            }
        )
    before_ids = set(activity.judges.values_list("pk", flat=True))
    before = sorted(activity.judges.values_list("staff_no", flat=True))
    activity.judges.set(users)
    audit(
        actor=actor,
        action="activities.judges.set",
        target=activity,
        changes={"judges": [before, sorted(u.staff_no for u in users)]},
    )
    notify(
        recipients=[user for user in users if user.pk not in before_ids],
        kind="activities.judge_added",
        title=_("You are a judge: %(title)s") % {"title": activity.title},
        body=_("Score the entries on the results page; the organiser publishes the ranking."),
        link=reverse("activities:results", args=[activity.pk]),
    )
    return unknown


# -- ideas (点单式) ------------------------------------------------------------------------------------------


def may_manage_idea(user: Any, idea: Idea) -> bool:
    return bool(user.scope_for(IDEAS).covers(idea.unit.path))


def _idea_people(idea: Idea) -> list[Any]:
    ids = {idea.proposer_id, *IdeaVote.objects.filter(idea=idea).values_list("person_id", flat=True)}
    return _users_of(ids)


def _adopt_idea(*, actor: Any, idea: Idea, activity: Activity) -> None:
    """Through the ideas service (the portal's): the idea adopted, linked; then its people told."""
    from . import ideas as idea_services

    idea_services.adopt(actor=actor, idea=idea, activity=activity)
    notify(
        recipients=_idea_people(idea),
        kind="activities.idea_adopted",
        title=_("Your idea becomes an activity: %(title)s") % {"title": idea.title},
        body=_("The union is organising “%(activity)s”; watch 活动 for when registration opens.")
        % {"activity": activity.title},
    )


@transaction.atomic
def idea_close(*, actor: Any, idea: Idea, note: str) -> Idea:
    """Close an idea in the actor's care with a note (through the ideas service); its people are told."""
    from . import ideas as idea_services

    if not may_manage_idea(actor, idea):
        raise ValidationError(_("This idea is not in your care."))
    idea = idea_services.close(actor=actor, idea=idea, note=note)
    notify(
        recipients=_idea_people(idea),
        kind="activities.idea_closed",
        title=_("Idea closed: %(title)s") % {"title": idea.title},
        body=idea.close_note,
    )
    return idea
