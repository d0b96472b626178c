"""Test data for the member portal, clubs and ideas tests: a member with a login, their child, a
registration written directly (the engine's own rules are tested with its services)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db.models import F
from django.test import Client
from django.utils import timezone

from smartunion.activities.models import Activity, Registration
from smartunion.members.models import FamilyMember

_keys = itertools.count(1)


def member(make_user: Any, make_person: Any, unit: Any, **fields: Any) -> Any:
    """A member (staff record) with a login of their own."""
    user = make_user(name=fields.get("name", "会员"))
    return make_person(unit=unit, staff_no=user.staff_no, user=user, **fields)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def child(person: Any, name: str = "小明", *, born: dt.date) -> FamilyMember:
    return FamilyMember.objects.create(
        person=person, relation=FamilyMember.Relation.CHILD, name=name, sex="M", birth_date=born
    )


def register(
    activity: Activity, person: Any, *, by: Any, status: str = Registration.Status.CONFIRMED, **fields: Any
) -> Registration:
    registration = Registration.objects.create(
        activity=activity,
        person=person,
        unit=person.unit,
        status=status,
        idempotency_key=f"portal-test-{next(_keys)}",
        registered_by=by,
        confirmed_at=timezone.now() if status == Registration.Status.CONFIRMED else None,
        **fields,
    )
    if status == Registration.Status.CONFIRMED:
        held = {"confirmed": F("confirmed") + registration.quantity}
        if registration.quota_id is None and hasattr(Activity, "pool_used"):
            held["pool_used"] = F("pool_used") + registration.quantity  # the engine's pool counter
        Activity.objects.filter(pk=activity.pk).update(**held)
    return registration
