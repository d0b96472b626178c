"""SLA colours over working days: holidays (May Day) and a 调休 working Saturday change yellow/green; the
deadline that applies depends on the status."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from smartunion.appeals.models import Appeal
from smartunion.appeals.selectors import sla
from smartunion.core.models import CalendarDay

from . import factories

Status = Appeal.Status
D = dt.date


@pytest.fixture
def calendar(db: Any) -> None:
    """2026: Fri 1 May and Mon 4–Tue 5 May are holidays; Sat 9 May is a make-up working day (调休)."""
    for day in (D(2026, 5, 1), D(2026, 5, 4), D(2026, 5, 5)):
        CalendarDay.objects.create(date=day, is_workday=False, name="劳动节")
    CalendarDay.objects.create(date=D(2026, 5, 9), is_workday=True, name="调休")


@pytest.fixture
def appeal_of(tree: SimpleNamespace) -> Any:
    office = factories.make_office()
    category = factories.make_category(office)
    person = factories.make_member(tree.a1)

    def make(status: str, *, ack: dt.date | None = None, reply: dt.date | None = None) -> Appeal:
        appeal = factories.make_appeal(
            person, status=status, category=None if status == Status.TRIAGE else category
        )
        appeal.acknowledge_due = ack
        appeal.reply_due = reply
        appeal.save(update_fields=["acknowledge_due", "reply_due"])
        return appeal

    return make


def test_holidays_make_a_week_away_deadline_yellow(calendar: None, appeal_of: Any) -> None:
    # Thu 30 Apr → Wed 6 May: only 6 May is a working day (1, 4, 5 May holidays, weekend between).
    appeal = appeal_of(Status.IN_PROGRESS, reply=D(2026, 5, 6))
    assert sla.sla_colour(appeal, today=D(2026, 4, 30)) == sla.YELLOW


def test_without_the_holidays_the_same_deadline_is_green(db: Any, appeal_of: Any) -> None:
    appeal = appeal_of(Status.IN_PROGRESS, reply=D(2026, 5, 6))
    assert sla.sla_colour(appeal, today=D(2026, 4, 30)) == sla.GREEN


def test_a_make_up_saturday_counts_as_a_working_day(calendar: None, appeal_of: Any) -> None:
    # Thu 7 May → Mon 11 May: Fri 8, Sat 9 (调休), Mon 11 = 3 working days: green; without 调休 it is 2.
    appeal = appeal_of(Status.IN_PROGRESS, reply=D(2026, 5, 11))
    assert sla.sla_colour(appeal, today=D(2026, 5, 7)) == sla.GREEN
    CalendarDay.objects.filter(date=D(2026, 5, 9)).delete()
    assert sla.sla_colour(appeal, today=D(2026, 5, 7)) == sla.YELLOW


def test_past_the_deadline_is_red_and_the_day_itself_is_not(calendar: None, appeal_of: Any) -> None:
    appeal = appeal_of(Status.REOPENED, reply=D(2026, 5, 6))
    assert sla.sla_colour(appeal, today=D(2026, 5, 6)) == sla.YELLOW
    assert sla.sla_colour(appeal, today=D(2026, 5, 7)) == sla.RED


def test_a_routed_appeal_runs_on_its_acknowledgement_date(calendar: None, appeal_of: Any) -> None:
    appeal = appeal_of(Status.ROUTED, ack=D(2026, 5, 6), reply=D(2026, 5, 20))
    assert sla.due_date(appeal) == D(2026, 5, 6)
    assert sla.sla_colour(appeal, today=D(2026, 4, 30)) == sla.YELLOW
    assert sla.sla_colour(appeal, today=D(2026, 5, 7)) == sla.RED
    assert sla.sla_colour(appeal, today=D(2026, 4, 20)) == sla.GREEN
    # Acknowledged: the reply date applies.
    appeal.status = Status.IN_PROGRESS
    assert sla.due_date(appeal) == D(2026, 5, 20)
    assert sla.sla_colour(appeal, today=D(2026, 5, 7)) == sla.GREEN


def test_the_acknowledgement_turns_yellow_one_working_day_before(db: Any, appeal_of: Any) -> None:
    # Routed on Mon 11 May with two working days to acknowledge (Wed 13 May): green, not yet yellow.
    appeal = appeal_of(Status.ROUTED, ack=D(2026, 5, 13), reply=D(2026, 5, 25))
    assert sla.sla_colour(appeal, today=D(2026, 5, 11)) == sla.GREEN
    assert sla.sla_colour(appeal, today=D(2026, 5, 12)) == sla.YELLOW  # one working day left
    assert sla.sla_colour(appeal, today=D(2026, 5, 13)) == sla.YELLOW  # the day itself
    assert sla.sla_colour(appeal, today=D(2026, 5, 14)) == sla.RED


def test_the_reply_turns_yellow_two_working_days_before(db: Any, appeal_of: Any) -> None:
    appeal = appeal_of(Status.IN_PROGRESS, reply=D(2026, 5, 13))
    assert sla.sla_colour(appeal, today=D(2026, 5, 8)) == sla.GREEN  # Mon 11, Tue 12, Wed 13: three
    assert sla.sla_colour(appeal, today=D(2026, 5, 11)) == sla.YELLOW  # two
    # Routed and not acknowledged: the reply's own threshold still applies to the reply date.
    routed = appeal_of(Status.ROUTED, ack=D(2026, 5, 13), reply=D(2026, 5, 13))
    assert sla.sla_colour(routed, today=D(2026, 5, 11)) == sla.YELLOW


def test_no_colour_when_not_waiting_for_the_office(calendar: None, appeal_of: Any) -> None:
    for status in (Status.TRIAGE, Status.REPLIED, Status.CLOSED):
        appeal = appeal_of(status, reply=D(2026, 5, 1))
        assert sla.sla_colour(appeal, today=D(2026, 6, 1)) == ""
        assert sla.due_date(appeal) is None


def test_batch_readers_agree_with_the_single_one(
    calendar: None, appeal_of: Any, django_assert_max_num_queries: Any
) -> None:
    today = D(2026, 4, 30)
    appeals = [
        appeal_of(Status.IN_PROGRESS, reply=D(2026, 5, 6)),
        appeal_of(Status.IN_PROGRESS, reply=D(2026, 5, 20)),
        appeal_of(Status.ROUTED, ack=D(2026, 4, 29), reply=D(2026, 5, 20)),
        appeal_of(Status.REPLIED, reply=D(2026, 5, 20)),
    ]
    expected = {appeal.pk: sla.sla_colour(appeal, today=today) for appeal in appeals}
    assert list(expected.values()) == [sla.YELLOW, sla.GREEN, sla.RED, ""]
    with django_assert_max_num_queries(1):
        assert sla.colours_for(appeals, today=today) == expected
    with django_assert_max_num_queries(1):
        reader = sla.colour_reader(today)
        assert {appeal.pk: reader(appeal) for appeal in appeals} == expected
