"""Drafting (征集): who may propose, collective proposals, autosave, the draft's rules, co-signing (附议),
attachments, submission with the window and late rules, withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification
from smartunion.proposals.models import Attachment, Proposal, ProposalEvent, Representative, Session, Signer
from smartunion.proposals.services import drafting

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status

PDF = b"%PDF-1.4 test"
DOCX = b"PK\x03\x04 docx body"
REASONS = (
    "东区教工宿舍楼附近停车位严重不足，早晚高峰车辆乱停乱放，影响消防通道畅通和行人安全，教职工反映强烈。"
)
SUGGESTIONS = "建议在东区空地增建立体停车场，并规划临时停车区域，加强巡查管理。"


def user_of(rep: Representative) -> Any:
    return rep.person.user


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


@pytest.fixture
def draft(congress: Any) -> Proposal:
    return drafting.proposal_create(actor=user_of(congress.rep1), title="关于增设东区教工停车位的提案")


def fill(proposal: Proposal, congress: Any, **overrides: Any) -> Proposal:
    values = {
        "title": proposal.title,
        "reasons": REASONS,
        "suggestions": SUGGESTIONS,
        "category": congress.categories["民生福利"].pk,
        "suggested_office": congress.logistics.pk,
        **overrides,
    }
    return drafting.proposal_update(actor=user_of(proposal.proposer), proposal=proposal, **values)


def cosign(proposal: Proposal, *reps: Representative) -> None:
    for rep in reps:
        signer = drafting.cosigner_invite(
            actor=user_of(proposal.proposer), proposal=proposal, representative=rep
        )
        drafting.cosign_respond(actor=user_of(rep), signer=signer, accept=True)


# -- creating ------------------------------------------------------------------------------------------


def test_a_full_representative_starts_a_draft(congress: Any) -> None:
    proposal = drafting.proposal_create(actor=user_of(congress.rep1), title="  关于增设停车位的提案 ")
    assert proposal.status == Status.DRAFT
    assert proposal.session == congress.session
    assert proposal.title == "关于增设停车位的提案"
    assert proposal.kind == Proposal.Kind.INDIVIDUAL and proposal.delegation is None
    signer = proposal.signers.get()
    assert signer.role == Signer.Role.PROPOSER and signer.status == Signer.Status.ACCEPTED
    assert ProposalEvent.objects.filter(proposal=proposal, kind=ProposalEvent.Kind.CREATED).exists()
    assert AuditEntry.objects.filter(action="proposals.proposal.created", target_id=str(proposal.pk)).exists()


@pytest.mark.parametrize("who", ["outsider", "observer", "inactive", "committee"])
def test_non_representatives_are_refused(congress: Any, who: str) -> None:
    if who == "outsider":
        user = congress.outsider.user
    elif who == "observer":
        user = user_of(congress.observer)
    elif who == "inactive":
        Representative.objects.filter(pk=congress.rep2.pk).update(is_active=False)
        user = user_of(congress.rep2)
    else:
        user = congress.committee
    with pytest.raises(ValidationError) as error:
        drafting.proposal_create(actor=user, title="关于食堂的提案")
    assert "意见反馈" in messages_of(error)
    assert not Proposal.objects.exists()


def test_no_session_is_refused(congress: Any) -> None:
    Session.objects.update(
        collection_opens=timezone.now() + dt.timedelta(days=1),
        collection_closes=timezone.now() + dt.timedelta(days=9),
    )
    with pytest.raises(ValidationError) as error:
        drafting.proposal_create(actor=user_of(congress.rep1), title="关于食堂的提案")
    assert "No congress session is collecting proposals" in messages_of(error)


def test_title_is_required_and_limited(congress: Any) -> None:
    with pytest.raises(ValidationError) as error:
        drafting.proposal_create(actor=user_of(congress.rep1), title="   ")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        drafting.proposal_create(actor=user_of(congress.rep1), title="长" * 61)
    assert "61 characters" in error.value.message_dict["title"][0]


def test_collective_only_for_the_delegation_leader(congress: Any) -> None:
    with pytest.raises(ValidationError) as error:
        drafting.proposal_create(
            actor=user_of(congress.rep1), title="集体提案", kind=Proposal.Kind.COLLECTIVE
        )
    assert "delegation leader" in error.value.message_dict["kind"][0]
    Representative.objects.filter(pk=congress.rep1.pk).update(is_delegation_leader=True)
    proposal = drafting.proposal_create(
        actor=user_of(congress.rep1), title="集体提案", kind=Proposal.Kind.COLLECTIVE
    )
    assert proposal.delegation == congress.rep1.delegation


def test_bad_kind_is_refused(congress: Any) -> None:
    with pytest.raises(ValidationError) as error:
        drafting.proposal_create(actor=user_of(congress.rep1), title="提案", kind="group")
    assert "kind" in error.value.message_dict


# -- autosave and update -----------------------------------------------------------------------------


def test_autosave_keeps_partial_text_without_length_rules(draft: Proposal, congress: Any) -> None:
    saved = drafting.proposal_autosave(
        actor=user_of(congress.rep1),
        proposal=draft,
        data={"reasons": "太短", "category": "not-a-number", "suggested_office": "999999", "title": ""},
    )
    saved.refresh_from_db()
    assert saved.reasons == "太短"
    assert saved.title == "关于增设东区教工停车位的提案"  # an emptied title is not saved
    assert saved.category is None and saved.suggested_office is None
    assert saved.autosaved_at is not None
    drafting.proposal_autosave(
        actor=user_of(congress.rep1), proposal=draft, data={"category": congress.categories["其他"].pk}
    )
    draft.refresh_from_db()
    assert draft.category == congress.categories["其他"]


def test_autosave_only_by_the_proposer_and_only_drafts(draft: Proposal, congress: Any) -> None:
    with pytest.raises(ValidationError) as error:
        drafting.proposal_autosave(actor=user_of(congress.rep2), proposal=draft, data={"reasons": "x"})
    assert "Only the proposer" in messages_of(error)
    Proposal.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_autosave(actor=user_of(congress.rep1), proposal=draft, data={"reasons": "x"})
    assert "cannot be done while the proposal is" in messages_of(error)


def test_update_checks_category_office_and_maximum(draft: Proposal, congress: Any) -> None:
    major = congress.categories["民生福利"].parent
    with pytest.raises(ValidationError) as error:
        fill(draft, congress, category=major.pk, suggested_office=987654, reasons="长" * 3001)
    errors = error.value.message_dict
    assert "subclass" in errors["category"][0]
    assert "handling office" in errors["suggested_office"][0]
    assert "3001 characters" in errors["reasons"][0]
    draft.refresh_from_db()
    assert draft.reasons == ""  # nothing half-applied
    fill(draft, congress)
    draft.refresh_from_db()
    assert draft.category == congress.categories["民生福利"] and draft.suggested_office == congress.logistics
    assert AuditEntry.objects.filter(action="proposals.proposal.updated").exists()


def test_update_refuses_inactive_category(draft: Proposal, congress: Any) -> None:
    congress.categories["其他"].__class__.objects.filter(pk=congress.categories["其他"].pk).update(
        is_active=False
    )
    with pytest.raises(ValidationError) as error:
        fill(draft, congress, category=congress.categories["其他"].pk)
    assert "category" in error.value.message_dict


# -- co-signing ---------------------------------------------------------------------------------------


def test_invite_moves_to_seeking_and_notifies(draft: Proposal, congress: Any) -> None:
    signer = drafting.cosigner_invite(
        actor=user_of(congress.rep1), proposal=draft, representative=congress.rep3
    )
    draft.refresh_from_db()
    assert draft.status == Status.SEEKING_COSIGN
    assert signer.status == Signer.Status.INVITED and signer.role == Signer.Role.COSIGNER
    note = Notification.objects.get(recipient=user_of(congress.rep3))
    assert "co-sign" in note.title and note.link.endswith(f"/m/proposals/{draft.pk}/")


@pytest.mark.parametrize("case", ["self", "twice", "observer", "inactive", "other_term", "not_proposer"])
def test_invite_refusals(draft: Proposal, congress: Any, tree: Any, case: str) -> None:
    actor = user_of(congress.rep1)
    rep = congress.rep2
    if case == "self":
        rep = congress.rep1
    elif case == "twice":
        drafting.cosigner_invite(actor=actor, proposal=draft, representative=rep)
    elif case == "observer":
        rep = congress.observer
    elif case == "inactive":
        Representative.objects.filter(pk=rep.pk).update(is_active=False)
        rep.refresh_from_db()
    elif case == "other_term":
        other = factories.make_session(congress_number=4, number=1)
        delegation = factories.make_delegation(other.congress, "旧代表团", tree.a)
        rep = factories.make_representative(other.congress, delegation, unit=tree.a, name="旧代表")
    elif case == "not_proposer":
        actor = user_of(congress.rep2)
        rep = congress.rep3
    before = Signer.objects.count()
    with pytest.raises(ValidationError) as error:
        drafting.cosigner_invite(actor=actor, proposal=draft, representative=rep)
    expected = {
        "self": "cannot co-sign your own",
        "twice": "already been invited",
        "observer": "not a serving full representative",
        "inactive": "not a serving full representative",
        "other_term": "not a serving full representative",
        "not_proposer": "Only the proposer",
    }[case]
    assert expected in messages_of(error)
    assert Signer.objects.count() == before


def test_collective_needs_no_cosigners(congress: Any) -> None:
    Representative.objects.filter(pk=congress.rep1.pk).update(is_delegation_leader=True)
    proposal = drafting.proposal_create(
        actor=user_of(congress.rep1), title="集体提案", kind=Proposal.Kind.COLLECTIVE
    )
    with pytest.raises(ValidationError) as error:
        drafting.cosigner_invite(
            actor=user_of(congress.rep1), proposal=proposal, representative=congress.rep2
        )
    assert "needs no co-signers" in messages_of(error)
    fill(proposal, congress)
    drafting.proposal_submit(actor=user_of(congress.rep1), proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED


def test_respond_accept_decline_and_change_of_mind(draft: Proposal, congress: Any) -> None:
    signer = drafting.cosigner_invite(
        actor=user_of(congress.rep1), proposal=draft, representative=congress.rep3
    )
    drafting.cosign_respond(actor=user_of(congress.rep3), signer=signer, accept=True)
    signer.refresh_from_db()
    assert signer.status == Signer.Status.ACCEPTED and signer.responded_at
    assert Notification.objects.filter(
        recipient=user_of(congress.rep1), kind="proposals.cosign_answered"
    ).exists()
    with pytest.raises(ValidationError) as error:
        drafting.cosign_respond(actor=user_of(congress.rep3), signer=signer, accept=True)
    assert "already accepted" in messages_of(error)
    drafting.cosign_respond(actor=user_of(congress.rep3), signer=signer, accept=False)
    signer.refresh_from_db()
    assert signer.status == Signer.Status.DECLINED
    assert ProposalEvent.objects.filter(proposal=draft, kind=ProposalEvent.Kind.DECLINED).exists()


def test_only_the_invitee_answers(draft: Proposal, congress: Any) -> None:
    signer = drafting.cosigner_invite(
        actor=user_of(congress.rep1), proposal=draft, representative=congress.rep3
    )
    for user in (user_of(congress.rep4), user_of(congress.rep1), congress.committee):
        with pytest.raises(ValidationError) as error:
            drafting.cosign_respond(actor=user, signer=signer, accept=True)
        assert "Only the representative invited" in messages_of(error)
    proposer_signer = draft.signers.get(role=Signer.Role.PROPOSER)
    with pytest.raises(ValidationError):
        drafting.cosign_respond(actor=user_of(congress.rep1), signer=proposer_signer, accept=False)


def test_an_invitee_who_stopped_serving_cannot_accept(draft: Proposal, congress: Any) -> None:
    signer = drafting.cosigner_invite(
        actor=user_of(congress.rep1), proposal=draft, representative=congress.rep3
    )
    Representative.objects.filter(pk=congress.rep3.pk).update(is_active=False)
    with pytest.raises(ValidationError) as error:
        drafting.cosign_respond(actor=user_of(congress.rep3), signer=signer, accept=True)
    assert "意见反馈" in messages_of(error)


# -- attachments ----------------------------------------------------------------------------------------


def test_attachments_add_and_remove(draft: Proposal, congress: Any) -> None:
    actor = user_of(congress.rep1)
    pdf = drafting.attachment_add(actor=actor, proposal=draft, name="现场照片.pdf", data=PDF)
    docx = drafting.attachment_add(actor=actor, proposal=draft, name="测算表.docx", data=DOCX)
    assert pdf.content_type == "application/pdf" and pdf.size == len(PDF)
    assert docx.content_type.endswith("wordprocessingml.document")
    drafting.attachment_remove(actor=actor, attachment=pdf)
    assert list(draft.attachments.values_list("name", flat=True)) == ["测算表.docx"]
    assert AuditEntry.objects.filter(action="proposals.attachment.removed").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("程序.exe", b"MZ", "is not accepted"),
        ("空.pdf", b"", "is empty"),
        ("假的.pdf", b"not a pdf", "its content is not"),
        ("大.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "at most 10 MB"),
    ],
)
def test_bad_attachments_are_refused(
    draft: Proposal, congress: Any, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        drafting.attachment_add(actor=user_of(congress.rep1), proposal=draft, name=name, data=data)
    assert message in messages_of(error)
    assert not Attachment.objects.exists()


def test_attachments_limit_and_who(draft: Proposal, congress: Any) -> None:
    for i in range(drafting.ATTACHMENTS_PER_PROPOSAL):
        drafting.attachment_add(actor=user_of(congress.rep1), proposal=draft, name=f"{i}.pdf", data=PDF)
    with pytest.raises(ValidationError) as error:
        drafting.attachment_add(actor=user_of(congress.rep1), proposal=draft, name="more.pdf", data=PDF)
    assert "10 attachments at most" in messages_of(error)
    with pytest.raises(ValidationError):
        drafting.attachment_add(actor=user_of(congress.rep2), proposal=draft, name="x.pdf", data=PDF)
    attachment = draft.attachments.first()
    Proposal.objects.filter(pk=draft.pk).update(status=Status.SUBMITTED)
    with pytest.raises(ValidationError):
        drafting.attachment_remove(actor=user_of(congress.rep1), attachment=attachment)
    assert draft.attachments.count() == drafting.ATTACHMENTS_PER_PROPOSAL


# -- submission -----------------------------------------------------------------------------------------


def test_submit_inside_the_window(draft: Proposal, congress: Any) -> None:
    fill(draft, congress)
    cosign(draft, congress.rep2, congress.rep3)
    pending = drafting.cosigner_invite(
        actor=user_of(congress.rep1), proposal=draft, representative=congress.rep4
    )
    proposal = drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert proposal.status == Status.SUBMITTED
    assert proposal.record_type == Proposal.RecordType.PROPOSAL and not proposal.is_late
    assert proposal.submitted_at is not None
    assert not Signer.objects.filter(pk=pending.pk).exists()  # pending invitation dropped
    assert Notification.objects.filter(recipient=congress.committee, kind="proposals.submitted").exists()
    assert Notification.objects.filter(recipient=user_of(congress.rep2), kind="proposals.submitted").exists()
    entry = AuditEntry.objects.get(action="proposals.proposal.submitted")
    assert entry.changes["invitations_dropped"] == [str(congress.rep4.person)]
    # Co-signers are locked now.
    accepted = Signer.objects.get(proposal=proposal, representative=congress.rep2)
    with pytest.raises(ValidationError) as error:
        drafting.cosign_respond(actor=user_of(congress.rep2), signer=accepted, accept=False)
    assert "co-signers are locked" in messages_of(error)
    with pytest.raises(ValidationError):
        drafting.cosigner_invite(
            actor=user_of(congress.rep1), proposal=proposal, representative=congress.rep4
        )


def test_submit_needs_enough_accepted_cosigners(draft: Proposal, congress: Any) -> None:
    fill(draft, congress)
    cosign(draft, congress.rep2)
    signer = drafting.cosigner_invite(
        actor=user_of(congress.rep1), proposal=draft, representative=congress.rep3
    )
    drafting.cosign_respond(actor=user_of(congress.rep3), signer=signer, accept=False)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert "needs 2 co-signers" in messages_of(error) and "it has 1" in messages_of(error)
    draft.refresh_from_db()
    assert draft.status == Status.SEEKING_COSIGN
    # A co-signer who stopped serving does not count.
    cosign(draft, congress.rep4)
    Representative.objects.filter(pk=congress.rep4.pk).update(is_active=False)
    with pytest.raises(ValidationError):
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)


def test_session_threshold_is_data(draft: Proposal, congress: Any) -> None:
    Session.objects.filter(pk=congress.session.pk).update(cosigners_required=0)
    fill(draft, congress)
    assert drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft).status == Status.SUBMITTED


def test_submit_checks_lengths_and_category(draft: Proposal, congress: Any) -> None:
    cosign(draft, congress.rep2, congress.rep3)
    drafting.proposal_autosave(
        actor=user_of(congress.rep1), proposal=draft, data={"reasons": "太短", "suggestions": ""}
    )
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    errors = error.value.message_dict
    assert "write at least 50" in errors["reasons"][0]
    assert "write at least 30" in errors["suggestions"][0]
    assert "category" in errors["category"][0]
    fill(draft, congress, reasons="长" * 61)
    Session.objects.filter(pk=congress.session.pk).update(reasons_max_chars=60)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert "shorten them to 60" in error.value.message_dict["reasons"][0]


def test_submit_after_the_window_becomes_a_late_suggestion(draft: Proposal, congress: Any) -> None:
    fill(draft, congress)
    cosign(draft, congress.rep2, congress.rep3)
    Session.objects.filter(pk=congress.session.pk).update(
        collection_opens=timezone.now() - dt.timedelta(days=30),
        collection_closes=timezone.now() - dt.timedelta(hours=1),
    )
    proposal = drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert proposal.status == Status.SUBMITTED
    assert proposal.record_type == Proposal.RecordType.SUGGESTION and proposal.is_late
    assert ProposalEvent.objects.filter(proposal=proposal, kind=ProposalEvent.Kind.CONVERTED).exists()


def test_submit_between_sessions_stays_a_proposal(draft: Proposal, congress: Any) -> None:
    fill(draft, congress)
    cosign(draft, congress.rep2, congress.rep3)
    Session.objects.filter(pk=congress.session.pk).update(
        collection_opens=timezone.now() - dt.timedelta(days=30),
        collection_closes=timezone.now() - dt.timedelta(hours=1),
        accepts_between_sessions=True,
    )
    proposal = drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert proposal.record_type == Proposal.RecordType.PROPOSAL and not proposal.is_late


def test_submit_refusals(draft: Proposal, congress: Any) -> None:
    fill(draft, congress)
    cosign(draft, congress.rep2, congress.rep3)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep2), proposal=draft)
    assert "Only the proposer" in messages_of(error)
    Representative.objects.filter(pk=congress.rep1.pk).update(is_active=False)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert "意见反馈" in messages_of(error)
    Representative.objects.filter(pk=congress.rep1.pk).update(is_active=True)
    drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert "cannot be done while the proposal is" in messages_of(error)


# -- withdrawal ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SEEKING_COSIGN, Status.SUBMITTED, Status.ACCEPTED])
def test_withdraw_by_the_proposer(congress: Any, status: str) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=status, cosigners=[congress.rep2]
    )
    drafting.proposal_withdraw(
        actor=user_of(congress.rep1), proposal=proposal, reason="问题已通过其他渠道解决"
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN
    event = ProposalEvent.objects.get(proposal=proposal, kind=ProposalEvent.Kind.WITHDRAWN)
    assert event.text == "问题已通过其他渠道解决" and event.is_public
    committee_told = Notification.objects.filter(
        recipient=congress.committee, kind="proposals.withdrawn"
    ).exists()
    assert committee_told == (status in (Status.SUBMITTED, Status.ACCEPTED))


@pytest.mark.parametrize(
    "status", [Status.ASSIGNED, Status.REPLIED, Status.CLOSED, Status.REJECTED, Status.WITHDRAWN]
)
def test_withdraw_refused_once_handled_or_ended(congress: Any, status: str) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=status, lead=congress.logistics
    )
    with pytest.raises(ValidationError):
        drafting.proposal_withdraw(actor=user_of(congress.rep1), proposal=proposal, reason="不需要了")
    proposal.refresh_from_db()
    assert proposal.status == status


def test_withdraw_needs_a_reason_and_the_proposer(congress: Any) -> None:
    proposal = factories.make_proposal(congress.session, congress.rep1, status=Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_withdraw(actor=user_of(congress.rep1), proposal=proposal, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        drafting.proposal_withdraw(actor=user_of(congress.rep2), proposal=proposal, reason="代为撤回")
    assert "Only the proposer" in messages_of(error)
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
