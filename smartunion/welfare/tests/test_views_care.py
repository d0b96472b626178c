"""The care pages: the list with its tabs and export, reporting by 工号, the event page with the suggested
amount, approval and the visit with a photo through the forms, scoping (another unit's event answers 404),
the statistics, the event types, and the member's portal pages with their empty states."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.finance.models import Entry
from smartunion.welfare.models import CareEvent, CareEventType, CareVisitPhoto
from smartunion.welfare.services import care

from . import care_support as support

pytestmark = pytest.mark.django_db
Status = CareEvent.Status


@pytest.fixture
def w(tree: Any, make_user: Any) -> Any:
    w = SimpleNamespace()
    w.tree = tree
    w.item = support.item(amount="800.00", cap="1000.00")
    w.type = support.event_type(w.item)
    w.person = support.member(tree.a1, name="王老师")
    w.other = support.member(tree.b1, name="赵老师")
    w.committee = make_user("subunion_committee", tree.a, name="分工会委员")
    w.chair = make_user("subunion_chair", tree.a, name="分工会主席")
    w.chair_b = make_user("subunion_chair", tree.b, name="外语分工会主席")
    w.office = make_user("union_staff", tree.root, name="校工会干事")
    support.budget(tree.a)
    w.today = timezone.localdate()
    return w


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report(w: Any, person: Any = None, actor: Any = None) -> CareEvent:
    return care.care_event_report(
        actor=actor or w.committee,
        person=person or w.person,
        event_type=w.type,
        occurred_on=w.today,
        description="住院",
    )


def test_the_list_shows_only_my_units_events_and_exports(w: Any) -> None:
    mine = report(w)
    theirs = report(w, person=w.other, actor=w.chair_b)
    page = client_for(w.chair).get(reverse("welfare:care_event_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("welfare:care_event_detail", args=[mine.pk]) in body
    assert reverse("welfare:care_event_detail", args=[theirs.pk]) not in body
    export = client_for(w.chair).get(reverse("welfare:care_event_list") + "?tab=all&export=xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_empty_states(w: Any) -> None:
    for tab in ("reported", "approved", "visited", "overdue", "all"):
        page = client_for(w.chair).get(reverse("welfare:care_event_list") + f"?tab={tab}")
        assert page.status_code == 200
        assert "empty-state" in page.content.decode()
    stats = client_for(w.chair).get(reverse("welfare:care_stats"))
    assert stats.status_code == 200 and "empty-state" in stats.content.decode()


def test_another_units_event_is_not_found(w: Any) -> None:
    theirs = report(w, person=w.other, actor=w.chair_b)
    client = client_for(w.chair)
    assert client.get(reverse("welfare:care_event_detail", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("welfare:care_event_approve", args=[theirs.pk]), {"amount": "800.00", "form": "cash"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.REPORTED


def test_an_officer_reports_by_staff_number(w: Any) -> None:
    client = client_for(w.committee)
    page = client.get(reverse("welfare:care_event_new"))
    assert page.status_code == 200
    response = client.post(
        reverse("welfare:care_event_new"),
        {
            "person_query": w.person.staff_no,
            "event_type": w.type.pk,
            "occurred_on": w.today.isoformat(),
            "description": "胆囊手术",
        },
    )
    event = CareEvent.objects.get(person=w.person)
    assert response.status_code == 302
    assert response["Location"] == reverse("welfare:care_event_detail", args=[event.pk])
    # Someone of another unit is not found.
    refused = client.post(
        reverse("welfare:care_event_new"),
        {"person_query": w.other.staff_no, "event_type": w.type.pk, "occurred_on": w.today.isoformat()},
    )
    assert refused.status_code == 200
    assert not CareEvent.objects.filter(person=w.other).exists()


def test_event_page_shows_the_suggestion_then_approve_and_visit(w: Any) -> None:
    event = report(w)
    page = client_for(w.chair).get(reverse("welfare:care_event_detail", args=[event.pk]))
    body = page.content.decode()
    assert 'id="suggested-amount"' in body and "800.00" in body
    assert 'id="approve-form"' in body
    # The reporter sees no approve form.
    assert 'id="approve-form"' not in client_for(w.committee).get(page.request["PATH_INFO"]).content.decode()
    response = client_for(w.chair).post(
        reverse("welfare:care_event_approve", args=[event.pk]),
        {"amount": "800.00", "form": "cash", "note": ""},
    )
    assert response.status_code == 302
    over = report(w)
    refused = client_for(w.chair).post(
        reverse("welfare:care_event_approve", args=[over.pk]), {"amount": "5000.00", "form": "cash"}
    )
    assert refused.status_code == 400
    photo = SimpleUploadedFile("病房.png", support.PNG, content_type="image/png")
    response = client_for(w.committee).post(
        reverse("welfare:care_visit_record", args=[event.pk]),
        {"visited_on": w.today.isoformat(), "visitors": "张主席\n李委员", "notes": "好转", "photos": [photo]},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Status.VISITED
    assert Entry.objects.filter(idempotency_key=f"welfare.care:{event.pk}").count() == 1
    visited = client_for(w.chair).get(reverse("welfare:care_event_detail", args=[event.pk])).content.decode()
    stored = CareVisitPhoto.objects.get()
    assert reverse("welfare:care_photo", args=[stored.pk]) in visited
    assert 'id="entry-link"' in visited  # the chair may read the books
    download = client_for(w.chair).get(reverse("welfare:care_photo", args=[stored.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert client_for(w.chair_b).get(reverse("welfare:care_photo", args=[stored.pk])).status_code == 404


def test_a_bad_photo_is_refused_on_the_page(w: Any) -> None:
    event = report(w)
    care.care_event_approve(actor=w.chair, event=event, amount="800.00", form="cash")
    fake = SimpleUploadedFile("病房.png", b"not a png", content_type="image/png")
    response = client_for(w.committee).post(
        reverse("welfare:care_visit_record", args=[event.pk]),
        {"visited_on": w.today.isoformat(), "visitors": "甲、乙", "photos": [fake]},
    )
    assert response.status_code == 400
    assert "病房.png" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Status.APPROVED


def test_statistics_page_draws_the_chart(w: Any) -> None:
    event = report(w)
    care.care_event_approve(actor=w.chair, event=event, amount="800.00", form="cash")
    care.care_visit_record(actor=w.committee, event=event, visited_on=w.today, visitors="甲、乙", notes="")
    page = client_for(w.chair).get(reverse("welfare:care_stats")).content.decode()
    assert 'id="chart-care"' in page and "echarts.min.js" in page
    assert "100.0%" in page


def test_event_types_are_edited_by_the_union_office(w: Any, make_user: Any) -> None:
    client = client_for(w.office)
    assert client.get(reverse("welfare:care_type_list")).status_code == 200
    response = client.post(
        reverse("welfare:care_type_new"),
        {
            "code": "serious_test",
            "name": "重病（测试）",
            "responsible": "school",
            "visit_within_days": "3",
            "sort_order": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = CareEventType.objects.get(code="serious_test")
    assert created.responsible == CareEventType.Level.SCHOOL
    edit = client.post(
        reverse("welfare:care_type_edit", args=[created.pk]),
        {
            "code": "serious_test",
            "name": "重病",
            "responsible": "subunion",
            "visit_within_days": "5",
            "sort_order": "5",
        },
    )
    assert edit.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.responsible, created.is_active) == ("重病", "subunion", False)
    staff_at_a = make_user("union_staff", w.tree.a)
    assert client_for(staff_at_a).get(reverse("welfare:care_type_list")).status_code == 403


def test_portal_report_and_my_events(w: Any) -> None:
    client = client_for(w.person.user)
    mine = client.get(reverse("welfare:portal_care_mine"))
    assert mine.status_code == 200 and "empty-state" in mine.content.decode()
    assert client.get(reverse("welfare:portal_care_report")).status_code == 200
    response = client.post(
        reverse("welfare:portal_care_report"),
        {"relative": "", "event_type": w.type.pk, "occurred_on": w.today.isoformat(), "description": "住院"},
    )
    assert response.status_code == 302
    event = CareEvent.objects.get(person=w.person)
    assert event.reported_by == w.person.user
    page = client.get(reverse("welfare:portal_care_mine")).content.decode()
    assert w.type.name in page
    section = client.get(reverse("dashboards:portal_section", args=["welfare"])).content.decode()
    assert reverse("welfare:portal_care_report") in section


def test_portal_without_a_staff_record(make_user: Any) -> None:
    page = client_for(make_user()).get(reverse("welfare:portal_care_report"))
    assert page.status_code == 200 and "empty-state" in page.content.decode()
