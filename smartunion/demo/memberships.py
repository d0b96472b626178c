"""Demo memberships with a history: most staff joined within months of being hired, retirees keep a
retained membership, a share of this year's new hires are still 待入会, a few left or lapsed, and every
member has a card and a timeline. Bulk-inserted (the demo may hold 100,000 people); a handful of
transitions go through the services so that the lists officers work through are not empty."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from smartunion.members import services as member_services
from smartunion.members.models import (
    FamilyMember,
    Membership,
    MembershipEvent,
    Person,
)
from smartunion.members.services.membership import card_number

from . import data
from .generators import REFERENCE_DATE

BATCH = 2000
Status = Membership.Status
Kind = MembershipEvent.Kind


def _joined_on(rng: random.Random, person: Person) -> dt.date:
    hired = person.hire_date or dt.date(2000, 9, 1)
    joined = hired + dt.timedelta(days=rng.randint(20, 200))
    return min(joined, REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 60)))


def _status(rng: random.Random, person: Person) -> str:
    if person.category.is_retired:
        return Status.RETAINED if rng.random() < 0.93 else Status.NONE
    if person.hire_date and person.hire_date.year == REFERENCE_DATE.year:
        return Status.NONE if rng.random() < 0.45 else Status.FULL  # new hires still to enrol
    roll = rng.random()
    if roll < 0.010:
        return Status.NONE
    if roll < 0.018:
        return Status.WITHDRAWN
    if roll < 0.022:
        return Status.LAPSED
    return Status.FULL


def seed_memberships(people: list[Person], *, seed: int) -> dict[str, int]:
    """Memberships, cards and timelines for ``people`` (who have none yet). Returns counts by status."""
    rng = random.Random(seed + 1)
    counts: dict[str, int] = {}
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        memberships = []
        for person in chunk:
            status = _status(rng, person)
            if status == Status.FULL and person.category.member_type == "temporary":
                status = Status.TEMPORARY
            joined = _joined_on(rng, person) if status != Status.NONE else None
            since = joined
            if status == Status.RETAINED:
                since = min(
                    REFERENCE_DATE,
                    (person.birth_date or REFERENCE_DATE).replace(day=1) + dt.timedelta(days=60 * 366),
                )
            elif status in (Status.WITHDRAWN, Status.LAPSED) and joined:
                since = joined + dt.timedelta(days=rng.randint(400, 3000))
                since = min(since, REFERENCE_DATE)
            memberships.append(
                Membership(
                    person=person,
                    unit_id=person.unit_id,
                    status=status,
                    joined_on=joined,
                    status_since=since,
                    retained_reason="retired" if status == Status.RETAINED else "",
                    card_no=card_number(joined, person.pk) if joined else None,
                )
            )
            counts[status] = counts.get(status, 0) + 1
        Membership.objects.bulk_create(memberships)
        events = []
        for membership in memberships:
            if membership.joined_on is None:
                continue
            events.append(
                MembershipEvent(
                    membership=membership,
                    kind=Kind.APPROVED,
                    occurred_on=membership.joined_on,
                    from_status=Status.APPLYING,
                    to_status=Status.FULL,
                )
            )
            events.append(
                MembershipEvent(
                    membership=membership,
                    kind=Kind.CARD_ISSUED,
                    occurred_on=membership.joined_on,
                    reference=membership.card_no or "",
                )
            )
            if membership.status in (Status.RETAINED, Status.WITHDRAWN, Status.LAPSED):
                kind = {
                    "retained": Kind.RETAINED,
                    "withdrawn": Kind.WITHDRAWN,
                    "lapsed": Kind.LAPSED,
                }[membership.status]
                events.append(
                    MembershipEvent(
                        membership=membership,
                        kind=kind,
                        occurred_on=membership.status_since or REFERENCE_DATE,
                        from_status=Status.FULL,
                        to_status=membership.status,
                        note="退休" if kind == Kind.RETAINED else "",
                    )
                )
        MembershipEvent.objects.bulk_create(events, batch_size=BATCH)
    return counts


def seed_families(people: list[Person], *, seed: int) -> int:
    """Spouses and children of in-service staff aged 27–50 (children feed childcare and 六一 later).
    Children under 14 are recorded with the guardian's consent, as PIPL asks."""
    rng = random.Random(seed + 2)
    consent_at = timezone.make_aware(dt.datetime.combine(REFERENCE_DATE, dt.time(9, 0)))
    family: list[FamilyMember] = []
    for person in people:
        if person.category.is_retired or person.birth_date is None:
            continue
        age = (REFERENCE_DATE - person.birth_date).days // 365
        if not 27 <= age <= 50 or rng.random() < 0.35:
            continue
        spouse_sex = "F" if person.sex == "M" else "M"
        spouse_given = rng.choice(data.GIVEN_FEMALE if spouse_sex == "F" else data.GIVEN_MALE)
        family.append(
            FamilyMember(
                person=person,
                relation=FamilyMember.Relation.SPOUSE,
                name=rng.choice(data.SURNAMES)
                + spouse_given
                + rng.choice(data.GIVEN_FEMALE if spouse_sex == "F" else data.GIVEN_MALE),
                sex=spouse_sex,
                birth_date=person.birth_date + dt.timedelta(days=rng.randint(-1500, 1500)),
            )
        )
        for _ in range(1 if rng.random() < 0.7 else 2):
            child_age_days = rng.randint(200, max(400, min(age - 26, 20) * 365))
            birth = REFERENCE_DATE - dt.timedelta(days=child_age_days)
            child_age = child_age_days // 365
            sex = rng.choice("MF")
            school = ""
            if 3 <= child_age <= 5:
                school = "江海大学附属幼儿园"
            elif 6 <= child_age <= 11:
                school = rng.choice(["江海大学附属小学", "崇川区实验小学"])
            elif 12 <= child_age <= 17:
                school = rng.choice(["江海中学", "南通第一中学"])
            family.append(
                FamilyMember(
                    person=person,
                    relation=FamilyMember.Relation.CHILD,
                    name=person.name[0]
                    + rng.choice(data.GIVEN_MALE if sex == "M" else data.GIVEN_FEMALE)
                    + rng.choice(data.GIVEN_MALE if sex == "M" else data.GIVEN_FEMALE),
                    sex=sex,
                    birth_date=birth,
                    school=school,
                    guardian_consent_at=consent_at if child_age < 14 else None,
                    guardian_consent_by_id=person.user_id if child_age < 14 else None,
                )
            )
    FamilyMember.objects.bulk_create(family, batch_size=BATCH)
    return len(family)


def seed_lifecycle_examples(*, actor: Any, branch_people: list[Person]) -> None:
    """A few real transitions through the services, in the unit of the demo logins, so that every officer
    list (transfers, ceremonies, lapse proposals, retirees to retain) has something to show."""
    ms = member_services.membership
    fresh = [
        p
        for p in branch_people
        if p.membership.status == Status.NONE and p.hire_date and p.hire_date.year == REFERENCE_DATE.year
    ]
    if len(fresh) >= 4:
        ms.ceremony_enrol(
            actor=actor,
            unit=fresh[0].unit,
            title=f"{REFERENCE_DATE.year}年新进教职工入职入会仪式",
            held_on=REFERENCE_DATE.replace(month=9, day=10),
            approval_ref=f"校工会{REFERENCE_DATE.year}年第6次委员会会议",
            people=fresh[1:3],
        )
    members = [p for p in branch_people if p.membership.status == Status.FULL and not p.category.is_retired]
    if len(members) >= 6:
        ms.membership_transfer_out(
            actor=actor,
            membership=members[-1].membership,
            counterpart="南通市第一人民医院工会",
            on=REFERENCE_DATE.replace(month=8, day=20),
        )
        ms.lapse_propose(
            membership=members[-2].membership, last_dues_month=dt.date(2026, 2, 1), on=REFERENCE_DATE
        )
        # HR now lists this member as retired: the roster sync proposes 保留会籍 (retirees to retain).
        member_services.person_update(actor=None, person=members[-3], category=_retired_category())
    outsiders = [p for p in branch_people if p.membership.status == Status.NONE and not p.category.is_retired]
    if len(outsiders) >= 6:
        ms.membership_transfer_in(
            actor=actor,
            membership=outsiders[-1].membership,
            counterpart="南通中远海运船务工程有限公司工会",
            letter_no=f"通船工介〔{REFERENCE_DATE.year}〕17号",
            original_joined_on=dt.date(2012, 7, 1),
            on=REFERENCE_DATE.replace(month=9, day=3),
        )


def _retired_category() -> Any:
    from smartunion.members.models import StaffCategory

    return StaffCategory.objects.filter(is_retired=True).order_by("sort_order").first()
