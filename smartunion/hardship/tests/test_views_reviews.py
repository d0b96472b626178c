"""The pages of the reviews part: the review queue and the round, recording a review, closing a file, the
help plan (and the management panel on the file page), the 低保 table, the statistics and their export."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.core.audit import AuditEntry
from smartunion.hardship.models import (
    DibaoStandard,
    HardshipFile,
    HelpMeasure,
    HomeVisit,
    Review,
    ReviewRound,
)
from smartunion.hardship.selectors.plan import file_management_context

from . import factories

pytestmark = pytest.mark.django_db
Status = HardshipFile.Status


@pytest.fixture
def w(tree: Any, make_user: Any, make_person: Any) -> SimpleNamespace:
    staff = make_user("union_staff", tree.root, name="校工会帮扶")
    chair = make_user("subunion_chair", tree.a, name="A主席")
    file = factories.make_file(person=make_person(unit=tree.a, name="王困难"), actor=staff)
    other = factories.make_file(person=make_person(unit=tree.b, name="赵困难"), actor=staff)
    return SimpleNamespace(
        staff=staff,
        chair=chair,
        file=file,
        other=other,
        tree=tree,
        make_user=make_user,
        make_person=make_person,
    )


def test_review_queue_tabs_and_scope(client: Any, w: SimpleNamespace) -> None:
    today = timezone.localdate()
    Review.objects.create(file=w.file, due_on=today - dt.timedelta(days=2), spot_check=True)
    Review.objects.create(file=w.other, due_on=today)
    client.force_login(w.chair)
    page = client.get(reverse("hardship:review_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert w.file.number in body and w.other.number not in body
    counts = {tab["key"]: tab["count"] for tab in page.context["tabs"]}
    assert counts == {"open": 1, "overdue": 1, "spot": 1, "done": 0}
    assert not page.context["can_start"] and 'id="start-round"' not in body
    assert client.get(reverse("hardship:review_list") + "?tab=done").context["reviews"] == []
    client.force_login(w.staff)
    body = client.get(reverse("hardship:review_list")).content.decode()
    assert 'id="start-round"' in body and w.other.number in body


def test_stale_files_are_flagged(client: Any, w: SimpleNamespace) -> None:
    HardshipFile.objects.filter(pk=w.file.pk).update(approved_at=timezone.now() - dt.timedelta(days=400))
    client.force_login(w.chair)
    page = client.get(reverse("hardship:review_list"))
    assert [f.pk for f in page.context["stale"]] == [w.file.pk]
    assert 'id="stale-files"' in page.content.decode()


def test_round_start_page(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.staff)
    url = reverse("hardship:review_round_new")
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(url, {"year": today.year, "due_on": (today + dt.timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    assert ReviewRound.objects.get(year=today.year).reviews.count() == 2
    again = client.post(url, {"year": today.year, "due_on": today.isoformat()})
    assert again.status_code == 200 and "already been started" in again.content.decode()
    client.force_login(w.chair)
    assert client.get(url).status_code == 403
    # hardship.reviews.manage held at a sub-union: neither the page nor the button.
    staff_at_a = w.make_user("union_staff", w.tree.a, name="分会帮扶干事")
    client.force_login(staff_at_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"year": today.year + 1, "due_on": today.isoformat()}).status_code == 403
    assert not ReviewRound.objects.filter(year=today.year + 1).exists()
    page = client.get(reverse("hardship:review_list"))
    assert not page.context["can_start"] and 'id="start-round"' not in page.content.decode()


def test_record_review_page(client: Any, w: SimpleNamespace) -> None:
    review = Review.objects.create(file=w.file, due_on=timezone.localdate(), spot_check=True)
    client.force_login(w.chair)
    url = reverse("hardship:review_record", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="needs-visit"' in page.content.decode()
    assert "on or after" in page.content.decode()
    refused = client.post(url, {"result": "continue", "note": ""})
    assert refused.status_code == 400 and "spot check" in refused.content.decode()
    HomeVisit.objects.create(
        file=w.file, visited_on=timezone.localdate(), visitors="甲", findings="属实", recorded_by=w.chair
    )
    assert client.post(url, {"result": "continue", "note": "无变化"}).status_code == 302
    review.refresh_from_db()
    assert review.result == "continue"
    other_review = Review.objects.create(file=w.other, due_on=timezone.localdate())
    assert client.get(reverse("hardship:review_record", args=[other_review.pk])).status_code == 404


def test_review_form_confirms_out_of_hardship(client: Any, w: SimpleNamespace) -> None:
    review = Review.objects.create(file=w.file, due_on=timezone.localdate())
    client.force_login(w.staff)
    page = client.get(reverse("hardship:review_record", args=[review.pk]))
    body = page.content.decode()
    form_tag = body[
        body.index('<form method="post" class="stack" novalidate data-disable-on-submit id="review-form"') :
    ]
    form_tag = form_tag[: form_tag.index(">")]
    assert "data-confirm=" in form_tag and "the file will be closed" in form_tag
    assert "data-confirm-exit=" in form_tag
    assert 'id="exit-closes"' in body


def test_own_file_review_page_says_another_officer_records_it(client: Any, w: SimpleNamespace) -> None:
    officer = w.make_user("subunion_chair", w.tree.a, name="主席本人")
    person = w.make_person(unit=w.tree.a, staff_no=officer.staff_no, name="主席本人", user=officer)
    file = factories.make_file(person=person, actor=w.staff)
    review = Review.objects.create(file=file, due_on=timezone.localdate())
    client.force_login(officer)
    url = reverse("hardship:review_record", args=[review.pk])
    body = client.get(url).content.decode()
    assert 'id="own-file"' in body and 'id="review-form"' not in body
    refused = client.post(url, {"result": "continue", "note": ""})
    assert refused.status_code == 400 and "Another officer records this for your own file." in (
        refused.content.decode()
    )
    review.refresh_from_db()
    assert review.done_at is None


def test_a_measure_edit_page_is_a_logged_sensitive_view(client: Any, w: SimpleNamespace) -> None:
    measure = HelpMeasure.objects.create(
        file=w.file,
        kind="medical",
        description="协助申请大病救助",
        responsible="分工会",
        planned_on=timezone.localdate(),
        created_by=w.staff,
    )
    client.force_login(w.chair)
    page = client.get(reverse("hardship:measure_edit", args=[measure.pk]))
    assert page.status_code == 200 and "协助申请大病救助" in page.content.decode()
    entry = AuditEntry.objects.get(action="hardship.file.viewed", actor=w.chair)
    assert entry.changes == {"what": "help measure"}


def test_closing_is_offered_only_at_the_top(client: Any, w: SimpleNamespace) -> None:
    staff_at_a = w.make_user("union_staff", w.tree.a, name="分会帮扶干事")
    client.force_login(staff_at_a)
    page = client.get(reverse("hardship:file_detail", args=[w.file.pk]))
    assert page.status_code == 200 and 'id="close-file"' not in page.content.decode()
    response = client.post(reverse("hardship:file_exit", args=[w.file.pk]), {"reason": "已脱困"})
    assert response.status_code == 403
    w.file.refresh_from_db()
    assert w.file.status == Status.ACTIVE
    client.force_login(w.staff)
    assert 'id="close-file"' in client.get(reverse("hardship:file_detail", args=[w.file.pk])).content.decode()


def test_exit_and_remove_pages(client: Any, w: SimpleNamespace, make_person: Any) -> None:
    client.force_login(w.chair)
    assert client.post(reverse("hardship:file_exit", args=[w.file.pk]), {"reason": "x"}).status_code == 403
    client.force_login(w.staff)
    response = client.post(reverse("hardship:file_exit", args=[w.file.pk]), {"reason": ""})
    assert response.status_code == 302
    w.file.refresh_from_db()
    assert w.file.status == Status.ACTIVE
    response = client.post(reverse("hardship:file_exit", args=[w.file.pk]), {"reason": "已脱困"})
    assert response.status_code == 302
    w.file.refresh_from_db()
    assert w.file.status == Status.EXITED and w.file.retain_until
    response = client.post(
        reverse("hardship:file_remove", args=[w.other.pk]), {"reason": "调离", "kind": "left"}
    )
    assert response.status_code == 302
    w.other.refresh_from_db()
    assert w.other.status == Status.REMOVED
    assert client.get(reverse("hardship:file_exit", args=[w.other.pk])).status_code == 405


def test_measure_pages(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.chair)
    url = reverse("hardship:measure_new", args=[w.file.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'id="measure-form"' in page.content.decode()
    bad = client.post(url, {"kind": "medical", "description": "", "responsible": "", "planned_on": ""})
    assert bad.status_code == 400
    today = timezone.localdate().isoformat()
    data = {"kind": "medical", "description": "协助大病救助", "responsible": "分工会", "planned_on": today}
    assert client.post(url, data).status_code == 302
    measure = HelpMeasure.objects.get(file=w.file)
    assert measure.description == "协助大病救助"
    edit = reverse("hardship:measure_edit", args=[measure.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**data, "responsible": "校工会"}).status_code == 302
    measure.refresh_from_db()
    assert measure.responsible == "校工会"
    # A link to an item that is not the member's is refused by the form's choices.
    assert client.post(edit, {**data, "application": "999999"}).status_code == 400
    done = client.post(reverse("hardship:measure_done", args=[measure.pk]), {"outcome": "已获救助"})
    assert done.status_code == 302
    measure.refresh_from_db()
    assert measure.status == HelpMeasure.Status.DONE
    second = HelpMeasure.objects.create(
        file=w.file,
        kind="living",
        description="x",
        responsible="y",
        planned_on=timezone.localdate(),
        created_by=w.chair,
    )
    assert client.post(reverse("hardship:measure_cancel", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.status == HelpMeasure.Status.CANCELLED
    assert client.get(reverse("hardship:measure_new", args=[w.other.pk])).status_code == 404


def test_management_panel(w: SimpleNamespace, make_person: Any) -> None:
    HelpMeasure.objects.create(
        file=w.file,
        kind="living",
        description="春节送温暖",
        responsible="分工会",
        planned_on=timezone.localdate(),
        created_by=w.staff,
    )
    Review.objects.create(file=w.file, due_on=timezone.localdate())
    request = RequestFactory().get("/")

    def render(user: Any) -> str:
        request.user = user
        context = {
            "file": w.file,
            "user": user,
            "request": request,
            **file_management_context(file=w.file, user=user),
        }
        return render_to_string("hardship/files/_management.html", context, request=request)

    staff_html = render(w.staff)
    assert (
        "春节送温暖" in staff_html and 'id="close-file"' in staff_html and 'id="record-review"' in staff_html
    )
    assert 'id="add-measure"' in staff_html
    viewer = w.make_user("union_chair", w.tree.root)
    viewer_html = render(viewer)
    assert "春节送温暖" not in viewer_html, "the description is for the case handlers only"
    assert 'id="add-measure"' not in viewer_html and 'id="close-file"' in viewer_html
    chair_html = render(w.chair)
    assert 'id="close-file"' not in chair_html and 'id="record-review"' in chair_html
    # A closed file: the history stays visible, nothing can be planned, reviewed or closed.
    HardshipFile.objects.filter(pk=w.file.pk).update(status=Status.EXITED)
    w.file.refresh_from_db()
    closed_html = render(w.staff)
    assert "春节送温暖" in closed_html
    for marker in ('id="add-measure"', 'id="close-file"', 'id="record-review"'):
        assert marker not in closed_html


def test_file_page_includes_the_panel(client: Any, w: SimpleNamespace) -> None:
    url = reverse("hardship:file_detail", args=[w.file.pk])
    client.force_login(w.staff)
    page = client.get(url)
    assert page.status_code == 200 and 'id="help-plan"' in page.content.decode()


def test_dibao_pages(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.chair)
    page = client.get(reverse("hardship:dibao_list"))
    assert page.status_code == 200 and factories.CITY in page.content.decode()
    assert 'id="add-dibao"' not in page.content.decode()
    assert client.get(reverse("hardship:dibao_new")).status_code == 403
    client.force_login(w.staff)
    assert client.get(reverse("hardship:dibao_new")).status_code == 200
    response = client.post(
        reverse("hardship:dibao_new"), {"city": "苏州市", "year": 2025, "monthly_amount": "1095"}
    )
    assert response.status_code == 302
    standard = DibaoStandard.objects.get(city=factories.CITY, year=timezone.localdate().year)
    edit = reverse("hardship:dibao_edit", args=[standard.pk])
    assert client.get(edit).status_code == 200
    clash = client.post(edit, {"city": "苏州市", "year": 2025, "monthly_amount": "900"})
    assert clash.status_code == 400 and "already has a standard" in clash.content.decode()
    page = client.get(edit).content.decode()
    assert "Files in public notice or active keep their category" in page
    # The world's files are active: a new standard does not change their category.
    draft = factories.make_file(
        person=w.make_person(unit=w.tree.a, name="草稿"), actor=w.staff, status=Status.DRAFT
    )
    response = client.post(
        edit, {"city": standard.city, "year": standard.year, "monthly_amount": "400"}, follow=True
    )
    assert "1 file recomputed, 1 changed category" in response.content.decode()
    w.file.refresh_from_db()
    draft.refresh_from_db()
    assert w.file.category == "deep" and draft.category == "relative"


def test_stats_page_and_export(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.chair)
    page = client.get(reverse("hardship:stats"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "&lt;3" in body and "王困难" not in body and 'id="category-cause-table"' in body
    assert [row.name for row in page.context["report"]["units"]] == ["机械学院"]
    export = client.get(reverse("hardship:stats") + "?export=xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "<3" in values and "王困难" not in values and 1 not in values
    assert AuditEntry.objects.filter(action="hardship.stats.exported", actor=w.chair).exists()
    client.force_login(w.make_user("subunion_committee", w.tree.a))
    assert client.get(reverse("hardship:stats")).status_code == 403
