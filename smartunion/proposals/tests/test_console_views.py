"""The committee's console pages: the list (tabs, filters, supervision colours, export, htmx, bounded
queries), the proposal's page (parts, similar proposals, the actions the permissions and the status
allow), each decision through its POST (done and refused), the assignment page and attachments."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.proposals.models import Assignment, Attachment, Proposal

from . import factories

pytestmark = pytest.mark.django_db

Status = Proposal.Status


@pytest.fixture
def v(congress: SimpleNamespace, make_user: Any, tree: Any) -> SimpleNamespace:
    s = congress
    s.chair = make_user("union_chair", tree.root, name="工会主席")
    s.submitted = factories.make_proposal(
        s.session,
        s.rep1,
        status=Status.SUBMITTED,
        cosigners=[s.rep2, s.rep3],
        title="关于增建东区停车场的提案",
        category=s.categories["民生福利"],
        suggested_office=s.logistics,
    )
    s.accepted = factories.make_proposal(
        s.session,
        s.rep2,
        status=Status.ACCEPTED,
        title="关于改善东区停车条件的提案",
        suggested_office=s.logistics,
    )
    s.overdue = factories.make_proposal(
        s.session,
        s.rep3,
        status=Status.ASSIGNED,
        lead=s.logistics,
        assists=[s.hr],
        title="关于食堂延长供餐时间的提案",
    )
    Proposal.objects.filter(pk=s.overdue.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    s.green = factories.make_proposal(s.session, s.rep4, status=Status.ASSIGNED, lead=s.hr, due_in_days=60)
    s.closed = factories.make_proposal(
        s.session, s.rep4, status=Status.CLOSED, lead=s.hr, title="关于校园绿化的提案"
    )
    s.draft = factories.make_proposal(s.session, s.rep1, title="尚未提交的草稿")
    return s


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _list(client: Client, query: str = "") -> Any:
    return client.get(reverse("proposals:console_list") + query)


def _flash(response: Any) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


# -- the list ------------------------------------------------------------------------------------------


def test_the_list_shows_submitted_proposals_by_tab(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    page = _list(client).content.decode()
    assert "关于增建东区停车场的提案" in page and "关于校园绿化的提案" in page
    assert "尚未提交的草稿" not in page  # drafts are the proposer's own
    review = _list(client, "?tab=review").content.decode()
    assert "关于增建东区停车场的提案" in review and "关于校园绿化的提案" not in review
    handling = _list(client, "?tab=handling").content.decode()
    assert "关于食堂延长供餐时间的提案" in handling and "后勤管理处" in handling
    assert 'data-tab="review"' in page


def test_the_list_filters(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    red = _list(client, "?colour=red").content.decode()
    assert "关于食堂延长供餐时间的提案" in red and "sla-red" in red
    assert v.green.title not in red
    green = _list(client, "?colour=green").content.decode()
    assert v.green.title in green and "关于食堂延长供餐时间的提案" not in green
    by_office = _list(client, f"?office={v.hr.pk}").content.decode()
    assert v.green.title in by_office and "关于增建东区停车场的提案" not in by_office
    by_category = _list(client, f"?category={v.categories['民生福利'].parent.pk}").content.decode()
    assert "关于增建东区停车场的提案" in by_category and "关于校园绿化的提案" not in by_category
    searched = _list(client, "?q=食堂").content.decode()
    assert "关于食堂延长供餐时间的提案" in searched and "关于校园绿化的提案" not in searched
    by_type = _list(client, "?record_type=suggestion").content.decode()
    assert "No proposals here" in by_type


def test_the_yellow_band_follows_the_warning_days(v: SimpleNamespace) -> None:
    s = v
    soon = factories.make_proposal(
        s.session, s.rep1, status=Status.ASSIGNED, lead=s.hr, title="临近期限的提案"
    )
    Proposal.objects.filter(pk=soon.pk).update(due_date=timezone.localdate() + dt.timedelta(days=1))
    yellow = _list(_client(s.committee), "?colour=yellow").content.decode()
    assert "临近期限的提案" in yellow and s.green.title not in yellow and "sla-yellow" in yellow


def test_the_list_exports_xlsx_and_answers_htmx_with_the_table(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    response = _list(client, "?tab=handling&export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert "关于食堂延长供餐时间的提案" in values and "Overdue" in values
    partial = client.get(reverse("proposals:console_list") + "?tab=all", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert 'id="table-region"' in body and "<html" not in body


def test_the_list_runs_a_bounded_number_of_queries(
    v: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    client = _client(v.committee)
    _list(client)
    for i in range(12):
        factories.make_proposal(
            v.session, v.rep1, status=Status.ASSIGNED, lead=v.logistics, assists=[v.hr], title=f"批量{i}"
        )
    with django_assert_max_num_queries(14):
        response = _list(client)
    assert "批量11" in response.content.decode()


def test_viewers_without_review_see_no_decisions(v: SimpleNamespace) -> None:
    response = _client(v.chair).get(reverse("proposals:console_detail", args=[v.submitted.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "关于增建东区停车场的提案" in page and 'id="accept-form"' not in page
    assert "Awaiting the committee's review." in page
    forbidden = _client(v.chair).post(reverse("proposals:console_accept", args=[v.submitted.pk]))
    assert forbidden.status_code == 403


def test_drafts_and_unknown_proposals_are_404(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    assert client.get(reverse("proposals:console_detail", args=[v.draft.pk])).status_code == 404
    assert client.get(reverse("proposals:console_detail", args=[99999])).status_code == 404


# -- the proposal's page ---------------------------------------------------------------------------------


def test_the_detail_shows_the_parts_and_similar_proposals(v: SimpleNamespace) -> None:
    response = _client(v.committee).get(reverse("proposals:console_detail", args=[v.submitted.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("代表1", "代表2", "代表3", 'id="accept-form"', 'id="reject-form"', 'id="merge-form"'):
        assert text in page, text
    # The similar proposal of the same session (about parking too) may be merged into in one click.
    similar = response.context["similar"]
    assert similar and similar[0]["proposal"] == v.accepted and similar[0]["may_merge_into"]
    assert "Merge into this one" in page and f"{similar[0]['percent']}%" in page


def test_the_detail_of_a_proposal_being_handled(v: SimpleNamespace) -> None:
    from smartunion.proposals.services import handling

    handling.assist_input(actor=v.hr_staff, proposal=v.overdue, text="人事处同意")
    page = _client(v.committee).get(reverse("proposals:console_detail", args=[v.overdue.pk])).content.decode()
    assert 'id="sla-colour"' in page and "Overdue" in page
    assert "人事处同意" in page and "internal" in page  # the non-public timeline line is shown here
    assert 'id="accept-form"' not in page


# -- decisions -------------------------------------------------------------------------------------------


def test_accept_through_the_page(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    core = v.categories["内涵建设"]
    response = client.post(reverse("proposals:console_accept", args=[v.submitted.pk]), {"category": core.pk})
    assert response.status_code == 302
    assert "Accepted (立案) as No. 5-2-005" in _flash(client.get(response["Location"]))[0]
    v.submitted.refresh_from_db()
    assert v.submitted.status == Status.ACCEPTED and v.submitted.category == core


def test_a_refused_decision_comes_back_with_its_message(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    response = client.post(
        reverse("proposals:console_reject", args=[v.submitted.pk]), {"reason": ""}, follow=True
    )
    assert "Write the reason for not accepting the proposal" in response.content.decode()
    assert Proposal.objects.get(pk=v.submitted.pk).status == Status.SUBMITTED
    twice = client.post(reverse("proposals:console_accept", args=[v.closed.pk]), follow=True)
    assert "This cannot be done while the proposal is" in twice.content.decode()


def test_reject_convert_merge_visibility_through_the_page(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    other = factories.make_proposal(v.session, v.rep4, status=Status.SUBMITTED, category=v.categories["其他"])
    third = factories.make_proposal(v.session, v.rep4, status=Status.SUBMITTED, category=v.categories["其他"])
    client.post(reverse("proposals:console_reject", args=[other.pk]), {"reason": "属于个人事务"})
    client.post(reverse("proposals:console_convert", args=[third.pk]), {"reason": "部门日常工作"})
    client.post(reverse("proposals:console_merge", args=[v.submitted.pk]), {"target": v.accepted.pk})
    client.post(reverse("proposals:console_visibility", args=[v.accepted.pk]), {"visibility": "private"})
    other.refresh_from_db()
    third.refresh_from_db()
    v.submitted.refresh_from_db()
    v.accepted.refresh_from_db()
    assert other.status == Status.REJECTED and other.decision_reason == "属于个人事务"
    assert third.record_type == Proposal.RecordType.SUGGESTION and third.number.endswith("J001")
    assert v.submitted.status == Status.MERGED and v.submitted.merged_into == v.accepted
    assert v.accepted.visibility == Proposal.Visibility.PRIVATE


# -- 交办 ------------------------------------------------------------------------------------------------


def test_the_assignment_page_shows_the_deadline_and_assigns(v: SimpleNamespace) -> None:
    client = _client(v.committee)
    url = reverse("proposals:console_assign", args=[v.accepted.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["lead"] == v.logistics.pk
    assert 'id="assign-due"' in page.content.decode() and page.context["due_date"] is not None
    refused = client.post(url, {"lead": v.logistics.pk, "assists": [v.logistics.pk]})
    assert refused.status_code == 200
    assert "The lead office cannot also be an assisting office" in refused.content.decode()
    done = client.post(url, {"lead": v.logistics.pk, "assists": [v.hr.pk]})
    assert done.status_code == 302
    assert Assignment.objects.filter(proposal=v.accepted, status="active").count() == 2
    again = client.get(url)
    assert again.status_code == 302  # no longer awaiting assignment


def test_the_assignment_page_without_co_handling(v: SimpleNamespace) -> None:
    session = factories.make_session(number=3, control_co_handling=False)
    proposal = factories.make_proposal(session, v.rep1, status=Status.ACCEPTED)
    page = _client(v.committee).get(reverse("proposals:console_assign", args=[proposal.pk]))
    assert "assists" not in page.context["form"].fields
    assert "This session does not use assisting offices" in page.content.decode()


# -- attachments -----------------------------------------------------------------------------------------


def test_attachments_for_console_office_and_leader_users(
    v: SimpleNamespace, make_user: Any, tree: Any
) -> None:
    attachment = Attachment.objects.create(
        proposal=v.overdue, name="现场照片.pdf", content_type="application/pdf", size=8, content=b"%PDF-1.4"
    )
    url = reverse("proposals:console_attachment", args=[attachment.pk])
    for user in (v.committee, v.logistics_staff, v.hr_staff, v.leader):
        response = _client(user).get(url)
        assert response.status_code == 200, user
        assert response.content == b"%PDF-1.4"
        assert "attachment;" in response["Content-Disposition"]
    other_office = make_user("handling_office", tree.root, name="保卫处经办")
    factories.make_office("保卫处", staff=[other_office])
    assert _client(other_office).get(url).status_code == 404
    assert _client(make_user("member", tree.a, name="会员")).get(url).status_code == 403
    page = _client(v.committee).get(reverse("proposals:console_detail", args=[v.overdue.pk])).content.decode()
    assert "现场照片.pdf" in page and url in page
