"""Reads of the benefit programmes: the officers' lists (scoped by ``welfare.view`` on the organising
unit), a programme's entitlements, and the member's side — what they may choose now, what they received."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from ..models import Entitlement, Issuance, Programme, ProgrammeOption

VIEW = "welfare.view"


def programmes_for_user(*, user: Any, status: str = "", perm: str = VIEW) -> QuerySet[Programme]:
    programmes = user.scope_for(perm).filter(Programme.objects.all(), "unit")
    if status:
        programmes = programmes.filter(status=status)
    return programmes.select_related("item", "unit", "created_by").annotate(
        members=Count("entitlements", distinct=True)
    )


def programme_counts_for_user(*, user: Any) -> dict[str, int]:
    programmes = user.scope_for(VIEW).filter(Programme.objects.all(), "unit")
    return dict(programmes.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"))


def programme_get_for_user(*, user: Any, pk: int, perm: str = VIEW) -> Programme:
    """The programme if its organising unit is in the user's scope for ``perm``; 404 otherwise."""
    programme = (
        user.scope_for(perm)
        .filter(Programme.objects.all(), "unit")
        .select_related(
            "item", "item__group", "unit", "default_option", "budget_line__category", "created_by"
        )
        .filter(pk=pk)
        .first()
    )
    if programme is None:
        raise Http404
    return programme


def programme_options(programme: Programme) -> list[ProgrammeOption]:
    return list(programme.options.prefetch_related("merchants").order_by("sort_order", "pk"))


def option_get(programme: Programme, pk: int) -> ProgrammeOption:
    option = programme.options.filter(pk=pk).first()
    if option is None:
        raise Http404
    return option


def entitlement_counts(programme: Programme) -> dict[str, Any]:
    """The snapshot in figures: by status, and how many chose each option (the rest get the default)."""
    rows = list(
        Entitlement.objects.filter(programme=programme)
        .order_by()
        .values("status", "option_id")
        .annotate(n=Count("pk"))
    )
    by_status: dict[str, int] = {}
    by_option: dict[int | None, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_option[row["option_id"]] = by_option.get(row["option_id"], 0) + row["n"]
    total = sum(by_status.values())
    return {
        "total": total,
        "by_status": by_status,
        "by_option": by_option,
        "chosen": total - by_option.get(None, 0),
        "not_chosen": by_option.get(None, 0),
    }


def entitlements_for_programme(
    programme: Programme, *, status: str = "", option: str = "", search: str = ""
) -> QuerySet[Entitlement]:
    """A programme's entitlements, filtered: ``option`` is an option's pk or "none" (no choice made)."""
    entitlements = Entitlement.objects.filter(programme=programme)
    if status:
        entitlements = entitlements.filter(status=status)
    if option == "none":
        entitlements = entitlements.filter(option__isnull=True)
    elif option.isdigit():
        entitlements = entitlements.filter(option_id=int(option))
    if search:
        term = search.strip()
        entitlements = entitlements.filter(Q(person__name__icontains=term) | Q(person__staff_no=term.upper()))
    return entitlements.select_related("person", "unit", "option", "programme__default_option")


def over_cap_for_programme(programme: Programme) -> QuerySet[Entitlement]:
    return entitlements_for_programme(programme, status=Entitlement.Status.OVER_CAP).order_by(
        "unit__path", "person__staff_no"
    )


def issued_by_unit(programme: Programme) -> list[dict[str, Any]]:
    """What was issued, per member unit, with the finance entry that carries its cost (None: not posted)."""
    rows: Any = (
        Issuance.objects.filter(programme=programme)
        .order_by()
        .values("unit_id", "unit__name", "unit__path", "entry_id_ref")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("unit__path")
    )
    return list(rows)


# -- the member --------------------------------------------------------------------------------------------


def choices_for_member(person: Any) -> list[Entitlement]:
    """The member's programmes open for choice now (before the deadline), soonest deadline first."""
    if person is None:
        return []
    return list(
        Entitlement.objects.filter(
            person=person,
            status=Entitlement.Status.ELIGIBLE,
            programme__status=Programme.Status.CHOOSING,
            programme__choice_deadline__gt=timezone.now(),
        )
        .select_related("programme", "programme__default_option", "option")
        .prefetch_related(
            Prefetch("programme__options", queryset=ProgrammeOption.objects.order_by("sort_order", "pk"))
        )
        .order_by("programme__choice_deadline", "pk")
    )


def entitlement_for_member(*, person: Any, programme_pk: int) -> Entitlement:
    """The member's own entitlement in a programme; 404 for a programme they are not in."""
    if person is None:
        raise Http404
    entitlement = (
        Entitlement.objects.filter(person=person, programme_id=programme_pk)
        .select_related("programme", "programme__default_option", "option", "programme__item")
        .first()
    )
    if entitlement is None or entitlement.programme.status in (
        Programme.Status.DRAFT,
        Programme.Status.CANCELLED,
    ):
        raise Http404
    return entitlement


def history_for_member(person: Any) -> QuerySet[Issuance]:
    """What the member has received, newest first (every kind of benefit, not only programmes)."""
    if person is None:
        return Issuance.objects.none()
    return (
        Issuance.objects.filter(person=person)
        .select_related("item", "programme", "option", "voucher")
        .order_by("-issued_at", "-pk")
    )
