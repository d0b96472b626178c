"""The appeals trends dashboard (诉求趋势) for the union office, with its Excel export. The figures and
their definitions are in ``selectors.trends`` (and on the page)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..selectors import trends as selectors

VIEW = "appeals.view"


def _months(request: AuthenticatedRequest) -> int:
    try:
        months = int(request.GET.get("months") or selectors.DEFAULT_PERIOD)
    except ValueError:
        return selectors.DEFAULT_PERIOD
    return months if months in selectors.PERIODS else selectors.DEFAULT_PERIOD


def _month_label(month: Any) -> str:
    return month.strftime("%Y-%m")


def _chart(data: selectors.Trends) -> dict[str, Any]:
    return {
        "months": [_month_label(m) for m in data.months],
        "total": data.per_month,
        "categories": [{"name": s.name, "data": s.counts} for s in data.by_category],
        "offices": [{"name": s.name, "data": s.counts} for s in data.by_office],
        "performance": {
            "names": [row.name for row in data.offices],
            "acknowledged": [row.acknowledged.percent for row in data.offices],
            "replied": [row.replied.percent for row in data.offices],
            "satisfaction": [row.satisfaction.percent for row in data.offices],
        },
        "labels": {
            "total": _("Appeals"),
            "acknowledged": _("Acknowledged on time"),
            "replied": _("Replied on time"),
            "satisfaction": _("Satisfaction (满意率)"),
        },
    }


@require_perm(VIEW)
def trends(request: AuthenticatedRequest) -> HttpResponseBase:
    months = _months(request)
    data = selectors.trends(months=months)
    return render(
        request,
        "appeals/insight/trends.html",
        {
            "trends": data,
            "months": months,
            "periods": selectors.PERIODS,
            "chart": _chart(data),
            "keyword_months": [(_month_label(m), words) for m, words in reversed(data.keywords_by_month)],
            "breadcrumbs": [(_("Appeal trends"), "")],
        },
    )


def _rows(data: selectors.Trends) -> Iterator[list[Any]]:
    labels = [_month_label(m) for m in data.months]
    section = _("Appeals per month")
    for label, count in zip(labels, data.per_month, strict=True):
        yield [section, label, _("Appeals"), count]
    section = pgettext("appeal", "By category")
    for series in data.by_category:
        for label, count in zip(labels, series.counts, strict=True):
            yield [section, series.name, label, count]
        yield [section, series.name, _("Total"), series.total]
    section = _("By office")
    for series in data.by_office:
        for label, count in zip(labels, series.counts, strict=True):
            yield [section, series.name, label, count]
        yield [section, series.name, _("Total"), series.total]
    section = _("By unit")
    for unit in data.units:
        yield [section, unit.name, _("Appeals"), unit.count]
        yield [section, unit.name, _("Keywords"), " ".join(word for word, _w in unit.keywords)]
    if data.hidden_units:
        yield [
            section,
            _("Units with fewer than %(n)s appeals (not shown)") % {"n": data.unit_threshold},
            _("Appeals"),
            data.hidden_appeals,
        ]
    section = _("Keywords")
    for word, weight in data.keywords:
        yield [section, word, _("Weight"), weight]
    section = _("Keywords per month")
    for month, words in data.keywords_by_month:
        yield [section, _month_label(month), _("Keywords"), " ".join(word for word, _w in words)]
    section = _("Rising topics")
    for row in data.rising:
        yield [section, row["word"], _("Share now"), f"{100 * row['current']:.1f}%"]
        yield [section, row["word"], _("Share before"), f"{100 * row['previous']:.1f}%"]
        yield [section, row["word"], _("Growth (points)"), round(100 * row["growth"], 1)]
    section = _("Office performance")
    for office in data.offices:
        yield [section, office.name, _("Appeals"), office.count]
        yield [section, office.name, _("Acknowledged on time"), str(office.acknowledged)]
        yield [section, office.name, _("Replied on time"), str(office.replied)]
        yield [section, office.name, _("Rated"), office.satisfaction.denominator]
        yield [section, office.name, _("Satisfaction (满意率)"), str(office.satisfaction)]


@require_perm(VIEW)
def trends_export(request: AuthenticatedRequest) -> HttpResponseBase:
    months = _months(request)
    data = selectors.trends(months=months)
    name = _("Appeal trends")
    period = f"{_month_label(data.start)}–{_month_label(data.months[-1])}"
    counted = {"rows": 0}

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle,
            sheet_title=name,
            columns=[
                SheetColumn(_("Table"), 22),
                SheetColumn(_("Row"), 34),
                SheetColumn(_("Column"), 22),
                SheetColumn(_("Figure"), 40),
            ],
            rows=_rows(data),
            title=f"{name} · {period}",
            notes=[
                _("Appeals submitted from %(start)s to %(today)s; figures as of %(today)s.")
                % {"start": data.start.isoformat(), "today": data.today.isoformat()},
                _(
                    "A unit is shown only with at least %(n)s appeals in the period, so that no anonymous "
                    "member can be recognised."
                )
                % {"n": data.unit_threshold},
                _(
                    "Anonymous appeals are left out of the figures by unit (they count per month, "
                    "category and office)."
                ),
                _("满意率 = (满意 + 基本满意) / rated appeals; an appeal's rating is its latest one."),
            ],
        )

    response = xlsx_response(f"{name}-{period}.xlsx", write)
    audit(
        actor=request.user,
        action="appeals.trends.exported",
        target=None,
        changes={"months": months, "rows": counted["rows"]},
    )
    return response
