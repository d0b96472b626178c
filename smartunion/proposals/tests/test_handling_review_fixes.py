"""The review's findings on handling, evaluation and statistics (review of the proposals app, findings 4–11
and 14): a new deadline when late replies are locked, a reply whose sign-off nobody can give, co-signers
rating after the proposer, withdrawal after assignment or a merge, an assisting office's 退办, reminders
after a 退办, time limits switched off, 办复率 from the handling rounds and the report's figures against
the statistics."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification
from smartunion.organisations import services_offices
from smartunion.proposals.models import (
    Assignment,
    Evaluation,
    Proposal,
    ProposalEvent,
    Reminder,
    Reply,
    Signer,
)
from smartunion.proposals.selectors import evaluation as eval_selectors
from smartunion.proposals.selectors import portal as portal_selectors
from smartunion.proposals.selectors import stats
from smartunion.proposals.services import drafting, evaluation, handling, report, review, supervision

from . import factories

pytestmark = pytest.mark.django_db

Status = Proposal.Status
S, B, U = "satisfied", "basic", "unsatisfied"
REPLY = "经研究，后勤管理处将于今年暑期在东区增建停车位120个，并加强巡查。"


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def user_of(rep: Any) -> Any:
    return rep.person.user


def told(user: Any, kind: str) -> bool:
    return Notification.objects.filter(recipient=user, kind=kind).exists()


def assigned(
    s: SimpleNamespace, session: Any = None, *, assists: bool = True, proposer: Any = None
) -> Proposal:
    """An accepted proposal assigned through the service (logistics leads, hr assists)."""
    proposal = factories.make_proposal(
        session or s.session, proposer or s.rep1, status=Status.ACCEPTED, cosigners=[s.rep2, s.rep3]
    )
    return handling.proposal_assign(
        actor=s.committee, proposal=proposal, lead=s.logistics, assists=[s.hr] if assists else []
    )


def rate(proposal: Proposal, rep: Any, attitude: str = S, result: str = S, comment: str = "") -> Evaluation:
    return evaluation.evaluation_submit(
        actor=user_of(rep), proposal=proposal, attitude=attitude, result=result, comment=comment
    )


def replied(s: SimpleNamespace, **kw: Any) -> Proposal:
    return factories.make_proposal(
        s.session, s.rep1, status=Status.REPLIED, cosigners=[s.rep2, s.rep3], lead=s.logistics, **kw
    )


def round_two_returned(s: SimpleNamespace) -> Proposal:
    """Replied in round 1, rated 不满意, re-handled in round 2, and the round-2 lead office returns it."""
    proposal = replied(s)
    rate(proposal, s.rep1, U, U, comment="没有解决")
    evaluation.unsatisfied_decide(
        actor=s.committee, proposal=proposal, decision=evaluation.REHANDLE, lead_office=s.logistics
    )
    proposal.refresh_from_db()
    handling.assignment_return(actor=s.logistics_staff, proposal=proposal, reason="第二轮不属本处")
    proposal.refresh_from_db()
    assert proposal.status == Status.ACCEPTED and proposal.round == 2
    return proposal


# -- 4: a new deadline -----------------------------------------------------------------------------------


def test_a_new_deadline_unlocks_a_late_reply(congress: SimpleNamespace) -> None:
    s = congress
    session = factories.make_session(number=3, lock_late_replies=True)
    proposal = assigned(s, session)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Proposal.objects.filter(pk=proposal.pk).update(due_date=yesterday)
    for kind in (Reminder.Kind.OVERDUE, Reminder.Kind.ESCALATED, Reminder.Kind.RETURN_WINDOW):
        Reminder.objects.create(proposal=proposal, round=1, kind=kind)
    with pytest.raises(ValidationError, match="this session locks late replies"):
        handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")

    due = timezone.localdate() + dt.timedelta(days=10)
    extended = supervision.deadline_extend(
        actor=s.committee, proposal=proposal, due_date=due, reason="需协调基建计划，延长办理期限"
    )
    assert extended.due_date == due and extended.status == Status.ASSIGNED
    assert Proposal.objects.get(pk=proposal.pk).due_date == due
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.SUPERVISION)
    assert not event.is_public and due.isoformat() in event.text and yesterday.isoformat() in event.text
    entry = AuditEntry.objects.get(action="proposals.proposal.deadline_extended")
    assert entry.changes["reason"] == "需协调基建计划，延长办理期限"
    assert told(s.logistics_staff, "proposals.deadline") and told(s.hr_staff, "proposals.deadline")
    # The deadline's reminders come again for the new date; the 退办 window's stays sent.
    assert set(Reminder.objects.filter(proposal=proposal).values_list("kind", flat=True)) == {"return_window"}
    # The office can answer now.
    reply = handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    assert reply.status == Reply.Status.SIGNOFF and not reply.is_overdue


def test_a_new_deadline_while_the_reply_awaits_sign_off(congress: SimpleNamespace) -> None:
    s = congress
    proposal = assigned(s)
    handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="B")
    due = timezone.localdate() + dt.timedelta(days=3)
    assert (
        supervision.deadline_extend(
            actor=s.committee, proposal=proposal, due_date=due, reason="等待审签"
        ).due_date
        == due
    )


def test_new_deadline_refusals(congress: SimpleNamespace) -> None:
    s = congress
    proposal = assigned(s)
    before = Proposal.objects.get(pk=proposal.pk).due_date
    today = timezone.localdate()

    def extend(target: Proposal = proposal, **kw: Any) -> Proposal:
        values = {"due_date": today + dt.timedelta(days=5), "reason": "延期"} | kw
        return supervision.deadline_extend(actor=s.committee, proposal=target, **values)

    with pytest.raises(ValidationError) as error:
        extend(due_date=today)
    assert error.value.message_dict["due_date"] == ["The new deadline must be after today."]
    with pytest.raises(ValidationError) as error:
        extend(due_date=today - dt.timedelta(days=3))
    assert "must be after today" in error.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError) as error:
        extend(due_date=None)
    assert "Choose the new deadline" in error.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError) as error:
        extend(reason="  ")
    assert "Write why the deadline changes" in error.value.message_dict["reason"][0]
    for status in (Status.ACCEPTED, Status.REPLIED, Status.CLOSED):
        other = factories.make_proposal(s.session, s.rep2, status=status, lead=s.logistics)
        with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
            extend(other)
    untimed = assigned(s, factories.make_session(number=3, control_time_limit=False))
    with pytest.raises(ValidationError, match="does not use time limits"):
        extend(untimed)
    assert Proposal.objects.get(pk=proposal.pk).due_date == before
    assert not AuditEntry.objects.filter(action="proposals.proposal.deadline_extended").exists()


def test_deadline_pages(congress: SimpleNamespace) -> None:
    s = congress
    session = factories.make_session(number=3, lock_late_replies=True)
    proposal = assigned(s, session)
    Proposal.objects.filter(pk=proposal.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    client = client_for(s.committee)
    detail = reverse("proposals:console_detail", args=[proposal.pk])
    html = client.get(detail).content.decode()
    url = reverse("proposals:console_deadline", args=[proposal.pk])
    assert 'id="deadline" open' in html and url in html
    board = client.get(reverse("proposals:supervision_board")).content.decode()
    assert url in board
    # A bad date: the message says what to do, nothing changes.
    response = client.post(url, {"due_date": "明天", "reason": "延期"}, follow=True)
    assert "Choose the new deadline" in response.content.decode()
    due = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(url, {"due_date": due.isoformat(), "reason": "延期", "next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    assert Proposal.objects.get(pk=proposal.pk).due_date == due
    # Offices and leaders may not.
    assert (
        client_for(s.logistics_staff).post(url, {"due_date": "2099-01-01", "reason": "x"}).status_code == 403
    )
    assert Proposal.objects.get(pk=proposal.pk).due_date == due
    # Not offered where it cannot be used.
    closed = factories.make_proposal(s.session, s.rep2, status=Status.CLOSED, lead=s.logistics)
    html = client.get(reverse("proposals:console_detail", args=[closed.pk])).content.decode()
    assert reverse("proposals:console_deadline", args=[closed.pk]) not in html


# -- 5: a reply whose sign-off nobody can give -------------------------------------------------------------


def _awaiting_signoff(s: SimpleNamespace) -> Proposal:
    proposal = assigned(s)
    handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="B")
    proposal.refresh_from_db()
    assert proposal.status == Status.REPLY_SIGNOFF
    return proposal


def test_the_committee_releases_a_reply_when_the_office_lost_its_leader(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _awaiting_signoff(s)
    # The office update stays free: the leader may be removed while a reply waits.
    services_offices.office_update(actor=s.committee, office=s.logistics, name=s.logistics.name, leader=None)
    with pytest.raises(ValidationError, match="Only the school leader supervising the lead office"):
        handling.reply_signoff(actor=s.leader, proposal=proposal, approve=True)
    assert not handling.signoff_possible(proposal)

    reply = handling.reply_release_without_signoff(actor=s.committee, proposal=proposal, note="分管领导调整")
    proposal.refresh_from_db()
    assert reply.status == Reply.Status.RELEASED and reply.signoff_by is None
    assert proposal.status == Status.REPLIED and proposal.implementation == "B"
    entry = AuditEntry.objects.get(action="proposals.reply.released_without_signoff")
    assert "has no supervising school leader" in entry.changes["why"]
    assert ProposalEvent.objects.filter(proposal=proposal, kind="supervision", is_public=False).exists()
    assert told(s.logistics_staff, "proposals.signoff") and told(user_of(s.rep1), "proposals.replied")


def test_the_committee_releases_a_reply_when_sign_off_was_switched_off(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _awaiting_signoff(s)
    s.session.control_leader_signoff = False
    s.session.save()
    handling.reply_release_without_signoff(actor=s.committee, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.REPLIED
    assert (
        "no longer uses the leaders' sign-off"
        in (AuditEntry.objects.get(action="proposals.reply.released_without_signoff").changes["why"])
    )


def test_no_release_while_the_leader_can_sign_off(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _awaiting_signoff(s)
    with pytest.raises(ValidationError) as refused:
        handling.reply_release_without_signoff(actor=s.committee, proposal=proposal)
    assert "分管副校长, the school leader supervising 后勤管理处, can still sign off" in _messages(refused)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.REPLY_SIGNOFF
    with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
        handling.reply_release_without_signoff(actor=s.committee, proposal=assigned(s))


def test_release_button_on_the_console(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _awaiting_signoff(s)
    client = client_for(s.committee)
    detail = reverse("proposals:console_detail", args=[proposal.pk])
    url = reverse("proposals:console_release_reply", args=[proposal.pk])
    assert url not in client.get(detail).content.decode()  # the leader can still sign it off
    refused = client.post(url, follow=True).content.decode()
    assert "can still sign off this reply" in refused
    s.logistics.leader = None
    s.logistics.save()
    assert url in client.get(detail).content.decode()
    assert client_for(s.logistics_staff).post(url).status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).status == Status.REPLY_SIGNOFF
    response = client.post(url, {"next": detail})
    assert response.status_code == 302 and response["Location"] == detail
    assert Proposal.objects.get(pk=proposal.pk).status == Status.REPLIED


# -- 6: co-signers rate after the proposer ----------------------------------------------------------------


@pytest.fixture
def cosigners_rate(congress: SimpleNamespace) -> SimpleNamespace:
    congress.session.cosigners_evaluate = True
    congress.session.save()
    return congress


@pytest.mark.parametrize("proposer_rating,status", [((S, B), Status.CLOSED), ((U, U), Status.UNSATISFIED)])
def test_co_signers_rate_after_the_proposer(
    cosigners_rate: SimpleNamespace, proposer_rating: tuple[str, str], status: str
) -> None:
    s = cosigners_rate
    proposal = replied(s)
    rate(proposal, s.rep1, *proposer_rating, comment="意见")
    proposal.refresh_from_db()
    assert proposal.status == status
    # The co-signers' rating invitation is still there, and their rating changes nothing.
    person = s.rep2.person
    assert [p.pk for p in portal_selectors.awaiting_evaluation(person)] == [proposal.pk]
    assert portal_selectors.may_evaluate(person, proposal)
    assert eval_selectors.evaluation_due(user=user_of(s.rep2), proposal=proposal)
    assert not eval_selectors.evaluation_due(user=user_of(s.rep1), proposal=proposal)
    assert not portal_selectors.awaiting_evaluation(s.rep1.person)
    co = rate(proposal, s.rep2, U, U, comment="不满意")
    assert not co.is_proposer and co.round == 1
    proposal.refresh_from_db()
    assert proposal.status == status
    assert not portal_selectors.awaiting_evaluation(person)
    rate(proposal, s.rep3, S, S)
    proposal.refresh_from_db()
    assert proposal.status == status
    # The proposer's rating decides once.
    with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
        rate(proposal, s.rep1, S, S)


def test_co_signer_rates_on_the_portal_page_after_the_proposal_closed(
    cosigners_rate: SimpleNamespace,
) -> None:
    s = cosigners_rate
    proposal = replied(s)
    rate(proposal, s.rep1, S, S)
    client = client_for(user_of(s.rep2))
    url = reverse("proposals:portal_evaluate", args=[proposal.pk])
    assert 'id="evaluate-form"' in client.get(url).content.decode()
    response = client.post(url, {"attitude": B, "result": B, "comment": ""})
    assert response.status_code == 302
    assert Evaluation.objects.filter(proposal=proposal, representative=s.rep2, is_proposer=False).exists()
    assert Proposal.objects.get(pk=proposal.pk).status == Status.CLOSED


def test_no_co_signer_rating_once_a_new_round_started(cosigners_rate: SimpleNamespace) -> None:
    s = cosigners_rate
    proposal = replied(s)
    rate(proposal, s.rep1, U, U, comment="没有解决")
    evaluation.unsatisfied_decide(actor=s.committee, proposal=proposal, decision=evaluation.REHANDLE)
    proposal.refresh_from_db()
    assert proposal.round == 2 and proposal.status == Status.ASSIGNED
    assert not portal_selectors.awaiting_evaluation(s.rep2.person)
    with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
        rate(proposal, s.rep2)


def test_co_signers_still_do_not_rate_when_the_session_says_so(congress: SimpleNamespace) -> None:
    s = congress
    proposal = replied(s)
    rate(proposal, s.rep1, S, S)
    assert not portal_selectors.awaiting_evaluation(s.rep2.person)
    with pytest.raises(ValidationError, match="Only the proposer rates the reply in this session"):
        rate(Proposal.objects.get(pk=proposal.pk), s.rep2)


# -- 7: withdrawal ----------------------------------------------------------------------------------------


def test_no_withdrawal_after_a_round_two_return(congress: SimpleNamespace) -> None:
    s = congress
    proposal = round_two_returned(s)
    with pytest.raises(ValidationError) as refused:
        drafting.proposal_withdraw(actor=user_of(s.rep1), proposal=proposal, reason="不想要了")
    assert "already been assigned to the handling offices (交办)" in _messages(refused)
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ACCEPTED


def test_no_withdrawal_after_a_first_round_return(congress: SimpleNamespace) -> None:
    s = congress
    proposal = assigned(s)
    handling.assignment_return(actor=s.logistics_staff, proposal=proposal, reason="不属本处")
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        drafting.proposal_withdraw(actor=user_of(s.rep1), proposal=proposal, reason="不想要了")


def test_no_withdrawal_of_a_proposal_others_were_merged_into(congress: SimpleNamespace) -> None:
    s = congress
    kept = factories.make_proposal(s.session, s.rep1, status=Status.ACCEPTED, cosigners=[s.rep2, s.rep3])
    other = factories.make_proposal(s.session, s.rep4, status=Status.SUBMITTED, cosigners=[s.rep2, s.rep3])
    review.proposal_merge(actor=s.committee, proposal=other, target=kept, reason="同一事项")
    with pytest.raises(ValidationError) as refused:
        drafting.proposal_withdraw(actor=user_of(s.rep1), proposal=kept, reason="不想要了")
    assert "Other proposals were merged into this one (并案)" in _messages(refused)
    assert Proposal.objects.get(pk=kept.pk).status == Status.ACCEPTED


def test_an_accepted_proposal_never_assigned_is_still_withdrawn(congress: SimpleNamespace) -> None:
    s = congress
    proposal = factories.make_proposal(s.session, s.rep1, status=Status.ACCEPTED, cosigners=[s.rep2, s.rep3])
    withdrawn = drafting.proposal_withdraw(actor=user_of(s.rep1), proposal=proposal, reason="已解决")
    assert withdrawn.status == Status.WITHDRAWN


# -- 8: an assisting office's 退办 -------------------------------------------------------------------------


def test_an_assisting_office_returns_only_its_own_part(congress: SimpleNamespace) -> None:
    s = congress
    proposal = assigned(s)
    due = proposal.due_date
    handling.reply_save(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    result = handling.assignment_return(actor=s.hr_staff, proposal=proposal, reason="停车场不属人事处职责")
    assert result.status == Status.ASSIGNED
    proposal.refresh_from_db()
    assert proposal.status == Status.ASSIGNED and proposal.due_date == due and proposal.assigned_at
    rows = {a.office_id: a for a in Assignment.objects.filter(proposal=proposal)}
    assert rows[s.logistics.pk].status == Assignment.Status.ACTIVE
    hr = rows[s.hr.pk]
    assert hr.status == Assignment.Status.RETURNED and hr.return_reason == "停车场不属人事处职责"
    assert hr.returned_by == s.hr_staff
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.RETURNED)
    assert not event.is_public and "人事处" in event.text
    assert told(s.committee, "proposals.returned") and told(s.logistics_staff, "proposals.returned")
    assert not told(s.hr_staff, "proposals.returned")
    assert AuditEntry.objects.get(action="proposals.assignment.returned").changes["office_role"]
    # The returned office has no part any more.
    with pytest.raises(ValidationError, match="Your office has no active assignment"):
        handling.assist_input(actor=s.hr_staff, proposal=proposal, text="补充意见")
    # The lead office goes on: its draft is kept and its reply goes out.
    assert Reply.objects.get(proposal=proposal).body == REPLY
    reply = handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    assert reply.status == Reply.Status.SIGNOFF


def test_only_the_lead_office_return_sends_the_round_back(congress: SimpleNamespace) -> None:
    s = congress
    proposal = assigned(s)
    handling.assignment_return(actor=s.hr_staff, proposal=proposal, reason="不属人事处")
    returned = handling.assignment_return(actor=s.logistics_staff, proposal=proposal, reason="不属后勤")
    assert returned.status == Status.ACCEPTED and returned.due_date is None
    rows = {a.office_id: a for a in Assignment.objects.filter(proposal=proposal)}
    assert {a.status for a in rows.values()} == {Assignment.Status.RETURNED}
    assert rows[s.hr.pk].return_reason == "不属人事处" and rows[s.logistics.pk].return_reason == "不属后勤"


def test_office_page_message_after_an_assisting_return(congress: SimpleNamespace) -> None:
    s = congress
    proposal = assigned(s)
    response = client_for(s.hr_staff).post(
        reverse("proposals:office_return", args=[proposal.pk]), {"reason": "不属人事处职责"}, follow=True
    )
    assert "the lead office goes on answering" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == Status.ASSIGNED


# -- 9: reminders after a 退办 ------------------------------------------------------------------------------


def test_the_next_office_gets_its_reminders_after_a_return(congress: SimpleNamespace) -> None:
    s = congress
    session = factories.make_session(number=3, return_working_days=1)
    proposal = assigned(s, session, assists=False)
    today = timezone.localdate()
    assert supervision.reminders_send(today=today)["return_window"] == 1
    assert told(s.logistics_staff, "proposals.return_window")
    Reminder.objects.create(proposal=proposal, round=1, kind=Reminder.Kind.BEFORE_DUE)
    handling.assignment_return(actor=s.logistics_staff, proposal=proposal, reason="不属后勤")
    assert not Reminder.objects.filter(proposal=proposal, round=1).exists()
    assert AuditEntry.objects.get(action="proposals.assignment.returned").changes["reminders_cleared"] == 2
    # Assigned again, to 人事处: its staff are reminded of their own 退办 window.
    handling.proposal_assign(actor=s.committee, proposal=proposal, lead=s.hr)
    assert supervision.reminders_send(today=today)["return_window"] == 1
    assert told(s.hr_staff, "proposals.return_window")


def test_an_assisting_return_keeps_the_round_reminders(congress: SimpleNamespace) -> None:
    s = congress
    proposal = assigned(s)
    Reminder.objects.create(proposal=proposal, round=1, kind=Reminder.Kind.BEFORE_DUE)
    handling.assignment_return(actor=s.hr_staff, proposal=proposal, reason="不属人事处")
    assert Reminder.objects.filter(proposal=proposal, round=1).count() == 1


# -- 10: time limits switched off -----------------------------------------------------------------------


@pytest.fixture
def untimed(congress: SimpleNamespace) -> SimpleNamespace:
    congress.session.control_time_limit = False
    congress.session.save()
    return congress


def test_no_rehandling_deadline_without_time_limits(untimed: SimpleNamespace) -> None:
    s = untimed
    proposal = replied(s)
    rate(proposal, s.rep1, U, U, comment="没有解决")
    with pytest.raises(ValidationError) as refused:
        evaluation.unsatisfied_decide(
            actor=s.committee,
            proposal=proposal,
            decision=evaluation.REHANDLE,
            due_date=timezone.localdate() + dt.timedelta(days=10),
        )
    assert "does not use time limits" in refused.value.message_dict["due_date"][0]
    assert Proposal.objects.get(pk=proposal.pk).round == 1
    # The committee's page does not ask for one.
    html = client_for(s.committee).get(reverse("proposals:console_unsatisfied", args=[proposal.pk]))
    assert 'name="due_date"' not in html.content.decode()
    result = evaluation.unsatisfied_decide(actor=s.committee, proposal=proposal, decision=evaluation.REHANDLE)
    assert result.due_date is None


def test_never_overdue_without_time_limits(untimed: SimpleNamespace) -> None:
    s = untimed
    s.logistics.leader = None
    s.logistics.save()
    proposal = assigned(s)
    # A deadline left from before the switch was turned off does not make the reply late.
    Proposal.objects.filter(pk=proposal.pk).update(due_date=timezone.localdate() - dt.timedelta(days=5))
    reply = handling.reply_submit(actor=s.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    assert reply.status == Reply.Status.RELEASED and not reply.is_overdue


def test_on_time_rate_only_over_sessions_with_time_limits(congress: SimpleNamespace) -> None:
    s = congress
    timed = replied(s)  # on time
    untimed_session = factories.make_session(number=3, control_time_limit=False)
    late = factories.make_proposal(untimed_session, s.rep2, status=Status.REPLIED, lead=s.logistics)
    Reply.objects.filter(proposal=late).update(is_overdue=True)  # as marked before the fix
    t = stats.timeliness()
    assert (t.replies, t.on_time, t.late) == (2, 1, 0) and t.on_time_rate == stats.Rate(1, 1)
    assert stats.timeliness(session_ids=[untimed_session.pk]).on_time_rate.percent is None
    office = next(o for o in stats.office_figures() if o.office_id == s.logistics.pk)
    assert office.replies == 2 and office.on_time_rate == stats.Rate(1, 1)
    rows = {row.session.pk: row for row in stats.by_session()}
    assert rows[s.session.pk].on_time == stats.Rate(1, 1)
    assert rows[untimed_session.pk].on_time.percent is None
    assert timed.session.control_time_limit


# -- 11: 办复率 from the handling rounds ---------------------------------------------------------------------


def test_reply_rate_with_a_round_two_return(congress: SimpleNamespace) -> None:
    s = congress
    returned = round_two_returned(s)
    assert returned.assigned_at is None  # the 退办 reset it
    waiting = assigned(s, proposer=s.rep4)  # assigned, not answered yet
    t = stats.timeliness(session_ids=[s.session.pk])
    # Both were assigned; only the first has a released reply (of round 1).
    assert (t.assigned, t.replied) == (2, 1) and t.reply_rate == stats.Rate(1, 2)
    # A proposal whose only assignment was returned is not assigned.
    handling.assignment_return(actor=s.logistics_staff, proposal=waiting, reason="不属后勤")
    t = stats.timeliness(session_ids=[s.session.pk])
    assert (t.assigned, t.replied) == (1, 1) and str(t.reply_rate) == "100.0%"


def test_reply_rate_never_above_100_percent(congress: SimpleNamespace) -> None:
    s = congress
    proposal = replied(s)
    # Even if the round's lead assignment were returned after its reply went out.
    Assignment.objects.filter(proposal=proposal).update(status=Assignment.Status.RETURNED)
    t = stats.timeliness(session_ids=[s.session.pk])
    assert t.replied <= t.assigned and (t.assigned, t.replied) == (0, 0)


# -- 14: the report's figures are the statistics' ---------------------------------------------------------


@pytest.fixture
def report_session(congress: SimpleNamespace) -> Any:
    """Two offices, a re-handled proposal (first and final ratings differ, in different offices), a late
    reply, an overdue one, a suggestion and proposals decided otherwise."""
    s = congress

    def make(status: str, **kw: Any) -> Proposal:
        kw.setdefault("lead", s.logistics)
        return factories.make_proposal(s.session, s.rep1, status=status, cosigners=[s.rep2, s.rep3], **kw)

    def rated(proposal: Proposal, round_no: int, attitude: str, result: str) -> None:
        Evaluation.objects.create(
            proposal=proposal,
            reply=Reply.objects.get(proposal=proposal, round=round_no),
            round=round_no,
            representative=s.rep1,
            is_proposer=True,
            attitude=attitude,
            result=result,
        )

    p1 = make(Status.CLOSED, category=s.categories["内涵建设"], implementation="A")
    rated(p1, 1, S, S)
    p2 = make(Status.CLOSED, category=s.categories["民生福利"], implementation="C")
    rated(p2, 1, B, U)
    Assignment.objects.filter(proposal=p2).update(status=Assignment.Status.ENDED)
    Assignment.objects.create(proposal=p2, office=s.hr, role=Assignment.Role.LEAD, round=2)
    Reply.objects.create(
        proposal=p2,
        round=2,
        office=s.hr,
        body="第二轮",
        implementation="B",
        status=Reply.Status.RELEASED,
        released_at=timezone.now(),
        is_overdue=True,
    )
    Proposal.objects.filter(pk=p2.pk).update(round=2, implementation="B")
    rated(p2, 2, S, B)
    p3 = make(Status.REPLIED, lead=s.hr, category=s.categories["内涵建设"])
    Reply.objects.filter(proposal=p3).update(is_overdue=True)
    p4 = make(Status.ASSIGNED, category=s.categories["其他"])
    Proposal.objects.filter(pk=p4.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    make(Status.CLOSED, record_type=Proposal.RecordType.SUGGESTION, implementation="A")
    make(Status.REJECTED)
    make(Status.MERGED)
    make(Status.SUBMITTED)
    return s.session


def _table_rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_report_figures_equal_the_statistics(congress: SimpleNamespace, report_session: Any) -> None:
    session = report_session
    document = Document(io.BytesIO(report.build(session=session)))
    text = "\n".join(p.text for p in document.paragraphs)
    figures = stats.report(session_ids=[session.pk], scope=stats.SCOPE_PROPOSALS)
    d, t, sat = figures.dispositions, figures.timeliness, figures.satisfaction
    tables = document.tables

    # 1. Dispositions: the sentence and the table.
    assert f"{d.submitted} proposals were submitted" in text
    assert f"accepted {d.accepted} as proposals (立案)" in text
    assert f"handled {d.suggestions} as opinions and suggestions" in text
    assert f"merged {d.merged} into others" in text and f"did not accept {d.rejected} (不予立案)" in text
    assert f"{d.under_review} are still under review" in text
    assert _table_rows(tables[0])[1] == [
        str(v)
        for v in (d.submitted, d.accepted, d.suggestions, d.merged, d.rejected, d.withdrawn, d.under_review)
    ]
    core = figures.core
    assert (
        f"内涵建设类 proposals: {core.rate.numerator} of {core.accepted} 立案 proposals ({core.rate})" in text
    )

    # 2. Handling: 办复率 and 按时办复率.
    handling_text = re.search(r"Of (\d+) proposals assigned.*?按时办复率 ([^)]+)\)", text)
    assert handling_text is not None
    assert handling_text.group(1) == str(t.assigned) and handling_text.group(2) == str(t.on_time_rate)
    assert f"{t.replied} have been replied (办复率 {t.reply_rate})" in text
    assert f"{t.on_time} replies were released by their deadline, {t.late} after it" in text
    assert f"{t.overdue_open} rounds are unanswered past their deadline" in text

    # 3. Satisfaction: first round and final, both dimensions.
    satisfaction = _table_rows(tables[3])
    assert satisfaction[0][:3] == ["Round", "Dimension", "Rated"]
    expected = []
    for label, dims in (("First round", sat.first), ("Final", sat.final)):
        for dim_label, counts in (("办理态度", dims.attitude), ("办理结果", dims.result)):
            expected.append(
                [label, dim_label]
                + [str(v) for v in (counts.evaluated, counts.satisfied, counts.basic, counts.unsatisfied)]
                + [str(counts.rate)]
            )
    assert satisfaction[1:] == expected
    assert (
        sat.first.attitude.rate != sat.final.attitude.rate or sat.first.result.rate != sat.final.result.rate
    )

    # 4. Per office: led, assisted, replies, 按时办复率, first-round and final rates.
    offices = _table_rows(tables[4])
    assert offices[0][0] == "Office" and "办理态度 (first round)" in offices[0]
    assert offices[1:] == [
        [
            o.name,
            str(o.led),
            str(o.assisted),
            str(o.replies),
            str(o.on_time_rate),
            str(o.first.attitude.rate),
            str(o.first.result.rate),
            str(o.final.attitude.rate),
            str(o.final.result.rate),
        ]
        for o in figures.offices
    ]
    by_name = {row[0]: row for row in offices[1:]}
    assert set(by_name) == {"后勤管理处", "人事处"}
    # The re-handled proposal's final rating is 人事处's, its first 后勤's.
    assert by_name["人事处"][5] == "—" and by_name["人事处"][7] == "100.0%"

    # The suggestions: the sentence with the figures including them.
    everything = stats.report(session_ids=[session.pk], scope=stats.SCOPE_ALL)
    assert (
        f"Including the opinions and suggestions: 按时办复率 {everything.timeliness.on_time_rate}, final 满意率 "
        f"{everything.satisfaction.final.attitude.rate} / {everything.satisfaction.final.result.rate}."
    ) in text


def test_signers_of_a_merged_proposal_keep_rating(cosigners_rate: SimpleNamespace) -> None:
    """A co-proposer (a merged proposal's proposer) rates after the proposer too."""
    s = cosigners_rate
    proposal = replied(s)
    Signer.objects.create(
        proposal=proposal, representative=s.rep4, role=Signer.Role.CO_PROPOSER, status=Signer.Status.ACCEPTED
    )
    rate(proposal, s.rep1, S, S)
    assert [p.pk for p in portal_selectors.awaiting_evaluation(s.rep4.person)] == [proposal.pk]
    assert not rate(Proposal.objects.get(pk=proposal.pk), s.rep4).is_proposer
