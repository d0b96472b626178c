"""Hardship files in a real browser: the sub-union chair opens an active file and sees how its category was
derived (the view is logged), the union chair sees the same file without any figure, a member sees the 公示
with name and unit only, and the union office opens the statistics. Screenshots: hardship-7..10-*.png."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, User
from smartunion.core.models import AuditEntry
from smartunion.hardship.models import HardshipFile
from smartunion.hardship.tests import factories
from smartunion.members import services as member_services
from smartunion.members.models import Membership, Person, StaffCategory
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit

from .conftest import PHONE, assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Hardship-files-2026!"


def _user(staff_no: str, name: str, role: str | None = None, unit: Any = None) -> User:
    user = User.objects.create_user(staff_no, name, PASSWORD)
    if role:
        account_services.role_assign(actor=None, user=user, role=Role.objects.get(code=role), unit=unit)
    return user


def _person(staff_no: str, name: str, unit: Any, *, account: bool = False) -> Person:
    person = member_services.person_create(
        actor=None,
        staff_no=staff_no,
        name=name,
        sex="M",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=_user(staff_no, name) if account else None,
    )
    Membership.objects.filter(person=person).update(status=Membership.Status.FULL)
    return Person.objects.select_related("unit").get(pk=person.pk)


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    root = org_services.unit_create(
        actor=None, name="江海大学工会", code="F00", union_type=OrgUnit.UnionType.SCHOOL
    )
    units = [
        org_services.unit_create(
            actor=None, name=name, code=code, union_type=OrgUnit.UnionType.BRANCH, parent=root
        )
        for code, name in (("F01", "机械工程学院"), ("F02", "外国语学院"), ("F03", "后勤管理处"))
    ]
    chair = _user("F1001", "吴主席", "subunion_chair", units[0])
    office = _user("F1002", "郑干事", "union_staff", root)
    union_chair = _user("F1003", "钱主席", "union_chair", root)
    active = factories.make_file(
        person=_person("F2001", "王建国", units[0]), actor=office, incomes=("31200", "0", "0"), medical="8400"
    )
    notice = factories.make_file(
        person=_person("F2002", "李秀英", units[0]), actor=office, status=HardshipFile.Status.NOTICE
    )
    for index, unit in enumerate(units * 3):
        factories.make_file(
            person=_person(f"F3{index:03d}", f"教工{index}", unit),
            actor=office,
            incomes=("60000", "20000") if index % 2 else ("20000", "0", "0"),
            cause=HardshipFile.Cause.SCHOOLING if index % 3 else HardshipFile.Cause.ILLNESS,
        )
    HardshipFile.objects.filter(pk=notice.pk).update(
        notice_starts_on=timezone.localdate() - dt.timedelta(days=1),
        notice_ends_on=timezone.localdate() + dt.timedelta(days=4),
    )
    member = _person("F4001", "赵小明", units[1], account=True)
    return {"chair": chair, "office": office, "union_chair": union_chair, "active": active, "member": member}


def _desktop(browser: Any) -> Any:
    return browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1440, "height": 900}
    )


def test_figures_for_the_case_handler_only_and_the_notice_shows_name_and_unit(
    world: dict[str, Any], browser: Any, live_server: Any
) -> None:
    active = world["active"]
    context = _desktop(browser)
    page = context.new_page()
    login(page, live_server.url, "F1001", PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.goto(f"{live_server.url}/console/hardship/files/")
    assert "31,200" not in page.content() and "31200" not in page.content()  # no figures in the list
    screenshot(page, "hardship-7-file-list")
    page.click(f"a[href='/console/hardship/files/{active.pk}/']")
    page.wait_for_selector("#derivation")
    derivation = page.inner_text("#derivation")
    assert "633.33" in derivation  # (31,200 − 8,400) ÷ 12 ÷ 3 — below the 低保 of 950: 深度困难
    assert page.inner_text("#file-category") == "深度困难"
    assert AuditEntry.objects.filter(
        action="hardship.file.viewed", actor=world["chair"], sensitive=True
    ).exists()
    assert_chinese_renders(page)
    screenshot(page, "hardship-8-file-derivation")
    context.close()

    context = _desktop(browser)
    page = context.new_page()
    login(page, live_server.url, "F1003", PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    page.goto(f"{live_server.url}/console/hardship/files/{active.pk}/")
    assert page.locator("#derivation dl.facts").count() == 0
    assert page.locator("#figures-hidden").count() == 1
    assert "633.33" not in page.content()
    page.goto(f"{live_server.url}/console/hardship/stats/")
    page.wait_for_selector("#stats-totals")
    screenshot(page, "hardship-9-statistics")
    context.close()

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    phone = context.new_page()
    login(phone, live_server.url, "F4001", PASSWORD)
    phone.wait_for_url(re.compile(r"/m/"))
    phone.goto(f"{live_server.url}/m/notices/")
    notices = phone.inner_text("#notice-list")
    assert "李秀英" in notices and "机械工程学院" in notices
    assert "困难" not in notices.replace("困难职工", "")  # no category named beside the person
    screenshot(phone, "hardship-10-portal-notice")
    context.close()
