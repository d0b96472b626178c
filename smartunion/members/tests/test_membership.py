"""The membership lifecycle services: every transition, legal and illegal, with its timeline and audit."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.members import services
from smartunion.members.models import (
    LapseProposal,
    Membership,
    MembershipEvent,
    MembershipTransfer,
    StaffCategory,
)

ms = services.membership
Status = Membership.Status
TODAY = timezone.localdate()


@pytest.fixture
def member(make_person: Any, tree: Any) -> Any:
    """A full member of unit A, joined through a transfer in (the shortest legal way in)."""
    person = make_person(unit=tree.a, name="张三")
    ms.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="南通某公司工会",
        letter_no="JS-001",
        original_joined_on=dt.date(2015, 7, 1),
    )
    person.membership.refresh_from_db()
    return person


def status_of(person: Any) -> str:
    return Membership.objects.get(person=person).status


def test_a_new_person_starts_as_not_a_member(make_person: Any) -> None:
    person = make_person()
    assert person.membership.status == Status.NONE
    assert person.membership.unit == person.unit
    assert person.name_initials == "jg" + "".join(c for c in person.name if c.isdigit())


def test_transfer_in_keeps_the_original_join_date_and_issues_a_card(member: Any) -> None:
    membership = member.membership
    assert membership.status == Status.FULL
    assert membership.joined_on == dt.date(2015, 7, 1)
    assert membership.card_no == f"{TODAY:%Y}{member.pk:07d}"
    kinds = list(membership.events.values_list("kind", flat=True))
    assert set(kinds) == {MembershipEvent.Kind.TRANSFERRED_IN, MembershipEvent.Kind.CARD_ISSUED}
    entry = AuditEntry.objects.get(action="members.membership.transferred_in")
    assert (
        entry.changes["status"] == ["Not a member", "Full member"] or entry.changes["status"][1] == "正式会员"
    )
    assert entry.changes["reference"] == "JS-001"


def test_transfer_in_needs_a_letter_and_refuses_a_reused_one(make_person: Any, member: Any) -> None:
    other = make_person()
    with pytest.raises(ValidationError) as error:
        ms.membership_transfer_in(
            actor=None, membership=other.membership, counterpart="", letter_no="", original_joined_on=None
        )
    assert {"counterpart", "letter_no"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        ms.membership_transfer_in(
            actor=None,
            membership=other.membership,
            counterpart="南通某公司工会",
            letter_no="JS-001",
            original_joined_on=None,
        )
    assert "letter_no" in error.value.message_dict
    assert status_of(other) == Status.NONE


def test_labour_dispatch_staff_join_as_temporary_members(make_person: Any) -> None:
    person = make_person(category=StaffCategory.objects.get(name="劳务派遣"))
    ms.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="某公司",
        letter_no="X1",
        original_joined_on=None,
    )
    assert status_of(person) == Status.TEMPORARY


def test_retain_then_resume_after_a_long_absence(member: Any) -> None:
    ms.membership_retain(actor=None, membership=member.membership, reason="long_absence")
    membership = Membership.objects.get(person=member)
    assert (membership.status, membership.retained_reason) == (Status.RETAINED, "long_absence")
    ms.membership_resume(actor=None, membership=membership)
    membership.refresh_from_db()
    assert (membership.status, membership.retained_reason) == (Status.FULL, "")
    assert membership.events.filter(kind=MembershipEvent.Kind.RESUMED).exists()


def test_a_retired_members_membership_stays_retained(member: Any) -> None:
    services.person_update(actor=None, person=member, category=StaffCategory.objects.get(name="退休"))
    ms.membership_retain(actor=None, membership=member.membership, reason="retired")
    with pytest.raises(ValidationError, match=r"retired|退休"):
        ms.membership_resume(actor=None, membership=member.membership)
    assert status_of(member) == Status.RETAINED


def test_retaining_needs_a_known_reason_and_an_in_service_member(member: Any, make_person: Any) -> None:
    with pytest.raises(ValidationError):
        ms.membership_retain(actor=None, membership=member.membership, reason="bored")
    outsider = make_person()
    with pytest.raises(ValidationError, match=r"Not a member|非会员"):
        ms.membership_retain(actor=None, membership=outsider.membership, reason="long_absence")
    assert status_of(outsider) == Status.NONE


def test_withdrawal_and_its_illegal_repeats(member: Any) -> None:
    ms.membership_withdraw(actor=None, membership=member.membership, note="本人申请")
    assert status_of(member) == Status.WITHDRAWN
    for refused in (
        lambda: ms.membership_withdraw(actor=None, membership=member.membership),
        lambda: ms.membership_retain(actor=None, membership=member.membership, reason="retired"),
        lambda: ms.membership_transfer_out(actor=None, membership=member.membership, counterpart="某厂"),
        lambda: ms.membership_expel(actor=None, membership=member.membership, decision="1号"),
    ):
        with pytest.raises(ValidationError):
            refused()
    assert status_of(member) == Status.WITHDRAWN
    assert AuditEntry.objects.filter(action="members.membership.withdrawn").count() == 1


def test_transfer_out_issues_a_numbered_certificate(member: Any) -> None:
    transfer = ms.membership_transfer_out(
        actor=None, membership=member.membership, counterpart="苏州大学工会"
    )
    assert status_of(member) == Status.TRANSFERRED_OUT
    assert transfer.letter_no == f"ZH{TODAY:%Y}{transfer.pk:05d}"
    assert transfer.original_joined_on == dt.date(2015, 7, 1)
    event = member.membership.events.get(kind=MembershipEvent.Kind.TRANSFERRED_OUT)
    assert event.reference == transfer.letter_no
    with pytest.raises(ValidationError):
        ms.membership_transfer_out(actor=None, membership=member.membership, counterpart="另一处")
    assert MembershipTransfer.objects.filter(direction="out").count() == 1


def test_transfer_out_needs_the_destination(member: Any) -> None:
    with pytest.raises(ValidationError) as error:
        ms.membership_transfer_out(actor=None, membership=member.membership, counterpart="  ")
    assert "counterpart" in error.value.message_dict
    assert status_of(member) == Status.FULL


def test_expulsion_needs_a_decision_and_the_chairs_permission(member: Any, make_user: Any, tree: Any) -> None:
    with pytest.raises(ValidationError):
        ms.membership_expel(actor=None, membership=member.membership, decision=" ")
    staff = make_user("union_staff", tree.root)
    with pytest.raises(PermissionDenied):
        ms.membership_expel(actor=staff, membership=member.membership, decision="校工会〔2026〕1号")
    chair = make_user("union_chair", tree.root)
    ms.membership_expel(actor=chair, membership=member.membership, decision="校工会〔2026〕1号")
    assert status_of(member) == Status.EXPELLED
    assert member.membership.events.get(kind="expelled").reference == "校工会〔2026〕1号"


def test_officer_of_another_unit_cannot_change_a_membership(member: Any, make_user: Any, tree: Any) -> None:
    stranger = make_user("subunion_chair", tree.b)
    with pytest.raises(PermissionDenied):
        ms.membership_withdraw(actor=stranger, membership=member.membership)
    committee = make_user("subunion_committee", tree.a)  # may view, may not change
    with pytest.raises(PermissionDenied):
        ms.membership_retain(actor=committee, membership=member.membership, reason="retired")
    assert status_of(member) == Status.FULL


def test_moving_a_person_moves_the_membership_without_a_new_application(member: Any, tree: Any) -> None:
    services.person_update(actor=None, person=member, unit=tree.b)
    membership = Membership.objects.get(person=member)
    assert membership.unit == tree.b and membership.status == Status.FULL
    event = membership.events.get(kind=MembershipEvent.Kind.MOVED)
    assert (event.from_unit, event.to_unit) == (tree.a, tree.b)


def test_moving_by_hand_needs_both_units(member: Any, make_user: Any, tree: Any) -> None:
    chair_a = make_user("subunion_chair", tree.a)
    with pytest.raises(PermissionDenied):
        ms.membership_move(actor=chair_a, membership=member.membership, unit=tree.b)
    ms.membership_move(actor=chair_a, membership=member.membership, unit=tree.a1)
    assert Membership.objects.get(person=member).unit == tree.a1


def test_ceremony_enrols_a_batch_all_or_nothing(make_person: Any, make_user: Any, tree: Any) -> None:
    chair = make_user("subunion_chair", tree.a)
    newcomers = [make_person(unit=tree.a, hire_date=TODAY) for _ in range(3)]
    retiree = make_person(unit=tree.a, category=StaffCategory.objects.get(name="退休"))
    with pytest.raises(ValidationError, match="退休"):
        ms.ceremony_enrol(
            actor=chair,
            unit=tree.a,
            title="入职入会仪式",
            held_on=TODAY,
            approval_ref="校工会会议",
            people=[*newcomers, retiree],
        )
    assert {status_of(p) for p in newcomers} == {Status.NONE}
    ceremony = ms.ceremony_enrol(
        actor=chair,
        unit=tree.a,
        title="2026年入职入会仪式",
        held_on=TODAY,
        approval_ref="校工会会议",
        people=newcomers,
    )
    assert {status_of(p) for p in newcomers} == {Status.FULL}
    assert ceremony.people.count() == 3
    joined = Membership.objects.get(person=newcomers[0])
    assert joined.joined_on == TODAY and joined.card_no
    assert joined.events.get(kind="enrolled").reference == "校工会会议"


def test_ceremony_bad_input(make_person: Any, make_user: Any, tree: Any) -> None:
    chair = make_user("subunion_chair", tree.a)
    with pytest.raises(ValidationError) as error:
        ms.ceremony_enrol(
            actor=chair,
            unit=tree.a,
            title="",
            held_on=TODAY + dt.timedelta(days=3),
            approval_ref="",
            people=[],
        )
    assert {"title", "held_on", "approval_ref", "people"} <= set(error.value.message_dict)
    other = make_person(unit=tree.b)
    with pytest.raises(PermissionDenied):
        ms.ceremony_enrol(
            actor=chair, unit=tree.b, title="x", held_on=TODAY, approval_ref="y", people=[other]
        )


def test_lapse_is_only_proposed_then_decided_by_a_person(member: Any, make_user: Any, tree: Any) -> None:
    proposal = ms.lapse_propose(membership=member.membership, last_dues_month=dt.date(2026, 1, 1), on=TODAY)
    assert proposal is not None and status_of(member) == Status.FULL
    assert ms.lapse_propose(membership=member.membership, last_dues_month=None, on=TODAY) is None  # one open
    chair = make_user("subunion_chair", tree.a)
    with pytest.raises(ValidationError):
        ms.lapse_decide(actor=chair, proposal=proposal, confirm=True, note="")
    ms.lapse_decide(actor=chair, proposal=proposal, confirm=True, note="2026-07 谈话后仍未缴纳")
    assert status_of(member) == Status.LAPSED
    proposal.refresh_from_db()
    assert proposal.status == LapseProposal.Status.CONFIRMED and proposal.decided_by == chair
    with pytest.raises(ValidationError):
        ms.lapse_decide(actor=chair, proposal=proposal, confirm=False, note="again")


def test_dismissed_lapse_changes_nothing_and_retained_members_are_never_proposed(
    member: Any, make_user: Any, tree: Any
) -> None:
    proposal = ms.lapse_propose(membership=member.membership, last_dues_month=None, on=TODAY)
    assert proposal is not None
    ms.lapse_decide(
        actor=make_user("union_staff", tree.root), proposal=proposal, confirm=False, note="病休，已说明"
    )
    assert status_of(member) == Status.FULL
    ms.membership_retain(actor=None, membership=member.membership, reason="long_absence")
    assert ms.lapse_propose(membership=member.membership, last_dues_month=None, on=TODAY) is None


def test_a_member_who_left_may_join_again(member: Any) -> None:
    ms.membership_withdraw(actor=None, membership=member.membership)
    ms.membership_transfer_in(
        actor=None,
        membership=member.membership,
        counterpart="某厂",
        letter_no="JS-002",
        original_joined_on=None,
    )
    membership = Membership.objects.get(person=member)
    assert membership.status == Status.FULL
    assert membership.card_no  # the card number stays the member's


def test_card_token_is_signed_and_never_carries_the_id_number(member: Any) -> None:
    token = ms.card_token(member.membership)
    assert ms.card_token_membership_id(token) == member.membership.pk
    assert ms.card_token_membership_id(token[:-2] + "xx") is None
    assert ms.card_token_membership_id("garbage") is None


def test_mark_left_is_a_decision_with_a_date(make_person: Any, make_user: Any, tree: Any) -> None:
    person = make_person(unit=tree.a, hire_date=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.person_mark_left(actor=None, person=person, left_on=dt.date(2019, 1, 1))
    with pytest.raises(ValidationError):
        services.person_mark_left(actor=make_user("subunion_chair", tree.b), person=person, left_on=TODAY)
    services.person_mark_left(actor=None, person=person, left_on=TODAY)
    person.refresh_from_db()
    assert not person.is_active and person.left_on == TODAY
    with pytest.raises(ValidationError):
        services.person_mark_left(actor=None, person=person, left_on=TODAY)


def test_unit_merge_moves_memberships(member: Any, tree: Any) -> None:
    from smartunion.organisations import services as org_services

    ms.membership_move(actor=None, membership=member.membership, unit=tree.a1)
    org_services.unit_merge(actor=None, source=tree.a1, target=tree.b1)
    membership = Membership.objects.get(person=member)
    assert membership.unit == tree.b1
    assert membership.events.filter(kind="moved", to_unit=tree.b1).exists()


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_change_the_membership_once(make_person: Any, tree: Any) -> None:
    """A withdrawal and a transfer out submitted at the same moment: the row lock lets one through; the
    other sees the new status and is refused — never two timeline entries, never a certificate for a
    member who has withdrawn."""
    person = make_person(unit=tree.a)
    ms.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="某厂",
        letter_no="RACE-1",
        original_joined_on=None,
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(kind: str) -> None:
        try:
            barrier.wait()
            if kind == "out":
                ms.membership_transfer_out(
                    actor=None, membership=person.membership, counterpart="苏州大学工会"
                )
            else:
                ms.membership_withdraw(actor=None, membership=person.membership)
            outcomes.append(kind)
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(kind,)) for kind in ("out", "withdraw")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("refused") == 1
    events = MembershipEvent.objects.filter(
        membership__person=person, kind__in=["transferred_out", "withdrawn"]
    )
    assert events.count() == 1
    final = Membership.objects.get(person=person).status
    assert final in (Status.TRANSFERRED_OUT, Status.WITHDRAWN)
    assert MembershipTransfer.objects.filter(direction="out").count() == (
        1 if final == Status.TRANSFERRED_OUT else 0
    )


def test_retained_for_retirement_only_when_hr_says_retired(member: Any) -> None:
    with pytest.raises(ValidationError, match=r"not retired|不是退休|退休"):
        ms.membership_retain(actor=None, membership=member.membership, reason="retired")
    ms.membership_retain(actor=None, membership=member.membership, reason="long_absence")
    ms.membership_resume(actor=None, membership=member.membership)  # a mis-click can be undone
    assert status_of(member) == Status.FULL


def test_a_change_cannot_be_dated_before_the_current_status_began(member: Any) -> None:
    with pytest.raises(ValidationError) as error:
        ms.membership_withdraw(actor=None, membership=member.membership, on=dt.date(1990, 1, 1))
    assert "on" in error.value.message_dict
    assert status_of(member) == Status.FULL


def test_letters_are_unique_per_issuing_union(make_person: Any) -> None:
    first, second = make_person(), make_person()
    ms.membership_transfer_in(
        actor=None,
        membership=first.membership,
        counterpart="甲公司工会",
        letter_no="001",
        original_joined_on=None,
    )
    ms.membership_transfer_in(
        actor=None,
        membership=second.membership,
        counterpart="乙大学工会",
        letter_no="001",
        original_joined_on=None,
    )
    assert status_of(second) == Status.FULL


def test_a_ceremony_cannot_predate_the_hire(make_person: Any, make_user: Any, tree: Any) -> None:
    newcomer = make_person(unit=tree.a, hire_date=TODAY)
    with pytest.raises(ValidationError) as error:
        ms.ceremony_enrol(
            actor=make_user("subunion_chair", tree.a),
            unit=tree.a,
            title="仪式",
            held_on=TODAY - dt.timedelta(days=400),
            approval_ref="会议",
            people=[newcomer],
        )
    assert "held_on" in error.value.message_dict
    assert status_of(newcomer) == Status.NONE
