"""督办: notes, the daily reminders (idempotent, catching up, escalation, working days), the board and the
daily command."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.core.models import AuditEntry, CalendarDay
from smartunion.notifications.models import Notification
from smartunion.proposals.models import Assignment, Evaluation, Proposal, ProposalEvent, Reminder
from smartunion.proposals.selectors import supervision as board_selectors
from smartunion.proposals.services import supervision as services

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
TODAY = dt.date(2030, 3, 4)  # a Monday, far from the factories' own dates


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assigned(congress: Any, due: dt.date | None, *, status: str = Status.ASSIGNED, **kw: Any) -> Proposal:
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=status, lead=congress.logistics, assists=[congress.hr], **kw
    )
    Proposal.objects.filter(pk=proposal.pk).update(due_date=due)
    proposal.refresh_from_db()
    return proposal


def told(user: Any, kind: str) -> bool:
    return Notification.objects.filter(recipient=user, kind=f"proposals.{kind}").exists()


# -- notes --------------------------------------------------------------------------------------------


def test_note_is_private_and_optionally_sent(congress: Any) -> None:
    proposal = assigned(congress, TODAY)
    event = services.supervision_note_add(actor=congress.committee, proposal=proposal, text="请加快进度")
    assert event.kind == ProposalEvent.Kind.SUPERVISION and not event.is_public
    assert not told(congress.logistics_staff, "supervision")
    services.supervision_note_add(
        actor=congress.committee, proposal=proposal, text="请本周答复", notify_office=True
    )
    assert told(congress.logistics_staff, "supervision") and told(congress.hr_staff, "supervision")
    assert AuditEntry.objects.filter(action="proposals.supervision.noted").count() == 2


def test_note_refusals(congress: Any) -> None:
    proposal = assigned(congress, TODAY)
    with pytest.raises(ValidationError) as error:
        services.supervision_note_add(actor=congress.committee, proposal=proposal, text="  ")
    assert "text" in error.value.message_dict
    accepted = factories.make_proposal(congress.session, congress.rep2, status=Status.ACCEPTED)
    with pytest.raises(ValidationError) as error:
        services.supervision_note_add(
            actor=congress.committee, proposal=accepted, text="x", notify_office=True
        )
    assert "No office is handling this proposal" in error.value.message_dict["notify_office"][0]
    assert not accepted.events.exists()
    for status in (Status.SUBMITTED, Status.CLOSED, Status.REJECTED):
        other = factories.make_proposal(
            congress.session, congress.rep2, status=status, lead=congress.logistics
        )
        with pytest.raises(ValidationError, match="This cannot be done while the proposal is"):
            services.supervision_note_add(actor=congress.committee, proposal=other, text="x")
    congress.session.control_supervision = False
    congress.session.save()
    with pytest.raises(ValidationError, match="switched off"):
        services.supervision_note_add(actor=congress.committee, proposal=proposal, text="x")


# -- reminders ----------------------------------------------------------------------------------------


def test_due_soon_reminds_the_offices_once(congress: Any) -> None:
    proposal = assigned(congress, TODAY + dt.timedelta(days=3))  # Thursday: 3 working days left
    far = assigned(congress, TODAY + dt.timedelta(days=21))
    counts = services.reminders_send(today=TODAY)
    assert counts["before_due"] == 1 and counts["overdue"] == 0
    assert told(congress.logistics_staff, "before_due") and told(congress.hr_staff, "before_due")
    assert not told(congress.committee, "before_due")
    assert Reminder.objects.filter(proposal=proposal, round=1, kind="before_due").exists()
    assert not Reminder.objects.filter(proposal=far).exists()
    assert proposal.events.filter(kind=ProposalEvent.Kind.REMINDED, is_public=False).exists()
    before = Notification.objects.count()
    again = services.reminders_send(today=TODAY)
    assert sum(v for k, v in again.items()) == 0 and Notification.objects.count() == before


def test_warning_days_count_working_days_across_holidays(congress: Any) -> None:
    # Due the next Monday: 5 working days — but a holiday on Wednesday and a 调休 Saturday keep it at 5.
    due = TODAY + dt.timedelta(days=7)
    CalendarDay.objects.create(date=TODAY + dt.timedelta(days=2), is_workday=False, name="假日")
    CalendarDay.objects.create(date=TODAY + dt.timedelta(days=5), is_workday=True, name="调休")
    congress.session.warning_working_days = 4
    congress.session.save()
    assigned(congress, due)
    assert services.reminders_send(today=TODAY)["before_due"] == 0
    CalendarDay.objects.filter(name="调休").delete()  # now only 4 working days are left
    assert services.reminders_send(today=TODAY)["before_due"] == 1


def test_overdue_tells_offices_and_committee_then_escalates(congress: Any) -> None:
    proposal = assigned(congress, TODAY - dt.timedelta(days=1))  # due Sunday, overdue by 1 working day
    counts = services.reminders_send(today=TODAY)
    assert counts["overdue"] == 1 and counts["before_due"] == 0 and counts["escalated"] == 0
    assert told(congress.logistics_staff, "overdue") and told(congress.committee, "overdue")
    # Five working days overdue (the next Friday): escalation to the head and the leader, once.
    friday = TODAY + dt.timedelta(days=4)
    counts = services.reminders_send(today=friday)
    assert counts == {**counts, "overdue": 0, "escalated": 1}
    assert told(congress.logistics_head, "escalated") and told(congress.leader, "escalated")
    assert not told(congress.hr_staff, "escalated")
    assert proposal.events.filter(kind=ProposalEvent.Kind.ESCALATED).exists()
    assert services.reminders_send(today=friday + dt.timedelta(days=3))["escalated"] == 0
    assert AuditEntry.objects.filter(action="proposals.reminders.sent").count() == 2


def test_escalation_waits_for_working_days(congress: Any) -> None:
    congress.session.escalate_after_working_days = 3  # a rule of the session
    congress.session.save(update_fields=["escalate_after_working_days"])
    assigned(congress, TODAY - dt.timedelta(days=3))  # due Friday
    # Monday and Tuesday (a holiday on Tuesday): 1 working day overdue on Tuesday.
    CalendarDay.objects.create(date=TODAY + dt.timedelta(days=1), is_workday=False, name="假日")
    assert services.reminders_send(today=TODAY + dt.timedelta(days=1))["escalated"] == 0
    assert services.reminders_send(today=TODAY + dt.timedelta(days=3))["escalated"] == 1


def test_catching_up_after_downtime(congress: Any) -> None:
    # The job did not run for weeks: the proposal is found overdue and escalated at once, never "due soon".
    assigned(congress, TODAY - dt.timedelta(days=14))
    counts = services.reminders_send(today=TODAY)
    assert counts["before_due"] == 0 and counts["overdue"] == 1 and counts["escalated"] == 1


def test_a_new_round_is_reminded_again(congress: Any) -> None:
    proposal = assigned(congress, TODAY - dt.timedelta(days=1))
    services.reminders_send(today=TODAY)
    Proposal.objects.filter(pk=proposal.pk).update(round=2)
    Assignment.objects.filter(proposal=proposal).update(round=2)
    assert services.reminders_send(today=TODAY)["overdue"] == 1
    assert Reminder.objects.filter(proposal=proposal, kind="overdue").count() == 2


def test_reply_awaiting_sign_off_still_runs(congress: Any) -> None:
    assigned(congress, TODAY - dt.timedelta(days=2), status=Status.REPLY_SIGNOFF)
    assert services.reminders_send(today=TODAY)["overdue"] == 1


def test_nothing_when_supervision_is_off_or_no_time_limit(congress: Any) -> None:
    assigned(congress, TODAY - dt.timedelta(days=10))
    congress.session.control_time_limit = False
    congress.session.save()
    assert services.reminders_send(today=TODAY)["overdue"] == 0
    congress.session.control_time_limit = True
    congress.session.control_supervision = False
    congress.session.save()
    counts = services.reminders_send(today=TODAY)
    assert sum(counts.values()) == 0 and not Reminder.objects.exists()


def test_return_window_reminder(congress: Any) -> None:
    proposal = assigned(congress, TODAY + dt.timedelta(days=40))
    Assignment.objects.filter(proposal=proposal).update(return_until=TODAY + dt.timedelta(days=1))
    assert services.reminders_send(today=TODAY - dt.timedelta(days=3))["return_window"] == 0  # Friday: 2 days
    assert services.reminders_send(today=TODAY)["return_window"] == 1
    assert told(congress.logistics_staff, "return_window")
    assert services.reminders_send(today=TODAY + dt.timedelta(days=1))["return_window"] == 0


def test_evaluation_reminder_to_who_has_not_rated(congress: Any) -> None:
    congress.session.cosigners_evaluate = True
    congress.session.save()
    proposal = factories.make_proposal(
        congress.session,
        congress.rep1,
        status=Status.REPLIED,
        cosigners=[congress.rep2, congress.rep3],
        lead=congress.logistics,
    )
    released = timezone.make_aware(dt.datetime(2030, 2, 22, 10, 0))  # a Friday
    Proposal.objects.filter(pk=proposal.pk).update(replied_at=released)
    Evaluation.objects.create(
        proposal=proposal,
        reply=proposal.replies.get(),
        round=1,
        representative=congress.rep2,
        attitude="satisfied",
        result="satisfied",
    )
    assert services.reminders_send(today=dt.date(2030, 2, 28))["evaluation"] == 0  # 4 working days
    assert services.reminders_send(today=dt.date(2030, 3, 1))["evaluation"] == 1
    assert told(congress.rep1.person.user, "evaluation") and told(congress.rep3.person.user, "evaluation")
    assert not told(congress.rep2.person.user, "evaluation")
    note = Notification.objects.get(recipient=congress.rep1.person.user, kind="proposals.evaluation")
    assert note.link == reverse("proposals:portal_evaluate", args=[proposal.pk])


def test_command_runs_the_day_and_rejects_a_bad_date(congress: Any) -> None:
    assigned(congress, TODAY - dt.timedelta(days=1))
    out = StringIO()
    call_command("proposals_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "1 overdue" in out.getvalue()
    out = StringIO()
    call_command("proposals_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "0 overdue" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command("proposals_reminders", "--date", "31/05/2026")


# -- the board ----------------------------------------------------------------------------------------


def test_board_colours_by_office(congress: Any) -> None:
    today = timezone.localdate()
    red = assigned(congress, today - dt.timedelta(days=3))
    yellow = assigned(congress, today + dt.timedelta(days=1))
    green = assigned(congress, today + dt.timedelta(days=60))
    hr_one = factories.make_proposal(
        congress.session, congress.rep2, status=Status.ASSIGNED, lead=congress.hr
    )
    board = board_selectors.board(today=today)
    colours = {row.proposal.pk: row.colour for row in board.rows}
    assert colours[red.pk] == "red" and colours[green.pk] == "green"
    assert colours[yellow.pk] in ("yellow", "red")
    logistics = next(o for o in board.offices if o.office_id == congress.logistics.pk)
    assert logistics.total == 3 and logistics.red >= 1
    assert next(o for o in board.offices if o.office_id == congress.hr.pk).total == 1
    rows = board_selectors.filter_rows(board.rows, colour="red")
    assert rows[0].proposal == red and rows[0].overdue_days >= 1
    assert [r.proposal for r in board_selectors.filter_rows(board.rows, office_id=congress.hr.pk)] == [hr_one]


def test_board_page_and_export(congress: Any) -> None:
    today = timezone.localdate()
    red = assigned(congress, today - dt.timedelta(days=5))
    Reminder.objects.create(proposal=red, round=1, kind="escalated")
    client = client_for(congress.committee)
    response = client.get(reverse("proposals:supervision_board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert red.number in html and "Escalated to the office head" in html and 'data-colour="red"' in html
    partial = client.get(
        reverse("proposals:supervision_board") + "?colour=green", headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200 and "<h1>" not in partial.content.decode()
    assert red.number not in partial.content.decode()
    export = client.get(reverse("proposals:supervision_board") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="proposals.supervision.exported").exists()


def test_board_empty_state(congress: Any) -> None:
    html = client_for(congress.committee).get(reverse("proposals:supervision_board")).content.decode()
    assert "No proposal is with an office now" in html


def test_board_query_count_is_bounded(congress: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(12):
        assigned(congress, timezone.localdate() + dt.timedelta(days=2))
    client = client_for(congress.committee)
    client.get(reverse("proposals:supervision_board"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("proposals:supervision_board")).status_code == 200


def test_supervise_post(congress: Any) -> None:
    proposal = assigned(congress, TODAY)
    client = client_for(congress.committee)
    url = reverse("proposals:console_supervise", args=[proposal.pk])
    response = client.post(url, {"text": "", "notify_office": "on"}, follow=True)
    assert "Write the supervision note" in response.content.decode()
    response = client.post(
        url, {"text": "请尽快答复", "notify_office": "on", "next": reverse("proposals:supervision_board")}
    )
    assert response["Location"] == reverse("proposals:supervision_board")
    assert told(congress.logistics_staff, "supervision")
    assert client_for(congress.logistics_staff).post(url, {"text": "x"}).status_code == 403
