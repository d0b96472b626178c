"""Routing: the router's threshold (auto-route or triage), the union office's routing and re-routing,
an office passing an appeal back as misrouted, the deadlines in working days, the training data the
router learns from and when a retraining is asked for. The router itself is replaced by a fake here
(``routing._suggest``), so these tests do not depend on the ai part."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from smartunion.appeals.models import Appeal, Event, Routing, Settings
from smartunion.appeals.selectors import training
from smartunion.appeals.services import routing
from smartunion.appeals.tests.factories import make_appeal, make_member, make_office, make_taxonomy
from smartunion.core.models import AuditEntry, CalendarDay
from smartunion.notifications.models import Notification

pytestmark = pytest.mark.django_db
Status = Appeal.Status


def fake_router(monkeypatch: Any, *rows: tuple[Any, float], version: int = 3) -> None:
    prediction = SimpleNamespace(
        version=version,
        suggestions=[SimpleNamespace(label=str(getattr(c, "pk", c)), confidence=p) for c, p in rows],
    )
    monkeypatch.setattr(routing, "_suggest", lambda text: prediction)


@pytest.fixture
def world(tree: Any, make_user: Any) -> SimpleNamespace:
    logistics_staff = make_user(name="后勤经办")
    personnel_staff = make_user(name="人事经办")
    offices = {
        "后勤管理处": make_office("后勤管理处", staff=[logistics_staff]),
        "人事处": make_office("人事处", staff=[personnel_staff]),
    }
    taxonomy = make_taxonomy(offices)
    triager = make_user("union_staff", tree.root, name="校工会干事")
    member = make_member(tree.b1, name="张三丰")
    return SimpleNamespace(
        tree=tree,
        tax=taxonomy,
        offices=offices,
        logistics_staff=logistics_staff,
        personnel_staff=personnel_staff,
        triager=triager,
        member=member,
    )


def _settings(**values: Any) -> None:
    Settings.objects.update_or_create(pk=1, defaults=values)


# -- the router's threshold ------------------------------------------------------------------------------


def test_at_the_threshold_the_appeal_is_routed_automatically(world: Any, monkeypatch: Any) -> None:
    _settings(auto_route_confidence=0.6)
    canteen, repairs = world.tax["食堂餐饮"], world.tax["维修报修"]
    fake_router(monkeypatch, (canteen, 0.6), (repairs, 0.3), (world.tax["职称评审"], 0.1))
    appeal = make_appeal(world.member, anonymous=True)

    routing.route_new(appeal=appeal)

    appeal.refresh_from_db()
    assert appeal.status == Status.ROUTED
    assert (appeal.office, appeal.category) == (canteen.office, canteen)
    assert appeal.routing_confirmed is False  # the office's acknowledgement confirms it
    assert appeal.router_version == 3
    assert [s["category"] for s in appeal.suggestions] == [canteen.pk, repairs.pk, world.tax["职称评审"].pk]
    assert appeal.acknowledge_due and appeal.reply_due and appeal.routed_at
    (row,) = Routing.objects.filter(appeal=appeal)
    assert row.source == Routing.Source.AUTO and row.confidence == 0.6 and row.by is None
    assert Event.objects.filter(appeal=appeal, kind=Event.Kind.ROUTED).exists()
    (note,) = Notification.objects.filter(kind="appeals.routed")
    assert note.recipient == world.logistics_staff
    assert "张三丰" not in note.title + note.body and world.member.staff_no not in note.title + note.body


def test_below_the_threshold_the_appeal_waits_with_its_suggestions(world: Any, monkeypatch: Any) -> None:
    _settings(auto_route_confidence=0.6)
    canteen, repairs = world.tax["食堂餐饮"], world.tax["维修报修"]
    fake_router(monkeypatch, (canteen, 0.59), (repairs, 0.3))
    appeal = make_appeal(world.member, anonymous=True)

    routing.route_new(appeal=appeal)

    appeal.refresh_from_db()
    assert appeal.status == Status.TRIAGE and appeal.office is None and appeal.category is None
    assert appeal.suggestions == [
        {"category": canteen.pk, "office": canteen.office_id, "confidence": 0.59},
        {"category": repairs.pk, "office": repairs.office_id, "confidence": 0.3},
    ]
    assert not Routing.objects.filter(appeal=appeal).exists()
    notes = Notification.objects.filter(kind="appeals.triage")
    assert [n.recipient for n in notes] == [world.triager]
    assert "张三丰" not in notes[0].title + notes[0].body


def test_a_failing_router_leaves_the_appeal_in_triage(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(routing, "_suggest", lambda text: None)
    appeal = make_appeal(world.member)
    routing.route_new(appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.TRIAGE and appeal.suggestions == [] and appeal.router_version is None


def test_suggestions_of_categories_out_of_use_are_dropped(world: Any, monkeypatch: Any) -> None:
    _settings(auto_route_confidence=0.5)
    retired = world.tax["食堂餐饮"]
    retired.is_active = False
    retired.save()
    fake_router(monkeypatch, (retired, 0.9), (world.tax["维修报修"], 0.4), ("not-a-pk", 0.1))
    appeal = make_appeal(world.member)
    routing.route_new(appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.TRIAGE  # the best usable suggestion is below the threshold
    assert [s["category"] for s in appeal.suggestions] == [world.tax["维修报修"].pk]


# -- the union office routes ------------------------------------------------------------------------------


def test_triage_routes_and_confirms(world: Any) -> None:
    appeal = make_appeal(world.member, anonymous=True)
    appeal.suggestions = [{"category": world.tax["维修报修"].pk, "office": 1, "confidence": 0.42}]
    appeal.save()
    routing.route(actor=world.triager, appeal=appeal, category=world.tax["维修报修"].pk, note="请尽快处理")

    appeal.refresh_from_db()
    assert appeal.status == Status.ROUTED and appeal.routing_confirmed
    assert appeal.office == world.offices["后勤管理处"]
    row = Routing.objects.get(appeal=appeal)
    assert (row.source, row.by, row.confidence, row.reason) == (
        Routing.Source.TRIAGE,
        world.triager,
        0.42,
        "请尽快处理",
    )
    entry = AuditEntry.objects.get(action="appeals.appeal.routed")
    assert entry.unit_id is None  # an anonymous appeal's audit entry does not name the member's unit
    note = Notification.objects.get(kind="appeals.routed")
    assert note.recipient == world.logistics_staff and "张三丰" not in note.title + note.body


def test_rerouting_moves_the_appeal_and_tells_both_offices(world: Any) -> None:
    appeal = make_appeal(world.member, status=Status.IN_PROGRESS, category=world.tax["食堂餐饮"])
    routing.route(actor=world.triager, appeal=appeal, category=world.tax["职称评审"])
    appeal.refresh_from_db()
    assert appeal.office == world.offices["人事处"] and appeal.status == Status.ROUTED
    assert appeal.acknowledged_at is None
    assert Routing.objects.filter(appeal=appeal).latest("id").source == Routing.Source.REROUTED
    assert set(Notification.objects.values_list("kind", "recipient")) == {
        ("appeals.routed", world.personnel_staff.pk),
        ("appeals.rerouted", world.logistics_staff.pk),
    }


def test_confirming_an_automatic_routing_keeps_the_deadlines(world: Any) -> None:
    appeal = make_appeal(world.member, status=Status.ROUTED, category=world.tax["食堂餐饮"])
    due = appeal.reply_due
    routing.route(actor=world.triager, appeal=appeal, category=world.tax["食堂餐饮"])
    appeal.refresh_from_db()
    assert appeal.routing_confirmed and appeal.reply_due == due
    with pytest.raises(ValidationError, match="already routed"):
        routing.route(actor=world.triager, appeal=appeal, category=world.tax["食堂餐饮"])


def test_routing_is_refused_when_answered_or_out_of_use(world: Any) -> None:
    replied = make_appeal(world.member, status=Status.REPLIED, category=world.tax["食堂餐饮"])
    with pytest.raises(ValidationError, match="cannot be routed"):
        routing.route(actor=world.triager, appeal=replied, category=world.tax["维修报修"])
    retired = world.tax["工会福利"]
    retired.is_active = False
    retired.save()
    waiting = make_appeal(world.member)
    with pytest.raises(ValidationError, match="out of use"):
        routing.route(actor=world.triager, appeal=waiting, category=retired)
    with pytest.raises(ValidationError):
        routing.route(actor=world.triager, appeal=waiting, category=None)
    waiting.refresh_from_db()
    assert waiting.status == Status.TRIAGE


# -- passing back ------------------------------------------------------------------------------------------


def test_an_office_passes_a_misrouted_appeal_back(world: Any) -> None:
    appeal = make_appeal(world.member, status=Status.IN_PROGRESS, category=world.tax["食堂餐饮"])
    with pytest.raises(ValidationError, match="Only the office"):
        routing.pass_back(actor=world.personnel_staff, appeal=appeal, reason="不是我们的")
    with pytest.raises(ValidationError):
        routing.pass_back(actor=world.logistics_staff, appeal=appeal, reason="  ")

    routing.pass_back(
        actor=world.logistics_staff,
        appeal=appeal,
        reason="这是职称问题",
        suggested_office=world.offices["人事处"],
    )

    appeal.refresh_from_db()
    assert appeal.status == Status.TRIAGE
    assert (appeal.office, appeal.category, appeal.reply_due, appeal.routing_confirmed) == (
        None,
        None,
        None,
        False,
    )
    row = Routing.objects.filter(appeal=appeal).latest("id")
    assert (row.source, row.office, row.reason) == (
        Routing.Source.MISROUTED,
        world.offices["人事处"],
        "这是职称问题",
    )
    assert Event.objects.filter(appeal=appeal, kind=Event.Kind.MISROUTED).exists()
    assert Notification.objects.filter(kind="appeals.misrouted", recipient=world.triager).exists()
    with pytest.raises(ValidationError, match="cannot be passed back"):
        routing.pass_back(actor=world.logistics_staff, appeal=appeal, reason="again")


def test_the_router_learns_the_corrected_label_not_the_misrouted_one(world: Any) -> None:
    wrong, right = world.tax["食堂餐饮"], world.tax["职称评审"]
    appeal = make_appeal(world.member, title="职称材料", body="副教授评审材料什么时候交")
    routing.route(actor=world.triager, appeal=appeal, category=wrong)
    text = "职称材料\n副教授评审材料什么时候交"
    assert (text, str(wrong.pk)) in training.examples()

    routing.pass_back(actor=world.logistics_staff, appeal=appeal, reason="应由人事处答复")
    assert text not in [t for t, _label in training.examples()]

    routing.route(actor=world.triager, appeal=appeal, category=right)
    examples = [e for e in training.examples() if e[0] == text]
    assert examples == [(text, str(right.pk))]
    # Unconfirmed (automatic) routings are not examples.
    make_appeal(world.member, status=Status.ROUTED, category=wrong, title="自动", body="未确认")
    assert "自动\n未确认" not in [t for t, _label in training.examples()]


def test_seeds_describe_each_category_in_use(world: Any) -> None:
    retired = world.tax["工会福利"]
    retired.is_active = False
    retired.save()
    seeds = {label: text for text, label in training.seeds()}
    canteen = world.tax["食堂餐饮"]
    assert str(retired.pk) not in seeds
    assert all(part in seeds[str(canteen.pk)] for part in ("食堂餐饮", "开放时间", "早餐", "后勤管理处"))
    data = training.training_data()  # what ai.registry's RouterSpec("appeals") hands the trainer
    assert data.seeds == training.seeds() and data.examples == training.examples()


# -- deadlines ---------------------------------------------------------------------------------------------


def test_deadlines_count_working_days_and_skip_holidays(world: Any) -> None:
    category = world.tax["食堂餐饮"]  # acknowledge in 2 working days, reply in 10
    appeal = make_appeal(world.member, status=Status.ROUTED, category=category)
    friday = dt.date(2026, 3, 6)
    routing.set_deadlines(appeal, friday)
    appeal.refresh_from_db()
    assert appeal.acknowledge_due == dt.date(2026, 3, 10)  # Mon 9, Tue 10
    assert appeal.reply_due == dt.date(2026, 3, 20)

    CalendarDay.objects.create(date=dt.date(2026, 3, 9), is_workday=False, name="假日")
    routing.set_deadlines(appeal, friday)
    appeal.refresh_from_db()
    assert appeal.acknowledge_due == dt.date(2026, 3, 11)
    assert appeal.reply_due == dt.date(2026, 3, 23)


# -- retraining --------------------------------------------------------------------------------------------


def test_retraining_is_asked_for_every_n_confirmed_routings(world: Any, monkeypatch: Any) -> None:
    _settings(retrain_every_confirmed=2)
    calls: list[int] = []
    monkeypatch.setattr(routing, "_request_retrain", lambda: calls.append(1))
    appeals = [make_appeal(world.member) for _ in range(5)]

    routing.route(actor=world.triager, appeal=appeals[0], category=world.tax["食堂餐饮"])
    assert calls == []
    routing.route(actor=world.triager, appeal=appeals[1], category=world.tax["维修报修"])
    assert calls == [1]
    assert AuditEntry.objects.filter(action=routing.RETRAIN_REQUESTED).count() == 1
    routing.route(actor=world.triager, appeal=appeals[2], category=world.tax["食堂餐饮"])
    assert calls == [1]  # counted again from the request
    routing.route(actor=world.triager, appeal=appeals[3], category=world.tax["食堂餐饮"])
    assert calls == [1, 1]
