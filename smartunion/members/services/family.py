"""Family members (配偶, 子女, 父母) kept by the member themselves, for childcare activities, 六一 benefits
and hardship files.

Children's data is sensitive personal information (PIPL art. 28, 31): a child under 14 is recorded only
with the guardian's consent, which is recorded (when and by whom). Audit entries carry masked values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.core.masking import mask_day, mask_name

from ..models import FamilyMember, Person

Relation = FamilyMember.Relation

CONSENT_AGE = 14  # PIPL art. 31: personal information of a minor under 14 needs the guardian's consent
OLDEST = dt.date(1900, 1, 1)


def _age(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def needs_consent(relation: str, birth_date: dt.date | None) -> bool:
    return (
        relation == Relation.CHILD
        and birth_date is not None
        and _age(birth_date, timezone.localdate()) < CONSENT_AGE
    )


def _check_owner(actor: Any, person: Person) -> None:
    """A member keeps their own family only: nobody else adds, changes or removes it."""
    if actor is None or person.user_id != actor.pk:
        raise PermissionDenied


def _audit_values(relative: FamilyMember) -> dict[str, Any]:
    return {
        "relation": str(relative.get_relation_display()),
        "name": mask_name(relative.name),
        "sex": str(relative.get_sex_display()),
        "birth_date": mask_day(relative.birth_date.isoformat()),
        "school": _("recorded") if relative.school else "",
    }


def _clean(
    *,
    person: Person,
    relation: str,
    name: str,
    sex: str,
    birth_date: dt.date | None,
    school: str,
    exclude: FamilyMember | None = None,
) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = name.strip()
    school = school.strip()
    if relation not in Relation.values:
        errors["relation"] = _("Choose the relation: spouse, child or parent.")
    if not name:
        errors["name"] = _("Give the family member's name.")
    elif len(name) > 50:
        errors["name"] = _("The name may be at most 50 characters.")
    if sex not in Person.Sex.values:
        errors["sex"] = _("Choose the sex.")
    today = timezone.localdate()
    if birth_date is None:
        errors["birth_date"] = _("Give the birth date.")
    elif birth_date > today:
        errors["birth_date"] = _("The birth date cannot be in the future.")
    elif birth_date < OLDEST:
        errors["birth_date"] = _("Check the birth date: it is before 1900.")
    if school and relation != Relation.CHILD:
        errors["school"] = _("Only a child has a school or kindergarten: leave it empty.")
    elif len(school) > 100:
        errors["school"] = _("The school may be at most 100 characters.")
    if relation == Relation.SPOUSE:
        spouses = FamilyMember.objects.filter(person=person, relation=Relation.SPOUSE)
        if exclude is not None:
            spouses = spouses.exclude(pk=exclude.pk)
        if spouses.exists():
            errors["relation"] = _("A spouse is already recorded: edit that entry instead.")
    if errors:
        raise ValidationError(errors)
    return name, school


def _consent_error() -> ValidationError:
    return ValidationError(
        {
            "guardian_consent": _(
                "A child under 14 is recorded only with the guardian's consent: tick the box to give it."
            )
        }
    )


@transaction.atomic
def family_add(
    *,
    actor: Any,
    person: Person,
    relation: str,
    name: str,
    sex: str,
    birth_date: dt.date | None,
    school: str = "",
    guardian_consent: bool = False,
) -> FamilyMember:
    _check_owner(actor, person)
    name, school = _clean(
        person=person, relation=relation, name=name, sex=sex, birth_date=birth_date, school=school
    )
    consent = needs_consent(relation, birth_date)
    if consent and not guardian_consent:
        raise _consent_error()
    assert birth_date is not None
    relative = FamilyMember.objects.create(
        person=person,
        relation=relation,
        name=name,
        sex=sex,
        birth_date=birth_date,
        school=school,
        guardian_consent_at=timezone.now() if consent else None,
        guardian_consent_by=actor if consent else None,
    )
    changes = _audit_values(relative)
    if consent:
        changes["guardian_consent"] = _("given")
    audit(actor=actor, action="members.family.added", target=person, changes=changes, unit=person.unit)
    return relative


@transaction.atomic
def family_update(
    *,
    actor: Any,
    family_member: FamilyMember,
    relation: str,
    name: str,
    sex: str,
    birth_date: dt.date | None,
    school: str = "",
    guardian_consent: bool = False,
) -> FamilyMember:
    relative = (
        FamilyMember.objects.select_for_update(of=("self",)).select_related("person").get(pk=family_member.pk)
    )
    person = relative.person
    _check_owner(actor, person)
    name, school = _clean(
        person=person,
        relation=relation,
        name=name,
        sex=sex,
        birth_date=birth_date,
        school=school,
        exclude=relative,
    )
    before = _audit_values(relative)
    raw_before = [getattr(relative, field) for field in ("relation", "name", "sex", "birth_date", "school")]
    consent = needs_consent(relation, birth_date)
    fields = ["relation", "name", "sex", "birth_date", "school"]
    relative.relation, relative.name, relative.sex = relation, name, sex
    relative.birth_date, relative.school = birth_date, school  # type: ignore[assignment]
    new_consent = False
    if consent and relative.guardian_consent_at is None:
        if not guardian_consent:
            raise _consent_error()
        relative.guardian_consent_at = timezone.now()
        relative.guardian_consent_by = actor
        fields += ["guardian_consent_at", "guardian_consent_by"]
        new_consent = True
    after = _audit_values(relative)
    changed = [
        field
        for field, old in zip(("relation", "name", "sex", "birth_date", "school"), raw_before, strict=True)
        if getattr(relative, field) != old
    ]
    if not changed and not new_consent:
        return relative
    # Recorded masked: a changed name or school shows as changed, not as what it is.
    changes: dict[str, Any] = {
        field: [before[field], after[field] if before[field] != after[field] else _("changed")]
        for field in changed
    }
    if new_consent:
        changes["guardian_consent"] = _("given")
    relative.save(update_fields=[*fields, "updated_at"])
    audit(actor=actor, action="members.family.updated", target=person, changes=changes, unit=person.unit)
    return relative


@transaction.atomic
def family_remove(*, actor: Any, family_member: FamilyMember) -> None:
    relative = (
        FamilyMember.objects.select_for_update(of=("self",)).select_related("person").get(pk=family_member.pk)
    )
    person = relative.person
    _check_owner(actor, person)
    changes = _audit_values(relative)
    relative.delete()
    audit(actor=actor, action="members.family.removed", target=person, changes=changes, unit=person.unit)


def family_viewed(*, actor: Any, person: Person) -> None:
    """Record that ``actor`` saw the person's family (children's names, birth dates, schools) in full."""
    audit(actor=actor, action="members.family.viewed", target=person, unit=person.unit, sensitive=True)
