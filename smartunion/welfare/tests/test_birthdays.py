"""Birthday benefits: a month's run issues to the members born in it once (a second run issues nothing),
posts one entry per sub-union and month, greets the member, and catch-up runs the months missed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartunion.finance.models import Entry
from smartunion.notifications.models import Notification
from smartunion.welfare.models import BirthdayRun, Issuance, Merchant, Voucher, WelfareItem
from smartunion.welfare.services import birthdays

from . import care_support as support

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def setup(tree: Any) -> Any:
    s = SimpleNamespace()
    # The seeded birthday item (if any) steps aside for the test's own.
    WelfareItem.objects.filter(kind=WelfareItem.Kind.BIRTHDAY).update(is_active=False)
    s.item = support.item(kind=WelfareItem.Kind.BIRTHDAY, amount="300.00", cap="300.00", forms=["voucher"])
    s.today = timezone.localdate()
    s.year = s.today.year
    s.may_a = support.member(tree.a1, birth_date=dt.date(1980, 5, 12))
    s.may_a2 = support.member(tree.a, birth_date=dt.date(1991, 5, 30))
    s.may_b = support.member(tree.b1, birth_date=dt.date(1975, 5, 1))
    s.may_retained = support.member(tree.a1, birth_date=dt.date(1955, 5, 3), status="retained")
    s.june_a = support.member(tree.a1, birth_date=dt.date(1985, 6, 9))
    s.shop = Merchant.objects.create(name="好利来（测试）")
    for unit in (tree.a, tree.b):
        support.budget(unit, year=s.year)
    s.tree = tree
    return s


def may(setup: Any) -> dt.date:
    return dt.date(setup.year, 5, 1)


def test_a_month_run_issues_to_the_right_people_once(setup: Any) -> None:
    result = birthdays.birthday_run(may(setup))
    assert (result.issued, result.errors, result.recorded) == (3, [], True)
    keys = set(Issuance.objects.filter(item=setup.item).values_list("key", flat=True))
    assert keys == {f"birthday:{setup.year}:person:{p.pk}" for p in (setup.may_a, setup.may_a2, setup.may_b)}
    voucher = Voucher.objects.get(issuance__person=setup.may_a)
    assert voucher.value == D("300.00")
    assert voucher.valid_from == may(setup)
    # Valid 30 days beyond the month — or beyond the day it was issued, when a past month is caught up late.
    assert voucher.valid_to == max(dt.date(setup.year, 5, 31), timezone.localdate()) + dt.timedelta(days=30)
    assert list(voucher.merchants.all()) == [setup.shop]
    # One entry per sub-union and month, on its budget.
    entries = Entry.objects.filter(source_type="welfare.birthday")
    assert {(e.unit_id, e.idempotency_key) for e in entries} == {
        (setup.tree.a.pk, f"welfare.birthday:{setup.year}-05:unit:{setup.tree.a.pk}"),
        (setup.tree.b.pk, f"welfare.birthday:{setup.year}-05:unit:{setup.tree.b.pk}"),
    }
    a_entry = entries.get(unit=setup.tree.a)
    assert sum(line.amount for line in a_entry.lines.all() if line.amount > 0) == D("600.00")
    assert set(Issuance.objects.filter(person=setup.may_a).values_list("entry_id_ref", flat=True)) == {
        a_entry.pk
    }
    assert BirthdayRun.objects.get(month=may(setup)).issued == 3


def test_running_twice_gives_the_same(setup: Any) -> None:
    birthdays.birthday_run(may(setup))
    again = birthdays.birthday_run(may(setup))
    assert again.skipped and again.issued == 0
    # Even without the run record (a crash after issuing), nobody is issued twice.
    BirthdayRun.objects.all().delete()
    third = birthdays.birthday_run(may(setup))
    assert (third.issued, third.already, third.recorded) == (0, 3, True)
    assert Issuance.objects.filter(item=setup.item).count() == 3
    assert Entry.objects.filter(source_type="welfare.birthday").count() == 2


def test_the_member_is_greeted(setup: Any) -> None:
    birthdays.birthday_run(may(setup))
    greeted = Notification.objects.filter(kind="welfare.birthday")
    assert set(greeted.values_list("recipient_id", flat=True)) == {
        setup.may_a.user_id,
        setup.may_a2.user_id,
        setup.may_b.user_id,
    }
    assert all("300" in notification.body for notification in greeted)


def test_catch_up_runs_the_missed_months_once(setup: Any) -> None:
    BirthdayRun.objects.create(month=dt.date(setup.year, 3, 1))
    results = birthdays.birthday_catch_up(dt.date(setup.year, 6, 15))
    assert [r.month for r in results] == [dt.date(setup.year, 4, 1), may(setup), dt.date(setup.year, 6, 1)]
    assert all(r.recorded for r in results)
    assert Issuance.objects.filter(item=setup.item).count() == 4  # May's three and June's one
    assert birthdays.birthday_catch_up(dt.date(setup.year, 6, 20)) == []
    assert Issuance.objects.filter(item=setup.item).count() == 4


def test_without_any_run_catch_up_starts_in_january(setup: Any) -> None:
    months = birthdays.months_to_run(dt.date(setup.year, 3, 10))
    assert months == [dt.date(setup.year, 1, 1), dt.date(setup.year, 2, 1), dt.date(setup.year, 3, 1)]


def test_a_refused_unit_leaves_the_month_open_and_the_next_run_completes_it(setup: Any) -> None:
    support.budget(setup.tree.b, amount="100.00", year=setup.year)  # 50203 stops over budget
    first = birthdays.birthday_run(may(setup))
    assert first.issued == 2 and first.errors and not first.recorded
    assert not Issuance.objects.filter(person=setup.may_b).exists()  # nothing half-applied for B
    support.budget(setup.tree.b, amount="10000.00", year=setup.year)
    results = birthdays.birthday_catch_up(dt.date(setup.year, 5, 20))
    may_result = next(r for r in results if r.month == may(setup))
    assert (may_result.issued, may_result.already, may_result.recorded) == (1, 2, True)
    assert Issuance.objects.filter(item=setup.item).count() == 3


def test_the_command_catches_up(setup: Any) -> None:
    BirthdayRun.objects.create(month=dt.date(setup.year, 4, 1))
    call_command("welfare_birthdays", "--date", f"{setup.year}-05-31")
    assert BirthdayRun.objects.filter(month=may(setup)).exists()
    assert Issuance.objects.filter(item=setup.item).count() == 3


def test_a_newcomer_issued_on_a_rerun_is_posted_too(setup: Any) -> None:
    """The first run posted A's entry; a May-born member joins A; the re-run issues to them and posts their
    cost as a new entry — what the books hold always equals what was issued."""
    birthdays.birthday_run(may(setup))
    # The month stays open when a unit was refused (its budget); here that is simulated by reopening it.
    BirthdayRun.objects.filter(month=may(setup)).delete()
    newcomer = support.member(setup.tree.a1, birth_date=dt.date(1990, 5, 20))
    again = birthdays.birthday_run(may(setup))
    assert again.issued == 1
    issued = sum(Issuance.objects.filter(item=setup.item).values_list("amount", flat=True), D("0"))
    entries = Entry.objects.filter(source_type="welfare.birthday")
    posted = sum(
        (line.amount for entry in entries for line in entry.lines.all() if line.account == "funds"), D("0")
    )
    assert -posted == issued == D("1200.00")
    assert Issuance.objects.get(person=newcomer, item=setup.item).entry_id_ref not in (
        Issuance.objects.get(person=setup.may_a).entry_id_ref,
        None,
    )
