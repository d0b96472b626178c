"""Test data for the recommendations (适合我) tests: members with children, activities, benefit programmes
open for choice and assistance programmes, built directly (the source apps' engines are tested there)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from smartunion.accounts.models import User
from smartunion.activities.models import Activity, Kind, Registration
from smartunion.members import services as member_services
from smartunion.members.models import FamilyMember, Person, StaffCategory
from smartunion.welfare.models import Entitlement, Programme, WelfareItem

_serial = itertools.count(1)


def member(unit: Any, *, sex: str = "F", birth: dt.date | None = None, name: str = "") -> Person:
    n = next(_serial)
    user = User.objects.create_user(f"R{n:05d}", name or f"会员{n}", "Secret-2026!")
    return member_services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name=user.name,
        sex=sex,
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        birth_date=birth,
        user=user,
    )


def years_ago(years: int, days: int = 30) -> dt.date:
    """A birth date ``years`` full years ago (and ``days`` more, so the age holds for a few weeks)."""
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


def child(person: Person, age: int, name: str = "小明") -> FamilyMember:
    return FamilyMember.objects.create(
        person=person,
        relation=FamilyMember.Relation.CHILD,
        name=name,
        sex="M",
        birth_date=years_ago(age),
    )


def activity(*, unit: Any, actor: Any, closes_in: float = 20, **fields: Any) -> Activity:
    """Published, registration open now and closing in ``closes_in`` days, starting after it, 10 places."""
    n = next(_serial)
    now = timezone.now()
    closes = now + dt.timedelta(days=closes_in)
    values: dict[str, Any] = {
        "title": f"活动{n}",
        "kind": Kind.SPORTS,
        "organiser_unit": unit,
        "starts_at": closes + dt.timedelta(days=3),
        "ends_at": closes + dt.timedelta(days=3, hours=3),
        "registration_opens_at": now - dt.timedelta(days=1),
        "registration_closes_at": closes,
        "status": Activity.Status.PUBLISHED,
        "capacity": 10,
        "created_by": actor,
    }
    values.update(fields)
    return Activity.objects.create(**values)


def register(
    act: Activity, person: Person, *, by: Any, status: str = Registration.Status.CONFIRMED
) -> Registration:
    return Registration.objects.create(
        activity=act,
        person=person,
        unit=person.unit,
        status=status,
        idempotency_key=f"rec-test-{next(_serial)}",
        registered_by=by,
    )


def past_activity(*, unit: Any, actor: Any, kind: str, person: Person) -> Activity:
    """A finished activity of ``kind`` that ``person`` took part in (confirmed)."""
    now = timezone.now()
    act = activity(
        unit=unit,
        actor=actor,
        kind=kind,
        status=Activity.Status.FINISHED,
        registration_opens_at=now - dt.timedelta(days=60),
        registration_closes_at=now - dt.timedelta(days=50),
        starts_at=now - dt.timedelta(days=40),
        ends_at=now - dt.timedelta(days=40) + dt.timedelta(hours=2),
    )
    register(act, person, by=actor)
    return act


def programme(
    *, unit: Any, actor: Any, closes_in: float = 10, title: str = "", value: str = "300.00"
) -> Programme:
    n = next(_serial)
    item = WelfareItem.objects.create(code=f"rec{n}", name=f"端午节{n}", kind=WelfareItem.Kind.FESTIVAL)
    return Programme.objects.create(
        title=title or f"2026年端午节福利{n}",
        item=item,
        unit=unit,
        value_per_member=Decimal(value),
        counted_on=timezone.localdate(),
        choice_deadline=timezone.now() + dt.timedelta(days=closes_in),
        status=Programme.Status.CHOOSING,
        created_by=actor,
    )


def entitle(prog: Programme, person: Person) -> Entitlement:
    return Entitlement.objects.create(programme=prog, person=person, unit=person.unit)
