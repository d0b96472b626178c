"""提货券 pages: the member's own vouchers (another member's answers 404), the merchants' counter (check,
redeem, double submit, scoping) and the union office's merchants, reconciliation and settlements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from smartunion.finance.models import Entry
from smartunion.welfare.models import Merchant, Redemption, Settlement, Voucher

from . import vouchers_support as support


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def shop(tree: Any) -> Merchant:
    return support.merchant("校园超市", unit=tree.root)


@pytest.fixture
def person(tree: Any) -> Any:
    return support.member(tree.a1, name="张三丰")


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# -- the member portal -----------------------------------------------------------------------------------


def test_my_vouchers_empty_states(make_user, person):
    page = client_for(make_user()).get(reverse("welfare:my_vouchers"))
    assert page.status_code == 200 and 'id="vouchers-no-person"' in page.content.decode()
    page = client_for(person.user).get(reverse("welfare:my_vouchers"))
    assert 'id="vouchers-empty"' in page.content.decode()


def test_my_vouchers_and_the_voucher_with_its_qr(tree, shop, person):
    usable = support.voucher(person, [shop], amount="200.00")
    used = support.voucher(person, [shop], amount="80.00")
    from smartunion.welfare.services.vouchers import voucher_redeem

    voucher_redeem(actor=shop.users.get(), code=used.code)
    client = client_for(person.user)
    html = client.get(reverse("welfare:my_vouchers")).content.decode()
    assert html.index(f'data-voucher="{usable.pk}"') < html.index(f'data-voucher="{used.pk}"')
    page = client.get(reverse("welfare:my_voucher", args=[usable.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "校园超市" in body
    assert " ".join(usable.code[i : i + 4] for i in range(0, 20, 4)) in body
    done = client.get(reverse("welfare:my_voucher", args=[used.pk])).content.decode()
    assert 'data-state="redeemed"' in done and 'class="voucher-qr"' not in done
    # Another member's voucher does not exist for this one.
    other = support.voucher(support.member(tree.b), [shop])
    assert client.get(reverse("welfare:my_voucher", args=[other.pk])).status_code == 404


def test_the_portal_block_counts_valid_vouchers(shop, person):
    support.voucher(person, [shop])
    support.voucher(
        person,
        [shop],
        valid_from=timezone.localdate() - dt.timedelta(days=9),
        valid_to=timezone.localdate() - dt.timedelta(days=1),
    )
    page = client_for(person.user).get(reverse("dashboards:portal_section", args=["welfare"]))
    body = page.content.decode()
    assert 'id="block-vouchers"' in body and "1 to use" in body


# -- the counter -----------------------------------------------------------------------------------------


def test_a_cashier_lands_on_the_counter(shop):
    cashier = shop.users.get()
    assert client_for(cashier).get(reverse("accounts:home"))["Location"] == reverse("welfare:merchant_home")


def test_check_and_redeem(shop, person):
    voucher = support.voucher(person, [shop], amount="200.00", goods="粽子礼盒")
    client = client_for(shop.users.get())
    home = client.get(reverse("welfare:merchant_home")).content.decode()
    assert "No redemptions yet today" in home and "校园超市" in home
    typed = " ".join(voucher.code[i : i + 4] for i in range(0, 20, 4)).lower()
    check = client.get(reverse("welfare:merchant_check"), {"code": typed})
    body = check.content.decode()
    assert check.status_code == 200 and "200.00" in body and "粽子礼盒" in body and "张**" in body
    assert "张三丰" not in body
    post = {"code": voucher.code, "seen": "0.00", "amount": "200.00"}
    done = client.post(reverse("welfare:merchant_redeem"), post)
    redemption = Redemption.objects.get()
    assert done["Location"] == reverse("welfare:merchant_redemption", args=[redemption.pk])
    assert "Redeemed" in client.get(done["Location"]).content.decode()
    # The same form submitted again redeems nothing and says why.
    again = client.post(reverse("welfare:merchant_redeem"), post, follow=True)
    assert "already redeemed" in again.content.decode() and Redemption.objects.count() == 1
    home = client.get(reverse("welfare:merchant_home")).content.decode()
    assert "Today: 1 redemption" in home and "200.00" in home


def test_partial_redemption_at_the_counter(shop, person):
    voucher = support.voucher(person, [shop], amount="100.00", allow_partial=True)
    client = client_for(shop.users.get())
    client.post(reverse("welfare:merchant_redeem"), {"code": voucher.code, "seen": "0.00", "amount": "30"})
    voucher.refresh_from_db()
    assert voucher.redeemed_amount == Decimal("30.00") and voucher.status == Voucher.Status.ACTIVE
    bad = client.post(
        reverse("welfare:merchant_redeem"),
        {"code": voucher.code, "seen": "30.00", "amount": "71"},
        follow=True,
    )
    assert "Only 70.00 yuan is left" in bad.content.decode()


def test_the_counter_sees_only_its_own_shop(tree, shop, person):
    elsewhere = support.merchant("食堂", unit=tree.root)
    voucher = support.voucher(person, [elsewhere])
    client = client_for(shop.users.get())
    check = client.get(reverse("welfare:merchant_check"), {"code": voucher.code})
    assert check.status_code == 404 and "is valid at your shop" in check.content.decode()
    unknown = client.get(reverse("welfare:merchant_check"), {"code": "ZZZZ"})
    assert unknown.status_code == 404
    assert (
        client.post(reverse("welfare:merchant_redeem"), {"code": voucher.code, "seen": "0.00"}).status_code
        == 404
    )
    assert not Redemption.objects.exists()
    theirs = Redemption.objects.create(
        voucher=voucher, merchant=elsewhere, amount="1.00", redeemed_by=elsewhere.users.get()
    )
    assert client.get(reverse("welfare:merchant_redemption", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("welfare:merchant_check")).status_code == 302  # no code: back to the page


def test_an_account_without_a_shop_is_told_so(tree):
    lonely = support.cashier(tree.root)
    body = client_for(lonely).get(reverse("welfare:merchant_home")).content.decode()
    assert "not a cashier of any shop" in body


# -- the union office ------------------------------------------------------------------------------------


def test_console_merchants(tree, make_user):
    office = client_for(make_user("union_staff", tree.root))
    empty = office.get(reverse("welfare:merchant_list")).content.decode()
    assert "No merchants yet" in empty
    created = office.post(
        reverse("welfare:merchant_new"), {"name": "校园超市", "contact": "王经理", "is_active": "on"}
    )
    merchant = Merchant.objects.get()
    assert created["Location"] == reverse("welfare:merchant_edit", args=[merchant.pk])
    added = office.post(
        reverse("welfare:merchant_cashier_add", args=[merchant.pk]),
        {"staff_no": "SH-0001", "name": "李收银"},
        follow=True,
    )
    assert "initial password" in added.content.decode()
    user = merchant.users.get()
    page = office.get(reverse("welfare:merchant_edit", args=[merchant.pk])).content.decode()
    assert "SH-0001" in page and "李收银" in page
    assert "校园超市" in office.get(reverse("welfare:merchant_list")).content.decode()
    office.post(reverse("welfare:merchant_cashier_remove", args=[merchant.pk, user.pk]))
    assert not merchant.users.exists()
    # A sub-union's union staff: these are the school office's pages.
    assert (
        client_for(make_user("union_staff", tree.a)).get(reverse("welfare:merchant_list")).status_code == 403
    )


def test_reconciliation_and_settlement_pages(tree, make_user, shop, person):
    support.budget(tree.a1)
    office = client_for(make_user("union_staff", tree.root))
    from smartunion.welfare.services.vouchers import voucher_redeem

    for amount in ("120.00", "80.50"):
        voucher_redeem(actor=shop.users.get(), code=support.voucher(person, [shop], amount=amount).code)
    report = office.get(reverse("welfare:reconciliation", args=[shop.pk])).content.decode()
    assert "200.50" in report and 'id="by-day"' in report
    export = office.get(reverse("welfare:reconciliation", args=[shop.pk]), {"export": "xlsx"})
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    today = timezone.localdate().isoformat()
    confirm = office.get(
        reverse("welfare:settlement_new", args=[shop.pk]), {"period_from": today, "period_to": today}
    )
    assert 'id="settle"' in confirm.content.decode()
    done = office.post(
        reverse("welfare:settlement_new", args=[shop.pk]), {"period_from": today, "period_to": today}
    )
    settlement = Settlement.objects.get()
    assert done["Location"] == reverse("welfare:settlement_detail", args=[settlement.pk])
    assert settlement.total == Decimal("200.50")
    detail = office.get(done["Location"]).content.decode()
    entry = Entry.objects.get(source_type="welfare.settlement")
    assert reverse("finance:entry_detail", args=[entry.pk]) in detail
    again = office.post(
        reverse("welfare:settlement_new", args=[shop.pk]), {"period_from": today, "period_to": today}
    )
    assert "no unsettled redemptions" in again.content.decode() and Settlement.objects.count() == 1
    assert "Nothing to settle" in again.content.decode()
    listing = office.get(reverse("welfare:settlement_list")).content.decode()
    assert "200.50" in listing


def test_settlements_empty_state(tree, make_user):
    office = client_for(make_user("union_staff", tree.root))
    assert "No settlements yet" in office.get(reverse("welfare:settlement_list")).content.decode()
