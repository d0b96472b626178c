"""The assistance pages: programmes (list, detail with versions and bands, new, edit, new and corrected
rule versions), the applications list with its tabs and export (never the reason, the value or the bank
account), the application page (full values and a logged view for the case handlers only, masks for the
others, the decision forms), applying on a member's behalf, and the member's portal pages."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.finance.models import Entry
from smartunion.hardship.models import AssistanceApplication, AssistanceProgramme, Document, ProgrammeRule
from smartunion.hardship.services import assistance as services

from . import factories
from .test_assistance import PDF, granted, member, submit, to_approval, world

pytestmark = pytest.mark.django_db
Status = AssistanceApplication.Status
REASON = "住院手术，自付费用较高"


@pytest.fixture
def w(tree: Any, make_user: Any) -> Any:
    return world(tree, make_user)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- programmes --------------------------------------------------------------------------------------------


def test_programme_list_and_detail(w: Any) -> None:
    page = client_for(w.sub_chair).get(reverse("hardship:programme_list"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "临时补助" in body and "爱心扶助金" in body and "临时补助（测试）" in body
    assert 'id="new-programme"' not in body  # the sub-union does not manage programmes
    assert (
        'id="new-programme"' in client_for(w.office).get(reverse("hardship:programme_list")).content.decode()
    )
    submit(w)
    detail = client_for(w.office).get(reverse("hardship:programme_detail", args=[w.programme.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "used by 1 application" in text and "cannot be changed" in text
    assert "no upper bound" in text


def test_create_a_programme_then_its_rules(w: Any) -> None:
    office = client_for(w.office)
    response = office.post(
        reverse("hardship:programme_new"),
        {
            "code": "study_aid",
            "name": "助学补助",
            "description": "子女就学困难",
            "condition_label": "本年度学费（元）",
            "expense_category_code": "50201",
            "documents_hint": "学费票据",
            "is_active": "on",
            "sort_order": "30",
        },
    )
    programme = AssistanceProgramme.objects.get(code="study_aid")
    assert response.status_code == 302
    assert response["Location"] == reverse("hardship:programme_rule_new", args=[programme.pk])
    form = office.get(response["Location"])
    assert form.status_code == 200 and 'name="band_1_lower"' in form.content.decode()
    bad = office.post(
        response["Location"],
        {
            "effective_from": "2026-01-01",
            "staff_approval_limit": "5000",
            "one_spouse_only": "on",
            "band_1_lower": "0",
            "band_1_upper": "10000",
            "band_1_amount": "1000",
            "band_2_lower": "12000",
            "band_2_amount": "2000",
        },
    )
    assert bad.status_code == 400
    assert "There is a gap between Band 1 (0.00–10000.00) and Band 2 (12000.00–∞)" in bad.content.decode()
    assert not ProgrammeRule.objects.filter(programme=programme).exists()
    good = office.post(
        response["Location"],
        {
            "effective_from": "2026-01-01",
            "staff_approval_limit": "5000",
            "yearly_limit_count": "1",
            "band_1_lower": "0",
            "band_1_upper": "10000",
            "band_1_amount": "1000",
            "band_2_lower": "10000",
            "band_2_amount": "2000",
        },
    )
    assert good.status_code == 302
    rule = ProgrammeRule.objects.get(programme=programme)
    assert rule.yearly_limit_count == 1 and rule.one_spouse_only is False
    assert [b.amount for b in rule.bands.order_by("lower")] == [Decimal("1000.00"), Decimal("2000.00")]
    # Unused: it may be corrected.
    edit_url = reverse("hardship:programme_rule_edit", args=[programme.pk, rule.pk])
    assert office.get(edit_url).status_code == 200
    saved = office.post(
        edit_url,
        {
            "staff_approval_limit": "6000",
            "band_1_lower": "0",
            "band_1_amount": "900",
            "one_spouse_only": "on",
        },
    )
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert rule.staff_approval_limit == Decimal("6000.00") and rule.one_spouse_only
    edited = office.post(
        reverse("hardship:programme_edit", args=[programme.pk]),
        {
            "code": "study_aid",
            "name": "助学补助（改）",
            "condition_label": "学费",
            "expense_category_code": "50201",
        },
    )
    assert edited.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "助学补助（改）" and programme.is_active is False


def test_a_used_version_cannot_be_corrected_through_the_page(w: Any) -> None:
    submit(w)
    rule = w.programme.rules.get()
    response = client_for(w.office).get(
        reverse("hardship:programme_rule_edit", args=[w.programme.pk, rule.pk])
    )
    assert response.status_code == 302


def test_programme_writes_need_the_office_at_the_top(w: Any, make_user: Any) -> None:
    staff_at_a = client_for(make_user("union_staff", w.tree.a))
    assert staff_at_a.get(reverse("hardship:programme_new")).status_code == 403
    assert staff_at_a.get(reverse("hardship:programme_list")).status_code == 200
    assert client_for(w.sub_chair).get(reverse("hardship:programme_new")).status_code == 403


# -- the applications list and export --------------------------------------------------------------------


def test_the_list_shows_no_reason_value_or_bank_account_and_exports_are_logged(w: Any) -> None:
    mine = submit(w, value="31234.56")
    theirs = submit(w, w.spouse)
    client = client_for(w.sub_chair)
    page = client.get(reverse("hardship:application_list") + "?tab=all")
    assert page.status_code == 200
    body = page.content.decode()
    assert mine.number in body and theirs.number not in body
    assert REASON not in body and "31234" not in body and "6222" not in body
    assert "5,000.00" in body or "5000.00" in body  # the band amount is allowed
    export = client.get(reverse("hardship:application_list") + "?tab=all&export=xlsx")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(export.streaming_content) if export.streaming else export.content)
    ).active
    cells = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None)
    assert mine.number in cells and theirs.number not in cells
    assert REASON not in cells and "31234" not in cells and "6222" not in cells
    logged = AuditEntry.objects.get(action="hardship.application.exported")
    assert logged.sensitive and logged.changes["rows"] == 1


def test_the_tabs_split_by_tier(w: Any) -> None:
    staff_tier = to_approval(w, submit(w))
    chair_tier = to_approval(w, submit(w, member(w.tree.a1), value="60000"))
    client = client_for(w.chair)
    staff_page = client.get(reverse("hardship:application_list") + "?tab=approve_staff").content.decode()
    chair_page = client.get(reverse("hardship:application_list") + "?tab=approve_chair").content.decode()
    assert staff_tier.number in staff_page and chair_tier.number not in staff_page
    assert chair_tier.number in chair_page and staff_tier.number not in chair_page
    filtered = client.get(
        reverse("hardship:application_list")
        + f"?tab=all&programme={w.programme.pk}&year={timezone.localdate().year}&unit={w.tree.b.pk}"
    )
    assert filtered.status_code == 200 and staff_tier.number not in filtered.content.decode()
    for tab in ("review", "pay", "paid", "rejected"):
        empty = client.get(reverse("hardship:application_list") + f"?tab={tab}")
        assert empty.status_code == 200 and "empty-state" in empty.content.decode()


# -- the application page ----------------------------------------------------------------------------------


def test_the_case_handler_sees_everything_and_the_view_is_logged(w: Any) -> None:
    application = submit(w, value="31234.56", documents=[("medical", "诊断证明.pdf", PDF)])
    page = client_for(w.sub_chair).get(reverse("hardship:application_detail", args=[application.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert REASON in body
    assert "31,234.56" in body or "31234.56" in body
    assert "6222020200112233445" in body and "诊断证明.pdf" in body
    document = Document.objects.get(application=application)
    assert reverse("hardship:document_download", args=[document.pk]) in body
    logged = AuditEntry.objects.filter(action="hardship.application.viewed", actor_id=w.sub_chair.pk)
    assert logged.count() == 1 and logged.get().sensitive
    assert 'id="review-form"' in body


def test_others_see_masks_and_no_view_is_logged(w: Any) -> None:
    application = submit(w, value="31234.56", documents=[("medical", "诊断证明.pdf", PDF)])
    page = client_for(w.chair).get(reverse("hardship:application_detail", args=[application.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert REASON not in body and "31234" not in body and "6222020200112233445" not in body
    assert "6222***********3445" in body and "诊断证明.pdf" not in body
    assert not AuditEntry.objects.filter(action="hardship.application.viewed").exists()
    assert (
        client_for(w.sub_chair_b)
        .get(reverse("hardship:application_detail", args=[application.pk]))
        .status_code
        == 404
    )


def test_the_yearly_totals_and_the_spouse_warning(w: Any) -> None:
    granted(w, w.spouse)
    application = factories.make_application(
        person=w.person, actor=w.office, programme=w.programme, spouse=w.spouse
    )
    granted_mine = factories.make_application(
        person=w.person, actor=w.office, programme=w.programme, status=Status.PAID, amount="2000"
    )
    assert granted_mine.approved_amount == Decimal("2000")
    body = (
        client_for(w.office)
        .get(reverse("hardship:application_detail", args=[application.pk]))
        .content.decode()
    )
    assert 'id="spouse-warning"' in body and "李老师" in body
    assert "1 time" in body
    assert "2,000.00" in body or "2000.00" in body


def test_review_approve_pay_through_the_forms(w: Any) -> None:
    application = submit(w)
    detail = reverse("hardship:application_detail", args=[application.pk])
    reviewed = client_for(w.sub_chair).post(
        reverse("hardship:application_review", args=[application.pk]), {"decision": "pass", "note": "属实"}
    )
    assert reviewed.status_code == 302 and reviewed["Location"] == detail
    page = client_for(w.office).get(detail).content.decode()
    assert 'id="approve-form"' in page
    too_much = client_for(w.office).post(
        reverse("hardship:application_approve", args=[application.pk]), {"amount": "9000"}
    )
    assert too_much.status_code == 400 and "cannot be higher" in too_much.content.decode()
    approved = client_for(w.office).post(
        reverse("hardship:application_approve", args=[application.pk]), {"amount": "4000", "note": ""}
    )
    assert approved.status_code == 302
    paid = client_for(w.office2).post(
        reverse("hardship:application_pay", args=[application.pk]),
        {"paid_on": timezone.localdate().isoformat()},
    )
    assert paid.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.PAID and application.approved_amount == Decimal("4000.00")
    entry = Entry.objects.get(source_type="hardship.assistance")
    assert entry.lines.get(account="category").amount == Decimal("4000.00")
    again = client_for(w.office2).post(
        reverse("hardship:application_pay", args=[application.pk]),
        {"paid_on": timezone.localdate().isoformat()},
    )
    assert again.status_code == 302 and Entry.objects.filter(source_type="hardship.assistance").count() == 1
    page = client_for(w.office).get(detail).content.decode()
    assert 'id="payment"' in page


def test_reject_needs_a_reason_on_the_page(w: Any) -> None:
    application = submit(w)
    url = reverse("hardship:application_reject", args=[application.pk])
    empty = client_for(w.sub_chair).post(url, {"reason": ""})
    assert empty.status_code == 400 and "Say why the application is rejected" in empty.content.decode()
    done = client_for(w.sub_chair).post(url, {"reason": "不符合条件"})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.REJECTED and application.reject_reason == "不符合条件"


def test_apply_on_behalf(w: Any) -> None:
    client = client_for(w.sub_chair)
    form = client.get(reverse("hardship:application_new"))
    assert form.status_code == 200 and 'id="consent-notice"' in form.content.decode()
    refused = client.post(
        reverse("hardship:application_new"),
        {
            "staff_no": w.spouse.staff_no,
            "programme": w.programme.pk,
            "condition_value": "30000",
            "reason": "x",
            "document_kind": "medical",
            "consent": "on",
        },
    )
    assert refused.status_code == 400 and "No member of your units" in refused.content.decode()
    response = client.post(
        reverse("hardship:application_new"),
        {
            "staff_no": w.person.staff_no,
            "programme": w.programme.pk,
            "condition_value": "30000",
            "reason": "行动不便",
            "document_kind": "medical",
            "documents": [SimpleUploadedFile("诊断.pdf", PDF, content_type="application/pdf")],
            "consent": "on",
        },
    )
    assert response.status_code == 302
    application = AssistanceApplication.objects.get()
    assert application.on_behalf and application.consent.method == "paper"
    assert Document.objects.filter(application=application).count() == 1


# -- the member's portal -----------------------------------------------------------------------------------


def test_the_portal_home_lists_programmes_and_my_applications(w: Any) -> None:
    mine = submit(w)
    theirs = submit(w, w.spouse)
    page = client_for(w.person.user).get(reverse("hardship:portal_assistance"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "临时补助（测试）" in body and mine.number in body and theirs.number not in body
    section = client_for(w.person.user).get(reverse("dashboards:portal_section", args=["services"]))
    assert 'id="assistance-block"' in section.content.decode()


def test_the_member_applies_with_consent_and_documents(w: Any) -> None:
    client = client_for(w.person.user)
    url = reverse("hardship:portal_assistance_apply", args=[w.programme.pk])
    page = client.get(url)
    assert page.status_code == 200 and "收款账户" in page.content.decode()
    data = {
        "condition_value": "30000",
        "reason": REASON,
        "document_kind": "medical",
        "bank_account": "6222 1111",
    }
    no_consent = client.post(url, data)
    assert no_consent.status_code == 400 and "Give your consent" in no_consent.content.decode()
    bad_doc = client.post(
        url,
        {
            **data,
            "consent": "on",
            "documents": [SimpleUploadedFile("x.exe", b"MZ..", content_type="application/octet-stream")],
        },
    )
    assert bad_doc.status_code == 400 and "is not accepted" in bad_doc.content.decode()
    assert not AssistanceApplication.objects.exists()
    done = client.post(
        url,
        {
            **data,
            "consent": "on",
            "documents": [
                SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
            ],
        },
    )
    application = AssistanceApplication.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("hardship:portal_assistance_detail", args=[application.pk])
    assert application.documents.count() == 2 and application.bank_account == "62221111"


def test_the_member_follows_and_withdraws_only_their_own(w: Any) -> None:
    application = submit(w)
    url = reverse("hardship:portal_assistance_detail", args=[application.pk])
    page = client_for(w.person.user).get(url)
    assert page.status_code == 200 and 'id="withdraw"' in page.content.decode()
    assert client_for(w.spouse.user).get(url).status_code == 404
    stranger = client_for(w.spouse.user).post(
        reverse("hardship:portal_assistance_withdraw", args=[application.pk])
    )
    assert stranger.status_code == 404
    withdrawn = client_for(w.person.user).post(
        reverse("hardship:portal_assistance_withdraw", args=[application.pk])
    )
    assert withdrawn.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN


def test_the_timeline_shows_the_rejection_reason(w: Any) -> None:
    application = submit(w)
    services.application_review(
        actor=w.sub_chair, application=application, approve=False, note="材料不全，请补交"
    )
    body = (
        client_for(w.person.user)
        .get(reverse("hardship:portal_assistance_detail", args=[application.pk]))
        .content.decode()
    )
    assert "材料不全，请补交" in body and "Not approved" in body and 'id="withdraw"' not in body


def test_a_user_without_a_staff_record(make_user: Any, tree: Any) -> None:
    client = client_for(make_user(name="无档案"))
    assert "has no staff record" in client.get(reverse("hardship:portal_assistance")).content.decode()
    programme = factories.make_programme()
    assert client.get(reverse("hardship:portal_assistance_apply", args=[programme.pk])).status_code == 200


# -- the spouse rule and what the member learns in the portal ----------------------------------------------


def test_the_portal_reveals_nothing_about_the_named_spouse(w: Any) -> None:
    """The member names a colleague as their spouse: whether that colleague received the assistance, and
    what and when, is not theirs to learn — the submission goes through, the officers decide."""
    spouses_application = granted(w, w.spouse)
    client = client_for(w.person.user)
    url = reverse("hardship:portal_assistance_apply", args=[w.programme.pk])
    data = {"condition_value": "30000", "reason": REASON, "document_kind": "medical", "consent": "on"}
    wrong = client.post(url, {**data, "spouse_staff_no": "X99999"})
    assert wrong.status_code == 400
    body = wrong.content.decode()
    assert "Check your spouse&#x27;s staff number." in body or "Check your spouse's staff number." in body
    assert "No staff member" not in body and body.count("X99999") == 1  # only in the field itself
    done = client.post(url, {**data, "spouse_staff_no": w.spouse.staff_no}, follow=True)
    assert done.status_code == 200
    body = done.content.decode()
    assert "李老师" not in body and spouses_application.number not in body
    assert "Only one spouse" not in body
    mine = AssistanceApplication.objects.get(person=w.person)
    assert mine.spouse == w.spouse and mine.status == Status.SUBMITTED
    # At the approval the officer sees the rule, names included.
    to_approval(w, mine)
    refused = client_for(w.office).post(
        reverse("hardship:application_approve", args=[mine.pk]), {"amount": "5000"}
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Only one spouse may receive" in text and "李老师" in text and spouses_application.number in text


def test_on_behalf_the_officer_is_told_the_spouse_rule_with_names(w: Any) -> None:
    granted(w, w.spouse)
    response = client_for(w.sub_chair).post(
        reverse("hardship:application_new"),
        {
            "staff_no": w.person.staff_no,
            "programme": w.programme.pk,
            "condition_value": "30000",
            "reason": "行动不便",
            "spouse_staff_no": w.spouse.staff_no,
            "document_kind": "medical",
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert (
        "Only one spouse may receive" in response.content.decode() and "李老师" in response.content.decode()
    )
    assert not AssistanceApplication.objects.filter(person=w.person).exists()


# -- who sees the reason, the notes and the hardship file ---------------------------------------------------


def test_the_reason_notes_and_file_are_for_the_case_handlers(w: Any) -> None:
    file = factories.make_file(person=w.person, actor=w.office)
    application = submit(w)
    assert application.hardship_file == file and file.number
    services.application_review(actor=w.sub_chair, application=application, approve=True, note="家访属实")
    services.application_approve(actor=w.office, application=application, amount="4000", note="酌减")
    services.application_reject(actor=w.office, application=application, reason="重复申请，见上月材料")
    url = reverse("hardship:application_detail", args=[application.pk])
    # The case handlers (the office at the top, the sub-union) see all of it …
    for handler in (w.office, w.sub_chair):
        body = client_for(handler).get(url).content.decode()
        assert 'id="reject-reason"' in body and "重复申请，见上月材料" in body
        assert 'id="unit-review-note"' in body and "家访属实" in body
        assert 'id="decision-note"' in body and "酌减" in body
        assert 'id="hardship-file"' in body and file.number in body
    # … the union chair (no hardship.sensitive.view) sees that it was rejected, not why.
    body = client_for(w.chair).get(url).content.decode()
    assert "重复申请" not in body and "家访属实" not in body and "酌减" not in body
    assert file.number not in body and 'id="reject-reason-hidden"' in body
    # The member sees the reason of their own application in the portal.
    mine = client_for(w.person.user).get(reverse("hardship:portal_assistance_detail", args=[application.pk]))
    assert "重复申请，见上月材料" in mine.content.decode()


def test_a_refused_action_logs_the_view_of_the_figures(w: Any) -> None:
    application = submit(w, value="31234.56")
    url = reverse("hardship:application_reject", args=[application.pk])
    refused = client_for(w.sub_chair).post(url, {"reason": ""})
    assert refused.status_code == 400 and REASON in refused.content.decode()
    logged = AuditEntry.objects.filter(action="hardship.application.viewed", actor_id=w.sub_chair.pk)
    assert logged.count() == 1 and logged.get().sensitive
    # No figures shown, nothing logged.
    chair_tier = to_approval(w, submit(w, member(w.tree.a1), value="60000"))
    masked = client_for(w.chair).post(
        reverse("hardship:application_reject", args=[chair_tier.pk]), {"reason": ""}
    )
    assert masked.status_code == 400 and REASON not in masked.content.decode()
    assert not AuditEntry.objects.filter(action="hardship.application.viewed", actor_id=w.chair.pk).exists()


def test_the_office_cannot_reject_a_chair_tier_application_on_the_page(w: Any) -> None:
    application = to_approval(w, submit(w, value="60000"))
    url = reverse("hardship:application_detail", args=[application.pk])
    assert 'id="reject-form"' not in client_for(w.office).get(url).content.decode()
    assert 'id="reject-form"' in client_for(w.chair).get(url).content.decode()
    response = client_for(w.office).post(
        reverse("hardship:application_reject", args=[application.pk]), {"reason": "不符合条件"}
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Status.UNIT_APPROVED


def test_the_export_is_logged_under_the_scope_or_the_chosen_unit(w: Any) -> None:
    submit(w)
    list_url = reverse("hardship:application_list")
    assert client_for(w.sub_chair).get(list_url + "?tab=all&export=xlsx").status_code == 200
    entry = AuditEntry.objects.get(action="hardship.application.exported", actor_id=w.sub_chair.pk)
    assert entry.unit_id == w.tree.a.pk
    assert client_for(w.office).get(list_url + f"?tab=all&unit={w.tree.b.pk}&export=xlsx").status_code == 200
    entry = AuditEntry.objects.get(action="hardship.application.exported", actor_id=w.office.pk)
    assert entry.unit_id == w.tree.b.pk and entry.changes["filters"]["unit"]


def test_the_paid_tab_reads_as_assistance_paid_not_finance_paid(w: Any) -> None:
    from django.utils import translation

    from smartunion.hardship.views.assistance import TABS

    with translation.override("zh-hans"):
        assert translation.gettext("Paid") == "已付款"
        assert str(dict(TABS)["paid"]) != "已付款"
