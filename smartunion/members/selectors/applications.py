"""Reads of 入会 applications: the officers' queues (分工会 review, 校工会 approval) and the applicant's own."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from smartunion.core.normalise import clean_text

from ..models import MembershipApplication, MembershipEvent, Person

App = MembershipApplication

REVIEW = "members.application.review"
APPROVE = "members.application.approve"

STAGES = ("review", "approve", "decided")


def _one_step() -> bool:
    return bool(getattr(settings, "MEMBERS_APPLICATION_ONE_STEP", False))


def application_list_for_user(
    *, user: Any, stage: str = "", unit: Any = None, search: str = "", status: str = ""
) -> QuerySet[MembershipApplication]:
    """Applications at units where ``user`` reviews or approves. ``stage``: "review" (awaiting the
    sub-union, where the user reviews), "approve" (awaiting the school union, where the user approves),
    "decided" (approved, rejected or withdrawn), or "" for all."""
    review_scope, approve_scope = user.scope_for(REVIEW), user.scope_for(APPROVE)
    base = App.objects.select_related("person__category", "unit__parent", "person__membership")
    if stage == "review":
        applications = review_scope.filter(base, "unit").filter(status=App.Status.SUBMITTED)
    elif stage == "approve":
        awaiting = [App.Status.UNIT_APPROVED, *([App.Status.SUBMITTED] if _one_step() else [])]
        applications = approve_scope.filter(base, "unit").filter(status__in=awaiting)
    else:
        if review_scope.is_empty and approve_scope.is_empty:
            return base.none()
        visible = Q(pk__in=[])
        for scope in (review_scope, approve_scope):
            if not scope.is_empty:
                visible |= scope.q("unit")
        applications = base.filter(visible)
        if stage == "decided":
            applications = applications.exclude(status__in=App.OPEN_STATUSES)
    if status:
        applications = applications.filter(status=status)
    if unit is not None:
        applications = applications.filter(unit__path__startswith=unit.path)
    if search:
        term = clean_text(search)
        applications = applications.filter(
            Q(person__name__icontains=term) | Q(person__staff_no=term) | Q(person__name_initials=term.lower())
        )
    return applications


def application_get_for_user(*, user: Any, pk: Any) -> MembershipApplication:
    try:
        return (
            application_list_for_user(user=user)
            .select_related("submitted_by", "unit_reviewed_by", "decided_by", "person__user")
            .get(pk=pk)
        )
    except (App.DoesNotExist, ValueError):
        raise Http404 from None


def application_counts_for_user(*, user: Any) -> dict[str, int]:
    """How many await the user at each step (for the queue's tabs)."""
    return {
        stage: application_list_for_user(user=user, stage=stage).count() for stage in ("review", "approve")
    }


def application_latest_of_person(person: Person) -> MembershipApplication | None:
    return (
        App.objects.filter(person=person)
        .select_related("unit__parent")
        .order_by("-created_at", "-pk")
        .first()
    )


def membership_timeline(person: Person, *, limit: int = 50) -> list[MembershipEvent]:
    """The membership's timeline, newest first (the applicant's and the officers' view of it)."""
    return list(
        MembershipEvent.objects.filter(membership__person=person)
        .select_related("actor", "from_unit", "to_unit")
        .order_by("-occurred_on", "-id")[:limit]
    )
