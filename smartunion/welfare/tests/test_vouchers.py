"""提货券 services: redeeming (every refusal, partial, double submit), expiry (read time and the job),
merchant scoping, merchants and cashiers, and settlement (its postings equal the redeemed totals; once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone, translation

from smartunion.core.models import AuditEntry
from smartunion.finance.models import Entry, EntryLine
from smartunion.members.models import ServiceRecord
from smartunion.notifications.models import Notification
from smartunion.welfare.models import Redemption, Voucher
from smartunion.welfare.selectors import vouchers as selectors
from smartunion.welfare.services import vouchers as services

from . import vouchers_support as support

TODAY = dt.date.today


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def shop(tree: Any) -> Any:
    return support.merchant("校园超市", unit=tree.root)


@pytest.fixture
def person(tree: Any) -> Any:
    return support.member(tree.a1, name="张三丰")


def cashier_of(shop: Any) -> Any:
    return shop.users.get()


def refused(**kwargs: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        services.voucher_redeem(**kwargs)
    return " ".join(caught.value.messages)


# -- redeeming -------------------------------------------------------------------------------------------


def test_full_redemption_records_everything(shop, person):
    voucher = support.voucher(person, [shop], amount="200.00")
    cashier = cashier_of(shop)
    typed = "  " + "-".join(voucher.code[i : i + 4] for i in range(0, 20, 4)).lower() + " "
    redemption = services.voucher_redeem(actor=cashier, code=typed)
    voucher.refresh_from_db()
    assert (voucher.status, voucher.redeemed_amount) == (Voucher.Status.REDEEMED, Decimal("200.00"))
    assert (redemption.amount, redemption.merchant, redemption.redeemed_by) == (
        Decimal("200.00"),
        shop,
        cashier,
    )
    record = ServiceRecord.objects.get(key=f"welfare.redemption:{redemption.pk}")
    assert (
        record.kind == "welfare.redeemed" and record.person == person and record.amount == Decimal("200.00")
    )
    assert AuditEntry.objects.filter(action="welfare.voucher.redeemed").count() == 1
    note = Notification.objects.get(kind="welfare.voucher.redeemed")
    assert note.recipient == person.user and "校园超市" in note.title
    assert refused(actor=cashier, code=voucher.code).startswith("This voucher was already redeemed on")
    assert Redemption.objects.count() == 1


def test_a_scanned_address_gives_its_code():
    assert services.normalise_code("https://u.example/merchant/check/?code=ABCD-efgh&x=1") == "ABCDEFGH"
    assert services.normalise_code(" abcd efgh—ijkl ") == "ABCDEFGHIJKL"


def test_bad_inputs_are_refused_and_change_nothing(tree, shop, person):
    cashier = cashier_of(shop)
    voucher = support.voucher(person, [shop])
    assert "Enter the voucher code" in refused(actor=cashier, code=" - ")
    assert "is valid at your shop" in refused(actor=cashier, code="AAAABBBBCCCCDDDDEEEE")
    assert "only" in refused(actor=cashier, code=voucher.code, amount="50.00")  # not partial
    assert "more than zero" in refused(actor=cashier, code=voucher.code, amount="0")
    assert "at most two decimals" in refused(actor=cashier, code=voucher.code, amount="1.005")
    assert "in yuan" in refused(actor=cashier, code=voucher.code, amount="abc")
    assert "Only 200.00 yuan is left" in refused(actor=cashier, code=voucher.code, amount="200.01")
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ACTIVE and voucher.redeemed_amount == 0
    assert not Redemption.objects.exists()


def test_not_yet_valid_void_and_someone_without_the_permission(tree, make_user, shop, person):
    cashier = cashier_of(shop)
    later = support.voucher(person, [shop], valid_from=TODAY() + dt.timedelta(days=3))
    assert "cannot be redeemed yet" in refused(actor=cashier, code=later.code)
    void = support.voucher(person, [shop])
    Voucher.objects.filter(pk=void.pk).update(status=Voucher.Status.VOID)
    assert "cancelled" in refused(actor=cashier, code=void.code)
    officer = make_user("union_staff", tree.root)
    with pytest.raises(PermissionDenied):
        services.voucher_redeem(actor=officer, code=later.code)


def test_another_shops_voucher_reads_like_an_unknown_code(tree, shop, person):
    elsewhere = support.merchant("食堂", unit=tree.root)
    voucher = support.voucher(person, [elsewhere])
    message = refused(actor=cashier_of(shop), code=voucher.code)
    assert message == services.not_here_message(voucher.code)
    with pytest.raises(Http404):
        selectors.voucher_for_cashier(user=cashier_of(shop), code=voucher.code)
    assert selectors.voucher_for_cashier(user=cashier_of(elsewhere), code=voucher.code).merchant == elsewhere
    # An inactive shop redeems nothing.
    elsewhere.is_active = False
    elsewhere.save()
    assert "is valid at your shop" in refused(actor=cashier_of(elsewhere), code=voucher.code)


def test_partial_redemption_down_to_zero(shop, person):
    cashier = cashier_of(shop)
    voucher = support.voucher(person, [shop], amount="100.00", allow_partial=True)
    services.voucher_redeem(actor=cashier, code=voucher.code, amount="30.50", seen_redeemed="0.00")
    voucher.refresh_from_db()
    assert (voucher.status, voucher.balance) == (Voucher.Status.ACTIVE, Decimal("69.50"))
    # The same page submitted twice: what it saw has changed, so nothing is redeemed twice.
    assert "Check it again" in refused(actor=cashier, code=voucher.code, amount="30.50", seen_redeemed="0.00")
    assert "Only 69.50" in refused(actor=cashier, code=voucher.code, amount="70")
    services.voucher_redeem(actor=cashier, code=voucher.code)  # the rest
    voucher.refresh_from_db()
    assert (voucher.status, voucher.redeemed_amount) == (Voucher.Status.REDEEMED, Decimal("100.00"))
    assert list(voucher.redemptions.order_by("pk").values_list("amount", flat=True)) == [
        Decimal("30.50"),
        Decimal("69.50"),
    ]


# -- expiry ----------------------------------------------------------------------------------------------


def test_expiry_is_read_from_the_date_and_marked_when_redeemed(shop, person):
    voucher = support.voucher(
        person, [shop], valid_from=TODAY() - dt.timedelta(days=10), valid_to=TODAY() - dt.timedelta(days=1)
    )
    assert voucher.status == Voucher.Status.ACTIVE  # nothing ran yet …
    mine = selectors.vouchers_of_person(person)
    assert [v.state for v in mine] == [Voucher.Status.EXPIRED]  # … and it reads expired all the same
    assert selectors.valid_voucher_count(person) == 0
    assert "expired on" in refused(actor=cashier_of(shop), code=voucher.code)
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.EXPIRED  # the refusal recorded what the date said


def test_the_expiry_job_is_idempotent(shop, person):
    past = support.voucher(
        person, [shop], valid_from=TODAY() - dt.timedelta(days=10), valid_to=TODAY() - dt.timedelta(days=1)
    )
    current = support.voucher(person, [shop], valid_to=TODAY())
    assert services.vouchers_expire() == 1
    assert services.vouchers_expire() == 0
    call_command("welfare_expire_vouchers")
    past.refresh_from_db()
    current.refresh_from_db()
    assert (past.status, current.status) == (Voucher.Status.EXPIRED, Voucher.Status.ACTIVE)
    assert selectors.valid_voucher_count(person) == 1


def test_my_vouchers_list_usable_first(shop, person, tree):
    used = support.voucher(person, [shop])
    services.voucher_redeem(actor=cashier_of(shop), code=used.code)
    expired = support.voucher(
        person, [shop], valid_from=TODAY() - dt.timedelta(days=9), valid_to=TODAY() - dt.timedelta(days=2)
    )
    usable = support.voucher(person, [shop])
    other = support.voucher(support.member(tree.b), [shop])
    listed = selectors.vouchers_of_person(person)
    assert [v.pk for v in listed] == [usable.pk, used.pk, expired.pk]
    with pytest.raises(Http404):
        selectors.voucher_of_person(person=person, pk=other.pk)


# -- merchants and scoping -------------------------------------------------------------------------------


def test_merchants_see_only_their_own_redemptions(tree, person):
    one = support.merchant("一号店", unit=tree.root)
    two = support.merchant("二号店", unit=tree.root)
    first = services.voucher_redeem(actor=cashier_of(one), code=support.voucher(person, [one, two]).code)
    second = services.voucher_redeem(actor=cashier_of(two), code=support.voucher(person, [one, two]).code)
    assert list(selectors.redemptions_of_merchants(services.merchants_of(cashier_of(one)))) == [first]
    assert selectors.redemption_for_cashier(user=cashier_of(two), pk=second.pk) == second
    with pytest.raises(Http404):
        selectors.redemption_for_cashier(user=cashier_of(one), pk=second.pk)
    rows, total = selectors.redemptions_today([one])
    assert rows == [first] and total == Decimal("200.00")


def test_merchant_and_cashier_accounts(tree, make_user):
    office = make_user("union_staff", tree.root)
    subunion_staff = make_user("union_staff", tree.a)
    with pytest.raises(PermissionDenied):
        services.merchant_save(actor=subunion_staff, name="小卖部")
    with pytest.raises(ValidationError):
        services.merchant_save(actor=office, name="  ")
    shop = services.merchant_save(actor=office, name=" 校园 超市 ", contact="王经理")
    with pytest.raises(ValidationError):
        services.merchant_save(actor=office, name=shop.name)
    shop = services.merchant_save(actor=office, merchant=shop, name=shop.name, address="北区")
    assert shop.address == "北区"
    user, password = services.merchant_user_add(
        actor=office, merchant=shop, staff_no="SH-9001", name="李收银"
    )
    assert password and user.must_change_password
    user.forget_grants()
    assert user.has_unit_perm("welfare.redeem") and not user.has_unit_perm("core.console")
    with pytest.raises(ValidationError):
        services.merchant_user_add(actor=office, merchant=shop, staff_no="SH-9001")
    second = services.merchant_save(actor=office, name="食堂")
    again, none = services.merchant_user_add(actor=office, merchant=second, staff_no="SH-9001")
    assert again == user and none == ""
    services.merchant_user_remove(actor=office, merchant=shop, user=user)
    user.refresh_from_db()
    assert user.is_active  # still serves 食堂
    services.merchant_user_remove(actor=office, merchant=second, user=user)
    user.refresh_from_db()
    assert not user.is_active


# -- settlement ------------------------------------------------------------------------------------------


def _expense_posted(settlement: Any) -> Decimal:
    return EntryLine.objects.filter(
        entry__source_type="welfare.settlement", entry__source_id=str(settlement.pk), account="category"
    ).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


def test_settlement_totals_equal_the_postings(tree, make_user, shop, person):
    support.budget(tree.a1)
    support.budget(tree.b)
    office = make_user("union_staff", tree.root)
    cashier = cashier_of(shop)
    other_person = support.member(tree.b)
    partial = support.voucher(person, [shop], amount="100.00", allow_partial=True)
    services.voucher_redeem(actor=cashier, code=partial.code, amount="40.00")
    services.voucher_redeem(actor=cashier, code=support.voucher(person, [shop], amount="200.00").code)
    services.voucher_redeem(actor=cashier, code=support.voucher(other_person, [shop], amount="88.80").code)
    # Expensed by its programme at issuance: settled, but not posted a second time.
    programme_paid = support.voucher(person, [shop], amount="50.00")
    programme_paid.issuance.entry_id_ref = 999999
    programme_paid.issuance.save(update_fields=["entry_id_ref"])
    services.voucher_redeem(actor=cashier, code=programme_paid.code)

    today = timezone.localdate()
    report = selectors.reconciliation(shop, today, today)
    assert (report.count, report.total, report.unsettled_total) == (4, Decimal("378.80"), Decimal("378.80"))
    assert (report.expensed_at_issuance, report.expensed_at_settlement) == (
        Decimal("50.00"),
        Decimal("328.80"),
    )
    assert report.by_day == [{"day": today, "count": 4, "total": Decimal("378.80"), "unsettled": 4}]

    settlement = services.settlement_create(actor=office, merchant=shop, period_from=today, period_to=today)
    assert (settlement.count, settlement.total) == (4, Decimal("378.80"))
    entries = Entry.objects.filter(source_type="welfare.settlement", source_id=str(settlement.pk))
    assert sorted(e.unit_id for e in entries) == sorted([tree.a1.pk, tree.b.pk])  # per issuing unit
    assert _expense_posted(settlement) == report.expensed_at_settlement
    assert _expense_posted(settlement) + report.expensed_at_issuance == settlement.total
    assert settlement.entry_id_ref in {e.pk for e in entries}
    after = selectors.reconciliation(shop, today, today)
    assert (after.settled_total, after.unsettled_count) == (Decimal("378.80"), 0)

    # Settling again settles and posts nothing.
    with pytest.raises(ValidationError, match="no unsettled redemptions"):
        services.settlement_create(actor=office, merchant=shop, period_from=today, period_to=today)
    assert Entry.objects.filter(source_type="welfare.settlement").count() == 2
    # A redemption after the settlement goes into the next one.
    services.voucher_redeem(actor=cashier, code=support.voucher(person, [shop], amount="10.00").code)
    later = services.settlement_create(actor=office, merchant=shop, period_from=today, period_to=today)
    assert (later.count, later.total, _expense_posted(later)) == (1, Decimal("10.00"), Decimal("10.00"))


def test_settlement_refusals(tree, make_user, shop):
    office = make_user("union_staff", tree.root)
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.settlement_create(
            actor=make_user("union_staff", tree.a), merchant=shop, period_from=today, period_to=today
        )
    with pytest.raises(ValidationError, match="before its start"):
        services.settlement_create(
            actor=office, merchant=shop, period_from=today, period_to=today - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="once it is over"):
        services.settlement_create(
            actor=office, merchant=shop, period_from=today, period_to=today + dt.timedelta(days=1)
        )


def test_a_refused_posting_leaves_nothing_settled(tree, make_user, shop, person):
    """No budget line for 慰问 at the unit ("stop" category): the settlement is refused whole."""
    office = make_user("union_staff", tree.root)
    voucher = support.voucher(person, [shop])
    services.voucher_redeem(actor=cashier_of(shop), code=voucher.code)
    today = timezone.localdate()
    from smartunion.finance.models import Category

    if Category.objects.get(code="50203").overspend != Category.Overspend.STOP:
        pytest.skip("50203 is not a stop category in this chart")
    with pytest.raises(ValidationError):
        services.settlement_create(actor=office, merchant=shop, period_from=today, period_to=today)
    assert not Redemption.objects.filter(settlement__isnull=False).exists()


def test_a_programme_voucher_is_never_expensed_again_at_settlement(tree, make_user, shop, person):
    """A programme's vouchers can be redeemed before its run has posted their cost (a refused posting, a
    long run): the settlement must leave them to the programme, or the books would carry them twice."""
    support.budget(tree.a1)
    office = make_user("union_staff", tree.root)
    voucher = support.voucher(person, [shop], amount="300.00")
    type(voucher.issuance).objects.filter(pk=voucher.issuance.pk).update(key="programme:7:person:1")
    services.voucher_redeem(actor=cashier_of(shop), code=voucher.code)
    today = timezone.localdate()
    report = selectors.reconciliation(shop, today, today)
    assert (report.expensed_at_issuance, report.expensed_at_settlement) == (Decimal("300.00"), Decimal("0"))
    settlement = services.settlement_create(actor=office, merchant=shop, period_from=today, period_to=today)
    assert settlement.total == Decimal("300.00") and _expense_posted(settlement) == Decimal("0")
