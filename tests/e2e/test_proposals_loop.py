"""Staff-congress proposals (教代会提案) in a real browser, the whole closed loop: a representative drafts a
proposal on the phone (character counts, autosave), invites two representatives of another delegation,
who co-sign (附议) on their phones; the proposer submits; the committee accepts it (立案, No. 5-2-001) and
assigns it to 后勤管理处 (交办); the office releases its reply with implementation status A (the session
has leader sign-off switched off, so the reply is released at once); the proposer rates 满意 on both
dimensions; the statistics count it. A member who is no representative sees the board but cannot propose.
Screenshots: docs/screenshots/proposals-1..11-*.png."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, User
from smartunion.core import workdays
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit
from smartunion.proposals.models import Evaluation, Proposal, Reply, Session, Signer
from smartunion.proposals.tests import factories

from .conftest import DESKTOP, PHONE, assert_chinese_renders, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Proposals-e2e-2026!"
Status = Proposal.Status

TITLE = "关于增设东区教工停车位的提案"
REASONS = (
    "东区教工宿舍和实验楼周边现有停车位约120个，而在东区工作和居住的教职工车辆已超过300辆。"
    "早晚高峰车辆沿道路两侧停放，占用消防通道，接送孩子的家长和学生通行不便，存在安全隐患。"
)
SUGGESTIONS = (
    "建议后勤管理处利用东区体育馆北侧空地建设立体停车场；近期先划定临时停车区域，并在高峰时段安排巡查疏导。"
)
REPLY = (
    "感谢您的提案。经学校研究，东区体育馆北侧立体停车场已列入今年基建计划，可新增车位260个，"
    "预计暑期开工、年底投入使用；临时停车区域已于本月划定并安排保卫处高峰时段巡查。"
)


def _user(staff_no: str, name: str, role: str | None = None, unit: Any = None) -> User:
    user = User.objects.create_user(staff_no, name, PASSWORD)
    if role:
        account_services.role_assign(actor=None, user=user, role=Role.objects.get(code=role), unit=unit)
    return user


@pytest.fixture
def world(live_server: Any) -> dict[str, Any]:
    """江海大学工会 with two colleges; 第五届教代会 with its first session (last year, one closed proposal on
    the same subject, so that the similar proposals show) and its second session collecting now, with leader
    sign-off (审签) switched off; two delegations of representatives with accounts; the committee secretary
    (proposal_committee at the root); 后勤管理处 with its staff member (handling_office); a member who is no
    representative; the default categories."""
    root = org_services.unit_create(
        actor=None, name="江海大学工会", code="P00", union_type=OrgUnit.UnionType.SCHOOL
    )
    mech = org_services.unit_create(
        actor=None, name="机械工程学院", code="P01", union_type=OrgUnit.UnionType.BRANCH, parent=root
    )
    lang = org_services.unit_create(
        actor=None, name="外国语学院", code="P02", union_type=OrgUnit.UnionType.BRANCH, parent=root
    )
    session = factories.make_session(control_leader_signoff=False)
    congress = session.congress
    now = timezone.now()
    past = Session.objects.create(
        congress=congress,
        number=1,
        name="第5届教代会第1次会议",
        meeting_date=(now - dt.timedelta(days=360)).date(),
        collection_opens=now - dt.timedelta(days=400),
        collection_closes=now - dt.timedelta(days=370),
    )
    d_mech = factories.make_delegation(congress, "机械学院代表团", mech)
    d_lang = factories.make_delegation(congress, "外语学院代表团", lang)

    def rep(staff_no: str, name: str, delegation: Any, unit: Any) -> Any:
        return factories.make_representative(
            congress, delegation, unit=unit, user=_user(staff_no, name), name=name
        )

    proposer = rep("P2001", "陈立新", d_mech, mech)
    colleague = rep("P2002", "周海涛", d_mech, mech)
    invitee1 = rep("P3001", "李晓梅", d_lang, lang)
    invitee2 = rep("P3002", "赵文博", d_lang, lang)
    rep("P3003", "孙静", d_lang, lang)
    committee = _user("P1001", "提案委秘书", "proposal_committee", root)
    office_user = _user("P1002", "后勤办公室刘洋", "handling_office", root)
    logistics = factories.make_office("后勤管理处", staff=[office_user])
    factories.make_office("人事处")
    factories.make_office("保卫处")
    categories = factories.make_categories()
    factories.make_proposal(
        past,
        colleague,
        status=Status.CLOSED,
        title="关于缓解东区教工停车难问题的提案",
        cosigners=[invitee1],
        lead=logistics,
        category=categories["民生福利"],
    )
    member = factories.make_person_with_user(mech, name="王普通", user=_user("P4001", "王普通"))
    return {
        "root": root,
        "session": session,
        "past": past,
        "proposer": proposer,
        "colleague": colleague,
        "invitees": [invitee1, invitee2],
        "committee": committee,
        "office_user": office_user,
        "logistics": logistics,
        "categories": categories,
        "member": member,
    }


def _context_page(browser: Any, options: dict[str, Any]) -> tuple[Any, Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    return context, page


def _flash(page: Any) -> str:
    page.wait_for_selector(".flash")
    return page.inner_text(".flash-stack")


def test_a_proposal_goes_round_the_whole_loop(world: dict[str, Any], browser: Any, live_server: Any) -> None:
    url = live_server.url
    session = world["session"]

    # 1. The proposer, on the phone: 我的提案 → new proposal → the draft.
    phone_context, phone = _context_page(browser, PHONE)
    login(phone, url, "P2001", PASSWORD)
    phone.wait_for_url(re.compile(r"/m/"))
    phone.goto(f"{url}/m/proposals/")
    phone.wait_for_selector("#session-card")
    assert_chinese_renders(phone)
    assert session.name in phone.inner_text("#session-card")
    phone.click("#new-proposal")
    phone.wait_for_url(re.compile(r"/m/proposals/new/$"))
    assert phone.locator("#one-issue-guide").count() == 1  # the 一事一案 guidance while writing
    phone.fill("#new-proposal-form input[name=title]", TITLE)
    phone.click("#new-proposal-form button[type=submit]")
    phone.wait_for_url(re.compile(r"/m/proposals/\d+/edit/$"))
    proposal = Proposal.objects.get(title=TITLE)
    assert (proposal.status, proposal.proposer_id) == (Status.DRAFT, world["proposer"].pk)

    # The character counts follow the typing against the session's rules.
    phone.fill("#id_reasons", REASONS[:20])
    reasons_count = phone.locator("[data-counter-for=reasons]")
    assert reasons_count.inner_text().startswith("20 ")
    assert "bad" in (reasons_count.get_attribute("class") or "")  # below the 50-character minimum
    phone.fill("#id_reasons", REASONS)
    assert reasons_count.inner_text().startswith(f"{len(REASONS)} ")
    assert f"{session.reasons_min_chars}–{session.reasons_max_chars}" in reasons_count.inner_text()
    assert "ok" in (reasons_count.get_attribute("class") or "")
    phone.fill("#id_suggestions", SUGGESTIONS)
    assert phone.inner_text("[data-counter-for=suggestions]").startswith(f"{len(SUGGESTIONS)} ")
    phone.select_option("#id_category", label="后勤保障")
    phone.select_option("#id_suggested_office", label="后勤管理处")
    # The autosave (htmx, on a change and a few seconds after the typing stops) keeps the text and
    # says when it saved.
    for _ in range(40):
        proposal.refresh_from_db()
        if (proposal.reasons, proposal.suggestions, proposal.suggested_office_id) == (
            REASONS,
            SUGGESTIONS,
            world["logistics"].pk,
        ):
            break
        phone.wait_for_timeout(500)
    assert (proposal.reasons, proposal.suggestions) == (REASONS, SUGGESTIONS)
    phone.wait_for_function(
        "() => /\\d{2}:\\d{2}/.test(document.querySelector('#autosave-status').textContent)"
    )
    assert proposal.category is not None and proposal.category.name == "后勤保障"
    # The similar proposal of the last session shows while writing.
    phone.wait_for_function(
        "() => document.querySelector('#similar').textContent.includes('停车难')", timeout=30_000
    )
    phone.evaluate("window.scrollTo(0, 0)")
    screenshot(phone, "proposals-1-draft")

    phone.click("#save-draft")
    phone.wait_for_url(re.compile(rf"/m/proposals/{proposal.pk}/$"))
    # Ready but for the co-signers: the one unmet condition left.
    assert phone.locator("#readiness li.bad").count() == 1

    # Invite two representatives of 外语学院代表团.
    phone.click("#invite")
    phone.wait_for_url(re.compile(rf"/m/proposals/{proposal.pk}/cosigners/"))
    for invitee in world["invitees"]:
        name = invitee.person.name
        phone.fill("#id_q", name)
        row = phone.locator("#results li.pp-row", has_text=name)
        row.wait_for()
        assert "外语学院代表团" in row.inner_text()
        row.locator("button[type=submit]").click()
        assert name in _flash(phone)
        phone.wait_for_selector(f"#invitees li:has-text('{name}')")
    assert phone.locator("#invitees .badge-warning").count() == 2
    screenshot(phone, "proposals-2-invite")
    proposal.refresh_from_db()
    assert proposal.status == Status.SEEKING_COSIGN

    # 2. The invitees co-sign under 待附议 on their phones.
    for index, invitee in enumerate(world["invitees"]):
        context, page = _context_page(browser, PHONE)
        login(page, url, invitee.person.staff_no, PASSWORD)
        page.wait_for_url(re.compile(r"/m/"))
        page.goto(f"{url}/m/proposals/")
        item = page.locator("#invitations li", has_text=TITLE)
        item.wait_for()
        assert "陈立新" in item.inner_text()
        if index == 0:
            screenshot(page, "proposals-3-cosign")
        item.locator("form:has(input[name=answer][value=accept]) button").click()  # 附议
        assert TITLE in _flash(page)
        assert page.locator("#invitations li", has_text=TITLE).count() == 0
        context.close()
    assert (
        Signer.objects.filter(
            proposal=proposal, role=Signer.Role.COSIGNER, status=Signer.Status.ACCEPTED
        ).count()
        == 2
    )

    # 3. The proposer submits and follows the progress.
    phone.goto(f"{url}/m/proposals/{proposal.pk}/")
    assert phone.locator("#readiness li.bad").count() == 0  # both co-signed: ready to submit
    phone.click("#submit")
    _flash(phone)
    assert phone.locator(".flash-success").count() == 1
    proposal.refresh_from_db()
    assert proposal.status == Status.SUBMITTED
    assert phone.locator("#readiness").count() == 0
    assert phone.locator("#stages li.current").count() == 1
    assert "李晓梅" in phone.inner_text("#signers") and "赵文博" in phone.inner_text("#signers")
    screenshot(phone, "proposals-4-progress")

    # 4. The committee, on the desktop: the list, the proposal with its similar ones, 立案, 交办.
    desk_context, desk = _context_page(browser, DESKTOP)
    login(desk, url, "P1001", PASSWORD)
    desk.wait_for_url(re.compile(r"/console/$"))
    desk.goto(f"{url}/console/proposals/?tab=review")
    desk.click(f"a[href='/console/proposals/{proposal.pk}/']")
    desk.wait_for_url(re.compile(rf"/console/proposals/{proposal.pk}/$"))
    similar = desk.inner_text("#similar")
    assert "5-1-001" in similar and "停车难" in similar
    assert re.search(r"\d+%", similar)
    assert_chinese_renders(desk)
    screenshot(desk, "proposals-5-console-detail")
    desk.click("#accept-form button[type=submit]")
    assert "5-2-001" in _flash(desk)
    assert desk.inner_text("#proposal-number").strip() == "5-2-001"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.number) == (Status.ACCEPTED, "5-2-001")

    desk.click("#assign-link")
    desk.wait_for_url(re.compile(rf"/console/proposals/{proposal.pk}/assign/$"))
    due = workdays.add_working_days(timezone.localdate(), session.reply_working_days)
    assert due.strftime("%Y-%m-%d") in desk.inner_text("#assign-due")
    assert "30" in desk.inner_text("#assign-due")
    desk.select_option("select[name=lead]", label="后勤管理处")
    screenshot(desk, "proposals-6-assign")
    desk.click("#assign-form button[type=submit]")
    desk.wait_for_url(re.compile(rf"/console/proposals/{proposal.pk}/$"))
    _flash(desk)
    assert desk.inner_text("#due-date").strip() == due.strftime("%Y-%m-%d")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.due_date) == (Status.ASSIGNED, due)

    # 5. 后勤管理处 drafts its reply with status A and releases it (no leader sign-off in this session).
    office_context, office = _context_page(browser, DESKTOP)
    login(office, url, "P1002", PASSWORD)
    office.wait_for_url(re.compile(r"/console/$"))
    office.goto(f"{url}/console/proposals/office/")
    office.click(f"a[href='/console/proposals/office/{proposal.pk}/']")
    office.wait_for_url(re.compile(rf"/console/proposals/office/{proposal.pk}/$"))
    office.click("#reply-link")
    office.wait_for_url(re.compile(rf"/console/proposals/office/{proposal.pk}/reply/$"))
    office.fill("textarea[name=body]", REPLY)
    office.check("input[name=implementation][value=A]")
    office.click("#reply-form button[value=save]")
    _flash(office)
    assert office.locator(".flash-success").count() == 1
    assert office.input_value("textarea[name=body]") == REPLY
    assert office.is_checked("input[name=implementation][value=A]")
    assert "审签" not in office.inner_text("#reply-form button[value=send]")  # released, no sign-off
    screenshot(office, "proposals-7-office-reply")
    office.click("#reply-form button[value=send]")
    office.wait_for_url(re.compile(rf"/console/proposals/office/{proposal.pk}/$"))
    _flash(office)
    reply = Reply.objects.get(proposal=proposal)
    assert (reply.status, reply.implementation) == (Reply.Status.RELEASED, "A")
    proposal.refresh_from_db()
    assert proposal.status == Status.REPLIED
    office_context.close()

    # 6. The proposer rates 满意 on both dimensions, on the phone.
    phone.goto(f"{url}/m/proposals/")
    phone.click(f"#awaiting-evaluation a:has-text('{TITLE}')")
    phone.wait_for_url(re.compile(rf"/m/proposals/{proposal.pk}/evaluate/$"))
    assert "后勤管理处" in phone.inner_text("#evaluate-reply")
    phone.click("#rating-attitude label.rating-satisfied")
    phone.click("#rating-result label.rating-satisfied")
    phone.fill("textarea[name=comment]", "答复及时具体，临时停车区已经启用，感谢后勤管理处。")
    assert phone.is_checked("#rating-attitude input[value=satisfied]")
    assert phone.is_checked("#rating-result input[value=satisfied]")
    screenshot(phone, "proposals-8-rate")
    phone.click("#evaluate-form button[type=submit]")
    phone.wait_for_url(re.compile(rf"/m/proposals/{proposal.pk}/$"))
    _flash(phone)
    evaluation = Evaluation.objects.get(proposal=proposal)
    assert (evaluation.attitude, evaluation.result, evaluation.is_proposer) == (
        Evaluation.Rating.SATISFIED,
        Evaluation.Rating.SATISFIED,
        True,
    )
    proposal.refresh_from_db()
    assert proposal.status == Status.CLOSED
    phone_context.close()

    # 7. The statistics of the session count it.
    desk.goto(f"{url}/console/proposals/stats/")
    desk.wait_for_selector("#stats-totals")
    assert session.name in desk.inner_text("h1")
    figures = {
        key: desk.inner_text(f"#stats-totals [data-total={key}]").strip()
        for key in ("submitted", "accepted", "attitude", "result")
    }
    assert figures == {"submitted": "1", "accepted": "1", "attitude": "100.0%", "result": "100.0%"}
    assert desk.inner_text("[data-figure=accepted]").strip() == "1"
    final = desk.inner_text("#satisfaction tr[data-key=final-attitude]")
    assert "100.0%" in final
    assert "100.0%" in desk.inner_text("#satisfaction tr[data-key=final-result]")
    office_row = desk.inner_text(f"#office-table tr[data-key='{world['logistics'].pk}']")
    assert "后勤管理处" in office_row and "100.0%" in office_row
    desk.wait_for_selector("#chart-satisfaction[data-rendered]")
    screenshot(desk, "proposals-9-stats")
    desk_context.close()


def test_a_member_who_is_no_representative_reads_the_board_but_cannot_propose(
    world: dict[str, Any], phone: Any, live_server: Any
) -> None:
    url = live_server.url
    factories.make_proposal(
        world["session"],
        world["colleague"],
        status=Status.ASSIGNED,
        title="关于延长图书馆周末开放时间的提案",
        cosigners=world["invitees"],
        lead=world["logistics"],
        category=world["categories"]["内涵建设"],
    )
    login(phone, url, "P4001", PASSWORD)
    phone.wait_for_url(re.compile(r"/m/"))
    phone.goto(f"{url}/m/proposals/")
    phone.wait_for_selector("#about-proposals")
    assert phone.locator("#new-proposal").count() == 0
    phone.click("#board-link")
    phone.wait_for_url(re.compile(r"/m/proposals/board/"))
    assert "关于延长图书馆周末开放时间的提案" in phone.inner_text("main")
    assert "后勤管理处" in phone.inner_text("main")
    assert phone.locator("#new-proposal").count() == 0
    assert_chinese_renders(phone)
    screenshot(phone, "proposals-10-board")

    response = phone.goto(f"{url}/m/proposals/new/")
    assert response is not None and response.status == 200
    assert phone.locator("#not-representative").count() == 1
    assert phone.url.endswith("/m/proposals/new/")  # no redirect: the page says why, and offers the board
    assert phone.locator("#not-representative a[href='/m/proposals/board/']").count() == 1
    assert phone.locator("form input[name=title]").count() == 0
    screenshot(phone, "proposals-11-not-representative")
    assert not Proposal.objects.filter(proposer__person=world["member"]).exists()
