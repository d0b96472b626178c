"""Key journeys of the foundation in a real browser, with screenshots for docs/screenshots/."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from smartunion.accounts.models import RoleAssignment, User
from smartunion.demo.data import DEMO_PASSWORD
from smartunion.members.models import Person
from smartunion.organisations.models import OrgUnit

from .conftest import assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server: Any) -> dict[str, User]:
    """A small demo university (the same generator as `make demo`) and one login per role."""
    call_command("seed_demo", members=400, seed=7, stdout=io.StringIO())
    logins: dict[str, User] = {}
    for code in ("subunion_chair", "union_staff", "union_chair", "sysadmin", "auditor", "handling_office"):
        assignment = (
            RoleAssignment.objects.filter(role__code=code)
            .select_related("user", "unit")
            .order_by("unit__code")
            .first()
        )
        logins[code] = assignment.user
    officers = RoleAssignment.objects.exclude(role__code="member").values("user_id")
    logins["member"] = (
        User.objects.exclude(pk__in=officers).filter(person__unit__code="01").order_by("staff_no").first()
    )
    return logins


def test_member_on_a_phone(demo: dict[str, User], phone: Any, live_server: Any) -> None:
    page = phone
    page.goto(f"{live_server.url}/accounts/login/")
    assert_chinese_renders(page)
    screenshot(page, "login-phone")
    login(page, live_server.url, demo["member"].staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/m/$"))
    tabs = page.locator("nav.tabbar a")
    assert tabs.all_inner_texts() == ["首页", "活动", "福利", "服务", "我的"]
    assert demo["member"].name in page.locator(".hero-greeting").inner_text()
    assert page.locator("link[rel=manifest]").count() == 1
    # A phone-sized page: nothing overflows sideways and the tab targets are large enough to tap.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = tabs.first.bounding_box()
    assert box is not None and box["height"] >= 48
    assert_chinese_renders(page)
    screenshot(page, "portal-home")

    page.click("nav.tabbar >> text=活动")
    page.wait_for_url(re.compile(r"/m/activities/$"))
    # The demo has activities open now: 适合我 lists them (the activities issue's own tests go further).
    assert page.locator("section[id^=activity-]").count() >= 1
    screenshot(page, "portal-activities")

    page.click("nav.tabbar >> text=我的")
    page.wait_for_url(re.compile(r"/m/me/$"))
    profile = page.locator(".profile-card").inner_text()
    assert demo["member"].person.unit.name in profile
    assert demo["member"].person.mobile not in profile  # the phone number is masked
    screenshot(page, "portal-me")


def test_subunion_chair_on_a_desktop(demo: dict[str, User], desktop: Any, live_server: Any) -> None:
    page = desktop
    chair = demo["subunion_chair"]
    own_unit = RoleAssignment.objects.get(user=chair, role__code="subunion_chair").unit
    login(page, live_server.url, chair.staff_no, DEMO_PASSWORD)
    page.wait_for_url(re.compile(r"/console/$"))
    nav = page.locator(".sidenav").inner_text()
    assert "组织架构" in nav or "工会组织" in nav
    assert "审计日志" not in nav  # not for a sub-union chair
    page.wait_for_selector("#chart-units canvas")  # ECharts, served from static/vendor
    assert_chinese_renders(page)
    screenshot(page, "console-home-subunion-chair")

    page.click(".sidenav >> text=会员名册")
    page.wait_for_selector("table.data-table")
    units_shown = set(
        page.locator("table.data-table tbody tr td:nth-child(5)").all_inner_texts()
    )  # after the checkbox, 工号, 姓名, 性别
    assert units_shown == {own_unit.name}
    screenshot(page, "console-staff-list")

    page.goto(f"{live_server.url}/console/org/")
    rows = page.locator("table.data-table tbody tr").all_inner_texts()
    assert any(own_unit.name in row for row in rows)
    assert not any("外国语学院" in row for row in rows)
    screenshot(page, "console-units")

    page.goto(f"{live_server.url}/console/org/units/{own_unit.pk}/")
    assert page.locator(".history-panel .timeline li").count() >= 1
    screenshot(page, "console-unit-detail")

    other = OrgUnit.objects.get(name="外国语学院")
    response = page.goto(f"{live_server.url}/console/org/units/{other.pk}/")
    assert response is not None and response.status == 404
    assert "不存在" in page.content()
    screenshot(page, "error-404", full_page=False)


def _messy_roster(unit_name: str, alias: str, known: Person) -> bytes:
    """A roster as HR sends it: a title, a note, merged unit cells, full-width digits, blank rows, a bad
    ID check digit and a 合计 row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2026年新进教职工名单"])
    sheet.merge_cells("A1:H1")
    sheet.append(["注：身份证号请设置为文本格式"])
    sheet.append(["序号", "工号", "姓名", "性别", "身份证号码", "所在单位", "人员类别", "入职日期"])
    sheet.append([1, "３００００１", "林　晓", "女", "320602199803120024", unit_name, "在编", "2026.07.01"])
    sheet.append([2, "300002", "周 建国", "男", "320602199501011234", None, "人事代理", "2026/7/1"])
    sheet.append([3, "300003", "陈思", "女", "320602199702020024", None, "合同制", 46204])
    sheet.merge_cells("F4:F6")
    sheet.append([])
    sheet.append([4, "300004", "王磊", "男", "320602199404040019", "不存在的学院", "在编", "2026-07-01"])
    sheet.append(
        [
            5,
            known.staff_no,
            known.name,
            known.get_sex_display(),
            known.id_number,
            alias,
            known.category.name,
            known.hire_date,
        ]
    )
    sheet.append(["合计", "", "5人"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_union_staff_imports_a_messy_roster(
    demo: dict[str, User], desktop: Any, live_server: Any, tmp_path: Any
) -> None:
    page = desktop
    unit = OrgUnit.objects.get(name="机械工程学院")
    known = Person.objects.filter(unit=unit).order_by("staff_no").first()
    path = tmp_path / "2026年新进教职工.xlsx"
    path.write_bytes(_messy_roster(unit.name, "机械学院", known))

    login(page, live_server.url, demo["union_staff"].staff_no, DEMO_PASSWORD)
    page.wait_for_selector("#chart-categories canvas")
    screenshot(page, "console-home-union-staff")
    page.goto(f"{live_server.url}/console/imports/new/members.roster/")
    screenshot(page, "console-import-upload")
    page.set_input_files("input[type=file]", str(path))
    page.click("#content form button[type=submit]")
    page.wait_for_selector(".stat-row")
    counts = page.locator(".stat .stat-value").all_inner_texts()
    assert counts == ["5", "3", "0", "2", "1"]  # rows, ok, warnings, rejected, skipped (the 合计 row)
    messages = page.locator("td.messages").all_inner_texts()
    assert any("校验" in m for m in messages), messages  # the bad check digit, named with its cell
    assert any("不存在的学院" in m for m in messages), messages
    assert not Person.objects.filter(staff_no="300001").exists()  # nothing written before confirming
    screenshot(page, "console-import-preview")

    page.on("dialog", lambda dialog: dialog.accept())
    page.click("text=确认导入")
    page.wait_for_selector(".badge-applied")
    assert Person.objects.filter(staff_no="300001", name="林晓", unit=unit).exists()
    assert Person.objects.filter(staff_no="300003", unit=unit).exists()  # the merged unit cell applied
    assert not Person.objects.filter(staff_no="300002").exists()  # bad ID: rejected
    screenshot(page, "console-import-applied")

    page.goto(f"{live_server.url}/console/audit/?action=members.person")
    assert page.locator("table.data-table tbody tr").count() >= 2
    screenshot(page, "console-audit-log")


def test_new_account_must_change_its_initial_password(
    demo: dict[str, User], desktop: Any, live_server: Any
) -> None:
    page = desktop
    login(page, live_server.url, demo["sysadmin"].staff_no, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/console/roles/?q=&role=")
    assert page.locator("table.data-table tbody tr").count() >= 8
    screenshot(page, "console-role-assignments", full_page=False)
    page.goto(f"{live_server.url}/console/roles/definitions/")
    assert page.locator("table.matrix .tick").count() > 10
    screenshot(page, "console-role-definitions")
    page.goto(f"{live_server.url}/console/accounts/new/")
    page.fill("input[name=staff_no]", "900001")
    page.fill("input[name=name]", "赵新")
    page.click("#content form button[type=submit]")
    initial = page.locator("code.secret").inner_text()
    screenshot(page, "console-account-created")
    page.context.clear_cookies()

    login(page, live_server.url, "900001", initial)
    page.wait_for_url(re.compile(r"/accounts/password/$"))
    page.goto(f"{live_server.url}/m/")  # every page leads back to the password form
    page.wait_for_url(re.compile(r"/accounts/password/$"))
    screenshot(page, "password-change-forced", full_page=False)
    page.fill("input[name=old_password]", initial)
    page.fill("input[name=new_password1]", "Nantong-2026-gh")
    page.fill("input[name=new_password2]", "Nantong-2026-gh")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/m/$"))
    assert User.objects.get(staff_no="900001").must_change_password is False
