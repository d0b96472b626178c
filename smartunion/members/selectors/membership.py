"""Reads of the membership lifecycle: timelines, the to-do lists officers work through (待入会, retirees
whose membership is to be retained, lapse proposals), joining ceremonies and transfer certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from ..models import (
    JoiningCeremony,
    LapseProposal,
    Membership,
    MembershipEvent,
    MembershipTransfer,
    Person,
)


def membership_timeline(membership: Membership) -> QuerySet[MembershipEvent]:
    return membership.events.select_related("actor", "from_unit", "to_unit").order_by("-occurred_on", "-id")


def membership_transfers(membership: Membership) -> QuerySet[MembershipTransfer]:
    return membership.transfers.order_by("-transferred_on", "-id")


def pending_joiners_for_user(*, user: Any, hired_since: dt.date | None = None) -> QuerySet[Person]:
    """待入会: staff on the books, eligible to join, who are not members and have not applied — new hires
    first. The roster sync puts every new hire here."""
    people = user.scope_for("members.view").filter(
        Person.objects.select_related("unit", "category", "membership"), "unit"
    )
    people = people.filter(
        is_active=True,
        category__is_eligible=True,
        membership__status__in=[Membership.Status.NONE, Membership.Status.TRANSFERRED_OUT],
    )
    if hired_since is not None:
        people = people.filter(hire_date__gte=hired_since)
    return people


def retirees_to_retain_for_user(*, user: Any) -> QuerySet[Person]:
    """Members still 在职 whose HR category became a retired one (the roster sync proposes 保留会籍)."""
    people = user.scope_for("members.view").filter(
        Person.objects.select_related("unit", "category", "membership"), "unit"
    )
    return people.filter(category__is_retired=True, membership__status__in=Membership.IN_SERVICE_STATUSES)


def lapse_proposals_for_user(
    *, user: Any, status: str = LapseProposal.Status.OPEN
) -> QuerySet[LapseProposal]:
    proposals = user.scope_for("members.view").filter(
        LapseProposal.objects.select_related("membership__person", "membership__unit", "decided_by"),
        "membership__unit",
    )
    return proposals.filter(status=status) if status else proposals


def lapse_proposal_get_for_user(*, user: Any, pk: Any) -> LapseProposal:
    try:
        return lapse_proposals_for_user(user=user, status="").get(pk=pk)
    except (LapseProposal.DoesNotExist, ValueError):
        raise Http404 from None


def ceremonies_for_user(*, user: Any) -> QuerySet[JoiningCeremony]:
    ceremonies = user.scope_for("members.view").filter(
        JoiningCeremony.objects.select_related("unit", "recorded_by"), "unit"
    )
    return ceremonies.annotate(people_count=Count("people"))


def ceremony_get_for_user(*, user: Any, pk: Any) -> JoiningCeremony:
    try:
        return ceremonies_for_user(user=user).get(pk=pk)
    except (JoiningCeremony.DoesNotExist, ValueError):
        raise Http404 from None


def ceremony_people(ceremony: JoiningCeremony) -> QuerySet[Person]:
    return ceremony.people.select_related("unit", "membership").order_by("staff_no")


def transfer_get_for_user(*, user: Any, pk: Any) -> MembershipTransfer:
    transfers = user.scope_for("members.view").filter(
        MembershipTransfer.objects.select_related(
            "membership__person__unit", "membership__unit", "recorded_by"
        ),
        "membership__unit",
    )
    try:
        return transfers.get(pk=pk)
    except (MembershipTransfer.DoesNotExist, ValueError):
        raise Http404 from None


def people_by_ids_for_user(
    *, user: Any, ids: list[int], perm: str = "members.membership.manage"
) -> list[Person]:
    """The ticked people of a bulk action, those in the user's scope only."""
    people = user.scope_for(perm).filter(Person.objects.select_related("membership", "unit"), "unit")
    return list(people.filter(pk__in=ids).order_by("staff_no"))


def status_counts_for_user(*, user: Any) -> dict[str, int]:
    """How many people of the user's scope have each membership status."""
    people = user.scope_for("members.view").filter(Person.objects.all(), "unit")
    rows = people.order_by().values("membership__status").annotate(n=Count("id"))
    return {row["membership__status"]: row["n"] for row in rows}


# The statuses of a member (正式会员, 临时会员, 保留会籍) with their labels, for other apps' rules that name
# who may receive something (the welfare standards); in service (在职) are the first two.
MEMBER_STATUS_CHOICES: list[tuple[str, Any]] = [
    (str(status.value), status.label) for status in Membership.MEMBER_STATUSES
]
IN_SERVICE_STATUS_CODES: tuple[str, ...] = tuple(
    str(status.value) for status in Membership.IN_SERVICE_STATUSES
)
