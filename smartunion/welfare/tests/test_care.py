"""Care visits (五必访): the suggested amount from the standard and the caps, who approves at which level,
forms refused, the visit posting once with its ledger lines, photo checks, a "stop" category refusing the
whole visit, reminders once a day, and the completion figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override

from smartunion.core.models import AuditEntry
from smartunion.finance.models import Entry
from smartunion.members.models import ServiceRecord
from smartunion.notifications.models import Notification
from smartunion.welfare.models import CareEvent, CareEventType, CareVisit, CareVisitPhoto, Issuance, Voucher
from smartunion.welfare.selectors import care as selectors
from smartunion.welfare.services import care, care_admin, issuing

from . import care_support as support

pytestmark = pytest.mark.django_db
D = Decimal
Status = CareEvent.Status


@pytest.fixture
def world(tree: Any, make_user: Any) -> Any:
    w = SimpleNamespace()
    w.tree = tree
    w.item = support.item(amount="800.00", cap="1000.00")
    w.type = support.event_type(w.item)
    w.school_type = support.event_type(w.item, responsible=CareEventType.Level.SCHOOL)
    w.person = support.member(tree.a1, name="王老师")
    w.other = support.member(tree.b1, name="赵老师")
    w.committee = make_user("subunion_committee", tree.a, name="分工会委员")
    w.chair = make_user("subunion_chair", tree.a, name="分工会主席")
    w.chair_b = make_user("subunion_chair", tree.b, name="外语分工会主席")
    w.office = make_user("union_staff", tree.root, name="校工会干事")
    w.union_chair = make_user("union_chair", tree.root, name="校工会主席")
    support.budget(tree.a)
    support.budget(tree.root)
    w.today = timezone.localdate()
    return w


def report(w: Any, *, actor: Any = None, event_type: Any = None, person: Any = None) -> CareEvent:
    return care.care_event_report(
        actor=actor or w.committee,
        person=person or w.person,
        event_type=event_type or w.type,
        occurred_on=w.today,
        description="胆囊手术，住院一周",
    )


def approved(w: Any, amount: str = "800.00", form: str = "cash", **kwargs: Any) -> CareEvent:
    event = report(w, **kwargs)
    approver = w.union_chair if event.responsible == CareEventType.Level.SCHOOL else w.chair
    return care.care_event_approve(actor=approver, event=event, amount=amount, form=form, note="")


# -- the suggested amount --------------------------------------------------------------------------------


def test_suggested_amount_is_the_standard_within_the_cap_per_event(world: Any) -> None:
    event = report(world)
    assert event.suggested_amount == D("800.00")
    assert event.responsible == CareEventType.Level.SUBUNION
    high = support.item(amount="1500.00", cap="1000.00")
    suggestion = care.suggest(event_type=support.event_type(high), person_id=world.person.pk, day=world.today)
    assert suggestion.amount == D("1000.00")
    assert suggestion.limited_by == ["cap_per_event"]


def test_suggested_amount_keeps_within_the_room_under_the_yearly_group_cap(world: Any) -> None:
    capped_group = support.group("1000.00")
    benefit = support.item(amount="800.00", cap=None, group=capped_group)
    issuing.issue(
        key="test:earlier",
        item=benefit,
        person=world.person,
        unit=world.person.unit,
        amount=D("700.00"),
        form="in_kind",
        day=world.today,
    )
    suggestion = care.suggest(
        event_type=support.event_type(benefit), person_id=world.person.pk, day=world.today
    )
    assert suggestion.year_to_date == D("700.00")
    assert suggestion.room == D("300.00")
    assert suggestion.amount == D("300.00")
    assert "group_cap" in suggestion.limited_by


def test_no_item_or_no_standard_suggests_nothing(world: Any) -> None:
    visit_only = support.event_type(None)
    assert care.suggest(event_type=visit_only, person_id=world.person.pk, day=world.today).amount is None


# -- reporting ---------------------------------------------------------------------------------------------


def test_a_member_reports_for_themselves_and_the_responsible_officers_are_told(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = report(world, actor=world.person.user)
    assert event.reported_by == world.person.user
    assert event.unit == world.tree.a1
    told = set(
        Notification.objects.filter(kind="welfare.care.reported").values_list("recipient_id", flat=True)
    )
    assert world.chair.pk in told  # welfare.care.approve at the sub-union
    assert world.union_chair.pk in told  # the school office may act for a sub-union
    assert world.chair_b.pk not in told
    assert world.committee.pk not in told  # reports, does not approve


def test_school_level_events_notify_only_the_top(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = report(world, event_type=world.school_type)
    assert event.responsible == CareEventType.Level.SCHOOL
    told = set(
        Notification.objects.filter(kind="welfare.care.reported").values_list("recipient_id", flat=True)
    )
    assert world.union_chair.pk in told and world.office.pk in told
    assert world.chair.pk not in told


def test_an_officer_reports_only_in_their_units(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        report(world, actor=world.chair_b)
    with pytest.raises(PermissionDenied):
        report(world, actor=world.other.user)  # a member for someone else


def test_bad_dates_are_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        care.care_event_report(
            actor=world.committee,
            person=world.person,
            event_type=world.type,
            occurred_on=world.today - dt.timedelta(days=400),
            description="",
        )
    assert "occurred_on" in error.value.error_dict


# -- approval --------------------------------------------------------------------------------------------


def test_a_subunion_chair_approves_a_subunion_event(world: Any) -> None:
    event = report(world)
    event = care.care_event_approve(
        actor=world.chair, event=event, amount="800.00", form="cash", note="按标准"
    )
    assert event.status == Status.APPROVED
    assert event.approved_amount == D("800.00")
    assert event.form == "cash"
    assert AuditEntry.objects.filter(action="welfare.care.approved", target_id=str(event.pk)).exists()


def test_a_subunion_officer_cannot_approve_a_school_level_event(world: Any) -> None:
    event = report(world, event_type=world.school_type)
    with pytest.raises(PermissionDenied):
        care.care_event_approve(actor=world.chair, event=event, amount="800.00", form="cash")
    event = care.care_event_approve(actor=world.union_chair, event=event, amount="800.00", form="cash")
    assert event.status == Status.APPROVED


def test_another_subunion_cannot_approve(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        care.care_event_approve(actor=world.chair_b, event=report(world), amount="800.00", form="cash")


def test_the_reporter_and_the_member_do_not_approve(world: Any, make_user: Any) -> None:
    event = report(world, actor=world.chair)
    with pytest.raises(ValidationError, match="another approver"):
        care.care_event_approve(actor=world.chair, event=event, amount="800.00", form="cash")
    # A chair who is the member concerned does not approve their own benefit either.
    from smartunion.accounts import services as account_services
    from smartunion.accounts.models import Role

    account_services.role_assign(
        actor=None, user=world.person.user, role=Role.objects.get(code="subunion_chair"), unit=world.tree.a
    )
    world.person.user.forget_grants()
    own = report(world)
    with pytest.raises(ValidationError, match="concerns you"):
        care.care_event_approve(actor=world.person.user, event=own, amount="800.00", form="cash")


def test_amounts_over_the_caps_are_refused(world: Any) -> None:
    event = report(world)
    with pytest.raises(ValidationError) as error:
        care.care_event_approve(actor=world.chair, event=event, amount="1200.00", form="cash")
    assert "1000" in str(error.value.error_dict["amount"])
    capped_group = support.group("500.00")
    benefit = support.item(amount="400.00", cap=None, group=capped_group)
    issuing.issue(
        key="test:ytd", item=benefit, person=world.person, unit=world.person.unit,
        amount=D("300.00"), form="in_kind", day=world.today,
    )  # fmt: skip
    event = report(world, event_type=support.event_type(benefit))
    assert event.suggested_amount == D("200.00")
    with pytest.raises(ValidationError, match="yearly cap"):
        care.care_event_approve(actor=world.chair, event=event, amount="250.00", form="cash")


def test_forms_the_standard_does_not_allow_are_refused(world: Any) -> None:
    in_kind_only = support.item(amount="500.00", cap="500.00", forms=["in_kind"])
    event = report(world, event_type=support.event_type(in_kind_only))
    with pytest.raises(ValidationError) as error:
        care.care_event_approve(actor=world.chair, event=event, amount="500.00", form="cash")
    assert "form" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        care.care_event_approve(actor=world.chair, event=event, amount="500.00", form="shopping_card")
    assert "form" in error.value.error_dict
    assert (
        care.care_event_approve(actor=world.chair, event=event, amount="500.00", form="in_kind").form
        == "in_kind"
    )


def test_reject_needs_a_reason_and_tells_the_reporter(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = report(world, actor=world.person.user)
    with pytest.raises(ValidationError):
        care.care_event_reject(actor=world.chair, event=event, note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        event = care.care_event_reject(actor=world.chair, event=event, note="不属于慰问范围")
    assert event.status == Status.REJECTED
    assert Notification.objects.filter(kind="welfare.care.rejected", recipient=world.person.user).exists()
    with pytest.raises(ValidationError):
        care.care_event_approve(actor=world.chair, event=event, amount="1.00", form="cash")


def test_cancel_by_the_reporter_before_the_visit(world: Any) -> None:
    event = report(world)
    with pytest.raises(PermissionDenied):
        care.care_event_cancel(actor=world.chair_b, event=event)
    assert care.care_event_cancel(actor=world.committee, event=event).status == Status.CANCELLED


# -- the visit -------------------------------------------------------------------------------------------


def test_the_visit_posts_once_and_writes_the_service_ledger(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    event = approved(world)
    with django_capture_on_commit_callbacks(execute=True):
        result = care.care_visit_record(
            actor=world.committee,
            event=event,
            visited_on=world.today,
            visitors="张主席、李委员",
            notes="精神状态良好",
            photos=[care.Upload("病房.png", support.PNG), care.Upload("合影.jpg", support.JPEG)],
        )
    assert result.warnings == []
    visit = result.visit
    assert visit.visitors == "张主席、李委员"
    assert CareVisitPhoto.objects.filter(visit=visit).count() == 2
    issuance = Issuance.objects.get(key=f"care:{event.pk}")
    assert issuance.amount == D("800.00") and issuance.form == "cash"
    assert visit.issuance == issuance
    entry = Entry.objects.get(idempotency_key=f"welfare.care:{event.pk}")
    assert entry.source_type == "welfare.care" and entry.source_id == str(event.pk)
    assert issuance.entry_id_ref == entry.pk
    assert entry.unit_id == world.tree.a.pk  # the sub-union pays
    lines = {(line.account, line.amount) for line in entry.lines.all()}
    assert ("category", D("800.00")) in lines and ("funds", D("-800.00")) in lines
    assert ServiceRecord.objects.filter(key=f"welfare.visit:{event.pk}", kind="welfare.visit").count() == 1
    assert ServiceRecord.objects.filter(key=f"welfare.care:{event.pk}").count() == 1  # the benefit itself
    assert Notification.objects.filter(kind="welfare.care.visited", recipient=world.person.user).exists()
    event.refresh_from_db()
    assert event.status == Status.VISITED
    # A second record (a retried click) is refused and nothing is posted twice.
    with pytest.raises(ValidationError):
        care.care_visit_record(
            actor=world.committee, event=event, visited_on=world.today, visitors="张、李", notes=""
        )
    assert Entry.objects.filter(idempotency_key=f"welfare.care:{event.pk}").count() == 1
    assert Issuance.objects.filter(key=f"care:{event.pk}").count() == 1


def test_a_school_level_visit_is_paid_by_the_school(world: Any) -> None:
    event = approved(world, event_type=world.school_type)
    with pytest.raises(PermissionDenied):
        care.care_visit_record(
            actor=world.committee, event=event, visited_on=world.today, visitors="甲、乙", notes=""
        )
    care.care_visit_record(
        actor=world.office, event=event, visited_on=world.today, visitors="甲、乙", notes=""
    )
    assert Entry.objects.get(idempotency_key=f"welfare.care:{event.pk}").unit_id == world.tree.root.pk


def test_a_voucher_care_benefit_gets_a_voucher_valid_ninety_days(world: Any) -> None:
    event = approved(world, form="voucher")
    care.care_visit_record(
        actor=world.committee, event=event, visited_on=world.today, visitors="甲、乙", notes=""
    )
    voucher = Voucher.objects.get(issuance__key=f"care:{event.pk}")
    assert voucher.valid_to == world.today + dt.timedelta(days=90)


def test_one_visitor_warns_none_is_refused(world: Any) -> None:
    event = approved(world)
    with pytest.raises(ValidationError) as error:
        care.care_visit_record(
            actor=world.committee, event=event, visited_on=world.today, visitors=" ", notes=""
        )
    assert "visitors" in error.value.error_dict
    result = care.care_visit_record(
        actor=world.committee, event=event, visited_on=world.today, visitors="张主席", notes=""
    )
    assert result.warnings and "two or more" in result.warnings[0]


@override("en")
def test_photos_are_checked_by_content_and_size(world: Any) -> None:
    event = approved(world)
    for upload, message in (
        (care.Upload("病历.pdf", b"%PDF-1.4"), "JPEG or PNG"),
        (care.Upload("假照片.png", b"GIF89a" + b"\x00" * 10), "content is not"),
        (care.Upload("空.jpg", b""), "empty"),
        (care.Upload("大.png", support.PNG + b"\x00" * (10 * 1024 * 1024)), "largest"),
    ):
        with pytest.raises(ValidationError) as error:
            care.care_visit_record(
                actor=world.committee,
                event=event,
                visited_on=world.today,
                visitors="甲、乙",
                notes="",
                photos=[upload],
            )
        assert message in str(error.value.error_dict["photos"])
    assert not CareVisit.objects.exists()
    assert not Entry.objects.filter(source_type="welfare.care").exists()


def test_a_stop_category_over_budget_refuses_the_whole_visit(world: Any) -> None:
    support.budget(world.tree.a, amount="100.00")  # 50203 is "stop" by default
    event = approved(world)
    with pytest.raises(ValidationError, match=r"Over budget|预算"):
        care.care_visit_record(
            actor=world.committee,
            event=event,
            visited_on=world.today,
            visitors="甲、乙",
            notes="",
            photos=[care.Upload("a.png", support.PNG)],
        )
    event.refresh_from_db()
    assert event.status == Status.APPROVED
    assert not CareVisit.objects.exists() and not CareVisitPhoto.objects.exists()
    assert not Issuance.objects.filter(key=f"care:{event.pk}").exists()
    assert not ServiceRecord.objects.filter(
        key__in=[f"welfare.visit:{event.pk}", f"welfare.care:{event.pk}"]
    ).exists()
    assert not Entry.objects.filter(source_type="welfare.care").exists()


def test_a_visit_without_payment(world: Any) -> None:
    visit_only = support.event_type(None)
    event = report(world, event_type=visit_only)
    care.care_event_approve(actor=world.chair, event=event, amount="0", form="")
    result = care.care_visit_record(
        actor=world.committee, event=event, visited_on=world.today, visitors="甲、乙", notes=""
    )
    assert result.visit.issuance is None
    assert ServiceRecord.objects.filter(key=f"welfare.visit:{event.pk}").exists()


# -- reminders and the figures -----------------------------------------------------------------------------


def _age(event: CareEvent, days: int) -> None:
    CareEvent.objects.filter(pk=event.pk).update(reported_at=timezone.now() - dt.timedelta(days=days))


def test_reminders_are_sent_once_a_day(world: Any) -> None:
    late = report(world)
    _age(late, 10)
    fresh = report(world)
    result = care_admin.care_reminders(world.today)
    assert (result.events, result.units) == (1, 1)
    told = Notification.objects.filter(kind="welfare.care.overdue")
    assert set(told.values_list("recipient_id", flat=True)) >= {world.chair.pk}
    assert world.chair_b.pk not in set(told.values_list("recipient_id", flat=True))
    count = told.count()
    again = care_admin.care_reminders(world.today)
    assert (again.events, again.skipped) == (0, 1)
    assert Notification.objects.filter(kind="welfare.care.overdue").count() == count
    assert care_admin.care_reminders(world.today + dt.timedelta(days=1)).events == 1
    call_command("welfare_care_reminders", "--date", (world.today + dt.timedelta(days=1)).isoformat())
    assert Notification.objects.filter(kind="welfare.care.overdue").count() == 2 * count
    assert fresh not in list(selectors.overdue_events(today=world.today))


def test_approved_overdue_events_remind_the_visitors(world: Any) -> None:
    event = approved(world)
    _age(event, 8)
    care_admin.care_reminders(world.today)
    told = set(
        Notification.objects.filter(kind="welfare.care.overdue").values_list("recipient_id", flat=True)
    )
    assert world.committee.pk in told  # welfare.care.report: who visits


def test_completion_rate_and_average_days(world: Any) -> None:
    # A: three events reported, two visited (after 2 and 4 days), one cancelled (not counted).
    first = approved(world)
    second = approved(world)
    report(world)
    cancelled = report(world)
    care.care_event_cancel(actor=world.committee, event=cancelled)
    for event, days in ((first, 2), (second, 4)):
        care.care_visit_record(
            actor=world.committee, event=event, visited_on=world.today, visitors="甲、乙", notes=""
        )
        CareEvent.objects.filter(pk=event.pk).update(
            reported_at=timezone.make_aware(
                dt.datetime.combine(world.today - dt.timedelta(days=days), dt.time(10))
            )
        )
    # B: one event, not visited.
    care.care_event_report(
        actor=world.chair_b,
        person=world.other,
        event_type=world.type,
        occurred_on=world.today,
        description="",
    )
    start = world.today - dt.timedelta(days=30)
    report_all = selectors.completion_stats(user=world.office, date_from=start, date_to=world.today)
    rows = {row.unit.pk: row for row in report_all.rows}
    a, b = rows[world.tree.a.pk], rows[world.tree.b.pk]
    assert (a.reported, a.visited, a.rate, a.average_days) == (3, 2, D("66.7"), D("3.0"))
    assert (b.reported, b.visited, b.rate, b.average_days) == (1, 0, D("0.0"), None)
    assert report_all.total.reported == 4 and report_all.total.visited == 2
    # A sub-union chair sees their own unit only.
    mine = selectors.completion_stats(user=world.chair, date_from=start, date_to=world.today)
    assert [row.unit.pk for row in mine.rows] == [world.tree.a.pk]


def test_events_are_scoped_by_unit(world: Any) -> None:
    mine = report(world)
    theirs = care.care_event_report(
        actor=world.chair_b,
        person=world.other,
        event_type=world.type,
        occurred_on=world.today,
        description="",
    )
    visible = set(selectors.care_events_for_user(user=world.chair).values_list("pk", flat=True))
    assert mine.pk in visible and theirs.pk not in visible
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.care_event_get_for_user(user=world.chair, pk=theirs.pk)
    assert selectors.care_event_counts_for_user(user=world.chair)["reported"] == 1


def test_event_types_are_edited_at_the_top_only(world: Any, make_user: Any) -> None:
    staff_a = make_user("union_staff", world.tree.a)
    with pytest.raises(PermissionDenied):
        care_admin.care_event_type_save(actor=staff_a, event_type=None, data={"code": "x", "name": "x"})
    created = care_admin.care_event_type_save(
        actor=world.office,
        event_type=None,
        data={"code": "serious", "name": "大病", "responsible": "school", "visit_within_days": 3},
    )
    assert created.responsible == "school"
    report(world, event_type=created)
    with pytest.raises(ValidationError):
        care_admin.care_event_type_save(actor=world.office, event_type=created, data={"code": "other"})
