"""The annual 提案工作报告 (.docx): its figures and its table of every proposal."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from smartunion.core.models import AuditEntry
from smartunion.proposals.models import Evaluation, Proposal, Reply
from smartunion.proposals.selectors import stats
from smartunion.proposals.services import report

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status


@pytest.fixture
def session_with_proposals(congress: Any) -> Any:
    s = congress
    closed = factories.make_proposal(
        s.session,
        s.rep1,
        status=Status.CLOSED,
        lead=s.logistics,
        category=s.categories["内涵建设"],
        title="关于加强青年教师培养的提案",
    )
    Evaluation.objects.create(
        proposal=closed,
        reply=Reply.objects.get(proposal=closed),
        round=1,
        representative=s.rep1,
        is_proposer=True,
        attitude="satisfied",
        result="basic",
    )
    factories.make_proposal(
        s.session,
        s.rep2,
        status=Status.REPLIED,
        lead=s.hr,
        category=s.categories["民生福利"],
        title="关于食堂延长营业时间的提案",
    )
    factories.make_proposal(s.session, s.rep3, status=Status.REJECTED, title="不予立案的提案")
    factories.make_proposal(s.session, s.rep3, status=Status.SUBMITTED, title="待审查的提案")
    return s.session


def text_of(document: Any) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_report_figures_and_table(session_with_proposals: Any) -> None:
    """The figures printed are the statistics' of the same session (``selectors.stats.report``); see also
    ``test_handling_review_fixes.test_report_figures_equal_the_statistics`` (per office, both rounds)."""
    document = Document(io.BytesIO(report.build(session=session_with_proposals)))
    text = text_of(document)
    figures = stats.report(session_ids=[session_with_proposals.pk])
    d, t, core = figures.dispositions, figures.timeliness, figures.core
    assert "Report on the proposal work of 第5届教代会第2次会议" in text
    assert f"{d.submitted} proposals were submitted" in text
    assert f"accepted {d.accepted} as proposals (立案)" in text
    assert (
        f"did not accept {d.rejected} (不予立案)" in text
        and f"{d.under_review} are still under review" in text
    )
    assert (
        f"内涵建设类 proposals: {core.rate.numerator} of {core.accepted} 立案 proposals ({core.rate})" in text
    )
    assert f"{t.replied} have been replied (办复率 {t.reply_rate})" in text
    proposals_table = document.tables[-1]
    rows = [[cell.text for cell in row.cells] for row in proposals_table.rows]
    assert rows[0][:3] == ["Number", "Title (案由)", "Proposer"]
    # Every numbered proposal (the rejected one has no number), in number order.
    assert [row[1] for row in rows[1:]] == ["关于加强青年教师培养的提案", "关于食堂延长营业时间的提案"]
    first = rows[1]
    assert first[0] == "5-2-001" and first[3] == "后勤管理处" and first[4] == "Closed (办结)"
    assert first[6] == "Satisfied (满意) / Basically satisfied (基本满意)"
    assert rows[2][6] == "—"
    satisfaction = document.tables[3]
    cells = [[cell.text for cell in row.cells] for row in satisfaction.rows]
    attitude = figures.satisfaction.first.attitude
    assert cells[1] == [
        "First round",
        "办理态度",
        *(str(n) for n in (attitude.evaluated, attitude.satisfied, attitude.basic, attitude.unsatisfied)),
        str(attitude.rate),
    ]
    offices = [[cell.text for cell in row.cells] for row in document.tables[4].rows]
    assert offices[1:] == [
        [
            o.name,
            str(o.led),
            str(o.assisted),
            str(o.replies),
            str(o.on_time_rate),
            str(o.first.attitude.rate),
            str(o.first.result.rate),
            str(o.final.attitude.rate),
            str(o.final.result.rate),
        ]
        for o in figures.offices
    ]


def test_report_of_an_empty_session(congress: Any) -> None:
    document = Document(io.BytesIO(report.build(session=congress.session)))
    assert "0 proposals were submitted" in text_of(document)


def test_download(congress: Any, session_with_proposals: Any) -> None:
    client = Client()
    client.force_login(congress.committee)
    response = client.get(reverse("proposals:report_docx", args=[session_with_proposals.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert "attachment; filename*=UTF-8''" in response["Content-Disposition"]
    assert Document(io.BytesIO(response.content)).tables
    assert AuditEntry.objects.filter(action="proposals.report.generated", actor=congress.committee).exists()
    assert client.get(reverse("proposals:report_docx", args=[99999])).status_code == 404
