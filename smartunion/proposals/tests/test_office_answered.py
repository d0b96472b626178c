"""After the reply is released the round's assignments stay ACTIVE (only a new round, 重新办理, ends them),
but for the offices the proposal is answered: listed under 已答复 (never under 待办 or on the supervision
board), its assignment reads "Replied (已答复)", no 退办 any more, no deadline reminders."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.proposals.models import Assignment, Proposal, Reminder
from smartunion.proposals.selectors import console as console_selectors
from smartunion.proposals.selectors import supervision as board_selectors
from smartunion.proposals.services import handling
from smartunion.proposals.services import supervision as supervision_services

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
ANSWERED = [Status.REPLIED, Status.UNSATISFIED, Status.CLOSED]
REPLY = "经研究，后勤管理处将于今年暑期在东区增建停车位120个。"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def released(congress: SimpleNamespace) -> Proposal:
    """Assigned to 后勤管理处 (lead) and 人事处 (assisting), replied and signed off through the services."""
    accepted = factories.make_proposal(
        congress.session, congress.rep1, status=Status.ACCEPTED, title="关于增建东区停车场的提案"
    )
    proposal = handling.proposal_assign(
        actor=congress.committee, proposal=accepted, lead=congress.logistics, assists=[congress.hr]
    )
    handling.reply_submit(actor=congress.logistics_staff, proposal=proposal, body=REPLY, implementation="A")
    handling.reply_signoff(actor=congress.leader, proposal=proposal, approve=True)
    proposal.refresh_from_db()
    return proposal


def test_release_keeps_the_assignments_active(released: Proposal) -> None:
    assert released.status == Status.REPLIED
    assert set(released.assignments.values_list("status", flat=True)) == {Assignment.Status.ACTIVE}


def test_the_office_list_puts_it_under_replied(congress: SimpleNamespace, released: Proposal) -> None:
    for staff in (congress.logistics_staff, congress.hr_staff):
        counts = console_selectors.office_counts(user=staff)
        assert counts["todo"] == 0 and counts["signoff"] == 0 and counts["replied"] == 1
        client = client_for(staff)
        todo = text(client.get(reverse("proposals:office_list")))
        assert "关于增建东区停车场的提案" not in todo
        replied = text(client.get(reverse("proposals:office_list"), {"tab": "replied"}))
        assert "关于增建东区停车场的提案" in replied
        assert "Replied (已答复)" in replied and ">Handling<" not in replied


@pytest.mark.parametrize("status", ANSWERED)
def test_answered_proposals_are_never_running(congress: SimpleNamespace, status: str) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=status, lead=congress.logistics, assists=[congress.hr]
    )
    overdue = timezone.localdate() - dt.timedelta(days=10)
    Proposal.objects.filter(pk=proposal.pk).update(due_date=overdue)
    Assignment.objects.filter(proposal=proposal).update(return_until=timezone.localdate())
    assert proposal.pk in {
        a.proposal_id
        for a in console_selectors.office_assignments(user=congress.logistics_staff, tab="replied")
    }
    assert not console_selectors.office_assignments(user=congress.logistics_staff, tab="todo").exists()
    board = board_selectors.board()
    assert proposal.pk not in {row.proposal.pk for row in board.rows}
    assert board.totals == {}
    counts = supervision_services.reminders_send()
    assert counts["return_window"] == counts["overdue"] == counts["escalated"] == counts["before_due"] == 0
    assert not Reminder.objects.filter(proposal=proposal).exclude(kind="evaluation").exists()
    proposal.refresh_from_db()
    for assignment in Assignment.objects.filter(proposal=proposal):
        assert console_selectors.assignment_state(assignment, proposal) == "Replied (已答复)"


@pytest.mark.parametrize("status", [*ANSWERED, Status.REPLY_SIGNOFF])
def test_no_return_after_the_reply(congress: SimpleNamespace, status: str) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=status, lead=congress.logistics, assists=[congress.hr]
    )
    Assignment.objects.filter(proposal=proposal).update(return_until=timezone.localdate())
    for staff in (congress.logistics_staff, congress.hr_staff):
        with pytest.raises(ValidationError) as error:
            handling.assignment_return(actor=staff, proposal=proposal, reason="不属于本部门职责")
        assert "This cannot be done while the proposal is" in " ".join(error.value.messages)
        page = text(client_for(staff).get(reverse("proposals:office_detail", args=[proposal.pk])))
        assert 'id="return-form"' not in page
        response = client_for(staff).post(
            reverse("proposals:office_return", args=[proposal.pk]), {"reason": "不属于本部门职责"}
        )
        assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == status
    assert set(proposal.assignments.values_list("status", flat=True)) == {Assignment.Status.ACTIVE}
    assert not proposal.assignments.exclude(return_reason="").exists()


def test_detail_pages_show_the_assignment_as_replied(congress: SimpleNamespace, released: Proposal) -> None:
    for user, name in (
        (congress.logistics_staff, "proposals:office_detail"),
        (congress.committee, "proposals:console_detail"),
    ):
        page = text(client_for(user).get(reverse(name, args=[released.pk])))
        handling_card = page.split('id="handling"', 1)[1].split("</section>", 1)[0]
        assert "Replied (已答复)" in handling_card and "<td>Handling</td>" not in handling_card


def test_a_running_assignment_still_reads_handling(congress: SimpleNamespace) -> None:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=Status.ASSIGNED, lead=congress.logistics
    )
    assignment = proposal.assignments.get()
    assert console_selectors.assignment_state(assignment, proposal) == "Handling"
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.RETURNED)
    assignment.refresh_from_db()
    Proposal.objects.filter(pk=proposal.pk).update(status=Status.CLOSED)
    proposal.refresh_from_db()
    assert console_selectors.assignment_state(assignment, proposal) == "Returned to the committee (退办)"
