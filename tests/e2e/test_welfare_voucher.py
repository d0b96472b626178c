"""提货券 in a real browser: a member opens 我的提货券 on a phone and shows the voucher's QR; a merchant's
cashier types the code at the counter, checks what it is worth and redeems it; the member's voucher then
reads used. Screenshots: docs/screenshots/welfare-4-voucher-qr.png, welfare-5-merchant-check.png,
welfare-6-merchant-redeemed.png."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role
from smartunion.welfare.models import Redemption, Voucher
from smartunion.welfare.tests import vouchers_support as support

from .conftest import PHONE, assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def seeded(tree: Any, live_server: Any) -> dict[str, Any]:
    shop = support.merchant("江海大学教育超市", unit=tree.root)
    shop.address = "北区生活广场"
    shop.save()
    person = support.member(tree.a1, name="张晓红")
    account_services.role_assign(
        actor=None, user=person.user, role=Role.objects.get(code="member"), unit=tree.a1
    )
    voucher = support.voucher(person, [shop], amount="300.00", goods="端午粽子礼盒（五芳斋）一份")
    return {"shop": shop, "person": person, "voucher": voucher, "url": live_server.url}


def test_a_member_shows_the_qr_and_a_merchant_redeems_it(browser: Any, seeded: dict[str, Any]) -> None:
    url, voucher, person = seeded["url"], seeded["voucher"], seeded["person"]
    member_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    member = member_context.new_page()
    login(member, url, person.user.staff_no, support.PASSWORD)
    member.wait_for_selector("nav.tabbar")  # the portal home after login
    member.click("nav.tabbar a:nth-child(3)")  # 福利
    member.click("#block-vouchers")
    member.wait_for_selector(f'[data-voucher="{voucher.pk}"][data-state="active"]')
    member.click(f'[data-voucher="{voucher.pk}"]')
    member.wait_for_selector(".voucher-qr svg")
    code_text = member.inner_text("#voucher-code")
    assert code_text.replace(" ", "") == voucher.code
    assert_chinese_renders(member)
    screenshot(member, "welfare-4-voucher-qr")

    cashier_context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
    counter = cashier_context.new_page()
    counter.on("dialog", lambda dialog: dialog.accept())
    login(counter, url, seeded["shop"].users.get().staff_no, support.PASSWORD)
    counter.wait_for_url(f"{url}/merchant/")  # a cashier lands on the counter
    counter.fill("input[name=code]", code_text.lower())  # typed as read, in groups, any case
    counter.click("form[data-counter-form] button[type=submit]")
    counter.wait_for_selector("#check-balance")
    assert "300.00" in counter.inner_text("#check-balance")
    assert counter.inner_text("#check-member") == "张**"
    screenshot(counter, "welfare-5-merchant-check")
    counter.click("#redeem")
    counter.wait_for_selector("#redeemed")
    screenshot(counter, "welfare-6-merchant-redeemed")
    redemption = Redemption.objects.get()
    assert redemption.amount == Decimal("300.00")
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.REDEEMED

    member.reload()
    member.wait_for_selector('#voucher[data-state="redeemed"]')
    assert member.locator(".voucher-qr").count() == 0
    member_context.close()
    cashier_context.close()
