"""点单式 ideas: propose (with the proposer's vote), one vote per member (the counter moved with the rows),
unvote, adopt and close for the organisers; the member's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from smartunion.activities.models import Idea, IdeaVote, Kind
from smartunion.activities.services import ideas
from smartunion.core.models import AuditEntry

from . import factories
from . import portal_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(make_user: Any, make_person: Any, tree: Any) -> Any:
    return support.member(make_user, make_person, tree.a1, name="李红")


@pytest.fixture
def voter(make_user: Any, make_person: Any, tree: Any) -> Any:
    return support.member(make_user, make_person, tree.b1, name="张三")


@pytest.fixture
def idea(person: Any) -> Idea:
    return ideas.propose(
        actor=person.user, person=person, title="周末徒步", description="紫金山", kind=Kind.SPORTS
    )


def test_propose_starts_with_the_proposers_vote(idea, person):
    assert idea.votes == 1 and idea.unit_id == person.unit_id and idea.status == Idea.Status.OPEN
    assert IdeaVote.objects.filter(idea=idea, person=person).exists()
    assert AuditEntry.objects.filter(action="activities.idea.proposed").count() == 1


def test_propose_checks_its_input(person):
    with pytest.raises(ValidationError):
        ideas.propose(actor=person.user, person=person, title="  ")
    with pytest.raises(ValidationError):
        ideas.propose(actor=person.user, person=person, title="x", kind="nonsense")
    with pytest.raises(ValidationError):
        ideas.propose(actor=person.user, person=None, title="x")
    assert not Idea.objects.exists()


def test_one_vote_per_member(idea, voter):
    ideas.vote(actor=voter.user, person=voter, idea=idea)
    with pytest.raises(ValidationError, match="already voted"):
        ideas.vote(actor=voter.user, person=voter, idea=idea)
    idea.refresh_from_db()
    assert idea.votes == 2 == IdeaVote.objects.filter(idea=idea).count()
    assert IdeaVote.objects.get(idea=idea, person=voter).unit_id == voter.unit_id
    ideas.unvote(actor=voter.user, person=voter, idea=idea)
    with pytest.raises(ValidationError, match="not voted"):
        ideas.unvote(actor=voter.user, person=voter, idea=idea)
    idea.refresh_from_db()
    assert idea.votes == 1 == IdeaVote.objects.filter(idea=idea).count()


def test_adopt_and_close(idea, voter, tree, make_user):
    organiser = make_user("union_staff", tree.root, name="组织者")
    activity = factories.make_activity(unit=tree.root, actor=organiser, title="紫金山徒步")
    adopted = ideas.adopt(actor=organiser, idea=idea, activity=activity)
    activity.refresh_from_db()
    assert adopted.status == Idea.Status.ADOPTED and activity.idea_id == idea.pk
    with pytest.raises(ValidationError, match="no longer open"):
        ideas.vote(actor=voter.user, person=voter, idea=idea)
    with pytest.raises(ValidationError, match="no longer open"):
        ideas.close(actor=organiser, idea=idea, note="重复")
    other = ideas.propose(actor=voter.user, person=voter, title="插花课")
    with pytest.raises(ValidationError):
        ideas.close(actor=organiser, idea=other, note="  ")
    closed = ideas.close(actor=organiser, idea=other, note="场地不足，明年再议")
    assert closed.status == Idea.Status.CLOSED and closed.close_note == "场地不足，明年再议"
    third = ideas.propose(actor=voter.user, person=voter, title="茶艺")
    with pytest.raises(ValidationError, match="another idea"):
        ideas.adopt(actor=organiser, idea=third, activity=activity)
    assert {"activities.idea.adopted", "activities.idea.closed"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_the_ideas_page(idea, voter, person):
    client = support.client_for(voter.user)
    ideas.propose(actor=person.user, person=person, title="读书会")
    ideas.vote(actor=voter.user, person=voter, idea=idea)
    html = client.get(reverse("activities:portal_ideas")).content.decode()
    assert html.index("周末徒步") < html.index("读书会")  # most votes first
    assert 'aria-pressed="true"' in html and 'aria-pressed="false"' in html
    response = client.post(
        reverse("activities:portal_ideas"), {"title": "亲子运动会", "description": "", "kind": ""}
    )
    assert response.status_code == 302
    assert Idea.objects.get(title="亲子运动会").proposer == voter
    assert client.post(reverse("activities:portal_ideas"), {"title": ""}).status_code == 400


def test_vote_and_unvote_pages(idea, voter):
    client = support.client_for(voter.user)
    client.post(reverse("activities:portal_idea_vote", args=[idea.pk]))
    client.post(reverse("activities:portal_idea_vote", args=[idea.pk]))  # a double tap: still one vote
    idea.refresh_from_db()
    assert idea.votes == 2
    client.post(reverse("activities:portal_idea_unvote", args=[idea.pk]))
    idea.refresh_from_db()
    assert idea.votes == 1
    assert client.get(reverse("activities:portal_idea_vote", args=[idea.pk])).status_code == 405


def test_ideas_page_without_a_staff_record(make_user, idea):
    client = support.client_for(make_user())
    html = client.get(reverse("activities:portal_ideas")).content.decode()
    assert "周末徒步" in html and 'id="idea-form"' not in html
    response = client.post(reverse("activities:portal_idea_vote", args=[idea.pk]), follow=True)
    assert "not linked" in response.content.decode()
