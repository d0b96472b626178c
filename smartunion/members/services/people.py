"""Writes to the people registry: HR-owned data (the roster sync calls these too)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit, diff, snapshot
from smartunion.core.crypto import blind_index
from smartunion.core.masking import mask_id_number
from smartunion.core.normalise import pinyin_initials

from ..models import Membership, Person, StaffCategory
from . import membership as membership_services

PERSON_FIELDS = [
    "name",
    "sex",
    "birth_date",
    "mobile",
    "category",
    "post_type",
    "hire_date",
    "unit",
    "post_salary",
    "grade_salary",
]


def _check_unit(actor: Any, unit: Any) -> None:
    if actor is not None and not actor.has_unit_perm("members.edit", unit):
        raise ValidationError(_("“%(unit)s” is outside the units you manage.") % {"unit": unit.name})


def _id_hash(id_number: str) -> str | None:
    return blind_index(id_number) if id_number else None


def _check_id_unique(id_number: str, *, exclude: Person | None = None) -> None:
    if not id_number:
        return
    clash = Person.objects.filter(id_number_hash=_id_hash(id_number))
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.first()
    if other is not None:
        raise ValidationError(
            {"id_number": _("This ID number already belongs to %(person)s.") % {"person": other}}
        )


@transaction.atomic
def person_create(
    *,
    actor: Any,
    staff_no: str,
    name: str,
    sex: str,
    category: StaffCategory,
    unit: Any,
    id_number: str = "",
    birth_date: dt.date | None = None,
    mobile: str = "",
    post_type: str = "",
    hire_date: dt.date | None = None,
    post_salary: Decimal = Decimal("0"),
    grade_salary: Decimal = Decimal("0"),
    user: Any = None,
) -> Person:
    _check_unit(actor, unit)
    if Person.objects.filter(staff_no=staff_no).exists():
        raise ValidationError(
            {"staff_no": _("Staff number %(no)s is already registered.") % {"no": staff_no}}
        )
    _check_id_unique(id_number)
    if user is None:
        # 工号 is both the HR key and the login: an account that already exists is this person's.
        user = account_selectors.user_by_staff_no(staff_no)
        if user is not None and Person.objects.filter(user=user).exists():
            user = None
    person = Person.objects.create(
        staff_no=staff_no,
        name=name,
        sex=sex,
        id_number=id_number,
        id_number_hash=_id_hash(id_number),
        birth_date=birth_date,
        mobile=mobile,
        category=category,
        post_type=post_type,
        hire_date=hire_date,
        unit=unit,
        post_salary=post_salary,
        grade_salary=grade_salary,
        user=user,
        name_initials=pinyin_initials(name),
    )
    # Everyone has a membership record from the start: 非会员 until they join (待入会 for new hires).
    Membership.objects.create(person=person, unit=unit)
    changes = snapshot(person, PERSON_FIELDS)
    changes["staff_no"] = staff_no
    if id_number:
        changes["id_number"] = mask_id_number(id_number)
    audit(actor=actor, action="members.person.created", target=person, changes=changes)
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    """Change HR data of a person; only the given fields change, and only if they differ."""
    unknown = set(fields) - {*PERSON_FIELDS, "id_number"}
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check_unit(actor, person.unit)
    if "unit" in fields:
        _check_unit(actor, fields["unit"])
    # The unit and category come along (the snapshot names them); only the person's row is locked.
    person = (
        Person.objects.select_for_update(of=("self",)).select_related("unit", "category").get(pk=person.pk)
    )
    before = snapshot(person, PERSON_FIELDS)
    old_id = person.id_number
    for name, value in fields.items():
        setattr(person, name, value)
    changes = diff(before, snapshot(person, PERSON_FIELDS))
    update_fields = [name for name in PERSON_FIELDS if name in changes]
    if "id_number" in fields and fields["id_number"] != old_id:
        _check_id_unique(fields["id_number"], exclude=person)
        person.id_number_hash = _id_hash(fields["id_number"])
        changes["id_number"] = [mask_id_number(old_id), mask_id_number(fields["id_number"])]
        update_fields += ["id_number", "id_number_hash"]
    if not update_fields:
        return person
    if "name" in update_fields:
        person.name_initials = pinyin_initials(person.name)
        update_fields.append("name_initials")
    person.save(update_fields=[*update_fields, "updated_at"])
    audit(actor=actor, action="members.person.updated", target=person, changes=changes)
    if "unit" in changes:
        # 会籍接转 within the school: the membership follows the person, with no new application.
        membership_services.membership_move(
            actor=actor, membership=person.membership, unit=person.unit, note=_("moved by HR"), check=False
        )
    return person


@transaction.atomic
def person_mark_left(*, actor: Any, person: Person, left_on: dt.date, note: str = "") -> Person:
    """An officer decides that someone missing from the HR roster has left the school. The membership is
    decided separately (转出, 退会 or 保留会籍): leaving the school does not end it by itself."""
    _check_unit(actor, person.unit)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise ValidationError(_("%(person)s is already recorded as having left.") % {"person": person.name})
    if person.hire_date and left_on < person.hire_date:
        raise ValidationError({"left_on": _("The leaving date cannot be before the hire date.")})
    person.is_active = False
    person.left_on = left_on
    person.save(update_fields=["is_active", "left_on", "updated_at"])
    audit(
        actor=actor,
        action="members.person.left",
        target=person,
        changes={"left_on": left_on, **({"note": note} if note else {})},
    )
    return person


def person_reveal_id_number(*, actor: Any, person: Person) -> str:
    """The full ID number, for someone entitled to it; every reveal is logged as sensitive access."""
    if not actor.has_unit_perm("members.sensitive.view", person.unit):
        raise PermissionDenied
    audit(actor=actor, action="members.person.id_viewed", target=person, sensitive=True)
    return person.id_number


@transaction.atomic
def person_units_merge(*, source: Any, target: Any, actor: Any) -> int:
    """A unit was merged into another: its people now belong to the target (organisations asks)."""
    people = list(Person.objects.select_for_update().filter(unit=source))
    for person in people:
        person.unit = target
        person.save(update_fields=["unit", "updated_at"])
        audit(
            actor=actor,
            action="members.person.unit_merged",
            target=person,
            changes={"unit": [source.name, target.name]},
        )
    return len(people)


def person_link_account(*, user: Any) -> Person | None:
    """A new account (created by the office, or by single sign-on) finds the person HR registered with
    the same 工号, so the member's portal shows their membership at once. Called when an account is
    created; links nothing if the person already has an account."""
    updated = Person.objects.filter(staff_no=user.staff_no, user__isnull=True).update(user=user)
    return Person.objects.filter(user=user).first() if updated else None


def people_lock(person_ids: list[int]) -> None:
    """Lock these people's rows (in id order, so two callers never deadlock) for the rest of the
    transaction: modules that check a per-person running total before adding to it (the yearly welfare
    caps) serialise on the person, so two issuances cannot both pass the same cap."""
    list(
        Person.objects.select_for_update()
        .filter(pk__in=person_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
