"""The member portal's proposal pages: the workspace, drafting with autosave, similar proposals, co-signing,
attachments, submission, withdrawal, the progress view, the board and the portal blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse

from smartunion.proposals.models import (
    Attachment,
    Evaluation,
    Proposal,
    ProposalEvent,
    Representative,
    Signer,
)
from smartunion.proposals.services import drafting

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
PDF = b"%PDF-1.4 test"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rep1(congress: Any) -> Client:
    return client_for(congress.rep1.person.user)


@pytest.fixture
def draft(congress: Any) -> Proposal:
    return drafting.proposal_create(actor=congress.rep1.person.user, title="关于增设东区教工停车位的提案")


def text(response: Any) -> str:
    return response.content.decode()


# -- the workspace --------------------------------------------------------------------------------------


def test_home_for_a_representative(congress: Any, rep1: Client, draft: Proposal) -> None:
    other = factories.make_proposal(
        congress.session, congress.rep2, status=Status.SEEKING_COSIGN, title="关于食堂的提案"
    )
    Signer.objects.create(proposal=other, representative=congress.rep1, role=Signer.Role.COSIGNER)
    response = rep1.get(reverse("proposals:portal_home"))
    assert response.status_code == 200
    page = text(response)
    assert 'id="new-proposal"' in page
    assert "关于增设东区教工停车位的提案" in page and "Drafts and co-signing" in page
    assert 'id="invitations"' in page and "关于食堂的提案" in page
    assert 'id="about-proposals"' not in page


def test_home_for_a_member_who_is_no_representative(congress: Any) -> None:
    response = client_for(congress.outsider.user).get(reverse("proposals:portal_home"))
    page = text(response)
    assert response.status_code == 200
    assert 'id="new-proposal"' not in page
    assert 'id="about-proposals"' in page and "意见反馈" in page
    assert reverse("proposals:portal_board") in page


def test_home_for_an_observer(congress: Any) -> None:
    page = text(client_for(congress.observer.person.user).get(reverse("proposals:portal_home")))
    assert "列席代表" in page and 'id="new-proposal"' not in page


def test_home_query_count_is_bounded(congress: Any, rep1: Client, django_assert_max_num_queries: Any) -> None:
    for i in range(8):
        factories.make_proposal(
            congress.session, congress.rep1, status=Status.SUBMITTED, cosigners=[congress.rep2]
        )
        other = factories.make_proposal(
            congress.session, congress.rep3, status=Status.SEEKING_COSIGN, title=f"邀请{i}"
        )
        Signer.objects.create(proposal=other, representative=congress.rep1, role=Signer.Role.COSIGNER)
    with django_assert_max_num_queries(14):
        assert rep1.get(reverse("proposals:portal_home")).status_code == 200


# -- new and edit -----------------------------------------------------------------------------------------


def test_new_creates_a_draft_and_opens_it(congress: Any, rep1: Client) -> None:
    response = rep1.get(reverse("proposals:portal_new"))
    assert response.status_code == 200
    assert 'name="kind"' not in text(response)  # collective only for the delegation leader
    assert "一事一案" in text(response)
    response = rep1.post(reverse("proposals:portal_new"), {"title": "关于延长图书馆开放时间的提案"})
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "proposals:portal_edit", args=[proposal.pk]
    )


def test_new_collective_for_the_leader(congress: Any, rep1: Client) -> None:
    Representative.objects.filter(pk=congress.rep1.pk).update(is_delegation_leader=True)
    assert 'name="kind"' in text(rep1.get(reverse("proposals:portal_new")))
    rep1.post(reverse("proposals:portal_new"), {"title": "集体提案", "kind": "collective"})
    assert Proposal.objects.get().kind == Proposal.Kind.COLLECTIVE


def test_new_bad_title_rerenders(congress: Any, rep1: Client) -> None:
    response = rep1.post(reverse("proposals:portal_new"), {"title": "长" * 61})
    assert response.status_code == 400 and "61 characters" in text(response)
    assert not Proposal.objects.exists()


def test_new_for_a_non_representative(congress: Any) -> None:
    client = client_for(congress.outsider.user)
    response = client.get(reverse("proposals:portal_new"))
    assert response.status_code == 200 and 'id="not-representative"' in text(response)
    client.post(reverse("proposals:portal_new"), {"title": "我的想法"})
    assert not Proposal.objects.exists()


def test_edit_page_and_save(congress: Any, rep1: Client, draft: Proposal) -> None:
    url = reverse("proposals:portal_edit", args=[draft.pk])
    page = text(rep1.get(url))
    assert 'data-count="reasons"' in page and 'data-min="50"' in page and 'data-max="3000"' in page
    assert "一事一案" in page and 'id="similar"' in page and 'id="attachments"' in page
    assert "民生福利" in page and "后勤保障" in page and "后勤管理处" in page
    response = rep1.post(
        url,
        {
            "title": draft.title,
            "reasons": factories.REASONS,
            "suggestions": factories.SUGGESTIONS,
            "category": congress.categories["民生福利"].pk,
            "suggested_office": congress.logistics.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "proposals:portal_detail", args=[draft.pk]
    )
    draft.refresh_from_db()
    assert draft.reasons == factories.REASONS.strip() and draft.suggested_office == congress.logistics


def test_edit_refusal_rerenders_with_the_message(congress: Any, rep1: Client, draft: Proposal) -> None:
    response = rep1.post(
        reverse("proposals:portal_edit", args=[draft.pk]),
        {"title": draft.title, "reasons": "长" * 3001, "suggestions": "", "category": ""},
    )
    assert response.status_code == 400 and "shorten them to 3000" in text(response)


def test_edit_is_the_proposers_only(congress: Any, draft: Proposal) -> None:
    signer = drafting.cosigner_invite(
        actor=congress.rep1.person.user, proposal=draft, representative=congress.rep2
    )
    assert signer
    for user in (congress.rep2.person.user, congress.outsider.user, congress.committee):
        assert client_for(user).get(reverse("proposals:portal_edit", args=[draft.pk])).status_code == 404


def test_edit_after_submission_redirects(congress: Any, rep1: Client) -> None:
    proposal = factories.make_proposal(congress.session, congress.rep1, status=Status.SUBMITTED)
    response = rep1.get(reverse("proposals:portal_edit", args=[proposal.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "proposals:portal_detail", args=[proposal.pk]
    )


def test_autosave(congress: Any, rep1: Client, draft: Proposal) -> None:
    url = reverse("proposals:portal_autosave", args=[draft.pk])
    response = rep1.post(url, {"title": draft.title, "reasons": "写到一半", "category": ""}, **HTMX)
    assert response.status_code == 200
    assert "Saved at" in text(response) and 'id="autosave-status"' in text(response)
    assert "<html" not in text(response)
    draft.refresh_from_db()
    assert draft.reasons == "写到一半"
    assert rep1.post(url, {"reasons": "非 htmx"}).status_code == 302
    other = client_for(congress.rep2.person.user)
    assert other.post(url, {"reasons": "篡改"}, **HTMX).status_code == 404
    draft.refresh_from_db()
    assert draft.reasons == "非 htmx"


def test_autosave_after_submission_says_why(congress: Any, rep1: Client) -> None:
    proposal = factories.make_proposal(congress.session, congress.rep1, status=Status.SUBMITTED)
    response = rep1.post(reverse("proposals:portal_autosave", args=[proposal.pk]), {"reasons": "x"}, **HTMX)
    assert response.status_code == 200 and "cannot be done while the proposal is" in text(response)


# -- similar proposals --------------------------------------------------------------------------------------


def test_similar_shows_only_what_the_member_may_see(congress: Any, rep1: Client, draft: Proposal) -> None:
    public = factories.make_proposal(
        congress.session, congress.rep2, status=Status.ACCEPTED, title="关于增设教工停车位的提案"
    )
    private = factories.make_proposal(
        congress.session,
        congress.rep3,
        status=Status.ACCEPTED,
        title="关于规划东区停车场的提案",
        visibility=Proposal.Visibility.PRIVATE,
    )
    response = rep1.get(
        reverse("proposals:portal_similar"),
        {"title": draft.title, "reasons": factories.REASONS, "exclude": draft.pk},
        **HTMX,
    )
    page = text(response)
    assert response.status_code == 200
    assert public.title in page and "%" in page
    assert private.title not in page
    assert draft.title not in page  # a draft is never a candidate (and it is excluded)


def test_similar_with_too_little_text(congress: Any, rep1: Client) -> None:
    page = text(rep1.get(reverse("proposals:portal_similar"), {"title": "停"}))
    assert "Write the title and the reasons" in page


# -- co-signers -------------------------------------------------------------------------------------------


def test_invite_search_and_invite(congress: Any, rep1: Client, draft: Proposal) -> None:
    url = reverse("proposals:portal_invite", args=[draft.pk])
    page = text(rep1.get(url, {"q": "代表3"}))
    assert "代表3" in page and 'name="representative"' in page
    page = text(rep1.get(url, {"q": "外语学院"}))
    assert "代表3" in page and "代表4" in page and "代表1</" not in page
    assert "列席者" not in text(rep1.get(url, {"q": "列席"}))  # observers cannot co-sign
    partial = text(rep1.get(url, {"q": "代表3", "partial": "results"}, **HTMX))
    assert 'id="results"' in partial and "<html" not in partial
    response = rep1.post(url, {"representative": congress.rep3.pk, "q": "代表3"})
    assert response.status_code == 302
    assert Signer.objects.filter(proposal=draft, representative=congress.rep3, status="invited").exists()
    response = rep1.post(url, {"representative": congress.rep3.pk}, follow=True)
    assert "already been invited" in text(response)


def test_invite_unknown_representative_is_404(congress: Any, rep1: Client, draft: Proposal) -> None:
    assert (
        rep1.post(reverse("proposals:portal_invite", args=[draft.pk]), {"representative": 999999}).status_code
        == 404
    )


def test_cosign_accept_and_decline(congress: Any, draft: Proposal) -> None:
    signer = drafting.cosigner_invite(
        actor=congress.rep1.person.user, proposal=draft, representative=congress.rep3
    )
    client = client_for(congress.rep3.person.user)
    detail = text(client.get(reverse("proposals:portal_detail", args=[draft.pk])))
    assert 'id="cosign-accept"' in detail
    response = client.post(
        reverse("proposals:portal_cosign", args=[signer.pk]), {"answer": "accept", "next": "home"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("proposals:portal_home")
    signer.refresh_from_db()
    assert signer.status == Signer.Status.ACCEPTED
    client.post(reverse("proposals:portal_cosign", args=[signer.pk]), {"answer": "decline"})
    signer.refresh_from_db()
    assert signer.status == Signer.Status.DECLINED


def test_cosign_someone_elses_invitation_is_404(congress: Any, draft: Proposal) -> None:
    signer = drafting.cosigner_invite(
        actor=congress.rep1.person.user, proposal=draft, representative=congress.rep3
    )
    response = client_for(congress.rep4.person.user).post(
        reverse("proposals:portal_cosign", args=[signer.pk]), {"answer": "accept"}
    )
    assert response.status_code == 404
    signer.refresh_from_db()
    assert signer.status == Signer.Status.INVITED


# -- attachments -----------------------------------------------------------------------------------------


def test_attachment_add_download_remove(congress: Any, rep1: Client, draft: Proposal) -> None:
    response = rep1.post(
        reverse("proposals:portal_attachment_add", args=[draft.pk]),
        {"upload": SimpleUploadedFile("现场.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    download = rep1.get(reverse("proposals:portal_attachment", args=[attachment.pk]))
    assert download.status_code == 200 and download.content == PDF
    assert "attachment;" in download["Content-Disposition"]
    # Someone who may not see the draft: 404.
    assert (
        client_for(congress.rep4.person.user)
        .get(reverse("proposals:portal_attachment", args=[attachment.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(congress.rep4.person.user)
        .post(reverse("proposals:portal_attachment_remove", args=[attachment.pk]))
        .status_code
        == 404
    )
    rep1.post(reverse("proposals:portal_attachment_remove", args=[attachment.pk]))
    assert not Attachment.objects.exists()


def test_attachment_refused_says_why(congress: Any, rep1: Client, draft: Proposal) -> None:
    response = rep1.post(
        reverse("proposals:portal_attachment_add", args=[draft.pk]),
        {"upload": SimpleUploadedFile("程序.exe", b"MZ")},
        follow=True,
    )
    assert "is not accepted" in text(response)
    assert not Attachment.objects.exists()


def test_attachment_of_a_board_proposal_is_public(congress: Any) -> None:
    proposal = factories.make_proposal(congress.session, congress.rep2, status=Status.ACCEPTED)
    attachment = Attachment.objects.create(
        proposal=proposal, name="a.pdf", content_type="application/pdf", size=4, content=PDF
    )
    response = client_for(congress.outsider.user).get(
        reverse("proposals:portal_attachment", args=[attachment.pk])
    )
    assert response.status_code == 200


# -- submit and withdraw ----------------------------------------------------------------------------------


def _ready(draft: Proposal, congress: Any) -> None:
    drafting.proposal_update(
        actor=congress.rep1.person.user,
        proposal=draft,
        title=draft.title,
        reasons=factories.REASONS,
        suggestions=factories.SUGGESTIONS,
        category=congress.categories["民生福利"],
    )
    for rep in (congress.rep2, congress.rep3):
        signer = drafting.cosigner_invite(actor=congress.rep1.person.user, proposal=draft, representative=rep)
        drafting.cosign_respond(actor=rep.person.user, signer=signer, accept=True)


def test_detail_shows_the_readiness_then_submit(congress: Any, rep1: Client, draft: Proposal) -> None:
    page = text(rep1.get(reverse("proposals:portal_detail", args=[draft.pk])))
    assert 'id="readiness"' in page and "write at least 50" in page and "Co-signers accepted: 0 of 2" in page
    response = rep1.post(reverse("proposals:portal_submit", args=[draft.pk]), follow=True)
    assert "needs 2 co-signers" in text(response) or "write at least" in text(response)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    _ready(draft, congress)
    response = rep1.post(reverse("proposals:portal_submit", args=[draft.pk]), follow=True)
    assert "Submitted to the proposal committee" in text(response)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_submit_by_someone_else_is_404(congress: Any, draft: Proposal) -> None:
    _ready(draft, congress)
    assert (
        client_for(congress.rep2.person.user)
        .post(reverse("proposals:portal_submit", args=[draft.pk]))
        .status_code
        == 404
    )
    draft.refresh_from_db()
    assert draft.status == Status.SEEKING_COSIGN


def test_withdraw(congress: Any, rep1: Client) -> None:
    proposal = factories.make_proposal(congress.session, congress.rep1, status=Status.SUBMITTED)
    url = reverse("proposals:portal_withdraw", args=[proposal.pk])
    response = rep1.post(url, {"reason": ""}, follow=True)
    assert "Say why you withdraw" in text(response)
    rep1.post(url, {"reason": "已解决"})
    proposal.refresh_from_db()
    assert proposal.status == Status.WITHDRAWN


# -- the progress view ------------------------------------------------------------------------------------


def test_detail_of_a_replied_proposal(congress: Any, rep1: Client) -> None:
    proposal = factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.REPLIED,
        lead=congress.logistics,
        cosigners=[congress.rep2],
    )
    ProposalEvent.objects.create(proposal=proposal, kind="supervision", text="内部督办意见", is_public=False)
    ProposalEvent.objects.create(proposal=proposal, kind="replied", text="已答复")
    page = text(rep1.get(reverse("proposals:portal_detail", args=[proposal.pk])))
    assert 'id="stages"' in page and 'class="current">Feedback (反馈)' in page
    assert 'class="done">Reply (答复)' in page
    assert "已答复" in page and "内部督办意见" not in page
    assert "列入年度基建计划" in page and "后勤管理处" in page
    try:
        evaluate = reverse("proposals:portal_evaluate", kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        evaluate = None
    if evaluate:
        assert evaluate in page
        reply = proposal.replies.get()
        Evaluation.objects.create(
            proposal=proposal,
            reply=reply,
            round=1,
            representative=congress.rep1,
            is_proposer=True,
            attitude="satisfied",
            result="satisfied",
        )
        assert evaluate not in text(rep1.get(reverse("proposals:portal_detail", args=[proposal.pk])))


def test_detail_of_a_rejected_proposal_shows_the_reason(congress: Any, rep1: Client) -> None:
    proposal = factories.make_proposal(congress.session, congress.rep1, status=Status.REJECTED)
    Proposal.objects.filter(pk=proposal.pk).update(decision_reason="属于个人事务，不予立案")
    page = text(rep1.get(reverse("proposals:portal_detail", args=[proposal.pk])))
    assert "属于个人事务，不予立案" in page


def test_detail_visibility(congress: Any) -> None:
    public = factories.make_proposal(congress.session, congress.rep1, status=Status.ACCEPTED)
    reps_only = factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.ACCEPTED,
        visibility=Proposal.Visibility.REPRESENTATIVES,
    )
    private = factories.make_proposal(
        congress.session, congress.rep1, status=Status.ACCEPTED, visibility=Proposal.Visibility.PRIVATE
    )
    draft = factories.make_proposal(congress.session, congress.rep1)
    outsider = client_for(congress.outsider.user)
    rep = client_for(congress.rep4.person.user)
    url = lambda p: reverse("proposals:portal_detail", args=[p.pk])  # noqa: E731
    assert outsider.get(url(public)).status_code == 200
    assert outsider.get(url(reps_only)).status_code == 404
    assert rep.get(url(reps_only)).status_code == 200
    assert rep.get(url(private)).status_code == 404
    assert rep.get(url(draft)).status_code == 404
    assert client_for(congress.rep1.person.user).get(url(private)).status_code == 200


def test_detail_query_count_is_bounded(
    congress: Any, rep1: Client, django_assert_max_num_queries: Any
) -> None:
    proposal = factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.REPLIED,
        lead=congress.logistics,
        cosigners=[congress.rep2, congress.rep3, congress.rep4],
    )
    for i in range(10):
        ProposalEvent.objects.create(proposal=proposal, kind="reminded", text=f"第{i}次")
    with django_assert_max_num_queries(20):
        assert rep1.get(reverse("proposals:portal_detail", args=[proposal.pk])).status_code == 200


# -- the board --------------------------------------------------------------------------------------------


@pytest.fixture
def board(congress: Any) -> dict[str, Proposal]:
    past = factories.make_session(number=1, closed=True)
    return {
        "replied": factories.make_proposal(
            congress.session,
            congress.rep1,
            status=Status.REPLIED,
            lead=congress.logistics,
            title="关于增设停车位的提案",
        ),
        "accepted": factories.make_proposal(
            congress.session, congress.rep2, status=Status.ACCEPTED, title="关于食堂的提案"
        ),
        "reps_only": factories.make_proposal(
            congress.session,
            congress.rep3,
            status=Status.ACCEPTED,
            title="关于职称评审的提案",
            visibility=Proposal.Visibility.REPRESENTATIVES,
        ),
        "private": factories.make_proposal(
            congress.session,
            congress.rep3,
            status=Status.ACCEPTED,
            title="关于个别人事的提案",
            visibility=Proposal.Visibility.PRIVATE,
        ),
        "submitted": factories.make_proposal(
            congress.session, congress.rep4, status=Status.SUBMITTED, title="待审查的提案"
        ),
        "past": factories.make_proposal(
            past, congress.rep1, status=Status.CLOSED, lead=congress.hr, title="关于往届的提案"
        ),
    }


def test_board_respects_visibility(board: dict[str, Proposal], congress: Any) -> None:
    outsider = text(client_for(congress.outsider.user).get(reverse("proposals:portal_board")))
    assert "关于增设停车位的提案" in outsider and "关于食堂的提案" in outsider
    assert "关于职称评审的提案" not in outsider and "关于个别人事的提案" not in outsider
    assert "待审查的提案" not in outsider
    assert "关于往届的提案" not in outsider  # the current session by default
    rep = text(client_for(congress.rep4.person.user).get(reverse("proposals:portal_board")))
    assert "关于职称评审的提案" in rep and "关于个别人事的提案" not in rep
    assert "后勤管理处" in rep  # the lead office


def test_board_search_and_session_filter(board: dict[str, Proposal], congress: Any) -> None:
    client = client_for(congress.outsider.user)
    url = reverse("proposals:portal_board")
    page = text(client.get(url, {"q": board["accepted"].number}))
    assert "关于食堂的提案" in page and "关于增设停车位的提案" not in page
    page = text(client.get(url, {"q": "后勤"}))
    assert "关于增设停车位的提案" in page and "关于食堂的提案" not in page
    page = text(client.get(url, {"q": "往届"}))
    assert "关于往届的提案" in page  # all sessions when searching without one
    past = board["past"].session
    page = text(client.get(url, {"session": past.pk}))
    assert "关于往届的提案" in page and "关于食堂的提案" not in page
    page = text(client.get(url, {"q": "没有这个"}))
    assert "No proposal matches" in page
    partial = text(client.get(url, {"q": "食堂"}, **HTMX))
    assert 'id="board-rows"' in partial and "<html" not in partial


def test_board_query_count_is_bounded(congress: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(25):
        factories.make_proposal(
            congress.session, congress.rep1, status=Status.REPLIED, lead=congress.logistics, title=f"提案{i}"
        )
    client = client_for(congress.rep2.person.user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("proposals:portal_board"))
    assert response.status_code == 200 and "Page 1 of 2" in text(response)


# -- portal blocks --------------------------------------------------------------------------------------


def test_home_block_lists_invitations(congress: Any, draft: Proposal) -> None:
    drafting.cosigner_invite(actor=congress.rep1.person.user, proposal=draft, representative=congress.rep2)
    page = text(client_for(congress.rep2.person.user).get(reverse("dashboards:portal_home")))
    assert 'id="proposals-todo"' in page and draft.title in page
    page = text(client_for(congress.rep3.person.user).get(reverse("dashboards:portal_home")))
    assert 'id="proposals-todo"' not in page


def test_services_page_links_to_proposals(congress: Any) -> None:
    page = text(
        client_for(congress.outsider.user).get(reverse("dashboards:portal_section", args=["services"]))
    )
    assert 'id="proposals-block"' in page
    assert reverse("proposals:portal_home") in page and reverse("proposals:portal_board") in page


@pytest.mark.parametrize(
    ("status", "done", "current"),
    [
        (Status.DRAFT, 0, 0),
        (Status.SUBMITTED, 0, 0),
        (Status.ACCEPTED, 1, 1),
        (Status.ASSIGNED, 2, 2),
        (Status.REPLIED, 3, 3),
        (Status.CLOSED, 4, None),
        (Status.REJECTED, 0, None),
    ],
)
def test_stages(status: str, done: int, current: int | None) -> None:
    from smartunion.proposals.selectors.portal import stages

    result = stages(Proposal(status=status))
    assert [s["done"] for s in result] == [i < done for i in range(4)]
    assert [i for i, s in enumerate(result) if s["current"]] == ([] if current is None else [current])
    assert result[0]["ended"] == (status == Status.REJECTED)


def test_signers_proposer_first(congress: Any) -> None:
    from smartunion.proposals.selectors.portal import signers_of

    proposal = factories.make_proposal(
        congress.session, congress.rep3, cosigners=[congress.rep1, congress.rep2]
    )
    assert [s.representative for s in signers_of(proposal)] == [congress.rep3, congress.rep1, congress.rep2]
