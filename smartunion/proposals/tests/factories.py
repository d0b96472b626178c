"""Building proposals test data directly (fast, no services): a term and session, delegations,
representatives with accounts, handling offices with staff, and proposals in any status with what that
status implies (numbers, signers, assignments, a reply). Service tests use the services to move on from
here; these only set the stage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from smartunion.accounts.models import User
from smartunion.members import services as member_services
from smartunion.members.models import Person, StaffCategory
from smartunion.organisations.models import HandlingOffice, OfficeStaff, OrgUnit
from smartunion.proposals.models import (
    Assignment,
    Category,
    Congress,
    Delegation,
    Proposal,
    Reply,
    Representative,
    Session,
    Signer,
)

Status = Proposal.Status
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_session(
    *, congress_number: int = 5, number: int = 2, open_days: int = 30, closed: bool = False, **rules: Any
) -> Session:
    """第五届教代会第二次会议 whose collection window is open now (or closed yesterday)."""
    congress, _ = Congress.objects.get_or_create(
        number=congress_number,
        defaults={"name": f"第{congress_number}届教职工代表大会", "start_date": dt.date(2024, 3, 1)},
    )
    now = timezone.now()
    opens, closes = (
        (now - dt.timedelta(days=open_days + 1), now - dt.timedelta(days=1))
        if closed
        else (now - dt.timedelta(days=1), now + dt.timedelta(days=open_days))
    )
    return Session.objects.create(
        congress=congress,
        number=number,
        name=f"第{congress_number}届教代会第{number}次会议",
        collection_opens=opens,
        collection_closes=closes,
        **rules,
    )


def make_delegation(congress: Congress, name: str = "", unit: OrgUnit | None = None) -> Delegation:
    return Delegation.objects.create(congress=congress, name=name or f"代表团{_next()}", unit=unit)


def make_person_with_user(unit: OrgUnit, *, name: str = "", user: User | None = None) -> Person:
    n = _next()
    if user is None:
        user = User.objects.create_user(f"R{n:05d}", name or f"代表{n}", "Secret-2026!")
    person = getattr(user, "person", None) if user.pk else None
    if person is not None:
        return person
    return member_services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name=name or user.name or f"代表{n}",
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=user,
    )


def make_representative(
    congress: Congress,
    delegation: Delegation,
    *,
    unit: OrgUnit,
    user: User | None = None,
    name: str = "",
    kind: str = Representative.Kind.FULL,
    is_leader: bool = False,
) -> Representative:
    person = make_person_with_user(unit, name=name, user=user)
    rep, _ = Representative.objects.get_or_create(
        congress=congress,
        person=person,
        defaults={"delegation": delegation, "kind": kind, "is_delegation_leader": is_leader},
    )
    return rep


def make_office(
    name: str = "", *, staff: list[User] | None = None, head: User | None = None, leader: User | None = None
) -> HandlingOffice:
    office = HandlingOffice.objects.create(name=name or f"承办处{_next()}", leader=leader)
    for user in staff or []:
        OfficeStaff.objects.create(office=office, user=user)
    if head is not None:
        OfficeStaff.objects.create(office=office, user=head, is_head=True)
    return office


def make_categories() -> dict[str, Category]:
    """内涵建设 → 教学科研; 民生福利 → 后勤保障; 其他 → 其他事项."""
    result = {}
    for name, kpi, child in (
        ("内涵建设", Category.KpiClass.CORE_DEVELOPMENT, "教学科研"),
        ("民生福利", Category.KpiClass.WELFARE, "后勤保障"),
        ("其他", Category.KpiClass.OTHER, "其他事项"),
    ):
        parent, _ = Category.objects.get_or_create(parent=None, name=name, defaults={"kpi_class": kpi})
        result[name], _ = Category.objects.get_or_create(
            parent=parent, name=child, defaults={"kpi_class": kpi}
        )
    return result


REASONS = "学校东区教工宿舍楼附近停车位严重不足，早晚高峰车辆乱停乱放，影响消防通道畅通和行人安全。" * 2
SUGGESTIONS = "建议在东区空地增建立体停车场，并规划临时停车区域，加强巡查管理。"


def make_proposal(
    session: Session,
    proposer: Representative,
    *,
    status: str = Status.DRAFT,
    title: str = "",
    cosigners: list[Representative] | None = None,
    lead: HandlingOffice | None = None,
    assists: list[HandlingOffice] | None = None,
    category: Category | None = None,
    record_type: str = Proposal.RecordType.PROPOSAL,
    visibility: str = Proposal.Visibility.PUBLIC,
    due_in_days: int = 30,
    implementation: str = "A",
    **fields: Any,
) -> Proposal:
    """A proposal in ``status`` with what that status implies: accepted co-signers from SUBMITTED on, a
    number from ACCEPTED on, assignments (``lead``, ``assists``) from ASSIGNED on, a released reply from
    REPLIED on (a reply awaiting sign-off for REPLY_SIGNOFF)."""
    now = timezone.now()
    proposal = Proposal.objects.create(
        session=session,
        proposer=proposer,
        status=status,
        title=title or f"关于改善教职工停车条件的提案{_next()}",
        reasons=REASONS,
        suggestions=SUGGESTIONS,
        category=category,
        record_type=record_type,
        visibility=visibility,
        **fields,
    )
    Signer.objects.create(
        proposal=proposal,
        representative=proposer,
        role=Signer.Role.PROPOSER,
        status=Signer.Status.ACCEPTED,
        responded_at=now,
    )
    submitted = status not in (Status.DRAFT, Status.SEEKING_COSIGN)
    for rep in cosigners or []:
        Signer.objects.create(
            proposal=proposal,
            representative=rep,
            role=Signer.Role.COSIGNER,
            status=Signer.Status.ACCEPTED if submitted else Signer.Status.INVITED,
            responded_at=now if submitted else None,
        )
    updates: dict[str, Any] = {}
    if submitted:
        updates["submitted_at"] = now
    decided = (
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.REPLY_SIGNOFF,
        Status.REPLIED,
        Status.UNSATISFIED,
        Status.CLOSED,
    )
    if status in decided:
        session.refresh_from_db(fields=["last_proposal_no", "last_suggestion_no"])  # services number too
        prefix = session.number_prefix if session.congress_id else ""
        if record_type == Proposal.RecordType.SUGGESTION:
            session.last_suggestion_no += 1
            updates["number"] = f"{prefix}J{session.last_suggestion_no:03d}"
        else:
            session.last_proposal_no += 1
            updates["number"] = f"{prefix}{session.last_proposal_no:03d}"
        session.save(update_fields=["last_proposal_no", "last_suggestion_no"])
        updates["decided_at"] = now
    handled = decided[1:]
    if status in handled:
        assert lead is not None, "a proposal being handled has a lead office"
        Assignment.objects.create(
            proposal=proposal,
            office=lead,
            role=Assignment.Role.LEAD,
            return_until=timezone.localdate() + dt.timedelta(days=7),
        )
        for office in assists or []:
            Assignment.objects.create(proposal=proposal, office=office, role=Assignment.Role.ASSIST)
        updates["assigned_at"] = now
        updates["due_date"] = timezone.localdate() + dt.timedelta(days=due_in_days)
    if status in (Status.REPLY_SIGNOFF, Status.REPLIED, Status.UNSATISFIED, Status.CLOSED):
        assert lead is not None
        released = status != Status.REPLY_SIGNOFF
        Reply.objects.create(
            proposal=proposal,
            round=1,
            office=lead,
            body="经研究，学校已将东区停车场建设列入年度基建计划，预计明年暑期完工。",
            implementation=implementation,
            status=Reply.Status.RELEASED if released else Reply.Status.SIGNOFF,
            released_at=now if released else None,
        )
        if released:
            updates["replied_at"] = now
            updates["implementation"] = implementation
    if status == Status.CLOSED:
        updates["closed_at"] = now
    if updates:
        Proposal.objects.filter(pk=proposal.pk).update(**updates)
        proposal.refresh_from_db()
    return proposal
