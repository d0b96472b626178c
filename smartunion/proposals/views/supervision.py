"""The supervision board (督办): red / yellow / green by lead office, the running proposals with the overdue
ones first and how far each has been escalated, an Excel export; and the committee's 督办 note on one
proposal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.evaluation import BoardFilterForm, SuperviseForm
from ..selectors import access, sla
from ..selectors import supervision as selectors
from ..services import supervision as services
from .evaluation import back_to, console_url

SUPERVISE = "proposals.supervise"
PER_PAGE = 50


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_perm(SUPERVISE)
def supervision_board(request: AuthenticatedRequest) -> HttpResponseBase:
    today = timezone.localdate()
    session_id = _int(request.GET.get("session"))
    board = selectors.board(session_id=session_id, today=today)
    offices = sorted({row.lead.pk: row.lead for row in board.rows if row.lead}.values(), key=lambda o: o.name)
    form = BoardFilterForm(request.GET or None, offices=offices)
    colour = request.GET.get("colour", "")
    office_id = _int(request.GET.get("office"))
    rows = selectors.filter_rows(board.rows, colour=colour, office_id=office_id)
    if request.GET.get("export") == "xlsx":
        return _export(request, rows, today)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "board": board,
        "page": page,
        "rows": page.object_list,
        "today": today,
        "tomorrow": today + dt.timedelta(days=1),
        "labels": sla.LABELS,
        "awaiting": selectors.awaiting_counts(session_id=session_id),
        "escalation_days": selectors.escalation_days(session_id=session_id),
        "htmx_table": True,
        "breadcrumbs": [(_("Supervision (督办)"), "")],
    }
    template = "proposals/evaluation/supervision_board.html"
    if getattr(request, "htmx", False):
        template += "#rows"
    return render(request, template, context)


def _export_rows(rows: list[selectors.Row]) -> Iterator[list[Any]]:
    for row in rows:
        proposal = row.proposal
        yield [
            proposal.number,
            proposal.title,
            proposal.session.name,
            str(sla.LABELS.get(row.colour, "")) if row.colour else "—",
            row.lead.name if row.lead else "",
            "、".join(office.name for office in row.assists),
            proposal.due_date,
            row.days_left if row.days_left is not None else "",
            row.overdue_days or "",
            proposal.get_status_display(),
            _("Escalated to the office head") if row.escalated else (_("Reminded") if row.reminded else ""),
        ]


def _export(request: AuthenticatedRequest, rows: list[selectors.Row], today: Any) -> HttpResponseBase:
    name = _("Proposal supervision")
    counted = {"rows": 0}

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle,
            sheet_title=name,
            columns=[
                SheetColumn(_("Number"), 12),
                SheetColumn(_("Title (案由)"), 40),
                SheetColumn(_("Congress session"), 24),
                SheetColumn(_("SLA"), 10),
                SheetColumn(_("Lead office (主办)"), 18),
                SheetColumn(_("Assisting offices (协办)"), 24),
                SheetColumn(_("Reply due"), 12),
                SheetColumn(_("Working days left"), 12),
                SheetColumn(_("Working days overdue"), 12),
                SheetColumn(_("Status"), 18),
                SheetColumn(_("Escalation"), 18),
            ],
            rows=_export_rows(rows),
            title=f"{name} {today.isoformat()}",
        )

    response = xlsx_response(f"{name}-{today.strftime('%Y%m%d')}.xlsx", write)
    audit(
        actor=request.user,
        action="proposals.supervision.exported",
        changes={"rows": counted["rows"], "filters": dict(request.GET.items())},
    )
    return response


@require_perm(SUPERVISE)
@require_POST
def console_supervise(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """A 督办 note on the proposal's timeline, optionally sent to the offices handling it."""
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    form = SuperviseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the supervision note (督办意见)."))
        return redirect(back_to(request, console_url(proposal)))
    try:
        services.supervision_note_add(
            actor=request.user,
            proposal=proposal,
            text=form.cleaned_data["text"],
            notify_office=form.cleaned_data["notify_office"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if form.cleaned_data["notify_office"]:
            messages.success(request, _("Supervision note recorded and sent to the office(s)."))
        else:
            messages.success(request, _("Supervision note recorded."))
    return redirect(back_to(request, console_url(proposal)))


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


@require_perm(SUPERVISE)
@require_POST
def console_deadline(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The committee sets a new deadline for the reply (with a reason the office reads)."""
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    try:
        proposal = services.deadline_extend(
            actor=request.user,
            proposal=proposal,
            due_date=_date(request.POST.get("due_date")),
            reason=request.POST.get("reason", "")[:2000],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        assert proposal.due_date is not None
        messages.success(
            request,
            _("New deadline %(date)s recorded; the office(s) are told.")
            % {"date": proposal.due_date.isoformat()},
        )
    return redirect(back_to(request, console_url(proposal)))
