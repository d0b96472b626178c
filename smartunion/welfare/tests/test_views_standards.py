"""The standards pages (慰问标准): what they show (the 待确认 badge, caps and their history, empty states),
the forms and their POSTs, and the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.welfare.models import CapGroup, CareEventType, GroupCap, WelfareItem, WelfareStandard
from smartunion.welfare.selectors import standards as selectors
from smartunion.welfare.services import standards as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(tree: Any, make_user: Any) -> Client:
    client = Client()
    client.force_login(make_user("union_staff", tree.root))
    return client


@pytest.fixture
def reader(tree: Any, make_user: Any) -> Client:
    """A sub-union chair: reads the standards, changes nothing."""
    client = Client()
    client.force_login(make_user("subunion_chair", tree.a))
    return client


def item(code: str) -> WelfareItem:
    return WelfareItem.objects.get(code=code)


def test_the_list_shows_the_items_by_kind_with_the_unconfirmed_badge_and_confirm_buttons(office):
    response = office.get(reverse("welfare:standard_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="kind-festival"' in page and 'id="kind-life_event"' in page
    assert "春节" in page and "生病住院" in page and "三八" in page
    assert "待确认" in page and 'class="badge badge-warning" data-unconfirmed' in page
    assert 'id="unconfirmed-alert"' in page
    wedding = selectors.standard_on(item("wedding"), timezone.localdate())
    assert reverse("welfare:standard_confirm", args=[wedding.pk]) in page  # type: ignore[union-attr]
    assert reverse("welfare:item_new") in page and reverse("welfare:cap_new") in page
    # the festival group's cap in force and its history
    assert 'data-cap="festival"' in page
    assert 'data-cap="festival">2,200.00<' in page
    assert "苏工发〔2025〕8号" in page and "1,800.00" in page and "1,000.00" in page


def test_readers_see_the_badge_but_no_buttons(reader):
    page = reader.get(reverse("welfare:standard_list")).content.decode()
    assert "待确认" in page
    assert "/confirm/" not in page
    assert reverse("welfare:item_new") not in page


def test_the_list_costs_the_same_queries_whatever_the_number_of_items(tree, make_user, office):
    url = reverse("welfare:standard_list")
    office.get(url)
    with CaptureQueriesContext(connection) as before:
        office.get(url)
    actor = make_user("union_staff", tree.root)
    for n in range(5):
        added = services.item_save(actor=actor, code=f"extra_{n}", name=f"节{n}", kind="other")
        services.standard_save(
            actor=actor,
            item=added,
            effective_from=dt.date(2025, 1, 1),
            amount=Decimal("100"),
            allowed_forms=["in_kind"],
            eligible_statuses=["full"],
            needs_confirmation=True,
        )
    with CaptureQueriesContext(connection) as after:
        office.get(url)
    assert len(after.captured_queries) == len(before.captured_queries) <= 12


def test_an_item_without_a_standard_says_so(office):
    WelfareStandard.objects.filter(item=item("qingming")).delete()
    page = office.get(reverse("welfare:standard_list")).content.decode()
    assert 'class="badge badge-error"' in page
    detail = office.get(reverse("welfare:item_detail", args=[item("qingming").pk])).content.decode()
    assert "empty-state" in detail
    assert reverse("welfare:standard_new", args=[item("qingming").pk]) in detail


def test_the_empty_list_says_what_to_do(office):
    CareEventType.objects.all().delete()
    WelfareItem.objects.all().delete()
    GroupCap.objects.all().delete()
    CapGroup.objects.all().delete()
    page = office.get(reverse("welfare:standard_list")).content.decode()
    assert "empty-state" in page
    assert reverse("welfare:item_new") in page


def test_the_item_page_shows_the_history_of_its_standards(office):
    birthday = item("birthday")
    page = office.get(reverse("welfare:item_detail", args=[birthday.pk])).content.decode()
    assert "2015-01-01 – 2024-12-31" in page
    assert page.count("data-standard=") == 2
    assert "待确认" in page
    assert reverse("welfare:standard_new", args=[birthday.pk]) in page
    assert 'id="history-title"' in page


def test_a_new_standard_is_posted_and_ends_the_previous_one(office):
    wedding = item("wedding")
    response = office.post(
        reverse("welfare:standard_new", args=[wedding.pk]),
        {
            "effective_from": "2026-07-01",
            "cap_per_event": "1200",
            "allowed_forms": ["in_kind", "voucher"],
            "eligible_statuses": ["full", "temporary"],
            "source": "校工会2026年慰问标准",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("welfare:item_detail", args=[wedding.pk])
    assert selectors.standard_on(wedding, dt.date(2026, 7, 1)).cap_per_event == Decimal("1200")  # type: ignore[union-attr]
    assert selectors.standard_on(wedding, dt.date(2026, 6, 30)).effective_to == dt.date(2026, 6, 30)  # type: ignore[union-attr]


def test_a_festival_standard_with_cash_is_refused_on_the_form(office):
    festival = item("mid_autumn")
    before = WelfareStandard.objects.count()
    response = office.post(
        reverse("welfare:standard_new", args=[festival.pk]),
        {
            "effective_from": "2026-07-01",
            "amount": "500",
            "allowed_forms": ["in_kind", "cash"],
            "eligible_statuses": ["full"],
        },
    )
    assert response.status_code == 200
    assert "八不准" in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    assert WelfareStandard.objects.count() == before


def test_the_standard_form_shows_the_current_values_and_corrects_them(office):
    standard = selectors.standard_on(item("hospital"), timezone.localdate())
    assert standard is not None
    url = reverse("welfare:standard_edit", args=[standard.pk])
    page = office.get(url).content.decode()
    assert 'value="1000.00"' in page and "checked" in page
    response = office.post(
        url,
        {
            "effective_from": standard.effective_from.isoformat(),
            "cap_per_event": "1500",
            "allowed_forms": ["in_kind", "cash"],
            "eligible_statuses": ["full", "temporary", "retained"],
            "needs_confirmation": "on",
            "source": standard.source,
            "note": standard.note,
        },
    )
    assert response.status_code == 302
    standard.refresh_from_db()
    assert standard.cap_per_event == Decimal("1500") and "retained" in standard.eligible_statuses


def test_a_new_standard_starts_from_the_figures_in_force(office):
    page = office.get(reverse("welfare:standard_new", args=[item("hospital").pk])).content.decode()
    assert 'name="cap_per_event" value="1000.00"' in page
    assert 'value="cash" id="id_allowed_forms_2" checked' in page
    assert 'name="effective_from" required' in page  # the date is the office's to give
    festival = office.get(reverse("welfare:standard_new", args=[item("mid_autumn").pk])).content.decode()
    assert "八不准" in festival
    assert 'value="cash" id="id_allowed_forms_2">' in festival  # not checked


def test_confirming_a_standard_from_the_list_goes_back_to_it(office):
    standard = selectors.standard_on(item("wedding"), timezone.localdate())
    assert standard is not None
    response = office.post(
        reverse("welfare:standard_confirm", args=[standard.pk]), {"next": reverse("welfare:standard_list")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("welfare:standard_list")
    standard.refresh_from_db()
    assert not standard.needs_confirmation
    assert AuditEntry.objects.filter(action="welfare.standard.confirmed").count() == 1
    evil = office.post(
        reverse("welfare:standard_confirm", args=[standard.pk]), {"next": "https://evil.example/"}
    )
    assert evil["Location"] == reverse("welfare:item_detail", args=[standard.item_id])


def test_confirm_needs_a_post(office):
    standard = WelfareStandard.objects.first()
    assert office.get(reverse("welfare:standard_confirm", args=[standard.pk])).status_code == 405  # type: ignore[union-attr]


def test_a_yearly_cap_is_added_and_confirmed(office):
    group = CapGroup.objects.get(code="festival")
    response = office.post(
        reverse("welfare:cap_new"),
        {
            "group": group.pk,
            "effective_from": "2027-01-01",
            "cap_per_member_year": "2400",
            "needs_confirmation": "on",
            "source": "假设的2027年文件",
        },
    )
    assert response.status_code == 302
    cap = group.caps.get(effective_from=dt.date(2027, 1, 1))
    assert cap.needs_confirmation
    assert group.caps.get(effective_from=dt.date(2025, 1, 1)).effective_to == dt.date(2026, 12, 31)
    assert office.post(reverse("welfare:cap_confirm", args=[cap.pk])).status_code == 302
    cap.refresh_from_db()
    assert not cap.needs_confirmation


def test_a_bad_cap_shows_the_error_on_its_field(office):
    group = CapGroup.objects.get(code="festival")
    response = office.post(
        reverse("welfare:cap_new"),
        {"group": group.pk, "effective_from": "2025-01-01", "cap_per_member_year": "2400"},
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert group.caps.count() == 3


def test_an_item_is_added_and_changed(office):
    page = office.get(reverse("welfare:item_new")).content.decode()
    assert "50203" in page
    response = office.post(
        reverse("welfare:item_new"),
        {
            "code": "lantern",
            "name": "元宵",
            "kind": "festival",
            "group": CapGroup.objects.get(code="festival").pk,
            "expense_category_code": "50203",
            "sort_order": "15",
            "is_active": "on",
        },
    )
    lantern = WelfareItem.objects.get(code="lantern")
    assert response.status_code == 302
    assert response["Location"] == reverse("welfare:item_detail", args=[lantern.pk])
    response = office.post(
        reverse("welfare:item_edit", args=[lantern.pk]),
        {
            "code": "lantern",
            "name": "元宵节",
            "kind": "festival",
            "expense_category_code": "50203",
            "sort_order": "15",
        },
    )
    assert response.status_code == 302
    lantern.refresh_from_db()
    # A festival always counts against the festival group's yearly cap, even when the form leaves it empty.
    assert lantern.name == "元宵节" and not lantern.is_active and lantern.group.code == "festival"


def test_a_taken_item_code_is_shown_on_the_form(office):
    response = office.post(
        reverse("welfare:item_new"),
        {
            "code": "birthday",
            "name": "生日2",
            "kind": "birthday",
            "expense_category_code": "50203",
            "sort_order": "0",
        },
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


def test_the_standards_are_exported_to_excel_with_an_audit(office):
    response = office.get(reverse("welfare:standard_list") + "?export=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    rows = list(book.active.iter_rows(values_only=True))
    names = {row[0] for row in rows}
    assert {"春节", "生日", "生病住院"} <= names
    assert AuditEntry.objects.filter(action="core.list.exported").exists()


def test_readers_are_refused_the_forms(reader):
    wedding = item("wedding")
    for url in (
        reverse("welfare:item_new"),
        reverse("welfare:item_edit", args=[wedding.pk]),
        reverse("welfare:standard_new", args=[wedding.pk]),
        reverse("welfare:cap_new"),
    ):
        assert reader.get(url).status_code == 403, url
