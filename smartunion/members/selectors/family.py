"""Reads of members' family members: the member's own list, and the panel officers see on a person."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone

from smartunion.core.masking import mask_day, mask_name

from ..models import FamilyMember, Person
from .people import person_of_user


def family_of_person(person: Person) -> list[FamilyMember]:
    return list(FamilyMember.objects.filter(person=person).order_by("relation", "birth_date", "pk"))


def family_get_for_member(*, user: Any, pk: Any) -> FamilyMember:
    """One of the logged-in member's own family members; anyone else's is not found (404)."""
    person = person_of_user(user)
    if person is None:
        raise Http404
    try:
        return FamilyMember.objects.get(pk=pk, person=person)
    except (FamilyMember.DoesNotExist, ValueError):
        raise Http404 from None


def age_on(birth_date: Any, day: Any) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def family_panel_for_officer(*, user: Any, person: Person) -> dict[str, Any] | None:
    """Context of ``members/family_panel.html`` on a person's detail page, or None when ``user`` may not
    see the person's family (no members.view at their unit). Children's data is sensitive: birth dates
    without the day and names masked, unless the user may see sensitive data there."""
    if not user.has_unit_perm("members.view", person.unit):
        return None
    full = user.has_unit_perm("members.sensitive.view", person.unit)
    today = timezone.localdate()
    rows = []
    for relative in family_of_person(person):
        rows.append(
            {
                "relation": relative.get_relation_display(),
                "name": relative.name if full else mask_name(relative.name),
                "sex": relative.get_sex_display(),
                "birth_date": relative.birth_date.isoformat()
                if full
                else mask_day(relative.birth_date.isoformat()),
                "age": age_on(relative.birth_date, today),
                "school": (relative.school if full else ("✓" if relative.school else "")),
                "consent": relative.guardian_consent_at,
            }
        )
    return {"family_rows": rows, "family_full": full}
