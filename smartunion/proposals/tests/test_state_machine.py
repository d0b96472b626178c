"""The proposal state machine through the services: for every action, every status is built with the
factories and the action is tried — the legal ones move the proposal to the expected status, every other
one is refused with a ValidationError and changes nothing. Then the whole loop, with a re-handling round,
and the "五制" switches that shorten it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from smartunion.proposals.models import Evaluation, FollowUp, Proposal, ProposalEvent, Reply, Signer
from smartunion.proposals.services import drafting, evaluation, followup, handling, review, supervision

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
ALL = list(Status.values)
DRAFT, SEEKING, SUBMITTED, ACCEPTED = Status.DRAFT, Status.SEEKING_COSIGN, Status.SUBMITTED, Status.ACCEPTED
MERGED, REJECTED, WITHDRAWN = Status.MERGED, Status.REJECTED, Status.WITHDRAWN
ASSIGNED, SIGNOFF, REPLIED = Status.ASSIGNED, Status.REPLY_SIGNOFF, Status.REPLIED
UNSATISFIED, CLOSED = Status.UNSATISFIED, Status.CLOSED

Action = Callable[[Any, Proposal], Any]


def user(rep: Any) -> Any:
    return rep.person.user


def _invite(s: Any, p: Proposal) -> Any:
    return drafting.cosigner_invite(actor=user(s.rep1), proposal=p, representative=s.rep4)


def _cosign(s: Any, p: Proposal) -> Any:
    signer = Signer.objects.create(proposal=p, representative=s.rep4, role=Signer.Role.COSIGNER)
    return drafting.cosign_respond(actor=user(s.rep4), signer=signer, accept=True)


def _submit(s: Any, p: Proposal) -> Any:
    Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).update(status=Signer.Status.ACCEPTED)
    return drafting.proposal_submit(actor=user(s.rep1), proposal=p)


def _withdraw(s: Any, p: Proposal) -> Any:
    return drafting.proposal_withdraw(actor=user(s.rep1), proposal=p, reason="已另行解决")


def _accept(s: Any, p: Proposal) -> Any:
    return review.proposal_accept(actor=s.committee, proposal=p)


def _convert(s: Any, p: Proposal) -> Any:
    return review.proposal_convert(actor=s.committee, proposal=p, reason="属一般性建议")


def _reject(s: Any, p: Proposal) -> Any:
    return review.proposal_reject(actor=s.committee, proposal=p, reason="不属于学校职权范围")


def _merge(s: Any, p: Proposal) -> Any:
    s.session.refresh_from_db()
    kept = factories.make_proposal(s.session, s.rep4, status=ACCEPTED, category=s.categories["民生福利"])
    return review.proposal_merge(actor=s.committee, proposal=p, target=kept)


def _assign(s: Any, p: Proposal) -> Any:
    return handling.proposal_assign(actor=s.committee, proposal=p, lead=s.logistics)


def _return(s: Any, p: Proposal) -> Any:
    return handling.assignment_return(actor=s.logistics_staff, proposal=p, reason="应由人事处办理")


def _reply(s: Any, p: Proposal) -> Any:
    return handling.reply_submit(actor=s.logistics_staff, proposal=p, body="已列入计划。", implementation="B")


def _approve(s: Any, p: Proposal) -> Any:
    return handling.reply_signoff(actor=s.leader, proposal=p, approve=True)


def _send_back(s: Any, p: Proposal) -> Any:
    return handling.reply_signoff(actor=s.leader, proposal=p, approve=False, note="请补充完成时间")


def _rate_content(s: Any, p: Proposal) -> Any:
    return evaluation.evaluation_submit(actor=user(s.rep1), proposal=p, attitude="satisfied", result="basic")


def _rate_unsatisfied(s: Any, p: Proposal) -> Any:
    return evaluation.evaluation_submit(
        actor=user(s.rep1), proposal=p, attitude="basic", result="unsatisfied", comment="未落实"
    )


def _close_unrated(s: Any, p: Proposal) -> Any:
    return evaluation.proposal_close(actor=s.committee, proposal=p, note="纸质测评已收回")


def _rehandle(s: Any, p: Proposal) -> Any:
    return evaluation.unsatisfied_decide(actor=s.committee, proposal=p, decision=evaluation.REHANDLE)


def _close_unsatisfied(s: Any, p: Proposal) -> Any:
    return evaluation.unsatisfied_decide(
        actor=s.committee,
        proposal=p,
        decision=evaluation.CLOSE,
        note="受条件限制暂不能解决",
        implementation="C",
    )


def _supervise(s: Any, p: Proposal) -> Any:
    return supervision.supervision_note_add(actor=s.committee, proposal=p, text="请加快办理")


def _followup(s: Any, p: Proposal) -> Any:
    s.session.followup_open = True
    s.session.save(update_fields=["followup_open"])
    return followup.followup_submit(actor=s.logistics_staff, proposal=p, status_after="A", note="已完成")


# action → {status it is legal in: status after}
MACHINE: dict[str, tuple[Action, dict[str, str]]] = {
    "invite": (_invite, {DRAFT: SEEKING, SEEKING: SEEKING}),
    "cosign": (_cosign, {DRAFT: DRAFT, SEEKING: SEEKING}),
    "submit": (_submit, {DRAFT: SUBMITTED, SEEKING: SUBMITTED}),
    "withdraw": (
        _withdraw,
        {DRAFT: WITHDRAWN, SEEKING: WITHDRAWN, SUBMITTED: WITHDRAWN, ACCEPTED: WITHDRAWN},
    ),
    "accept": (_accept, {SUBMITTED: ACCEPTED}),
    "convert": (_convert, {SUBMITTED: ACCEPTED}),
    "reject": (_reject, {SUBMITTED: REJECTED}),
    "merge": (_merge, {SUBMITTED: MERGED, ACCEPTED: MERGED}),
    "assign": (_assign, {ACCEPTED: ASSIGNED}),
    "return": (_return, {ASSIGNED: ACCEPTED}),
    "reply": (_reply, {ASSIGNED: SIGNOFF}),
    "signoff_approve": (_approve, {SIGNOFF: REPLIED}),
    "signoff_send_back": (_send_back, {SIGNOFF: ASSIGNED}),
    "rate_content": (_rate_content, {REPLIED: CLOSED}),
    "rate_unsatisfied": (_rate_unsatisfied, {REPLIED: UNSATISFIED}),
    "close_unrated": (_close_unrated, {REPLIED: CLOSED}),
    "rehandle": (_rehandle, {UNSATISFIED: ASSIGNED}),
    "close_unsatisfied": (_close_unsatisfied, {UNSATISFIED: CLOSED}),
    # Not transitions, but refused outside their statuses all the same.
    "supervise": (_supervise, {s: s for s in (ACCEPTED, ASSIGNED, SIGNOFF, REPLIED, UNSATISFIED)}),
    "followup": (_followup, {REPLIED: REPLIED, CLOSED: CLOSED}),
}


def build(s: Any, status: str) -> Proposal:
    # The services number proposals on the session row: the factories' counters must start from it.
    s.session.refresh_from_db()
    return factories.make_proposal(
        s.session,
        s.rep1,
        status=status,
        cosigners=[s.rep2, s.rep3],
        lead=s.logistics,
        category=s.categories["民生福利"],
    )


@pytest.mark.parametrize("name", list(MACHINE))
def test_every_status_for_an_action(congress: Any, name: str) -> None:
    action, legal = MACHINE[name]
    failures = []
    for status in ALL:
        proposal = build(congress, status)
        events = proposal.events.count()
        try:
            action(congress, proposal)
        except ValidationError as error:
            proposal.refresh_from_db()
            if status in legal:
                failures.append(f"{name} from {status}: refused ({'; '.join(error.messages)})")
            elif proposal.status != status or proposal.events.count() != events:
                failures.append(f"{name} from {status}: refused but changed the proposal")
            continue
        proposal.refresh_from_db()
        if status not in legal:
            failures.append(f"{name} from {status}: allowed (now {proposal.status})")
        elif proposal.status != legal[status]:
            failures.append(f"{name} from {status}: {proposal.status}, expected {legal[status]}")
    assert not failures, "\n".join(failures)


def test_the_machine_covers_every_status() -> None:
    reached = {after for _, legal in MACHINE.values() for after in legal.values()}
    left = {before for _, legal in MACHINE.values() for before in legal}
    # Every status is reached by some action, and every non-final status can be left.
    assert reached | {DRAFT} == set(ALL)
    assert set(ALL) - left == {MERGED, REJECTED, WITHDRAWN}


def test_the_whole_loop_with_a_re_handling_round(congress: Any) -> None:
    s = congress
    proposal = drafting.proposal_create(
        actor=user(s.rep1), title="关于增设东区停车场的提案", session=s.session
    )
    drafting.proposal_update(
        actor=user(s.rep1),
        proposal=proposal,
        title=proposal.title,
        reasons=factories.REASONS,
        suggestions=factories.SUGGESTIONS,
        category=s.categories["民生福利"],
        suggested_office=s.logistics,
    )
    proposal.refresh_from_db()
    for rep in (s.rep2, s.rep3):
        signer = drafting.cosigner_invite(actor=user(s.rep1), proposal=proposal, representative=rep)
        drafting.cosign_respond(actor=user(rep), signer=signer, accept=True)
    steps: list[tuple[Action, str]] = [
        (_submit, SUBMITTED),
        (_accept, ACCEPTED),
        (_assign, ASSIGNED),
        (_reply, SIGNOFF),
        (_send_back, ASSIGNED),
        (_reply, SIGNOFF),
        (_approve, REPLIED),
        (_rate_unsatisfied, UNSATISFIED),
        (_rehandle, ASSIGNED),
        (_reply, SIGNOFF),
        (_approve, REPLIED),
        (_rate_content, CLOSED),
    ]
    for action, expected in steps:
        action(s, proposal)
        proposal.refresh_from_db()
        assert proposal.status == expected, (action.__name__, proposal.status)
    assert proposal.round == 2 and proposal.number == "5-2-001"
    assert list(Reply.objects.filter(proposal=proposal).values_list("round", "status")) == [
        (1, "released"),
        (2, "released"),
    ]
    assert list(Evaluation.objects.filter(proposal=proposal).values_list("round", "result")) == [
        (1, "unsatisfied"),
        (2, "basic"),
    ]
    kinds = set(proposal.events.values_list("kind", flat=True))
    assert {ProposalEvent.Kind.REHANDLING, ProposalEvent.Kind.EVALUATED, ProposalEvent.Kind.CLOSED} <= kinds
    # The year-end follow-up after it is closed.
    _followup(s, proposal)
    followup.followup_decide(actor=s.committee, followup=FollowUp.objects.get(), decision=followup.CONFIRM)
    proposal.refresh_from_db()
    assert proposal.status == CLOSED and proposal.implementation == "A"


def test_without_leader_sign_off_the_reply_is_released_at_once(congress: Any) -> None:
    congress.session.control_leader_signoff = False
    congress.session.save()
    proposal = build(congress, ASSIGNED)
    _reply(congress, proposal)
    proposal.refresh_from_db()
    assert proposal.status == REPLIED


def test_without_evaluation_the_reply_closes_and_nothing_is_rated(congress: Any) -> None:
    congress.session.control_leader_signoff = False
    congress.session.control_evaluation = False
    congress.session.save()
    proposal = build(congress, ASSIGNED)
    _reply(congress, proposal)
    proposal.refresh_from_db()
    assert proposal.status == CLOSED
    with pytest.raises(ValidationError, match="switched off"):
        _rate_content(congress, proposal)
