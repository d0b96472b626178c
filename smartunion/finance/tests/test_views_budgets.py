"""The budget pages: a line's page (execution, adjustments, spending, allocations), the adjustment form and
list with approve/reject/withdraw, and the allocation pages from the form through the preview to the
applied allocation and its export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.finance import adjustments, allocation, spending
from smartunion.finance.models import BudgetAdjustment, BudgetAllocation, BudgetLine

from .conftest import YEAR
from .test_allocation import member
from .test_spending import file

pytestmark = pytest.mark.django_db

D = Decimal
Status = BudgetAdjustment.Status


@pytest.fixture(autouse=True)
def this_year(monkeypatch: Any) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(YEAR, 3, 2))


@pytest.fixture
def setup(tree: Any, make_user: Any, budget: Any) -> Any:
    class World:
        staff = make_user("union_staff", tree.a, name="分会干事")
        approver = make_user("union_chair", tree.a, name="审批人")
        chair = make_user("subunion_chair", tree.a, name="分会主席")
        auditor = make_user("auditor", tree.root, name="经审委员")
        school = make_user("union_staff", tree.root, name="校工会干事")
        line = budget("50101", "10000.00", unit=tree.a)

    return World


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the tests quote the English messages
    return client


def ask(setup: Any, amount: str = "12000.00") -> BudgetAdjustment:
    return adjustments.adjustment_request(
        actor=setup.staff, line=setup.line, amount_after=amount, reason="增加活动"
    )


# -- the line's page -------------------------------------------------------------------------------------


def test_line_page_shows_execution_history_spending_and_allocations(setup, tree, chart, make_person):
    request = file(setup.chair, setup.line, "1200.00")
    spending.spending_request_approve(actor=setup.approver, request=request)
    adjustment = ask(setup)
    adjustments.adjustment_approve(actor=setup.approver, adjustment=adjustment, note="同意")
    member(make_person, tree.a)
    allocation.allocation_apply(
        actor=setup.school,
        year=YEAR,
        category=chart["50101"],
        counted_on=dt.date(YEAR, 3, 1),
        per_member="100",
        fixed_amount="15000",
        units=[tree.a],
    )
    url = reverse("finance:budget_line_detail", args=[setup.line.pk])
    body = client_for(setup.staff).get(url).content.decode()
    assert "15,100.00" in body or "15100.00" in body  # the budget the allocation set
    assert "1,200.00" in body or "1200.00" in body  # committed
    assert "增加活动" in body and "同意" in body and "审批人" in body  # the adjustment history
    assert "教职工羽毛球赛" in body  # the line's spending request
    assert 'id="allocations"' in body and ("12,000.00" in body or "12000.00" in body)
    assert reverse("finance:adjustment_new", args=[setup.line.pk]) in body
    chair_page = client_for(setup.chair).get(url).content.decode()
    assert reverse("finance:adjustment_new", args=[setup.line.pk]) not in chair_page
    auditor_page = client_for(setup.auditor).get(url).content.decode()
    assert reverse("finance:allocation_detail", args=[BudgetAllocation.objects.get().pk]) in auditor_page


def test_line_page_empty_states(setup):
    body = (
        client_for(setup.staff)
        .get(reverse("finance:budget_line_detail", args=[setup.line.pk]))
        .content.decode()
    )
    assert "No adjustments of this line" in body
    assert "No spending requests against this line" in body
    assert "No allocation has set this line" in body


def test_pending_adjustment_on_the_line_page_with_its_buttons(setup):
    adjustment = ask(setup)
    url = reverse("finance:budget_line_detail", args=[setup.line.pk])
    staff_page = client_for(setup.staff).get(url).content.decode()
    assert 'id="pending-adjustment"' in staff_page
    assert 'id="adjust-button"' not in staff_page  # one pending at a time
    assert reverse("finance:adjustment_cancel", args=[adjustment.pk]) in staff_page
    assert reverse("finance:adjustment_approve", args=[adjustment.pk]) not in staff_page  # never their own
    approver_page = client_for(setup.approver).get(url).content.decode()
    assert reverse("finance:adjustment_approve", args=[adjustment.pk]) in approver_page
    assert reverse("finance:adjustment_reject", args=[adjustment.pk]) in approver_page
    assert "data-confirm" in approver_page


# -- the adjustment form ---------------------------------------------------------------------------------


def test_adjustment_form_files_a_request(setup):
    client = client_for(setup.staff)
    url = reverse("finance:adjustment_new", args=[setup.line.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="amount_after"' in page.content.decode()
    response = client.post(url, {"amount_after": "13000", "reason": "新增比赛"})
    assert response.status_code == 302
    assert response["Location"] == reverse("finance:budget_line_detail", args=[setup.line.pk])
    adjustment = BudgetAdjustment.objects.get()
    assert (adjustment.amount_before, adjustment.amount_after, adjustment.status) == (
        D("10000.00"),
        D("13000.00"),
        Status.PENDING,
    )
    setup.line.refresh_from_db()
    assert setup.line.amount == D("10000.00")
    again = client.get(url).content.decode()
    assert 'id="pending-adjustment"' in again and 'name="amount_after"' not in again


def test_adjustment_form_shows_refusals(setup):
    spending.spending_request_approve(actor=setup.approver, request=file(setup.chair, setup.line, "3000.00"))
    client = client_for(setup.staff)
    url = reverse("finance:adjustment_new", args=[setup.line.pk])
    for data, text in (
        ({"amount_after": "100", "reason": "减少"}, "3000.00"),
        ({"amount_after": "12000", "reason": ""}, "required"),
        ({"amount_after": "10000", "reason": "不变"}, "already"),
    ):
        response = client.post(url, data)
        assert response.status_code == 400 and text in response.content.decode()
    assert not BudgetAdjustment.objects.exists()


# -- the adjustment list and decisions ------------------------------------------------------------------


def test_adjustment_list_tabs_and_empty_state(setup):
    client = client_for(setup.auditor)
    empty = client.get(reverse("finance:adjustment_list")).content.decode()
    assert "No budget adjustments here" in empty
    ask(setup)
    pending = client.get(reverse("finance:adjustment_list")).content.decode()
    assert "增加活动" in pending and "机械工程学院" in pending
    assert "adjustment_approve" not in pending and "/approve/" not in pending  # auditors change nothing
    assert (
        "增加活动" not in client.get(reverse("finance:adjustment_list") + "?status=approved").content.decode()
    )
    assert "增加活动" in client.get(reverse("finance:adjustment_list") + "?status=all").content.decode()
    export = client.get(reverse("finance:adjustment_list") + "?status=all&export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_approve_from_the_list(setup):
    adjustment = ask(setup)
    client = client_for(setup.approver)
    listing = client.get(reverse("finance:adjustment_list")).content.decode()
    assert reverse("finance:adjustment_approve", args=[adjustment.pk]) in listing
    assert "data-confirm" in listing
    response = client.post(
        reverse("finance:adjustment_approve", args=[adjustment.pk]),
        {"next": reverse("finance:adjustment_list") + "?status=all"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?status=all")
    setup.line.refresh_from_db()
    adjustment.refresh_from_db()
    assert setup.line.amount == D("12000.00") and adjustment.status == Status.APPROVED


def test_self_approval_is_refused_with_a_message(setup):
    adjustment = adjustments.adjustment_request(
        actor=setup.school, line=setup.line, amount_after="11000", reason="追加"
    )
    client = client_for(setup.school)
    response = client.post(reverse("finance:adjustment_approve", args=[adjustment.pk]), follow=True)
    assert "someone else must approve" in response.content.decode()
    adjustment.refresh_from_db()
    assert adjustment.status == Status.PENDING


def test_reject_needs_a_note(setup):
    adjustment = ask(setup)
    client = client_for(setup.approver)
    url = reverse("finance:adjustment_reject", args=[adjustment.pk])
    refused = client.post(url, {"note": ""}, follow=True)
    assert "Say why the adjustment is rejected" in refused.content.decode()
    adjustment.refresh_from_db()
    assert adjustment.status == Status.PENDING
    assert client.post(url, {"note": "理由不足"}).status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == Status.REJECTED and adjustment.decision_note == "理由不足"


def test_withdraw_by_the_requester_only(setup):
    adjustment = ask(setup)
    url = reverse("finance:adjustment_cancel", args=[adjustment.pk])
    other = client_for(setup.school).post(url, follow=True)
    assert "Only the requester" in other.content.decode()
    adjustment.refresh_from_db()
    assert adjustment.status == Status.PENDING
    assert client_for(setup.staff).post(url).status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == Status.CANCELLED


def test_an_unsafe_next_is_ignored(setup):
    adjustment = ask(setup)
    response = client_for(setup.approver).post(
        reverse("finance:adjustment_approve", args=[adjustment.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("finance:adjustment_list")


# -- allocations -----------------------------------------------------------------------------------------


def allocation_data(chart: Any, tree: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "year": YEAR,
        "category": chart["50101"].pk,
        "counted_on": f"{YEAR}-03-01",
        "per_member": "100",
        "fixed_amount": "500",
        "units": [tree.a.pk, tree.b.pk],
        "note": "年初分配",
    }
    data.update(changes)
    return data


def test_allocation_list_empty_and_only_at_the_top(setup):
    client = client_for(setup.school)
    body = client.get(reverse("finance:allocation_list")).content.decode()
    assert "No allocations yet" in body and reverse("finance:allocation_new") in body
    auditor = client_for(setup.auditor).get(reverse("finance:allocation_list")).content.decode()
    assert reverse("finance:allocation_new") not in auditor
    assert client_for(setup.auditor).get(reverse("finance:allocation_new")).status_code == 403
    assert client_for(setup.staff).get(reverse("finance:allocation_list")).status_code == 403


def test_allocation_form_preview_then_apply(setup, tree, chart, make_person):
    member(make_person, tree.a)
    member(make_person, tree.a1)
    member(make_person, tree.b)
    client = client_for(setup.school)
    form = client.get(reverse("finance:allocation_new")).content.decode()
    assert 'name="units"' in form and "机械工程学院" in form and "外国语学院" in form
    assert form.count("checked") >= 2  # every sub-union by default
    preview = client.post(
        reverse("finance:allocation_new"), {**allocation_data(chart, tree), "action": "preview"}
    )
    body = preview.content.decode()
    assert preview.status_code == 200 and 'id="allocation-preview"' in body
    assert "700.00" in body and "600.00" in body  # A: 2 × 100 + 500; B: 1 × 100 + 500
    assert 'id="preview-total"' in body and "1,300.00" in body
    assert 'id="apply-button"' in body and "data-confirm" in body
    assert not BudgetAllocation.objects.exists()
    fingerprint = preview.context["preview"].fingerprint
    assert f'value="{fingerprint}"' in body
    # The figures changed since the preview (a new member at B): confirming is refused, nothing written.
    member(make_person, tree.b)
    stale = client.post(
        reverse("finance:allocation_new"),
        {**allocation_data(chart, tree), "action": "apply", "fingerprint": fingerprint},
    )
    assert stale.status_code == 400 and "changed since the preview" in stale.content.decode()
    assert not BudgetAllocation.objects.exists()
    fingerprint = (
        client.post(reverse("finance:allocation_new"), {**allocation_data(chart, tree), "action": "preview"})
        .context["preview"]
        .fingerprint
    )
    # Apply recomputes: a posted total is ignored.
    applied = client.post(
        reverse("finance:allocation_new"),
        {**allocation_data(chart, tree), "action": "apply", "total": "999999", "fingerprint": fingerprint},
    )
    assert applied.status_code == 302
    item = BudgetAllocation.objects.get()
    assert applied["Location"] == reverse("finance:allocation_detail", args=[item.pk])
    assert item.total == D("1400.00") and item.note == "年初分配"  # B now has two members
    setup.line.refresh_from_db()
    assert setup.line.amount == D("700.00")
    assert BudgetLine.objects.get(unit=tree.b, category=chart["50101"]).amount == D("700.00")
    detail = client.get(applied["Location"]).content.decode()
    assert "机械工程学院" in detail and "10,000.00" in detail and "700.00" in detail
    export = client.get(applied["Location"] + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "外国语学院" in values
    listing = client.get(reverse("finance:allocation_list")).content.decode()
    assert "1,400.00" in listing


def test_allocation_form_errors_and_refused_apply(setup, tree, chart):
    spending.spending_request_approve(actor=setup.approver, request=file(setup.chair, setup.line, "3000.00"))
    client = client_for(setup.school)
    bad = client.post(
        reverse("finance:allocation_new"),
        {**allocation_data(chart, tree, per_member="-5", units=[]), "action": "preview"},
    )
    assert bad.status_code == 400 and 'id="allocation-preview"' not in bad.content.decode()
    future = client.post(
        reverse("finance:allocation_new"),
        {**allocation_data(chart, tree, counted_on=f"{YEAR}-12-31"), "action": "preview"},
    )
    assert future.status_code == 400 and "today or a past date" in future.content.decode()
    # A's line has 3000 committed: the new 500 is refused, the preview says why and offers no apply.
    preview = client.post(
        reverse("finance:allocation_new"), {**allocation_data(chart, tree), "action": "preview"}
    )
    body = preview.content.decode()
    assert "3000.00" in body and 'id="apply-button"' not in body
    refused = client.post(
        reverse("finance:allocation_new"), {**allocation_data(chart, tree), "action": "apply"}
    )
    assert refused.status_code == 400 and "3000.00" in refused.content.decode()
    assert not BudgetAllocation.objects.exists()
    assert not BudgetLine.objects.filter(unit=tree.b).exists()


def test_allocation_preview_page_queries_are_bounded(setup, tree, chart, django_assert_max_num_queries):
    client = client_for(setup.school)
    client.get(reverse("finance:allocation_new"))
    with django_assert_max_num_queries(20):
        client.post(reverse("finance:allocation_new"), {**allocation_data(chart, tree), "action": "preview"})


@pytest.mark.parametrize("action", ["adjustment_approve", "adjustment_reject"])
def test_a_decision_note_too_long_is_refused_with_a_message(setup, action):
    adjustment = ask(setup)
    client = client_for(setup.approver)
    response = client.post(
        reverse(f"finance:{action}", args=[adjustment.pk]), {"note": "长" * 1001}, follow=True
    )
    assert "1000" in response.content.decode()  # the form's own message names the limit
    adjustment.refresh_from_db()
    setup.line.refresh_from_db()
    assert adjustment.status == Status.PENDING and setup.line.amount == D("10000.00")
