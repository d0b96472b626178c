"""The handling offices' and the leaders' console pages: the offices' list by tab (bounded queries),
a proposal's page with 退办 and 协办 input, the lead office's reply (draft, send for sign-off, release),
and the leaders' queue, 批示 and 审签 — each office sees only its own work."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.proposals.models import Assignment, Instruction, Proposal, Reply
from smartunion.proposals.services import handling

from . import factories

pytestmark = pytest.mark.django_db

Status = Proposal.Status
REPLY = "经研究，后勤管理处将于今年暑期在东区增建停车位120个。"


@pytest.fixture
def v(congress: SimpleNamespace, make_user: Any, tree: Any) -> SimpleNamespace:
    s = congress
    accepted = factories.make_proposal(
        s.session,
        s.rep1,
        status=Status.ACCEPTED,
        cosigners=[s.rep2, s.rep3],
        title="关于增建东区停车场的提案",
    )
    s.assigned = handling.proposal_assign(
        actor=s.committee, proposal=accepted, lead=s.logistics, assists=[s.hr]
    )
    s.hr_led = factories.make_proposal(
        s.session, s.rep2, status=Status.ASSIGNED, lead=s.hr, title="关于完善职称评审的提案"
    )
    s.replied = factories.make_proposal(
        s.session, s.rep3, status=Status.REPLIED, lead=s.logistics, title="关于校园绿化的提案"
    )
    s.security_staff = make_user("handling_office", tree.root, name="保卫处经办")
    s.security = factories.make_office("保卫处", staff=[s.security_staff])
    return s


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- the offices' list -----------------------------------------------------------------------------------


def test_the_office_list_by_tab(v: SimpleNamespace) -> None:
    client = _client(v.logistics_staff)
    todo = client.get(reverse("proposals:office_list")).content.decode()
    assert "关于增建东区停车场的提案" in todo and "关于完善职称评审的提案" not in todo
    assert "关于校园绿化的提案" not in todo
    replied = client.get(reverse("proposals:office_list") + "?tab=replied").content.decode()
    assert "关于校园绿化的提案" in replied and "关于增建东区停车场的提案" not in replied
    hr = _client(v.hr_staff).get(reverse("proposals:office_list")).content.decode()
    assert "关于增建东区停车场的提案" in hr and "关于完善职称评审的提案" in hr
    assert "Assisting office (协办)" in hr and "Lead office (主办)" in hr
    empty = _client(v.security_staff).get(reverse("proposals:office_list")).content.decode()
    assert "Nothing assigned to your office here" in empty


def test_the_office_list_runs_a_bounded_number_of_queries(
    v: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    client = _client(v.hr_staff)
    client.get(reverse("proposals:office_list"))
    for i in range(12):
        factories.make_proposal(v.session, v.rep1, status=Status.ASSIGNED, lead=v.hr, title=f"批量{i}")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("proposals:office_list"))
    assert "批量11" in response.content.decode()


def test_another_office_gets_404(v: SimpleNamespace) -> None:
    client = _client(v.security_staff)
    for name in ("office_detail", "office_reply"):
        assert client.get(reverse(f"proposals:{name}", args=[v.assigned.pk])).status_code == 404
    response = client.post(reverse("proposals:office_return", args=[v.assigned.pk]), {"reason": "不是我们的"})
    assert response.status_code == 404
    assert Proposal.objects.get(pk=v.assigned.pk).status == Status.ASSIGNED


# -- a proposal's page, 退办 and 会签 ----------------------------------------------------------------------


def test_the_lead_office_page(v: SimpleNamespace) -> None:
    page = _client(v.logistics_staff).get(reverse("proposals:office_detail", args=[v.assigned.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="reply-link"' in body and 'id="return-form"' in body and 'id="input-form"' not in body


def test_the_assisting_office_gives_its_input(v: SimpleNamespace) -> None:
    client = _client(v.hr_staff)
    body = client.get(reverse("proposals:office_detail", args=[v.assigned.pk])).content.decode()
    assert 'id="input-form"' in body and 'id="reply-link"' not in body
    empty = client.post(reverse("proposals:office_input", args=[v.assigned.pk]), {"text": ""}, follow=True)
    assert "Write your office&#x27;s input for the lead office" in empty.content.decode()
    client.post(reverse("proposals:office_input", args=[v.assigned.pk]), {"text": "人事处同意"})
    assert Assignment.objects.get(proposal=v.assigned, office=v.hr).input_text == "人事处同意"


def test_the_office_returns_a_wrong_assignment(v: SimpleNamespace) -> None:
    client = _client(v.logistics_staff)  # the lead office: the round goes back to the committee
    response = client.post(
        reverse("proposals:office_return", args=[v.assigned.pk]), {"reason": "不属后勤职责"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("proposals:office_list")
    assert Proposal.objects.get(pk=v.assigned.pk).status == Status.ACCEPTED


def test_no_return_after_the_window(v: SimpleNamespace) -> None:
    Assignment.objects.filter(proposal=v.assigned).update(
        return_until=timezone.localdate() - dt.timedelta(days=1)
    )
    client = _client(v.logistics_staff)
    body = client.get(reverse("proposals:office_detail", args=[v.assigned.pk])).content.decode()
    assert 'id="return-form"' not in body
    refused = client.post(
        reverse("proposals:office_return", args=[v.assigned.pk]), {"reason": "晚了"}, follow=True
    )
    assert "The time to return this assignment (退办) ended on" in refused.content.decode()


# -- the reply -------------------------------------------------------------------------------------------


def test_the_lead_office_drafts_and_sends_the_reply(v: SimpleNamespace) -> None:
    client = _client(v.logistics_staff)
    url = reverse("proposals:office_reply", args=[v.assigned.pk])
    handling.assist_input(actor=v.hr_staff, proposal=v.assigned, text="人事处无意见")
    page = client.get(url)
    assert page.status_code == 200 and "人事处无意见" in page.content.decode()
    assert "Send for sign-off (审签)" in page.content.decode()
    missing = client.post(url, {"action": "send", "body": "", "implementation": ""})
    assert missing.status_code == 200
    assert "Choose the implementation status: A, B or C." in missing.content.decode()
    saved = client.post(url, {"action": "save", "body": REPLY, "implementation": "B"})
    assert saved.status_code == 302 and saved["Location"] == url
    assert Reply.objects.get(proposal=v.assigned).status == Reply.Status.DRAFT
    assert client.get(url).context["form"].initial["implementation"] == "B"
    sent = client.post(url, {"action": "send", "body": REPLY, "implementation": "A"})
    assert sent.status_code == 302
    assert Proposal.objects.get(pk=v.assigned.pk).status == Status.REPLY_SIGNOFF
    # Nothing to write while the leader has it.
    assert client.get(url).status_code == 302


def test_the_assisting_office_cannot_reply(v: SimpleNamespace) -> None:
    response = _client(v.hr_staff).get(reverse("proposals:office_reply", args=[v.assigned.pk]), follow=True)
    assert "Only the lead office (主办) writes the reply" in response.content.decode()


# -- the leaders -----------------------------------------------------------------------------------------


def test_the_leader_queue_and_sign_off(v: SimpleNamespace) -> None:
    handling.reply_submit(actor=v.logistics_staff, proposal=v.assigned, body=REPLY, implementation="A")
    client = _client(v.leader)
    queue = client.get(reverse("proposals:leader_list")).content.decode()
    assert "关于增建东区停车场的提案" in queue and "关于校园绿化的提案" not in queue
    every = client.get(reverse("proposals:leader_list") + "?tab=all").content.decode()
    assert "关于校园绿化的提案" in every
    detail = client.get(reverse("proposals:leader_detail", args=[v.assigned.pk])).content.decode()
    assert 'id="signoff-form"' in detail and REPLY in detail
    back = client.post(
        reverse("proposals:leader_signoff", args=[v.assigned.pk]),
        {"decision": "send_back", "note": ""},
        follow=True,
    )
    assert "Write what the office should change" in back.content.decode()
    client.post(reverse("proposals:leader_signoff", args=[v.assigned.pk]), {"decision": "approve"})
    assert Proposal.objects.get(pk=v.assigned.pk).status == Status.REPLIED
    bad = client.post(
        reverse("proposals:leader_signoff", args=[v.assigned.pk]), {"decision": "maybe"}, follow=True
    )
    assert "Choose whether to approve the reply or send it back." in bad.content.decode()


def test_the_leader_sends_back_and_the_office_sees_the_note(v: SimpleNamespace) -> None:
    handling.reply_submit(actor=v.logistics_staff, proposal=v.assigned, body=REPLY, implementation="A")
    _client(v.leader).post(
        reverse("proposals:leader_signoff", args=[v.assigned.pk]),
        {"decision": "send_back", "note": "请写明完工时间"},
    )
    page = (
        _client(v.logistics_staff)
        .get(reverse("proposals:office_detail", args=[v.assigned.pk]))
        .content.decode()
    )
    assert 'id="sent-back"' in page and "请写明完工时间" in page


def test_the_leader_instructs(v: SimpleNamespace) -> None:
    client = _client(v.leader)
    response = client.post(reverse("proposals:leader_instruct", args=[v.assigned.pk]), {"text": "请抓紧办理"})
    assert response.status_code == 302
    assert Instruction.objects.get(proposal=v.assigned).text == "请抓紧办理"
    empty = client.post(reverse("proposals:leader_instruct", args=[v.assigned.pk]), {"text": ""}, follow=True)
    assert "Write the instruction (批示)." in empty.content.decode()
    office_page = _client(v.logistics_staff).get(reverse("proposals:office_detail", args=[v.assigned.pk]))
    assert "请抓紧办理" in office_page.content.decode()


def test_the_leader_list_runs_a_bounded_number_of_queries(
    v: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    client = _client(v.leader)
    client.get(reverse("proposals:leader_list") + "?tab=all")
    for i in range(12):
        factories.make_proposal(
            v.session, v.rep1, status=Status.REPLY_SIGNOFF, lead=v.logistics, title=f"批量{i}"
        )
    with django_assert_max_num_queries(14):
        response = client.get(reverse("proposals:leader_list"))
    assert "批量11" in response.content.decode()


def test_a_leader_of_other_offices_gets_404(v: SimpleNamespace, make_user: Any, tree: Any) -> None:
    other = make_user("school_leader", tree.root, name="另一位副校长")
    client = _client(other)
    assert client.get(reverse("proposals:leader_detail", args=[v.assigned.pk])).status_code == 404
    assert "Nothing here for you" in client.get(reverse("proposals:leader_list")).content.decode()
