"""Fixes of the proposals review (/tmp/review_proposals.md), findings 1, 2, 3, 12 and 13:

1. a draft withdrawn before submission stays out of the console (list, tabs, detail, attachments,
   visibility);
2. a member reading a proposal on the board sees its stages only, not the ratings, comments, the names
   of who declined to co-sign or why it was withdrawn;
3. an invitee who declined loses access once the proposal is submitted (private proposals, attachments);
12. the readiness panel and the submission count the same co-signers (accepted and still serving);
13. a collective proposal is submitted only by the delegation's current leader (团长).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from smartunion.proposals.models import Attachment, Proposal, ProposalEvent, Representative, Signer
from smartunion.proposals.selectors import access
from smartunion.proposals.selectors import console as console_selectors
from smartunion.proposals.selectors import portal as portal_selectors
from smartunion.proposals.services import drafting, evaluation, review

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
PDF = b"%PDF-1.4 test"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def user_of(rep: Representative) -> Any:
    return rep.person.user


def write(proposal: Proposal, congress: Any) -> None:
    """Fill the draft so the length rules and the category pass."""
    drafting.proposal_update(
        actor=user_of(proposal.proposer),
        proposal=proposal,
        title=proposal.title,
        reasons=factories.REASONS,
        suggestions=factories.SUGGESTIONS,
        category=congress.categories["民生福利"],
    )


def invite(proposal: Proposal, rep: Representative, *, accept: bool | None) -> Signer:
    signer = drafting.cosigner_invite(actor=user_of(proposal.proposer), proposal=proposal, representative=rep)
    if accept is not None:
        signer = drafting.cosign_respond(actor=user_of(rep), signer=signer, accept=accept)
    return signer


# -- 1. withdrawn drafts stay out of the console -----------------------------------------------------


@pytest.fixture
def withdrawn_draft(congress: Any) -> tuple[Proposal, Attachment]:
    """rep1 starts a draft, attaches a file, invites rep2, has second thoughts and withdraws it."""
    proposal = drafting.proposal_create(actor=user_of(congress.rep1), title="关于私人草稿不应外泄的提案")
    write(proposal, congress)
    attachment = drafting.attachment_add(
        actor=user_of(congress.rep1), proposal=proposal, name="草稿材料.pdf", data=PDF
    )
    invite(proposal, congress.rep2, accept=None)
    proposal = drafting.proposal_withdraw(actor=user_of(congress.rep1), proposal=proposal, reason="再想想")
    assert proposal.status == Status.WITHDRAWN and proposal.submitted_at is None
    return proposal, attachment


def test_console_queryset_leaves_out_a_draft_withdrawn_before_submission(
    congress: Any, withdrawn_draft: tuple[Proposal, Attachment]
) -> None:
    draft, _attachment = withdrawn_draft
    submitted = factories.make_proposal(congress.session, congress.rep2, status=Status.WITHDRAWN)
    assert submitted.submitted_at is not None
    for user in (congress.committee, congress.leader):
        visible = set(access.console_queryset(user).values_list("pk", flat=True))
        assert draft.pk not in visible
        assert submitted.pk in visible  # withdrawn after submission: the committee had it
    counts = console_selectors.console_counts(user=congress.committee)
    assert counts["other"] == 1 and counts["all"] == 1


def test_console_pages_do_not_show_a_withdrawn_draft(
    congress: Any, withdrawn_draft: tuple[Proposal, Attachment]
) -> None:
    draft, attachment = withdrawn_draft
    committee = client_for(congress.committee)
    for tab in ("all", "other"):
        response = committee.get(reverse("proposals:console_list"), {"tab": tab})
        assert response.status_code == 200
        assert "关于私人草稿不应外泄的提案" not in text(response)
    assert committee.get(reverse("proposals:console_detail", args=[draft.pk])).status_code == 404
    assert committee.get(reverse("proposals:console_attachment", args=[attachment.pk])).status_code == 404
    response = committee.post(
        reverse("proposals:console_visibility", args=[draft.pk]), {"visibility": "private"}
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.visibility == Proposal.Visibility.PUBLIC
    # The proposer still has it.
    proposer = client_for(user_of(congress.rep1))
    assert proposer.get(reverse("proposals:portal_detail", args=[draft.pk])).status_code == 200


# -- 2. the board's readers see the stages, not the signers' timeline ---------------------------------


@pytest.fixture
def rated(congress: Any) -> Proposal:
    """A public proposal the proposer rated 不满意 with a comment; rep4 had declined to co-sign it."""
    proposal = factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.REPLIED,
        lead=congress.logistics,
        cosigners=[congress.rep2, congress.rep3],
    )
    Signer.objects.create(
        proposal=proposal,
        representative=congress.rep4,
        role=Signer.Role.COSIGNER,
        status=Signer.Status.DECLINED,
    )
    for kind, event_text in (
        (ProposalEvent.Kind.CREATED, ""),
        (ProposalEvent.Kind.COSIGNED, "代表2"),
        (ProposalEvent.Kind.DECLINED, "代表4"),
        (ProposalEvent.Kind.SUBMITTED, ""),
        (ProposalEvent.Kind.ACCEPTED, "Accepted (立案) as proposal No. 5-2-001."),
        (ProposalEvent.Kind.ASSIGNED, "Lead office (主办): 后勤管理处."),
        (ProposalEvent.Kind.REPLIED, "后勤管理处 replied: A"),
    ):
        ProposalEvent.objects.create(proposal=proposal, kind=kind, text=event_text)
    evaluation.evaluation_submit(
        actor=user_of(congress.rep1),
        proposal=proposal,
        attitude="unsatisfied",
        result="unsatisfied",
        comment="后勤处长态度敷衍",
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.UNSATISFIED
    return proposal


def test_board_reader_sees_the_stages_only(congress: Any, rated: Proposal) -> None:
    page = text(client_for(congress.outsider.user).get(reverse("proposals:portal_detail", args=[rated.pk])))
    assert "Accepted (立案) as proposal No. 5-2-001." in page  # the stages are public
    assert "后勤管理处 replied: A" in page
    assert "后勤处长态度敷衍" not in page  # the comment
    assert "办理态度" not in page  # the ratings
    assert "代表4" not in page  # who declined
    assert "Co-signing declined" not in page and "Draft started" not in page


def test_declined_invitee_reading_the_board_sees_no_ratings(congress: Any, rated: Proposal) -> None:
    response = client_for(user_of(congress.rep4)).get(reverse("proposals:portal_detail", args=[rated.pk]))
    assert response.status_code == 200  # a public proposal, on the board for every member
    page = text(response)
    assert "后勤处长态度敷衍" not in page and "办理态度" not in page
    assert "rated: attitude" not in page


def test_signers_see_the_whole_public_timeline(congress: Any, rated: Proposal) -> None:
    for rep in (congress.rep1, congress.rep2):
        page = text(client_for(user_of(rep)).get(reverse("proposals:portal_detail", args=[rated.pk])))
        assert "后勤处长态度敷衍" in page and "办理态度" in page
        assert "rated: attitude" in page


def test_public_events_hide_the_committees_notes_from_board_readers(congress: Any) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=Status.CLOSED, lead=congress.logistics
    )
    ProposalEvent.objects.create(
        proposal=proposal, kind="rehandling", text="Round 2: 后勤管理处.\n处长不作为"
    )
    ProposalEvent.objects.create(proposal=proposal, kind="closed", text="提案人仍不满意，但已尽力")
    ProposalEvent.objects.create(proposal=proposal, kind="withdrawn", text="撤回理由")
    ProposalEvent.objects.create(proposal=proposal, kind="supervision", text="内部", is_public=False)
    outside = portal_selectors.public_events(proposal, signatory=False)
    assert [e.kind for e in outside] == ["rehandling", "closed"]
    assert all(e.text == "" for e in outside)
    inside = portal_selectors.public_events(proposal, signatory=True)
    assert [e.kind for e in inside] == ["rehandling", "closed", "withdrawn"]
    assert inside[0].text.endswith("处长不作为")
    # Nothing was saved by hiding the text.
    assert ProposalEvent.objects.get(proposal=proposal, kind="closed").text == "提案人仍不满意，但已尽力"


# -- 3. an invitee who declined loses access once it is submitted ---------------------------------------


def test_declined_invitee_loses_access_after_submission(congress: Any) -> None:
    proposal = drafting.proposal_create(actor=user_of(congress.rep1), title="关于调整职称评审办法的提案")
    write(proposal, congress)
    attachment = drafting.attachment_add(
        actor=user_of(congress.rep1), proposal=proposal, name="材料.pdf", data=PDF
    )
    invite(proposal, congress.rep2, accept=True)
    invite(proposal, congress.rep3, accept=True)
    invite(proposal, congress.rep4, accept=False)
    declined = client_for(user_of(congress.rep4))
    detail = reverse("proposals:portal_detail", args=[proposal.pk])
    download = reverse("proposals:portal_attachment", args=[attachment.pk])
    # Before the submission they may still change their mind, so they may read it.
    assert declined.get(detail).status_code == 200
    assert proposal.pk in set(access.own_queryset(user_of(congress.rep4)).values_list("pk", flat=True))

    drafting.proposal_submit(actor=user_of(congress.rep1), proposal=proposal)
    review.proposal_accept(actor=congress.committee, proposal=proposal)
    review.proposal_visibility_set(
        actor=congress.committee, proposal=proposal, visibility=Proposal.Visibility.PRIVATE
    )

    assert declined.get(detail).status_code == 404
    assert declined.get(download).status_code == 404
    assert proposal.pk not in set(access.own_queryset(user_of(congress.rep4)).values_list("pk", flat=True))
    for rep in (congress.rep1, congress.rep2):  # the proposer and an accepted co-signer keep it
        client = client_for(user_of(rep))
        assert client.get(detail).status_code == 200
        assert client.get(download).status_code == 200
    assert client_for(congress.outsider.user).get(detail).status_code == 404


def test_invitee_of_a_withdrawn_draft_loses_access(
    congress: Any, withdrawn_draft: tuple[Proposal, Attachment]
) -> None:
    draft, attachment = withdrawn_draft  # rep2 had been invited and had not answered
    invitee = client_for(user_of(congress.rep2))
    assert invitee.get(reverse("proposals:portal_detail", args=[draft.pk])).status_code == 404
    assert invitee.get(reverse("proposals:portal_attachment", args=[attachment.pk])).status_code == 404


def test_own_queryset_lists_each_proposal_once(congress: Any) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=Status.ACCEPTED, cosigners=[congress.rep2]
    )
    # rep1 is both the proposer and (by a merge) a co-proposer row: still one row.
    Signer.objects.filter(proposal=proposal, representative=congress.rep1).update(
        role=Signer.Role.CO_PROPOSER
    )
    assert list(access.own_queryset(user_of(congress.rep1)).values_list("pk", flat=True)) == [proposal.pk]


# -- 12. the readiness panel counts the co-signers the submission counts --------------------------------


@pytest.fixture
def ready(congress: Any) -> Proposal:
    """An individual draft with its text, category and the two co-signers the session requires."""
    proposal = drafting.proposal_create(actor=user_of(congress.rep1), title="关于增设东区教工停车位的提案")
    write(proposal, congress)
    invite(proposal, congress.rep2, accept=True)
    invite(proposal, congress.rep3, accept=True)
    return proposal


@pytest.mark.parametrize(
    "change", [{"kind": Representative.Kind.OBSERVER}, {"is_active": False}], ids=["observer", "ended"]
)
def test_cosigner_who_stopped_serving_no_longer_counts(
    congress: Any, ready: Proposal, change: dict[str, Any]
) -> None:
    client = client_for(user_of(congress.rep1))
    detail = reverse("proposals:portal_detail", args=[ready.pk])
    page = text(client.get(detail))
    assert "Co-signers accepted: 2 of 2" in page
    assert 'id="submit">' in page  # ready: the button is not marked disabled

    Representative.objects.filter(pk=congress.rep3.pk).update(**change)
    page = text(client.get(detail))
    assert "Co-signers accepted: 1 of 2" in page
    assert 'id="submit" aria-disabled="true"' in page
    assert drafting.valid_cosigner_count(ready) == 1

    response = client.post(reverse("proposals:portal_submit", args=[ready.pk]), follow=True)
    assert "needs 2 co-signers (附议人) who have accepted; it has 1" in text(response)
    ready.refresh_from_db()
    assert ready.status == Status.SEEKING_COSIGN


def test_valid_cosigners_is_the_rule_of_the_submission(congress: Any, ready: Proposal) -> None:
    signers = list(Signer.objects.filter(proposal=ready).select_related("representative"))
    assert {s.representative_id for s in drafting.valid_cosigners(signers)} == {
        congress.rep2.pk,
        congress.rep3.pk,
    }  # the proposer's own row is not a co-signer
    invite(ready, congress.rep4, accept=None)
    assert drafting.valid_cosigner_count(ready) == 2  # an open invitation does not count
    submitted = drafting.proposal_submit(actor=user_of(congress.rep1), proposal=ready)
    assert submitted.status == Status.SUBMITTED


# -- 13. a collective proposal is re-checked at submission ------------------------------------------------


@pytest.fixture
def collective(congress: Any) -> Proposal:
    Representative.objects.filter(pk=congress.rep1.pk).update(is_delegation_leader=True)
    proposal = drafting.proposal_create(
        actor=user_of(congress.rep1), title="关于学院实验室安全的集体提案", kind=Proposal.Kind.COLLECTIVE
    )
    write(proposal, congress)
    return proposal


def test_collective_proposal_by_the_leader_is_submitted(congress: Any, collective: Proposal) -> None:
    page = text(
        client_for(user_of(congress.rep1)).get(reverse("proposals:portal_detail", args=[collective.pk]))
    )
    assert 'id="collective-error"' not in page and 'id="submit">' in page
    submitted = drafting.proposal_submit(actor=user_of(congress.rep1), proposal=collective)
    assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize("how", ["no_longer_leader", "leads_another_delegation"])
def test_collective_proposal_refused_when_the_proposer_no_longer_leads(
    congress: Any, collective: Proposal, how: str
) -> None:
    if how == "no_longer_leader":
        Representative.objects.filter(pk=congress.rep1.pk).update(is_delegation_leader=False)
    else:
        Representative.objects.filter(pk=congress.rep1.pk).update(delegation=congress.delegations[1])
    client = client_for(user_of(congress.rep1))
    page = text(client.get(reverse("proposals:portal_detail", args=[collective.pk])))
    assert 'id="collective-error"' in page and "you no longer lead it" in page
    assert 'id="submit" aria-disabled="true"' in page

    with pytest.raises(ValidationError) as error:
        drafting.proposal_submit(actor=user_of(congress.rep1), proposal=collective)
    assert error.value.code == "not_delegation_leader"
    assert "机械学院代表团" in error.value.messages[0]

    response = client.post(reverse("proposals:portal_submit", args=[collective.pk]), follow=True)
    assert "Ask the current leader to file it" in text(response)
    collective.refresh_from_db()
    assert collective.status == Status.DRAFT and collective.submitted_at is None
