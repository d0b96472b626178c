"""The committee's review services: 立案 (numbers, re-classifying, late suggestions), 转为意见建议, 不予立案
with a reason, 并案 (co-proposers without duplicates, only into a live proposal of the same session) and
visibility — every refusal with its message, nothing half-applied."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification
from smartunion.proposals.models import Category, Proposal, ProposalEvent, Signer
from smartunion.proposals.services import review

from . import factories

pytestmark = pytest.mark.django_db

Status = Proposal.Status


def _submitted(s: SimpleNamespace, **kwargs: Any) -> Proposal:
    kwargs.setdefault("cosigners", [s.rep2, s.rep3])
    kwargs.setdefault("category", s.categories["民生福利"])
    return factories.make_proposal(s.session, s.rep1, status=Status.SUBMITTED, **kwargs)


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


# -- 立案 ----------------------------------------------------------------------------------------------


def test_accept_numbers_the_proposal_and_tells_the_signers(congress: SimpleNamespace) -> None:
    s = congress
    first = _submitted(s)
    second = _submitted(s)
    review.proposal_accept(actor=s.committee, proposal=first)
    accepted = review.proposal_accept(actor=s.committee, proposal=second)
    first.refresh_from_db()
    assert (first.number, accepted.number) == ("5-2-001", "5-2-002")
    assert accepted.status == Status.ACCEPTED
    assert accepted.decided_by == s.committee and accepted.decided_at is not None
    event = ProposalEvent.objects.get(proposal=accepted, kind=ProposalEvent.Kind.ACCEPTED)
    assert event.is_public and "5-2-002" in event.text
    entry = AuditEntry.objects.get(action="proposals.proposal.accepted", target_id=str(accepted.pk))
    assert entry.changes["number"] == "5-2-002"
    told = set(Notification.objects.filter(kind="proposals.decision").values_list("recipient_id", flat=True))
    assert {s.rep1.person.user_id, s.rep2.person.user_id, s.rep3.person.user_id} <= told


def test_accept_may_reclassify_the_category(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _submitted(s)
    core = s.categories["内涵建设"]
    accepted = review.proposal_accept(actor=s.committee, proposal=proposal, category=core.pk)
    assert accepted.category == core
    entry = AuditEntry.objects.get(action="proposals.proposal.accepted")
    assert entry.changes["category"] == [str(s.categories["民生福利"]), str(core)]


def test_accept_refuses_an_unused_category_and_a_missing_one(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _submitted(s, category=None)
    with pytest.raises(ValidationError) as missing:
        review.proposal_accept(actor=s.committee, proposal=proposal)
    assert "Choose the proposal's category before 立案." in _messages(missing)
    retired = Category.objects.create(name="已停用", parent=s.categories["其他"].parent, is_active=False)
    for wrong in (retired.pk, "abc", 987654):
        with pytest.raises(ValidationError) as unused:
            review.proposal_accept(actor=s.committee, proposal=proposal, category=wrong)
        assert "Choose a category that is in use." in _messages(unused)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED and proposal.number == ""
    s.session.refresh_from_db()
    assert s.session.last_proposal_no == 0  # no number taken by a refused decision


def test_a_late_suggestion_is_accepted_with_a_j_number(congress: SimpleNamespace) -> None:
    s = congress
    late = _submitted(s, record_type=Proposal.RecordType.SUGGESTION, is_late=True)
    accepted = review.proposal_accept(actor=s.committee, proposal=late)
    assert accepted.number == "5-2-J001"
    assert accepted.record_type == Proposal.RecordType.SUGGESTION
    assert "意见建议" in ProposalEvent.objects.get(proposal=late, kind="accepted").text


@pytest.mark.parametrize("status", [Status.DRAFT, Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN])
def test_decisions_need_a_submitted_proposal(congress: SimpleNamespace, status: str) -> None:
    s = congress
    proposal = factories.make_proposal(s.session, s.rep1, status=status, category=s.categories["其他"])
    for decide in (
        lambda: review.proposal_accept(actor=s.committee, proposal=proposal),
        lambda: review.proposal_convert(actor=s.committee, proposal=proposal),
        lambda: review.proposal_reject(actor=s.committee, proposal=proposal, reason="不属于学校职权范围"),
    ):
        with pytest.raises(ValidationError) as refused:
            decide()
        assert "This cannot be done while the proposal is" in _messages(refused)
    assert Proposal.objects.get(pk=proposal.pk).status == status


# -- 转为意见建议 / 不予立案 ----------------------------------------------------------------------------------


def test_convert_turns_it_into_a_numbered_suggestion(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _submitted(s)
    converted = review.proposal_convert(actor=s.committee, proposal=proposal, reason="属于部门日常工作")
    assert converted.status == Status.ACCEPTED
    assert converted.record_type == Proposal.RecordType.SUGGESTION
    assert converted.number == "5-2-J001"
    assert converted.decision_reason == "属于部门日常工作"
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.CONVERTED)
    assert "5-2-J001" in event.text and "属于部门日常工作" in event.text
    assert AuditEntry.objects.filter(action="proposals.proposal.converted").exists()


def test_reject_needs_a_reason_which_the_proposer_reads(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _submitted(s)
    with pytest.raises(ValidationError) as refused:
        review.proposal_reject(actor=s.committee, proposal=proposal, reason="  ")
    assert refused.value.message_dict["reason"] == [
        "Write the reason for not accepting the proposal: the proposer reads it."
    ]
    assert Proposal.objects.get(pk=proposal.pk).status == Status.SUBMITTED
    rejected = review.proposal_reject(actor=s.committee, proposal=proposal, reason="属于个人事务")
    assert rejected.status == Status.REJECTED and rejected.decision_reason == "属于个人事务"
    assert rejected.number == ""
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.REJECTED)
    assert event.is_public and event.text == "属于个人事务"
    notice = Notification.objects.get(recipient=s.rep1.person.user, kind="proposals.decision")
    assert notice.body == "属于个人事务"


# -- 并案 ----------------------------------------------------------------------------------------------


def test_merge_makes_the_proposers_co_proposers_of_the_kept_one(congress: SimpleNamespace) -> None:
    s = congress
    kept = factories.make_proposal(s.session, s.rep1, status=Status.ACCEPTED, cosigners=[s.rep2])
    # rep2 already co-signed the kept one; rep4 declined an invitation there earlier.
    Signer.objects.create(proposal=kept, representative=s.rep4, role=Signer.Role.COSIGNER, status="declined")
    merged = factories.make_proposal(s.session, s.rep3, status=Status.SUBMITTED, cosigners=[s.rep2, s.rep4])
    result = review.proposal_merge(actor=s.committee, proposal=merged, target=kept.pk, reason="同一事项")
    assert result.status == Status.MERGED and result.merged_into == kept
    signers = {sig.representative_id: sig for sig in Signer.objects.filter(proposal=kept)}
    assert signers[s.rep3.pk].role == Signer.Role.CO_PROPOSER
    assert signers[s.rep4.pk].role == Signer.Role.CO_PROPOSER and signers[s.rep4.pk].status == "accepted"
    assert signers[s.rep2.pk].role == Signer.Role.COSIGNER  # already on it: not added twice
    assert signers[s.rep1.pk].role == Signer.Role.PROPOSER
    assert Signer.objects.filter(proposal=kept).count() == 4
    assert ProposalEvent.objects.filter(proposal=kept, kind="merged").exists()
    entry = AuditEntry.objects.get(action="proposals.proposal.merged")
    assert entry.changes["co_proposers_added"] == 2


def test_an_accepted_proposal_may_be_merged_and_keeps_its_number(congress: SimpleNamespace) -> None:
    s = congress
    kept = factories.make_proposal(s.session, s.rep1, status=Status.ASSIGNED, lead=s.logistics)
    accepted = factories.make_proposal(s.session, s.rep3, status=Status.ACCEPTED)
    number = accepted.number
    review.proposal_merge(actor=s.committee, proposal=accepted, target=kept)
    accepted.refresh_from_db()
    assert accepted.status == Status.MERGED and accepted.number == number


def test_merge_refusals(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _submitted(s)
    other_session = factories.make_session(number=3)
    elsewhere = factories.make_proposal(other_session, s.rep2, status=Status.ACCEPTED)
    cases = [
        (proposal.pk, "A proposal cannot be merged into itself"),
        (None, "Choose the proposal to merge this one into."),
        ("abc", "Choose the proposal to merge this one into."),
        (987654, "There is no such proposal to merge into"),
        (elsewhere.pk, "Only proposals of the same session can be merged"),
    ]
    for status in (Status.MERGED, Status.REJECTED, Status.WITHDRAWN, Status.DRAFT):
        dead = factories.make_proposal(s.session, s.rep2, status=status)
        cases.append((dead.pk, "merge into a proposal that is still valid"))
    for target, message in cases:
        with pytest.raises(ValidationError) as refused:
            review.proposal_merge(actor=s.committee, proposal=proposal, target=target)
        assert message in _messages(refused), (target, refused.value)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED and proposal.merged_into is None


def test_a_proposal_being_handled_cannot_be_merged_away(congress: SimpleNamespace) -> None:
    s = congress
    handled = factories.make_proposal(s.session, s.rep1, status=Status.ASSIGNED, lead=s.logistics)
    kept = factories.make_proposal(s.session, s.rep2, status=Status.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        review.proposal_merge(actor=s.committee, proposal=handled, target=kept)
    assert "Being handled" in _messages(refused)


def test_merge_targets_lists_live_proposals_of_the_session(congress: SimpleNamespace) -> None:
    s = congress
    proposal = _submitted(s)
    live = factories.make_proposal(s.session, s.rep2, status=Status.ACCEPTED)
    factories.make_proposal(s.session, s.rep2, status=Status.REJECTED)
    factories.make_proposal(factories.make_session(number=3), s.rep2, status=Status.ACCEPTED)
    assert review.merge_targets(proposal) == [live]


# -- visibility ----------------------------------------------------------------------------------------


def test_visibility_is_set_with_an_internal_event(congress: SimpleNamespace) -> None:
    s = congress
    proposal = factories.make_proposal(s.session, s.rep1, status=Status.ACCEPTED)
    with pytest.raises(ValidationError) as refused:
        review.proposal_visibility_set(actor=s.committee, proposal=proposal, visibility="everyone")
    assert "Choose who may read the proposal" in _messages(refused)
    changed = review.proposal_visibility_set(
        actor=s.committee, proposal=proposal, visibility=Proposal.Visibility.REPRESENTATIVES
    )
    assert changed.visibility == Proposal.Visibility.REPRESENTATIVES
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.VISIBILITY)
    assert not event.is_public
    # Setting the same value again writes nothing.
    review.proposal_visibility_set(
        actor=s.committee, proposal=proposal, visibility=Proposal.Visibility.REPRESENTATIVES
    )
    assert AuditEntry.objects.filter(action="proposals.proposal.visibility_set").count() == 1
    draft = factories.make_proposal(s.session, s.rep2)
    with pytest.raises(ValidationError):
        review.proposal_visibility_set(actor=s.committee, proposal=draft, visibility="private")


def test_committee_users_are_the_reviewers_at_the_top(congress: SimpleNamespace) -> None:
    users = review.committee_users()
    assert congress.committee in users
    assert congress.logistics_staff not in users
