"""Finance reports: budget execution by unit, category or month (table, chart, Excel), and the year-end
summary of the union's funds for the 教代会/工代会 report (printable, Excel)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.forms_support import model_choice, unit_label
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import redact
from smartunion.core.permissions import require_perm
from smartunion.organisations import selectors as org_selectors

from . import reports
from .models import BudgetLine, Category, Entry

INDENT = "\u3000"  # a full-width space: how an indented category reads in Excel

DIMENSION_CHOICES = [
    ("unit", gettext_lazy("By unit")),
    ("category", gettext_lazy("By category")),
    ("month", gettext_lazy("By month")),
]


def _years() -> list[int]:
    """Years with a budget or an entry, and this year."""
    years = set(BudgetLine.objects.values_list("year", flat=True).distinct())
    years |= {day.year for day in Entry.objects.dates("posted_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


class ReportFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=gettext_lazy("All my units"),  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, years: list[int], units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(value, str(value)) for value in years]
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]

    def filters(self) -> dict[str, Any]:
        """The chosen filters, or the defaults (this year, all units) when the query is invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "year": data.get("year") or timezone.localdate().year,
            "unit": data.get("unit"),
            **{name: data.get(name) for name in self.fields if name not in ("year", "unit")},
        }


class ExecutionFilterForm(ReportFilterForm):
    dimension = forms.ChoiceField(label=gettext_lazy("Group by"), choices=DIMENSION_CHOICES, required=False)
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=Category.objects.filter(kind=Category.Kind.EXPENSE).order_by("code"),
        required=False,
        empty_label=gettext_lazy("All categories"),  # type: ignore[arg-type]
    )


def _month_label(month: int) -> str:
    return str(MONTHS[month])


def _export(
    request: AuthenticatedRequest,
    *,
    name: str,
    title: str,
    notes: list[str],
    columns: list[SheetColumn],
    rows: Iterable[list[Any]],
) -> HttpResponseBase:
    """The report as an xlsx download, logged like every list export."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    counted = {"rows": 0}

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle, sheet_title=name, columns=columns, rows=rows, title=title, notes=notes
        )

    response = xlsx_response(f"{name}-{stamp}.xlsx", write)
    audit(
        actor=request.user,
        action="core.list.exported",
        changes={
            "list": name,
            "rows": counted["rows"],
            "filters": {k: redact(str(v)) for k, v in request.GET.items() if k != "export"},
            "unmasked_columns": [],
        },
    )
    return response


def _filter_notes(filters: dict[str, Any]) -> list[str]:
    notes = [_("Unit: %(unit)s") % {"unit": filters["unit"] or _("All my units")}]
    if filters.get("category") is not None:
        notes.append(_("Category: %(category)s") % {"category": filters["category"]})
    notes.append(_("Exported %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
    return notes


# -- budget execution --------------------------------------------------------------------------------------


def _execution_chart(report: reports.ExecutionReport) -> dict[str, Any]:
    if report.dimension == "month":
        today = timezone.localdate()
        # The cumulative line stops at this month: months to come have no spending yet, not zero spending.
        last = today.month if report.year == today.year else 12
        return {
            "labels": [_month_label(row.month) for row in report.rows],
            "spent": [float(row.spent) if row.month <= last else None for row in report.rows],
            "cumulative": [float(row.cumulative) if row.month <= last else None for row in report.rows],
            "pace": [float(report.budget * row.month / 12) for row in report.rows],
            "budget": float(report.budget),
        }
    rows = report.rows
    if report.dimension == "category":
        rows = [row for row in report.rows if row.depth == 0]
        if len(rows) == 1:  # one category chosen: chart its sub-categories
            rows = [row for row in report.rows if row.depth == 1] or rows
    return {
        "labels": [row.label for row in rows],
        "budget": [float(row.budget) for row in rows],
        "committed": [float(row.committed) for row in rows],
        "spent": [float(row.spent) for row in rows],
    }


def _execution_export(
    request: AuthenticatedRequest, report: reports.ExecutionReport, filters: dict[str, Any]
) -> HttpResponseBase:
    title = _("Budget execution %(year)s (%(dimension)s)") % {
        "year": report.year,
        "dimension": dict(DIMENSION_CHOICES)[report.dimension],
    }
    notes = _filter_notes(filters)
    if report.dimension == "month":
        columns = [
            SheetColumn(_("Month"), 10),
            SheetColumn(_("Spent"), 16),
            SheetColumn(_("Cumulative spent"), 16),
            SheetColumn(_("Budget"), 16),
            SheetColumn(_("Cumulative execution (%)"), 14),
            SheetColumn(_("Time elapsed (%)"), 14),
        ]
        rows: list[list[Any]] = [
            [_month_label(r.month), r.spent, r.cumulative, r.budget, r.cumulative_rate, r.time_progress]
            for r in report.rows
        ]
    else:
        first = _("Unit") if report.dimension == "unit" else _("Category")
        columns = [
            SheetColumn(first, 30),
            SheetColumn(_("Budget"), 16),
            SheetColumn(_("Committed"), 16),
            SheetColumn(_("Spent"), 16),
            SheetColumn(_("Remaining"), 16),
            SheetColumn(_("Execution rate (%)"), 14),
        ]
        rows = [
            [
                INDENT * row.depth + (f"{row.code} {row.label}" if row.code else row.label),
                row.budget,
                row.committed,
                row.spent,
                row.remaining,
                row.rate,
            ]
            for row in report.rows
        ]
        rows.append(
            [_("Total"), report.budget, report.committed, report.spent, report.remaining, report.rate]
        )
    return _export(
        request,
        name=_("Budget execution"),
        title=title,
        notes=notes,
        columns=columns,
        rows=rows,
    )


@require_perm("finance.view")
def execution_report(request: AuthenticatedRequest) -> HttpResponseBase:
    units = org_selectors.unit_choices_for_user(user=request.user, perm="finance.view")
    form = ExecutionFilterForm(request.GET or None, years=_years(), units=units)
    filters = form.filters()
    dimension = filters.get("dimension") or "unit"
    report = reports.execution_report(
        user=request.user,
        year=filters["year"],
        dimension=dimension,
        unit=filters["unit"],
        category=filters.get("category"),
    )
    if request.GET.get("export") == "xlsx":
        return _execution_export(request, report, filters)
    return render(
        request,
        "finance/report_execution.html",
        {
            "form": form,
            "report": report,
            "year": report.year,
            "dimension": dimension,
            "dimension_label": dict(DIMENSION_CHOICES)[dimension],
            "chart": _execution_chart(report) if not report.is_empty else None,
            "month_rows": [(_month_label(row.month), row) for row in report.rows]
            if dimension == "month"
            else [],
            "breadcrumbs": [(_("Budget execution"), "")],
        },
    )


# -- the year-end summary ----------------------------------------------------------------------------------


def _year_export(
    request: AuthenticatedRequest, summary: reports.YearSummary, filters: dict[str, Any]
) -> HttpResponseBase:
    year, last = summary.year, summary.year - 1
    columns = [
        SheetColumn(_("Item"), 30),
        SheetColumn(_("Budget"), 16),
        SheetColumn(str(year), 16),
        SheetColumn(_("Execution rate (%)"), 14),
        SheetColumn(str(last), 16),
        SheetColumn(_("Year on year (%)"), 12),
    ]

    def line(label: str, figure: reports.Compared, budget: Any = None, rate: Any = None) -> list[Any]:
        return [label, budget, figure.amount, rate, figure.previous, figure.change]

    rows: list[list[Any]] = [[_("1. Income")]]
    rows += [
        [INDENT * (row.depth + 1) + row.name, None, row.amount, None, row.previous, row.change]
        for row in summary.income
    ]
    rows.append(line(_("Total income"), summary.income_total))
    rows.append([_("2. Expense")])
    rows += [
        [INDENT * (row.depth + 1) + row.name, row.budget, row.amount, row.rate, row.previous, row.change]
        for row in summary.expense
    ]
    rows.append(line(_("Total expense"), summary.expense_total, summary.expense_budget, summary.expense_rate))
    rows.append(line(_("Income less expense"), summary.surplus))
    rows.append([_("3. Funds balance")])
    rows.append(line(INDENT + _("Balance at the start of the year"), summary.opening))
    if summary.carried_in.amount or summary.carried_in.previous:
        rows.append(line(INDENT * 2 + _("of which balances carried into the books"), summary.carried_in))
    if summary.transfers.amount or summary.transfers.previous:
        rows.append(line(INDENT + _("Transfers between units"), summary.transfers))
    rows.append(line(INDENT + _("Balance at the end of the year"), summary.closing))
    rows.append([_("4. Spending requests paid")])
    rows.append(line(INDENT + _("Number paid"), summary.paid_count))
    rows.append(line(INDENT + _("Amount paid"), summary.paid_total))
    return _export(
        request,
        name=_("Year summary"),
        title=_("Union funds: income and expense %(year)s") % {"year": year},
        notes=_filter_notes(filters),
        columns=columns,
        rows=rows,
    )


def _year_chart(summary: reports.YearSummary) -> dict[str, Any]:
    top = [row for row in summary.expense if row.depth == 0]
    return {
        "labels": [row.name for row in top],
        "budget": [float(row.budget) for row in top],
        "spent": [float(row.amount) for row in top],
        "previous": [float(row.previous) for row in top],
        "income": [
            # Top-level rows only: a parent's amount already includes its sub-categories.
            {"name": row.name, "value": float(row.amount)}
            for row in summary.income
            if row.depth == 0 and row.amount > 0
        ],
    }


@require_perm("finance.view")
def year_report(request: AuthenticatedRequest) -> HttpResponseBase:
    units = org_selectors.unit_choices_for_user(user=request.user, perm="finance.view")
    form = ReportFilterForm(request.GET or None, years=_years(), units=units)
    filters = form.filters()
    summary = reports.year_summary(user=request.user, year=filters["year"], unit=filters["unit"])
    if request.GET.get("export") == "xlsx":
        return _year_export(request, summary, filters)
    return render(
        request,
        "finance/report_year.html",
        {
            "form": form,
            "summary": summary,
            "year": summary.year,
            "last_year": summary.year - 1,
            "unit": filters["unit"],
            "chart": _year_chart(summary) if not summary.is_empty else None,
            "today": timezone.localdate(),
            "breadcrumbs": [(_("Year summary"), "")],
        },
    )
