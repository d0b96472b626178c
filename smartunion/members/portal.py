"""What members contributes to the member portal: on 我的 the profile, the membership and its card, dues,
family members and correction requests; on 首页 an invitation to join for staff who have not."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from smartunion.core.navigation import PortalBlock, portal_blocks

from .models import CorrectionRequest, FamilyMember, Membership
from .selectors import person_of_user
from .selectors.applications import application_latest_of_person
from .selectors.dues import dues_for_member
from .services.applications import may_apply


def _profile(request: HttpRequest) -> dict[str, Any] | None:
    return {"person": person_of_user(request.user)}


def _membership(request: HttpRequest) -> dict[str, Any] | None:
    """Status, join date and card number, with what to do next (apply, follow the application, the card)."""
    person = person_of_user(request.user)
    if person is None:
        return None
    membership = Membership.objects.get(person=person)
    application = None
    if membership.status == Membership.Status.APPLYING or not membership.is_member:
        application = application_latest_of_person(person)
    return {
        "membership": membership,
        "application": application,
        "may_apply": not may_apply(person),
    }


def _my_services(request: HttpRequest) -> dict[str, Any] | None:
    person = person_of_user(request.user)
    if person is None:
        return None
    return {
        "family_count": FamilyMember.objects.filter(person=person).count(),
        "open_corrections": CorrectionRequest.objects.filter(
            person=person, status=CorrectionRequest.Status.OPEN
        ).count(),
        "latest_correction": CorrectionRequest.objects.filter(person=person).order_by("-created_at").first(),
    }


def _dues(request: HttpRequest) -> dict[str, Any] | None:
    """This month's dues with their base, and the months recorded (for members and former payers)."""
    person = person_of_user(request.user)
    if person is None:
        return None
    dues = dues_for_member(person)
    if dues["membership"] is None or not (dues["membership"].is_member or dues["charges"]):
        return None
    return dues


def _join_invitation(request: HttpRequest) -> dict[str, Any] | None:
    person = person_of_user(request.user)
    if person is None:
        return None
    if may_apply(person):
        return None
    return {"person": person}


def register_portal_blocks() -> None:
    portal_blocks.register(
        PortalBlock(
            section="me", key="profile", template="members/portal_profile.html", context=_profile, order=10
        ),
        PortalBlock(
            section="me",
            key="membership",
            template="members/portal_membership.html",
            context=_membership,
            order=20,
        ),
        PortalBlock(section="me", key="dues", template="members/portal_dues.html", context=_dues, order=30),
        PortalBlock(
            section="me",
            key="my_services",
            template="members/portal_my_services.html",
            context=_my_services,
            order=40,
        ),
        PortalBlock(
            section="home",
            key="join_invitation",
            template="members/portal_join_invitation.html",
            context=_join_invitation,
            order=5,
        ),
    )
