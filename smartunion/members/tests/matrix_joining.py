"""Permission-matrix helpers for the joining journey, the card, family members and correction requests
(used by tests/test_permission_matrix.py): world objects per side, and URL kwargs that give the requesting
user their own staff record where a member page acts on "my" data."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from smartunion.members import services
from smartunion.members.models import Person, StaffCategory
from smartunion.members.services import applications, corrections, family

STATEMENT = "我志愿加入中国工会，遵守工会章程，履行会员义务。"
BIRTH = "1990-05-01"


def _apply(person: Person, user: Any) -> Any:
    return applications.application_submit(
        actor=user,
        person=person,
        political_status="masses",
        education="",
        statement=STATEMENT,
        charter_consent=True,
    )


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    """``{side}_application`` (awaiting the 分工会), ``{side}_reviewed_application`` (awaiting the school),
    ``{side}_correction`` and ``{side}_family`` (of ``{side}_person``)."""
    category = StaffCategory.objects.get(name="在编")
    for name in ("application", "reviewed_application"):
        user = make_user(name=f"{side}申请人")
        person = services.person_create(
            actor=None,
            staff_no=user.staff_no,
            name=user.name,
            sex="F",
            category=category,
            unit=unit,
            user=user,
        )
        application = _apply(person, user)
        if name == "reviewed_application":
            application = applications.application_unit_review(
                actor=None, application=application, approve=True
            )
        setattr(world, f"{side}_{name}", application)
    person, user = getattr(world, f"{side}_person"), getattr(world, f"{side}_person_user")
    setattr(
        world,
        f"{side}_correction",
        corrections.correction_request(actor=user, person=person, field="name", requested_value="王方"),
    )
    setattr(
        world,
        f"{side}_family",
        family.family_add(
            actor=user, person=person, relation="parent", name="王老", sex="M", birth_date=dt.date(1950, 1, 1)
        ),
    )


def own_person(world: SimpleNamespace, user: Any) -> Person:
    """The requesting user's staff record, created for them in unit A if they have none."""
    existing = Person.objects.filter(user=user).first()
    if existing is not None:
        return existing
    return services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name=user.name,
        sex="M",
        category=StaffCategory.objects.get(name="在编"),
        unit=world.tree.a,
        user=user,
    )


def as_member(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """Member pages without a pk: "own" — the user has a staff record; "other" — they have none."""
    if side == "own" and user is not None:
        own_person(world, user)
    return {}


def with_open_application(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": the user has an open application to withdraw; "other": a staff record without one."""
    if user is not None:
        person = own_person(world, user)
        if side == "own":
            _apply(person, user)
    return {}


def my_family_member(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": one of the user's own family members; "other": someone else's (the user has a staff record
    either way)."""
    if user is not None:
        person = own_person(world, user)
    if side == "own" and user is not None:
        relative = family.family_add(
            actor=user, person=person, relation="spouse", name="配偶", sex="F", birth_date=dt.date(1990, 5, 1)
        )
        return {"pk": relative.pk}
    return {"pk": world.other_family.pk}
