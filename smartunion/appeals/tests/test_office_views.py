"""The handling office's pages: only their offices' appeals (404 for others', for triage and withdrawn),
the tabs, acknowledging, replying, passing back — and anonymity: an anonymous appeal's submitter is
nowhere in the list, the page, the timeline, the export or the attachment's download headers; a named
appeal shows the member's name and unit."""

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

from smartunion.appeals.models import Appeal, Attachment, Event, Reply, Routing
from smartunion.appeals.services import submission
from smartunion.notifications.models import Notification

from . import factories

Status = Appeal.Status


@pytest.fixture
def s(tree: SimpleNamespace, make_user: Any) -> SimpleNamespace:
    clerk = make_user("handling_office", tree.root, name="后勤经办")
    office = factories.make_office("后勤管理处", staff=[clerk])
    other_office = factories.make_office("人事处")
    category = factories.make_category(office, "食堂餐饮")
    other_category = factories.make_category(other_office, "职称评审")
    member_user = factories.User.objects.create_user("Z90001", "王小梅", "Secret-2026!")
    person = factories.make_member(tree.a1, name="王小梅", user=member_user)
    client = Client()
    client.force_login(clerk)
    return SimpleNamespace(
        clerk=clerk,
        office=office,
        other_office=other_office,
        category=category,
        other_category=other_category,
        person=person,
        client=client,
        tree=tree,
    )


def _appeal(s: SimpleNamespace, status: str = Status.ROUTED, **kwargs: Any) -> Appeal:
    kwargs.setdefault("category", s.category)
    return factories.make_appeal(s.person, status=status, **kwargs)


def _secrets(s: SimpleNamespace) -> list[str]:
    return [s.person.name, s.person.user.staff_no, s.person.staff_no, s.person.unit.name, s.tree.a.name]


def _assert_anonymous(text: str, s: SimpleNamespace) -> None:
    for secret in _secrets(s):
        assert secret not in text, secret


def _with_member_steps(appeal: Appeal) -> None:
    """The member's own steps on the timeline (as the portal part records them)."""
    Event.objects.create(appeal=appeal, kind=Event.Kind.SUBMITTED, actor=appeal.person.user, by_member=True)
    Event.objects.create(appeal=appeal, kind=Event.Kind.RATED, actor=appeal.person.user, note="还可以")


def test_the_list_shows_only_the_offices_appeals(s: SimpleNamespace) -> None:
    mine = _appeal(s, title="食堂早餐太晚")
    _appeal(s, category=s.other_category, title="职称材料")
    _appeal(s, Status.TRIAGE, category=None, title="待分派的")
    withdrawn = _appeal(s, title="撤回的")
    Appeal.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)
    page = s.client.get(reverse("appeals:office_list") + "?tab=all").content.decode()
    assert mine.title in page
    assert "职称材料" not in page and "待分派的" not in page and "撤回的" not in page


def test_the_office_column_shows_only_for_a_user_of_several_offices(s: SimpleNamespace) -> None:
    _appeal(s, title="食堂早餐太晚")
    url = reverse("appeals:office_list") + "?tab=all"
    one = s.client.get(url).content.decode()
    assert ">Office<" not in one.replace("\n", "").replace(" ", "")
    assert '<td class="nowrap">' in one  # numbers, dates, category and office stay on one line
    factories.OfficeStaff.objects.create(office=s.other_office, user=s.clerk)
    several = s.client.get(url).content.decode()
    assert ">Office<" in several.replace("\n", "").replace(" ", "")


def test_tabs(s: SimpleNamespace) -> None:
    routed = _appeal(s, title="待受理甲")
    progress = _appeal(s, Status.IN_PROGRESS, title="办理中乙")
    late = _appeal(
        s, Status.IN_PROGRESS, title="超时丙", reply_due=timezone.localdate() - dt.timedelta(days=1)
    )
    replied = _appeal(s, Status.REPLIED, title="已答复丁")
    expected = {
        "acknowledge": {routed.title},
        "progress": {progress.title, late.title},
        "overdue": {late.title},
        "replied": {replied.title},
    }
    for tab, titles in expected.items():
        page = s.client.get(reverse("appeals:office_list"), {"tab": tab}).content.decode()
        for title in ("待受理甲", "办理中乙", "超时丙", "已答复丁"):
            assert (title in page) == (title in titles), (tab, title)


def test_detail_is_404_for_other_offices_triage_and_withdrawn(s: SimpleNamespace) -> None:
    others = _appeal(s, category=s.other_category)
    triage = _appeal(s, Status.TRIAGE, category=None)
    withdrawn = _appeal(s)
    Appeal.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)
    for appeal in (others, triage, withdrawn):
        assert s.client.get(reverse("appeals:office_detail", args=[appeal.pk])).status_code == 404
        response = s.client.post(reverse("appeals:office_acknowledge", args=[appeal.pk]))
        assert response.status_code == 404
    assert s.client.get(reverse("appeals:office_detail", args=[_appeal(s).pk])).status_code == 200


def test_an_anonymous_appeal_never_shows_who_sent_it(
    s: SimpleNamespace, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _appeal(s, Status.IN_PROGRESS, anonymous=True, title="食堂早餐太晚")
    _with_member_steps(appeal)
    Attachment.objects.create(
        appeal=appeal,
        name="王小梅-Z90001-证明.pdf",
        content_type="application/pdf",
        size=8,
        content=b"%PDF-1.4",
    )
    page = s.client.get(reverse("appeals:office_list") + "?tab=all").content.decode()
    assert "食堂早餐太晚" in page and "Anonymous" in page
    _assert_anonymous(page, s)
    detail = s.client.get(reverse("appeals:office_detail", args=[appeal.pk])).content.decode()
    assert "Anonymous" in detail and ">the member</div>" in detail and "还可以" in detail
    _assert_anonymous(detail, s)
    # The export's cells.
    export = s.client.get(reverse("appeals:office_export") + "?tab=all")
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert "食堂早餐太晚" in cells and "Anonymous" in cells
    _assert_anonymous(cells, s)
    # The attachment: neutral name in the link and the download headers.
    attachment = Attachment.objects.get(appeal=appeal)
    response = s.client.get(reverse("appeals:office_attachment", args=[attachment.pk]))
    assert response.status_code == 200 and response.content == b"%PDF-1.4"
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
    assert "Z90001" not in headers and "%E7%8E%8B" not in headers  # 王, URL-encoded
    assert headers.count(".pdf") == 1
    # The notifications the office's staff get about it: the reply tells only the member; the member's
    # reopening tells the office.
    with django_capture_on_commit_callbacks(execute=True):
        s.client.post(reverse("appeals:office_reply", args=[appeal.pk]), {"text": "已安排"})
    with django_capture_on_commit_callbacks(execute=True):
        submission.rate(
            user=s.person.user, appeal=appeal, score="unsatisfied", comment="窗口还是七点半开", reopen=True
        )
    staff_notes = list(Notification.objects.filter(recipient=s.clerk))
    assert [n.kind for n in staff_notes] == ["appeals.reopened"]
    assert appeal.number in staff_notes[0].title
    _assert_anonymous(" ".join(f"{n.title} {n.body}" for n in staff_notes), s)


def test_an_anonymous_appeal_shows_the_day_it_came_in_not_the_time(s: SimpleNamespace) -> None:
    """The time of submission (and of the automatic routing in the same request) could be matched with
    the member's login or whereabouts: the office sees the day only."""
    at = timezone.make_aware(dt.datetime(timezone.localdate().year, 3, 2, 7, 43))
    anonymous = _appeal(s, anonymous=True)
    named = _appeal(s)
    for appeal in (anonymous, named):
        _with_member_steps(appeal)
    Appeal.objects.update(created_at=at, routed_at=at)
    Event.objects.update(created_at=at)
    page = s.client.get(reverse("appeals:office_detail", args=[anonymous.pk])).content.decode()
    assert "07:43" not in page and f'id="submitted-at">{at.year}-03-02<' in page
    page = s.client.get(reverse("appeals:office_detail", args=[named.pk])).content.decode()
    assert "07:43" in page


def test_a_named_appeal_shows_the_members_name_and_unit(s: SimpleNamespace) -> None:
    appeal = _appeal(s, Status.IN_PROGRESS, title="食堂早餐太晚")
    Attachment.objects.create(
        appeal=appeal, name="证明.pdf", content_type="application/pdf", size=8, content=b"%PDF-1.4"
    )
    page = s.client.get(reverse("appeals:office_list") + "?tab=all").content.decode()
    detail = s.client.get(reverse("appeals:office_detail", args=[appeal.pk])).content.decode()
    for text in (page, detail):
        assert "王小梅" in text and s.person.unit.name in text
    assert "证明.pdf" in detail


def test_acknowledge_and_reply(s: SimpleNamespace) -> None:
    appeal = _appeal(s)
    response = s.client.post(reverse("appeals:office_acknowledge", args=[appeal.pk]))
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS and appeal.routing_confirmed
    # Acknowledging twice is refused with a message, nothing changes.
    response = s.client.post(reverse("appeals:office_acknowledge", args=[appeal.pk]), follow=True)
    assert "cannot be done" in response.content.decode()
    # An empty reply shows the form's error.
    response = s.client.post(reverse("appeals:office_reply", args=[appeal.pk]), {"text": " "})
    assert response.status_code == 200
    assert "Write the reply to the member." in response.content.decode()
    response = s.client.post(reverse("appeals:office_reply", args=[appeal.pk]), {"text": "早餐七点开放"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED
    assert Reply.objects.get(appeal=appeal).text == "早餐七点开放"
    detail = s.client.get(reverse("appeals:office_detail", args=[appeal.pk])).content.decode()
    assert "早餐七点开放" in detail and 'id="reply-form"' not in detail


def test_pass_back_needs_a_reason_and_leaves_the_list(s: SimpleNamespace) -> None:
    appeal = _appeal(s, Status.IN_PROGRESS)
    url = reverse("appeals:office_pass_back", args=[appeal.pk])
    response = s.client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Say why the appeal is not for your office." in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS
    response = s.client.post(url, {"reason": "职称问题归人事处", "suggested_office": s.other_office.pk})
    assert response.status_code == 302 and response["Location"] == reverse("appeals:office_list")
    appeal.refresh_from_db()
    assert appeal.status == Status.TRIAGE and appeal.office is None
    routing = Routing.objects.filter(appeal=appeal, source=Routing.Source.MISROUTED).get()
    assert routing.office == s.other_office
    assert s.client.get(reverse("appeals:office_detail", args=[appeal.pk])).status_code == 404


def test_the_pass_back_select_offers_other_offices(s: SimpleNamespace) -> None:
    appeal = _appeal(s)
    detail = s.client.get(reverse("appeals:office_detail", args=[appeal.pk])).content.decode()
    assert 'id="pass-back-form"' in detail and "人事处" in detail


def test_the_list_reads_a_bounded_number_of_queries(
    s: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        _appeal(s, Status.IN_PROGRESS, anonymous=n % 2 == 0)
    s.client.get(reverse("appeals:office_list") + "?tab=all")
    with django_assert_max_num_queries(20):
        assert s.client.get(reverse("appeals:office_list") + "?tab=all").status_code == 200
