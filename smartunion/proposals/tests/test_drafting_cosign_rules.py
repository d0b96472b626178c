"""Drafting rules fixed after the first build (reference/domain.md §1.4, §1.7):

1. a submission after the collection window (no acceptance between sessions) becomes a late 意见建议 and
   needs no co-signers — those who accepted stay on it; the portal's checklist says so;
2. co-signers sign a text: a real change of the title, reasons or suggestions (saved or autosaved) sends
   the accepted co-signers back to an invitation, tells them, and says so on the timeline;
3. the withdrawal reason is kept as the proposal's ``decision_reason`` and shown in the console and, to
   the signatories, on the progress view.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification
from smartunion.proposals.models import Proposal, ProposalEvent, Representative, Session, Signer
from smartunion.proposals.selectors import portal as portal_selectors
from smartunion.proposals.services import drafting

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
RECONFIRM = "proposals.cosign_reconfirm"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def user_of(rep: Representative) -> Any:
    return rep.person.user


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def draft(congress: Any) -> Proposal:
    """rep1's draft with its text and category, ready but for the co-signers."""
    proposal = drafting.proposal_create(actor=user_of(congress.rep1), title="关于增设东区教工停车位的提案")
    return drafting.proposal_update(
        actor=user_of(congress.rep1),
        proposal=proposal,
        title=proposal.title,
        reasons=factories.REASONS,
        suggestions=factories.SUGGESTIONS,
        category=congress.categories["民生福利"],
    )


def invite(proposal: Proposal, rep: Representative, *, accept: bool | None = True) -> Signer:
    signer = drafting.cosigner_invite(actor=user_of(proposal.proposer), proposal=proposal, representative=rep)
    if accept is not None:
        signer = drafting.cosign_respond(actor=user_of(rep), signer=signer, accept=accept)
    return signer


def close_window(session: Session, *, between_sessions: bool = False) -> None:
    Session.objects.filter(pk=session.pk).update(
        collection_opens=timezone.now() - dt.timedelta(days=30),
        collection_closes=timezone.now() - dt.timedelta(hours=1),
        accepts_between_sessions=between_sessions,
    )


def save(proposal: Proposal, **changes: Any) -> Proposal:
    """The proposer's explicit save with the current text, ``changes`` applied."""
    proposal.refresh_from_db()
    values = {
        "title": proposal.title,
        "reasons": proposal.reasons,
        "suggestions": proposal.suggestions,
        "category": proposal.category_id,
        "suggested_office": proposal.suggested_office_id,
        **changes,
    }
    return drafting.proposal_update(actor=user_of(proposal.proposer), proposal=proposal, **values)


def statuses(proposal: Proposal) -> dict[int, str]:
    return dict(
        Signer.objects.filter(proposal=proposal, role=Signer.Role.COSIGNER).values_list(
            "representative_id", "status"
        )
    )


# -- 1. a late submission needs no co-signers ---------------------------------------------------------------


def test_late_submission_without_cosigners_becomes_a_suggestion(congress: Any, draft: Proposal) -> None:
    close_window(congress.session)
    proposal = drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert proposal.status == Status.SUBMITTED
    assert proposal.record_type == Proposal.RecordType.SUGGESTION and proposal.is_late
    assert ProposalEvent.objects.filter(proposal=proposal, kind=ProposalEvent.Kind.CONVERTED).exists()
    entry = AuditEntry.objects.get(action="proposals.proposal.submitted", target_id=str(proposal.pk))
    assert entry.changes["cosigners"] == [] and entry.changes["is_late"] is True


def test_late_submission_keeps_the_accepted_cosigners(congress: Any, draft: Proposal) -> None:
    invite(draft, congress.rep2)
    pending = invite(draft, congress.rep3, accept=None)
    declined = invite(draft, congress.rep4, accept=False)
    close_window(congress.session)
    proposal = drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert proposal.record_type == Proposal.RecordType.SUGGESTION
    assert statuses(proposal) == {congress.rep2.pk: Signer.Status.ACCEPTED, congress.rep4.pk: "declined"}
    assert not Signer.objects.filter(pk=pending.pk).exists()  # pending invitations dropped as ever
    assert Signer.objects.filter(pk=declined.pk).exists()
    assert Notification.objects.filter(recipient=user_of(congress.rep2), kind="proposals.submitted").exists()


def test_after_the_window_between_sessions_a_proposal_still_needs_cosigners(
    congress: Any, draft: Proposal
) -> None:
    close_window(congress.session, between_sessions=True)
    invite(draft, congress.rep2)
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert "needs 2 co-signers" in " ".join(error.value.messages)
    draft.refresh_from_db()
    assert draft.status == Status.SEEKING_COSIGN and draft.submitted_at is None


def test_inside_the_window_the_threshold_still_holds(congress: Any, draft: Proposal) -> None:
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=draft)
    assert "needs 2 co-signers" in " ".join(error.value.messages)


def test_submits_late_rule(congress: Any) -> None:
    session = congress.session
    assert not drafting.submits_late(session)
    assert drafting.submits_late(session, session.collection_closes + dt.timedelta(seconds=1))
    session.accepts_between_sessions = True
    assert not drafting.submits_late(session, session.collection_closes + dt.timedelta(days=1))


def test_checklist_inside_the_window_counts_the_cosigners(congress: Any, draft: Proposal) -> None:
    page = text(client_for(user_of(congress.rep1)).get(reverse("proposals:portal_detail", args=[draft.pk])))
    assert "Co-signers accepted: 0 of 2" in page and 'id="late-notice"' not in page
    assert 'id="submit" aria-disabled="true"' in page


def test_checklist_after_the_window_needs_no_cosigners(congress: Any, draft: Proposal) -> None:
    close_window(congress.session)
    client = client_for(user_of(congress.rep1))
    page = text(client.get(reverse("proposals:portal_detail", args=[draft.pk])))
    assert 'id="late-notice"' in page and "which needs no co-signers" in page
    assert "Co-signers accepted" not in page
    assert 'id="submit" aria-disabled' not in page  # ready: the button is live
    invite_page = text(client.get(reverse("proposals:portal_invite", args=[draft.pk])))
    assert 'id="late-notice"' in invite_page and "needed" not in invite_page
    new_page = text(client.get(reverse("proposals:portal_new")))
    assert "needs no co-signers" in new_page and "before it is submitted" not in new_page
    response = client.post(reverse("proposals:portal_submit", args=[draft.pk]), follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.is_late


# -- 2. co-signers sign a text ---------------------------------------------------------------------------


@pytest.fixture
def cosigned(congress: Any, draft: Proposal) -> Proposal:
    """The draft with rep2 and rep3 accepted, rep4 invited and not answering."""
    invite(draft, congress.rep2)
    invite(draft, congress.rep3)
    invite(draft, congress.rep4, accept=None)
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize("field", ["title", "reasons", "suggestions"])
def test_changing_the_text_asks_the_cosigners_again(congress: Any, cosigned: Proposal, field: str) -> None:
    new_text = {"title": "关于增设东区停车场的提案", "reasons": factories.REASONS + "补充说明。"}
    save(cosigned, **{field: new_text.get(field, factories.SUGGESTIONS + "另建议错峰停车。")})
    assert statuses(cosigned) == {
        congress.rep2.pk: Signer.Status.INVITED,
        congress.rep3.pk: Signer.Status.INVITED,
        congress.rep4.pk: Signer.Status.INVITED,
    }
    assert not Signer.objects.filter(
        proposal=cosigned, role=Signer.Role.COSIGNER, responded_at__isnull=False
    ).exists()
    for rep in (congress.rep2, congress.rep3):
        note = Notification.objects.get(recipient=user_of(rep), kind=RECONFIRM)
        assert "has changed: please confirm your co-signature (附议) again" in note.title
        assert note.link == reverse("proposals:portal_detail", args=[cosigned.pk])
    assert not Notification.objects.filter(recipient=user_of(congress.rep4), kind=RECONFIRM).exists()
    event = ProposalEvent.objects.get(proposal=cosigned, kind=ProposalEvent.Kind.RECONFIRM)
    assert event.is_public and event.actor == user_of(congress.rep1)
    assert str(congress.rep2.person) in event.text and str(congress.rep3.person) in event.text
    assert str(congress.rep4.person) not in event.text
    entry = AuditEntry.objects.get(action="proposals.cosigner.reconfirm", target_id=str(cosigned.pk))
    assert len(entry.changes["cosigners_to_confirm"]) == 2 and len(entry.changes["text_changed"]) == 1


def test_saving_the_same_text_or_other_fields_keeps_the_acceptances(
    congress: Any, cosigned: Proposal
) -> None:
    save(cosigned)
    save(cosigned, reasons=f"  {factories.REASONS}\n")  # the same text with spaces around it
    save(cosigned, category=congress.categories["其他"].pk, suggested_office=congress.hr.pk)
    drafting.proposal_autosave(
        actor=user_of(congress.rep1),
        proposal=cosigned,
        data={"title": cosigned.title, "reasons": factories.REASONS, "suggestions": factories.SUGGESTIONS},
    )
    assert statuses(cosigned)[congress.rep2.pk] == Signer.Status.ACCEPTED
    assert statuses(cosigned)[congress.rep3.pk] == Signer.Status.ACCEPTED
    assert not Notification.objects.filter(kind=RECONFIRM).exists()
    assert not ProposalEvent.objects.filter(kind=ProposalEvent.Kind.RECONFIRM).exists()
    assert not AuditEntry.objects.filter(action="proposals.cosigner.reconfirm").exists()


def test_autosave_that_changes_the_text_asks_once(congress: Any, cosigned: Proposal) -> None:
    proposer = user_of(congress.rep1)
    drafting.proposal_autosave(actor=proposer, proposal=cosigned, data={"suggestions": "建议增建立体停车场"})
    assert statuses(cosigned)[congress.rep2.pk] == Signer.Status.INVITED
    assert Notification.objects.filter(kind=RECONFIRM).count() == 2
    # Typing on: nobody has accepted the new text yet, so nobody is asked twice.
    drafting.proposal_autosave(
        actor=proposer, proposal=cosigned, data={"suggestions": "建议增建立体停车场，并规划临时停车区域"}
    )
    save(cosigned, suggestions="建议增建立体停车场，并规划临时停车区域，加强巡查管理。")
    assert Notification.objects.filter(kind=RECONFIRM).count() == 2
    assert ProposalEvent.objects.filter(proposal=cosigned, kind=ProposalEvent.Kind.RECONFIRM).count() == 1


def test_reconfirmed_cosigners_must_accept_again_before_submission(congress: Any, cosigned: Proposal) -> None:
    save(cosigned, reasons=factories.REASONS + "补充说明。")
    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=cosigned)
    assert "it has 0" in " ".join(error.value.messages)
    # The request is back under 待附议, and accepting the new text works.
    invitations = portal_selectors.invitations_of(congress.rep2.person)
    assert [s.proposal_id for s in invitations] == [cosigned.pk]
    for rep in (congress.rep2, congress.rep3):
        signer = Signer.objects.get(proposal=cosigned, representative=rep)
        drafting.cosign_respond(actor=user_of(rep), signer=signer, accept=True)
    assert (
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=cosigned).status == Status.SUBMITTED
    )


def test_a_change_without_accepted_cosigners_writes_nothing(congress: Any, draft: Proposal) -> None:
    invite(draft, congress.rep2, accept=False)
    save(draft, reasons=factories.REASONS + "补充说明。")
    assert statuses(draft) == {congress.rep2.pk: Signer.Status.DECLINED}
    assert not ProposalEvent.objects.filter(kind=ProposalEvent.Kind.RECONFIRM).exists()
    assert not Notification.objects.filter(kind=RECONFIRM).exists()


def test_edit_page_warns_before_the_change(congress: Any, cosigned: Proposal) -> None:
    client = client_for(user_of(congress.rep1))
    page = text(client.get(reverse("proposals:portal_edit", args=[cosigned.pk])))
    assert 'id="reconfirm-notice"' in page and "2 co-signers have accepted this text" in page
    client.post(
        reverse("proposals:portal_autosave", args=[cosigned.pk]),
        {"reasons": factories.REASONS + "补充。"},
        HTTP_HX_REQUEST="true",
    )
    assert statuses(cosigned)[congress.rep2.pk] == Signer.Status.INVITED
    page = text(client.get(reverse("proposals:portal_edit", args=[cosigned.pk])))
    assert 'id="reconfirm-notice"' not in page
    # The proposer reads it on the timeline; the co-signer is asked again on the same page.
    detail = text(client.get(reverse("proposals:portal_detail", args=[cosigned.pk])))
    assert "Text changed: co-signers asked to confirm again" in detail
    again = text(
        client_for(user_of(congress.rep2)).get(reverse("proposals:portal_detail", args=[cosigned.pk]))
    )
    assert 'id="cosign-accept"' in again


# -- 3. the withdrawal reason ---------------------------------------------------------------------------


def test_withdrawal_reason_is_the_decision_reason(congress: Any) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=Status.SUBMITTED, cosigners=[congress.rep2]
    )
    drafting.proposal_withdraw(
        actor=user_of(congress.rep1), proposal=proposal, reason="问题已通过其他渠道解决"
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN and proposal.decision_reason == "问题已通过其他渠道解决"
    console = text(
        client_for(congress.committee).get(reverse("proposals:console_detail", args=[proposal.pk]))
    )
    assert "Reason for withdrawing (撤回)" in console and "问题已通过其他渠道解决" in console
    for rep in (congress.rep1, congress.rep2):  # the proposer and the co-signer
        page = text(client_for(user_of(rep)).get(reverse("proposals:portal_detail", args=[proposal.pk])))
        assert 'id="withdrawal-reason"' in page and "问题已通过其他渠道解决" in page


def test_withdrawal_reason_is_not_shown_to_other_members(congress: Any) -> None:
    proposal = factories.make_proposal(congress.session, congress.rep1, status=Status.ACCEPTED)
    drafting.proposal_withdraw(actor=user_of(congress.rep1), proposal=proposal, reason="个人原因撤回")
    response = client_for(user_of(congress.rep4)).get(reverse("proposals:portal_detail", args=[proposal.pk]))
    assert response.status_code in (200, 404)
    assert "个人原因撤回" not in text(response)


def test_a_failed_withdrawal_keeps_the_decision_reason(congress: Any) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=Status.ASSIGNED, lead=congress.logistics
    )
    Proposal.objects.filter(pk=proposal.pk).update(decision_reason="立案说明")
    with pytest.raises(ValidationError):
        drafting.proposal_withdraw(actor=user_of(congress.rep1), proposal=proposal, reason="不需要了")
    proposal.refresh_from_db()
    assert proposal.decision_reason == "立案说明" and proposal.status == Status.ASSIGNED
