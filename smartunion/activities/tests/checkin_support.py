"""Test data for the check-in, attendance and results tests: registrations written directly (the engine's
rules are tested with its services), an activity happening now, a child of a member."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db.models import F
from django.utils import timezone

from smartunion.activities.models import Activity, Participant, Registration
from smartunion.members.models import FamilyMember

from . import factories

_keys = itertools.count(1)


def running_activity(*, unit: Any, actor: Any, **fields: Any) -> Activity:
    """An activity that started an hour ago and ends in two hours (check-in is open)."""
    now = timezone.now()
    values = {
        "starts_at": now - dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(hours=2),
        "registration_opens_at": now - dt.timedelta(days=5),
        "registration_closes_at": now - dt.timedelta(days=1),
        "cancel_deadline": None,
    }
    values.update(fields)
    return factories.make_activity(unit=unit, actor=actor, **values)


def register(
    activity: Activity, person: Any, *, by: Any, status: str = Registration.Status.CONFIRMED, **fields: Any
) -> Registration:
    registration = Registration.objects.create(
        activity=activity,
        person=person,
        unit=person.unit,
        status=status,
        idempotency_key=f"checkin-test-{next(_keys)}",
        registered_by=by,
        confirmed_at=timezone.now() if status == Registration.Status.CONFIRMED else None,
        **fields,
    )
    if status == Registration.Status.CONFIRMED:
        Activity.objects.filter(pk=activity.pk).update(confirmed=F("confirmed") + registration.quantity)
    return registration


def add_child(registration: Registration, name: str, age: int = 8) -> Participant:
    child = FamilyMember.objects.create(
        person=registration.person,
        relation=FamilyMember.Relation.CHILD,
        name=name,
        sex="M",
        birth_date=timezone.localdate() - dt.timedelta(days=365 * age + 30),
    )
    return Participant.objects.create(
        registration=registration, family_member=child, name=name, age_on_start=age
    )
