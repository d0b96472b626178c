"""The ideas' demand for organisers (点单式: open ideas with their votes by unit, turn one into an activity or
close it with a note) and the participation statistics (charts and Excel)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.console import NoteForm, StatsFilterForm
from ..models import Idea
from ..selectors import activities as selectors
from ..selectors import stats as stats_selectors
from ..services import activities as services
from .console import crumbs

IDEAS = "activities.ideas.manage"
STATS = "activities.stats.view"


@require_perm(IDEAS)
def idea_list(request: AuthenticatedRequest) -> HttpResponseBase:
    status = request.GET.get("status", Idea.Status.OPEN)
    if status not in Idea.Status.values:
        status = Idea.Status.OPEN
    ideas = list(selectors.ideas_for_user(user=request.user, status=status)[:200])
    by_unit = selectors.votes_by_unit(ideas)
    for idea in ideas:
        idea.by_unit = by_unit.get(idea.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "activities/console/ideas.html",
        {
            "ideas": ideas,
            "status": status,
            # "Closed" alone is 已结账 elsewhere (finance): the idea's own word.
            "statuses": [
                (code, pgettext("idea", "Closed") if code == Idea.Status.CLOSED else label)
                for code, label in Idea.Status.choices
            ],
            "note_form": NoteForm(),
            "can_create": request.user.has_unit_perm("activities.manage"),
            "breadcrumbs": crumbs((_("Activity ideas"), "")),
        },
    )


@require_POST
@require_perm(IDEAS)
def idea_close(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    idea = selectors.idea_get_for_user(user=request.user, pk=pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a short note for the proposer and the voters."))
    else:
        try:
            services.idea_close(actor=request.user, idea=idea, note=form.cleaned_data["note"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The idea was closed; its proposer and voters were told."))
    return redirect("activities:console_ideas")


# -- statistics ----------------------------------------------------------------------------------------------


def _chart(report: stats_selectors.Report) -> dict[str, Any]:
    return {
        "units": [row.unit.name for row in report.units],
        "unit_rates": [row.rate for row in report.units],
        "kinds": [row.label for row in report.kinds],
        "kind_people": [row.participants for row in report.kinds],
        "kind_regs": [row.registrations for row in report.kinds],
        "months": [str(MONTHS[row.month]) for row in report.months],
        "month_people": [row.participants for row in report.months],
        "month_regs": [row.registrations for row in report.months],
    }


def _export(request: AuthenticatedRequest, report: stats_selectors.Report) -> HttpResponseBase:
    columns = [
        SheetColumn(_("Section"), 18),
        SheetColumn(_("Item"), 28),
        SheetColumn(_("Members"), 10),
        SheetColumn(_("Participants"), 12),
        SheetColumn(_("Registrations"), 12),
        SheetColumn(_("Rate (%)"), 10),
    ]
    rows: list[list[Any]] = []
    section = _("Participation by unit")
    for row in report.units:
        rows.append([section, row.unit.name, row.members, row.participants, row.registrations, row.rate])
    if report.total is not None:
        t = report.total
        rows.append([section, _("Total"), t.members, t.participants, t.registrations, t.rate])
    section = _("By kind (rate: no-shows)")
    for k in report.kinds:
        rows.append([section, k.label, None, k.participants, k.registrations, k.no_show_rate])
    section = _("By month")
    for m in report.months:
        rows.append([section, str(MONTHS[m.month]), None, m.participants, m.registrations, None])
    rows.append(
        [_("No-shows"), _("Confirmed at finished activities"), None, None, report.finished_confirmed, None]
    )
    rows.append([_("No-shows"), _("Not checked in"), None, None, report.no_shows, report.no_show_rate])
    name = _("Activity participation")
    counted = {"rows": 0}

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle,
            sheet_title=str(name),
            columns=columns,
            rows=rows,
            title=f"{name} {report.year}",
            notes=[_("Exported %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")}],
        )

    response = xlsx_response(f"{name}-{report.year}.xlsx", write)
    audit(
        actor=request.user,
        action="core.list.exported",
        changes={
            "list": str(name),
            "rows": counted["rows"],
            "filters": dict(request.GET.items()),
            "unmasked_columns": [],
        },
    )
    return response


@require_perm(STATS)
def stats(request: AuthenticatedRequest) -> HttpResponseBase:
    years = stats_selectors.years()
    form = StatsFilterForm(request.GET or None, user=request.user, years=years)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = data.get("year") or timezone.localdate().year
    report = stats_selectors.participation(user=request.user, year=year, unit=data.get("unit"))
    if request.GET.get("export") == "xlsx":
        return _export(request, report)
    return render(
        request,
        "activities/console/stats.html",
        {
            "form": form,
            "report": report,
            "year": year,
            "chart": _chart(report),
            "month_rows": [(str(MONTHS[row.month]), row) for row in report.months],
            "breadcrumbs": crumbs((_("Participation statistics"), "")),
        },
    )
