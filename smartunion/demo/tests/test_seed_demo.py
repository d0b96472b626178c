from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from smartunion.accounts.models import RoleAssignment, User
from smartunion.core.normalise import normalise_id_number
from smartunion.demo.generators import Generator
from smartunion.members.models import Person
from smartunion.organisations.models import OfficerTerm, OrgUnit


def test_generator_is_deterministic_and_valid() -> None:
    first = Generator(11).people(300)
    second = Generator(11).people(300)
    assert [p.__dict__ for p in first] == [p.__dict__ for p in second]
    assert [p.__dict__ for p in Generator(12).people(300)] != [p.__dict__ for p in first]
    for person in first:
        identity = normalise_id_number(person.id_number)  # raises on a bad check digit
        assert identity.birth_date == person.birth_date and identity.sex == person.sex
        assert len(person.mobile) == 11 and person.mobile.startswith("1")
        assert 2 <= len(person.name) <= 4
        assert person.hire_date > person.birth_date
    assert len({p.id_number for p in first}) == 300
    assert len({p.staff_no for p in first}) == 300
    assert {p.category for p in first} >= {"在编", "人事代理", "合同制", "退休"}


def test_seed_demo_builds_a_university(db: Any) -> None:
    out = io.StringIO()
    call_command("seed_demo", members=300, seed=3, stdout=out)
    assert OrgUnit.objects.filter(depth=1).count() == 30
    assert OrgUnit.objects.filter(depth=2).count() > 30
    assert OrgUnit.objects.filter(depth__gt=2).count() == 0
    # Every person has an account; the merchant's cashier (SH0001) is the one account without a person.
    assert Person.objects.count() == User.objects.exclude(staff_no="SH0001").count() == 300
    # Every sub-union has a chair, every union group a leader.
    for unit in OrgUnit.objects.filter(depth__gte=1):
        position = "组长" if unit.depth == 2 else "主席"
        assert OfficerTerm.objects.filter(unit=unit, position__name=position).exists(), unit
    printed = out.getvalue()
    for role in (
        "会员",
        "分工会主席",
        "分工会委员",
        "校工会工作人员",
        "校工会主席",
        "承办部门",
        "经审委员",
        "系统管理员",
    ):
        assert role in printed
    assert RoleAssignment.objects.filter(role__code="member").count() == 300
    assert Person.objects.exclude(id_number_hash=None).count() == 300
    # Hardship: files at every step, assistance paid — the demo member's own 临时补助 among them.
    from smartunion.demo.hardship import member_login_person
    from smartunion.hardship.models import AssistanceApplication, DibaoStandard, HardshipFile

    assert DibaoStandard.objects.filter(city__in=["南通市", "徐州市"]).count() == 4
    assert HardshipFile.objects.count() >= 20
    assert set(HardshipFile.objects.values_list("status", flat=True)) >= {
        "draft",
        "applied",
        "visited",
        "notice",
        "active",
        "exited",
        "rejected",
        "withdrawn",
    }
    assert AssistanceApplication.objects.filter(status="paid").count() >= 3
    member = member_login_person()
    assert member is not None and member.staff_no in printed
    assert AssistanceApplication.objects.filter(person=member, status="paid").exists()
    # Activities: open ones registered through the engine (the places never oversold), a year of finished ones.
    from smartunion.activities.models import Activity, Club, Idea, Registration

    open_now = Activity.objects.filter(status="published", registration_closes_at__gt=timezone.now())
    assert open_now.filter(allocation="lottery", registrations__status="pending").exists()
    assert Registration.objects.filter(
        person=member, activity__status="published", status="confirmed"
    ).exists()
    for activity in open_now.exclude(capacity=None):
        assert activity.confirmed <= activity.capacity
        confirmed = activity.registrations.filter(status="confirmed")
        assert sum(confirmed.values_list("quantity", flat=True)) == activity.confirmed
    assert Activity.objects.filter(status="finished", registrations__checked_in_at__isnull=False).exists()
    assert Club.objects.count() == 3 and Idea.objects.filter(votes__gt=0).count() == 5


def test_seed_demo_refuses_a_database_with_data_unless_if_empty(db: Any) -> None:
    call_command("seed_demo", members=300, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("seed_demo", members=300, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", members=300, if_empty=True, stdout=out)
    assert "nothing was added" in out.getvalue()
    assert Person.objects.count() == 300


def test_same_seed_same_people(db: Any) -> None:
    call_command("seed_demo", members=300, seed=5, stdout=io.StringIO())
    names = list(Person.objects.order_by("staff_no").values_list("staff_no", "name", "unit__name"))
    assert names[0][0] == "100001"
    regenerated = Generator(5).people(300)
    assert [(p.staff_no, p.name, p.branch) for p in regenerated] == names


def test_seed_demo_gives_memberships_with_history(db: Any) -> None:
    from smartunion.members.models import FamilyMember, Membership, MembershipEvent

    out = io.StringIO()
    call_command("seed_demo", members=300, seed=3, stdout=out)
    assert Membership.objects.count() == Person.objects.count()
    members = Membership.objects.filter(status__in=Membership.MEMBER_STATUSES)
    assert members.count() > 200
    assert not members.filter(card_no__isnull=True).exists()
    assert MembershipEvent.objects.filter(kind="card_issued").count() >= members.count()
    # Retirees keep a retained membership; this year's new hires are partly still to join.
    assert Membership.objects.filter(status="retained", person__category__is_retired=True).exists()
    assert Membership.objects.filter(status="none", person__hire_date__year=2026).exists()
    member_login = Person.objects.get(staff_no="100001")
    assert member_login.membership.status == "full" and member_login.membership.card_no
    assert "待入会" in out.getvalue()
    # Children under 14 are only recorded with the guardian's consent.
    children = FamilyMember.objects.filter(relation="child")
    assert children.exists()
    for child in children:
        age = (dt.date(2026, 9, 1) - child.birth_date).days // 365
        assert (child.guardian_consent_at is not None) == (age < 14)


def test_seed_demo_fills_the_books_through_the_services(db: Any) -> None:
    from django.utils import timezone

    from smartunion.finance.models import (
        BudgetAdjustment,
        BudgetAllocation,
        FiscalYear,
        FundsAllocationIncome,
        SpendingRequest,
        YearBalance,
    )
    from smartunion.finance.verify import verify_chain

    call_command("seed_demo", members=300, seed=3, stdout=io.StringIO())
    this_year = timezone.localdate().year
    # Last year is closed with its balances frozen; this year's budgets come from the formula.
    assert FiscalYear.objects.get(year=this_year - 1).is_closed
    assert (
        YearBalance.objects.filter(year=this_year - 1).count()
        == OrgUnit.objects.filter(union_type=OrgUnit.UnionType.BRANCH).count() + 1
    )
    assert BudgetAllocation.objects.filter(year=this_year).count() == 3
    assert FundsAllocationIncome.objects.filter(month__year=this_year - 1).count() == 12
    statuses = set(SpendingRequest.objects.values_list("status", flat=True))
    assert {"paid", "approved", "submitted"} <= statuses
    assert BudgetAdjustment.objects.filter(status="pending").count() == 1
    result = verify_chain()
    assert result.ok and result.count > 30


def test_seed_demo_gives_welfare_at_every_step(db: Any) -> None:
    from smartunion.members.models import ServiceRecord
    from smartunion.welfare.models import CareEvent, Entitlement, Programme, Redemption, Voucher

    call_command("seed_demo", members=300, seed=3, stdout=io.StringIO())
    statuses = set(Programme.objects.values_list("status", flat=True))
    assert "choosing" in statuses  # the member login can choose on the phone
    open_programme = Programme.objects.get(status="choosing")
    from smartunion.demo.management.commands.seed_demo import Command

    member_login = Command().demo_logins()[0][1]
    assert Entitlement.objects.filter(programme=open_programme, person__staff_no=member_login).exists()
    assert Voucher.objects.exists() and ServiceRecord.objects.filter(kind="welfare.issued").exists()
    assert set(CareEvent.objects.values_list("status", flat=True)) >= {"reported", "approved", "visited"}
    if "issued" in statuses:
        assert Redemption.objects.filter(settlement__isnull=False).exists()
    assert User.objects.filter(staff_no="SH0001", is_active=True).exists()
