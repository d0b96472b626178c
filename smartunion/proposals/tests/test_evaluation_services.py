"""Rating replies, the committee's review of a 不满意 (重新办理 / close) and closing unrated replies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.core import workdays
from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification
from smartunion.proposals.models import Assignment, Evaluation, Proposal, ProposalEvent, Reply, Signer
from smartunion.proposals.selectors import evaluation as eval_selectors
from smartunion.proposals.services import evaluation as services

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
S, B, U = "satisfied", "basic", "unsatisfied"


def user_of(rep: Any) -> Any:
    return rep.person.user


@pytest.fixture
def replied(congress: Any) -> Proposal:
    return factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.REPLIED,
        cosigners=[congress.rep2, congress.rep3],
        lead=congress.logistics,
        assists=[congress.hr],
    )


def rate(proposal: Proposal, rep: Any, attitude: str = S, result: str = S, comment: str = "") -> Evaluation:
    return services.evaluation_submit(
        actor=user_of(rep), proposal=proposal, attitude=attitude, result=result, comment=comment
    )


# -- evaluation_submit --------------------------------------------------------------------------------


@pytest.mark.parametrize("attitude,result", [(S, S), (S, B), (B, B), (B, S)])
def test_proposer_content_on_both_closes(
    congress: Any, replied: Proposal, attitude: str, result: str
) -> None:
    evaluation = rate(replied, congress.rep1, attitude, result)
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED and replied.closed_at is not None
    assert evaluation.is_proposer and evaluation.round == 1
    assert evaluation.reply == Reply.objects.get(proposal=replied, round=1)
    kinds = list(replied.events.values_list("kind", flat=True))
    assert kinds[-2:] == [ProposalEvent.Kind.EVALUATED, ProposalEvent.Kind.CLOSED]
    assert AuditEntry.objects.filter(
        action="proposals.evaluation.submitted", target_id=str(replied.pk)
    ).exists()
    assert AuditEntry.objects.filter(action="proposals.proposal.closed", target_id=str(replied.pk)).exists()
    # The lead office hears of it.
    assert Notification.objects.filter(
        recipient=congress.logistics_staff, kind="proposals.evaluated"
    ).exists()


@pytest.mark.parametrize("attitude,result", [(U, S), (S, U), (U, U), (B, U)])
def test_proposer_unsatisfied_on_any_goes_to_committee(
    congress: Any, replied: Proposal, attitude: str, result: str
) -> None:
    rate(replied, congress.rep1, attitude, result, comment="停车场仍未开工")
    replied.refresh_from_db()
    assert replied.status == Status.UNSATISFIED
    assert Notification.objects.filter(recipient=congress.committee, kind="proposals.unsatisfied").exists()
    assert AuditEntry.objects.filter(action="proposals.proposal.unsatisfied").exists()


def test_unsatisfied_needs_a_comment(congress: Any, replied: Proposal) -> None:
    with pytest.raises(ValidationError) as error:
        rate(replied, congress.rep1, U, S, comment="  ")
    assert "comment" in error.value.message_dict
    assert "不满意 needs a comment" in error.value.message_dict["comment"][0]
    replied.refresh_from_db()
    assert replied.status == Status.REPLIED and not Evaluation.objects.exists()


@pytest.mark.parametrize("field", ["attitude", "result"])
def test_rating_must_be_one_of_three(congress: Any, replied: Proposal, field: str) -> None:
    values = {"attitude": S, "result": S, field: "great"}
    with pytest.raises(ValidationError) as error:
        rate(replied, congress.rep1, values["attitude"], values["result"])
    assert field in error.value.message_dict
    assert "Choose 满意, 基本满意 or 不满意" in error.value.message_dict[field][0]


def test_co_signers_rate_only_when_the_session_says_so(congress: Any, replied: Proposal) -> None:
    with pytest.raises(ValidationError, match="Only the proposer rates the reply in this session"):
        rate(replied, congress.rep2)
    congress.session.cosigners_evaluate = True
    congress.session.save()
    evaluation = rate(replied, congress.rep2, U, U, comment="不满意")
    replied.refresh_from_db()
    # A co-signer's rating is kept but moves nothing.
    assert not evaluation.is_proposer and replied.status == Status.REPLIED
    rate(replied, congress.rep1, S, B)
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED
    assert Evaluation.objects.filter(proposal=replied).count() == 2


def test_co_proposer_of_a_merged_proposal_rates(congress: Any, replied: Proposal) -> None:
    congress.session.cosigners_evaluate = True
    congress.session.save()
    Signer.objects.create(
        proposal=replied, representative=congress.rep4, role=Signer.Role.CO_PROPOSER, status="accepted"
    )
    assert not rate(replied, congress.rep4).is_proposer


def test_declined_or_pending_co_signer_and_strangers_are_refused(congress: Any, replied: Proposal) -> None:
    congress.session.cosigners_evaluate = True
    congress.session.save()
    Signer.objects.create(
        proposal=replied, representative=congress.rep4, role=Signer.Role.COSIGNER, status="declined"
    )
    with pytest.raises(ValidationError, match="Only the proposer rates the reply"):
        rate(replied, congress.rep4)
    with pytest.raises(ValidationError, match="Only the proposer and the co-signers rate a reply"):
        services.evaluation_submit(actor=congress.committee, proposal=replied, attitude=S, result=S)
    with pytest.raises(ValidationError, match="Only the proposer and the co-signers rate a reply"):
        services.evaluation_submit(actor=congress.outsider.user, proposal=replied, attitude=S, result=S)


def test_once_per_reply(congress: Any, replied: Proposal) -> None:
    congress.session.cosigners_evaluate = True
    congress.session.save()
    rate(replied, congress.rep2)
    with pytest.raises(ValidationError, match="You have already rated this reply"):
        rate(replied, congress.rep2, B, B)
    assert Evaluation.objects.count() == 1


@pytest.mark.parametrize(
    "status", [Status.ASSIGNED, Status.REPLY_SIGNOFF, Status.UNSATISFIED, Status.CLOSED, Status.ACCEPTED]
)
def test_only_replied_proposals_are_rated(congress: Any, status: str) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=status, lead=congress.logistics
    )
    with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
        rate(proposal, congress.rep1)


def test_evaluation_switched_off(congress: Any, replied: Proposal) -> None:
    congress.session.control_evaluation = False
    congress.session.save()
    with pytest.raises(ValidationError, match="evaluation \\(满意度测评\\) is switched off"):
        rate(replied, congress.rep1)


def test_no_released_reply_of_the_round(congress: Any, replied: Proposal) -> None:
    Reply.objects.filter(proposal=replied).update(status=Reply.Status.DRAFT)
    with pytest.raises(ValidationError, match="no released reply to rate"):
        rate(replied, congress.rep1)


def test_evaluation_due_selector(congress: Any, replied: Proposal) -> None:
    assert eval_selectors.evaluation_due(user=user_of(congress.rep1), proposal=replied)
    assert not eval_selectors.evaluation_due(user=user_of(congress.rep2), proposal=replied)
    rate(replied, congress.rep1, U, U, comment="不行")
    replied.refresh_from_db()
    assert not eval_selectors.evaluation_due(user=user_of(congress.rep1), proposal=replied)


# -- unsatisfied_decide -------------------------------------------------------------------------------


@pytest.fixture
def unsatisfied(congress: Any, replied: Proposal) -> Proposal:
    rate(replied, congress.rep1, U, U, comment="没有解决")
    replied.refresh_from_db()
    return replied


def test_rehandle_with_the_same_offices_by_default(congress: Any, unsatisfied: Proposal) -> None:
    today = timezone.localdate()
    result = services.unsatisfied_decide(
        actor=congress.committee, proposal=unsatisfied, decision=services.REHANDLE, note="请重新研究"
    )
    assert result.round == 2 and result.status == Status.ASSIGNED
    assert result.due_date == workdays.add_working_days(today, congress.session.reply_working_days)
    round2 = Assignment.objects.filter(proposal=unsatisfied, round=2)
    assert {(a.office_id, a.role, a.status) for a in round2} == {
        (congress.logistics.pk, "lead", "active"),
        (congress.hr.pk, "assist", "active"),
    }
    assert all(a.return_until == workdays.add_working_days(today, 5) for a in round2)
    assert all(a.assigned_by == congress.committee for a in round2)
    assert set(Assignment.objects.filter(proposal=unsatisfied, round=1).values_list("status", flat=True)) == {
        "ended"
    }
    event = unsatisfied.events.get(kind=ProposalEvent.Kind.REHANDLING)
    assert "Round 2" in event.text and "请重新研究" in event.text and event.is_public
    assert Notification.objects.filter(recipient=congress.hr_staff, kind="proposals.rehandling").exists()
    assert Notification.objects.filter(recipient=user_of(congress.rep1), kind="proposals.rehandling").exists()
    # The first round's reply and rating stay.
    assert Reply.objects.filter(proposal=unsatisfied, round=1).exists()
    assert Evaluation.objects.filter(proposal=unsatisfied, round=1).count() == 1


def test_rehandle_with_new_offices_and_deadline(congress: Any, unsatisfied: Proposal) -> None:
    due = timezone.localdate() + dt.timedelta(days=20)
    result = services.unsatisfied_decide(
        actor=congress.committee,
        proposal=unsatisfied,
        decision=services.REHANDLE,
        lead_office=congress.hr,
        assist_offices=[],
        due_date=due,
    )
    assert result.due_date == due
    assert list(
        Assignment.objects.filter(proposal=unsatisfied, round=2).values_list("office_id", "role")
    ) == [(congress.hr.pk, "lead")]


def test_rehandle_refusals(congress: Any, unsatisfied: Proposal) -> None:
    decide = lambda **kw: services.unsatisfied_decide(  # noqa: E731
        actor=congress.committee, proposal=unsatisfied, decision=services.REHANDLE, **kw
    )
    with pytest.raises(ValidationError) as error:
        decide(due_date=timezone.localdate())
    assert "must be after today" in error.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError) as error:
        decide(lead_office=congress.hr, assist_offices=[congress.hr])
    assert "cannot assist as well" in error.value.message_dict["assist_offices"][0]
    congress.hr.is_active = False
    congress.hr.save()
    with pytest.raises(ValidationError) as error:
        decide(lead_office=congress.hr)
    assert "offices in use" in error.value.message_dict["lead_office"][0]
    congress.session.control_co_handling = False
    congress.session.save()
    with pytest.raises(ValidationError) as error:
        decide(lead_office=congress.logistics, assist_offices=[congress.hr])
    assert "does not use assisting offices" in error.value.message_dict["assist_offices"][0]
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.UNSATISFIED and unsatisfied.round == 1
    assert not Assignment.objects.filter(proposal=unsatisfied, round=2).exists()


def test_rehandle_without_time_limits_has_no_deadline(congress: Any, unsatisfied: Proposal) -> None:
    congress.session.control_time_limit = False
    congress.session.save()
    result = services.unsatisfied_decide(
        actor=congress.committee, proposal=unsatisfied, decision=services.REHANDLE
    )
    assert result.due_date is None


def test_rehandling_is_limited_by_the_session(congress: Any, unsatisfied: Proposal) -> None:
    services.unsatisfied_decide(actor=congress.committee, proposal=unsatisfied, decision=services.REHANDLE)
    # Round 2 is replied and rated 不满意 again.
    Reply.objects.create(
        proposal=unsatisfied,
        round=2,
        office=congress.logistics,
        body="再次答复",
        implementation="B",
        status=Reply.Status.RELEASED,
        released_at=timezone.now(),
    )
    Proposal.objects.filter(pk=unsatisfied.pk).update(status=Status.REPLIED)
    rate(unsatisfied, congress.rep1, U, B, comment="仍不满意")
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.UNSATISFIED and unsatisfied.round == 2
    assert eval_selectors.rounds_left(unsatisfied) == 0
    with pytest.raises(ValidationError, match="re-handled 1 time\\(s\\); the session allows 1"):
        services.unsatisfied_decide(
            actor=congress.committee, proposal=unsatisfied, decision=services.REHANDLE
        )
    closed = services.unsatisfied_decide(
        actor=congress.committee,
        proposal=unsatisfied,
        decision=services.CLOSE,
        note="受条件限制",
        implementation="C",
    )
    assert (
        closed.status == Status.CLOSED
        and closed.implementation == "C"
        and closed.closing_note == "受条件限制"
    )
    assert Evaluation.objects.filter(proposal=unsatisfied).count() == 2


def test_close_needs_an_explanation(congress: Any, unsatisfied: Proposal) -> None:
    with pytest.raises(ValidationError) as error:
        services.unsatisfied_decide(
            actor=congress.committee, proposal=unsatisfied, decision=services.CLOSE, note=" "
        )
    assert "Write the explanation" in error.value.message_dict["note"][0]
    with pytest.raises(ValidationError) as error:
        services.unsatisfied_decide(
            actor=congress.committee,
            proposal=unsatisfied,
            decision=services.CLOSE,
            note="x",
            implementation="D",
        )
    assert "implementation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.unsatisfied_decide(actor=congress.committee, proposal=unsatisfied, decision="maybe")
    assert "decision" in error.value.message_dict


def test_close_keeps_the_implementation_unless_given(congress: Any, unsatisfied: Proposal) -> None:
    closed = services.unsatisfied_decide(
        actor=congress.committee, proposal=unsatisfied, decision=services.CLOSE, note="已说明情况"
    )
    assert closed.implementation == "A"
    assert Notification.objects.filter(recipient=user_of(congress.rep1), kind="proposals.closed").exists()
    assert AuditEntry.objects.filter(action="proposals.proposal.closed_unsatisfied").exists()


def test_unsatisfied_decide_needs_the_status(congress: Any, replied: Proposal) -> None:
    with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
        services.unsatisfied_decide(actor=congress.committee, proposal=replied, decision=services.REHANDLE)


# -- proposal_close -----------------------------------------------------------------------------------


def test_close_unrated(congress: Any, replied: Proposal) -> None:
    with pytest.raises(ValidationError) as error:
        services.proposal_close(actor=congress.committee, proposal=replied, note="")
    assert "note" in error.value.message_dict
    closed = services.proposal_close(actor=congress.committee, proposal=replied, note="提案人已调离")
    assert closed.status == Status.CLOSED and closed.closing_note == "提案人已调离"
    assert AuditEntry.objects.filter(action="proposals.proposal.closed_unrated").exists()
    with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
        services.proposal_close(actor=congress.committee, proposal=replied, note="again")
