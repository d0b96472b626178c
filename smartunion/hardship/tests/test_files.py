"""The hardship file procedure (services.files): create, figures and household, submit with consent,
home visit, sub-union review, public notice with objections, school approval, override, withdrawal."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.hardship.models import (
    Category,
    CategoryChange,
    Consent,
    DibaoStandard,
    HardshipFile,
    HouseholdMember,
)
from smartunion.hardship.services import files as services
from smartunion.notifications.models import Notification

from . import factories

pytestmark = pytest.mark.django_db

Status = HardshipFile.Status
Relation = HouseholdMember.Relation
Occupation = HouseholdMember.Occupation
TODAY = timezone.localdate


@pytest.fixture
def h(tree: Any, make_user: Any, make_person: Any) -> SimpleNamespace:
    factories.dibao()
    member_user = make_user(name="困难教工")
    person = make_person(unit=tree.a1, staff_no=member_user.staff_no, name="困难教工", user=member_user)
    return SimpleNamespace(
        tree=tree,
        member=member_user,
        person=person,
        handler=make_user("subunion_chair", tree.a, name="分工会主席"),
        reviewer=make_user("subunion_chair", tree.a, name="分工会副主席"),
        other_handler=make_user("subunion_chair", tree.b, name="外院主席"),
        approver=make_user("union_chair", tree.root, name="校工会主席"),
        staff=make_user("union_staff", tree.root, name="帮扶干事"),
        make_person=make_person,
        make_user=make_user,
    )


def _create(h: SimpleNamespace, *, actor: Any = None, person: Any = None, **extra: Any) -> HardshipFile:
    values: dict[str, Any] = {
        "city": factories.CITY,
        "year": TODAY().year,
        "cause": HardshipFile.Cause.ILLNESS,
        "housing": HardshipFile.Housing.RENTED,
        "medical_expense": "6000",
    }
    values.update(extra)
    return services.file_create(actor=actor or h.member, person=person or h.person, **values)


def _household(h: SimpleNamespace, file: HardshipFile, actor: Any = None, child_year: int = 2000) -> None:
    actor = actor or h.member
    services.household_add(
        actor=actor,
        file=file,
        relation=Relation.SELF,
        name=h.person.name,
        birth_year=1980,
        occupation=Occupation.EMPLOYED,
        annual_income="30000",
    )
    services.household_add(
        actor=actor,
        file=file,
        relation=Relation.SPOUSE,
        name="配偶",
        birth_year=1981,
        occupation=Occupation.UNEMPLOYED,
        annual_income="0",
        health="慢性病",
    )
    services.household_add(
        actor=actor,
        file=file,
        relation=Relation.CHILD,
        name="孩子",
        birth_year=child_year,
        occupation=Occupation.STUDENT,
        annual_income="0",
    )


def _submitted(h: SimpleNamespace) -> HardshipFile:
    file = _create(h)
    _household(h, file)
    return services.file_submit(actor=h.member, file=file, consent_method=Consent.Method.ONLINE)


def _visited(h: SimpleNamespace) -> HardshipFile:
    file = _submitted(h)
    services.visit_record(
        actor=h.handler,
        file=file,
        visited_on=TODAY(),
        visitors="张三、李四",
        findings="家中确有病人",
        figures_confirmed=True,
    )
    file.refresh_from_db()
    return file


def _in_notice(h: SimpleNamespace) -> HardshipFile:
    return services.unit_review(actor=h.reviewer, file=_visited(h), approve=True, note="评议通过")


def _notice_over(file: HardshipFile) -> HardshipFile:
    HardshipFile.objects.filter(pk=file.pk).update(notice_ends_on=TODAY() - dt.timedelta(days=1))
    file.refresh_from_db()
    return file


def _messages(excinfo: Any) -> str:
    return " ".join(excinfo.value.messages)


# -- create ------------------------------------------------------------------------------------------------


def test_member_creates_a_draft_for_themself(h: SimpleNamespace) -> None:
    file = _create(h)
    assert file.status == Status.DRAFT
    assert file.unit == h.tree.a1
    assert file.number is None
    assert file.created_by == h.member
    assert file.on_behalf is False
    assert file.medical_expense == Decimal("6000.00")
    assert file.category == ""  # no household yet
    entry = AuditEntry.objects.get(action="hardship.file.created")
    assert "6000" not in json.dumps(entry.changes)


def test_member_may_not_create_for_someone_else(h: SimpleNamespace) -> None:
    other = h.make_person(unit=h.tree.a1)
    with pytest.raises(PermissionDenied):
        _create(h, person=other)
    assert not HardshipFile.objects.exists()


def test_officer_creates_on_behalf_only_in_scope(h: SimpleNamespace) -> None:
    file = _create(h, actor=h.handler, on_behalf=True)
    assert file.on_behalf and file.created_by == h.handler
    person_b = h.make_person(unit=h.tree.b1)
    with pytest.raises(PermissionDenied):
        _create(h, actor=h.handler, person=person_b, on_behalf=True)
    with pytest.raises(PermissionDenied):
        _create(h, actor=h.approver, person=person_b, on_behalf=True)  # no files.manage


def test_one_current_file_per_person(h: SimpleNamespace) -> None:
    _create(h)
    with pytest.raises(ValidationError) as excinfo:
        _create(h, actor=h.handler, on_behalf=True)
    assert "already has a current hardship file" in _messages(excinfo)
    assert HardshipFile.objects.count() == 1


def test_a_closed_file_does_not_block_a_new_one(h: SimpleNamespace) -> None:
    file = _create(h)
    services.file_withdraw(actor=h.member, file=file, reason="暂不申请")
    assert _create(h).status == Status.DRAFT


def test_the_database_constraint_becomes_a_clear_message(h: SimpleNamespace, monkeypatch: Any) -> None:
    _create(h)
    monkeypatch.setattr(services, "CURRENT_STATUSES", ())  # skip the pre-check: the constraint answers
    with pytest.raises(ValidationError) as excinfo:
        _create(h)
    assert "already has a current hardship file" in _messages(excinfo)
    assert HardshipFile.objects.count() == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"medical_expense": "-1"}, "cannot be negative"),
        ({"medical_expense": "abc"}, "must be an amount"),
        ({"cause": "laziness"}, "Choose the main cause"),
        ({"housing": "castle"}, "Choose the housing"),
        ({"city": "  "}, "Give the city"),
        ({"year": 1999}, "The figures must be of"),
    ],
)
def test_create_refuses_bad_input(h: SimpleNamespace, extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        _create(h, **extra)
    assert message in _messages(excinfo)
    assert not HardshipFile.objects.exists()


# -- figures and household ---------------------------------------------------------------------------------


def test_household_recomputes_the_category(h: SimpleNamespace) -> None:
    file = _create(h)
    _household(h, file)
    file.refresh_from_db()
    # (30000 − 6000) / 12 / 3 = 666.67 < 950: 深度困难
    assert file.category == Category.DEEP
    # each member recomputes: 2000 (none) → 1000 (relative) → 666.67 (deep)
    changes = list(CategoryChange.objects.filter(file=file).order_by("id"))
    assert [c.new_category for c in changes] == [Category.NONE, Category.RELATIVE, Category.DEEP]
    assert {c.source for c in changes} == {CategoryChange.Source.COMPUTED}
    entry = AuditEntry.objects.filter(action="hardship.file.household_changed").first()
    assert entry is not None and "30000" not in json.dumps(entry.changes)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_year", 1899, "between 1900"),
        ("birth_year", 3000, "between 1900"),
        ("annual_income", "-5", "cannot be negative"),
        ("annual_income", "", "Give the income"),
        ("name", " ", "Give the household member's name"),
        ("occupation", "pirate", "Choose the occupation"),
    ],
)
def test_household_refuses_bad_input(h: SimpleNamespace, field: str, value: Any, message: str) -> None:
    file = _create(h)
    values: dict[str, Any] = {
        "relation": Relation.SELF,
        "name": "本人",
        "birth_year": 1980,
        "occupation": Occupation.EMPLOYED,
        "annual_income": "1000",
    }
    values[field] = value
    with pytest.raises(ValidationError) as excinfo:
        services.household_add(actor=h.member, file=file, **values)
    assert message in _messages(excinfo)
    assert not file.household.exists()


def test_only_one_self_in_the_household(h: SimpleNamespace) -> None:
    file = _create(h)
    _household(h, file)
    with pytest.raises(ValidationError) as excinfo:
        services.household_add(
            actor=h.member,
            file=file,
            relation=Relation.SELF,
            name="又一个本人",
            birth_year=1980,
            occupation=Occupation.EMPLOYED,
            annual_income="1",
        )
    assert "already includes the member themself" in _messages(excinfo)
    spouse = file.household.get(relation=Relation.SPOUSE)
    with pytest.raises(ValidationError):
        services.household_update(actor=h.member, member=spouse, relation=Relation.SELF)


def test_household_update_and_remove_recompute(h: SimpleNamespace) -> None:
    file = _create(h)
    _household(h, file)
    spouse = file.household.get(relation=Relation.SPOUSE)
    services.household_update(actor=h.member, member=spouse, annual_income="60000")
    file.refresh_from_db()
    # (90000 − 6000) / 12 / 3 = 2333.33 ≥ 1900: not in hardship
    assert file.category == Category.NONE
    services.household_remove(actor=h.member, member=spouse)
    file.refresh_from_db()
    # (30000 − 6000) / 12 / 2 = 1000 ≥ 950, < 1900: 相对困难
    assert file.category == Category.RELATIVE
    assert file.household.count() == 2


def test_the_member_stays_in_a_submitted_household(h: SimpleNamespace) -> None:
    file = _submitted(h)
    selfie = file.household.get(relation=Relation.SELF)
    with pytest.raises(ValidationError) as excinfo:
        services.household_remove(actor=h.handler, member=selfie)
    assert "stays in the household" in _messages(excinfo)
    assert file.household.filter(pk=selfie.pk).exists()


def test_file_update_recomputes_and_refuses_closed_and_notice(h: SimpleNamespace) -> None:
    file = _create(h)
    _household(h, file)
    services.file_update(actor=h.member, file=file, medical_expense="0", accident_costs="40000")
    file.refresh_from_db()
    # 30000/12/3 = 833.33 < 950 still deep
    assert file.category == Category.DEEP
    assert file.accident_costs == Decimal("40000.00")
    with pytest.raises(ValueError):
        services.file_update(actor=h.member, file=file, status="active")
    notice = factories.make_file(person=h.make_person(unit=h.tree.a1), actor=h.staff, status=Status.NOTICE)
    with pytest.raises(ValidationError) as excinfo:
        services.file_update(actor=h.handler, file=notice, medical_expense="1")
    assert "This file is already public notice" in _messages(excinfo)


def test_member_may_edit_only_the_draft(h: SimpleNamespace) -> None:
    file = _submitted(h)
    with pytest.raises(ValidationError) as excinfo:
        services.file_update(actor=h.member, file=file, medical_expense="1")
    assert "has been submitted" in _messages(excinfo)
    stranger = h.make_user(name="路人")
    with pytest.raises(PermissionDenied):
        services.file_update(actor=stranger, file=file, medical_expense="1")
    # the sub-union may correct it before the public notice
    services.file_update(actor=h.handler, file=file, medical_expense="100")


def test_change_in_circumstances_needs_a_reason_and_writes_the_history(h: SimpleNamespace) -> None:
    active = factories.make_file(person=h.person, actor=h.staff, status=Status.ACTIVE)
    before = active.category
    with pytest.raises(ValidationError) as excinfo:
        services.file_update(actor=h.handler, file=active, medical_expense="0")
    assert "reason for the change in circumstances" in _messages(excinfo)
    # the same category: the change is still in the history, with the reason
    services.file_update(actor=h.handler, file=active, reason="医药费报销后减少", medical_expense="5000")
    change = CategoryChange.objects.filter(file=active).order_by("-id").first()
    assert change is not None
    assert change.source == CategoryChange.Source.CIRCUMSTANCES
    assert change.reason == "医药费报销后减少"
    assert change.old_category == change.new_category == before
    # a change of category: one entry with the new category
    member = active.household.get(relation=Relation.SPOUSE)
    services.household_update(actor=h.handler, member=member, reason="配偶再就业", annual_income="80000")
    change = CategoryChange.objects.filter(file=active).order_by("-id").first()
    assert change is not None and change.source == CategoryChange.Source.CIRCUMSTANCES
    assert change.new_category == Category.NONE and change.reason == "配偶再就业"
    with pytest.raises(ValidationError):
        services.household_add(
            actor=h.handler,
            file=active,
            relation=Relation.CHILD,
            name="新生儿",
            birth_year=TODAY().year,
            occupation=Occupation.PRESCHOOL,
            annual_income="0",
        )


# -- submit ------------------------------------------------------------------------------------------------


def test_submit_numbers_records_consent_and_notifies(h: SimpleNamespace) -> None:
    file = _submitted(h)
    year = TODAY().year
    assert file.status == Status.APPLIED
    assert file.number == f"KN{year}-0001"
    assert file.submitted_at is not None
    assert file.consent is not None
    assert file.consent.method == Consent.Method.ONLINE
    assert file.consent.purpose == Consent.Purpose.HARDSHIP_FILE
    assert file.consent.given_by == h.member
    notified = Notification.objects.filter(kind="hardship.file.submitted")
    assert set(notified.values_list("recipient", flat=True)) >= {h.handler.pk, h.reviewer.pk}
    assert not notified.filter(recipient=h.other_handler).exists()
    assert all("30000" not in n.body for n in notified)
    second = _create(h, actor=h.handler, person=h.make_person(unit=h.tree.a1), on_behalf=True)
    services.household_add(
        actor=h.handler,
        file=second,
        relation=Relation.SELF,
        name="本人",
        birth_year=1970,
        occupation=Occupation.EMPLOYED,
        annual_income="12000",
    )
    second = services.file_submit(actor=h.handler, file=second, consent_method=Consent.Method.PAPER)
    assert second.number == f"KN{year}-0002"
    assert second.consent is not None and second.consent.method == Consent.Method.PAPER
    assert second.on_behalf


def test_submit_needs_the_member_in_the_household(h: SimpleNamespace) -> None:
    file = _create(h)
    with pytest.raises(ValidationError) as excinfo:
        services.file_submit(actor=h.member, file=file, consent_method=Consent.Method.ONLINE)
    assert "Add the member themself" in _messages(excinfo)
    file.refresh_from_db()
    assert file.status == Status.DRAFT and file.number is None
    assert not Consent.objects.exists()


def test_submit_with_a_child_under_14_needs_the_guardian(h: SimpleNamespace) -> None:
    file = _create(h)
    _household(h, file, child_year=TODAY().year - 10)
    with pytest.raises(ValidationError) as excinfo:
        services.file_submit(actor=h.member, file=file, consent_method=Consent.Method.ONLINE)
    assert "guardian's consent is required" in _messages(excinfo)
    assert not Consent.objects.exists()
    file = services.file_submit(
        actor=h.member, file=file, consent_method=Consent.Method.ONLINE, guardian_consent=True
    )
    assert file.consent is not None and file.consent.guardian_consent


def test_a_child_of_14_needs_no_guardian(h: SimpleNamespace) -> None:
    file = _create(h)
    _household(h, file, child_year=TODAY().year - 14)
    assert services.file_submit(actor=h.member, file=file, consent_method="online").status == Status.APPLIED


def test_submit_consent_method_must_match_who_submits(h: SimpleNamespace) -> None:
    file = _create(h)
    _household(h, file)
    with pytest.raises(ValidationError):
        services.file_submit(actor=h.member, file=file, consent_method=Consent.Method.PAPER)
    with pytest.raises(ValidationError):
        services.file_submit(actor=h.handler, file=file, consent_method=Consent.Method.ONLINE)
    with pytest.raises(ValidationError) as excinfo:
        services.file_submit(actor=h.handler, file=file, consent_method="")
    assert "signed the paper consent form" in _messages(excinfo)
    with pytest.raises(PermissionDenied):
        services.file_submit(actor=h.other_handler, file=file, consent_method=Consent.Method.PAPER)
    file.refresh_from_db()
    assert file.status == Status.DRAFT


def test_submit_twice_is_refused(h: SimpleNamespace) -> None:
    file = _submitted(h)
    with pytest.raises(ValidationError) as excinfo:
        services.file_submit(actor=h.member, file=file, consent_method=Consent.Method.ONLINE)
    assert "This file is already awaiting the home visit" in _messages(excinfo)


# -- withdraw ----------------------------------------------------------------------------------------------


def test_withdraw_closes_the_file(h: SimpleNamespace) -> None:
    file = _submitted(h)
    with pytest.raises(ValidationError):
        services.file_withdraw(actor=h.member, file=file, reason="  ")
    file = services.file_withdraw(actor=h.member, file=file, reason="情况好转")
    assert file.status == Status.WITHDRAWN
    assert file.closed_on == TODAY()
    assert file.retain_until == TODAY().replace(year=TODAY().year + 10)
    assert file.close_reason == "情况好转"
    with pytest.raises(ValidationError):
        services.file_withdraw(actor=h.member, file=file, reason="again")


def test_withdraw_refused_once_active_and_for_strangers(h: SimpleNamespace) -> None:
    active = factories.make_file(person=h.person, actor=h.staff, status=Status.ACTIVE)
    with pytest.raises(ValidationError) as excinfo:
        services.file_withdraw(actor=h.handler, file=active, reason="x")
    assert "only a file that is not yet approved" in _messages(excinfo)
    draft = factories.make_file(person=h.make_person(unit=h.tree.a1), actor=h.staff, status=Status.DRAFT)
    with pytest.raises(PermissionDenied):
        services.file_withdraw(actor=h.other_handler, file=draft, reason="x")


# -- visit -------------------------------------------------------------------------------------------------


def test_visit_moves_applied_to_visited_and_tells_the_member(h: SimpleNamespace) -> None:
    file = _visited(h)
    assert file.status == Status.VISITED
    visit = file.visits.get()
    assert visit.visitors == "张三、李四"
    assert visit.findings == "家中确有病人"
    assert Notification.objects.filter(recipient=h.member, kind="hardship.file.visited").exists()
    # a further visit leaves the status alone
    services.visit_record(
        actor=h.handler,
        file=file,
        visited_on=TODAY(),
        visitors="王五, 赵六，钱七",
        findings="复访",
        figures_confirmed=False,
    )
    file.refresh_from_db()
    assert file.status == Status.VISITED and file.visits.count() == 2


@pytest.mark.parametrize(
    ("visitors", "days", "findings", "message"),
    [
        ("张三", 0, "见", "at least two people"),
        ("张三、 ,", 0, "见", "at least two people"),
        ("张三 李四", -1, "见", "cannot be in the future"),
        ("张三 李四", 0, "  ", "findings"),
    ],
)
def test_visit_refuses_bad_input(
    h: SimpleNamespace, visitors: str, days: int, findings: str, message: str
) -> None:
    file = _submitted(h)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_record(
            actor=h.handler,
            file=file,
            visited_on=TODAY() - dt.timedelta(days=days),
            visitors=visitors,
            findings=findings,
            figures_confirmed=True,
        )
    assert message in _messages(excinfo)
    file.refresh_from_db()
    assert file.status == Status.APPLIED and not file.visits.exists()


def test_visit_refused_for_drafts_closed_files_and_members(h: SimpleNamespace) -> None:
    draft = _create(h)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_record(
            actor=h.handler,
            file=draft,
            visited_on=TODAY(),
            visitors="甲、乙",
            findings="x",
            figures_confirmed=True,
        )
    assert "still a draft" in _messages(excinfo)
    with pytest.raises(PermissionDenied):
        services.visit_record(
            actor=h.member,
            file=draft,
            visited_on=TODAY(),
            visitors="甲、乙",
            findings="x",
            figures_confirmed=True,
        )
    closed = factories.make_file(person=h.make_person(unit=h.tree.a1), actor=h.staff, status=Status.EXITED)
    with pytest.raises(ValidationError):
        services.visit_record(
            actor=h.handler,
            file=closed,
            visited_on=TODAY(),
            visitors="甲、乙",
            findings="x",
            figures_confirmed=True,
        )


# -- the sub-union's review --------------------------------------------------------------------------------


def test_unit_review_starts_the_notice(h: SimpleNamespace, settings: Any) -> None:
    file = _in_notice(h)
    assert file.status == Status.NOTICE
    assert file.notice_starts_on == TODAY()
    assert file.notice_ends_on == TODAY() + dt.timedelta(days=settings.HARDSHIP_NOTICE_DAYS)
    assert file.unit_reviewed_by == h.reviewer
    assert Notification.objects.filter(recipient=h.member, kind="hardship.file.notice").exists()


def test_unit_review_refusal_needs_a_reason_and_closes(h: SimpleNamespace) -> None:
    file = _visited(h)
    with pytest.raises(ValidationError) as excinfo:
        services.unit_review(actor=h.reviewer, file=file, approve=False, note="")
    assert "reason for not approving" in _messages(excinfo)
    file.refresh_from_db()
    assert file.status == Status.VISITED and file.unit_reviewed_by is None
    file = services.unit_review(actor=h.reviewer, file=file, approve=False, note="收入超标")
    assert file.status == Status.REJECTED and file.closed_on == TODAY() and file.retain_until
    notification = Notification.objects.get(recipient=h.member, kind="hardship.file.rejected")
    assert "收入超标" not in notification.body + notification.title


def test_unit_review_needs_a_category_and_a_visit(h: SimpleNamespace) -> None:
    applied = _submitted(h)
    with pytest.raises(ValidationError) as excinfo:
        services.unit_review(actor=h.reviewer, file=applied, approve=True, note="")
    assert "not been visited yet" in _messages(excinfo)
    services.visit_record(
        actor=h.handler,
        file=applied,
        visited_on=TODAY(),
        visitors="甲、乙",
        findings="x",
        figures_confirmed=True,
    )
    DibaoStandard.objects.all().delete()
    services.file_update(actor=h.handler, file=applied, medical_expense="6000")  # recompute: no 低保
    applied.refresh_from_db()
    assert applied.category == ""
    with pytest.raises(ValidationError) as excinfo:
        services.unit_review(actor=h.reviewer, file=applied, approve=True, note="")
    assert "cannot be computed" in _messages(excinfo)
    with pytest.raises(PermissionDenied):
        services.unit_review(actor=h.approver, file=applied, approve=True, note="")  # no files.review


# -- objections and the school's decision ----------------------------------------------------------------


def test_objections_only_during_the_notice(h: SimpleNamespace) -> None:
    visited = _visited(h)
    with pytest.raises(ValidationError) as excinfo:
        services.objection_raise(actor=h.staff, file=visited, text="不实")
    assert "only during the public notice" in _messages(excinfo)
    file = services.unit_review(actor=h.reviewer, file=visited, approve=True, note="")
    colleague = h.make_user(name="同事")
    with pytest.raises(ValidationError):
        services.objection_raise(actor=colleague, file=file, text="  ")
    objection = services.objection_raise(actor=colleague, file=file, text="其配偶有经营收入")
    assert objection.raised_by == colleague
    reviewers = Notification.objects.filter(kind="hardship.file.objection")
    assert reviewers.filter(recipient=h.reviewer).exists()
    assert all("经营" not in n.body for n in reviewers)
    _notice_over(file)
    with pytest.raises(ValidationError) as excinfo:
        services.objection_raise(actor=colleague, file=file, text="又一条")
    assert "has ended" in _messages(excinfo)


def test_approval_waits_for_the_end_of_the_notice(h: SimpleNamespace) -> None:
    file = _in_notice(h)
    with pytest.raises(ValidationError) as excinfo:
        services.file_approve(actor=h.approver, file=file)
    assert "public notice runs until" in _messages(excinfo)
    file.refresh_from_db()
    assert file.status == Status.NOTICE


def test_unresolved_objection_blocks_approval(h: SimpleNamespace) -> None:
    file = _in_notice(h)
    objection = services.objection_raise(actor=h.staff, file=file, text="有异议")
    _notice_over(file)
    with pytest.raises(ValidationError) as excinfo:
        services.file_approve(actor=h.approver, file=file)
    assert "not resolved" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.objection_resolve(actor=h.reviewer, objection=objection, upheld=False, resolution=" ")
    assert "how the objection was resolved" in _messages(excinfo)
    services.objection_resolve(actor=h.reviewer, objection=objection, upheld=False, resolution="经核实不属实")
    with pytest.raises(ValidationError) as excinfo:
        services.objection_resolve(actor=h.reviewer, objection=objection, upheld=True, resolution="改判")
    assert "already resolved" in _messages(excinfo)
    file = services.file_approve(actor=h.approver, file=file)
    assert file.status == Status.ACTIVE


def test_upheld_objection_means_rejection(h: SimpleNamespace) -> None:
    file = _in_notice(h)
    objection = services.objection_raise(actor=h.staff, file=file, text="有房产")
    services.objection_resolve(actor=h.reviewer, objection=objection, upheld=True, resolution="属实")
    _notice_over(file)
    with pytest.raises(ValidationError) as excinfo:
        services.file_approve(actor=h.approver, file=file)
    assert "must be rejected" in _messages(excinfo)
    with pytest.raises(ValidationError):
        services.file_reject(actor=h.approver, file=file, reason="")
    file = services.file_reject(actor=h.approver, file=file, reason="异议属实")
    assert file.status == Status.REJECTED and file.close_reason == "异议属实" and file.closed_on == TODAY()
    assert Notification.objects.filter(recipient=h.member, kind="hardship.file.rejected").exists()


def test_the_reviewer_may_not_approve(h: SimpleNamespace) -> None:
    # union staff hold both files.review and files.approve: the one who reviewed cannot approve
    file = services.unit_review(actor=h.staff, file=_visited(h), approve=True, note="")
    _notice_over(file)
    with pytest.raises(ValidationError) as excinfo:
        services.file_approve(actor=h.staff, file=file)
    assert "another officer approves it" in _messages(excinfo)
    file = services.file_approve(actor=h.approver, file=file)
    assert file.approved_by == h.approver


def test_approval_sets_the_review_date_and_tells_the_member(h: SimpleNamespace) -> None:
    file = _notice_over(_in_notice(h))
    with pytest.raises(PermissionDenied):
        services.file_approve(actor=h.handler, file=file)  # a sub-union chair does not approve
    file = services.file_approve(actor=h.approver, file=file)
    assert file.status == Status.ACTIVE
    assert file.approved_at is not None
    assert file.review_due_on == TODAY().replace(year=TODAY().year + 1)
    notification = Notification.objects.get(recipient=h.member, kind="hardship.file.approved")
    assert file.number is not None and file.number in notification.body
    with pytest.raises(ValidationError) as excinfo:
        services.file_approve(actor=h.approver, file=file)
    assert "This file is already active" in _messages(excinfo)


def test_reject_only_at_the_school_stage(h: SimpleNamespace) -> None:
    file = _visited(h)
    with pytest.raises(ValidationError):
        services.file_reject(actor=h.approver, file=file, reason="不符合")


# -- override ----------------------------------------------------------------------------------------------


def test_override_writes_the_history_and_can_be_cleared(h: SimpleNamespace) -> None:
    active = factories.make_file(person=h.person, actor=h.staff, status=Status.ACTIVE)
    computed = active.category
    with pytest.raises(ValidationError) as excinfo:
        services.category_override(actor=h.approver, file=active, category=Category.ACCIDENT, reason="")
    assert "reason for setting the category" in _messages(excinfo)
    with pytest.raises(ValidationError):
        services.category_override(actor=h.approver, file=active, category="bogus", reason="x")
    with pytest.raises(PermissionDenied):
        services.category_override(actor=h.handler, file=active, category=Category.ACCIDENT, reason="x")
    active = services.category_override(
        actor=h.approver, file=active, category=Category.ACCIDENT, reason="突发车祸，损失待核"
    )
    assert active.category == Category.ACCIDENT and active.category_override == Category.ACCIDENT
    assert active.computed_category == computed
    change = CategoryChange.objects.filter(file=active).order_by("-id").first()
    assert change is not None
    assert change.source == CategoryChange.Source.OVERRIDE
    assert (change.old_category, change.new_category) == (computed, Category.ACCIDENT)
    assert change.reason == "突发车祸，损失待核"
    entry = AuditEntry.objects.filter(action="hardship.file.category_overridden").get()
    assert "车祸" not in json.dumps(entry.changes, ensure_ascii=False)
    active = services.category_override(actor=h.approver, file=active, category="", reason="损失已核实")
    assert active.category == computed and active.category_override == "" and active.override_reason == ""
    with pytest.raises(ValidationError) as excinfo:
        services.category_override(actor=h.approver, file=active, category="", reason="x")
    assert "no override to clear" in _messages(excinfo)


def test_override_refused_on_closed_files(h: SimpleNamespace) -> None:
    closed = factories.make_file(person=h.person, actor=h.staff, status=Status.EXITED)
    with pytest.raises(ValidationError):
        services.category_override(actor=h.approver, file=closed, category=Category.DEEP, reason="x")


def test_no_figures_in_the_audit_log(h: SimpleNamespace) -> None:
    file = _notice_over(_in_notice(h))
    services.file_approve(actor=h.approver, file=file)
    dumped = json.dumps(
        [entry.changes for entry in AuditEntry.objects.all()], ensure_ascii=False, default=str
    )
    for secret in ("30000", "6000", "慢性病", "家中确有病人", "评议通过"):
        assert secret not in dumped


# -- reviewer's findings: audit, separation of duties, numbering -------------------------------------------


def test_the_created_entry_names_no_staff_number_nor_cause(h: SimpleNamespace) -> None:
    _create(h, cause=HardshipFile.Cause.DISABILITY)
    entry = AuditEntry.objects.get(action="hardship.file.created")
    dumped = json.dumps(entry.changes, ensure_ascii=False)
    assert h.person.staff_no not in dumped
    assert "disability" not in dumped and "cause" not in entry.changes and "person" not in entry.changes
    assert entry.changes == {"status": Status.DRAFT, "on_behalf": False}


def _officer_and_own_file(h: SimpleNamespace, status: str) -> tuple[Any, HardshipFile]:
    """A sub-union chair who is also a member with a hardship file at their unit."""
    officer = h.make_user("subunion_chair", h.tree.a, name="主席本人")
    person = h.make_person(unit=h.tree.a1, staff_no=officer.staff_no, name="主席本人", user=officer)
    return officer, factories.make_file(person=person, actor=h.staff, status=status)


def test_an_officer_does_not_visit_their_own_file(h: SimpleNamespace) -> None:
    officer, own = _officer_and_own_file(h, Status.APPLIED)
    with pytest.raises(ValidationError) as excinfo:
        services.visit_record(
            actor=officer,
            file=own,
            visited_on=TODAY(),
            visitors="甲、乙",
            findings="x",
            figures_confirmed=True,
        )
    assert "Another officer records this for your own file." in _messages(excinfo)
    own.refresh_from_db()
    assert own.status == Status.APPLIED and not own.visits.exists()
    services.visit_record(
        actor=h.handler, file=own, visited_on=TODAY(), visitors="甲、乙", findings="x", figures_confirmed=True
    )


@pytest.mark.parametrize("status", [Status.APPLIED, Status.VISITED, Status.ACTIVE])
def test_an_officer_does_not_edit_their_own_submitted_file(h: SimpleNamespace, status: str) -> None:
    officer, own = _officer_and_own_file(h, status)
    member = own.household.get(relation=Relation.SELF)
    attempts = [
        lambda: services.file_update(actor=officer, file=own, medical_expense="0", reason="变化"),
        lambda: services.household_add(
            actor=officer,
            file=own,
            relation=Relation.OTHER,
            name="亲属",
            birth_year=1950,
            occupation=Occupation.RETIRED,
            annual_income="0",
            reason="变化",
        ),
        lambda: services.household_update(actor=officer, member=member, annual_income="0", reason="变化"),
        lambda: services.household_remove(
            actor=officer, member=own.household.exclude(pk=member.pk).first(), reason="变化"
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as excinfo:
            attempt()
        assert "Another officer records this for your own file." in _messages(excinfo)
    own.refresh_from_db()
    assert own.medical_expense == Decimal("6000.00") and own.household.count() == 3
    member.refresh_from_db()
    assert member.annual_income == Decimal("30000.00")


def test_an_officer_may_still_prepare_their_own_draft(h: SimpleNamespace) -> None:
    officer, own = _officer_and_own_file(h, Status.DRAFT)
    services.file_update(actor=officer, file=own, medical_expense="100")
    own.refresh_from_db()
    assert own.medical_expense == Decimal("100.00")


def test_school_decisions_need_the_permission_at_the_top(h: SimpleNamespace) -> None:
    # The union chair's role held at a sub-union covers the file's unit, but not the whole school.
    chair_at_a = h.make_user("union_chair", h.tree.a, name="分会挂职主席")
    file = _notice_over(_in_notice(h))
    with pytest.raises(PermissionDenied):
        services.file_approve(actor=chair_at_a, file=file)
    with pytest.raises(PermissionDenied):
        services.file_reject(actor=chair_at_a, file=file, reason="不符合")
    with pytest.raises(PermissionDenied):
        services.category_override(actor=chair_at_a, file=file, category=Category.ACCIDENT, reason="x")
    file.refresh_from_db()
    assert file.status == Status.NOTICE and file.category_override == ""
    assert services.file_approve(actor=h.approver, file=file).status == Status.ACTIVE


def test_numbering_continues_past_9999(h: SimpleNamespace) -> None:
    from smartunion.hardship.services.common import next_number

    year = TODAY().year
    for number in (f"KN{year}-9998", f"KN{year}-9999", f"KN{year}-10000"):
        factories.make_file(person=h.make_person(unit=h.tree.a1), actor=h.staff, status=Status.EXITED)
        HardshipFile.objects.filter(number__isnull=False).exclude(number__startswith="KN").update(
            number=number
        )
    assert next_number(HardshipFile, "KN", year) == f"KN{year}-10001"
