"""The joining journey in a real browser: a new hire applies on a phone, the 分工会 reviews on a desktop, the
校工会 approves, and the new member's phone shows the electronic member card with its QR code.
Screenshots of each step go to docs/screenshots/members-join-*.png."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, RoleAssignment, User
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.members import services as member_services
from smartunion.members.models import Membership, MembershipApplication, StaffCategory
from smartunion.organisations.models import OrgUnit

from .conftest import assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENT = (
    "我自愿加入中国工会，承认《中国工会章程》，遵守工会的各项决议，按时缴纳会费，"
    "积极参加工会组织的各项活动，为学校的发展和教职工的团结贡献力量。"
)


@pytest.fixture
def journey(live_server: Any) -> dict[str, Any]:
    """The demo university, its officers, and a new hire of 机械工程学院 who has not joined yet."""
    call_command("seed_demo", members=300, seed=11, stdout=io.StringIO())
    branch = OrgUnit.objects.get(name="机械工程学院")
    chair = (
        RoleAssignment.objects.filter(role__code="subunion_chair", unit=branch).select_related("user").first()
    )
    staff = (
        RoleAssignment.objects.filter(role__code="union_staff", unit__parent__isnull=True)
        .select_related("user")
        .first()
    )
    assert chair is not None and staff is not None
    group = OrgUnit.objects.filter(parent=branch).order_by("code").first() or branch
    user = User.objects.create_user("2026E2E01", "林晓", DEMO_PASSWORD)
    account_services.role_assign(actor=None, user=user, role=Role.objects.get(code="member"), unit=group)
    person = member_services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name="林晓",
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=group,
        hire_date=timezone.localdate(),
        mobile="13900001111",
        id_number="320602199803120024",
        user=user,
    )
    assert person.membership.status == Membership.Status.NONE
    return {"user": user, "person": person, "chair": chair.user, "staff": staff.user, "unit": group}


def phone_shot(page: Any, name: str) -> None:
    """A whole phone page with its tab bar at the bottom: the viewport is stretched to the page's height
    for the picture (a full-page capture would leave the fixed bar where the screen ended)."""
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 390, "height": max(844, height)})
    screenshot(page, name, full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})


def _accept_dialogs(page: Any) -> None:
    page.on("dialog", lambda dialog: dialog.accept())


def test_a_new_hire_joins(journey: dict[str, Any], phone: Any, desktop: Any, live_server: Any) -> None:
    base = live_server.url
    person = journey["person"]

    # -- the new hire applies on a phone --------------------------------------------------------------
    page = phone
    _accept_dialogs(page)
    login(page, base, journey["user"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/m/$"))
    assert page.locator('a.m-link-card[href="/m/me/apply/"]').count() == 1  # the invitation
    page.click("nav.tabbar >> text=我的")
    page.wait_for_url(re.compile(r"/m/me/$"))
    assert_chinese_renders(page)
    phone_shot(page, "members-join-1-me")
    page.click('a.button[href="/m/me/apply/"]')
    page.wait_for_url(re.compile(r"/me/apply/$"))
    assert page.locator(".charter").count() == 1
    page.select_option("select[name=political_status]", "masses")
    page.fill("input[name=education]", "博士研究生")
    page.fill("textarea[name=statement]", STATEMENT)
    # Forgetting the charter box is refused with a message on that field, nothing is submitted.
    page.click("form button[type=submit]")
    page.wait_for_selector(".has-error .field-error")
    assert MembershipApplication.objects.count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_shot(page, "members-join-2-apply-form")
    page.check("input[name=charter_consent]")
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/me/application/$"))
    assert page.locator(".stepper li.done").count() == 1
    assert page.locator(".stepper li.current").count() == 1
    phone_shot(page, "members-join-3-submitted")
    application = MembershipApplication.objects.get(person=person)
    assert application.status == MembershipApplication.Status.SUBMITTED

    # -- the 分工会 chair reviews on a desktop -----------------------------------------------------------
    page = desktop
    _accept_dialogs(page)
    login(page, base, journey["chair"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.click('.sidenav a[href="/console/members/applications/"]')
    page.wait_for_selector("table.data-table")
    rows = page.locator("table.data-table tbody tr").all_inner_texts()
    assert any("林晓" in row for row in rows)
    assert_chinese_renders(page)
    screenshot(page, "members-join-4-unit-queue")
    page.click("table.data-table >> text=林晓")
    page.wait_for_url(re.compile(rf"/applications/{application.pk}/$"))
    assert STATEMENT in page.locator(".statement").inner_text()
    assert "320602199803120024" not in page.content()  # the ID number is masked
    page.fill("input[name=comment]", "经分工会委员会讨论，同意入会")
    screenshot(page, "members-join-5-unit-review")
    page.click(f'form[action="/console/members/applications/{application.pk}/review/"] button[type=submit]')
    page.wait_for_selector(".flash-success")
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.UNIT_APPROVED

    # -- the 校工会 approves ---------------------------------------------------------------------------
    page.context.clear_cookies()
    login(page, base, journey["staff"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.click('.sidenav a[href="/console/members/applications/"]')
    page.wait_for_selector("table.data-table")
    assert any("林晓" in row for row in page.locator("table.data-table tbody tr").all_inner_texts())
    screenshot(page, "members-join-6-school-queue")
    page.click("table.data-table >> text=林晓")
    page.wait_for_url(re.compile(rf"/applications/{application.pk}/$"))
    page.click(f'form[action="/console/members/applications/{application.pk}/approve/"] button[type=submit]')
    page.wait_for_selector(".alert-success")
    membership = Membership.objects.get(person=person)
    assert membership.status == Membership.Status.FULL and membership.joined_on == timezone.localdate()
    assert membership.card_no
    screenshot(page, "members-join-7-approved")

    # -- the new member's phone shows the card ----------------------------------------------------------
    page = phone
    page.context.clear_cookies()
    login(page, base, journey["user"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/m/$"))
    assert page.locator('a.m-link-card[href="/m/me/apply/"]').count() == 0
    page.click("nav.tabbar >> text=我的")
    page.wait_for_url(re.compile(r"/m/me/$"))
    assert membership.card_no in page.locator(".mini-card").inner_text()
    phone_shot(page, "members-join-8-me-member")
    page.click(".mini-card")
    page.wait_for_url(re.compile(r"/me/card/$"))
    assert page.locator(".qr-code svg path").count() >= 1
    box = page.locator(".qr-code svg").bounding_box()
    assert box is not None and box["width"] >= 180  # large enough to scan
    assert membership.card_no in page.locator(".card-no").inner_text()
    assert "林晓" in page.locator(".member-card-name").inner_text()
    assert "320602199803120024" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_chinese_renders(page)
    phone_shot(page, "members-join-9-card")

    # -- an officer scans the card ----------------------------------------------------------------------
    href = page.locator(".qr-code").get_attribute("data-verify")
    assert href and "/console/members/card/verify/?t=" in href
    page = desktop
    page.goto(href)
    page.wait_for_selector(".verify-ok")
    assert "林晓" in page.content()
