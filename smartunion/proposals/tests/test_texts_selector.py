"""The answered proposals other apps may compare with (similar cases): public, on the board, with a
released reply — and nothing else."""

from __future__ import annotations

from typing import Any

import pytest

from smartunion.proposals.models import Proposal, Reply
from smartunion.proposals.selectors.texts import answered_public_texts

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status


def test_only_public_proposals_with_a_released_reply(congress: Any) -> None:
    s = congress
    replied = factories.make_proposal(
        s.session, s.rep1, status=Status.REPLIED, lead=s.logistics, title="关于增建停车场的提案"
    )
    closed = factories.make_proposal(s.session, s.rep2, status=Status.CLOSED, lead=s.logistics)
    factories.make_proposal(s.session, s.rep1, status=Status.REPLY_SIGNOFF, lead=s.logistics)
    factories.make_proposal(s.session, s.rep1, status=Status.ASSIGNED, lead=s.logistics)
    factories.make_proposal(s.session, s.rep1)  # a draft
    factories.make_proposal(
        s.session, s.rep1, status=Status.CLOSED, lead=s.logistics, visibility=Proposal.Visibility.PRIVATE
    )
    factories.make_proposal(
        s.session,
        s.rep1,
        status=Status.CLOSED,
        lead=s.logistics,
        visibility=Proposal.Visibility.REPRESENTATIVES,
    )

    texts = answered_public_texts()

    assert [t.pk for t in texts] == [replied.pk, closed.pk]
    first = texts[0]
    assert first.number == replied.number and first.title == "关于增建停车场的提案"
    assert "关于增建停车场的提案" in first.text and factories.SUGGESTIONS in first.text
    assert first.reply.startswith("经研究")


def test_the_last_released_round_is_the_reply(congress: Any, django_assert_max_num_queries: Any) -> None:
    s = congress
    proposal = factories.make_proposal(s.session, s.rep1, status=Status.CLOSED, lead=s.logistics)
    Reply.objects.create(
        proposal=proposal,
        round=2,
        office=s.logistics,
        body="第二轮：停车场已开工。",
        implementation="A",
        status=Reply.Status.RELEASED,
    )
    Reply.objects.create(
        proposal=factories.make_proposal(s.session, s.rep2, status=Status.CLOSED, lead=s.logistics),
        round=2,
        office=s.logistics,
        body="未发布的草稿",
        implementation="B",
        status=Reply.Status.DRAFT,
    )
    with django_assert_max_num_queries(2):
        texts = answered_public_texts()
    assert texts[0].reply == "第二轮：停车场已开工。"
    assert texts[1].reply.startswith("经研究")  # the draft of round 2 is not the answer
