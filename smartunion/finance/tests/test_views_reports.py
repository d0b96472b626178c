"""The report pages: budget execution (by unit, category, month) and the year summary render in scope, with
their chart data, an empty state, and Excel downloads of the same figures."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from smartunion.core.models import AuditEntry
from smartunion.finance import services

from .conftest import YEAR, spend
from .test_ledger_views import client_for
from .test_reports import books  # noqa: F401  (the fixture: a small ledger)

pytestmark = pytest.mark.django_db

EXECUTION = reverse("finance:execution_report")
YEAR_REPORT = reverse("finance:year_report")


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [tuple(cell for cell in row) for row in workbook.active.iter_rows(values_only=True)]


def chart_data(body: str, element: str) -> dict[str, Any]:
    start = body.index(f'id="{element}"')
    start = body.index(">", start) + 1
    return json.loads(body[start : body.index("</script>", start)])


def test_execution_by_unit_page(books: Any) -> None:  # noqa: F811
    response = client_for(books.auditor).get(f"{EXECUTION}?year={YEAR}")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="chart-report"' in body and 'data-dimension="unit"' in body
    assert "机械工程学院" in body and "外国语学院" in body and "第一工会小组" in body
    assert "11,000.00" in body and "900.00" in body and "8.2%" in body
    data = chart_data(body, "data-report")
    assert data["labels"] == ["机械工程学院", "第一工会小组", "外国语学院"]
    assert data["spent"] == [800.0, 100.0, 0.0] and data["committed"] == [400.0, 0.0, 0.0]


def test_execution_is_scoped(books: Any) -> None:  # noqa: F811
    body = client_for(books.chair_a).get(f"{EXECUTION}?year={YEAR}").content.decode()
    assert "机械工程学院" in body and "外国语学院" not in body and "9,000.00" in body


def test_execution_by_category_and_by_month_pages(books: Any, chart: Any) -> None:  # noqa: F811
    client = client_for(books.auditor)
    body = client.get(f"{EXECUTION}?year={YEAR}&dimension=category").content.decode()
    assert "职工活动支出" in body and "文体活动" in body and 'data-key="' in body
    assert chart_data(body, "data-report")["labels"] == ["职工活动支出", "维权支出"]
    body = client.get(
        f"{EXECUTION}?year={YEAR}&dimension=category&category={chart['501'].pk}"
    ).content.decode()
    assert chart_data(body, "data-report")["labels"] == ["文体活动", "疗休养"]  # one category: its children
    response = client.get(f"{EXECUTION}?year={YEAR}&dimension=month")
    body = response.content.decode()
    assert 'data-dimension="month"' in body and body.count("data-month=") == 12
    data = chart_data(body, "data-report")
    assert data["spent"][4] == 700.0 and data["cumulative"][5] == 800.0 and data["budget"] == 11000.0


def test_execution_export(books: Any) -> None:  # noqa: F811
    client = client_for(books.auditor)
    rows = sheet_rows(client.get(f"{EXECUTION}?year={YEAR}&export=xlsx"))
    assert str(YEAR) in rows[0][0]
    header = rows.index(("Unit", "Budget", "Committed", "Spent", "Remaining", "Execution rate (%)"))
    data = rows[header + 1 :]
    assert data[0] == ("机械工程学院", 8000, 400, 800, 6800, 10)
    assert data[1][0] == "\u3000第一工会小组"  # indented below its 分工会
    assert data[-1] == ("Total", 11000, 400, 900, 9700, pytest.approx(8.2))
    assert AuditEntry.objects.filter(action="core.list.exported").exists()

    rows = sheet_rows(client.get(f"{EXECUTION}?year={YEAR}&dimension=month&export=xlsx"))
    header = next(i for i, row in enumerate(rows) if row[0] == "Month")
    months = rows[header + 1 :]
    assert len(months) == 12 and months[4][1] == 700 and months[-1][2] == 900

    rows = sheet_rows(client.get(f"{EXECUTION}?year={YEAR}&dimension=category&export=xlsx"))
    assert ("501 职工活动支出", 10000, 400, 800, 8800, 8) in rows


def test_year_report_page_and_export(books: Any) -> None:  # noqa: F811
    client = client_for(books.auditor)
    response = client.get(f"{YEAR_REPORT}?year={YEAR}")
    body = response.content.decode()
    assert response.status_code == 200
    for text in (
        "会费收入",
        "拨缴经费收入",
        "职工活动支出",
        "+275.0%",
        "9,800.00",
        "11,900.00",
        "data-print",
    ):
        assert text in body, text
    assert "上年结余" not in body.split('id="expense-table"')[0].split('id="income-table"')[1]
    assert chart_data(body, "data-year")["labels"][:2] == ["职工活动支出", "维权支出"]

    rows = sheet_rows(client.get(f"{YEAR_REPORT}?year={YEAR}&export=xlsx"))
    by_label = {row[0]: row for row in rows if row and row[0]}
    assert by_label["\u3000会费收入"][2:6] == (1000, None, 800, 25)
    assert by_label["Total income"][2] == 3000 and by_label["Total income"][4] == 800
    assert by_label["\u3000职工活动支出"][1:4] == (10000, 800, 8)
    assert by_label["\u3000Balance at the end of the year"][2] == 11900
    assert by_label["\u3000Balance at the start of the year"][2] == 9800


def test_year_report_is_scoped(books: Any) -> None:  # noqa: F811
    body = client_for(books.chair_a).get(f"{YEAR_REPORT}?year={YEAR}").content.decode()
    assert "拨缴经费收入" in body  # the chart's rows are shown, at zero for A
    assert 'data-total="income">0.00<' in body and 'data-total="expense">900.00<' in body


def test_empty_states(tree: Any, make_user: Any) -> None:
    client = client_for(make_user("auditor", tree.root))
    body = client.get(EXECUTION).content.decode()
    assert "No budget or spending for this year" in body and 'id="chart-report"' not in body
    body = client.get(YEAR_REPORT).content.decode()
    assert "No income or expense in this year" in body and 'id="chart-year"' not in body
    assert client.get(f"{EXECUTION}?year=abc&dimension=nonsense").status_code == 200
    rows = sheet_rows(client.get(f"{EXECUTION}?export=xlsx"))
    assert rows[-1][0] == "Total"


def test_execution_page_queries_do_not_grow(books: Any, tree: Any, chart: Any) -> None:  # noqa: F811
    client = client_for(books.auditor)
    client.get(EXECUTION)
    with CaptureQueriesContext(connection) as few:
        client.get(f"{EXECUTION}?year={YEAR}")
    for n in range(5):
        services.entry_post(
            actor=None,
            idempotency_key=f"more-{n}",
            unit=tree.a,
            posted_on=dt.date(YEAR, 7, 1),
            memo="x",
            lines=spend(chart["50101"], "1.00"),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(f"{EXECUTION}?year={YEAR}")
    assert len(many) == len(few)
