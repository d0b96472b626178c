"""常见问题: only closed appeals whose member agreed, with a question and answer that name nobody."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from smartunion.appeals.models import Appeal, Event
from smartunion.appeals.services import faq
from smartunion.appeals.tests.factories import make_appeal, make_category, make_member, make_office
from smartunion.core.models import AuditEntry

pytestmark = pytest.mark.django_db
Status = Appeal.Status


@pytest.fixture
def world(tree: Any, make_user: Any) -> SimpleNamespace:
    member = make_member(tree.b1, name="王五福")
    category = make_category(make_office("后勤管理处"), "食堂餐饮")
    return SimpleNamespace(
        member=member,
        category=category,
        staff=make_user("union_staff", tree.root, name="校工会干事"),
    )


def test_only_a_closed_appeal_the_member_agreed_to_is_published(world: Any) -> None:
    replied = make_appeal(world.member, status=Status.REPLIED, category=world.category, allow_publish=True)
    with pytest.raises(ValidationError, match="Only a closed appeal"):
        faq.publish(actor=world.staff, appeal=replied, question="问", answer="答")
    refused = make_appeal(world.member, status=Status.CLOSED, category=world.category, allow_publish=False)
    with pytest.raises(ValidationError, match="did not agree"):
        faq.publish(actor=world.staff, appeal=refused, question="问", answer="答")
    assert not Appeal.objects.filter(published_at__isnull=False).exists()


def test_the_text_must_be_given_and_name_nobody(world: Any) -> None:
    appeal = make_appeal(world.member, status=Status.CLOSED, category=world.category, allow_publish=True)
    with pytest.raises(ValidationError) as caught:
        faq.publish(actor=world.staff, appeal=appeal, question="", answer="  ")
    assert set(caught.value.message_dict) == {"question", "answer"}
    with pytest.raises(ValidationError) as caught:
        faq.publish(actor=world.staff, appeal=appeal, question="王五福问早餐时间", answer="七点")
    assert "question" in caught.value.message_dict


def test_an_anonymous_appeal_does_not_answer_guesses_of_its_members_name(world: Any) -> None:
    """A refusal naming the submitter would let the officer test guesses of who wrote an anonymous
    appeal: its text is not checked against the member's name."""
    appeal = make_appeal(
        world.member, status=Status.CLOSED, category=world.category, allow_publish=True, anonymous=True
    )
    faq.publish(actor=world.staff, appeal=appeal, question="王五福问早餐时间", answer="七点")
    appeal.refresh_from_db()
    assert appeal.published_at is not None


def test_publish_update_and_unpublish(world: Any) -> None:
    appeal = make_appeal(world.member, status=Status.CLOSED, category=world.category, allow_publish=True)
    faq.publish(actor=world.staff, appeal=appeal, question="早餐能否提前？", answer="已提前到七点。")
    appeal.refresh_from_db()
    first = appeal.published_at
    assert first and appeal.faq_question == "早餐能否提前？"
    assert Event.objects.filter(appeal=appeal, kind=Event.Kind.PUBLISHED).count() == 1

    faq.publish(actor=world.staff, appeal=appeal, question="早餐窗口能否提前？", answer="已提前到七点。")
    appeal.refresh_from_db()
    assert appeal.published_at == first and appeal.faq_question == "早餐窗口能否提前？"
    assert AuditEntry.objects.filter(action="appeals.faq.updated").count() == 1

    faq.unpublish(actor=world.staff, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.published_at is None
    with pytest.raises(ValidationError, match="not published"):
        faq.unpublish(actor=world.staff, appeal=appeal)
