"""Budget lines and spending requests: the rules of filing, approving, paying and cancelling."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.finance import selectors, spending
from smartunion.finance.models import Category, Entry, FiscalYear, SpendingRequest
from smartunion.finance.spending import Upload
from smartunion.notifications.models import Notification

from .conftest import YEAR

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture
def people(tree: Any, make_user: Any) -> Any:
    class People:
        chair = make_user("subunion_chair", tree.a, name="分会主席")
        other_chair = make_user("subunion_chair", tree.b, name="外院主席")
        staff = make_user("union_staff", tree.root, name="校工会干事")
        staff2 = make_user("union_staff", tree.root, name="另一干事")
        union_chair = make_user("union_chair", tree.root, name="校工会主席")

    return People


@pytest.fixture
def line(budget: Any, tree: Any) -> Any:
    return budget("50101", "10000.00", unit=tree.a)


def file(
    actor: Any, line: Any, amount: str = "1200.00", uploads: list[Upload] | None = None
) -> SpendingRequest:
    return spending.spending_request_submit(
        actor=actor,
        budget_line=line,
        title="教职工羽毛球赛",
        purpose="场地与奖品",
        amount=amount,
        payee="体育馆",
        attachments=uploads if uploads is not None else [Upload("invoice.png", PNG)],
    )


def test_a_chair_files_a_request_for_their_unit(people, line):
    request = file(people.chair, line)
    assert request.status == SpendingRequest.Status.SUBMITTED
    assert request.unit == line.unit and request.requester == people.chair
    attachment = request.attachments.get()
    assert (attachment.content_type, attachment.size) == ("image/png", len(PNG))
    assert AuditEntry.objects.filter(action="finance.spending.submitted", target_id=str(request.pk)).exists()


def test_another_units_officer_cannot_file_against_the_line(people, line):
    with pytest.raises(PermissionDenied):
        file(people.other_chair, line)
    assert not SpendingRequest.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "1.234"])
def test_bad_amounts_are_refused(people, line, amount):
    with pytest.raises(ValidationError) as error:
        file(people.chair, line, amount=amount)
    assert "amount" in error.value.message_dict


def test_an_invoice_is_required(people, line):
    with pytest.raises(ValidationError) as error:
        file(people.chair, line, uploads=[])
    assert "attachments" in error.value.message_dict


@pytest.mark.parametrize(
    "upload",
    [
        Upload("invoice.exe", b"MZ\x90\x00"),
        Upload("invoice.png", PDF),  # renamed: content does not match
        Upload("invoice.pdf", b"<html>not a pdf</html>"),
        Upload("invoice.jpg", b""),
        Upload("scan.gif", b"GIF89a"),
        Upload("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
    ],
)
def test_bad_uploads_are_refused(people, line, upload):
    with pytest.raises(ValidationError) as error:
        file(people.chair, line, uploads=[upload])
    assert upload.name in " ".join(error.value.message_dict["attachments"])
    assert not SpendingRequest.objects.exists()


def test_jpeg_and_pdf_are_accepted():
    assert spending.check_attachment("a.JPG", JPEG) == "image/jpeg"
    assert spending.check_attachment("a.pdf", PDF) == "application/pdf"


def test_the_requester_can_never_approve_their_own_request(people, line):
    request = file(people.staff, line)  # union staff may file too
    with pytest.raises(ValidationError, match="someone else"):
        spending.spending_request_approve(actor=people.staff, request=request)
    request.refresh_from_db()
    assert request.status == SpendingRequest.Status.SUBMITTED


def test_a_sub_union_chair_cannot_approve(people, line):
    request = file(people.chair, line)
    with pytest.raises(PermissionDenied):
        spending.spending_request_approve(actor=people.other_chair, request=request)


def test_approval_commits_the_amount(people, line):
    request = file(people.chair, line, amount="1200.00")
    approval = spending.spending_request_approve(actor=people.staff, request=request)
    assert approval.final and approval.warning == ""
    assert approval.request.status == SpendingRequest.Status.APPROVED
    assert selectors.committed(budget_line_id=line.pk) == Decimal("1200.00")
    (row,) = selectors.budget_rows_for_user(user=people.staff, year=YEAR)
    assert (row.budget, row.committed, row.spent, row.remaining) == (
        Decimal("10000.00"),
        Decimal("1200.00"),
        Decimal("0.00"),
        Decimal("8800.00"),
    )


def test_above_the_threshold_a_second_different_approver_is_needed(people, line, settings):
    settings.FINANCE_SECOND_APPROVAL_ABOVE = "5000.00"
    request = file(people.chair, line, amount="6000.00")
    first = spending.spending_request_approve(actor=people.staff, request=request)
    assert not first.final and first.request.status == SpendingRequest.Status.SUBMITTED
    assert selectors.committed(budget_line_id=line.pk) == 0
    with pytest.raises(ValidationError, match="second approver"):
        spending.spending_request_approve(actor=people.staff, request=request)
    second = spending.spending_request_approve(actor=people.union_chair, request=request)
    assert second.final and second.request.status == SpendingRequest.Status.APPROVED
    assert (second.request.first_approved_by, second.request.approved_by) == (
        people.staff,
        people.union_chair,
    )


def test_at_the_threshold_one_approval_is_enough(people, line, settings):
    settings.FINANCE_SECOND_APPROVAL_ABOVE = "5000.00"
    request = file(people.chair, line, amount="5000.00")
    assert spending.spending_request_approve(actor=people.staff, request=request).final


def test_a_stop_category_refuses_approval_beyond_the_budget(people, budget, tree):
    small = budget("50102", "1000.00", unit=tree.a)
    assert small.category.overspend == Category.Overspend.STOP
    spending.spending_request_approve(actor=people.staff, request=file(people.chair, small, amount="800.00"))
    over = file(people.chair, small, amount="300.00")
    with pytest.raises(ValidationError, match="Over budget"):
        spending.spending_request_approve(actor=people.staff, request=over)
    over.refresh_from_db()
    assert over.status == SpendingRequest.Status.SUBMITTED
    assert selectors.committed(budget_line_id=small.pk) == Decimal("800.00")


def test_a_warn_category_approves_with_a_warning(people, budget, tree, chart):
    Category.objects.filter(pk=chart["50103"].pk).update(overspend=Category.Overspend.WARN)
    small = budget("50103", "100.00", unit=tree.a)
    approval = spending.spending_request_approve(
        actor=people.staff, request=file(people.chair, small, "300.00")
    )
    assert approval.final and "Over budget" in approval.warning
    assert approval.request.approval_warning == approval.warning


def test_reject_needs_a_reason(people, line):
    request = file(people.chair, line)
    with pytest.raises(ValidationError) as error:
        spending.spending_request_reject(actor=people.staff, request=request, reason="  ")
    assert "reason" in error.value.message_dict
    rejected = spending.spending_request_reject(actor=people.staff, request=request, reason="发票抬头不符")
    assert (rejected.status, rejected.reject_reason) == (SpendingRequest.Status.REJECTED, "发票抬头不符")
    with pytest.raises(ValidationError):
        spending.spending_request_approve(actor=people.staff, request=request)


def test_pay_posts_once_and_releases_the_commitment(people, line):
    request = file(people.chair, line, amount="1200.00")
    with pytest.raises(ValidationError):  # not approved yet
        spending.spending_request_pay(actor=people.staff, request=request)
    spending.spending_request_approve(actor=people.union_chair, request=request)
    with pytest.raises(PermissionDenied):  # the chair approves but does not post to the books
        spending.spending_request_pay(actor=people.union_chair, request=request)
    paid = spending.spending_request_pay(actor=people.staff, request=request)
    again = spending.spending_request_pay(actor=people.staff, request=request)
    assert paid.status == again.status == SpendingRequest.Status.PAID
    entry = Entry.objects.get()
    assert (entry.idempotency_key, entry.source_type, entry.source_id) == (
        f"finance.spending:{request.pk}",
        "finance.spending",
        str(request.pk),
    )
    assert paid.entry == entry
    (row,) = selectors.budget_rows_for_user(user=people.staff, year=YEAR)
    assert (row.committed, row.spent, row.remaining) == (
        Decimal("0.00"),
        Decimal("1200.00"),
        Decimal("8800.00"),
    )
    assert AuditEntry.objects.filter(action="finance.spending.paid").count() == 1


def test_only_the_requester_cancels_and_only_before_approval(people, line):
    request = file(people.chair, line)
    with pytest.raises(ValidationError, match="requester"):
        spending.spending_request_cancel(actor=people.staff, request=request)
    cancelled = spending.spending_request_cancel(actor=people.chair, request=request)
    assert cancelled.status == SpendingRequest.Status.CANCELLED
    approved = file(people.chair, line)
    spending.spending_request_approve(actor=people.staff, request=approved)
    with pytest.raises(ValidationError, match="not possible"):
        spending.spending_request_cancel(actor=people.chair, request=approved)


def test_budget_lines_are_added_with_an_audit(people, tree, chart):
    created = spending.budget_line_save(
        actor=people.staff, year=YEAR, unit=tree.a, category=chart["50201"], amount="3000"
    )
    assert created.amount == Decimal("3000.00")
    assert AuditEntry.objects.get(action="finance.budget.created").changes["amount"] == [None, "3000.00"]
    with pytest.raises(ValidationError) as duplicate:
        spending.budget_line_save(
            actor=people.staff, year=YEAR, unit=tree.a, category=chart["50201"], amount="1"
        )
    assert "category" in duplicate.value.message_dict
    with pytest.raises(ValidationError) as income:
        spending.budget_line_save(
            actor=people.staff, year=YEAR, unit=tree.a, category=chart["401"], amount="1"
        )
    assert "category" in income.value.message_dict
    # An existing line's amount changes only through an approved adjustment (test_adjustments).
    with pytest.raises(TypeError):
        spending.budget_line_save(  # type: ignore[call-arg]
            actor=people.staff, line=created, year=YEAR, unit=tree.a, category=chart["50201"], amount="4000"
        )


def test_a_sub_union_chair_cannot_set_budgets(people, tree, chart):
    with pytest.raises(PermissionDenied):
        spending.budget_line_save(
            actor=people.chair, year=YEAR, unit=tree.a, category=chart["50101"], amount="1"
        )


def test_budget_rows_are_scoped_and_take_a_few_queries(people, budget, tree, django_assert_max_num_queries):
    budget("50101", "100.00", unit=tree.a)
    budget("502", "100.00", unit=tree.a)
    budget("50101", "100.00", unit=tree.b)
    with django_assert_max_num_queries(6):
        rows = selectors.budget_rows_for_user(user=people.chair, year=YEAR)
    assert {row.unit for row in rows} == {tree.a}
    assert len(selectors.budget_rows_for_user(user=people.staff, year=YEAR)) == 3


def _notifications(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).select_related("recipient"))


def _told(kind: str) -> set[Any]:
    return {notification.recipient for notification in _notifications(kind)}


def test_each_step_tells_whom_the_request_now_waits_for(people, line, settings):
    settings.FINANCE_SECOND_APPROVAL_ABOVE = "1000"
    request = file(people.chair, line, amount="1200.00")
    assert _told("finance.spending.submitted") == {people.staff, people.staff2, people.union_chair}
    spending.spending_request_approve(actor=people.staff, request=request)
    # The first approver is not asked again, nor the requester.
    second = [n for n in _notifications("finance.spending.submitted") if "second" in n.title]
    assert {n.recipient for n in second} == {people.staff2, people.union_chair}
    spending.spending_request_approve(actor=people.union_chair, request=request)
    approved = _notifications("finance.spending.approved")
    assert {n.recipient for n in approved if "was approved" in n.title} == {people.chair}
    # The payers (finance.post: the union staff) are asked to pay; the approver is not among them anyway.
    assert {n.recipient for n in approved if "awaits payment" in n.title} == {people.staff, people.staff2}
    assert all(n.link.endswith(f"/spending/{request.pk}/") for n in approved)
    spending.spending_request_pay(actor=people.staff, request=request)
    assert _told("finance.spending.paid") == {people.chair}


def test_a_rejection_tells_the_requester_why(people, line):
    request = file(people.chair, line)
    spending.spending_request_reject(actor=people.staff, request=request, reason="发票抬头不对")
    (notification,) = _notifications("finance.spending.rejected")
    assert notification.recipient == people.chair
    assert "发票抬头不对" in notification.body


def test_a_closed_years_lines_take_no_requests_or_approvals(people, budget, tree):
    line = budget("50101", "10000.00", unit=tree.a, year=YEAR - 1)
    pending = file(people.chair, line)
    FiscalYear.objects.create(year=YEAR - 1, closed_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        file(people.chair, line)
    assert "is closed" in " ".join(error.value.message_dict["budget_line"])
    with pytest.raises(ValidationError) as error:
        spending.spending_request_approve(actor=people.staff, request=pending)
    assert "is closed" in error.value.messages[0]
    pending.refresh_from_db()
    assert pending.status == SpendingRequest.Status.SUBMITTED


def test_no_budget_line_is_added_to_a_closed_year(people, tree, chart):
    FiscalYear.objects.create(year=YEAR - 1, closed_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        spending.budget_line_save(
            actor=people.staff, year=YEAR - 2, unit=tree.a, category=chart["50101"], amount="10"
        )
    assert "is closed" in error.value.message_dict["year"][0]
