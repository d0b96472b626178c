"""交办 and 办理 services: assignment with a working-day deadline (holidays and 调休), the session's
五制 switches, 退办 within its window, 协办 input, the leader's 批示 and 审签, the reply and its release
(overdue, locked late replies, REPLIED or CLOSED) — every refusal with its message."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry, CalendarDay
from smartunion.notifications.models import Notification
from smartunion.proposals.models import Assignment, Instruction, Proposal, ProposalEvent, Reply
from smartunion.proposals.services import handling

from . import factories

pytestmark = pytest.mark.django_db

Status = Proposal.Status
REPLY = "经研究，后勤管理处将于今年暑期在东区增建停车位120个，并加强巡查。"


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def _accepted(s: SimpleNamespace, session: Any = None, **kwargs: Any) -> Proposal:
    return factories.make_proposal(
        session or s.session, s.rep1, status=Status.ACCEPTED, cosigners=[s.rep2, s.rep3], **kwargs
    )


def _assigned(s: SimpleNamespace, session: Any = None, assists: bool = True) -> Proposal:
    proposal = _accepted(s, session)
    return handling.proposal_assign(
        actor=s.committee, proposal=proposal, lead=s.logistics, assists=[s.hr] if assists else []
    )


def _count_working_days(start: dt.date, days: int, holidays: set[dt.date], makeup: set[dt.date]) -> dt.date:
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day in makeup or (day.weekday() < 5 and day not in holidays):
            counted += 1
    return day


# -- 交办 ----------------------------------------------------------------------------------------------


def test_assign_counts_the_deadline_in_working_days(congress: SimpleNamespace) -> None:
    s = congress
    today = timezone.localdate()
    # A holiday week on the next weekdays and a make-up Saturday (调休) after it.
    weekdays = [
        today + dt.timedelta(days=i) for i in range(1, 15) if (today + dt.timedelta(days=i)).weekday() < 5
    ]
    holidays = set(weekdays[:5])
    saturday = next(
        today + dt.timedelta(days=i) for i in range(8, 22) if (today + dt.timedelta(days=i)).weekday() == 5
    )
    for day in holidays:
        CalendarDay.objects.create(date=day, is_workday=False, name="国庆节")
    CalendarDay.objects.create(date=saturday, is_workday=True, name="调休")
    proposal = _accepted(s)
    assigned = handling.proposal_assign(
        actor=s.committee, proposal=proposal, lead=s.logistics, assists=[s.hr]
    )
    assert assigned.status == Status.ASSIGNED
    assert assigned.due_date == _count_working_days(today, 30, holidays, {saturday})
    rows = {a.office_id: a for a in Assignment.objects.filter(proposal=proposal)}
    assert rows[s.logistics.pk].role == Assignment.Role.LEAD
    assert rows[s.hr.pk].role == Assignment.Role.ASSIST
    assert rows[s.logistics.pk].return_until == _count_working_days(today, 5, holidays, {saturday})
    assert rows[s.hr.pk].assigned_by == s.committee
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.ASSIGNED)
    assert "后勤管理处" in event.text and "人事处" in event.text and event.is_public
    entry = AuditEntry.objects.get(action="proposals.proposal.assigned")
    assert entry.changes["lead_office"] == "后勤管理处" and entry.changes["assist_offices"] == ["人事处"]


def test_assign_tells_the_offices_and_the_supervising_leader(congress: SimpleNamespace) -> None:
    s = congress
    _assigned(s)
    told = set(Notification.objects.filter(kind="proposals.assigned").values_list("recipient_id", flat=True))
    assert {s.logistics_staff.pk, s.logistics_head.pk, s.hr_staff.pk, s.leader.pk} <= told


def test_assign_without_time_limits_or_leader_step(congress: SimpleNamespace) -> None:
    s = congress
    session = factories.make_session(number=3, control_time_limit=False, control_leader_signoff=False)
    proposal = _assigned(s, session)
    assert proposal.due_date is None
    assert not Notification.objects.filter(recipient=s.leader, kind="proposals.assigned").exists()


def test_assign_refusals(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _accepted(s)
    retired = factories.make_office("已撤销处")
    retired.is_active = False
    retired.save()
    cases = [
        ({"lead": None}, "Choose the lead office (主办)"),
        (
            {"lead": s.logistics, "assists": [s.logistics]},
            "The lead office cannot also be an assisting office",
        ),
        ({"lead": retired}, "Choose a handling office that is in use."),
        ({"lead": 987654}, "Choose a handling office that is in use."),
        ({"lead": s.logistics, "assists": [retired]}, "Choose assisting offices that are in use."),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError) as refused:
            handling.proposal_assign(actor=s.committee, proposal=proposal, **kwargs)
        assert message in _messages(refused), kwargs
    assert not Assignment.objects.filter(proposal=proposal).exists()
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED


def test_assisting_offices_only_when_the_session_uses_them(congress: SimpleNamespace) -> None:
    s = congress
    session = factories.make_session(number=3, control_co_handling=False)
    proposal = _accepted(s, session)
    with pytest.raises(ValidationError) as refused:
        handling.proposal_assign(actor=s.committee, proposal=proposal, lead=s.logistics, assists=[s.hr])
    assert "does not use assisting offices" in _messages(refused)
    handling.proposal_assign(actor=s.committee, proposal=proposal, lead=s.logistics)
    assert Assignment.objects.filter(proposal=proposal).count() == 1


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.ASSIGNED, Status.CLOSED])
def test_only_an_accepted_proposal_is_assigned(congress: SimpleNamespace, status: str) -> None:
    s = congress
    proposal = factories.make_proposal(s.session, s.rep1, status=status, lead=s.hr)
    with pytest.raises(ValidationError) as refused:
        handling.proposal_assign(actor=s.committee, proposal=proposal, lead=s.logistics)
    assert "This cannot be done while the proposal is" in _messages(refused)


# -- 退办 ----------------------------------------------------------------------------------------------


def test_return_sends_it_back_to_the_committee(congress: SimpleNamespace) -> None:
    # The lead office's 退办 returns the whole round (an assisting office's ends only its own part: see
    # test_handling_review_fixes).
    s = congress
    proposal = _assigned(s)
    returned = handling.assignment_return(
        actor=s.logistics_staff, proposal=proposal, reason="停车场建设不属后勤职责"
    )
    assert returned.status == Status.ACCEPTED and returned.due_date is None
    rows = {a.office_id: a for a in Assignment.objects.filter(proposal=proposal)}
    assert {a.status for a in rows.values()} == {Assignment.Status.RETURNED}
    assert rows[s.logistics.pk].return_reason == "停车场建设不属后勤职责"
    assert rows[s.logistics.pk].returned_by == s.logistics_staff
    assert rows[s.hr.pk].return_reason == ""
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.RETURNED)
    assert not event.is_public and "后勤管理处" in event.text
    told = set(Notification.objects.filter(kind="proposals.returned").values_list("recipient_id", flat=True))
    assert s.committee.pk in told and s.hr_staff.pk in told and s.logistics_staff.pk not in told
    # The committee assigns it again, to the right offices this time.
    again = handling.proposal_assign(actor=s.committee, proposal=returned, lead=s.logistics)
    assert again.status == Status.ASSIGNED
    assert Assignment.objects.filter(proposal=proposal, status="active").count() == 1


def test_return_refusals(congress: SimpleNamespace, make_user: Any, tree: Any) -> None:
    s = congress
    proposal = _assigned(s)
    with pytest.raises(ValidationError) as no_reason:
        handling.assignment_return(actor=s.hr_staff, proposal=proposal, reason="")
    assert no_reason.value.message_dict["reason"][0].startswith("Write why the proposal is not your office's")
    stranger = make_user("handling_office", tree.root, name="别处经办")
    factories.make_office("保卫处", staff=[stranger])
    with pytest.raises(ValidationError) as not_ours:
        handling.assignment_return(actor=stranger, proposal=proposal, reason="不是我们的")
    assert "Your office has no active assignment" in _messages(not_ours)
    Assignment.objects.filter(proposal=proposal).update(
        return_until=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as late:
        handling.assignment_return(actor=s.logistics_staff, proposal=proposal, reason="不是我们的")
    assert "The time to return this assignment (退办) ended on" in _messages(late)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ASSIGNED
    assert not Assignment.objects.filter(proposal=proposal, status="returned").exists()


# -- 协办 input ------------------------------------------------------------------------------------------


def test_assisting_office_gives_its_input_to_the_lead(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _assigned(s)
    with pytest.raises(ValidationError) as lead:
        handling.assist_input(actor=s.logistics_staff, proposal=proposal, text="我们是主办")
    assert "Input (会签) is given by the assisting offices" in _messages(lead)
    with pytest.raises(ValidationError) as empty:
        handling.assist_input(actor=s.hr_staff, proposal=proposal, text=" ")
    assert empty.value.message_dict["text"] == ["Write your office's input for the lead office (会签)."]
    handling.assist_input(actor=s.hr_staff, proposal=proposal, text="人事处无意见")
    assignment = handling.assist_input(actor=s.hr_staff, proposal=proposal, text="建议同步考虑教职工通勤补贴")
    assert assignment.input_text == "建议同步考虑教职工通勤补贴" and assignment.input_by == s.hr_staff
    assert ProposalEvent.objects.filter(proposal=proposal, kind="input", is_public=False).count() == 2
    assert Notification.objects.filter(recipient=s.logistics_staff, kind="proposals.input").exists()


# -- 批示 ----------------------------------------------------------------------------------------------


def test_instruction_by_the_supervising_leader(congress: SimpleNamespace, make_user: Any, tree: Any) -> None:
    s = congress
    proposal = _assigned(s)
    other_leader = make_user("school_leader", tree.root, name="另一位副校长")
    with pytest.raises(ValidationError) as refused:
        handling.instruction_add(actor=other_leader, proposal=proposal, text="请抓紧办理")
    assert "Only the school leader supervising the lead office" in _messages(refused)
    with pytest.raises(ValidationError) as empty:
        handling.instruction_add(actor=s.leader, proposal=proposal, text="")
    assert "text" in empty.value.message_dict
    instruction = handling.instruction_add(
        actor=s.leader, proposal=proposal, text="请后勤处牵头，月底前拿出方案"
    )
    assert instruction.leader == s.leader
    told = set(
        Notification.objects.filter(kind="proposals.instruction").values_list("recipient_id", flat=True)
    )
    assert {s.logistics_staff.pk, s.hr_staff.pk} <= told


def test_no_instruction_when_the_session_has_no_leader_step(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _assigned(s, factories.make_session(number=3, control_leader_signoff=False))
    with pytest.raises(ValidationError) as refused:
        handling.instruction_add(actor=s.leader, proposal=proposal, text="请抓紧")
    assert "does not use the leaders' instructions" in _messages(refused)
    assert not Instruction.objects.exists()


# -- the reply -----------------------------------------------------------------------------------------


def test_only_the_lead_office_replies_with_a_b_or_c(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _assigned(s)
    with pytest.raises(ValidationError) as assist:
        handling.reply_save(actor=s.hr_staff, proposal=proposal, body=REPLY, implementation="A")
    assert "Only the lead office (主办) writes the reply." in _messages(assist)
    with pytest.raises(ValidationError) as missing:
        handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body="", implementation="D")
    assert missing.value.message_dict == {
        "body": ["Write the reply to the proposer."],
        "implementation": ["Choose the implementation status: A, B or C."],
    }
    assert not Reply.objects.exists()
    draft = handling.reply_save(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="B")
    assert draft.status == Reply.Status.DRAFT and draft.round == 1 and draft.office == s.logistics
    again = handling.reply_save(
        actor=s.logistics_head, proposal=proposal, body=REPLY + "补充", implementation="A"
    )
    assert again.pk == draft.pk and again.implementation == "A" and again.written_by == s.logistics_head


def test_reply_goes_to_the_leader_then_is_released(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _assigned(s)
    reply = handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    assert reply.status == Reply.Status.SIGNOFF
    assert Proposal.objects.get(pk=proposal.pk).status == Status.REPLY_SIGNOFF
    assert Notification.objects.filter(recipient=s.leader, kind="proposals.signoff").exists()
    with pytest.raises(ValidationError):  # nothing to change while it waits for the leader
        handling.reply_save(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="B")
    released = handling.reply_signoff(actor=s.leader, proposal=proposal, approve=True)
    assert released.status == Reply.Status.RELEASED and released.signoff_by == s.leader
    assert not released.is_overdue
    proposal.refresh_from_db()
    assert proposal.status == Status.REPLIED and proposal.implementation == "A"
    assert proposal.replied_at is not None
    assert ProposalEvent.objects.get(proposal=proposal, kind="replied").is_public
    told = set(Notification.objects.filter(kind="proposals.replied").values_list("recipient_id", flat=True))
    assert {s.rep1.person.user_id, s.rep2.person.user_id, s.rep3.person.user_id} <= told
    assert AuditEntry.objects.filter(action="proposals.reply.released").exists()


def test_the_leader_sends_the_reply_back_with_a_note(
    congress: SimpleNamespace, make_user: Any, tree: Any
) -> None:
    s = congress
    proposal = _assigned(s)
    handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    other_leader = make_user("school_leader", tree.root, name="另一位副校长")
    with pytest.raises(ValidationError) as not_theirs:
        handling.reply_signoff(actor=other_leader, proposal=proposal, approve=True)
    assert "Only the school leader supervising the lead office" in _messages(not_theirs)
    with pytest.raises(ValidationError) as no_note:
        handling.reply_signoff(actor=s.leader, proposal=proposal, approve=False, note="")
    assert "note" in no_note.value.message_dict
    reply = handling.reply_signoff(actor=s.leader, proposal=proposal, approve=False, note="请写明完工时间")
    assert reply.status == Reply.Status.DRAFT and reply.signoff_note == "请写明完工时间"
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ASSIGNED
    assert Notification.objects.filter(recipient=s.logistics_staff, body="请写明完工时间").exists()
    # The office corrects and sends again: the same reply row goes back to the leader.
    again = handling.reply_submit(
        actor=s.logistics_staff, proposal=proposal, body=REPLY + "九月底完工。", implementation="A"
    )
    assert again.pk == reply.pk and again.status == Reply.Status.SIGNOFF and again.signoff_note == ""


def test_released_at_once_without_a_leader_or_leader_step(congress: SimpleNamespace) -> None:
    s = congress
    s.logistics.leader = None
    s.logistics.save()
    proposal = _assigned(s)
    reply = handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="C")
    assert reply.status == Reply.Status.RELEASED
    assert Proposal.objects.get(pk=proposal.pk).status == Status.REPLIED


def test_without_evaluation_the_release_closes_the_proposal(congress: SimpleNamespace) -> None:
    s = congress
    session = factories.make_session(number=3, control_leader_signoff=False, control_evaluation=False)
    proposal = _assigned(s, session)
    handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="B")
    proposal.refresh_from_db()
    assert proposal.status == Status.CLOSED and proposal.closed_at is not None
    assert ProposalEvent.objects.filter(proposal=proposal, kind="closed").exists()


def test_a_late_reply_is_marked_overdue(congress: SimpleNamespace) -> None:
    s = congress
    s.logistics.leader = None
    s.logistics.save()
    proposal = _assigned(s)
    Proposal.objects.filter(pk=proposal.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    reply = handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    assert reply.status == Reply.Status.RELEASED and reply.is_overdue


def test_a_session_may_lock_late_replies(congress: SimpleNamespace) -> None:
    s = congress
    session = factories.make_session(number=3, lock_late_replies=True)
    proposal = _assigned(s, session)
    Proposal.objects.filter(pk=proposal.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    proposal.refresh_from_db()
    assert handling.is_locked_late(proposal)
    with pytest.raises(ValidationError) as refused:
        handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    assert "this session locks late replies" in _messages(refused)
    assert not Reply.objects.filter(proposal=proposal).exists()
    # A draft may still be saved for when the committee sets a new deadline.
    handling.reply_save(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")


def test_signoff_needs_a_reply_awaiting_it(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _assigned(s)
    with pytest.raises(ValidationError) as refused:
        handling.reply_signoff(actor=s.leader, proposal=proposal, approve=True)
    assert "This cannot be done while the proposal is" in _messages(refused)
