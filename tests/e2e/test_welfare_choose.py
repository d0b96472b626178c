"""A festival programme in a real browser: a member opens 福利 on a phone, chooses a gift option (点单式)
and sees it chosen; after the deadline the sub-union's officer starts the issuance and reads the result.
Screenshots go to docs/screenshots/welfare-1…3-*.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import DEFAULT_PASSWORD
from smartunion.welfare.models import Entitlement, Issuance, Programme
from smartunion.welfare.services import programmes
from smartunion.welfare.tests.programme_factories import (
    close_choice,
    make_budget_line,
    make_item,
    make_member,
    make_merchant,
    make_programme,
)

from .conftest import DESKTOP, PHONE, assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def festival(tree: Any, make_user: Any) -> dict[str, Any]:
    officer = make_user("union_staff", tree.a, name="陈干事")
    member_user = make_user(name="王晓梅")
    person = make_member(tree.a, user=member_user)
    for unit in (tree.a, tree.a, tree.a1, tree.a1, tree.a1):
        make_member(unit)
    merchant = make_merchant("五芳斋（校内店）")
    programme = make_programme(
        actor=officer,
        unit=tree.a,
        item=make_item(),
        budget_line=make_budget_line(tree.a, amount="20000.00"),
        merchant=merchant,
        options=("五芳斋粽子礼盒", "时令水果礼篮", "大米食用油组合"),
        title="2026年端午节福利",
    )
    programmes.programme_open(actor=officer, programme=programme)
    return {"officer": officer, "member": member_user, "person": person, "programme": programme}


def test_a_member_chooses_a_gift_on_the_phone_and_the_officer_issues(
    festival: dict[str, Any], browser: Any, live_server: Any
) -> None:
    programme: Programme = festival["programme"]
    base = live_server.url
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    context.set_default_timeout(15_000)
    phone = context.new_page()
    login(phone, base, festival["member"].staff_no, DEFAULT_PASSWORD)
    phone.wait_for_url(re.compile(r"/m/$"))
    phone.goto(base + reverse("dashboards:portal_section", args=["welfare"]))
    expect(phone.locator("#welfare-choices")).to_contain_text(programme.title)
    assert_chinese_renders(phone)
    phone.locator("#welfare-choices a").first.click()
    phone.wait_for_url(re.compile(rf"/m/welfare/choose/{programme.pk}/$"))
    gift = programme.options.get(name="时令水果礼篮")
    phone.locator(f"label[for=option-{gift.pk}]").click()
    expect(phone.locator(f"#option-{gift.pk}")).to_be_checked()
    screenshot(phone, "welfare-1-choose")
    phone.click("#choose-button")
    phone.wait_for_url(re.compile(rf"/m/welfare/choose/{programme.pk}/$"))
    expect(phone.locator("#chosen-banner")).to_contain_text("时令水果礼篮")
    expect(phone.locator(f"#option-{gift.pk}")).to_be_checked()
    screenshot(phone, "welfare-2-chosen")
    assert Entitlement.objects.get(programme=programme, person=festival["person"]).option_id == gift.pk
    context.close()

    # The deadline passes; the officer previews and starts the issuance.
    close_choice(programme)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **DESKTOP)
    context.set_default_timeout(15_000)
    desk = context.new_page()
    login(desk, base, festival["officer"].staff_no, DEFAULT_PASSWORD)
    desk.wait_for_url(re.compile(r"/console/$"))
    desk.goto(base + reverse("welfare:programme_detail", args=[programme.pk]))
    expect(desk.locator("#preview-count")).to_have_text("6")
    expect(desk.locator("#preview-total")).to_have_text("1,800.00")
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.click("#issue-button")
    desk.wait_for_url(re.compile(rf"/programmes/{programme.pk}/issuing/$"))
    expect(desk.locator("#issued-count")).to_have_text("6")
    expect(desk.locator("#posted-units")).to_be_visible()
    desk.evaluate("window.scrollTo(0, 0)")
    screenshot(desk, "welfare-3-issued")
    context.close()
    assert Issuance.objects.filter(programme=programme).count() == 6
    assert Issuance.objects.get(programme=programme, person=festival["person"]).option_id == gift.pk
