"""The 入会率 and 新进教职工入会率 pages: both KPIs with a per-unit breakdown, and the people behind each
number (with Excel export)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.organisations import selectors as org_selectors

from .. import selectors
from ..forms.dues import KpiFilterForm
from ..selectors.kpis import JOIN_RATE_GROUPS, NEW_HIRE_GROUPS, RateReport


def _filters(request: AuthenticatedRequest) -> tuple[KpiFilterForm, dict[str, Any]]:
    units = org_selectors.unit_choices_for_user(user=request.user, perm="members.view")
    start, end = selectors.kpis.default_period()
    values: dict[str, Any] = {"on": timezone.localdate(), "start": start, "end": end, "unit": None}
    form = KpiFilterForm(request.GET or None, units=units, initial=dict(values))
    if form.is_valid():
        for key in values:
            if form.cleaned_data.get(key):
                values[key] = form.cleaned_data[key]
    return form, values


def _query(values: dict[str, Any], **extra: Any) -> str:
    params = {
        "on": values["on"].isoformat(),
        "start": values["start"].isoformat(),
        "end": values["end"].isoformat(),
    }
    if values["unit"] is not None:
        params["unit"] = values["unit"].pk
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


def _people_url(values: dict[str, Any], kpi: str, group: str, unit: Any = None, direct: bool = False) -> str:
    scoped = dict(values, unit=unit) if unit is not None else values
    extra = {"direct": 1} if direct else {}
    return f"{reverse('members:kpi_people')}?{_query(scoped, kpi=kpi, group=group, **extra)}"


def _row_label(row: Any, report: RateReport) -> str:
    if row.unit is None:
        return _("Unknown unit")
    if row.is_self:
        return _("%(unit)s (attached directly)") % {"unit": row.unit.name}
    return str(row.unit.name)


@require_perm("members.view")
def kpi_overview(request: AuthenticatedRequest) -> HttpResponseBase:
    form, values = _filters(request)
    rate = selectors.kpis.join_rate(user=request.user, on=values["on"], unit=values["unit"])
    hires = selectors.kpis.new_hire_join_rate(
        user=request.user, start=values["start"], end=values["end"], unit=values["unit"]
    )
    if request.GET.get("export") == "xlsx":
        return _export(request, values, rate, hires)

    def rows(report: RateReport, kpi: str, groups: tuple[str, ...]) -> list[dict[str, Any]]:
        result = []
        for row in report.rows:
            drill = row.unit if row.unit is not None and not row.is_self else None
            result.append(
                {
                    "row": row,
                    "label": _row_label(row, report),
                    "drill_url": f"{reverse('members:kpi_overview')}?{_query(values, unit=drill.pk)}"
                    if drill is not None
                    else "",
                    "urls": {
                        group: _people_url(values, kpi, group, row.unit, direct=row.is_self)
                        for group in groups
                    },
                }
            )
        return result

    rate_urls = {g: _people_url(values, "join_rate", g) for g in JOIN_RATE_GROUPS}
    hire_urls = {g: _people_url(values, "new_hires", g) for g in NEW_HIRE_GROUPS}
    return render(
        request,
        "members/kpi_overview.html",
        {
            "form": form,
            "values": values,
            "rate": rate,
            "hires": hires,
            "rate_rows": rows(rate, "join_rate", JOIN_RATE_GROUPS),
            "hire_rows": rows(hires, "new_hires", NEW_HIRE_GROUPS),
            "rate_urls": rate_urls,
            "hire_urls": hire_urls,
            "rate_parts": [
                {"label": _("Members"), "value": rate.total.numerator, "url": rate_urls["members"]},
                {"label": _("Eligible staff"), "value": rate.total.denominator, "url": rate_urls["eligible"]},
                {"label": _("Not members"), "value": rate.total.gap, "url": rate_urls["non_members"]},
            ],
            "hire_parts": [
                {"label": _("Joined in time"), "value": hires.total.numerator, "url": hire_urls["joined"]},
                {"label": _("New hires"), "value": hires.total.denominator, "url": hire_urls["new_hires"]},
                {"label": _("Not joined in time"), "value": hires.total.gap, "url": hire_urls["not_joined"]},
            ],
            "export_url": f"?{_query(values, export='xlsx')}",
            "deadline_months": selectors.kpis.NEW_HIRE_JOIN_MONTHS,
            "breadcrumbs": [(_("Membership rates"), "")],
        },
    )


def _export(
    request: AuthenticatedRequest, values: dict[str, Any], rate: RateReport, hires: RateReport
) -> HttpResponseBase:
    """Both KPIs side by side per unit, with the total as the last row."""
    by_unit: dict[Any, dict[str, Any]] = {}
    for kind, report in (("rate", rate), ("hires", hires)):
        for row in report.rows:
            key = row.unit.pk if row.unit is not None else None
            by_unit.setdefault(
                key, {"label": _row_label(row, report), "path": row.unit.path if row.unit else ""}
            )[kind] = row
    columns = [
        SheetColumn(_("Unit"), 28),
        SheetColumn(_("Eligible staff"), 12),
        SheetColumn(_("Members"), 12),
        SheetColumn(_("Membership rate (%)"), 14),
        SheetColumn(_("New hires"), 12),
        SheetColumn(_("Joined in time"), 12),
        SheetColumn(_("Not joined in time"), 12),
        SheetColumn(_("of whom joined late"), 12),
        SheetColumn(_("of whom still within the deadline"), 14),
        SheetColumn(_("New staff membership rate (%)"), 16),
    ]

    def line(label: str, r: Any, h: Any) -> list[Any]:
        return [
            label,
            r.denominator if r else 0,
            r.numerator if r else 0,
            r.rate if r else None,
            h.denominator if h else 0,
            h.numerator if h else 0,
            h.gap if h else 0,
            h.counts.get("late", 0) if h else 0,
            h.counts.get("pending", 0) if h else 0,
            h.rate if h else None,
        ]

    def rows() -> Any:
        for entry in sorted(by_unit.values(), key=lambda e: e["path"]):
            yield line(entry["label"], entry.get("rate"), entry.get("hires"))
        yield line(_("Total"), rate.total, hires.total)

    name = _("Membership rates")
    notes = [
        _(
            "Membership rate as of %(date)s; new hires from %(start)s to %(end)s, joined within %(months)s months."
        )
        % {
            "date": date_format(values["on"], "SHORT_DATE_FORMAT"),
            "start": date_format(values["start"], "SHORT_DATE_FORMAT"),
            "end": date_format(values["end"], "SHORT_DATE_FORMAT"),
            "months": selectors.kpis.NEW_HIRE_JOIN_MONTHS,
        }
    ]

    def write(handle: Any) -> None:
        write_workbook(handle, sheet_title=name, columns=columns, rows=rows(), title=name, notes=notes)

    response = xlsx_response(f"{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx", write)
    audit(
        actor=request.user,
        action="core.list.exported",
        changes={"list": name, "rows": len(by_unit) + 1, "filters": _query(values), "unmasked_columns": []},
    )
    return response


# -- the people behind a number --------------------------------------------------------------------------


def _person_url(person: Any) -> str:
    return reverse("members:person_detail", args=[person.pk])


def _deadline(person: Any) -> dt.date | None:
    return selectors.kpis.new_hire_deadline(person)


class KpiPeopleTable(Table):
    columns = [
        Column("staff_no", gettext_lazy("Staff number"), sort="staff_no", link=_person_url, width=12),
        Column("name", gettext_lazy("Name"), sort="name", width=10),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=24),
        Column("category", gettext_lazy("Staff category"), value="category.name", width=10),
        Column("hire_date", gettext_lazy("Hire date"), sort="hire_date", width=12),
        Column(
            "status",
            gettext_lazy("Membership status"),
            value="membership.get_status_display",
            sort="membership__status",
            width=12,
        ),
        Column(
            "joined_on", gettext_lazy("Joined on"), value="membership.joined_on", sort="membership__joined_on"
        ),
    ]
    default_sort = "staff_no"
    export_name = gettext_lazy("People behind the membership rate")


class NewHirePeopleTable(KpiPeopleTable):
    columns = [
        *KpiPeopleTable.columns[:5],
        Column("deadline", gettext_lazy("Joining deadline"), value=_deadline, width=12),
        *KpiPeopleTable.columns[5:],
    ]
    export_name = gettext_lazy("New staff and their joining")


GROUP_TITLES = {
    "eligible": gettext_lazy("Eligible staff (the denominator)"),
    "members": gettext_lazy("Members (the numerator)"),
    "non_members": gettext_lazy("Eligible staff who are not members"),
    "new_hires": gettext_lazy("New hires of the period (the denominator)"),
    "joined": gettext_lazy("New hires who joined in time (the numerator)"),
    "not_joined": gettext_lazy("New hires who have not joined in time"),
}


@require_perm("members.view")
def kpi_people(request: AuthenticatedRequest) -> HttpResponseBase:
    form, values = _filters(request)
    kpi, group = request.GET.get("kpi", "join_rate"), request.GET.get("group", "")
    direct = request.GET.get("direct") == "1" and values["unit"] is not None
    if kpi == "join_rate" and group in JOIN_RATE_GROUPS:
        people = selectors.kpis.join_rate_people(
            user=request.user, group=group, on=values["on"], unit=values["unit"], direct=direct
        )
        table: Table = KpiPeopleTable(request, people)
        period = _("as of %(date)s") % {"date": date_format(values["on"], "DATE_FORMAT")}
    elif kpi == "new_hires" and group in NEW_HIRE_GROUPS:
        people = selectors.kpis.new_hire_people(
            user=request.user,
            group=group,
            start=values["start"],
            end=values["end"],
            unit=values["unit"],
            direct=direct,
        )
        table = NewHirePeopleTable(request, people)
        period = _("hired from %(start)s to %(end)s") % {
            "start": date_format(values["start"], "DATE_FORMAT"),
            "end": date_format(values["end"], "DATE_FORMAT"),
        }
    else:
        raise Http404
    title = str(GROUP_TITLES[group])
    scope_label = values["unit"].name if values["unit"] is not None else _("all my units")
    if direct:
        scope_label = _("%(unit)s (attached directly)") % {"unit": scope_label}
    siblings = JOIN_RATE_GROUPS if kpi == "join_rate" else NEW_HIRE_GROUPS
    return render_table(
        request,
        table,
        "members/kpi_people.html",
        {
            "form": form,
            "title": title,
            "subtitle": f"{scope_label} · {period}",
            "kpi": kpi,
            "group": group,
            "tabs": [
                {
                    "label": GROUP_TITLES[g],
                    "url": _people_url(values, kpi, g, direct=direct),
                    "active": g == group,
                }
                for g in siblings
            ],
            "back_url": f"{reverse('members:kpi_overview')}?{_query(values)}",
            "deadline_months": selectors.kpis.NEW_HIRE_JOIN_MONTHS,
            "breadcrumbs": [
                (_("Membership rates"), f"{reverse('members:kpi_overview')}?{_query(values)}"),
                (title, ""),
            ],
            "empty_title": _("Nobody here"),
            "empty_hint": _("No one in the chosen units and period is counted in this number."),
        },
        export_title=f"{title} · {scope_label} · {period}",
    )
