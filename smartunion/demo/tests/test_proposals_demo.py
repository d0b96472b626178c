"""The demo's staff congress: seeded through the proposals services for a small university, it must show a
session collecting now with the member login at work in it, last year's session handled to its end, every
status of the loop, and figures the statistics can compute — and the same seed must give the same congress."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from smartunion.accounts.models import RoleAssignment
from smartunion.core import workdays
from smartunion.core.models import AuditEntry, CalendarDay
from smartunion.demo.hardship import member_login_person
from smartunion.demo.management.commands.seed_demo import Command
from smartunion.organisations.models import HandlingOffice, OfficeStaff
from smartunion.proposals.models import (
    CommitteeMember,
    Congress,
    Evaluation,
    FollowUp,
    Proposal,
    ProposalEvent,
    Reply,
    Representative,
    Session,
)
from smartunion.proposals.selectors import portal, sla, stats
from smartunion.proposals.selectors.access import current_session

Status = Proposal.Status


def _fingerprint() -> list[tuple[Any, ...]]:
    """What the seed decides (not when the seeding ran): who proposed what, with whom, and how it ended."""
    rows = []
    for proposal in Proposal.objects.select_related("session", "proposer__person").order_by(
        "session__number", "number", "title", "proposer__person__staff_no"
    ):
        rows.append(
            (
                proposal.session.number,
                proposal.number,
                proposal.title,
                proposal.proposer.person.staff_no,
                proposal.status,
                proposal.implementation,
                tuple(
                    proposal.signers.order_by("representative__person__staff_no").values_list(
                        "representative__person__staff_no", "role", "status"
                    )
                ),
                tuple(proposal.evaluations.order_by("round").values_list("round", "attitude", "result")),
            )
        )
    return rows


def _logins(printed: str) -> dict[str, str]:
    return {role: login for role, login, _ in Command().demo_logins() if login in printed}


def test_seed_demo_holds_a_lived_in_staff_congress(db: Any) -> None:
    with transaction.atomic():
        call_command("seed_demo", members=300, seed=3, stdout=io.StringIO())
        first_run = _fingerprint()
        transaction.set_rollback(True)
    out = io.StringIO()
    call_command("seed_demo", members=300, seed=3, stdout=out)
    assert _fingerprint() == first_run  # the same seed, the same congress
    printed = out.getvalue()
    logins = _logins(printed)

    # The working-day calendar: the State Council's 2026 arrangements, named.
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 16)).name == "春节"
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 28)).is_workday  # 春节调休上班
    assert workdays.add_working_days(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)

    # Handling offices: the departments (not the union office), each with staff, a head and a leader; the
    # 承办部门 login heads 后勤管理处; the 分管校领导 login supervises several offices.
    offices = HandlingOffice.objects.all()
    # (The appeals demo adds 校工会办公室 and 附属幼儿园 for the appeals taxonomy.)
    assert offices.count() == 16 and offices.filter(name="校工会办公室").exists()
    for office in offices:
        assert 1 <= office.staff.count() <= 2 and office.staff.filter(is_head=True).count() == 1, office
        assert office.leader is not None and office.duties, office
    assert OfficeStaff.objects.filter(office__name="后勤管理处", user__staff_no=logins["承办部门"]).exists()
    assert RoleAssignment.objects.filter(
        user__staff_no=logins["承办部门"], role__code="handling_office"
    ).exists()
    assert offices.filter(leader__staff_no=logins["分管校领导"]).count() >= 3
    committee_login = logins["提案工作委员会"]
    assert RoleAssignment.objects.filter(
        user__staff_no=committee_login, role__code="proposal_committee", unit__depth=0
    ).exists()

    # 第五届教职工代表大会: delegations with one leader each, full representatives and a few 列席, the committee.
    congress = Congress.objects.get(number=5)
    reps = Representative.objects.filter(congress=congress)
    assert reps.filter(kind="full").count() > 100 and reps.filter(kind="observer").exists()
    for delegation in congress.delegations.all():
        assert delegation.representatives.filter(is_delegation_leader=True).count() == 1, delegation
    committee = CommitteeMember.objects.filter(congress=congress)
    assert committee.count() == 7 and committee.filter(position="chair").count() == 1
    assert committee.filter(person__staff_no=committee_login).exists()

    # The second session collects now; the member login is a full representative with work waiting.
    session = current_session()
    assert session is not None and session.number == 2 and session.is_collecting()
    member = member_login_person()
    assert member is not None and member.staff_no in printed
    rep = reps.get(person=member)
    assert rep.kind == "full" and rep.is_active
    assert portal.invitations_of(member), "someone asks the member login to co-sign"
    assert portal.awaiting_evaluation(member), "a reply awaits the member login's rating"
    own = Proposal.objects.filter(session=session, proposer=rep).values_list("status", flat=True)
    assert {Status.DRAFT, Status.SEEKING_COSIGN, Status.SUBMITTED, Status.REPLIED} <= set(own)

    # Every status of the loop; numbers unique and well formed (提案 5-2-001, 意见建议 5-2-J001).
    assert set(Proposal.objects.values_list("status", flat=True)) == set(Status.values)
    numbers = list(Proposal.objects.exclude(number="").values_list("session__number", "number"))
    assert len(numbers) == len(set(numbers)) > 60
    assert all(re.fullmatch(rf"5-{n}-J?\d{{3}}", number) for n, number in numbers)
    assert Proposal.objects.filter(record_type="suggestion", number__contains="-J").exists()

    # Deadlines of the live session in all three colours.
    running = list(Proposal.objects.filter(session=session, status__in=sla.RUNNING).select_related("session"))
    assert {sla.GREEN, sla.YELLOW, sla.RED} <= set(sla.colours_for(running).values())

    # Last year's session is handled to its end, with a re-handling round, 回头看 and figures to report.
    first = Session.objects.get(congress=congress, number=1)
    assert not first.is_collecting() and not first.followup_open
    ended = {Status.CLOSED, Status.MERGED, Status.REJECTED, Status.WITHDRAWN}
    assert set(Proposal.objects.filter(session=first).values_list("status", flat=True)) == ended
    assert Evaluation.objects.filter(proposal__session=first, round=2).exists()
    assert FollowUp.objects.filter(proposal__session=first, status="confirmed").count() >= 2
    assert Reply.objects.filter(proposal__session=first, is_overdue=True).exists()
    satisfaction = stats.satisfaction(session_ids=[first.pk])
    for rates in (satisfaction.first, satisfaction.final):
        assert rates.attitude.rate.percent is not None and rates.result.rate.percent is not None
    assert satisfaction.final.result.rate.percent > satisfaction.first.result.rate.percent  # type: ignore[operator]
    on_time = stats.timeliness(session_ids=[first.pk]).on_time_rate.percent
    assert on_time is not None and 80 < on_time < 100
    assert stats.core_share(session_ids=[first.pk]).rate.percent is not None

    # The history is dated as it happened, never in the future.
    now = timezone.now()
    assert not ProposalEvent.objects.filter(created_at__gt=now).exists()
    assert not AuditEntry.objects.filter(created_at__gt=now).exists()
    first_year = timezone.localtime(first.collection_opens).year
    assert ProposalEvent.objects.filter(proposal__session=first, created_at__year=first_year).exists()
