"""The books' pages: 拨缴经费 on the income page, the fiscal years with the close, opening balances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from smartunion.core.models import AuditEntry
from smartunion.finance import income, years
from smartunion.finance.models import Entry, FiscalYear, FundsAllocationIncome, YearBalance
from smartunion.finance.services import Line, entry_post

pytestmark = pytest.mark.django_db

D = Decimal
Y1, Y2 = 2024, 2025


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the tests quote the English messages
    return client


@pytest.fixture
def office(make_user: Any, tree: Any, chart: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


@pytest.fixture
def books(office: Any, tree: Any, chart: Any) -> Any:
    """Opening balances at A1 and B in Y1, income at A and B in Y1 and Y2."""
    years.opening_balance_record(actor=office, unit=tree.a1, year=Y1, amount="300.00")
    years.opening_balance_record(actor=office, unit=tree.b, year=Y1, amount="700.00")
    for n, (unit, day, amount) in enumerate(
        [
            (tree.a, dt.date(Y1, 3, 1), "100.00"),
            (tree.b, dt.date(Y1, 4, 1), "50.00"),
            (tree.a, dt.date(Y2, 2, 1), "10.00"),
        ]
    ):
        entry_post(
            actor=office,
            idempotency_key=f"books:{n}",
            unit=unit,
            posted_on=day,
            memo="会费",
            lines=[Line(account="funds", amount=amount), Line(category=chart["401"], amount=f"-{amount}")],
        )
    return tree


# -- the income page: 拨缴经费 ---------------------------------------------------------------------------


def test_income_page_empty_state_and_form_for_the_office(office: Any) -> None:
    body = client_for(office).get(reverse("finance:income_list")).content.decode()
    assert 'id="allocation-form"' in body and "No 拨缴经费 recorded yet" in body
    assert 'name="rate" value="2.00"' in body and 'name="retained_share" value="60.00"' in body
    assert 'id="allocation-preview"' in body


def test_record_a_month_from_the_page(office: Any) -> None:
    client = client_for(office)
    response = client.post(
        reverse("finance:allocation_income_record"),
        {"month": "2026-03", "payroll_total": "1000000", "rate": "2", "retained_share": "60"},
    )
    assert response.status_code == 302
    record = FundsAllocationIncome.objects.get()
    assert (record.retained, record.upward, record.rate) == (D("12000.00"), D("8000.00"), D("0.0200"))
    body = client.get(reverse("finance:income_list")).content.decode()
    assert 'data-allocation-month="2026-03"' in body and "12,000.00" in body and "8,000.00" in body
    assert f"#{record.entry.seq}" in body and "60.00 %" in body


def test_a_refused_record_shows_the_error_on_the_form(office: Any) -> None:
    client = client_for(office)
    data = {"month": "2026-03", "payroll_total": "1000000", "rate": "2", "retained_share": "60"}
    client.post(reverse("finance:allocation_income_record"), data)
    response = client.post(reverse("finance:allocation_income_record"), data)
    assert response.status_code == 400 and "already recorded" in response.content.decode()
    bad = client.post(reverse("finance:allocation_income_record"), {**data, "month": "2026-04", "rate": "0"})
    assert bad.status_code == 400 and 'class="field-error"' in bad.content.decode()
    assert FundsAllocationIncome.objects.count() == 1


def test_allocation_section_is_for_the_top_only(office: Any, make_user: Any, tree: Any) -> None:
    income.allocation_income_record(actor=office, month=dt.date(2026, 3, 1), payroll_total="1000")
    chair = client_for(make_user("subunion_chair", tree.a))
    body = chair.get(reverse("finance:income_list")).content.decode()
    assert 'id="allocation"' not in body and "Dues income" in body
    auditor = client_for(make_user("auditor", tree.root))
    body = auditor.get(reverse("finance:income_list")).content.decode()
    assert 'data-allocation-month="2026-03"' in body and 'id="allocation-form"' not in body
    assert auditor.post(reverse("finance:allocation_income_record"), {}).status_code == 403


def test_income_exports(office: Any) -> None:
    income.allocation_income_record(actor=office, month=dt.date(2026, 3, 1), payroll_total="1000")
    client = client_for(office)
    for which in ("allocation", "dues"):
        response = client.get(reverse("finance:income_list") + f"?export={which}")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEntry.objects.filter(action="core.list.exported").count() == 2


# -- fiscal years ------------------------------------------------------------------------------------------


def test_years_page_empty(office: Any) -> None:
    body = client_for(office).get(reverse("finance:year_list")).content.decode()
    assert 'id="fiscal-years"' in body and "No funds at your units in this year." in body


def test_years_page_shows_live_and_frozen_figures_scoped(
    books: Any, office: Any, make_user: Any, tree: Any
) -> None:
    years.year_close(actor=office, year=Y1)
    body = client_for(office).get(reverse("finance:year_list")).content.decode()
    assert f'href="{reverse("finance:year_close", args=[Y2])}"' in body
    assert f'href="{reverse("finance:year_close", args=[Y1])}"' not in body
    assert "Frozen at the close" in body and "Live from the books" in body
    assert f'data-unit="{tree.b.pk}"' in body and "750.00" in body
    chair = client_for(make_user("subunion_chair", tree.a))
    body = chair.get(reverse("finance:year_list")).content.decode()
    assert f'data-unit="{tree.a1.pk}"' in body and f'data-unit="{tree.b.pk}"' not in body
    assert "Close the year" not in body  # the close is the union office's


def test_years_page_queries_do_not_grow(
    books: Any, office: Any, django_assert_max_num_queries: Any, chart: Any, tree: Any
) -> None:
    client = client_for(office)
    client.get(reverse("finance:year_list"))  # warm the session and the permission caches
    # session, user, grants, fiscal years, posting years, the live sums, the frozen balances, the bell
    with django_assert_max_num_queries(10) as before:
        client.get(reverse("finance:year_list"))
    for n in range(20):
        entry_post(
            actor=office,
            idempotency_key=f"more:{n}",
            unit=[tree.a, tree.a1, tree.b, tree.b1][n % 4],
            posted_on=dt.date(2020 + n % 6, 5, 1),
            memo="更多",
            lines=[Line(account="funds", amount="1.00"), Line(category=chart["401"], amount="-1.00")],
        )
    years.year_close(actor=office, year=2020)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("finance:year_list"))


def test_close_page_shows_blockers_then_closes(books: Any, office: Any) -> None:
    client = client_for(office)
    url = reverse("finance:year_close", args=[Y2])
    body = client.get(url).content.decode()
    assert 'id="close-blockers"' in body and f"{Y1} has postings and is still open" in body
    assert client.post(url).status_code == 400
    assert not FiscalYear.objects.filter(closed_at__isnull=False).exists()
    url = reverse("finance:year_close", args=[Y1])
    body = client.get(url).content.decode()
    assert 'id="close-blockers"' not in body and "data-confirm" in body and "1,000.00" in body
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("finance:year_list")
    assert FiscalYear.objects.get(year=Y1).is_closed
    assert YearBalance.objects.filter(year=Y1).count() == 3  # A, A1, B


def test_close_page_of_a_nonsense_year_is_not_found(office: Any) -> None:
    assert client_for(office).get(reverse("finance:year_close", args=[99999])).status_code == 404


def test_close_is_for_posters_at_the_top(books: Any, make_user: Any, tree: Any) -> None:
    for user in (make_user("union_staff", tree.a), make_user("auditor", tree.root)):
        client = client_for(user)
        url = reverse("finance:year_close", args=[Y1])
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
    assert not FiscalYear.objects.exists()


# -- opening balances ------------------------------------------------------------------------------------


def test_opening_page_empty_and_records(office: Any, tree: Any) -> None:
    client = client_for(office)
    url = reverse("finance:opening_balance")
    body = client.get(url).content.decode()
    assert "No opening balances recorded" in body and 'id="opening-form"' in body
    response = client.post(url, {"unit": tree.b.pk, "year": Y2, "amount": "1234.50", "note": "旧账"})
    assert response.status_code == 302
    entry = Entry.objects.get(source_type="finance.opening")
    body = client.get(url).content.decode()
    assert f'data-unit="{tree.b.pk}"' in body and "1,234.50" in body and f"#{entry.seq}" in body
    again = client.post(url, {"unit": tree.b.pk, "year": Y2, "amount": "1", "note": ""})
    assert again.status_code == 400 and "already recorded" in again.content.decode()
    assert Entry.objects.count() == 1


def test_opening_page_read_only_and_scoped_for_a_subunion(books: Any, make_user: Any, tree: Any) -> None:
    chair = client_for(make_user("subunion_chair", tree.a))
    url = reverse("finance:opening_balance")
    body = chair.get(url).content.decode()
    assert 'id="opening-form"' not in body
    assert f'data-unit="{tree.a1.pk}"' in body and f'data-unit="{tree.b.pk}"' not in body
    assert chair.post(url, {"unit": tree.a.pk, "year": Y2, "amount": "1"}).status_code == 403
