"""Test data for the hardship tests: files in any status and programmes with bands, built directly (the
procedure itself is tested through the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from smartunion.hardship.models import (
    AmountBand,
    AssistanceApplication,
    AssistanceProgramme,
    Consent,
    DibaoStandard,
    HardshipFile,
    HouseholdMember,
    ProgrammeRule,
)
from smartunion.hardship.services.common import CONSENT_VERSION, file_recompute

CITY = "南通市"
DIBAO = Decimal("950.00")
_counter = {"n": 0}


def dibao(city: str = CITY, year: int | None = None, amount: Decimal = DIBAO) -> DibaoStandard:
    year = year or timezone.localdate().year
    row, _created = DibaoStandard.objects.update_or_create(
        city=city, year=year, defaults={"monthly_amount": amount}
    )
    return row


def consent(person: Any, actor: Any, purpose: str = Consent.Purpose.HARDSHIP_FILE) -> Consent:
    return Consent.objects.create(
        person=person,
        purpose=purpose,
        notice_version=CONSENT_VERSION,
        notice_text="测试告知",
        method=Consent.Method.ONLINE,
        given_by=actor,
    )


def make_file(
    *,
    person: Any,
    actor: Any,
    status: str = HardshipFile.Status.ACTIVE,
    incomes: tuple[str, ...] = ("30000", "0", "0"),
    medical: str = "6000",
    accident: str | None = None,
    cause: str = HardshipFile.Cause.ILLNESS,
    unit: Any = None,
    year: int | None = None,
) -> HardshipFile:
    """A file with a household (the member first) in ``status``; numbered unless a draft."""
    _counter["n"] += 1
    year = year or timezone.localdate().year
    dibao(year=year)
    now = timezone.now()
    today = timezone.localdate()
    file = HardshipFile.objects.create(
        number=None if status == HardshipFile.Status.DRAFT else f"KT{year}-{_counter['n']:04d}",
        person=person,
        unit=unit or person.unit,
        status=status,
        city=CITY,
        year=year,
        cause=cause,
        cause_detail="测试：家人患病住院",
        housing=HardshipFile.Housing.RENTED,
        medical_expense=Decimal(medical),
        accident_costs=Decimal(accident) if accident else None,
        created_by=actor,
        consent=consent(person, actor),
        submitted_at=None if status == HardshipFile.Status.DRAFT else now,
    )
    relations = [
        HouseholdMember.Relation.SELF,
        HouseholdMember.Relation.SPOUSE,
        HouseholdMember.Relation.CHILD,
    ]
    for index, income in enumerate(incomes):
        HouseholdMember.objects.create(
            file=file,
            relation=relations[min(index, 2)],
            name=person.name if index == 0 else f"家属{index}",
            birth_year=1980 if index < 2 else 2015,
            occupation=HouseholdMember.Occupation.EMPLOYED
            if index == 0
            else HouseholdMember.Occupation.OTHER,
            annual_income=Decimal(income),
            health="慢性病" if index == 1 else "",
        )
    file_recompute(file=file, actor=None)
    if status in (HardshipFile.Status.NOTICE,):
        file.notice_starts_on = today - dt.timedelta(days=1)
        file.notice_ends_on = today + dt.timedelta(days=4)
    if status in (HardshipFile.Status.ACTIVE, HardshipFile.Status.EXITED, HardshipFile.Status.REMOVED):
        file.approved_at = now
        file.approved_by = actor
        file.review_due_on = today + dt.timedelta(days=365)
    if status in HardshipFile.CLOSED_STATUSES:
        file.closed_on = today
        file.close_reason = "测试关闭"
        file.retain_until = today.replace(year=today.year + 10)
    file.save()
    return file


def make_programme(
    *,
    code: str | None = None,
    name: str = "临时补助",
    staff_limit: str = "5000",
    limit_count: int | None = 2,
    limit_amount: str | None = "10000",
    one_spouse_only: bool = True,
    bands: tuple[tuple[str, str | None, str], ...] = (
        ("5000", "20000", "2000"),
        ("20000", "50000", "5000"),
        ("50000", None, "10000"),
    ),
    effective_from: dt.date = dt.date(2020, 1, 1),
) -> AssistanceProgramme:
    _counter["n"] += 1
    programme = AssistanceProgramme.objects.create(
        code=code or f"prog{_counter['n']}", name=name, condition_label="本年度自付医疗费用（元）"
    )
    rule = ProgrammeRule.objects.create(
        programme=programme,
        effective_from=effective_from,
        yearly_limit_count=limit_count,
        yearly_limit_amount=Decimal(limit_amount) if limit_amount else None,
        one_spouse_only=one_spouse_only,
        staff_approval_limit=Decimal(staff_limit),
    )
    for lower, upper, amount in bands:
        AmountBand.objects.create(
            rule=rule, lower=Decimal(lower), upper=Decimal(upper) if upper else None, amount=Decimal(amount)
        )
    return programme


def make_application(
    *,
    person: Any,
    actor: Any,
    programme: AssistanceProgramme,
    status: str = AssistanceApplication.Status.SUBMITTED,
    value: str = "30000",
    amount: str = "5000",
    spouse: Any = None,
) -> AssistanceApplication:
    _counter["n"] += 1
    rule = programme.rules.order_by("-effective_from").first()
    assert rule is not None
    now = timezone.now()
    application = AssistanceApplication.objects.create(
        number=f"BT{now.year}-{_counter['n']:04d}",
        programme=programme,
        rule=rule,
        person=person,
        unit=person.unit,
        spouse=spouse,
        year=timezone.localdate().year,
        status=status,
        condition_value=Decimal(value),
        reason="测试：住院治疗，自付费用较高",
        bank_account="6222020200112233445",
        band_amount=Decimal(amount),
        approved_amount=Decimal(amount)
        if status in (AssistanceApplication.Status.APPROVED, AssistanceApplication.Status.PAID)
        else None,
        tier=AssistanceApplication.Tier.STAFF
        if Decimal(amount) <= rule.staff_approval_limit
        else AssistanceApplication.Tier.CHAIR,
        consent=consent(person, actor, Consent.Purpose.ASSISTANCE),
        submitted_by=actor,
    )
    return application
