"""The daily reminders: acknowledgement overdue, reply due soon (in working days, over May Day and a 调休
Saturday), overdue, escalation to the union office after the configured working days, the member's rating
reminder — each once (idempotent), catching up after downtime, and never naming an anonymous submitter."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartunion.appeals.models import Appeal, Event, Rating, Reminder, Settings
from smartunion.appeals.services import reminders
from smartunion.core.models import CalendarDay
from smartunion.notifications.models import Notification

from . import factories

Status = Appeal.Status
Kind = Reminder.Kind
D = dt.date


@pytest.fixture
def s(tree: SimpleNamespace, make_user: Any) -> SimpleNamespace:
    for day in (D(2026, 5, 1), D(2026, 5, 4), D(2026, 5, 5)):
        CalendarDay.objects.create(date=day, is_workday=False, name="劳动节")
    CalendarDay.objects.create(date=D(2026, 5, 9), is_workday=True, name="调休")
    clerk = make_user("handling_office", tree.root, name="后勤经办")
    head = make_user("handling_office", tree.root, name="后勤处长")
    union = make_user("union_staff", tree.root, name="校工会干事")
    elsewhere = make_user("union_staff", tree.a, name="分工会干事")  # not the union office
    office = factories.make_office("后勤管理处", staff=[clerk], head=head)
    category = factories.make_category(office, "食堂餐饮")
    person = factories.make_member(tree.a1, name="王小梅")
    return SimpleNamespace(
        clerk=clerk,
        head=head,
        union=union,
        elsewhere=elsewhere,
        office=office,
        category=category,
        person=person,
    )


def _appeal(s: SimpleNamespace, status: str, *, ack: Any = None, reply: Any = None, **kwargs: Any) -> Appeal:
    appeal = factories.make_appeal(
        s.person, status=status, category=s.category, title="食堂早餐太晚", anonymous=True, **kwargs
    )
    Appeal.objects.filter(pk=appeal.pk).update(acknowledge_due=ack, reply_due=reply)
    appeal.refresh_from_db()
    return appeal


def _run(day: dt.date, capture: Any) -> dict[str, int]:
    with capture(execute=True):
        return reminders.reminders_send(today=day)


def _recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=f"appeals.{kind}").values_list("recipient__name", flat=True))


def test_acknowledgement_overdue_reminds_the_office_once(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _appeal(s, Status.ROUTED, ack=D(2026, 4, 29), reply=D(2026, 5, 20))
    assert _run(D(2026, 4, 29), django_capture_on_commit_callbacks)["ack_due"] == 0
    counts = _run(D(2026, 4, 30), django_capture_on_commit_callbacks)
    assert counts["ack_due"] == 1
    assert _recipients("ack_due") == {"后勤经办", "后勤处长"}
    assert Event.objects.filter(appeal=appeal, kind=Event.Kind.REMINDED).count() == 1
    again = _run(D(2026, 5, 6), django_capture_on_commit_callbacks)
    assert again["ack_due"] == 0
    assert Reminder.objects.filter(appeal=appeal, kind=Kind.ACKNOWLEDGE_DUE).count() == 1


def test_reply_due_soon_counts_working_days_over_the_holiday(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _appeal(s, Status.IN_PROGRESS, reply=D(2026, 5, 7))
    # Wed 29 Apr → Thu 7 May: 30 Apr, 6 May, 7 May = 3 working days: not yet.
    assert _run(D(2026, 4, 29), django_capture_on_commit_callbacks)["reply_soon"] == 0
    # Thu 30 Apr → 7 May: 6, 7 May = 2 (1, 4, 5 May are holidays): due soon.
    assert _run(D(2026, 4, 30), django_capture_on_commit_callbacks)["reply_soon"] == 1
    assert _recipients("reply_soon") == {"后勤经办", "后勤处长"}
    assert _run(D(2026, 5, 6), django_capture_on_commit_callbacks)["reply_soon"] == 0
    assert Reminder.objects.get(appeal=appeal, kind=Kind.REPLY_SOON).sent_on == D(2026, 4, 30)


def test_a_make_up_saturday_delays_due_soon(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    _appeal(s, Status.IN_PROGRESS, reply=D(2026, 5, 11))
    # Thu 7 May → Mon 11 May: 8, 9 (调休), 11 = 3 working days: not yet due soon.
    assert _run(D(2026, 5, 7), django_capture_on_commit_callbacks)["reply_soon"] == 0
    assert _run(D(2026, 5, 8), django_capture_on_commit_callbacks)["reply_soon"] == 1


def test_overdue_then_escalated_after_the_configured_working_days(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    Settings.objects.update_or_create(pk=1, defaults={"escalate_after_working_days": 2})
    appeal = _appeal(s, Status.IN_PROGRESS, reply=D(2026, 4, 30))
    counts = _run(D(2026, 5, 1), django_capture_on_commit_callbacks)
    assert (counts["reply_overdue"], counts["escalated"], counts["reply_soon"]) == (1, 0, 0)
    assert _recipients("reply_overdue") == {"后勤经办", "后勤处长"}
    # 1, 4, 5 May are holidays: on 6 May it is one working day overdue — not escalated yet.
    assert _run(D(2026, 5, 6), django_capture_on_commit_callbacks)["escalated"] == 0
    appeal.refresh_from_db()
    assert appeal.escalated_at is None
    counts = _run(D(2026, 5, 7), django_capture_on_commit_callbacks)
    assert counts["escalated"] == 1 and counts["reply_overdue"] == 0
    appeal.refresh_from_db()
    assert appeal.escalated_at is not None
    assert Event.objects.filter(appeal=appeal, kind=Event.Kind.ESCALATED).count() == 1
    # The union office (at the top of the tree) and the office's head; not a sub-union's officer.
    assert _recipients("escalated") == {"校工会干事", "后勤处长"}
    assert _run(D(2026, 5, 20), django_capture_on_commit_callbacks)["escalated"] == 0


def test_a_run_after_downtime_catches_up_without_due_soon(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    _appeal(s, Status.ROUTED, ack=D(2026, 4, 20), reply=D(2026, 4, 28))
    counts = _run(D(2026, 5, 12), django_capture_on_commit_callbacks)
    assert {k: counts[k] for k in ("ack_due", "reply_soon", "reply_overdue", "escalated")} == {
        "ack_due": 1,
        "reply_soon": 0,
        "reply_overdue": 1,
        "escalated": 1,
    }
    assert sum(_run(D(2026, 5, 12), django_capture_on_commit_callbacks)[k] for k in Kind.values) == 0


@pytest.mark.parametrize("passed_back", [True, False])
def test_the_next_office_is_reminded_after_a_re_routing(
    s: SimpleNamespace, make_user: Any, tree: Any, django_capture_on_commit_callbacks: Any, passed_back: bool
) -> None:
    """The first office's reminders of the round do not count for the office the appeal goes to next."""
    from smartunion.appeals.services import routing

    other_clerk = make_user("handling_office", tree.root, name="宿管经办")
    other = factories.make_category(factories.make_office("宿舍管理中心", staff=[other_clerk]), "宿舍维修")
    appeal = _appeal(s, Status.ROUTED, ack=D(2026, 4, 28), reply=D(2026, 4, 29))
    first = _run(D(2026, 5, 12), django_capture_on_commit_callbacks)
    assert (first["ack_due"], first["reply_overdue"], first["escalated"]) == (1, 1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        if passed_back:
            routing.pass_back(actor=s.clerk, appeal=appeal, reason="不是我们处的事")
        routing.route(actor=s.union, appeal=appeal, category=other)
    Appeal.objects.filter(pk=appeal.pk).update(acknowledge_due=D(2026, 5, 13), reply_due=D(2026, 5, 14))
    Notification.objects.all().delete()
    again = _run(D(2026, 5, 20), django_capture_on_commit_callbacks)
    assert (again["ack_due"], again["reply_overdue"], again["escalated"]) == (1, 1, 1)
    assert _recipients("ack_due") == {"宿管经办"}
    assert "宿管经办" in _recipients("reply_overdue")
    assert Reminder.objects.filter(appeal=appeal, kind=Kind.ACKNOWLEDGE_DUE).count() == 1


def test_a_reopened_appeal_is_reminded_again_in_its_new_round(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _appeal(s, Status.IN_PROGRESS, reply=D(2026, 4, 28))
    assert _run(D(2026, 4, 29), django_capture_on_commit_callbacks)["reply_overdue"] == 1
    Appeal.objects.filter(pk=appeal.pk).update(
        status=Status.REOPENED, reopen_count=1, reply_due=D(2026, 5, 12)
    )
    assert _run(D(2026, 5, 13), django_capture_on_commit_callbacks)["reply_overdue"] == 1
    assert set(Reminder.objects.filter(appeal=appeal).values_list("round", flat=True)) == {1, 2}


def test_the_member_is_asked_to_rate_after_five_working_days(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _appeal(s, Status.REPLIED)
    replied = timezone.make_aware(dt.datetime(2026, 4, 29, 10, 0))
    Appeal.objects.filter(pk=appeal.pk).update(replied_at=replied)
    rated = _appeal(s, Status.REPLIED)
    Appeal.objects.filter(pk=rated.pk).update(replied_at=replied)
    Rating.objects.create(appeal=rated, round=1, score=Rating.Score.SATISFIED)
    # 30 Apr, 6, 7, 8 May = 4 working days; 9 May (调休) is the fifth.
    assert _run(D(2026, 5, 8), django_capture_on_commit_callbacks)["rate"] == 0
    assert _run(D(2026, 5, 9), django_capture_on_commit_callbacks)["rate"] == 1
    assert list(Notification.objects.filter(kind="appeals.rate").values_list("recipient", flat=True)) == [
        s.person.user_id
    ]


def test_nothing_sent_to_offices_or_the_union_office_names_the_anonymous_member(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    _appeal(s, Status.ROUTED, ack=D(2026, 4, 20), reply=D(2026, 4, 28))
    _run(D(2026, 5, 12), django_capture_on_commit_callbacks)
    notes = Notification.objects.exclude(recipient=s.person.user)
    assert notes.count() >= 3
    user = s.person.user
    for note in notes:
        text = f"{note.title} {note.body} {note.link}"
        for secret in (s.person.name, user.staff_no, s.person.unit.name):
            assert secret not in text, (secret, text)
    events = " ".join(Event.objects.values_list("note", flat=True))
    assert s.person.name not in events and user.staff_no not in events


def test_the_command_runs_for_a_date(s: SimpleNamespace) -> None:
    _appeal(s, Status.ROUTED, ack=D(2026, 4, 20), reply=D(2026, 5, 20))
    out = StringIO()
    call_command("appeals_reminders", "--date", "2026-04-22", stdout=out)
    assert "1 acknowledgement" in out.getvalue()
    out = StringIO()
    call_command("appeals_reminders", "--date", "2026-04-22", stdout=out)
    assert "0 acknowledgement" in out.getvalue()
