"""The rating page (phone) and the committee's decision pages after a rating."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from smartunion.proposals.models import Evaluation, Proposal

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def replied(congress: Any) -> Proposal:
    return factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.REPLIED,
        cosigners=[congress.rep2, congress.rep3],
        lead=congress.logistics,
    )


def evaluate_url(proposal: Proposal) -> str:
    return reverse("proposals:portal_evaluate", kwargs={"pk": proposal.pk})


def test_proposer_sees_the_reply_and_the_choices(congress: Any, replied: Proposal) -> None:
    response = client_for(congress.rep1.person.user).get(evaluate_url(replied))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="evaluate-form"' in html and "东区停车场" in html
    assert html.count('type="radio"') == 6
    assert "Your rating decides" in html


def test_proposer_rates_and_the_proposal_closes(congress: Any, replied: Proposal) -> None:
    response = client_for(congress.rep1.person.user).post(
        evaluate_url(replied), {"attitude": "satisfied", "result": "basic", "comment": ""}
    )
    assert response.status_code == 302
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED
    page = client_for(congress.rep1.person.user).get(evaluate_url(replied)).content.decode()
    assert 'id="evaluate-done"' in page and "Basically satisfied" in page


def test_unsatisfied_without_comment_re_renders_with_the_error(congress: Any, replied: Proposal) -> None:
    response = client_for(congress.rep1.person.user).post(
        evaluate_url(replied), {"attitude": "unsatisfied", "result": "satisfied", "comment": ""}
    )
    assert response.status_code == 200
    assert "不满意 needs a comment" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_missing_choice_is_a_form_error(congress: Any, replied: Proposal) -> None:
    response = client_for(congress.rep1.person.user).post(evaluate_url(replied), {"attitude": "satisfied"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()


def test_co_signer_is_told_only_the_proposer_rates(congress: Any, replied: Proposal) -> None:
    client = client_for(congress.rep2.person.user)
    page = client.get(evaluate_url(replied)).content.decode()
    assert 'id="evaluate-not-due"' in page and "Only the proposer rates" in page
    response = client.post(
        evaluate_url(replied), {"attitude": "satisfied", "result": "satisfied"}, follow=True
    )
    assert "Only the proposer rates the reply in this session" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_not_replied_yet(congress: Any) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=Status.ASSIGNED, lead=congress.logistics
    )
    page = client_for(congress.rep1.person.user).get(evaluate_url(proposal)).content.decode()
    assert "There is no reply waiting for your rating" in page


def test_someone_elses_proposal_is_404(congress: Any, replied: Proposal) -> None:
    # On the public board, but not theirs to rate.
    assert client_for(congress.outsider.user).get(evaluate_url(replied)).status_code == 404
    assert client_for(congress.rep4.person.user).get(evaluate_url(replied)).status_code == 404
    assert Client().get(evaluate_url(replied)).status_code == 302


# -- committee ----------------------------------------------------------------------------------------


@pytest.fixture
def unsatisfied(congress: Any, replied: Proposal) -> Proposal:
    Evaluation.objects.create(
        proposal=replied,
        reply=replied.replies.get(),
        round=1,
        representative=congress.rep1,
        is_proposer=True,
        attitude="basic",
        result="unsatisfied",
        comment="还没开工",
    )
    Proposal.objects.filter(pk=replied.pk).update(status=Status.UNSATISFIED)
    replied.refresh_from_db()
    return replied


def test_unsatisfied_page_shows_the_ratings_and_the_form(congress: Any, unsatisfied: Proposal) -> None:
    response = client_for(congress.committee).get(
        reverse("proposals:console_unsatisfied", args=[unsatisfied.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "还没开工" in html and 'id="unsatisfied-form"' in html
    assert "1 re-handling round left" in html


def test_unsatisfied_rehandle_post(congress: Any, unsatisfied: Proposal) -> None:
    response = client_for(congress.committee).post(
        reverse("proposals:console_unsatisfied", args=[unsatisfied.pk]),
        {"decision": "rehandle", "lead_office": congress.hr.pk, "note": "换人事处办理"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:console_detail", args=[unsatisfied.pk])
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.ASSIGNED and unsatisfied.round == 2


def test_unsatisfied_close_without_note_shows_the_field_error(congress: Any, unsatisfied: Proposal) -> None:
    response = client_for(congress.committee).post(
        reverse("proposals:console_unsatisfied", args=[unsatisfied.pk]), {"decision": "close", "note": ""}
    )
    assert response.status_code == 200
    assert "Write the explanation for the proposer" in response.content.decode()
    unsatisfied.refresh_from_db()
    assert unsatisfied.status == Status.UNSATISFIED


def test_unsatisfied_on_a_wrong_status_redirects_with_the_message(congress: Any, replied: Proposal) -> None:
    client = client_for(congress.committee)
    page = client.get(reverse("proposals:console_unsatisfied", args=[replied.pk])).content.decode()
    assert 'id="not-unsatisfied"' in page and 'id="unsatisfied-form"' not in page
    response = client.post(
        reverse("proposals:console_unsatisfied", args=[replied.pk]),
        {"decision": "close", "note": "x"},
        follow=True,
    )
    assert "This cannot be done while the proposal is" in response.content.decode()


def test_close_unrated_post(congress: Any, replied: Proposal) -> None:
    client = client_for(congress.committee)
    url = reverse("proposals:console_close", args=[replied.pk])
    response = client.post(url, {"note": ""}, follow=True)
    assert "Write a note" in response.content.decode()
    response = client.post(url, {"note": "纸质测评已收回", "next": "/console/proposals/supervision/"})
    assert response.status_code == 302 and response["Location"] == "/console/proposals/supervision/"
    replied.refresh_from_db()
    assert replied.status == Status.CLOSED
    assert client.get(url).status_code == 405


def test_unsafe_next_is_ignored(congress: Any, replied: Proposal) -> None:
    response = client_for(congress.committee).post(
        reverse("proposals:console_close", args=[replied.pk]), {"note": "x", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("proposals:console_detail", args=[replied.pk])


def test_console_panel_offers_the_actions(congress: Any, unsatisfied: Proposal, replied: Proposal) -> None:
    other = factories.make_proposal(
        congress.session, congress.rep2, status=Status.REPLIED, lead=congress.logistics
    )
    client = client_for(congress.committee)
    html = client.get(reverse("proposals:console_detail", args=[unsatisfied.pk])).content.decode()
    assert reverse("proposals:console_unsatisfied", args=[unsatisfied.pk]) in html
    assert reverse("proposals:console_supervise", args=[unsatisfied.pk]) in html
    html = client.get(reverse("proposals:console_detail", args=[other.pk])).content.decode()
    assert reverse("proposals:console_close", args=[other.pk]) in html
