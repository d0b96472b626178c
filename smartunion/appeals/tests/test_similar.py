"""Similar cases for an appeal: answered appeals (anonymised) and answered public proposals, ranked."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.appeals.models import Appeal, Reply
from smartunion.appeals.selectors.similar import similar_cases
from smartunion.organisations.models import OfficeStaff
from smartunion.proposals.models import Proposal
from smartunion.proposals.tests import factories as proposal_factories

from . import factories

pytestmark = pytest.mark.django_db
Status = Appeal.Status


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def stage(tree: SimpleNamespace) -> SimpleNamespace:
    taxonomy = factories.make_taxonomy()
    submitter = factories.make_member(tree.a, name="张秘密")
    canteen = factories.make_appeal(
        submitter,
        status=Status.CLOSED,
        category=taxonomy["食堂餐饮"],
        title="食堂早餐窗口开得太晚",
        body="食堂早餐窗口七点半才开，上早课来不及吃早餐，张秘密，工号A00001。",
        anonymous=True,
    )
    aircon = factories.make_appeal(
        submitter,
        status=Status.REPLIED,
        category=taxonomy["维修报修"],
        title="实验楼空调坏了",
        body="实验楼三楼空调坏了一周，上课太热。",
    )
    Reply.objects.filter(appeal=aircon).update(text="已派维修人员更换空调压缩机。")
    open_one = factories.make_appeal(
        submitter,
        status=Status.IN_PROGRESS,
        category=taxonomy["维修报修"],
        title="实验楼空调又坏了",
        body="实验楼三楼空调坏了，上课太热。",
    )
    return SimpleNamespace(
        taxonomy=taxonomy, submitter=submitter, canteen=canteen, aircon=aircon, open_one=open_one
    )


def test_the_duplicate_comes_first_with_its_reply(stage: SimpleNamespace) -> None:
    found = similar_cases(text="三楼空调坏了好几天，上课很热")
    assert found[0]["kind"] == "appeal"
    assert found[0]["number"] == stage.aircon.number
    assert found[0]["title"] == "实验楼空调坏了"
    assert found[0]["reply"] == "已派维修人员更换空调压缩机。"
    assert found[0]["url"] is None
    assert 0 < found[0]["score"] <= 1
    # Appeals still being handled have no answer to reuse.
    assert stage.open_one.number not in [item["number"] for item in found]


def test_an_appeal_never_matches_itself(stage: SimpleNamespace) -> None:
    text = f"{stage.aircon.title}\n{stage.aircon.body}"
    assert similar_cases(text=text)[0]["number"] == stage.aircon.number
    assert stage.aircon.number not in [
        i["number"] for i in similar_cases(text=text, exclude_pk=stage.aircon.pk)
    ]


def test_the_last_reply_is_the_answer(stage: SimpleNamespace) -> None:
    Reply.objects.create(
        appeal=stage.canteen, round=2, office=stage.canteen.office, text="早餐窗口已改为七点开放。"
    )
    found = similar_cases(text="食堂早餐窗口开得太晚")
    assert found[0]["number"] == stage.canteen.number
    assert found[0]["reply"] == "早餐窗口已改为七点开放。"


def test_no_identity_of_the_submitter(stage: SimpleNamespace) -> None:
    found = similar_cases(text="食堂早餐窗口开得太晚")
    assert found and found[0]["number"] == stage.canteen.number
    assert set(found[0]) == {"kind", "title", "number", "score", "reply", "url"}
    html = render_to_string("appeals/console/_similar.html", {"similar_cases": found})
    for secret in ("张秘密", "A00001", str(stage.submitter.staff_no), "机械工程学院", "上早课来不及"):
        assert secret not in html


def test_answered_public_proposals_are_cases_too(tree: SimpleNamespace, make_user: Any) -> None:
    session = proposal_factories.make_session()
    delegation = proposal_factories.make_delegation(session.congress, "机械学院代表团", tree.a)
    rep = proposal_factories.make_representative(session.congress, delegation, unit=tree.a, name="代表甲")
    office = proposal_factories.make_office("后勤处")
    proposal = proposal_factories.make_proposal(
        session, rep, status=Proposal.Status.CLOSED, lead=office, title="关于增建东区停车场的提案"
    )
    proposal_factories.make_proposal(
        session,
        rep,
        status=Proposal.Status.CLOSED,
        lead=office,
        title="关于东区停车位不足的提案",
        visibility=Proposal.Visibility.PRIVATE,
    )
    found = similar_cases(text="东区宿舍停车位严重不足，车辆乱停")
    assert [item["kind"] for item in found] == ["proposal"]
    assert found[0]["number"] == proposal.number
    assert found[0]["url"] == f"/m/proposals/{proposal.pk}/"
    assert found[0]["reply"].startswith("经研究")


def test_nothing_for_empty_text_or_unrelated_text(stage: SimpleNamespace) -> None:
    assert similar_cases(text="") == []
    assert similar_cases(text="   ") == []
    assert similar_cases(text="明天天气晴朗适合郊游") == []
    assert len(similar_cases(text="空调 食堂 早餐 维修", limit=1)) == 1


def test_query_count_is_bounded(stage: SimpleNamespace, django_assert_max_num_queries: Any) -> None:
    for i in range(10):
        factories.make_appeal(
            stage.submitter,
            status=Status.CLOSED,
            category=stage.taxonomy["工会福利"],
            title=f"中秋慰问品{i}",
            body="慰问品能否改成提货券",
        )
    with django_assert_max_num_queries(4):
        similar_cases(text="慰问品改成提货券")


def test_the_panel_renders_the_use_answer_hook_and_an_empty_state(stage: SimpleNamespace) -> None:
    found = similar_cases(text="三楼空调坏了好几天")
    html = render_to_string(
        "appeals/console/_similar.html", {"similar_cases": found, "similar_use_answer": True}
    )
    assert "data-use-answer" in html and 'data-answer="已派维修人员更换空调压缩机。"' in html
    assert "js/appeals_similar.js" in html
    assert "Similar cases" in html
    # Without a reply box on the page (the triage page) the answers are for reading only.
    read_only = render_to_string("appeals/console/_similar.html", {"similar_cases": found})
    assert "已派维修人员更换空调压缩机。" in read_only
    assert "data-use-answer" not in read_only and "js/appeals_similar.js" not in read_only
    empty = render_to_string("appeals/console/_similar.html", {"similar_cases": []})
    assert 'id="similar-none"' in empty and "data-use-answer" not in empty.replace("data-use-answer-done", "")


def test_old_timestamps_do_not_matter(stage: SimpleNamespace) -> None:
    Appeal.objects.filter(pk=stage.aircon.pk).update(created_at=timezone.now() - dt.timedelta(days=900))
    assert similar_cases(text="实验楼空调坏了")[0]["number"] == stage.aircon.number


def test_an_office_sees_its_own_appeals_and_published_faqs_only(stage: SimpleNamespace) -> None:
    logistics = stage.aircon.office_id
    personnel = stage.taxonomy["职称评审"].office_id
    title = factories.make_appeal(
        stage.submitter,
        status=Status.CLOSED,
        category=stage.taxonomy["职称评审"],
        title="副教授职称评审材料",
        body="副教授职称评审要交哪些材料，张秘密想问。",
    )
    Reply.objects.filter(appeal=title).update(text="人事处内部答复：张秘密的材料已收到。")
    query = "副教授职称评审需要哪些材料"
    # The union office (no office ids) sees every answered appeal with its own subject and reply.
    assert similar_cases(text=query)[0]["number"] == title.number
    # The logistics office sees its own appeals, but not personnel's unpublished one …
    found = similar_cases(text=query, viewer_office_ids={logistics})
    assert title.number not in [item["number"] for item in found]
    aircon = similar_cases(text="三楼空调坏了好几天", viewer_office_ids={logistics})
    assert aircon[0]["number"] == stage.aircon.number
    assert aircon[0]["reply"] == "已派维修人员更换空调压缩机。"
    # … and once published (常见问题), only its published question and answer.
    Appeal.objects.filter(pk=title.pk).update(
        published_at=timezone.now(),
        faq_question="副教授职称评审需要交哪些材料？",
        faq_answer="请按人事处通知提交评审材料。",
    )
    [faq] = [i for i in similar_cases(text=query, viewer_office_ids={logistics}) if i["kind"] == "appeal"]
    assert faq["number"] == title.number
    assert faq["title"] == "副教授职称评审需要交哪些材料？" and faq["reply"] == "请按人事处通知提交评审材料。"
    # Personnel itself still sees its own appeal as it is.
    own = similar_cases(text=query, viewer_office_ids={personnel})[0]
    assert own["title"] == "副教授职称评审材料" and own["reply"].startswith("人事处内部答复")


def test_an_office_without_offices_sees_published_faqs_and_proposals_only(stage: SimpleNamespace) -> None:
    assert similar_cases(text="三楼空调坏了好几天", viewer_office_ids=set()) == []


def test_the_office_page_shows_only_its_offices_cases(
    stage: SimpleNamespace, make_user: Any, tree: Any
) -> None:
    """The logistics office's page lists its own answered appeal, never personnel's (unpublished)."""
    personnel = factories.make_appeal(
        stage.submitter,
        status=Status.CLOSED,
        category=stage.taxonomy["职称评审"],
        title="实验楼空调坏了谁来修",
        body="实验楼三楼空调坏了，人事处内部情况。",
    )
    clerk = make_user("handling_office", tree.root, name="后勤经办")
    OfficeStaff.objects.create(office=stage.open_one.office, user=clerk)
    client = Client()
    client.force_login(clerk)
    page = client.get(reverse("appeals:office_detail", args=[stage.open_one.pk])).content.decode()
    assert 'id="similar-cases"' in page and stage.aircon.number in page
    assert personnel.number not in page and "人事处内部" not in page
    # The union office's triage page shows every answered appeal.
    staff = make_user("union_staff", tree.root, name="校工会干事")
    client.force_login(staff)
    page = client.get(reverse("appeals:console_detail", args=[stage.open_one.pk])).content.decode()
    assert stage.aircon.number in page and personnel.number in page
