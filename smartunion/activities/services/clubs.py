"""社团 / 文体协会: members join and leave; the union office (``activities.clubs.manage``) creates clubs and
appoints officers; the club's officers and the office keep the yearly plan "1个品牌活动 + N个支撑活动".

One active membership per member and club is the ``club_member_once`` constraint (leaving keeps the row
with ``left_at``, so the history stays); a second join is refused by the database, not by a lookup.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from ..models import Club, ClubMembership, ClubPlan

Role = ClubMembership.Role


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the club a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the name under 100 characters.")})
    return name


@transaction.atomic
def club_create(*, actor: Any, name: str, unit: Any, description: str = "") -> Club:
    name = _clean_name(name)
    if Club.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A club with this name exists already.")})
    try:
        with transaction.atomic():
            club = Club.objects.create(name=name, unit=unit, description=(description or "").strip())
    except IntegrityError:
        raise ValidationError({"name": _("A club with this name exists already.")}) from None
    audit(actor=actor, action="activities.club.created", target=club, changes={"name": name})
    return club


@transaction.atomic
def club_update(*, actor: Any, club: Club, name: str, description: str, is_active: bool) -> Club:
    name = _clean_name(name)
    if Club.objects.filter(name=name).exclude(pk=club.pk).exists():
        raise ValidationError({"name": _("A club with this name exists already.")})
    changes = {
        key: value
        for key, value in (
            ("name", name),
            ("description", (description or "").strip()),
            ("is_active", bool(is_active)),
        )
        if getattr(club, key) != value
    }
    for key, value in changes.items():
        setattr(club, key, value)
    club.save()
    if changes:
        audit(actor=actor, action="activities.club.changed", target=club, changes=changes)
    return club


@transaction.atomic
def join(*, actor: Any, person: Any, club: Club) -> ClubMembership:
    if person is None:
        raise ValidationError(_("Your account is not linked to a staff record."))
    club = Club.objects.select_for_update().get(pk=club.pk)
    if not club.is_active:
        raise ValidationError(_("This club no longer takes members."))
    try:
        with transaction.atomic():
            membership = ClubMembership.objects.create(club=club, person=person)
    except IntegrityError:
        raise ValidationError(_("You are a member of this club already.")) from None
    audit(actor=actor, action="activities.club.joined", target=club, changes={"person": person.pk})
    return membership


@transaction.atomic
def leave(*, actor: Any, person: Any, club: Club) -> ClubMembership:
    membership = (
        ClubMembership.objects.select_for_update()
        .filter(club=club, person=person, left_at__isnull=True)
        .first()
        if person is not None
        else None
    )
    if membership is None:
        raise ValidationError(_("You are not a member of this club."))
    membership.left_at = timezone.now()
    membership.save(update_fields=["left_at"])
    audit(actor=actor, action="activities.club.left", target=club, changes={"person": person.pk})
    return membership


@transaction.atomic
def officer_set(*, actor: Any, membership: ClubMembership, officer: bool) -> ClubMembership:
    """Appoint a member as an officer of their club, or make an officer an ordinary member again."""
    membership = ClubMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_at is not None:
        raise ValidationError(_("This member has left the club."))
    role = Role.OFFICER if officer else Role.MEMBER
    if membership.role == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        actor=actor,
        action="activities.club.officer_set",
        target=membership.club,
        changes={"person": membership.person_id, "role": role},
    )
    return membership


@transaction.atomic
def plan_save(
    *, actor: Any, club: Club, year: int, brand_title: str, supporting_planned: int, note: str = ""
) -> ClubPlan:
    """Create or change the club's plan for ``year``: one brand activity and N supporting ones."""
    brand_title = (brand_title or "").strip()
    if not brand_title:
        raise ValidationError({"brand_title": _("Name the brand activity of the year.")})
    if len(brand_title) > 200:
        raise ValidationError({"brand_title": _("Keep the title under 200 characters.")})
    this_year = timezone.localdate().year
    if not (this_year - 1 <= int(year) <= this_year + 1):
        raise ValidationError({"year": _("Plan for last year, this year or next year.")})
    if not (0 <= int(supporting_planned) <= 100):
        raise ValidationError({"supporting_planned": _("Plan between 0 and 100 supporting activities.")})
    plan, created = ClubPlan.objects.select_for_update().get_or_create(
        club=club,
        year=year,
        defaults={
            "brand_title": brand_title,
            "supporting_planned": supporting_planned,
            "note": (note or "").strip(),
        },
    )
    if not created:
        plan.brand_title = brand_title
        plan.supporting_planned = supporting_planned
        plan.note = (note or "").strip()
        plan.save()
    audit(
        actor=actor,
        action="activities.club.plan_saved",
        target=club,
        changes={"year": year, "brand_title": brand_title, "supporting_planned": supporting_planned},
    )
    return plan
