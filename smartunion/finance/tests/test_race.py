"""THE RACE: 50 concurrent postings of 100.00 against a "stop" budget line with room for 10."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from smartunion.finance import services, spending
from smartunion.finance.models import Entry, SpendingRequest
from smartunion.finance.selectors import budget_line_status, committed
from smartunion.finance.verify import verify_chain

from .conftest import DAY, spend

POSTINGS = 50
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_postings_never_overspend_a_stop_budget(tree, chart, budget):
    line = budget("50101", amount="1000.00")
    category = chart["50101"]
    barrier = threading.Barrier(POSTINGS, timeout=60)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def pay(n: int) -> None:
        try:
            with translation.override("en"):
                barrier.wait()
                services.entry_post(
                    actor=None,
                    idempotency_key=f"race:{n}",
                    unit=tree.a,
                    posted_on=DAY,
                    memo=f"报销 {n}",
                    lines=spend(category, "100.00"),
                    source_type="test.race",
                    source_id=n,
                )
            outcomes.append("posted")
        except ValidationError as refused:
            assert "Over budget" in refused.messages[0]
            outcomes.append("refused")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(n,)) for n in range(POSTINGS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (outcomes.count("posted"), outcomes.count("refused")) == (10, 40)
    assert Entry.objects.count() == 10
    assert budget_line_status(line).spent == Decimal("1000.00")
    result = verify_chain()
    assert result.ok and result.count == 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_one_key_post_once(tree, chart, budget):
    budget("50101", amount="1000.00")
    barrier = threading.Barrier(8, timeout=60)
    created: list[bool] = []
    errors: list[BaseException] = []

    def pay() -> None:
        try:
            barrier.wait()
            posting = services.entry_post(
                actor=None,
                idempotency_key="same",
                unit=tree.a,
                posted_on=DAY,
                memo="重试",
                lines=spend(chart["50101"], "100.00"),
            )
            created.append(posting.created)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(created) == [False] * 7 + [True]
    assert Entry.objects.count() == 1 and verify_chain().ok


def _run_together(count: int, work: Any) -> list[BaseException]:
    """Run ``work(n)`` in ``count`` threads released at once; the unexpected errors they raised."""
    barrier = threading.Barrier(count, timeout=60)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            with translation.override("en"):
                barrier.wait()
                work(n)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_commit_beyond_a_stop_budget(tree, budget, make_user):
    """Eight requests of 300.00 against a line of 1,000.00, approved at the same moment by eight approvers:
    exactly three are committed, the others are refused with the figures."""
    line = budget("50101", amount="1000.00")
    chair = make_user("subunion_chair", tree.a)
    approvers = [make_user("union_staff", tree.root) for _ in range(8)]
    requests = [
        spending.spending_request_submit(
            actor=chair,
            budget_line=line,
            title=f"活动 {n}",
            purpose="场地",
            amount="300.00",
            payee="体育馆",
            attachments=[spending.Upload("invoice.png", PNG)],
        )
        for n in range(8)
    ]
    outcomes: list[str] = []

    def approve(n: int) -> None:
        try:
            spending.spending_request_approve(actor=approvers[n], request=requests[n])
            outcomes.append("approved")
        except ValidationError as refused:
            assert "Over budget" in refused.messages[0]
            outcomes.append("refused")

    assert _run_together(8, approve) == []
    assert (outcomes.count("approved"), outcomes.count("refused")) == (3, 5)
    approved = SpendingRequest.objects.filter(status=SpendingRequest.Status.APPROVED)
    assert approved.count() == 3
    assert committed(budget_line_id=line.pk) == Decimal("900.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_of_one_request_post_once(tree, budget, make_user):
    line = budget("50101", amount="1000.00")
    chair = make_user("subunion_chair", tree.a)
    approver = make_user("union_chair", tree.root)
    payers = [make_user("union_staff", tree.root) for _ in range(6)]
    request = spending.spending_request_submit(
        actor=chair,
        budget_line=line,
        title="讲座",
        purpose="讲课费",
        amount="500.00",
        payee="主讲人",
        attachments=[spending.Upload("invoice.png", PNG)],
    )
    spending.spending_request_approve(actor=approver, request=request)

    def pay(n: int) -> None:
        spending.spending_request_pay(actor=payers[n], request=request)

    assert _run_together(6, pay) == []
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.PAID
    assert Entry.objects.filter(source_type="finance.spending", source_id=str(request.pk)).count() == 1
    assert budget_line_status(line).spent == Decimal("500.00")
    assert verify_chain().ok
