"""The annual 提案工作报告 (《学校教职工代表大会规定》: the congress reviews the handling of the previous
session's proposals): a .docx with the session's figures (``selectors.stats``), per office, and a table of
every numbered proposal with its office, status, implementation and rating. The union edits it in Word
afterwards, so it is plain headings, paragraphs and tables."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from smartunion.core.audit import audit
from smartunion.organisations import selectors as org_selectors

from ..models import Evaluation, Session
from ..selectors import stats

FONT = "宋体"


def _table(document: Any, header: list[str], rows: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)


def _rating(evaluation: Evaluation | None) -> str:
    if evaluation is None:
        return "—"
    return f"{Evaluation.Rating(evaluation.attitude).label} / {Evaluation.Rating(evaluation.result).label}"


def build(*, session: Session, today: Any = None) -> bytes:
    """The report of one session as .docx bytes."""
    today = today or timezone.localdate()
    figures = stats.report(session_ids=[session.pk], scope=stats.SCOPE_PROPOSALS, today=today)
    everything = stats.report(session_ids=[session.pk], scope=stats.SCOPE_ALL, today=today)
    d = figures.dispositions
    t = figures.timeliness
    s = figures.satisfaction

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)

    title = document.add_heading(
        _("Report on the proposal work of %(session)s") % {"session": session.name}, level=0
    )
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    school = org_selectors.school_name()
    byline = document.add_paragraph(
        _("%(school)s 提案工作委员会 · %(date)s") % {"school": school, "date": today.strftime("%Y-%m-%d")}
    )
    byline.alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading(_("1. Collection and review (征集与立案)"), level=1)
    document.add_paragraph(
        _(
            "%(submitted)s proposals were submitted to %(session)s. The committee accepted %(accepted)s as "
            "proposals (立案), handled %(suggestions)s as opinions and suggestions (意见建议), merged "
            "%(merged)s into others (并案) and did not accept %(rejected)s (不予立案); %(withdrawn)s were "
            "withdrawn by their proposers and %(review)s are still under review."
        )
        % {
            "submitted": d.submitted,
            "session": session.name,
            "accepted": d.accepted,
            "suggestions": d.suggestions,
            "merged": d.merged,
            "rejected": d.rejected,
            "withdrawn": d.withdrawn,
            "review": d.under_review,
        }
    )
    _table(
        document,
        [
            pgettext("congress", "Submitted"),
            _("立案"),
            _("意见建议"),
            _("并案"),
            _("不立案"),
            pgettext("congress", "Withdrawn"),
            _("Under review"),
        ],
        [[d.submitted, d.accepted, d.suggestions, d.merged, d.rejected, d.withdrawn, d.under_review]],
    )
    core = figures.core
    document.add_paragraph(
        _("内涵建设类 proposals: %(core)s of %(accepted)s 立案 proposals (%(rate)s).")
        % {"core": core.rate.numerator, "accepted": core.accepted, "rate": core.rate}
    )
    if core.by_category:
        _table(
            document,
            [_("Major category"), _("立案 proposals"), _("Share")],
            [
                [name or _("Not classified"), count, stats.Rate(count, core.accepted)]
                for name, count in core.by_category
            ],
        )

    document.add_heading(_("2. Handling and replies (办理与答复)"), level=1)
    document.add_paragraph(
        _(
            "Of %(assigned)s proposals assigned to the offices, %(replied)s have been replied (办复率 "
            "%(reply_rate)s). %(on_time)s replies were released by their deadline, %(late)s after it, and "
            "%(open)s rounds are unanswered past their deadline (按时办复率 %(on_time_rate)s)."
        )
        % {
            "assigned": t.assigned,
            "replied": t.replied,
            "reply_rate": t.reply_rate,
            "on_time": t.on_time,
            "late": t.late,
            "open": t.overdue_open,
            "on_time_rate": t.on_time_rate,
        }
    )
    impl = figures.implementation
    _table(
        document,
        [_("Implementation status"), _("Proposals"), _("Share")],
        [
            [_("A: solved or mostly solved"), impl.a, impl.rate("A")],
            [_("B: being solved or planned"), impl.b, impl.rate("B")],
            [_("C: cannot be solved for now"), impl.c, impl.rate("C")],
        ],
    )

    document.add_heading(_("3. Satisfaction (满意度测评)"), level=1)
    document.add_paragraph(
        _(
            "满意率 = (满意 + 基本满意) / rated proposals; a proposal's rating is its proposer's. First round: "
            "the rating of the first reply; final: the rating of the last reply, after any re-handling (重新办理)."
        )
    )
    rows = []
    for label, dims in ((_("First round"), s.first), (_("Final"), s.final)):
        for dim_label, counts in ((_("办理态度"), dims.attitude), (_("办理结果"), dims.result)):
            rows.append(
                [
                    label,
                    dim_label,
                    counts.evaluated,
                    counts.satisfied,
                    counts.basic,
                    counts.unsatisfied,
                    counts.rate,
                ]
            )
    _table(
        document,
        [_("Round"), _("Dimension"), _("Rated"), _("满意"), _("基本满意"), _("不满意"), _("满意率")],
        rows,
    )

    document.add_heading(_("4. The handling offices (承办单位)"), level=1)
    _table(
        document,
        [
            _("Office"),
            _("Led"),
            _("Assisted"),
            _("Replies"),
            _("按时办复率"),
            _("办理态度 (first round)"),
            _("办理结果 (first round)"),
            _("办理态度 (final)"),
            _("办理结果 (final)"),
        ],
        [
            [
                o.name,
                o.led,
                o.assisted,
                o.replies,
                o.on_time_rate,
                o.first.attitude.rate,
                o.first.result.rate,
                o.final.attitude.rate,
                o.final.result.rate,
            ]
            for o in figures.offices
        ],
    )
    if everything.dispositions.suggestions:
        document.add_paragraph(
            _(
                "Including the opinions and suggestions: 按时办复率 %(on_time)s, final 满意率 %(attitude)s / %(result)s."
            )
            % {
                "on_time": everything.timeliness.on_time_rate,
                "attitude": everything.satisfaction.final.attitude.rate,
                "result": everything.satisfaction.final.result.rate,
            }
        )

    document.add_heading(_("5. Every proposal (提案一览)"), level=1)
    table_rows = []
    for proposal in stats.session_proposals(session):
        table_rows.append(
            [
                proposal.number,
                proposal.title,
                str(proposal.proposer.person.name),
                getattr(proposal, "lead_office_name", "") or "—",
                proposal.get_status_display(),
                proposal.implementation or "—",
                _rating(getattr(proposal, "final_rating", None)),
            ]
        )
    _table(
        document,
        [
            _("Number"),
            _("Title (案由)"),
            _("Proposer"),
            _("Lead office"),
            _("Status"),
            _("A/B/C"),
            _("Rating (态度 / 结果)"),
        ],
        table_rows,
    )
    document.add_paragraph(
        _("Figures as of %(date)s. Edit this report freely before it goes to the congress.")
        % {"date": today.strftime("%Y-%m-%d")}
    )
    handle = io.BytesIO()
    document.save(handle)
    return handle.getvalue()


def report_docx(*, actor: Any, session: Session) -> bytes:
    """Build the report and record who downloaded it."""
    content = build(session=session)
    audit(actor=actor, action="proposals.report.generated", target=session, changes={"bytes": len(content)})
    return content
