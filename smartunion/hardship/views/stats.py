"""Hardship statistics (aggregate counts only, suppressed below 3; a sub-union chair sees their subtree):
files by category and cause, by sub-union, new and closed per month, assistance paid by programme and
month, the average days from application to payment, and what is left of purged records. Excel export
with the same suppression, logged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.reviews import YearForm
from ..models import Category
from ..selectors import stats as selectors
from ..services.common import log_export


def _report(user: Any, year: int) -> dict[str, Any]:
    files = selectors.file_tables(user=user)
    return {
        "grid": files.grid,
        "units": files.units,
        "months": selectors.files_by_month(user=user, year=year),
        "paid": selectors.assistance_paid(user=user, year=year),
        "average_days": selectors.average_days_to_payment(user=user, year=year),
        "purged": selectors.purged_totals(user=user),
    }


def _charts(report: dict[str, Any]) -> dict[str, Any]:
    number = selectors.as_number
    return {
        "categories": [{"name": row["label"], "value": number(row["total"])} for row in report["grid"].rows],
        "units": [{"name": row.name, "value": number(row.active)} for row in report["units"]],
        "months": [
            {"name": str(MONTHS[row.month]), "new": number(row.new), "exited": number(row.exited)}
            for row in report["months"]
        ],
        "paid": [
            {
                "name": row.programme,
                "data": [float(amount) if selectors.shown(amount) else None for amount in row.months],
            }
            for row in report["paid"]
        ],
        "month_names": [str(MONTHS[m]) for m in range(1, 13)],
    }


def _rows(report: dict[str, Any], year: int) -> Iterator[list[Any]]:
    grid = report["grid"]
    section = _("Active files by category and cause")
    for row in grid.rows:
        for (_cause, label), value in zip(grid.columns, row["cells"], strict=True):
            yield [section, row["label"], label, value]
    section = _("Active files by sub-union")
    for unit_row in report["units"]:
        yield [section, unit_row.name, _("Active files"), unit_row.active]
        for (_value, label), value in zip(Category.choices, unit_row.by_category, strict=True):
            yield [section, unit_row.name, str(label), value]
    section = _("Files per month, %(year)s") % {"year": year}
    for month in report["months"]:
        name = str(MONTHS[month.month])
        yield [section, name, _("New files"), month.new]
        yield [section, name, _("Out of hardship"), month.exited]
        yield [section, name, _("Removed"), month.removed]
    section = _("Assistance paid (yuan), %(year)s") % {"year": year}
    for paid in report["paid"]:
        for index, amount in enumerate(paid.months, start=1):
            yield [section, paid.programme, str(MONTHS[index]), amount]
        yield [section, paid.programme, _("Applications paid"), paid.count]
    yield [
        _("Average days from application to payment"),
        str(year),
        "",
        report["average_days"] if report["average_days"] is not None else "—",
    ]
    for purged in report["purged"]:
        yield [_("Purged records (anonymous counts)"), purged["kind"], str(purged["year"]), purged["count"]]


@require_perm("hardship.stats.view")
def stats(request: AuthenticatedRequest) -> HttpResponseBase:
    years = selectors.years()
    form = YearForm(request.GET or None, years=years)
    year = years[0]
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    report = _report(request.user, year)
    if request.GET.get("export") == "xlsx":
        return _export(request, report, year)
    return render(
        request,
        "hardship/stats/index.html",
        {
            "form": form,
            "year": year,
            "report": report,
            "chart": _charts(report),
            "categories": [str(label) for _value, label in Category.choices],
            "suppressed": selectors.SUPPRESSED,
            "hidden": selectors.HIDDEN,
            "breadcrumbs": [(_("Hardship statistics"), "")],
        },
    )


def _export(request: AuthenticatedRequest, report: dict[str, Any], year: int) -> HttpResponseBase:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    counted = {"rows": 0}
    name = _("Hardship statistics")

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle,
            sheet_title=name,
            columns=[
                SheetColumn(_("Table"), 36),
                SheetColumn(_("Row"), 24),
                SheetColumn(_("Column"), 24),
                SheetColumn(pgettext("statistics", "Figure"), 14),
            ],
            rows=_rows(report, year),
            title=f"{name} {year}",
            notes=[
                _("Counts of 1 or 2 are shown as “<3”. No figure of any person is included."),
                _(
                    "“*”: hidden so that a count below 3 cannot be worked out from the totals (a month with 1 "
                    "or 2 payments shows no amount)."
                ),
            ],
        )

    response = xlsx_response(f"{name}-{year}-{stamp}.xlsx", write)
    log_export(
        actor=request.user,
        kind="stats",
        rows=counted["rows"],
        filters={"year": year},
        perm=selectors.PERM,
    )
    return response
