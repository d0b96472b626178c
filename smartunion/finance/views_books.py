"""Console pages of the books themselves: the 拨缴经费 form on the income page, the fiscal years with their
balances and the year-end close (结账), and the opening balances carried in from before SmartUnion."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.organisations import selectors as org_selectors

from . import income, years
from .forms import AllocationIncomeForm, OpeningBalanceForm

HUNDRED = Decimal("100")


def may_post_at_top(user: Any) -> bool:
    """School-wide bookkeeping (拨缴经费, the close, opening balances): finance.post at the top."""
    return bool(user.scope_for("finance.post").at_top)


def sees_the_top(user: Any) -> bool:
    """The 拨缴经费 is the school union's income: shown to holders of finance.view at the top only."""
    return bool(user.scope_for("finance.view").at_top)


def _percent(fraction: Decimal) -> str:
    return f"{fraction * HUNDRED:.2f}"


# -- 拨缴经费 on the income page ---------------------------------------------------------------------------


def allocation_form(request: AuthenticatedRequest, data: Any = None) -> AllocationIncomeForm:
    return AllocationIncomeForm(
        data,
        rate=income.default_allocation_rate(),
        retained_share=income.default_retained_share(),
    )


def allocation_section(
    request: AuthenticatedRequest, form: AllocationIncomeForm | None = None
) -> dict[str, Any]:
    """The 拨缴经费 part of the income page's context."""
    user = request.user
    visible = sees_the_top(user)
    can_record = visible and may_post_at_top(user)
    return {
        "allocation_visible": visible,
        "allocations": [
            {"record": record, "rate": _percent(record.rate), "share": _percent(record.retained_share)}
            for record in (income.allocation_income_months() if visible else [])
        ],
        "can_record_allocation": can_record,
        "allocation_form": (form or allocation_form(request)) if can_record else None,
    }


@require_perm("finance.post")
@require_POST
def allocation_income_record(request: AuthenticatedRequest) -> HttpResponseBase:
    if not may_post_at_top(request.user):
        raise PermissionDenied
    form = allocation_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record = income.allocation_income_record(
                actor=request.user,
                month=data["month"],
                payroll_total=data["payroll_total"],
                rate=data["rate"] / HUNDRED,
                retained_share=data["retained_share"] / HUNDRED,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("拨缴经费 of %(month)s recorded: %(retained)s yuan kept, entry #%(seq)s posted.")
                % {
                    "month": date_format(record.month, "YEAR_MONTH_FORMAT"),
                    "retained": record.retained,
                    "seq": record.entry.seq,
                },
            )
            return redirect("finance:income_list")
    from .views import _income_page  # the income page belongs to views; it shows the form's errors

    return _income_page(request, allocation=form)


def income_export(request: AuthenticatedRequest, which: str) -> HttpResponseBase | None:
    """``?export=dues`` or ``?export=allocation`` on the income page: the table as xlsx (audited)."""
    if which == "dues":
        name = _("Dues income")
        columns = [
            SheetColumn(_("Month"), 12),
            SheetColumn(_("Dues recorded (yuan)"), 16),
            SheetColumn(_("Entries"), 10),
            SheetColumn(_("Posted (yuan)"), 16),
        ]
        rows: list[list[Any]] = [
            [f"{row.month:%Y-%m}", row.record.total, row.entries, row.amount]
            for row in income.dues_income_months()
        ]
    elif which == "allocation" and sees_the_top(request.user):
        name = _("拨缴经费")
        columns = [
            SheetColumn(_("Month"), 12),
            SheetColumn(_("Payroll total (yuan)"), 18),
            SheetColumn(_("Rate"), 8),
            SheetColumn(_("Allocation (yuan)"), 16),
            SheetColumn(_("Kept (yuan)"), 16),
            SheetColumn(_("To the higher-level union (yuan)"), 20),
            SheetColumn(_("Entry"), 8),
        ]
        rows = [
            [
                f"{record.month:%Y-%m}",
                record.payroll_total,
                f"{_percent(record.rate)}%",
                record.allocation,
                record.retained,
                record.upward,
                record.entry.seq,
            ]
            for record in income.allocation_income_months()
        ]
    else:
        return None
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = xlsx_response(
        f"{name}-{stamp}.xlsx",
        lambda handle: write_workbook(handle, sheet_title=name, columns=columns, rows=rows, title=name),
    )
    audit(actor=request.user, action="core.list.exported", changes={"list": name, "rows": len(rows)})
    return response


# -- fiscal years and the close --------------------------------------------------------------------------


@require_perm("finance.view")
def year_list(request: AuthenticatedRequest) -> HttpResponse:
    """The fiscal years; the frozen balances of each closed year and the live figures of the open ones,
    limited to the user's units (a sub-union chair sees their subtree)."""
    scope = request.user.scope_for("finance.view")
    rows = years.fiscal_years()
    open_years = [row.year for row in rows if not row.is_closed]
    live = years.live_figures(years=open_years, scope=scope)
    frozen = years.frozen_figures(scope=scope)
    sections = []
    for row in rows:
        figures = frozen.get(row.year) if row.is_closed else live.get(row.year)
        sections.append({"row": row, "figures": figures})
    return render(
        request,
        "finance/year_list.html",
        {
            "sections": sections,
            "can_close": may_post_at_top(request.user),
            "can_record_opening": may_post_at_top(request.user),
            "today": timezone.localdate(),
            "breadcrumbs": [(_("Fiscal years"), "")],
        },
    )


@require_perm("finance.post")
def year_close(request: AuthenticatedRequest, year: int) -> HttpResponse:
    """GET: what the close would freeze and what stops it; POST: close the year."""
    if not may_post_at_top(request.user):
        raise PermissionDenied
    if not years.MIN_YEAR <= year <= years.MAX_YEAR:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        try:
            years.year_close(actor=request.user, year=year)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("The fiscal year %(year)s is closed: its balances are frozen and carried forward.")
                % {"year": year},
            )
            return redirect("finance:year_list")
    plan = years.close_plan(year)
    return render(
        request,
        "finance/year_close.html",
        {
            "year": year,
            "plan": plan,
            "errors": errors,
            "breadcrumbs": [
                (_("Fiscal years"), reverse("finance:year_list")),
                (_("Close %(year)s") % {"year": year}, ""),
            ],
        },
        status=400 if errors else 200,
    )


# -- opening balances ------------------------------------------------------------------------------------


@require_perm("finance.view")
def opening_balance(request: AuthenticatedRequest) -> HttpResponse:
    """The recorded opening balances of the user's units; the form for the union office."""
    can_record = may_post_at_top(request.user)
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    form = None
    if can_record:
        units = org_selectors.unit_choices_for_user(user=request.user, perm="finance.post")
        form = OpeningBalanceForm(request.POST or None, units=units)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                entry = years.opening_balance_record(
                    actor=request.user,
                    unit=data["unit"],
                    year=data["year"],
                    amount=data["amount"],
                    note=data["note"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("Opening balance of %(unit)s for %(year)s posted: entry #%(seq)s.")
                    % {"unit": data["unit"].name, "year": data["year"], "seq": entry.seq},
                )
                return redirect("finance:opening_balance")
    return render(
        request,
        "finance/opening_balance.html",
        {
            "form": form,
            "balances": years.opening_balances_for_user(user=request.user)[:500],
            "breadcrumbs": [
                (_("Fiscal years"), reverse("finance:year_list")),
                (_("Opening balances"), ""),
            ],
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )
