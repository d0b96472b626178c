"""收支明细 (the ledger report) with its filters, totals and export; an entry's page; the audit committee's
hash-chain check and sampling."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from smartunion.core.models import AuditEntry
from smartunion.finance import income, selectors, services
from smartunion.finance.models import Entry, SpendingRequest

from .conftest import DAY, spend
from .test_spending import PNG, file

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the tests quote the English messages
    return client


@pytest.fixture
def books(tree: Any, chart: Any, budget: Any, make_user: Any) -> Any:
    """Spending at A (paid from a request with an invoice) and at B, dues income at the top, a reversal."""
    budget("50101", "5000.00", unit=tree.a)
    budget("50101", "5000.00", unit=tree.b)

    class World:
        staff = make_user("union_staff", tree.root, name="校工会干事")
        auditor = make_user("auditor", tree.root, name="经审委员")
        chair_a = make_user("subunion_chair", tree.a, name="A主席")
        chair_b = make_user("subunion_chair", tree.b, name="B主席")

    def post(key: str, unit: Any, lines: list[Any], day: Any = DAY, source: str = "") -> Entry:
        return services.entry_post(
            actor=World.staff,
            idempotency_key=key,
            unit=unit,
            posted_on=day,
            memo=key,
            lines=lines,
            source_type=source,
            source_id="1" if source else "",
        ).entry

    World.a_spend = post("a-spend", tree.a, spend(chart["50101"], "300.00"), source="test.source")
    World.b_spend = post("b-spend", tree.b, spend(chart["50101"], "200.00"), day=DAY.replace(month=5))
    World.top_income = post(
        "top-income",
        tree.root,
        [
            services.Line(account="funds", amount="1000.00"),
            services.Line(category=chart["401"], amount="-1000.00"),
        ],
    )
    World.reversal = services.entry_reverse(
        actor=World.staff,
        entry=World.b_spend,
        reason="重复支付",
        idempotency_key="b-reverse",
        posted_on=DAY.replace(month=6),
    ).entry
    return World


def get(client: Client, name: str, query: str = "", *args: Any) -> Any:
    return client.get(reverse(name, args=args) + query)


def test_ledger_scoped_to_the_users_units(books: Any) -> None:
    body = get(client_for(books.chair_a), "finance:ledger").content.decode()
    assert "a-spend" in body and "b-spend" not in body and "top-income" not in body
    body = get(client_for(books.auditor), "finance:ledger").content.decode()
    assert all(memo in body for memo in ("a-spend", "b-spend", "top-income", "重复支付"))


def test_ledger_filters_and_totals(books: Any, tree: Any, chart: Any) -> None:
    client = client_for(books.auditor)
    response = get(client, "finance:ledger", "?kind=income")
    totals = response.context["totals"]
    assert totals["count"] == 1 and totals["income"] == 1000 and totals["expense"] == 0
    response = get(client, "finance:ledger", f"?unit={tree.a.pk}")
    assert response.context["totals"]["count"] == 2 and response.context["totals"]["debit"] == 300
    response = get(client, "finance:ledger", f"?category={chart['501'].pk}")  # the parent covers 文体活动
    assert response.context["totals"]["expense"] == 300  # 300 + 200 − 200 reversed
    response = get(client, "finance:ledger", "?date_from=2026-05-01&date_to=2026-05-31")
    assert response.context["totals"]["count"] == 2 and "b-spend" in response.content.decode()
    response = get(client, "finance:ledger", "?source=test.source")
    assert response.context["totals"]["count"] == 2
    response = get(client, "finance:ledger", "?date_from=2026-06-01&date_to=2026-05-01")
    assert "The end date is before the start date." in response.content.decode()
    response = get(client, "finance:ledger", "?sort=-amount")
    assert response.status_code == 200


def test_ledger_export(books: Any) -> None:
    response = get(client_for(books.auditor), "finance:ledger", "?export=xlsx&kind=expense")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
    assert "a-spend" in values and "top-income" not in values
    assert AuditEntry.objects.filter(action="core.list.exported").exists()


def test_ledger_queries_do_not_grow(books: Any, chart: Any, tree: Any) -> None:
    from django.test.utils import CaptureQueriesContext

    client = client_for(books.auditor)
    get(client, "finance:ledger")  # the session and the navigation, once
    with CaptureQueriesContext(connection) as few:
        get(client, "finance:ledger")
    for n in range(10):
        services.entry_post(
            actor=None,
            idempotency_key=f"more-{n}",
            unit=tree.a,
            posted_on=DAY,
            memo="x",
            lines=spend(chart["50101"], "1.00"),
        )
    with CaptureQueriesContext(connection) as many:
        get(client, "finance:ledger")
    assert len(many) == len(few)


def test_entry_detail_shows_lines_hash_reversal_and_history(books: Any) -> None:
    client = client_for(books.auditor)
    body = get(client, "finance:entry_detail", "", books.b_spend.pk).content.decode()
    assert books.b_spend.entry_hash in body and books.b_spend.idempotency_key in body
    assert reverse("finance:entry_detail", args=[books.reversal.pk]) in body and "Reversed by" in body
    body = get(client, "finance:entry_detail", "", books.reversal.pk).content.decode()
    assert reverse("finance:entry_detail", args=[books.b_spend.pk]) in body and "重复支付" in body
    assert "Entry posted" in body or "finance.entry.reversed" in body or "Entry reversed" in body
    assert get(client_for(books.chair_a), "finance:entry_detail", "", books.b_spend.pk).status_code == 404
    assert get(client_for(books.chair_b), "finance:entry_detail", "", books.b_spend.pk).status_code == 200
    assert get(client, "finance:entry_detail", "", 999999).status_code == 404


def test_entry_detail_links_a_paid_request_and_its_invoice(books: Any, tree: Any, budget: Any) -> None:
    from smartunion.finance import spending

    line = budget("50102", "1000.00", unit=tree.a)
    request = file(books.chair_a, line, "100.00")
    spending.spending_request_approve(actor=books.staff, request=request)
    spending.spending_request_pay(actor=books.staff, request=request)
    request = SpendingRequest.objects.get(pk=request.pk)
    body = get(client_for(books.chair_a), "finance:entry_detail", "", request.entry_id).content.decode()
    assert reverse("finance:request_detail", args=[request.pk]) in body
    assert reverse("finance:attachment", args=[request.attachments.get().pk]) in body
    assert PNG  # the invoice is the one filed


def test_verify_page_runs_on_post_and_audits(books: Any) -> None:
    client = client_for(books.auditor)
    response = get(client, "finance:ledger_verify")
    assert response.status_code == 200 and 'id="verify-result"' not in response.content.decode()
    response = client.post(reverse("finance:ledger_verify"))
    body = response.content.decode()
    assert 'id="verify-result"' in body and "intact: 4 entries checked" in body
    run = AuditEntry.objects.get(action="finance.ledger.verified")
    assert run.changes["ok"] is True and run.changes["entries"] == 4


def test_verify_page_names_the_tampered_entry(books: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            pytest.skip("the triggers refuse the update on PostgreSQL (test_ledger covers the command)")
        cursor.execute(
            "UPDATE finance_entryline SET amount = 999 WHERE entry_id = %s AND amount > 0", [books.a_spend.pk]
        )
    response = client_for(books.auditor).post(reverse("finance:ledger_verify"))
    assert f"broken at entry #{books.a_spend.seq}" in response.content.decode()
    assert AuditEntry.objects.get(action="finance.ledger.verified").changes["ok"] is False


def test_audit_pages_are_for_the_top(books: Any, make_user: Any, tree: Any) -> None:
    for name in ("finance:ledger_verify", "finance:entry_sample"):
        assert get(client_for(books.chair_a), name).status_code == 403
        assert get(client_for(make_user("auditor", tree.a)), name).status_code == 403
        assert get(client_for(make_user("member", tree.root)), name).status_code == 403
        assert get(client_for(make_user("union_chair", tree.root)), name).status_code == 200
    assert client_for(make_user("auditor", tree.a)).post(reverse("finance:ledger_verify")).status_code == 403
    assert not AuditEntry.objects.filter(action="finance.ledger.verified").exists()


def test_sampling_is_reproducible_by_seed(books: Any) -> None:
    client = client_for(books.auditor)
    first = get(client, "finance:entry_sample", "?size=2&seed=42")
    again = get(client, "finance:entry_sample", "?size=2&seed=42")
    picked = [sample["entry"].pk for sample in first.context["samples"]]
    assert len(picked) == 2 and picked == [sample["entry"].pk for sample in again.context["samples"]]
    assert "<strong>42</strong>" in first.content.decode()
    assert [e.pk for e in selectors.entry_sample(size=2, seed=42)] == picked
    everything = get(client, "finance:entry_sample", "?size=50")
    assert len(everything.context["samples"]) == 4 and everything.context["seed"] is not None
    assert get(client, "finance:entry_sample").context["samples"] == []


@pytest.mark.parametrize("query", ["?size=0", "?size=51", "?size=x", "?size=5&seed=-1"])
def test_sampling_refuses_bad_sizes(books: Any, query: str) -> None:
    response = get(client_for(books.auditor), "finance:entry_sample", query)
    assert response.status_code == 400 and response.context["samples"] == []


# -- reversing an entry from its page ------------------------------------------------------------------


@pytest.fixture
def allocation_entry(tree: Any, make_user: Any, chart: Any) -> Any:
    staff = make_user("union_staff", tree.root, name="校工会出纳")
    record = income.allocation_income_record(actor=staff, month=DAY.replace(day=1), payroll_total="100000")
    return staff, record.entry


def test_the_office_reverses_a_recorded_month_from_the_entry_page(allocation_entry: Any) -> None:
    staff, entry = allocation_entry
    client = client_for(staff)
    page = client.get(reverse("finance:entry_detail", args=[entry.pk]))
    assert reverse("finance:entry_reverse", args=[entry.pk]) in page.content.decode()
    refused = client.post(reverse("finance:entry_reverse", args=[entry.pk]), {"reason": "  "}, follow=True)
    assert "Say why the entry is reversed" in refused.content.decode()
    response = client.post(reverse("finance:entry_reverse", args=[entry.pk]), {"reason": "工资总额录错"})
    reversal = Entry.objects.get(reversal_of=entry)
    assert response.url == reverse("finance:entry_detail", args=[reversal.pk])
    assert reversal.memo == "工资总额录错" and reversal.posted_by == staff
    again = client.post(reverse("finance:entry_reverse", args=[entry.pk]), {"reason": "再来"}, follow=True)
    assert "cannot be reversed here" in again.content.decode()
    assert Entry.objects.filter(reversal_of=entry).count() == 1


def test_a_payment_is_not_reversed_from_its_entry_page(books: Any) -> None:
    client = client_for(books.staff)
    page = client.get(reverse("finance:entry_detail", args=[books.a_spend.pk]))
    assert reverse("finance:entry_reverse", args=[books.a_spend.pk]) not in page.content.decode()
    response = client.post(
        reverse("finance:entry_reverse", args=[books.a_spend.pk]), {"reason": "x"}, follow=True
    )
    assert "cannot be reversed here" in response.content.decode()
    assert not Entry.objects.filter(reversal_of=books.a_spend).exists()


def test_readers_see_no_reversal_form_and_cannot_post_one(allocation_entry: Any, books: Any) -> None:
    _staff, entry = allocation_entry
    client = client_for(books.auditor)
    page = client.get(reverse("finance:entry_detail", args=[entry.pk]))
    assert page.status_code == 200 and "entry-reverse" not in page.content.decode()
    assert client.post(reverse("finance:entry_reverse", args=[entry.pk]), {"reason": "x"}).status_code == 403
    assert not Entry.objects.filter(reversal_of=entry).exists()
