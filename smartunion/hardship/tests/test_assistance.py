"""Assistance applications through the services: submission (the rule in force, the band, the tier, consent,
documents, the spouse, the hardship file, numbering, the reviewers told), the 分工会 review, approval by
tier (the staff limit; never the reviewer), the yearly count and amount limits, the spouse rule in both
directions, rejection with a reason, withdrawal, and the payment posted to finance exactly once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.accounts.models import User
from smartunion.core.models import AuditEntry
from smartunion.finance.models import BudgetLine, Category, Entry
from smartunion.hardship.models import (
    AssistanceApplication,
    Consent,
    Document,
    HardshipFile,
)
from smartunion.hardship.services import assistance as services
from smartunion.hardship.services import programmes as programme_services
from smartunion.members import services as member_services
from smartunion.members.models import Person, ServiceRecord, StaffCategory
from smartunion.notifications.models import Notification

from . import factories

pytestmark = pytest.mark.django_db
Status = AssistanceApplication.Status
PDF = b"%PDF-1.4 test document"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
_seq = {"n": 0}


def member(unit: Any, name: str = "") -> Person:
    """A staff member with an account."""
    _seq["n"] += 1
    user = User.objects.create_user(f"HA{_seq['n']:05d}", name or f"成员{_seq['n']}", "Secret-2026!")
    return member_services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name=user.name,
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=user,
    )


def world(tree: Any, make_user: Any) -> SimpleNamespace:
    w = SimpleNamespace(tree=tree)
    w.office = make_user("union_staff", tree.root, name="校工会干事")
    w.office2 = make_user("union_staff", tree.root, name="校工会干事二")
    w.chair = make_user("union_chair", tree.root, name="校工会主席")
    w.sub_chair = make_user("subunion_chair", tree.a, name="机械分工会主席")
    w.sub_chair_b = make_user("subunion_chair", tree.b, name="外语分工会主席")
    w.person = member(tree.a1, "王老师")
    w.spouse = member(tree.b1, "李老师")
    w.programme = factories.make_programme(code="temp_test", name="临时补助（测试）")
    BudgetLine.objects.update_or_create(
        year=timezone.localdate().year,
        unit=tree.root,
        category=Category.objects.get(code="50201"),
        defaults={"amount": Decimal("1000000.00")},
    )
    return w


@pytest.fixture
def w(tree: Any, make_user: Any) -> SimpleNamespace:
    return world(tree, make_user)


def submit(
    w: Any,
    person: Any = None,
    *,
    value: str = "30000",
    programme: Any = None,
    spouse_staff_no: str = "",
    documents: Any = (),
    reason: str = "住院手术，自付费用较高",
) -> AssistanceApplication:
    person = person or w.person
    return services.application_submit(
        actor=person.user,
        person=person,
        programme=programme or w.programme,
        condition_value=value,
        reason=reason,
        bank_account="6222 0202 0011 2233 445",
        spouse_staff_no=spouse_staff_no,
        documents=documents,
        consent_method=Consent.Method.ONLINE,
    )


def to_approval(w: Any, application: AssistanceApplication, reviewer: Any = None) -> AssistanceApplication:
    if reviewer is None:
        reviewer = w.sub_chair if application.unit.path.startswith(w.tree.a.path) else w.sub_chair_b
    return services.application_review(actor=reviewer, application=application, approve=True)


def granted(
    w: Any, person: Any = None, *, value: str = "30000", amount: Any = None, **kwargs: Any
) -> AssistanceApplication:
    application = to_approval(w, submit(w, person, value=value, **kwargs))
    approver = w.chair if application.tier == AssistanceApplication.Tier.CHAIR else w.office
    return services.application_approve(actor=approver, application=application, amount=amount)


# -- submission --------------------------------------------------------------------------------------------


def test_a_member_submits_with_documents_and_consent(w: Any, django_capture_on_commit_callbacks: Any) -> None:
    file = factories.make_file(person=w.person, actor=w.office)
    with django_capture_on_commit_callbacks(execute=True):
        application = submit(w, documents=[("medical", "诊断证明.pdf", PDF), ("medical", "票据.png", PNG)])
    year = timezone.localdate().year
    assert application.number == f"BZ{year}-0001"
    assert application.status == Status.SUBMITTED
    assert application.band_amount == Decimal("5000.00")
    assert application.tier == AssistanceApplication.Tier.STAFF
    assert application.unit == w.person.unit and application.year == year
    assert application.hardship_file == file
    assert application.rule == w.programme.rules.get()
    assert application.consent.purpose == Consent.Purpose.ASSISTANCE
    assert application.consent.method == Consent.Method.ONLINE
    assert "收款账户" in application.consent.notice_text
    assert application.bank_account == "6222020200112233445"
    documents = Document.objects.filter(application=application)
    assert documents.count() == 2
    assert bytes(documents.first().content) != PDF  # encrypted at rest  # type: ignore[union-attr]
    # The sub-union's reviewers (and the office above them) are told; another sub-union is not.
    told = set(
        Notification.objects.filter(kind="hardship.assistance.submitted").values_list(
            "recipient_id", flat=True
        )
    )
    assert w.sub_chair.pk in told and w.sub_chair_b.pk not in told
    # The audit log carries no figures, no reason, no bank account.
    entry = AuditEntry.objects.get(action="hardship.application.submitted")
    text = str(entry.changes)
    assert "30000" not in text and "住院" not in text and "6222" not in text
    second = submit(w)
    assert second.number == f"BZ{year}-0002"


def test_the_value_must_fall_in_a_band(w: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        submit(w, value="4999.99")
    assert "below the first band (from 5000.00)" in refused.value.message_dict["condition_value"][0]
    with pytest.raises(ValidationError, match="The value cannot be negative"):
        submit(w, value="-1")
    assert not AssistanceApplication.objects.exists()


def test_the_tier_follows_the_band_amount(w: Any) -> None:
    assert submit(w, value="20000").tier == AssistanceApplication.Tier.STAFF  # 5,000 = the limit
    big = submit(w, value="50000")
    assert big.band_amount == Decimal("10000.00") and big.tier == AssistanceApplication.Tier.CHAIR


def test_a_closed_programme_or_one_without_rules_refuses(w: Any, tree: Any) -> None:
    w.programme.is_active = False
    w.programme.save()
    with pytest.raises(ValidationError, match="is closed for applications"):
        submit(w)
    fresh = factories.make_programme(effective_from=dt.date(2099, 1, 1))
    with pytest.raises(ValidationError, match="has no rules in force today"):
        submit(w, programme=fresh)


def test_one_bad_document_refuses_the_whole_application(w: Any) -> None:
    consents = Consent.objects.count()
    with pytest.raises(ValidationError) as refused:
        submit(w, documents=[("medical", "好的.pdf", PDF), ("medical", "病毒.exe", b"MZ\x90\x00")])
    assert "“病毒.exe” is not accepted" in refused.value.message_dict["documents"][0]
    assert not AssistanceApplication.objects.exists()
    assert not Document.objects.exists()
    assert Consent.objects.count() == consents
    with pytest.raises(ValidationError, match="choose what kind of document"):
        submit(w, documents=[("secret", "a.pdf", PDF)])


def on_behalf(w: Any, person: Any = None, **kwargs: Any) -> AssistanceApplication:
    """The sub-union chair applies for a member of unit A with the signed paper form."""
    return services.application_submit(
        actor=w.sub_chair,
        person=person or w.person,
        programme=kwargs.pop("programme", None) or w.programme,
        condition_value=kwargs.pop("value", "30000"),
        reason="行动不便，由分工会代为申请",
        on_behalf=True,
        consent_method=Consent.Method.PAPER,
        **kwargs,
    )


def test_the_spouse_is_found_by_staff_number(w: Any) -> None:
    application = submit(w, spouse_staff_no=w.spouse.staff_no)
    assert application.spouse == w.spouse
    # The member is told only to check the number: nothing about the staff behind it.
    with pytest.raises(ValidationError) as refused:
        submit(w, spouse_staff_no="NOPE")
    assert refused.value.message_dict["spouse_staff_no"] == ["Check your spouse's staff number."]
    with pytest.raises(ValidationError, match="applicant's own staff number"):
        submit(w, spouse_staff_no=w.person.staff_no)
    # An officer applying on the member's behalf gets the full message.
    with pytest.raises(ValidationError, match="No staff member has the staff number NOPE"):
        on_behalf(w, spouse_staff_no="NOPE")


def test_a_member_applies_only_for_themself(w: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.application_submit(
            actor=w.spouse.user,
            person=w.person,
            programme=w.programme,
            condition_value="30000",
            reason="x",
            consent_method=Consent.Method.ONLINE,
        )
    with pytest.raises(PermissionDenied):  # nor "on behalf" without the review permission
        services.application_submit(
            actor=w.spouse.user,
            person=w.person,
            programme=w.programme,
            condition_value="30000",
            reason="x",
            on_behalf=True,
            consent_method=Consent.Method.PAPER,
        )
    with pytest.raises(ValidationError, match="Give your consent"):
        services.application_submit(
            actor=w.person.user,
            person=w.person,
            programme=w.programme,
            condition_value="30000",
            reason="x",
            consent_method=Consent.Method.PAPER,
        )


def test_an_officer_applies_on_behalf_with_the_paper_consent(w: Any) -> None:
    application = services.application_submit(
        actor=w.sub_chair,
        person=w.person,
        programme=w.programme,
        condition_value="30000",
        reason="行动不便，由分工会代为申请",
        on_behalf=True,
        consent_method=Consent.Method.PAPER,
        guardian_consent=True,
    )
    assert application.on_behalf and application.submitted_by == w.sub_chair
    assert application.consent.method == Consent.Method.PAPER and application.consent.guardian_consent
    with pytest.raises(ValidationError, match="signed paper consent form"):
        services.application_submit(
            actor=w.sub_chair,
            person=w.person,
            programme=w.programme,
            condition_value="30000",
            reason="x",
            on_behalf=True,
            consent_method=Consent.Method.ONLINE,
        )
    with pytest.raises(PermissionDenied):  # another sub-union's member
        services.application_submit(
            actor=w.sub_chair_b,
            person=w.person,
            programme=w.programme,
            condition_value="30000",
            reason="x",
            on_behalf=True,
            consent_method=Consent.Method.PAPER,
        )


def test_the_rule_in_force_today_is_used(w: Any) -> None:
    today = timezone.localdate()
    programme_services.rule_create(
        actor=w.office,
        programme=w.programme,
        effective_from=today + dt.timedelta(days=1),
        staff_approval_limit="5000",
        bands=[("0", None, "300")],
    )
    application = submit(w)
    assert application.band_amount == Decimal("5000.00")
    assert application.rule.effective_from == dt.date(2020, 1, 1)


# -- review, approval, tiers -------------------------------------------------------------------------


def test_review_passes_on_or_rejects_with_a_reason(w: Any) -> None:
    application = submit(w)
    with pytest.raises(PermissionDenied):
        services.application_review(actor=w.sub_chair_b, application=application, approve=True)
    with pytest.raises(ValidationError, match="Say why the application is rejected"):
        services.application_review(actor=w.sub_chair, application=application, approve=False, note=" ")
    reviewed = services.application_review(actor=w.sub_chair, application=application, approve=True)
    assert reviewed.status == Status.UNIT_APPROVED and reviewed.unit_reviewed_by == w.sub_chair
    with pytest.raises(ValidationError, match="not possible now"):
        services.application_review(actor=w.sub_chair, application=application, approve=True)
    other = submit(w)
    rejected = services.application_review(
        actor=w.sub_chair, application=other, approve=False, note="材料不全"
    )
    assert rejected.status == Status.REJECTED and rejected.reject_reason == "材料不全"
    assert rejected.retain_until == timezone.localdate().replace(year=timezone.localdate().year + 10)


def test_approval_defaults_to_the_band_and_may_only_be_lowered(w: Any) -> None:
    application = to_approval(w, submit(w))
    with pytest.raises(ValidationError, match="cannot be higher"):
        services.application_approve(actor=w.office, application=application, amount="5000.01")
    with pytest.raises(ValidationError, match="must be more than 0"):
        services.application_approve(actor=w.office, application=application, amount="0")
    approved = services.application_approve(actor=w.office, application=application)
    assert approved.status == Status.APPROVED and approved.approved_amount == Decimal("5000.00")
    lowered = services.application_approve(
        actor=w.office, application=to_approval(w, submit(w)), amount="3000"
    )
    assert lowered.approved_amount == Decimal("3000.00")


def test_staff_cannot_approve_above_the_limit_but_the_chair_can(w: Any) -> None:
    application = to_approval(w, submit(w, value="60000"))
    with pytest.raises(ValidationError, match="above the staff approval limit"):
        services.application_approve(actor=w.office, application=application)
    assert AssistanceApplication.objects.get(pk=application.pk).status == Status.UNIT_APPROVED
    approved = services.application_approve(actor=w.chair, application=application)
    assert approved.approved_amount == Decimal("10000.00")
    # The tier follows the band: lowering the amount does not take a chair-tier application to the office.
    other = to_approval(w, submit(w, member(w.tree.a1), value="60000"))
    with pytest.raises(ValidationError, match="above the staff approval limit"):
        services.application_approve(actor=w.office, application=other, amount="5000")
    assert services.application_approve(actor=w.chair, application=other, amount="5000").approved_amount == (
        Decimal("5000.00")
    )


def test_approval_needs_the_top_of_the_tree(w: Any, make_user: Any) -> None:
    application = to_approval(w, submit(w))
    staff_at_a = make_user("union_staff", w.tree.a)
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=staff_at_a, application=application)
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=w.sub_chair, application=application)


def test_the_reviewer_does_not_approve(w: Any) -> None:
    application = to_approval(w, submit(w), reviewer=w.office)
    with pytest.raises(ValidationError, match="You reviewed this application"):
        services.application_approve(actor=w.office, application=application)
    assert services.application_approve(actor=w.office2, application=application).status == Status.APPROVED


def test_rejection_needs_a_reason_and_is_possible_until_paid(w: Any) -> None:
    application = to_approval(w, submit(w))
    with pytest.raises(ValidationError, match="Say why"):
        services.application_reject(actor=w.office, application=application, reason="  ")
    with pytest.raises(PermissionDenied):  # after the review, only the school-wide approvers reject
        services.application_reject(actor=w.sub_chair, application=application, reason="不符")
    rejected = services.application_reject(actor=w.office, application=application, reason="不符合条件")
    assert rejected.status == Status.REJECTED and rejected.rejected_by == w.office
    paid = granted(w)
    services.application_pay(actor=w.office, application=paid)
    with pytest.raises(ValidationError, match="not possible now"):
        services.application_reject(actor=w.office, application=paid, reason="x")


def test_a_chair_tier_application_is_rejected_only_by_the_chair(w: Any, make_user: Any) -> None:
    """Once passed on, rejecting is deciding: the approver of the tier decides (approve_major for the
    chair's tier, approve for the office's), at the top of the tree."""
    chair_tier = to_approval(w, submit(w, value="60000"))
    assert chair_tier.tier == AssistanceApplication.Tier.CHAIR
    assert not services.may_reject(w.office, chair_tier)
    with pytest.raises(PermissionDenied):
        services.application_reject(actor=w.office, application=chair_tier, reason="不符合条件")
    assert AssistanceApplication.objects.get(pk=chair_tier.pk).status == Status.UNIT_APPROVED
    approved = services.application_approve(actor=w.chair, application=chair_tier)
    assert not services.may_reject(w.office, approved)
    with pytest.raises(PermissionDenied):
        services.application_reject(actor=w.office, application=approved, reason="不符合条件")
    assert services.may_reject(w.chair, approved)
    rejected = services.application_reject(actor=w.chair, application=approved, reason="重复申请")
    assert rejected.status == Status.REJECTED and rejected.rejected_by == w.chair
    # The office's tier: the office (and the chair) at the top, never approve held at a sub-union.
    staff_tier = to_approval(w, submit(w, member(w.tree.a1)))
    assert services.may_reject(w.office, staff_tier) and services.may_reject(w.chair, staff_tier)
    assert not services.may_reject(make_user("union_staff", w.tree.a), staff_tier)
    assert not services.may_reject(make_user("union_chair", w.tree.a), staff_tier)
    # While submitted, the sub-union's reviewer rejects either tier.
    assert services.may_reject(w.sub_chair, submit(w, member(w.tree.a1), value="60000"))


def test_the_reject_reason_is_encrypted_at_rest_and_old_reasons_are_encrypted_in_place(w: Any) -> None:
    import importlib

    from django.apps import apps as django_apps
    from django.db import connection

    from smartunion.core import crypto

    rejected = services.application_review(
        actor=w.sub_chair, application=submit(w), approve=False, note="材料不全，请补交诊断证明"
    )
    table = AssistanceApplication._meta.db_table

    def raw(pk: Any) -> str:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT reject_reason FROM {table} WHERE id = %s", [pk])
            return str(cursor.fetchone()[0])

    assert "材料不全" not in raw(rejected.pk)
    assert crypto.decrypt_text(raw(rejected.pk)) == "材料不全，请补交诊断证明"
    assert AssistanceApplication.objects.get(pk=rejected.pk).reject_reason == "材料不全，请补交诊断证明"
    # A reason written in plain text before the field was encrypted: the migration encrypts it in place,
    # leaves encrypted ones alone and keeps every text.
    older = services.application_review(
        actor=w.sub_chair, application=submit(w), approve=False, note="旧的理由"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET reject_reason = %s WHERE id = %s", ["旧的理由", older.pk])
    migration = importlib.import_module("smartunion.hardship.migrations.0002_assistance_reject_reason")
    editor = SimpleNamespace(connection=connection)  # the functions only run SQL on its connection
    migration.encrypt_existing(django_apps, editor)
    assert "旧的理由" not in raw(older.pk)
    assert AssistanceApplication.objects.get(pk=older.pk).reject_reason == "旧的理由"
    assert AssistanceApplication.objects.get(pk=rejected.pk).reject_reason == "材料不全，请补交诊断证明"
    migration.decrypt_existing(django_apps, editor)
    assert raw(older.pk) == "旧的理由"


def test_the_paid_status_has_its_own_context() -> None:
    """Finance's "Paid" is 已付款; an assistance paid (发放) is translated on its own."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Paid") == "已付款"
        assert str(Status.PAID.label) != "已付款"
        assert str(Status.PAID.label) == translation.pgettext("assistance", "Paid")
    assert str(Status.PAID.label) == "Paid"


# -- yearly limits and the spouse rule ---------------------------------------------------------------


def test_the_yearly_count_limit(w: Any) -> None:
    granted(w)
    granted(w)
    third = to_approval(w, submit(w, member(w.tree.a1)))  # someone else is not limited
    assert services.application_approve(actor=w.office, application=third).status == Status.APPROVED
    with pytest.raises(ValidationError, match="has already received 临时补助（测试） 2 time"):
        submit(w)
    # An application submitted before the limit was reached is refused at approval.
    programme = factories.make_programme(limit_count=1, limit_amount=None)
    first = to_approval(w, submit(w, programme=programme))
    second = to_approval(w, submit(w, programme=programme))
    services.application_approve(actor=w.office, application=first)
    with pytest.raises(ValidationError, match="the limit is 1 time"):
        services.application_approve(actor=w.office, application=second)


def test_the_yearly_amount_limit(w: Any) -> None:
    programme = factories.make_programme(limit_count=None, limit_amount="6000")
    services.application_approve(actor=w.office, application=to_approval(w, submit(w, programme=programme)))
    second = to_approval(w, submit(w, programme=programme, value="6000"))
    with pytest.raises(
        ValidationError, match=r"has received 5000\.00 of 6000\.00 yuan .* at most 1000\.00 yuan more"
    ):
        services.application_approve(actor=w.office, application=second)
    assert services.application_approve(
        actor=w.office, application=second, amount="1000"
    ).approved_amount == Decimal("1000.00")
    with pytest.raises(ValidationError, match="already received the most"):
        submit(w, programme=programme)


def test_the_spouse_rule_when_the_applicant_names_the_spouse(w: Any) -> None:
    spouses_application = granted(w, w.spouse)  # the spouse received it, naming nobody
    # The member applying for themselves learns nothing about the colleague they named: the submission
    # goes through, and the officers apply the rule at the approval (their message names the spouse).
    mine = submit(w, spouse_staff_no=w.spouse.staff_no)
    assert mine.status == Status.SUBMITTED and mine.spouse == w.spouse
    to_approval(w, mine)
    with pytest.raises(ValidationError) as refused:
        services.application_approve(actor=w.office, application=mine)
    assert refused.value.messages == [
        f"Only one spouse may receive 临时补助（测试） in a year: 李老师 already received it in "
        f"{timezone.localdate().year} ({spouses_application.number})."
    ]
    # An officer applying on the member's behalf is told at once, names included.
    with pytest.raises(ValidationError, match=r"Only one spouse may receive .* 李老师 already received it"):
        on_behalf(w, spouse_staff_no=w.spouse.staff_no)
    # Submitted before the spouse's approval: refused at approval.
    programme = factories.make_programme()
    mine = to_approval(w, submit(w, programme=programme, spouse_staff_no=w.spouse.staff_no))
    granted(w, w.spouse, programme=programme)
    with pytest.raises(ValidationError, match="Only one spouse may receive"):
        services.application_approve(actor=w.office, application=mine)


def test_the_spouse_rule_when_the_spouse_named_the_applicant(w: Any) -> None:
    mine = to_approval(w, submit(w))  # 王老师 names nobody
    granted(w, w.spouse, spouse_staff_no=w.person.staff_no)  # 李老师 names 王老师 and receives it
    with pytest.raises(ValidationError, match="李老师 already received it"):
        services.application_approve(actor=w.office, application=mine)
    # 王老师 applying again is not told that a colleague named them and received it …
    assert submit(w).status == Status.SUBMITTED
    # … the officer applying on their behalf is.
    with pytest.raises(ValidationError, match=r"Only one spouse may receive .* 李老师"):
        on_behalf(w)


def test_the_member_keeps_their_own_yearly_limits_at_submission(w: Any) -> None:
    """Skipping the spouse rule at the member's own submission leaves their own limits in place."""
    granted(w)
    granted(w)  # 王老师 has used the two times of the year (naming nobody) …
    granted(w, w.spouse)  # … and 李老师 received it too (naming nobody: the rule did not link them)
    with pytest.raises(ValidationError) as refused:
        submit(w, spouse_staff_no=w.spouse.staff_no)
    text = " ".join(refused.value.messages)
    assert "王老师 has already received 临时补助（测试） 2 time" in text
    assert "Only one spouse" not in text
    assert "李老师" not in text and w.spouse.staff_no not in text


def test_the_spouse_rule_can_be_off(w: Any) -> None:
    programme = factories.make_programme(one_spouse_only=False)
    granted(w, w.spouse, programme=programme)
    assert granted(w, programme=programme, spouse_staff_no=w.spouse.staff_no).status == Status.APPROVED


def test_withdraw_before_approval_only_by_the_member(w: Any) -> None:
    application = submit(w)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=w.spouse.user, application=application)
    withdrawn = services.application_withdraw(actor=w.person.user, application=application)
    assert withdrawn.status == Status.WITHDRAWN and withdrawn.retain_until is not None
    approved = granted(w)
    with pytest.raises(ValidationError, match="not possible now"):
        services.application_withdraw(actor=w.person.user, application=approved)


# -- payment -----------------------------------------------------------------------------------------------


def test_payment_posts_once_and_tells_the_member(w: Any, django_capture_on_commit_callbacks: Any) -> None:
    application = granted(w)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.application_pay(actor=w.office, application=application)
    assert first.created
    again = services.application_pay(actor=w.office, application=application)
    assert not again.created and again.entry.pk == first.entry.pk
    assert Entry.objects.filter(source_type="hardship.assistance").count() == 1
    entry = Entry.objects.get(idempotency_key=f"hardship.assistance:{application.pk}")
    assert entry.unit == w.tree.root and entry.source_id == str(application.pk)
    assert "住院" not in entry.memo and application.number in entry.memo
    lines = {
        (line.account, line.category.code if line.category else None): line.amount
        for line in entry.lines.all()
    }
    assert lines == {("category", "50201"): Decimal("5000.00"), ("funds", None): Decimal("-5000.00")}
    application.refresh_from_db()
    assert application.status == Status.PAID and application.entry_id_ref == entry.pk
    assert application.paid_by == w.office and application.paid_at is not None
    today = timezone.localdate()
    assert application.retain_until == today.replace(year=today.year + 10)
    record = ServiceRecord.objects.get(kind="hardship.assistance")
    assert record.person == w.person and record.amount is None
    assert record.title == "Hardship assistance paid"
    told = Notification.objects.get(kind="hardship.assistance.paid")
    assert told.recipient == w.person.user and "5000" not in told.body and "住院" not in told.body


def test_payment_needs_the_office_at_the_top_and_an_approved_application(w: Any, make_user: Any) -> None:
    application = to_approval(w, submit(w))
    with pytest.raises(ValidationError, match="not possible now"):
        services.application_pay(actor=w.office, application=application)
    approved = services.application_approve(actor=w.office, application=application)
    with pytest.raises(PermissionDenied):
        services.application_pay(actor=make_user("union_staff", w.tree.a), application=approved)
    with pytest.raises(PermissionDenied):
        services.application_pay(actor=w.chair, application=approved)
    with pytest.raises(ValidationError, match="in the future"):
        services.application_pay(
            actor=w.office, application=approved, paid_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert not Entry.objects.filter(source_type="hardship.assistance").exists()


def test_active_file_only_is_linked(w: Any) -> None:
    factories.make_file(person=w.person, actor=w.office, status=HardshipFile.Status.APPLIED)
    assert submit(w).hardship_file is None
