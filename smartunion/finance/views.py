"""Console pages of the union's funds: budget lines with their execution, and spending requests from filing
through approval to payment."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.audit import audit
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.models import AuditEntry
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.organisations import selectors as org_selectors

from . import adjustments, income, selectors, services, spending, years
from .forms import (
    BudgetLineForm,
    LedgerFilterForm,
    RejectForm,
    ReverseForm,
    SampleForm,
    SpendingRequestForm,
    YearForm,
)
from .models import BudgetLine, SpendingRequest
from .verify import verify_chain

Status = SpendingRequest.Status


def _money(value: Any) -> str:
    return f"{value:,.2f}"


# -- budgets -------------------------------------------------------------------------------------------


def _edit_url(row: Any) -> str:
    """A budget row opens its line's page: execution, adjustments (the only way to change the amount)."""
    return reverse("finance:budget_line_detail", args=[row.pk])


class BudgetTable(Table):
    columns = [
        Column("unit", gettext_lazy("Unit"), value="unit.name", width=24),
        Column("code", gettext_lazy("Code"), value="category.code", width=8),
        Column("category", gettext_lazy("Category"), value="category.name", link=_edit_url, width=14),
        Column("budget", gettext_lazy("Budget"), value="budget", width=14, css="num"),
        Column("committed", gettext_lazy("Committed"), value="committed", width=14, css="num"),
        Column("spent", gettext_lazy("Spent"), value="spent", width=14, css="num"),
        Column("remaining", gettext_lazy("Remaining"), value="remaining", width=14, css="num"),
        Column(
            "used",
            gettext_lazy("Used"),
            value=lambda row: f"{row.used_percent}%",
            in_export=False,
            width=8,
            css="num",
        ),
    ]
    default_sort = "pk"
    export_name = gettext_lazy("Budget execution")


def _years() -> list[int]:
    this_year = timezone.localdate().year
    years = set(BudgetLine.objects.values_list("year", flat=True).distinct()) | {this_year}
    return sorted(years, reverse=True)


@require_perm("finance.view")
def budget_list(request: AuthenticatedRequest) -> HttpResponseBase:
    years = _years()
    form = YearForm(request.GET or None, years=years)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    rows = selectors.budget_rows_for_user(user=request.user, year=year)
    totals = {
        key: sum((getattr(row, key) for row in rows), Decimal("0.00"))
        for key in ("budget", "committed", "spent", "remaining")
    }
    return render_table(
        request,
        BudgetTable(request, rows),  # type: ignore[arg-type]
        "finance/budget_list.html",
        {
            "form": form,
            "year": year,
            "totals": totals,
            "chart": selectors.execution_by_category(rows),
            "can_manage": request.user.has_unit_perm("finance.budget.manage"),
            "can_allocate": request.user.scope_for("finance.view").at_top,
            "pending_adjustments": adjustments.adjustment_counts_for_user(user=request.user).get(
                "pending", 0
            ),
            "breadcrumbs": [(_("Budgets"), "")],
            "empty_title": _("No budget lines for this year"),
            "empty_hint": _("The union office adds each unit's budget by category."),
        },
        export_title=_("Budget execution %(year)s") % {"year": year},
    )


def _budget_form_page(request: AuthenticatedRequest, form: BudgetLineForm) -> HttpResponse:
    title = _("Add a budget line")
    return render(
        request,
        "finance/simple_form.html",
        {
            "form": form,
            "title": title,
            "section": _("Budgets"),
            "intro": _(
                "A unit's budget for one expense category in one year. Once added, its amount changes only "
                "through an adjustment request that someone else approves."
            ),
            "cancel_url": reverse("finance:budget_list"),
            "breadcrumbs": [(_("Budgets"), reverse("finance:budget_list")), (title, "")],
        },
    )


@require_perm("finance.budget.manage")
def budget_line_new(request: AuthenticatedRequest) -> HttpResponse:
    units = org_selectors.unit_choices_for_user(user=request.user, perm="finance.budget.manage")
    form = BudgetLineForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            line = spending.budget_line_save(
                actor=request.user,
                year=data["year"],
                unit=data["unit"],
                category=data["category"],
                amount=data["amount"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Budget line added: %(line)s.") % {"line": line})
            return redirect(f"{reverse('finance:budget_list')}?year={line.year}")
    return _budget_form_page(request, form)


# -- spending requests ---------------------------------------------------------------------------------


def _request_url(item: SpendingRequest) -> str:
    return reverse("finance:request_detail", args=[item.pk])


class SpendingTable(Table):
    columns = [
        Column(
            "created_at",
            gettext_lazy("Filed"),
            value=lambda r: r.created_at.date(),
            sort="created_at",
            width=12,
        ),
        Column("title", gettext_lazy("Title"), link=_request_url, width=24),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=20),
        Column("category", gettext_lazy("Category"), value="budget_line.category.name", width=12),
        Column("amount", gettext_lazy("Amount"), sort="amount", width=12, css="num"),
        Column("payee", gettext_lazy("Payee"), width=16),
        Column("requester", gettext_lazy("Requester"), value="requester.display_name", width=10),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=14),
    ]
    default_sort = "-created_at"
    export_name = gettext_lazy("Spending requests")


TABS = [
    ("submitted", Status.SUBMITTED.label),
    ("approved", Status.APPROVED.label),
    ("paid", Status.PAID.label),
    ("rejected", Status.REJECTED.label),
    ("cancelled", Status.CANCELLED.label),
    ("all", gettext_lazy("All")),
]


@require_perm("finance.view")
def request_list(request: AuthenticatedRequest) -> HttpResponseBase:
    status = request.GET.get("status", "submitted")
    if status not in dict(TABS):
        status = "submitted"
    counts = selectors.spending_request_counts_for_user(user=request.user)
    tabs = [
        {
            "status": key,
            "label": label,
            "count": counts.get(key) if key in ("submitted", "approved") else None,
            "active": key == status,
        }
        for key, label in TABS
    ]
    requests = selectors.spending_requests_for_user(
        user=request.user, status="" if status == "all" else status
    )
    return render_table(
        request,
        SpendingTable(request, requests),
        "finance/request_list.html",
        {
            "tabs": tabs,
            "status": status,
            "can_request": request.user.has_unit_perm("finance.request"),
            "breadcrumbs": [(_("Spending requests"), "")],
            "empty_title": _("No spending requests here"),
            "empty_hint": _("A sub-union files a request against its budget with the invoices attached."),
        },
        export_title=str(dict(TABS)[status]),
    )


@require_perm("finance.request")
def request_new(request: AuthenticatedRequest) -> HttpResponse:
    lines = (
        request.user.scope_for("finance.request")
        .filter(BudgetLine.objects.filter(year=timezone.localdate().year, category__kind="expense"), "unit")
        .select_related("unit", "category")
        .order_by("unit__path", "category__code")
    )
    form = SpendingRequestForm(request.POST or None, request.FILES or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        uploads = [spending.Upload(name=f.name, data=f.read()) for f in data["attachments"]]
        try:
            item = spending.spending_request_submit(
                actor=request.user,
                budget_line=data["budget_line"],
                title=data["title"],
                purpose=data["purpose"],
                amount=data["amount"],
                payee=data["payee"],
                attachments=uploads,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Submitted: the request now awaits the union office's approval."))
            return redirect("finance:request_detail", pk=item.pk)
    return render(
        request,
        "finance/request_new.html",
        {
            "form": form,
            "has_lines": lines.exists(),
            "breadcrumbs": [
                (_("Spending requests"), reverse("finance:request_list")),
                (_("New request"), ""),
            ],
        },
    )


def _timeline(item: SpendingRequest) -> list[dict[str, Any]]:
    steps = [{"label": _("Submitted"), "who": item.requester, "at": item.submitted_at or item.created_at}]
    if item.first_approved_at:
        steps.append(
            {"label": _("First approval"), "who": item.first_approved_by, "at": item.first_approved_at}
        )
    if item.approved_at:
        steps.append(
            {"label": _("Approved: amount committed"), "who": item.approved_by, "at": item.approved_at}
        )
    if item.rejected_at:
        steps.append(
            {
                "label": _("Rejected"),
                "who": item.rejected_by,
                "at": item.rejected_at,
                "note": item.reject_reason,
            }
        )
    if item.paid_at:
        steps.append({"label": _("Paid: posted to the books"), "who": item.paid_by, "at": item.paid_at})
    if item.cancelled_at:
        steps.append(
            {"label": _("Cancelled by the requester"), "who": item.requester, "at": item.cancelled_at}
        )
    return steps


def _detail_context(request: AuthenticatedRequest, item: SpendingRequest) -> dict[str, Any]:
    user = request.user
    may_approve = (
        item.status == Status.SUBMITTED
        and user.has_unit_perm("finance.approve", item.unit)
        and item.requester_id != user.pk
        and item.first_approved_by_id != user.pk
    )
    needs_two = item.amount > spending.second_approval_threshold()
    return {
        "item": item,
        "line": selectors.budget_line_status(item.budget_line),
        "committed": selectors.committed(budget_line_id=item.budget_line_id),
        "attachments": list(item.attachments.defer("content")),
        "timeline": _timeline(item),
        "needs_two": needs_two,
        "threshold": spending.second_approval_threshold(),
        "can_approve": may_approve,
        "can_reject": item.status == Status.SUBMITTED and user.has_unit_perm("finance.approve", item.unit),
        "can_pay": item.status == Status.APPROVED and user.has_unit_perm("finance.post", item.unit),
        "can_cancel": item.status in (Status.DRAFT, Status.SUBMITTED) and item.requester_id == user.pk,
        "reject_form": RejectForm(),
        "breadcrumbs": [(_("Spending requests"), reverse("finance:request_list")), (item.title, "")],
    }


@require_perm("finance.view")
def request_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = selectors.spending_request_get_for_user(user=request.user, pk=pk)
    return render(request, "finance/request_detail.html", _detail_context(request, item))


def _refused(
    request: AuthenticatedRequest, item: SpendingRequest, error: ValidationError, **extra: Any
) -> HttpResponse:
    item.refresh_from_db()
    context = {**_detail_context(request, item), **extra}
    if "reject_form" in extra and hasattr(error, "error_dict"):
        apply_validation_error(extra["reject_form"], error)
    else:
        context["action_errors"] = error.messages
    return render(request, "finance/request_detail.html", context)


@require_perm("finance.approve")
@require_POST
def request_approve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    item = selectors.spending_request_get_for_user(user=request.user, pk=pk)
    try:
        approval = spending.spending_request_approve(actor=request.user, request=item)
    except ValidationError as error:
        return _refused(request, item, error)
    if not approval.final:
        messages.success(request, _("First approval recorded: a second approver must approve it as well."))
    elif approval.warning:
        messages.warning(request, _("Approved over budget: %(warning)s") % {"warning": approval.warning})
    else:
        messages.success(request, _("Approved: the amount is committed against the budget line."))
    return redirect("finance:request_detail", pk=item.pk)


@require_perm("finance.approve")
@require_POST
def request_reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    item = selectors.spending_request_get_for_user(user=request.user, pk=pk)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        spending.spending_request_reject(
            actor=request.user, request=item, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, item, error, reject_form=form)
    messages.success(request, _("Rejected: the requester sees the reason."))
    return redirect("finance:request_detail", pk=item.pk)


@require_perm("finance.post")
@require_POST
def request_pay(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    item = selectors.spending_request_get_for_user(user=request.user, pk=pk)
    try:
        paid = spending.spending_request_pay(actor=request.user, request=item)
    except ValidationError as error:
        return _refused(request, item, error)
    messages.success(
        request,
        _("Paid: entry #%(seq)s posted to the books.") % {"seq": paid.entry.seq if paid.entry else ""},
    )
    return redirect("finance:request_detail", pk=item.pk)


@require_perm("finance.request")
@require_POST
def request_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    item = selectors.spending_request_get_for_user(user=request.user, pk=pk)
    try:
        spending.spending_request_cancel(actor=request.user, request=item)
    except ValidationError as error:
        return _refused(request, item, error)
    messages.success(request, _("Request cancelled."))
    return redirect("finance:request_detail", pk=item.pk)


@require_perm("finance.view")
def attachment_download(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    # Shown inline (an invoice image or PDF); nosniff so a browser never reinterprets the bytes.
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(attachment.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- income ----------------------------------------------------------------------------------------------


def _may_post_income(user: Any) -> bool:
    return bool(user.scope_for("finance.post").at_top and user.scope_for("members.dues.view").at_top)


def _income_page(
    request: AuthenticatedRequest, errors: list[str] | None = None, allocation: Any = None
) -> HttpResponse:
    """The income page: dues months, and the 拨缴经费 months with their form (views_books)."""
    from . import views_books  # the 拨缴经费 half of the page lives with the books' pages

    failed = bool(errors) or bool(allocation is not None and allocation.errors)
    return render(
        request,
        "finance/income_list.html",
        {
            "months": income.dues_income_months(),
            "can_post": _may_post_income(request.user),
            "errors": errors or [],
            **views_books.allocation_section(request, allocation),
            "breadcrumbs": [(_("Income recording"), "")],
        },
        status=400 if failed else 200,
    )


@require_perm("finance.view")
def income_list(request: AuthenticatedRequest) -> HttpResponseBase:
    from . import views_books

    export = views_books.income_export(request, request.GET.get("export", ""))
    return export if export is not None else _income_page(request)


@require_perm("finance.post")
@require_POST
def income_dues_record(request: AuthenticatedRequest) -> HttpResponseBase:
    if not _may_post_income(request.user):
        raise PermissionDenied
    try:
        month = dt.datetime.strptime(request.POST.get("month", ""), "%Y-%m").date()
    except ValueError:
        return _income_page(request, [_("Choose a month recorded on the dues sheet.")])
    try:
        result = income.dues_income_record(actor=request.user, month=month)
    except ValidationError as error:
        return _income_page(request, error.messages)
    label = date_format(month, "YEAR_MONTH_FORMAT")
    if result.created:
        messages.success(
            request,
            _("Dues income of %(month)s posted: %(count)s entries.")
            % {"month": label, "count": len(result.created)},
        )
    else:
        messages.info(request, _("The dues income of %(month)s was already posted.") % {"month": label})
    return redirect("finance:income_list")


# -- the ledger (收支明细) and its entries ----------------------------------------------------------------


def _entry_url(line: Any) -> str:
    return reverse("finance:entry_detail", args=[line.entry_id])


class LedgerTable(Table):
    columns = [
        Column("date", gettext_lazy("Date"), value="entry.posted_on", sort="entry__posted_on", width=12),
        Column("seq", gettext_lazy("Entry"), value="entry.seq", sort="entry__seq", link=_entry_url, width=8),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=22),
        Column(
            "account",
            gettext_lazy("Category or funds"),
            value=lambda line: str(line.category) if line.category_id else line.get_account_display(),
            sort="category__code",
            width=18,
        ),
        Column("memo", gettext_lazy("Memo"), value="entry.memo", width=30),
        Column(
            "source", gettext_lazy("Source"), value="entry.source_type", sort="entry__source_type", width=18
        ),
        Column(
            "debit",
            gettext_lazy("Debit"),
            value=lambda line: line.amount if line.amount > 0 else None,
            sort="amount",
            width=14,
            css="num",
        ),
        Column(
            "credit",
            gettext_lazy("Credit"),
            value=lambda line: -line.amount if line.amount < 0 else None,
            width=14,
            css="num",
        ),
    ]
    default_sort = "-entry__seq"
    export_name = gettext_lazy("Ledger")


@require_perm("finance.view")
def ledger(request: AuthenticatedRequest) -> HttpResponseBase:
    units = org_selectors.unit_choices_for_user(user=request.user, perm="finance.view")
    form = LedgerFilterForm(request.GET or None, units=units, sources=selectors.ledger_sources())
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    lines = selectors.ledger_lines_for_user(user=request.user, **filters)
    return render_table(
        request,
        LedgerTable(request, lines),
        "finance/ledger.html",
        {
            "form": form,
            "totals": selectors.ledger_totals(lines),
            "breadcrumbs": [(_("Ledger"), "")],
            "empty_title": _("No entry lines match"),
            "empty_hint": _("Entries are posted by the finance services: payments, dues income, reversals."),
        },
        export_title=_("Ledger"),
    )


SOURCE_LABELS = {
    "finance.spending": gettext_lazy("Spending request"),
    "members.dues_month": gettext_lazy("Dues month"),
    "finance.allocation_income": gettext_lazy("Allocated funds (拨缴经费)"),
    "finance.opening": gettext_lazy("Opening balance"),
}


def source_link(entry: Any) -> dict[str, str]:
    """The label and (when the project has a page for it) the address of an entry's source."""
    label = str(SOURCE_LABELS.get(entry.source_type, entry.source_type))
    url = ""
    if entry.source_type == "finance.spending" and entry.source_id.isdigit():
        url = reverse("finance:request_detail", args=[int(entry.source_id)])
    elif entry.source_type == "members.dues_month":
        url = f"{reverse('members:dues_sheet')}?month={entry.posted_on:%Y-%m}"
    elif entry.source_type == "finance.allocation_income":
        url = reverse("finance:income_list")
    elif entry.source_type == "finance.opening":
        url = reverse("finance:opening_balance")
    return {"label": label, "id": entry.source_id, "url": url}


# Entries the union office may reverse from their page: the month or the balance can then be recorded
# again. A payment belongs to its spending request and is never reversed on its own.
REVERSIBLE_SOURCES = {income.DUES_SOURCE, income.ALLOCATION_SOURCE, years.OPENING_SOURCE}


def _may_reverse(user: Any, entry: Any, reversed_by: Any) -> bool:
    return bool(
        user.scope_for("finance.post").at_top
        and entry.source_type in REVERSIBLE_SOURCES
        and entry.reversal_of_id is None
        and reversed_by is None
    )


@require_perm("finance.post")
@require_POST
def entry_reverse(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    entry = selectors.entry_get_for_user(user=request.user, pk=pk)
    if not _may_reverse(request.user, entry, selectors.entry_reversal(entry)):
        if not request.user.scope_for("finance.post").at_top:
            raise PermissionDenied
        messages.error(request, _("This entry cannot be reversed here."))
        return redirect("finance:entry_detail", pk=entry.pk)
    try:
        posting = services.entry_reverse(
            actor=request.user,
            entry=entry,
            reason=request.POST.get("reason", ""),
            idempotency_key=f"finance.reversal:{entry.pk}",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("finance:entry_detail", pk=entry.pk)
    messages.success(
        request,
        _("Entry #%(seq)s is reversed by entry #%(by)s; record the corrected figures again.")
        % {"seq": entry.seq, "by": posting.entry.seq},
    )
    return redirect("finance:entry_detail", pk=posting.entry.pk)


@require_perm("finance.view")
def entry_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get_for_user(user=request.user, pk=pk)
    spending_request = selectors.entry_spending_request(entry)
    reversed_by = selectors.entry_reversal(entry)
    return render(
        request,
        "finance/entry_detail.html",
        {
            "entry": entry,
            "lines": [
                {
                    "unit": line.unit,
                    "category": line.category,
                    "get_account_display": line.get_account_display(),
                    "debit": line.amount if line.amount > 0 else "",
                    "credit": -line.amount if line.amount < 0 else "",
                }
                for line in selectors.entry_lines(entry)
            ],
            "source": source_link(entry),
            "reversed_by": reversed_by,
            "can_reverse": _may_reverse(request.user, entry, reversed_by),
            "reverse_form": ReverseForm(),
            "attachments": list(spending_request.attachments.defer("content")) if spending_request else [],
            "breadcrumbs": [
                (_("Ledger"), reverse("finance:ledger")),
                (_("Entry #%(seq)s") % {"seq": entry.seq}, ""),
            ],
        },
    )


# -- the audit committee (经审): the chain check and sampling -------------------------------------------


def _require_view_at_top(user: Any) -> None:
    if not user.scope_for("finance.view").at_top:
        raise PermissionDenied


@require_perm("finance.view")
def ledger_verify(request: AuthenticatedRequest) -> HttpResponse:
    """The hash-chain check, run on request (POST) and audited; GET shows the last results."""
    _require_view_at_top(request.user)
    result = None
    if request.method == "POST":
        result = verify_chain()
        audit(
            actor=request.user,
            action="finance.ledger.verified",
            changes={"ok": result.ok, "entries": result.count, "result": str(result)},
        )
    runs = AuditEntry.objects.filter(action="finance.ledger.verified").select_related("actor")[:10]
    return render(
        request,
        "finance/ledger_verify.html",
        {"result": result, "runs": runs, "breadcrumbs": [(_("Ledger check"), "")]},
    )


@require_perm("finance.view")
def entry_sample(request: AuthenticatedRequest) -> HttpResponse:
    """N entries drawn at random with a seed shown on the page, so the same sample can be drawn again."""
    _require_view_at_top(request.user)
    form = SampleForm(request.GET or None)
    entries: list[Any] = []
    seed = None
    if request.GET and form.is_valid():
        seed = form.cleaned_data["seed"]
        if seed is None:
            seed = secrets.randbelow(2**31)
        entries = selectors.entry_sample(size=form.cleaned_data["size"], seed=seed)
    samples = [
        {
            "entry": entry,
            "source": source_link(entry),
            "attachments": list(item.attachments.defer("content"))
            if (item := selectors.entry_spending_request(entry))
            else [],
        }
        for entry in entries
    ]
    return render(
        request,
        "finance/entry_sample.html",
        {
            "form": form,
            "seed": seed,
            "size": form.cleaned_data["size"] if seed is not None else None,
            "samples": samples,
            "breadcrumbs": [(_("Sampling"), "")],
        },
        status=400 if request.GET and not form.is_valid() else 200,
    )
