"""THE RACE: cashiers scanning the same QR at the same moment — exactly one redemption succeeds. Runs on
SQLite and, with DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from smartunion.members.models import ServiceRecord
from smartunion.welfare.models import Redemption, Voucher
from smartunion.welfare.services import vouchers as services

from . import vouchers_support as support


def _run_together(count: int, work: Any) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(count, timeout=60)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            with translation.override("en"):
                barrier.wait()
                work(n)
            outcomes.append("redeemed")
        except ValidationError as refused:
            outcomes.append(refused.messages[0])
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counters", [2, 8])
def test_concurrent_redemptions_of_one_voucher_redeem_once(tree, counters):
    shop = support.merchant("校园超市", cashiers=counters, unit=tree.root)
    cashiers = list(shop.users.order_by("pk"))
    voucher = support.voucher(support.member(tree.a1), [shop], amount="200.00")

    outcomes, errors = _run_together(
        counters,
        lambda n: services.voucher_redeem(actor=cashiers[n], code=voucher.code, seen_redeemed="0.00"),
    )
    assert errors == []
    assert outcomes.count("redeemed") == 1, outcomes
    assert all("redeemed" in outcome for outcome in outcomes), outcomes  # the others are told why
    voucher.refresh_from_db()
    assert (voucher.status, voucher.redeemed_amount) == (Voucher.Status.REDEEMED, Decimal("200.00"))
    assert Redemption.objects.count() == 1
    assert ServiceRecord.objects.filter(kind="welfare.redeemed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_partial_redemptions_never_exceed_the_value(tree):
    """Eight counters each take 30.00 of a 100.00 voucher that may be redeemed in parts, without a page's
    seen figure: whatever interleaving, the redeemed total never passes the value."""
    shop = support.merchant("食堂", cashiers=8, unit=tree.root)
    cashiers = list(shop.users.order_by("pk"))
    voucher = support.voucher(support.member(tree.a1), [shop], amount="100.00", allow_partial=True)

    outcomes, errors = _run_together(
        8, lambda n: services.voucher_redeem(actor=cashiers[n], code=voucher.code, amount="30.00")
    )
    assert errors == []
    voucher.refresh_from_db()
    taken = sum(Redemption.objects.values_list("amount", flat=True), Decimal("0"))
    assert taken == voucher.redeemed_amount == Decimal("30.00") * outcomes.count("redeemed")
    assert 1 <= outcomes.count("redeemed") <= 3
    assert voucher.redeemed_amount <= voucher.value
