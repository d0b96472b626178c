"""THE RACE: 50 concurrent postings of 100.00 against a "stop" budget line with room for 10."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from smartunion.finance import services
from smartunion.finance.models import Entry
from smartunion.finance.selectors import budget_line_status
from smartunion.finance.verify import verify_chain

from .conftest import DAY, spend

POSTINGS = 50


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
