"""Helpers of the registration engine's tests: members with accounts, organisers, counting what was
written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from smartunion.accounts.models import User
from smartunion.activities.models import Activity, Registration, UnitQuota
from smartunion.core.models import AuditEntry
from smartunion.members.models import FamilyMember, Membership, Person, StaffCategory
from smartunion.notifications.models import Notification

_n = {"n": 0}


def member(unit: Any, *, status: str = "full", **fields: Any) -> Person:
    """A staff member with a login account and a membership of ``status`` at ``unit``."""
    _n["n"] += 1
    n = _n["n"]
    staff_no = fields.pop("staff_no", f"R{n:05d}")
    user = User.objects.create_user(staff_no, fields.get("name", f"会员{n}"), "Secret-2026!")
    values: dict[str, Any] = {
        "staff_no": staff_no,
        "name": f"会员{n}",
        "sex": "F",
        "category": StaffCategory.objects.get(name="在编"),
        "unit": unit,
        "user": user,
        "name_initials": "hy",
    }
    values.update(fields)
    person = Person.objects.create(**values)
    Membership.objects.create(person=person, unit=unit, status=status)
    return Person.objects.select_related("unit", "membership", "user").get(pk=person.pk)


def child(person: Person, name: str, birth_date: dt.date) -> FamilyMember:
    return FamilyMember.objects.create(
        person=person, relation=FamilyMember.Relation.CHILD, name=name, sex="M", birth_date=birth_date
    )


def counters(activity: Activity) -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(confirmed, pool_used, {unit name: (used, places)})."""
    fresh = Activity.objects.get(pk=activity.pk)
    quotas = {
        q.unit.name: (q.used, q.places)
        for q in UnitQuota.objects.filter(activity=activity).select_related("unit")
    }
    return fresh.confirmed, fresh.pool_used, quotas


def written() -> tuple[int, int, int]:
    """(registrations, audit entries, notifications) — to show that an answer wrote nothing."""
    return Registration.objects.count(), AuditEntry.objects.count(), Notification.objects.count()


def statuses(activity: Activity) -> dict[str, int]:
    result: dict[str, int] = {}
    for status in Registration.objects.filter(activity=activity).values_list("status", flat=True):
        result[status] = result.get(status, 0) + 1
    return result
