"""The test stage itself: each status built by the factories carries what the status implies."""

from __future__ import annotations

from typing import Any

import pytest

from smartunion.proposals.models import Assignment, Proposal, Reply
from smartunion.proposals.selectors import access

from . import factories

pytestmark = pytest.mark.django_db


def test_statuses_carry_their_parts(congress: Any) -> None:
    s = congress
    draft = factories.make_proposal(s.session, s.rep1, cosigners=[s.rep2])
    assert draft.number == "" and draft.signers.filter(status="invited").count() == 1
    replied = factories.make_proposal(
        s.session,
        s.rep1,
        status=Proposal.Status.REPLIED,
        cosigners=[s.rep2, s.rep3],
        lead=s.logistics,
        assists=[s.hr],
    )
    assert replied.number == "5-2-001"
    assert Assignment.objects.filter(proposal=replied, role="lead", office=s.logistics).exists()
    assert Reply.objects.get(proposal=replied).status == Reply.Status.RELEASED
    assert replied.implementation == "A"


def test_access_by_role(congress: Any) -> None:
    s = congress
    replied = factories.make_proposal(s.session, s.rep1, status=Proposal.Status.REPLIED, lead=s.logistics)
    draft = factories.make_proposal(s.session, s.rep2)
    assert access.proposal_get_for_office(user=s.logistics_staff, pk=replied.pk) == replied
    assert not access.office_queryset(s.hr_staff).exists()
    assert access.proposal_get_for_leader(user=s.leader, pk=replied.pk) == replied
    assert set(access.console_queryset(s.committee)) == {replied}
    assert set(access.own_queryset(s.rep2.person.user)) == {draft}
    assert replied in access.board_queryset(s.outsider.user)
    assert access.may_propose(access.representative_of_user(s.rep1.person.user))
    assert not access.may_propose(access.representative_of_user(s.observer.person.user))
    assert access.representative_of_user(s.outsider.user) is None
