"""Care visits (五必访) in a real browser: a 分工会 committee member reports a hospital stay for a member and
sees the amount the standard suggests, the sub-union chair approves it, the committee member records the
visit with two visitors and a photo, and the payment is posted to the books once; the union office opens the
statistics with the completion rate per sub-union. Screenshots go to docs/screenshots/welfare-7..9-*.png."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, User
from smartunion.finance.models import BudgetLine, Category, Entry
from smartunion.members import services as member_services
from smartunion.members.models import Membership, Person, StaffCategory
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit
from smartunion.welfare.models import CareEvent, CareEventType, Issuance, WelfareItem, WelfareStandard
from smartunion.welfare.services import care

from .conftest import assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Care-e2e-2026!"


def tiny_png() -> bytes:
    """A 2×2 PNG, made here so the test needs no fixture file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x3c\x8d\xbc" * 2 for _row in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _user(staff_no: str, name: str, role: str | None = None, unit: Any = None) -> User:
    user = User.objects.create_user(staff_no, name, PASSWORD)
    if role:
        account_services.role_assign(actor=None, user=user, role=Role.objects.get(code=role), unit=unit)
    return user


def _member(staff_no: str, name: str, unit: Any) -> Person:
    user = _user(staff_no, name)
    person = member_services.person_create(
        actor=None,
        staff_no=staff_no,
        name=name,
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=user,
    )
    Membership.objects.filter(person=person).update(status=Membership.Status.FULL)
    return Person.objects.select_related("unit", "user").get(pk=person.pk)


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    root = org_services.unit_create(
        actor=None, name="江海大学工会", code="E00", union_type=OrgUnit.UnionType.SCHOOL
    )
    branches = {}
    for code, name in (("E01", "机械工程学院"), ("E02", "外国语学院"), ("E03", "后勤管理处")):
        branches[name] = org_services.unit_create(
            actor=None, name=name, code=code, union_type=OrgUnit.UnionType.BRANCH, parent=root
        )
    branch = branches["机械工程学院"]
    year = timezone.localdate().year
    for unit in (root, *branches.values()):
        BudgetLine.objects.create(
            year=year, unit=unit, category=Category.objects.get(code="50203"), amount=Decimal("50000.00")
        )
    # The test's own 生病住院 standard: 800 yuan, at most 1,000 per event, in kind or as 慰问金.
    CareEventType.objects.update(is_active=False)
    item = WelfareItem.objects.create(
        code="e2e_hospital",
        name="生病住院慰问",
        kind=WelfareItem.Kind.LIFE_EVENT,
        expense_category_code="50203",
    )
    WelfareStandard.objects.create(
        item=item,
        effective_from=dt.date(2020, 1, 1),
        amount=Decimal("800.00"),
        cap_per_event=Decimal("1000.00"),
        allowed_forms=["in_kind", "cash"],
        source="校工会慰问标准（测试）",
    )
    hospital = CareEventType.objects.create(code="e2e_hospital", name="生病住院", item=item, sort_order=1)
    wedding_item = WelfareItem.objects.create(
        code="e2e_wedding", name="结婚慰问", kind=WelfareItem.Kind.LIFE_EVENT, expense_category_code="50203"
    )
    WelfareStandard.objects.create(
        item=wedding_item,
        effective_from=dt.date(2020, 1, 1),
        amount=Decimal("500.00"),
        cap_per_event=Decimal("1000.00"),
        allowed_forms=["in_kind"],
    )
    wedding = CareEventType.objects.create(
        code="e2e_wedding", name="结婚", item=wedding_item, sort_order=2, visit_within_days=30
    )
    committee = _user("E1001", "周委员", "subunion_committee", branch)
    chair = _user("E1002", "吴主席", "subunion_chair", branch)
    office = _user("E1003", "郑干事", "union_staff", root)
    patient = _member("E2001", "王建国", branch)
    # Some history in the other sub-unions, for the statistics.
    for name, count, visited in (("外国语学院", 4, 3), ("后勤管理处", 3, 1)):
        unit = branches[name]
        reporter = _user(f"E3{unit.code}", f"{name[:2]}委员", "subunion_committee", unit)
        approver = _user(f"E4{unit.code}", f"{name[:2]}主席", "subunion_chair", unit)
        for index in range(count):
            person = _member(f"E5{unit.code}{index}", f"{name[:2]}教工{index}", unit)
            event = care.care_event_report(
                actor=reporter,
                person=person,
                event_type=wedding if index % 2 else hospital,
                occurred_on=timezone.localdate() - dt.timedelta(days=10),
                description="",
            )
            CareEvent.objects.filter(pk=event.pk).update(
                reported_at=timezone.now() - dt.timedelta(days=10 - index)
            )
            if index < visited:
                event = care.care_event_approve(
                    actor=approver, event=event, amount="500.00", form="in_kind", note=""
                )
                care.care_visit_record(
                    actor=reporter, event=event, visited_on=timezone.localdate(), visitors="甲、乙", notes=""
                )
    return {
        "branch": branch,
        "committee": committee,
        "chair": chair,
        "office": office,
        "patient": patient,
        "hospital": hospital,
    }


def test_an_officer_reports_a_hospital_stay_the_chair_approves_and_the_visit_is_paid(
    world: dict[str, Any], desktop: Any, live_server: Any, browser: Any, tmp_path: Path
) -> None:
    photo = tmp_path / "病房探望.png"
    photo.write_bytes(tiny_png())
    page = desktop
    login(page, live_server.url, world["committee"].staff_no, PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.click(".sidenav a[href='/console/welfare/care/']")
    page.wait_for_url(re.compile(r"/console/welfare/care/"))
    page.click("#report-button")
    page.fill("input[name=person_query]", world["patient"].staff_no)
    page.select_option("select[name=event_type]", str(world["hospital"].pk))
    page.fill("input[name=occurred_on]", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    page.fill("textarea[name=description]", "胆囊炎手术，住附属医院普外科 12 床，预计住院一周。")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/console/welfare/care/\d+/$"))
    page.wait_for_selector(".flash-success")
    event = CareEvent.objects.get(person=world["patient"])
    assert event.status == CareEvent.Status.REPORTED
    assert page.inner_text("#suggested-amount").replace(",", "") == "¥800.00"
    assert page.locator("#approve-form").count() == 0  # the reporter does not approve
    assert_chinese_renders(page)
    screenshot(page, "welfare-7-care-report")

    chair_context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    chair = chair_context.new_page()
    login(chair, live_server.url, world["chair"].staff_no, PASSWORD)
    chair.wait_for_url(re.compile(r"/console/$"))
    chair.goto(f"{live_server.url}/console/welfare/care/")
    chair.click(f"a[href='/console/welfare/care/{event.pk}/']")
    assert chair.input_value("#approve-form input[name=amount]") == "800.00"
    chair.select_option("#approve-form select[name=form]", "cash")
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.click("#approve-button")
    chair.wait_for_selector(".flash-success")
    event.refresh_from_db()
    assert (event.status, event.approved_amount, event.form) == (
        CareEvent.Status.APPROVED,
        Decimal("800.00"),
        "cash",
    )
    chair_context.close()

    page.reload()
    page.fill("#visit-form input[name=visited_on]", timezone.localdate().isoformat())
    page.fill("#visit-form textarea[name=visitors]", "吴主席\n周委员")
    page.fill("#visit-form textarea[name=notes]", "术后恢复良好，转达学院工会的问候，送上慰问金。")
    page.set_input_files("#visit-form input[name=photos]", str(photo))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#visit-button")
    page.wait_for_selector(".flash-success")
    event.refresh_from_db()
    assert event.status == CareEvent.Status.VISITED
    issuance = Issuance.objects.get(key=f"care:{event.pk}")
    entry = Entry.objects.get(idempotency_key=f"welfare.care:{event.pk}")
    assert issuance.entry_id_ref == entry.pk and entry.unit_id == world["branch"].pk
    assert page.locator("#payment").inner_text().count("800.00") == 1
    assert page.locator(".care-photos img").count() == 1
    page.wait_for_function("document.querySelector('.care-photos img').naturalWidth > 0")
    screenshot(page, "welfare-8-care-visit")

    office_context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    office = office_context.new_page()
    login(office, live_server.url, world["office"].staff_no, PASSWORD)
    office.wait_for_url(re.compile(r"/console/$"))
    office.goto(f"{live_server.url}/console/welfare/care/stats/")
    office.wait_for_selector("#chart-care[data-rendered='1'] canvas")
    row = office.locator(f"#care-stats-table tr[data-key='{world['branch'].pk}']")
    assert "100.0%" in row.inner_text()
    screenshot(office, "welfare-9-care-stats")
    office_context.close()
