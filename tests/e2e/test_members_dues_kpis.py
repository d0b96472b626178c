"""Dues and the membership KPIs in a real browser: the union office records last month's dues as deducted
(with the confirmation dialog), reads the frozen sheet and the rule; a 分工会 chair reads the KPIs and the
people behind them; a member sees their dues on 我的. Screenshots go to docs/screenshots/members-dues-*.png
and members-kpi-*.png."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command

from smartunion.accounts.models import RoleAssignment, User
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.members.models import DuesMonth, Membership
from smartunion.members.selectors.dues import add_months, month_start
from smartunion.organisations.models import OrgUnit

from .conftest import assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server: Any) -> dict[str, Any]:
    call_command("seed_demo", members=300, seed=7, stdout=io.StringIO())
    staff = (
        RoleAssignment.objects.filter(role__code="union_staff", unit__parent__isnull=True)
        .select_related("user")
        .first()
    )
    branch = OrgUnit.objects.get(name="机械工程学院")
    chair = (
        RoleAssignment.objects.filter(role__code="subunion_chair", unit=branch).select_related("user").first()
    )
    member = (
        User.objects.filter(
            person__membership__status=Membership.Status.FULL, person__post_salary__gt=0, person__unit=branch
        )
        .exclude(role_assignments__role__code__in=["subunion_chair", "subunion_committee", "union_staff"])
        .order_by("staff_no")
        .first()
    )
    assert staff is not None and chair is not None and member is not None
    return {"staff": staff.user, "chair": chair.user, "member": member}


def test_office_records_a_month_and_a_chair_reads_the_rates(
    demo: dict[str, Any], desktop: Any, live_server: Any, browser: Any
) -> None:
    from django.utils import timezone

    page = desktop
    last_month = add_months(month_start(timezone.localdate()), -1)
    login(page, live_server.url, demo["staff"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.click(".sidenav a[href='/console/members/dues/']")
    page.wait_for_url(re.compile(r"/console/members/dues/"))
    page.goto(f"{live_server.url}/console/members/dues/?month={last_month:%Y-%m}")
    assert page.locator("#dues-summary tr.total-row").count() == 1
    assert_chinese_renders(page)
    screenshot(page, "members-dues-1-sheet-live")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form[action$='/dues/record/'] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert DuesMonth.objects.filter(month=last_month).exists()
    assert page.locator("#dues-lines .link-button").count() > 0  # payroll failed, per line
    screenshot(page, "members-dues-2-recorded")
    page.goto(f"{live_server.url}/console/members/dues/rules/")
    assert page.locator("#dues-samples tbody tr").count() == 5
    screenshot(page, "members-dues-3-rule")
    page.goto(f"{live_server.url}/console/members/dues/rules/new/")
    page.click("button[value=preview]")
    page.wait_for_selector("#dues-samples")
    screenshot(page, "members-dues-4-new-rule-preview")

    # A 分工会 chair: the console home panels, the breakdown, the people behind a number.
    chair_page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900}).new_page()
    login(chair_page, live_server.url, demo["chair"].staff_no, DEMO_PASSWORD)
    chair_page.wait_for_url(re.compile(r"/console/$"))
    assert chair_page.locator("#membership-kpis [data-kpi]").count() == 2
    screenshot(chair_page, "members-kpi-1-console-home", full_page=False)
    chair_page.click("#membership-kpis [data-kpi=join_rate] a[href='/console/members/kpis/']")
    chair_page.wait_for_url(re.compile(r"/console/members/kpis/"))
    assert chair_page.locator("#join-rate-units tbody tr").count() >= 2
    screenshot(chair_page, "members-kpi-2-overview")
    chair_page.click("[data-kpi=join_rate] .kpi-parts a >> nth=2")
    chair_page.wait_for_url(re.compile(r"group=non_members"))
    screenshot(chair_page, "members-kpi-3-people")
    chair_page.context.close()


def test_member_sees_dues_on_a_phone(demo: dict[str, Any], phone: Any, live_server: Any) -> None:
    login(phone, live_server.url, demo["member"].staff_no, DEMO_PASSWORD)
    phone.wait_for_url(re.compile(r"/m/$"))
    phone.goto(f"{live_server.url}/m/me/")
    block = phone.locator("#my-dues")
    assert block.count() == 1 and re.search(r"\d+\.\d0", block.locator(".dues-amount").inner_text())
    block.scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "members-dues-5-me-phone")
