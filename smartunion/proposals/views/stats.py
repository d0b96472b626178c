"""Proposal statistics (per session, or across sessions) with ECharts and an Excel export, and the annual
提案工作报告 as .docx. The definitions are in ``selectors.stats`` and shown on the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from smartunion.core.audit import audit
from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.evaluation import StatsFilterForm
from ..models import Session
from ..selectors import stats as selectors
from ..services import report as report_services

STATS = "proposals.stats.view"
ALL = "all"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _percent(rate: selectors.Rate) -> float | None:
    return rate.percent


def _charts(report: selectors.Report, across: list[selectors.SessionFigures]) -> dict[str, Any]:
    d = report.dispositions
    s = report.satisfaction
    impl = report.implementation
    return {
        "dispositions": [
            {"name": _("立案"), "value": d.accepted},
            {"name": _("意见建议"), "value": d.suggestions},
            {"name": _("并案"), "value": d.merged},
            {"name": _("不立案"), "value": d.rejected},
            {"name": pgettext("congress", "Withdrawn"), "value": d.withdrawn},
            {"name": _("Under review"), "value": d.under_review},
        ],
        "satisfaction": {
            "dimensions": [_("办理态度"), _("办理结果")],
            "first": [_percent(s.first.attitude.rate), _percent(s.first.result.rate)],
            "final": [_percent(s.final.attitude.rate), _percent(s.final.result.rate)],
        },
        "offices": {
            "names": [o.name for o in report.offices],
            "on_time": [_percent(o.on_time_rate) for o in report.offices],
            "attitude": [_percent(o.final.attitude.rate) for o in report.offices],
            "result": [_percent(o.final.result.rate) for o in report.offices],
        },
        "implementation": [
            {"name": "A", "value": impl.a},
            {"name": "B", "value": impl.b},
            {"name": "C", "value": impl.c},
        ],
        "categories": [
            {"name": name or str(_("Not classified")), "value": n} for name, n in report.core.by_category
        ],
        "sessions": {
            "names": [row.session.name for row in reversed(across)],
            "on_time": [_percent(row.on_time) for row in reversed(across)],
            "attitude": [_percent(row.final_attitude) for row in reversed(across)],
            "result": [_percent(row.final_result) for row in reversed(across)],
            "core": [_percent(row.core) for row in reversed(across)],
        },
        "labels": {
            "first": _("First round"),
            "final": _("Final"),
            "on_time": _("按时办复率"),
            "attitude": _("满意率 办理态度"),
            "result": _("满意率 办理结果"),
            "core": _("内涵建设类占比"),
        },
    }


def _selection(
    request: AuthenticatedRequest,
) -> tuple[StatsFilterForm, Session | None, list[int] | None, str]:
    form = StatsFilterForm(request.GET or None)
    sessions = {str(s.pk): s for s in selectors.sessions()}
    chosen = request.GET.get("session")
    if chosen == ALL or chosen == "":
        session = None
    else:
        session = sessions.get(chosen or "") or next(iter(sessions.values()), None)
    scope = request.GET.get("scope") or selectors.SCOPE_PROPOSALS
    if scope not in (selectors.SCOPE_PROPOSALS, selectors.SCOPE_ALL):
        scope = selectors.SCOPE_PROPOSALS
    if not request.GET and session is not None:
        form = StatsFilterForm(initial={"session": str(session.pk), "scope": scope})
    return form, session, ([session.pk] if session else None), scope


@require_perm(STATS)
def stats(request: AuthenticatedRequest) -> HttpResponseBase:
    form, session, session_ids, scope = _selection(request)
    today = timezone.localdate()
    report = selectors.report(session_ids=session_ids, scope=scope, today=today)
    across = selectors.by_session(scope=scope, today=today)
    if request.GET.get("export") == "xlsx":
        return _export(request, report, across, session, today)
    return render(
        request,
        "proposals/stats/index.html",
        {
            "form": form,
            "session": session,
            "report": report,
            "across": across,
            "scope_all": scope == selectors.SCOPE_ALL,
            "chart": _charts(report, across),
            "implementation_rates": {key: report.implementation.rate(key) for key in ("A", "B", "C")},
            "breadcrumbs": [(_("Proposal statistics"), "")],
        },
    )


def _rows(report: selectors.Report, across: list[selectors.SessionFigures]) -> Iterator[list[Any]]:
    d = report.dispositions
    section = _("Dispositions")
    for label, value in (
        (pgettext("congress", "Submitted"), d.submitted),
        (_("立案"), d.accepted),
        (_("意见建议"), d.suggestions),
        (_("并案"), d.merged),
        (_("不立案"), d.rejected),
        (pgettext("congress", "Withdrawn"), d.withdrawn),
        (_("Under review"), d.under_review),
        (_("Submitted late"), d.late),
    ):
        yield [section, label, "", value]
    t = report.timeliness
    section = _("Handling")
    yield [section, _("Assigned"), "", t.assigned]
    yield [section, _("Replied"), "", t.replied]
    yield [section, _("办复率"), "", str(t.reply_rate)]
    yield [section, _("Replies released on time"), "", t.on_time]
    yield [section, _("Replies released late"), "", t.late]
    yield [section, _("Rounds unanswered past the deadline"), "", t.overdue_open]
    yield [section, _("按时办复率"), "", str(t.on_time_rate)]
    section = _("Satisfaction")
    for round_label, dims in (
        (_("First round"), report.satisfaction.first),
        (_("Final"), report.satisfaction.final),
    ):
        for dim_label, counts in ((_("办理态度"), dims.attitude), (_("办理结果"), dims.result)):
            row = f"{round_label} · {dim_label}"
            yield [section, row, _("Rated"), counts.evaluated]
            yield [section, row, _("满意"), counts.satisfied]
            yield [section, row, _("基本满意"), counts.basic]
            yield [section, row, _("不满意"), counts.unsatisfied]
            yield [section, row, _("满意率"), str(counts.rate)]
    section = _("内涵建设类占比")
    yield [section, _("立案"), "", report.core.accepted]
    yield [section, _("内涵建设类"), "", report.core.rate.numerator]
    yield [section, _("内涵建设类占比"), "", str(report.core.rate)]
    for name, count in report.core.by_category:
        yield [section, name or _("Not classified"), _("立案"), count]
    impl = report.implementation
    section = _("Implementation status")
    for key in ("A", "B", "C"):
        yield [section, key, _("Proposals"), getattr(impl, key.lower())]
        yield [section, key, _("Share"), str(impl.rate(key))]
    section = _("By office")
    for office in report.offices:
        yield [section, office.name, _("Led"), office.led]
        yield [section, office.name, _("Assisted"), office.assisted]
        yield [section, office.name, _("Replies"), office.replies]
        yield [section, office.name, _("按时办复率"), str(office.on_time_rate)]
        yield [section, office.name, _("满意率 办理态度 (first round)"), str(office.first.attitude.rate)]
        yield [section, office.name, _("满意率 办理结果 (first round)"), str(office.first.result.rate)]
        yield [section, office.name, _("满意率 办理态度 (final)"), str(office.final.attitude.rate)]
        yield [section, office.name, _("满意率 办理结果 (final)"), str(office.final.result.rate)]
    section = _("Across sessions")
    for figures in across:
        name = figures.session.name
        yield [section, name, pgettext("congress", "Submitted"), figures.dispositions.submitted]
        yield [section, name, _("立案"), figures.dispositions.accepted]
        yield [section, name, _("意见建议"), figures.dispositions.suggestions]
        yield [section, name, _("按时办复率"), str(figures.on_time)]
        yield [section, name, _("满意率 办理态度 (final)"), str(figures.final_attitude)]
        yield [section, name, _("满意率 办理结果 (final)"), str(figures.final_result)]
        yield [section, name, _("内涵建设类占比"), str(figures.core)]


def _export(
    request: AuthenticatedRequest,
    report: selectors.Report,
    across: list[selectors.SessionFigures],
    session: Session | None,
    today: Any,
) -> HttpResponseBase:
    name = _("Proposal statistics")
    label = session.name if session else _("All sessions")
    scope = _("提案 only") if report.scope == selectors.SCOPE_PROPOSALS else _("提案 and 意见建议")
    counted = {"rows": 0}

    def write(handle: Any) -> None:
        counted["rows"] = write_workbook(
            handle,
            sheet_title=name,
            columns=[
                SheetColumn(_("Table"), 24),
                SheetColumn(_("Row"), 32),
                SheetColumn(_("Column"), 28),
                SheetColumn(pgettext("statistics", "Figure"), 14),
            ],
            rows=_rows(report, across),
            title=f"{name} · {label}",
            notes=[
                _("Counted: %(scope)s. Figures as of %(date)s.")
                % {"scope": scope, "date": today.isoformat()},
                _("满意率 = (满意 + 基本满意) / rated proposals; a proposal's rating is its proposer's."),
            ],
        )

    response = xlsx_response(f"{name}-{label}-{today.strftime('%Y%m%d')}.xlsx", write)
    audit(
        actor=request.user,
        action="proposals.stats.exported",
        target=session,
        changes={"rows": counted["rows"], "scope": report.scope},
    )
    return response


@require_perm(STATS)
def report_docx(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The session's 提案工作报告 as an editable Word document."""
    session = get_object_or_404(Session.objects.select_related("congress"), pk=pk)
    content = report_services.report_docx(actor=request.user, session=session)
    filename = _("%(session)s proposal work report.docx") % {"session": session.name}
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
