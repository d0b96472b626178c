"""The office's acknowledgement and reply: status rules, rounds, lateness, who may act, the member told
(by name: it is their own appeal), the routing confirmed, and audit entries that do not file an anonymous
appeal under the member's unit."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.appeals.models import Appeal, Event, Reply
from smartunion.appeals.services import handling
from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification

from . import factories

Status = Appeal.Status


@pytest.fixture
def setup(tree: SimpleNamespace, make_user: Any) -> SimpleNamespace:
    clerk = make_user("handling_office", tree.root, name="后勤经办")
    outsider = make_user("handling_office", tree.root, name="人事经办")
    office = factories.make_office("后勤管理处", staff=[clerk])
    factories.make_office("人事处", staff=[outsider])
    category = factories.make_category(office, "食堂餐饮")
    person = factories.make_member(tree.a1, name="王小梅")
    return SimpleNamespace(clerk=clerk, outsider=outsider, office=office, category=category, person=person)


def _appeal(s: SimpleNamespace, status: str, **kwargs: Any) -> Appeal:
    return factories.make_appeal(s.person, status=status, category=s.category, **kwargs)


def test_acknowledge_confirms_the_routing_and_tells_the_member(
    setup: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _appeal(setup, Status.ROUTED)
    assert not appeal.routing_confirmed
    with django_capture_on_commit_callbacks(execute=True):
        handling.acknowledge(actor=setup.clerk, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS
    assert appeal.acknowledged_at is not None
    assert appeal.routing_confirmed
    assert Event.objects.filter(appeal=appeal, kind=Event.Kind.ACKNOWLEDGED, actor=setup.clerk).exists()
    assert AuditEntry.objects.filter(action="appeals.appeal.acknowledged", target_id=str(appeal.pk)).exists()
    note = Notification.objects.get(recipient=setup.person.user, kind="appeals.acknowledged")
    assert "后勤管理处" in note.title


def test_acknowledge_only_a_routed_appeal_and_only_by_its_office(setup: SimpleNamespace) -> None:
    appeal = _appeal(setup, Status.ROUTED)
    with pytest.raises(ValidationError, match="Only the staff"):
        handling.acknowledge(actor=setup.outsider, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.ROUTED
    handling.acknowledge(actor=setup.clerk, appeal=appeal)
    with pytest.raises(ValidationError, match="Being handled"):
        handling.acknowledge(actor=setup.clerk, appeal=appeal)


def test_reply_answers_the_round_and_tells_the_member_by_name(
    setup: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _appeal(setup, Status.IN_PROGRESS, anonymous=True)
    with django_capture_on_commit_callbacks(execute=True):
        reply = handling.reply(actor=setup.clerk, appeal=appeal, text="  已安排早餐窗口七点开放。 ")
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED and appeal.replied_at is not None
    assert (reply.round, reply.text, reply.office, reply.by, reply.is_overdue) == (
        1,
        "已安排早餐窗口七点开放。",
        setup.office,
        setup.clerk,
        False,
    )
    assert Event.objects.filter(appeal=appeal, kind=Event.Kind.REPLIED).count() == 1
    note = Notification.objects.get(kind="appeals.replied")
    assert note.recipient == setup.person.user
    assert "王小梅" in note.title


def test_replying_to_a_routed_appeal_acknowledges_it(setup: SimpleNamespace) -> None:
    appeal = _appeal(setup, Status.ROUTED)
    handling.reply(actor=setup.clerk, appeal=appeal, text="已处理")
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED
    assert appeal.routing_confirmed and appeal.acknowledged_at is not None
    kinds = list(Event.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert kinds == [Event.Kind.ACKNOWLEDGED, Event.Kind.REPLIED]


def test_a_late_reply_is_marked_overdue(setup: SimpleNamespace) -> None:
    appeal = _appeal(setup, Status.IN_PROGRESS, reply_due=timezone.localdate() - dt.timedelta(days=1))
    reply = handling.reply(actor=setup.clerk, appeal=appeal, text="迟到的答复")
    assert reply.is_overdue
    on_time = _appeal(setup, Status.IN_PROGRESS, reply_due=timezone.localdate())
    assert not handling.reply(actor=setup.clerk, appeal=on_time, text="当天答复").is_overdue


def test_a_reopened_appeal_gets_its_second_round(setup: SimpleNamespace) -> None:
    appeal = _appeal(setup, Status.REPLIED)
    Appeal.objects.filter(pk=appeal.pk).update(status=Status.REOPENED, reopen_count=1)
    appeal.refresh_from_db()
    reply = handling.reply(actor=setup.clerk, appeal=appeal, text="第二次答复")
    assert reply.round == 2
    assert list(Reply.objects.filter(appeal=appeal).values_list("round", flat=True)) == [1, 2]


@pytest.mark.parametrize("status", [Status.REPLIED, Status.CLOSED])
def test_no_reply_when_not_waiting_for_one(setup: SimpleNamespace, status: str) -> None:
    appeal = _appeal(setup, status)
    with pytest.raises(ValidationError):
        handling.reply(actor=setup.clerk, appeal=appeal, text="再答复")
    assert Reply.objects.filter(appeal=appeal).count() == 1


def test_reply_needs_text_and_the_office(setup: SimpleNamespace) -> None:
    appeal = _appeal(setup, Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as error:
        handling.reply(actor=setup.clerk, appeal=appeal, text="   ")
    assert "text" in error.value.message_dict
    with pytest.raises(ValidationError, match="Only the staff"):
        handling.reply(actor=setup.outsider, appeal=appeal, text="不是我们的")
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS
    assert not Reply.objects.filter(appeal=appeal).exists()


def test_audit_of_an_anonymous_appeal_is_not_filed_under_the_members_unit(setup: SimpleNamespace) -> None:
    anonymous = _appeal(setup, Status.ROUTED, anonymous=True)
    named = _appeal(setup, Status.ROUTED)
    handling.acknowledge(actor=setup.clerk, appeal=anonymous)
    handling.acknowledge(actor=setup.clerk, appeal=named)
    entries = AuditEntry.objects.filter(action="appeals.appeal.acknowledged")
    assert entries.get(target_id=str(anonymous.pk)).unit_id is None
    assert entries.get(target_id=str(named.pk)).unit_id == setup.person.unit_id
