"""Reads of the assistance part: programmes, the applications lists with their tabs, the member's own
applications, and the yearly totals behind the limits and the spouse rule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from smartunion.members.selectors import people as people_selectors

from ..models import AssistanceApplication, AssistanceProgramme, Document, HardshipFile, ProgrammeRule
from .access import applications_for_user

Status = AssistanceApplication.Status
Tier = AssistanceApplication.Tier
# What counts against the yearly limits and the spouse rule: granted assistance.
GRANTED = (Status.APPROVED, Status.PAID)
OPEN = (Status.SUBMITTED, Status.UNIT_APPROVED, Status.APPROVED)
ZERO = Decimal("0.00")

TABS = ("review", "approve_staff", "approve_chair", "pay", "paid", "rejected", "all")


# -- programmes ----------------------------------------------------------------------------------------


def programmes() -> QuerySet[AssistanceProgramme]:
    return AssistanceProgramme.objects.order_by("sort_order", "id")


def programmes_open() -> QuerySet[AssistanceProgramme]:
    return programmes().filter(is_active=True)


def programme_get(pk: Any) -> AssistanceProgramme:
    programme = AssistanceProgramme.objects.filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def rules_of(programme: AssistanceProgramme) -> QuerySet[ProgrammeRule]:
    return (
        ProgrammeRule.objects.filter(programme=programme)
        .prefetch_related("bands")
        .order_by("-effective_from")
    )


def rule_use_counts(programme: AssistanceProgramme) -> dict[int, int]:
    rows = (
        AssistanceApplication.objects.filter(programme=programme)
        .values("rule_id")
        .annotate(n=Count("id"))
        .values_list("rule_id", "n")
    )
    return dict(rows)


def rule_get(programme: AssistanceProgramme, pk: Any) -> ProgrammeRule:
    rule = ProgrammeRule.objects.filter(programme=programme, pk=pk).first()
    if rule is None:
        raise Http404
    return rule


# -- people ----------------------------------------------------------------------------------------------


def person_by_staff_no(staff_no: str) -> Any:
    """The staff member with this 工号 (the spouse on the staff), whatever their unit, or None."""
    return people_selectors.person_by_staff_no(staff_no)


def active_file_of(person: Any) -> HardshipFile | None:
    return HardshipFile.objects.filter(person=person, status=HardshipFile.Status.ACTIVE).first()


# -- the yearly totals ---------------------------------------------------------------------------------


@dataclass
class Usage:
    count: int
    amount: Decimal
    limit_count: int | None
    limit_amount: Decimal | None

    @property
    def count_left(self) -> int | None:
        return None if self.limit_count is None else max(self.limit_count - self.count, 0)

    @property
    def amount_left(self) -> Decimal | None:
        return None if self.limit_amount is None else max(self.limit_amount - self.amount, ZERO)

    @property
    def exhausted(self) -> bool:
        return (self.limit_count is not None and self.count >= self.limit_count) or (
            self.limit_amount is not None and self.amount >= self.limit_amount
        )


def yearly_usage(
    *, person_id: int, programme_id: int, year: int, rule: ProgrammeRule | None, exclude_pk: Any = None
) -> Usage:
    """Approved and paid applications of the person in the programme and year (count and amount)."""
    rows = AssistanceApplication.objects.filter(
        person_id=person_id, programme_id=programme_id, year=year, status__in=GRANTED
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    totals = rows.aggregate(n=Count("id"), total=Sum("approved_amount"))
    return Usage(
        count=totals["n"] or 0,
        amount=Decimal(str(totals["total"] or 0)).quantize(ZERO),
        limit_count=rule.yearly_limit_count if rule else None,
        limit_amount=rule.yearly_limit_amount if rule else None,
    )


def spouse_ids(*, person_id: int, spouse_id: int | None, programme_id: int, year: int) -> set[int]:
    """The person's spouses for the rule: the one they named, and anyone who named them in an application
    of the programme and year."""
    found = {spouse_id} if spouse_id else set()
    found |= set(
        AssistanceApplication.objects.filter(programme_id=programme_id, year=year, spouse_id=person_id)
        .exclude(person_id=person_id)
        .values_list("person_id", flat=True)
    )
    found.discard(person_id)
    return found


def spouse_grant(
    *, person_id: int, spouse_id: int | None, programme_id: int, year: int, exclude_pk: Any = None
) -> AssistanceApplication | None:
    """An approved or paid application of the programme and year by the person's spouse — linked as
    ``spouse`` on either side — if there is one."""
    spouses = spouse_ids(person_id=person_id, spouse_id=spouse_id, programme_id=programme_id, year=year)
    condition = Q(spouse_id=person_id) & ~Q(person_id=person_id)
    if spouses:
        condition |= Q(person_id__in=spouses)
    rows = AssistanceApplication.objects.filter(
        condition, programme_id=programme_id, year=year, status__in=GRANTED
    ).select_related("person")
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows.order_by("pk").first()


# -- console lists ---------------------------------------------------------------------------------------


def _tab_filter(tab: str) -> Q:
    return {
        "review": Q(status=Status.SUBMITTED),
        "approve_staff": Q(status=Status.UNIT_APPROVED, tier=Tier.STAFF),
        "approve_chair": Q(status=Status.UNIT_APPROVED, tier=Tier.CHAIR),
        "pay": Q(status=Status.APPROVED),
        "paid": Q(status=Status.PAID),
        "rejected": Q(status__in=[Status.REJECTED, Status.WITHDRAWN]),
    }.get(tab, Q())


def applications_list(
    *,
    user: Any,
    tab: str = "all",
    programme: AssistanceProgramme | None = None,
    unit: Any = None,
    year: int | None = None,
) -> QuerySet[AssistanceApplication]:
    rows = applications_for_user(user).filter(_tab_filter(tab))
    if programme is not None:
        rows = rows.filter(programme=programme)
    if unit is not None:
        rows = rows.filter(unit__path__startswith=unit.path)
    if year:
        rows = rows.filter(year=year)
    return rows


def tab_counts(*, user: Any) -> dict[str, int]:
    rows = applications_for_user(user)
    return {
        tab: rows.filter(_tab_filter(tab)).count()
        for tab in ("review", "approve_staff", "approve_chair", "pay")
    }


def years_of_applications() -> list[int]:
    return sorted(set(AssistanceApplication.objects.values_list("year", flat=True)), reverse=True)


# -- the member's own ----------------------------------------------------------------------------------


def applications_of_person(person: Any) -> QuerySet[AssistanceApplication]:
    return (
        AssistanceApplication.objects.filter(person=person)
        .select_related("programme")
        .order_by("-created_at", "-id")
    )


def application_of_member(*, user: Any, pk: Any) -> AssistanceApplication:
    """The member's own application; anyone else's is not found (404)."""
    application = (
        AssistanceApplication.objects.select_related("programme", "person", "unit", "rule")
        .filter(pk=pk, person__user=user)
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    if application is None:
        raise Http404
    return application


def open_applications_of_person(person: Any) -> QuerySet[AssistanceApplication]:
    return applications_of_person(person).filter(status__in=OPEN)


def documents_of(application: AssistanceApplication) -> list[Document]:
    return list(Document.objects.filter(application=application).order_by("id"))
