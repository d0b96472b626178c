"""Hardship assistance in a real browser: a member applies for a 临时补助 on the phone (value, circumstances,
a medical bill, the consent notice), the sub-union chair reviews it and sees the figures, the union office
cannot approve an amount above its limit, the union chair approves, the union office pays, and the payment is
in the books once; the member sees it paid on the phone. Screenshots: docs/screenshots/hardship-1..6-*.png."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, User
from smartunion.core.models import AuditEntry
from smartunion.finance.models import BudgetLine, Category, Entry
from smartunion.hardship.models import AssistanceApplication, AssistanceProgramme
from smartunion.members import services as member_services
from smartunion.members.models import Membership, Person, StaffCategory
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit

from .conftest import PHONE, assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Hardship-e2e-2026!"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _user(staff_no: str, name: str, role: str | None = None, unit: Any = None) -> User:
    user = User.objects.create_user(staff_no, name, PASSWORD)
    if role:
        account_services.role_assign(actor=None, user=user, role=Role.objects.get(code=role), unit=unit)
    return user


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    root = org_services.unit_create(
        actor=None, name="江海大学工会", code="H00", union_type=OrgUnit.UnionType.SCHOOL
    )
    branch = org_services.unit_create(
        actor=None, name="机械工程学院", code="H01", union_type=OrgUnit.UnionType.BRANCH, parent=root
    )
    BudgetLine.objects.create(
        year=timezone.localdate().year,
        unit=root,
        category=Category.objects.get(code="50201"),
        amount="200000.00",
    )
    member_user = _user("H2001", "王建国")
    person = member_services.person_create(
        actor=None,
        staff_no="H2001",
        name="王建国",
        sex="M",
        category=StaffCategory.objects.get(name="在编"),
        unit=branch,
        user=member_user,
    )
    Membership.objects.filter(person=person).update(status=Membership.Status.FULL)
    return {
        "person": Person.objects.get(pk=person.pk),
        "chair": _user("H1001", "吴主席", "subunion_chair", branch),
        "office": _user("H1002", "郑干事", "union_staff", root),
        "union_chair": _user("H1003", "钱主席", "union_chair", root),
        "programme": AssistanceProgramme.objects.get(code="temporary_aid"),
    }


def test_a_member_applies_on_the_phone_and_the_payment_reaches_the_books(
    world: dict[str, Any], browser: Any, live_server: Any, tmp_path: Path
) -> None:
    bill = tmp_path / "住院费用结算单.pdf"
    bill.write_bytes(PDF)
    phone_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    phone = phone_context.new_page()
    login(phone, live_server.url, "H2001", PASSWORD)
    phone.wait_for_url(re.compile(r"/m/"))
    phone.goto(f"{live_server.url}/m/services/assistance/")
    phone.wait_for_selector("#programme-temporary_aid")
    assert_chinese_renders(phone)
    screenshot(phone, "hardship-1-portal-programmes")
    phone.click("#programme-temporary_aid a.button")
    phone.fill("input[name=condition_value]", "56800")
    phone.fill(
        "textarea[name=reason]",
        "爱人今年 6 月查出肺部肿瘤，在附属医院手术并化疗，医保报销后自付 56,800 元，家里还有一个上初中的孩子。",
    )
    phone.set_input_files("input[name=documents]", str(bill))
    phone.check("input[name=consent]")
    assert "敏感个人信息" in phone.inner_text("#consent-notice")
    screenshot(phone, "hardship-2-portal-apply")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("#apply-form button[type=submit]")
    phone.wait_for_url(re.compile(r"/m/services/assistance/\d+/$"))
    application = AssistanceApplication.objects.get(person=world["person"])
    assert application.status == AssistanceApplication.Status.SUBMITTED
    assert application.band_amount == Decimal("10000.00")  # the ≥ 50,000 band
    assert application.tier == AssistanceApplication.Tier.CHAIR  # above the staff limit of 5,000
    assert application.documents.count() == 1
    assert application.consent.notice_text in phone.content() or application.consent.method == "online"

    # The sub-union chair reviews: the figures are shown to the case handler, and the view is logged.
    chair_context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    chair = chair_context.new_page()
    login(chair, live_server.url, "H1001", PASSWORD)
    chair.wait_for_url(re.compile(r"/console/$"))
    chair.goto(f"{live_server.url}/console/hardship/applications/")
    assert "化疗" not in chair.content()  # the list never shows the circumstances
    chair.click(f"a[href='/console/hardship/applications/{application.pk}/']")
    assert "化疗" in chair.inner_text("#reason")
    assert AuditEntry.objects.filter(action="hardship.application.viewed", actor=world["chair"]).exists()
    screenshot(chair, "hardship-3-console-review")
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.click("#review-form button[type=submit]")
    chair.wait_for_selector(".flash-success")
    application.refresh_from_db()
    assert application.status == AssistanceApplication.Status.UNIT_APPROVED
    chair_context.close()

    # The union office may not approve 10,000 (its limit is 5,000); the union chair approves.
    office_context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    office = office_context.new_page()
    login(office, live_server.url, "H1002", PASSWORD)
    office.wait_for_url(re.compile(r"/console/$"))
    office.goto(f"{live_server.url}/console/hardship/applications/{application.pk}/")
    assert office.locator("#approve-form").count() == 0
    assert office.locator("#approval-tier").count() == 1
    chair2_context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    union_chair = chair2_context.new_page()
    login(union_chair, live_server.url, "H1003", PASSWORD)
    union_chair.wait_for_url(re.compile(r"/console/$"))
    union_chair.goto(f"{live_server.url}/console/hardship/applications/{application.pk}/")
    assert union_chair.input_value("#approve-form input[name=amount]") == "10000.00"
    assert "化疗" not in union_chair.content()  # the approver without the case-handler role sees no figures
    union_chair.once("dialog", lambda dialog: dialog.accept())
    union_chair.click("#approve-form button[type=submit]")
    union_chair.wait_for_selector(".flash-success")
    application.refresh_from_db()
    assert (application.status, application.approved_amount) == (
        AssistanceApplication.Status.APPROVED,
        Decimal("10000.00"),
    )
    chair2_context.close()

    # The union office pays: one entry in the books, on 困难帮扶.
    office.reload()
    office.once("dialog", lambda dialog: dialog.accept())
    office.click("#pay-form button[type=submit]")
    office.wait_for_selector(".flash-success")
    application.refresh_from_db()
    assert application.status == AssistanceApplication.Status.PAID
    entries = Entry.objects.filter(source_type="hardship.assistance", source_id=str(application.pk))
    assert entries.count() == 1
    lines = {
        line.category.code if line.category else line.account: line.amount for line in entries[0].lines.all()
    }
    assert lines["50201"] == Decimal("10000.00")
    screenshot(office, "hardship-4-console-paid")
    office.click("#entry-link")
    office.wait_for_url(re.compile(r"/console/finance/"))
    assert "10,000.00" in office.content()
    screenshot(office, "hardship-5-finance-entry")
    office_context.close()

    phone.reload()
    assert phone.locator("text=已发放").count() >= 1
    screenshot(phone, "hardship-6-portal-paid")
    phone_context.close()
