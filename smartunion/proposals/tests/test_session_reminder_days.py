"""Rules are data: the working days after which an overdue reply is escalated and a released reply's
rating is reminded are fields of the session (``escalate_after_working_days``,
``evaluation_reminder_working_days``), used by the daily reminders, shown and checked on the session
form, carried over to the next session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.proposals.models import Evaluation, Proposal, Session
from smartunion.proposals.selectors import supervision as board_selectors
from smartunion.proposals.services import congress as congress_services
from smartunion.proposals.services import supervision as services

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
TODAY = dt.date(2030, 3, 4)  # a Monday


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_rules(session: Session, **rules: Any) -> None:
    Session.objects.filter(pk=session.pk).update(**rules)


def overdue(congress: Any, due: dt.date, session: Session | None = None) -> Proposal:
    proposal = factories.make_proposal(
        session or congress.session, congress.rep1, status=Status.ASSIGNED, lead=congress.logistics
    )
    Proposal.objects.filter(pk=proposal.pk).update(due_date=due)
    return proposal


def test_defaults_are_five_working_days(congress: Any) -> None:
    assert congress.session.escalate_after_working_days == 5
    assert congress.session.evaluation_reminder_working_days == 5


def test_escalation_follows_each_sessions_rule(congress: Any) -> None:
    set_rules(congress.session, escalate_after_working_days=8)
    other_session = factories.make_session(number=3, escalate_after_working_days=2)
    slow = overdue(congress, TODAY - dt.timedelta(days=3))  # due Friday
    quick = overdue(congress, TODAY - dt.timedelta(days=3), session=other_session)
    wednesday = TODAY + dt.timedelta(days=2)  # 3 working days overdue
    assert services.reminders_send(today=wednesday)["escalated"] == 1
    assert quick.reminders.filter(kind="escalated").exists()
    assert not slow.reminders.filter(kind="escalated").exists()
    seven = TODAY + dt.timedelta(days=8)  # Tuesday of the next week: 7 working days overdue
    assert services.reminders_send(today=seven)["escalated"] == 0
    eight = TODAY + dt.timedelta(days=9)  # Wednesday: 8 working days overdue
    assert services.reminders_send(today=eight)["escalated"] == 1
    assert slow.reminders.filter(kind="escalated").exists()


def test_evaluation_reminder_follows_the_session(congress: Any) -> None:
    set_rules(congress.session, evaluation_reminder_working_days=2)
    proposal = factories.make_proposal(
        congress.session, congress.rep1, status=Status.REPLIED, lead=congress.logistics
    )
    released = timezone.make_aware(dt.datetime(2030, 2, 22, 10, 0))  # a Friday
    Proposal.objects.filter(pk=proposal.pk).update(replied_at=released)
    assert services.reminders_send(today=dt.date(2030, 2, 25))["evaluation"] == 0  # 1 working day
    assert services.reminders_send(today=dt.date(2030, 2, 26))["evaluation"] == 1  # 2 working days
    assert not Evaluation.objects.exists()


def test_the_settings_are_gone() -> None:
    assert not hasattr(services, "escalate_after")
    assert not hasattr(services, "evaluation_reminder_after")


# -- the session form ---------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["escalate_after_working_days", "evaluation_reminder_working_days"])
@pytest.mark.parametrize("value", [0, 251])
def test_service_refuses_bad_days(congress: Any, field: str, value: int) -> None:
    with pytest.raises(ValidationError) as error:
        congress_services.session_update(actor=congress.committee, session=congress.session, **{field: value})
    assert "between 1 and 250 working days" in " ".join(error.value.message_dict[field])
    congress.session.refresh_from_db()
    assert getattr(congress.session, field) == 5


def test_new_session_copies_the_days_of_the_last_one(congress: Any) -> None:
    congress_services.session_update(
        actor=congress.committee,
        session=congress.session,
        escalate_after_working_days=3,
        evaluation_reminder_working_days=10,
    )
    defaults = congress_services.session_defaults(congress.congress)
    assert defaults["escalate_after_working_days"] == 3
    assert defaults["evaluation_reminder_working_days"] == 10


def session_post(session: Session, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": str(session.number),
        "name": session.name,
        "collection_opens": timezone.localtime(session.collection_opens).strftime("%Y-%m-%dT%H:%M"),
        "collection_closes": timezone.localtime(session.collection_closes).strftime("%Y-%m-%dT%H:%M"),
        "cosigners_required": "2",
        "title_max_chars": "60",
        "reasons_min_chars": "50",
        "reasons_max_chars": "3000",
        "suggestions_min_chars": "30",
        "suggestions_max_chars": "3000",
        "reply_working_days": "30",
        "return_working_days": "5",
        "warning_working_days": "5",
        "escalate_after_working_days": "5",
        "evaluation_reminder_working_days": "5",
        "max_rehandling_rounds": "1",
        "control_leader_signoff": "on",
        "control_co_handling": "on",
        "control_time_limit": "on",
        "control_supervision": "on",
        "control_evaluation": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def office(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="工会办公室")


def test_session_form_shows_and_saves_the_days(congress: Any, office: Any) -> None:
    client = client_for(office)
    url = reverse("proposals:session_edit", args=[congress.session.pk])
    page = client.get(url).content.decode()
    assert 'name="escalate_after_working_days"' in page and 'name="evaluation_reminder_working_days"' in page
    assert "the head of the lead office and its supervising school leader" in page
    response = client.post(
        url,
        session_post(congress.session, escalate_after_working_days="7", evaluation_reminder_working_days="3"),
    )
    assert response.status_code == 302
    congress.session.refresh_from_db()
    assert congress.session.escalate_after_working_days == 7
    assert congress.session.evaluation_reminder_working_days == 3


def test_session_form_refuses_bad_days(congress: Any, office: Any) -> None:
    url = reverse("proposals:session_edit", args=[congress.session.pk])
    page = client_for(office).post(url, session_post(congress.session, escalate_after_working_days="0"))
    assert page.status_code == 200
    assert "Give between 1 and 250 working days." in page.content.decode()
    missing = session_post(congress.session)
    del missing["evaluation_reminder_working_days"]
    page = client_for(office).post(url, missing)
    assert page.status_code == 200 and "This field is required." in page.content.decode()
    congress.session.refresh_from_db()
    assert congress.session.escalate_after_working_days == 5


# -- the supervision board ---------------------------------------------------------------------------


def test_board_states_the_sessions_escalation_rule(congress: Any) -> None:
    client = client_for(congress.committee)
    url = reverse("proposals:supervision_board")
    set_rules(congress.session, escalate_after_working_days=3)
    assert board_selectors.escalation_days() == [3]
    assert "3 working days overdue, the office head" in client.get(url).content.decode()
    other = factories.make_session(number=3, escalate_after_working_days=6)
    assert board_selectors.escalation_days() == [3, 6]
    page = client.get(url).content.decode()
    assert "overdue by the working days its session sets" in page
    page = client.get(url, {"session": other.pk}).content.decode()
    assert "6 working days overdue, the office head" in page
    set_rules(other, control_supervision=False)
    assert board_selectors.escalation_days() == [3]
