"""The statistics on a table of proposals and ratings, re-handling rounds included; the page, its Excel
export and its query count."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.core.models import AuditEntry
from smartunion.proposals.models import Assignment, Evaluation, Proposal, Reply
from smartunion.proposals.selectors import stats

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status
S, B, U = "satisfied", "basic", "unsatisfied"


def rate(
    proposal: Proposal, rep: Any, round_no: int, attitude: str, result: str, *, proposer: bool = True
) -> None:
    Evaluation.objects.create(
        proposal=proposal,
        reply=Reply.objects.get(proposal=proposal, round=round_no),
        round=round_no,
        representative=rep,
        is_proposer=proposer,
        attitude=attitude,
        result=result,
    )


def second_round(proposal: Proposal, office: Any, *, late: bool = False, implementation: str = "B") -> None:
    Assignment.objects.filter(proposal=proposal, round=1).update(status=Assignment.Status.ENDED)
    Assignment.objects.create(proposal=proposal, office=office, role=Assignment.Role.LEAD, round=2)
    Reply.objects.create(
        proposal=proposal,
        round=2,
        office=office,
        body="第二轮答复",
        implementation=implementation,
        status=Reply.Status.RELEASED,
        released_at=timezone.now(),
        is_overdue=late,
    )
    Proposal.objects.filter(pk=proposal.pk).update(round=2, implementation=implementation)


@pytest.fixture
def table(congress: Any) -> SimpleNamespace:
    """The session's proposals (see each line) and one proposal of an earlier session."""
    s = congress
    core, welfare, other = s.categories["内涵建设"], s.categories["民生福利"], s.categories["其他"]
    make = factories.make_proposal

    def proposal(status: str, **kw: Any) -> Proposal:
        kw.setdefault("lead", s.logistics)
        return make(s.session, s.rep1, status=status, cosigners=[s.rep2, s.rep3], **kw)

    # P1: closed on the first reply, 满意/满意; a co-signer's 不满意 does not count.
    p1 = proposal(Status.CLOSED, category=core, implementation="A")
    rate(p1, s.rep1, 1, S, S)
    rate(p1, s.rep2, 1, U, U, proposer=False)
    # P2: 基本满意/不满意 → re-handled by 人事处 (late) → 满意/基本满意.
    p2 = proposal(Status.CLOSED, category=welfare, implementation="C")
    rate(p2, s.rep1, 1, B, U)
    second_round(p2, s.hr, late=True, implementation="B")
    rate(p2, s.rep1, 2, S, B)
    # P3: 不满意 twice, closed by the committee with C.
    p3 = proposal(Status.CLOSED, category=welfare, implementation="C")
    rate(p3, s.rep1, 1, U, U)
    second_round(p3, s.logistics, implementation="C")
    rate(p3, s.rep1, 2, U, U)
    # P4: replied late, not rated yet.
    p4 = proposal(Status.REPLIED, category=core, implementation="A")
    Reply.objects.filter(proposal=p4).update(is_overdue=True)
    # P5: assigned, overdue, no reply.
    p5 = proposal(Status.ASSIGNED, category=other)
    Proposal.objects.filter(pk=p5.pk).update(due_date=timezone.localdate() - dt.timedelta(days=3))
    # Decided otherwise, or not decided.
    proposal(Status.REJECTED)
    proposal(Status.MERGED)
    proposal(Status.WITHDRAWN)
    proposal(Status.SUBMITTED)
    # A converted suggestion, replied and rated (counted only with 意见建议).
    p10 = proposal(
        Status.CLOSED, record_type=Proposal.RecordType.SUGGESTION, category=welfare, implementation="A"
    )
    rate(p10, s.rep1, 1, S, S)
    # Not submitted: a draft and a draft withdrawn.
    proposal(Status.DRAFT)
    Proposal.objects.filter(pk=proposal(Status.WITHDRAWN).pk).update(submitted_at=None)
    # An earlier session.
    earlier = factories.make_session(number=1, closed=True)
    old = make(earlier, s.rep2, status=Status.CLOSED, lead=s.logistics, category=core)
    rate(old, s.rep2, 1, B, B)
    return SimpleNamespace(p1=p1, p2=p2, p3=p3, p4=p4, p5=p5, p10=p10, earlier=earlier, session=s.session)


def test_dispositions(table: SimpleNamespace) -> None:
    d = stats.dispositions(session_ids=[table.session.pk])
    assert (d.submitted, d.accepted, d.suggestions, d.merged, d.rejected, d.withdrawn, d.under_review) == (
        10,
        5,
        1,
        1,
        1,
        1,
        1,
    )
    assert stats.dispositions().submitted == 11  # all sessions


def test_satisfaction_first_round_and_final(table: SimpleNamespace) -> None:
    s = stats.satisfaction(session_ids=[table.session.pk])
    # First round: P1 满意/满意, P2 基本满意/不满意, P3 不满意/不满意.
    assert (s.first.attitude.satisfied, s.first.attitude.basic, s.first.attitude.unsatisfied) == (1, 1, 1)
    assert s.first.attitude.rate.percent == 66.7 and s.first.result.rate.percent == 33.3
    # Final: P1 满意/满意, P2 (round 2) 满意/基本满意, P3 (round 2) 不满意/不满意.
    assert s.final.evaluated == 3
    assert s.final.attitude.rate == stats.Rate(2, 3) and s.final.result.rate == stats.Rate(2, 3)
    # With the suggestions: P10 满意/满意 too.
    everything = stats.satisfaction(session_ids=[table.session.pk], scope=stats.SCOPE_ALL)
    assert everything.first.attitude.rate == stats.Rate(3, 4) and everything.first.result.rate == stats.Rate(
        2, 4
    )
    assert everything.final.result.rate == stats.Rate(3, 4)


def test_timeliness(table: SimpleNamespace) -> None:
    t = stats.timeliness(session_ids=[table.session.pk])
    assert (t.assigned, t.replied, t.replies, t.on_time, t.late, t.overdue_open) == (5, 4, 6, 4, 2, 1)
    assert str(t.reply_rate) == "80.0%" and t.on_time_rate == stats.Rate(4, 7)


def test_core_share_and_implementation(table: SimpleNamespace) -> None:
    core = stats.core_share(session_ids=[table.session.pk])
    assert core.accepted == 5 and core.rate == stats.Rate(2, 5)
    assert dict(core.by_category) == {"内涵建设": 2, "民生福利": 2, "其他": 1}
    impl = stats.implementation(session_ids=[table.session.pk])
    assert (impl.a, impl.b, impl.c) == (2, 1, 1) and str(impl.rate("A")) == "50.0%"
    assert stats.implementation(session_ids=[table.session.pk], scope=stats.SCOPE_ALL).a == 3


def test_office_figures(congress: Any, table: SimpleNamespace) -> None:
    offices = {o.office_id: o for o in stats.office_figures(session_ids=[table.session.pk])}
    logistics, hr = offices[congress.logistics.pk], offices[congress.hr.pk]
    assert (logistics.led, logistics.replies, logistics.on_time, logistics.overdue_open) == (5, 5, 4, 1)
    assert logistics.on_time_rate == stats.Rate(4, 6)
    assert (hr.led, hr.replies, hr.on_time) == (1, 1, 0)
    # First round: every rating was of 后勤's replies; final: P2's is 人事处's.
    assert logistics.first.attitude.rate == stats.Rate(2, 3) and logistics.first.result.rate == stats.Rate(
        1, 3
    )
    assert logistics.final.attitude.rate == stats.Rate(1, 2) and logistics.final.result.rate == stats.Rate(
        1, 2
    )
    assert hr.first.evaluated == 0 and hr.final.attitude.rate == stats.Rate(1, 1)
    assert (logistics.implementation.a, logistics.implementation.c) == (2, 3)


def test_across_sessions(table: SimpleNamespace) -> None:
    rows = stats.by_session()
    assert [row.session for row in rows] == [table.session, table.earlier]
    now, before = rows
    assert now.dispositions.accepted == 5 and before.dispositions.accepted == 1
    assert now.on_time == stats.Rate(4, 7) and now.final_attitude == stats.Rate(2, 3)
    assert before.final_result == stats.Rate(1, 1) and before.core == stats.Rate(1, 1)


def test_rate_without_denominator() -> None:
    assert stats.Rate(0, 0).percent is None and str(stats.Rate(0, 0)) == "—"


# -- the page -----------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_page_defaults_to_the_latest_session(congress: Any, table: SimpleNamespace) -> None:
    response = client_for(congress.leader).get(reverse("proposals:stats"))
    assert response.status_code == 200
    html = response.content.decode()
    assert table.session.name in html and 'data-total="accepted">5<' in html
    assert 'data-figure="on_time_rate">57.1%<' in html and 'data-total="core">40.0%<' in html
    assert reverse("proposals:report_docx", args=[table.session.pk]) in html
    assert "data-proposals" in html  # the chart data


def test_page_all_sessions_and_scope(congress: Any, table: SimpleNamespace) -> None:
    client = client_for(congress.committee)
    html = client.get(reverse("proposals:stats") + "?session=all&scope=all").content.decode()
    assert 'data-figure="submitted">11<' in html and "Handling figures count 提案 and 意见建议" in html
    html = client.get(reverse("proposals:stats") + f"?session={table.earlier.pk}").content.decode()
    assert 'data-figure="submitted">1<' in html


def test_export(congress: Any, table: SimpleNamespace) -> None:
    response = client_for(congress.committee).get(reverse("proposals:stats") + "?export=xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    assert ("Dispositions", "立案", None, 5) in rows
    assert ("Handling", "按时办复率", None, "57.1%") in rows
    assert AuditEntry.objects.filter(action="proposals.stats.exported").exists()


def test_empty_page(congress: Any) -> None:
    html = client_for(congress.committee).get(reverse("proposals:stats")).content.decode()
    assert "No office has handled a proposal yet" in html


def test_page_query_count_is_bounded(
    congress: Any, table: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    client = client_for(congress.committee)
    client.get(reverse("proposals:stats"))
    with django_assert_max_num_queries(40):
        client.get(reverse("proposals:stats"))
    for i in range(6):
        factories.make_proposal(
            congress.session, congress.reps[i % 4], status=Status.CLOSED, lead=congress.hr
        )
    with django_assert_max_num_queries(40):
        assert client.get(reverse("proposals:stats") + "?session=all").status_code == 200


def test_members_and_offices_are_refused(congress: Any) -> None:
    assert client_for(congress.rep1.person.user).get(reverse("proposals:stats")).status_code == 403
    assert client_for(congress.logistics_staff).get(reverse("proposals:stats")).status_code == 403
