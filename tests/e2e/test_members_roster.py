"""The officer's roster in a real browser: filter by pinyin initials, open a member's timeline, record a
retirement for the retirees the HR roster flagged (bulk, with confirmation), enrol new hires at a joining
ceremony. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command

from smartunion.accounts.models import RoleAssignment
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.members.models import JoiningCeremony, Membership, Person

from .conftest import assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chair(live_server: Any) -> Any:
    call_command("seed_demo", members=400, seed=7, stdout=io.StringIO())
    return (
        RoleAssignment.objects.filter(role__code="subunion_chair", unit__code="01")
        .select_related("user", "unit")
        .get()
    )


def test_officer_works_through_the_roster(chair: Any, desktop: Any, live_server: Any) -> None:
    page = desktop
    login(page, live_server.url, chair.user.staff_no, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/console/members/")
    assert_chinese_renders(page)
    assert page.locator("h1").inner_text() == "会员名册"
    screenshot(page, "members-roster")

    # Search by the pinyin initials of someone's name.
    someone = Person.objects.filter(unit__path__startswith=chair.unit.path).order_by("staff_no")[5]
    page.fill("input[name=q]", someone.name_initials)
    page.click(".filter-actions button")
    page.wait_for_url(re.compile(r"q="))
    assert someone.staff_no in page.locator("#table-region").inner_text()

    # The member's page with the membership timeline.
    page.goto(f"{live_server.url}/console/members/{someone.pk}/")
    assert page.locator(".timeline").count() == 1 or "尚无" in page.inner_text("body")
    screenshot(page, "members-detail")

    # Retirees the HR roster flagged: retain their membership in bulk, after a confirmation page.
    page.goto(f"{live_server.url}/console/members/retirees/")
    retirees = Person.objects.filter(
        unit__path__startswith=chair.unit.path,
        category__is_retired=True,
        membership__status__in=Membership.IN_SERVICE_STATUSES,
    )
    assert retirees.exists()
    page.locator("thead input[data-select-all]").check()
    page.click("#bulk-form button[type=submit]")
    page.wait_for_url(re.compile(r"/bulk/"))
    screenshot(page, "members-bulk-confirm")
    page.click("form.form-actions button[type=submit]")
    page.wait_for_url(re.compile(r"/retirees/"))
    assert not retirees.exists()

    # New hires still to join: record the 入职入会仪式 for two of them.
    page.goto(f"{live_server.url}/console/members/pending/")
    screenshot(page, "members-pending")
    boxes = page.locator("tbody input[name=ids]")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    boxes.nth(1).check()
    assert page.locator("[data-selected-count]").inner_text() == "2"
    page.click("#bulk-form button[type=submit]")
    page.fill("input[name=approval_ref]", "校工会2026年第7次委员会会议")
    screenshot(page, "members-ceremony")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/ceremonies/\d+/"))
    ceremony = JoiningCeremony.objects.order_by("-pk").first()
    assert ceremony is not None and ceremony.people.count() == 2
    assert all(p.membership.status in Membership.MEMBER_STATUSES for p in ceremony.people.all())
    screenshot(page, "members-ceremony-done")
