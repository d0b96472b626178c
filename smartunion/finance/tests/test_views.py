"""The finance pages: budgets (with the chart and the export), spending requests from the form to payment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from smartunion.core.models import AuditEntry
from smartunion.finance.models import BudgetLine, SpendingRequest

from .conftest import YEAR
from .test_spending import PNG, file

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tree: Any, make_user: Any, budget: Any, settings: Any) -> Any:
    settings.FINANCE_SECOND_APPROVAL_ABOVE = "5000.00"

    class World:
        chair = make_user("subunion_chair", tree.a, name="分会主席")
        staff = make_user("union_staff", tree.root, name="校工会干事")
        union_chair = make_user("union_chair", tree.root, name="校工会主席")
        line = budget("50101", "10000.00", unit=tree.a)

    return World


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def this_year(monkeypatch: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(YEAR, 3, 2))


def test_budget_page_shows_execution_chart_and_export(setup):
    request = file(setup.chair, setup.line, "1200.00")
    from smartunion.finance import spending

    spending.spending_request_approve(actor=setup.staff, request=request)
    client = client_for(setup.staff)
    response = client.get(reverse("finance:budget_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="chart-execution"' in body and "文体活动" in body
    assert "1,200.00" in body or "1200.00" in body
    assert reverse("finance:budget_line_new") in body
    export = client.get(reverse("finance:budget_list") + "?export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    chair_page = client_for(setup.chair).get(reverse("finance:budget_list")).content.decode()
    assert reverse("finance:budget_line_new") not in chair_page


def test_budget_line_form_adds_a_line_and_the_table_links_to_its_page(setup, tree, chart):
    client = client_for(setup.staff)
    assert client.get(reverse("finance:budget_line_new")).status_code == 200
    response = client.post(
        reverse("finance:budget_line_new"),
        {"year": YEAR, "unit": tree.b.pk, "category": chart["50202"].pk, "amount": "2000"},
    )
    assert response.status_code == 302
    line = BudgetLine.objects.get(unit=tree.b, category=chart["50202"])
    assert line.amount == Decimal("2000.00")
    # An existing line's amount changes only through an adjustment (see test_views_budgets).
    body = client.get(reverse("finance:budget_list")).content.decode()
    assert reverse("finance:budget_line_detail", args=[line.pk]) in body
    assert reverse("finance:adjustment_new", args=[line.pk]) in body


def test_a_chair_files_with_an_invoice_and_the_office_approves_and_pays(setup):
    chair = client_for(setup.chair)
    assert chair.get(reverse("finance:request_new")).status_code == 200
    response = chair.post(
        reverse("finance:request_new"),
        {
            "budget_line": setup.line.pk,
            "title": "羽毛球赛",
            "amount": "800.00",
            "payee": "体育馆",
            "purpose": "场地费",
            "attachments": [SimpleUploadedFile("发票.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    request = SpendingRequest.objects.get()
    detail = chair.get(reverse("finance:request_detail", args=[request.pk])).content.decode()
    assert "发票.png" in detail and "approve-button" not in detail
    attachment = chair.get(reverse("finance:attachment", args=[request.attachments.get().pk]))
    assert attachment.content == PNG and attachment["Content-Type"] == "image/png"
    staff = client_for(setup.staff)
    assert (
        "approve-button" in staff.get(reverse("finance:request_detail", args=[request.pk])).content.decode()
    )
    assert staff.post(reverse("finance:request_approve", args=[request.pk])).status_code == 302
    assert staff.post(reverse("finance:request_pay", args=[request.pk])).status_code == 302
    assert staff.post(reverse("finance:request_pay", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.PAID
    assert AuditEntry.objects.filter(action="finance.spending.paid").count() == 1
    listing = staff.get(reverse("finance:request_list") + "?status=paid").content.decode()
    assert "羽毛球赛" in listing


def test_the_form_refuses_a_renamed_file_and_keeps_nothing(setup):
    response = client_for(setup.chair).post(
        reverse("finance:request_new"),
        {
            "budget_line": setup.line.pk,
            "title": "羽毛球赛",
            "amount": "800.00",
            "payee": "体育馆",
            "purpose": "场地费",
            "attachments": [SimpleUploadedFile("发票.pdf", b"MZ\x90", content_type="application/pdf")],
        },
    )
    assert response.status_code == 200
    assert "发票.pdf" in response.content.decode()
    assert not SpendingRequest.objects.exists()


def test_reject_without_a_reason_shows_the_error(setup):
    request = file(setup.chair, setup.line)
    staff = client_for(setup.staff)
    response = staff.post(reverse("finance:request_reject", args=[request.pk]), {"reason": ""})
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.SUBMITTED
    assert (
        staff.post(reverse("finance:request_reject", args=[request.pk]), {"reason": "缺发票"}).status_code
        == 302
    )


def test_self_approval_is_refused_on_the_page(setup):
    request = file(setup.staff, setup.line)
    response = client_for(setup.staff).post(reverse("finance:request_approve", args=[request.pk]))
    assert response.status_code == 200
    assert "someone else" in response.content.decode() or "其他人" in response.content.decode()


def test_two_approvers_above_the_threshold_on_the_page(setup):
    request = file(setup.chair, setup.line, "6000.00")
    staff = client_for(setup.staff)
    assert staff.post(reverse("finance:request_approve", args=[request.pk])).status_code == 302
    assert (
        "approve-button"
        not in staff.get(reverse("finance:request_detail", args=[request.pk])).content.decode()
    )
    chair = client_for(setup.union_chair)
    assert chair.post(reverse("finance:request_approve", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.APPROVED


def test_the_requester_cancels_on_the_page(setup):
    request = file(setup.chair, setup.line)
    chair = client_for(setup.chair)
    assert chair.post(reverse("finance:request_cancel", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.CANCELLED
    assert chair.get(reverse("finance:request_list") + "?status=cancelled").status_code == 200


def test_the_nav_shows_the_finance_group(setup):
    body = client_for(setup.chair).get(reverse("finance:request_list")).content.decode()
    assert reverse("finance:budget_list") in body and reverse("finance:request_list") in body
