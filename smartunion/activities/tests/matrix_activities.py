"""Permission-matrix world for the activity pages (used by tests/test_permission_matrix.py): per side an
activity organised by the side's unit (published, first come, 10 places, with a question and a quota for the
unit) with a confirmed registration of the side's member; a club and an idea. Each part may add objects in its
own marked section below."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from smartunion.activities.models import (
    Activity,
    Club,
    ClubMembership,
    Idea,
    Photo,
    Question,
    Registration,
    UnitQuota,
)

from . import factories


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    organiser = make_user("subunion_chair", unit, name=f"{side}活动组织者")
    activity = factories.make_activity(unit=unit, actor=organiser, title=f"{side}羽毛球赛")
    Question.objects.create(
        activity=activity, label="衣服尺码", kind=Question.Kind.CHOICE, choices=["M", "L"]
    )
    quota = UnitQuota.objects.create(activity=activity, unit=unit, places=5)
    person = getattr(world, f"{side}_person")
    registration = Registration.objects.create(
        activity=activity,
        person=person,
        unit=person.unit,
        quota=quota,
        status=Registration.Status.CONFIRMED,
        idempotency_key=f"matrix-{side}",
        registered_by=organiser,
        confirmed_at=timezone.now(),
    )
    Activity.objects.filter(pk=activity.pk).update(confirmed=1)
    UnitQuota.objects.filter(pk=quota.pk).update(used=1)
    setattr(world, f"{side}_activity", activity)
    setattr(world, f"{side}_registration", registration)
    setattr(world, f"{side}_club", Club.objects.create(name=f"{side}羽毛球协会", unit=unit))
    setattr(
        world,
        f"{side}_idea",
        Idea.objects.create(title=f"{side}想办读书会", proposer=person, unit=person.unit),
    )
    # -- engine helper --
    # -- end engine helper --
    # -- console helper --
    from smartunion.activities.models import Invitation

    setattr(
        world,
        f"{side}_invitation",
        Invitation.objects.create(activity=activity, person=getattr(world, f"{side}_person")),
    )
    # -- end console helper --
    # -- portal helper --
    # The side's member is an ordinary member of the side's club (the console's officer toggle).
    setattr(
        world,
        f"{side}_club_membership",
        ClubMembership.objects.create(club=getattr(world, f"{side}_club"), person=person),
    )
    # -- end portal helper --
    # -- checkin helper --
    setattr(
        world,
        f"{side}_photo",
        Photo.objects.create(
            activity=activity,
            filename="合影.png",
            content_type="image/png",
            size=8,
            content=b"\x89PNG\r\n\x1a\n",
            uploaded_by=organiser,
        ),
    )
    # -- end checkin helper --


# -- portal helper: URL kwargs for the member's own objects --


def _own_person(world: SimpleNamespace, user: Any) -> Any:
    from smartunion.members.tests.matrix_joining import own_person

    return own_person(world, user)


def portal_as_member(pk_attr: str) -> Any:
    """ "own": the requesting user has a staff record (in unit A); "other": they have none. Either way
    the page names the side's ``pk_attr`` object."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        if side == "own" and user is not None:
            _own_person(world, user)
        return {"pk": getattr(world, f"{side}_{pk_attr}").pk}

    return kwargs


def portal_own_registration(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": a registration of the requesting user's own; "other": the other side's member's (404)."""
    if user is None or side != "own":
        return {"pk": world.other_registration.pk}
    person = _own_person(world, user)
    registration = Registration.objects.create(
        activity=world.own_activity,
        person=person,
        unit=person.unit,
        status=Registration.Status.WAITLISTED,
        idempotency_key=f"matrix-own-{user.pk}",
        registered_by=user,
    )
    return {"pk": registration.pk}


def portal_club_officer(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": the requesting user is an officer of the side's club; "other": not a member."""
    club = getattr(world, f"{side}_club")
    if side == "own" and user is not None:
        ClubMembership.objects.create(
            club=club, person=_own_person(world, user), role=ClubMembership.Role.OFFICER
        )
    return {"pk": club.pk}


def club_membership(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {
        "pk": getattr(world, f"{side}_club").pk,
        "membership_pk": getattr(world, f"{side}_club_membership").pk,
    }


def plan_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {
        "year": timezone.localdate().year,
        "brand_title": f"{side}品牌活动",
        "supporting_planned": 3,
        "note": "",
    }


# -- end portal helper --
