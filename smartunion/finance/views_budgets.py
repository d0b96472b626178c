"""Console pages of a budget line (its execution, adjustments, spending and allocations), budget adjustment
requests through approval, and the school-wide allocation by formula with its preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from . import adjustments, allocation, selectors
from .forms import AdjustmentDecisionForm, AdjustmentForm, AllocationForm
from .models import BudgetAdjustment, BudgetAllocation, BudgetLine

Status = BudgetAdjustment.Status


def _line_url(line: BudgetLine) -> str:
    return reverse("finance:budget_line_detail", args=[line.pk])


def _line_row(line: BudgetLine) -> selectors.BudgetRow:
    return selectors.BudgetRow(
        line=line,
        budget=line.amount,
        committed=selectors.committed(budget_line_id=line.pk),
        spent=selectors.spent(year=line.year, unit_id=line.unit_id, category=line.category),
    )


def _may_decide(user: Any, adjustment: BudgetAdjustment) -> bool:
    return (
        adjustment.status == Status.PENDING
        and adjustment.requested_by_id != user.pk
        and user.has_unit_perm("finance.approve", adjustment.budget_line.unit)
    )


def _may_cancel(user: Any, adjustment: BudgetAdjustment) -> bool:
    return adjustment.status == Status.PENDING and adjustment.requested_by_id == user.pk


def _back(request: AuthenticatedRequest, default: str) -> HttpResponseBase:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(default)


# -- a budget line ---------------------------------------------------------------------------------------


@require_perm("finance.view")
def budget_line_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    line = selectors.budget_line_get_for_user(user=user, pk=pk)
    history = list(adjustments.adjustments_for_user(user=user, line=line).order_by("-requested_at"))
    pending = next((item for item in history if item.status == Status.PENDING), None)
    may_manage = user.has_unit_perm("finance.budget.manage", line.unit)
    return render(
        request,
        "finance/budget_line_detail.html",
        {
            "line": line,
            "row": _line_row(line),
            "adjustments": [
                {
                    "item": item,
                    "can_decide": _may_decide(user, item),
                    "can_cancel": _may_cancel(user, item),
                    "stale": item.status == Status.PENDING and item.amount_before != line.amount,
                }
                for item in history
            ],
            "pending": pending,
            "can_adjust": may_manage and pending is None,
            "requests": list(line.spending_requests.select_related("requester").order_by("-created_at")[:50]),
            "allocation_rows": list(allocation.allocation_rows_for_line(line)),
            "can_see_allocations": user.scope_for("finance.view").at_top,
            "next": request.get_full_path(),
            "breadcrumbs": [
                (_("Budgets"), f"{reverse('finance:budget_list')}?year={line.year}"),
                (f"{line.unit.name} · {line.category}", ""),
            ],
        },
    )


# -- adjustments -----------------------------------------------------------------------------------------


@require_perm("finance.budget.manage")
def adjustment_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    line = selectors.budget_line_get_for_user(user=request.user, pk=pk, perm="finance.budget.manage")
    form = AdjustmentForm(request.POST or None, initial={"amount_after": line.amount})
    if request.method == "POST" and form.is_valid():
        try:
            adjustments.adjustment_request(
                actor=request.user,
                line=line,
                amount_after=form.cleaned_data["amount_after"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Adjustment requested: it applies once someone else approves it."))
            return redirect("finance:budget_line_detail", pk=line.pk)
    pending = BudgetAdjustment.objects.filter(budget_line=line, status=Status.PENDING).first()
    return render(
        request,
        "finance/adjustment_form.html",
        {
            "form": form,
            "line": line,
            "row": _line_row(line),
            "pending": pending,
            "breadcrumbs": [
                (_("Budgets"), f"{reverse('finance:budget_list')}?year={line.year}"),
                (f"{line.unit.name} · {line.category}", _line_url(line)),
                (_("Request adjustment"), ""),
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


def _adjustment_line_url(item: BudgetAdjustment) -> str:
    return _line_url(item.budget_line)


class AdjustmentTable(Table):
    columns = [
        Column(
            "requested_at",
            gettext_lazy("Requested"),
            value=lambda item: item.requested_at.date(),
            sort="requested_at",
            width=12,
            css="nowrap",
        ),
        Column(
            "unit",
            gettext_lazy("Unit"),
            value="budget_line.unit.name",
            sort="budget_line__unit__path",
            width=20,
            css="nowrap",
        ),
        Column("year", gettext_lazy("Year"), value="budget_line.year", width=6),
        Column(
            "category",
            gettext_lazy("Category"),
            value="budget_line.category.name",
            link=_adjustment_line_url,
            width=12,
            css="nowrap",
        ),
        Column("amount_before", gettext_lazy("Budget before"), sort="amount_before", width=14, css="num"),
        Column("amount_after", gettext_lazy("Budget after"), sort="amount_after", width=14, css="num"),
        Column(
            "change",
            gettext_lazy("Difference"),
            value=lambda item: item.amount_after - item.amount_before,
            width=14,
            css="num",
        ),
        Column("reason", gettext_lazy("Reason"), width=30, css="text-wide"),
        Column(
            "requested_by",
            gettext_lazy("Requested by"),
            value="requested_by.display_name",
            width=10,
            css="nowrap",
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            value="get_status_display",
            sort="status",
            width=10,
            css="nowrap",
        ),
        Column(
            "decided_by", gettext_lazy("Decided by"), value="decided_by.display_name", width=10, css="nowrap"
        ),
        Column("decision_note", gettext_lazy("Decision note"), width=24, css="text-wide"),
    ]
    default_sort = "-requested_at"
    export_name = gettext_lazy("Budget adjustments")
    unit_path = "budget_line.unit.path"

    def screen_row(self, obj: Any) -> dict[str, Any]:
        # What the row's buttons may do, for the row actions template.
        obj.can_decide = _may_decide(self.request.user, obj)
        obj.can_cancel = _may_cancel(self.request.user, obj)
        return super().screen_row(obj)


ADJUSTMENT_TABS = [
    ("pending", Status.PENDING.label),
    ("approved", Status.APPROVED.label),
    ("rejected", Status.REJECTED.label),
    ("cancelled", Status.CANCELLED.label),
    ("all", gettext_lazy("All")),
]


@require_perm("finance.view")
def adjustment_list(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    status = request.GET.get("status", "pending")
    if status not in dict(ADJUSTMENT_TABS):
        status = "pending"
    counts = adjustments.adjustment_counts_for_user(user=user)
    tabs = [
        {
            "status": key,
            "label": label,
            "count": counts.get(key) if key == "pending" else None,
            "active": key == status,
        }
        for key, label in ADJUSTMENT_TABS
    ]
    items = adjustments.adjustments_for_user(user=user, status="" if status == "all" else status)
    table = AdjustmentTable(request, items)
    return render_table(
        request,
        table,
        "finance/adjustment_list.html",
        {
            "tabs": tabs,
            "status": status,
            "next": request.get_full_path(),
            "breadcrumbs": [
                (_("Budgets"), reverse("finance:budget_list")),
                (_("Budget adjustments"), ""),
            ],
            "empty_title": _("No budget adjustments here"),
            "empty_hint": _(
                "A budget line's amount changes through an adjustment request: open the line on the budgets "
                "page and choose “Request adjustment”."
            ),
        },
        export_title=str(dict(ADJUSTMENT_TABS)[status]),
    )


def _form_errors(form: Any) -> str:
    """A decision form's problems as one message (the form sits in a table row: no place for field errors)."""
    return " ".join(str(message) for messages_ in form.errors.values() for message in messages_)


def _decision(request: AuthenticatedRequest, pk: int) -> tuple[BudgetAdjustment, str]:
    item = adjustments.adjustment_get_for_user(user=request.user, pk=pk)
    return item, reverse("finance:adjustment_list")


def _decide(
    request: AuthenticatedRequest, pk: int, decide: Any, success: Callable[[BudgetAdjustment], str]
) -> HttpResponseBase:
    """Approve or reject with the note of the row's form; the outcome comes back as a message."""
    item, default = _decision(request, pk)
    form = AdjustmentDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, default)
    try:
        decide(actor=request.user, adjustment=item, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success(item))
    return _back(request, default)


@require_perm("finance.approve")
@require_POST
def adjustment_approve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _decide(
        request,
        pk,
        adjustments.adjustment_approve,
        lambda item: (
            _("Approved: the budget of %(unit)s for %(category)s is now %(amount)s yuan.")
            % {
                "unit": item.budget_line.unit.name,
                "category": item.budget_line.category,
                "amount": item.amount_after,
            }
        ),
    )


@require_perm("finance.approve")
@require_POST
def adjustment_reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _decide(
        request, pk, adjustments.adjustment_reject, lambda item: _("Rejected: the requester sees your note.")
    )


@require_perm("finance.budget.manage")
@require_POST
def adjustment_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    item, default = _decision(request, pk)
    try:
        adjustments.adjustment_cancel(actor=request.user, adjustment=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Adjustment request withdrawn."))
    return _back(request, default)


# -- allocations -----------------------------------------------------------------------------------------


def _require_view_at_top(user: Any) -> None:
    """Allocations are school-wide: their pages are for holders of finance.view at the top."""
    if not user.scope_for("finance.view").at_top:
        raise PermissionDenied


def _allocation_url(item: BudgetAllocation) -> str:
    return reverse("finance:allocation_detail", args=[item.pk])


class AllocationTable(Table):
    columns = [
        Column(
            "applied_at",
            gettext_lazy("Applied"),
            value=lambda item: item.applied_at.date(),
            sort="applied_at",
            link=_allocation_url,
            width=12,
        ),
        Column("year", gettext_lazy("Year"), sort="year", width=6),
        Column("category", gettext_lazy("Category"), value="category", width=14),
        Column("counted_on", gettext_lazy("Members counted on"), width=12),
        Column("per_member", gettext_lazy("Amount per member"), width=12, css="num"),
        Column("fixed_amount", gettext_lazy("Fixed amount per unit"), width=12, css="num"),
        Column("units", gettext_lazy("Units"), width=6, css="num"),
        Column("members", gettext_lazy("Members"), width=8, css="num"),
        Column("total", gettext_lazy("Total"), sort="total", width=14, css="num"),
        Column("applied_by", gettext_lazy("Applied by"), value="applied_by.display_name", width=10),
        Column("note", gettext_lazy("Note"), width=20),
    ]
    default_sort = "-applied_at"
    export_name = gettext_lazy("Budget allocations")
    unit_path = None


@require_perm("finance.view")
def allocation_list(request: AuthenticatedRequest) -> HttpResponseBase:
    _require_view_at_top(request.user)
    return render_table(
        request,
        AllocationTable(request, allocation.allocations()),
        "finance/allocation_list.html",
        {
            "can_allocate": allocation.may_allocate(request.user),
            "breadcrumbs": [
                (_("Budgets"), reverse("finance:budget_list")),
                (_("Budget allocations"), ""),
            ],
            "empty_title": _("No allocations yet"),
            "empty_hint": _(
                "An allocation sets every sub-union's budget for one category at once: an amount per member "
                "times its members on a date, plus a fixed amount."
            ),
        },
        export_title=_("Budget allocations"),
    )


@require_perm("finance.budget.manage")
def allocation_new(request: AuthenticatedRequest) -> HttpResponse:
    if not allocation.may_allocate(request.user):
        raise PermissionDenied
    form = AllocationForm(request.POST or None, units=allocation.default_units(request.user))
    preview = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            inputs = {
                "actor": request.user,
                "year": data["year"],
                "category": data["category"],
                "counted_on": data["counted_on"],
                "per_member": data["per_member"],
                "fixed_amount": data["fixed_amount"],
                "units": list(data["units"]),
            }
            try:
                if request.POST.get("action") == "apply":
                    applied = allocation.allocation_apply(
                        **inputs, note=data["note"], expected=request.POST.get("fingerprint", "")
                    )
                    messages.success(
                        request,
                        _("Allocation applied: %(units)s budget lines set, %(total)s yuan in all.")
                        % {"units": len(inputs["units"]), "total": f"{applied.total:,.2f}"},
                    )
                    return redirect("finance:allocation_detail", pk=applied.pk)
                preview = allocation.allocation_preview(**inputs)
                status = 200
            except ValidationError as error:
                apply_validation_error(form, error)
                if request.POST.get("action") == "apply":  # show what is wrong row by row
                    try:
                        preview = allocation.allocation_preview(**inputs)
                    except ValidationError:
                        preview = None
    return render(
        request,
        "finance/allocation_new.html",
        {
            "form": form,
            "preview": preview,
            "breadcrumbs": [
                (_("Budgets"), reverse("finance:budget_list")),
                (_("Budget allocations"), reverse("finance:allocation_list")),
                (_("New allocation"), ""),
            ],
        },
        status=status,
    )


class AllocationRowTable(Table):
    columns = [
        Column(
            "unit",
            gettext_lazy("Unit"),
            value="unit.name",
            sort="unit__path",
            link=lambda row: _line_url(row.budget_line),
            width=24,
        ),
        Column("members", gettext_lazy("Members"), sort="members", width=8, css="num"),
        Column(
            "per_member_part",
            gettext_lazy("Per-member part"),
            value=lambda row: row.allocation.per_member * row.members,
            width=14,
            css="num",
        ),
        Column(
            "fixed_part", gettext_lazy("Fixed part"), value="allocation.fixed_amount", width=14, css="num"
        ),
        Column("amount", gettext_lazy("New budget"), sort="amount", width=14, css="num"),
        Column("previous_amount", gettext_lazy("Budget before"), width=14, css="num"),
        Column(
            "change",
            gettext_lazy("Difference"),
            value=lambda row: row.amount - (row.previous_amount or 0),
            width=14,
            css="num",
        ),
    ]
    default_sort = "unit__path"
    export_name = gettext_lazy("Budget allocation")
    page_size = 200


@require_perm("finance.view")
def allocation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    _require_view_at_top(request.user)
    item = allocation.allocation_get(pk=pk)
    rows = allocation.allocation_rows(item)
    title = _("Allocation %(year)s · %(category)s") % {"year": item.year, "category": item.category}
    return render_table(
        request,
        AllocationRowTable(request, rows),
        "finance/allocation_detail.html",
        {
            "item": item,
            "title": title,
            "breadcrumbs": [
                (_("Budgets"), reverse("finance:budget_list")),
                (_("Budget allocations"), reverse("finance:allocation_list")),
                (title, ""),
            ],
            "empty_title": _("This allocation has no rows"),
            "empty_hint": "",
        },
        export_title=f"{title} · {item.applied_at:%Y-%m-%d}",
    )
