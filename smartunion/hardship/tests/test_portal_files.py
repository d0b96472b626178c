"""The member's hardship pages in the portal: own file only, apply → household → documents → submit with
the consent (and the guardian's for a child under 14), withdraw."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from smartunion.hardship.models import Consent, Document, HardshipFile, HouseholdMember
from smartunion.hardship.services.common import consent_notice

from . import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 test document"


@pytest.fixture
def member(make_user: Any, make_person: Any, tree: Any) -> Any:
    user = make_user("member", tree.a, name="王芳")
    person = make_person(unit=tree.a, staff_no=user.staff_no, name="王芳", user=user)
    factories.dibao()
    return person


@pytest.fixture
def client_of(member: Any) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def officer(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="帮扶经办")


def _apply(client: Client, **overrides: Any) -> Any:
    data = {
        "city": "南通市",
        "year": timezone.localdate().year,
        "cause": HardshipFile.Cause.ILLNESS,
        "cause_detail": "丈夫患尿毒症，每周透析三次",
        "housing": HardshipFile.Housing.RENTED,
        "housing_detail": "租住两居室",
        "medical_expense": "48000",
        "schooling_expense": "",
        "other_rigid_expense": "",
        "accident_costs": "",
        **overrides,
    }
    return client.post(reverse("hardship:portal_file_apply"), data)


def _add(client: Client, file: HardshipFile, **fields: Any) -> Any:
    return client.post(reverse("hardship:portal_file_household", args=[file.pk]), fields)


def test_overview_without_a_file_explains_and_offers_to_apply(client_of: Client) -> None:
    response = client_of.get(reverse("hardship:portal_file"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "深度困难" in body and "相对困难" in body and "意外致困" in body
    assert reverse("hardship:portal_file_apply") in body


def test_account_without_a_staff_record_is_told(make_user: Any, tree: Any) -> None:
    client = Client()
    client.force_login(make_user("member", tree.a))
    response = client.get(reverse("hardship:portal_file"))
    assert response.status_code == 200
    assert "not linked to a staff record" in response.content.decode()


def test_apply_household_documents_submit_end_to_end(client_of: Client, member: Any) -> None:
    form = client_of.get(reverse("hardship:portal_file_apply"))
    assert 'value="南通市"' in form.content.decode()  # the default city
    response = _apply(client_of)
    file = HardshipFile.objects.get(person=member)
    assert response.status_code == 302
    assert response["Location"] == reverse("hardship:portal_file_household", args=[file.pk])
    assert file.status == HardshipFile.Status.DRAFT and not file.on_behalf
    assert file.medical_expense == 48000 and file.cause_detail == "丈夫患尿毒症，每周透析三次"

    # The household page starts with the member, prefilled with their name.
    page = client_of.get(reverse("hardship:portal_file_household", args=[file.pk])).content.decode()
    assert 'value="王芳"' in page and 'value="self" selected' in page
    assert (
        _add(
            client_of,
            file,
            relation="self",
            name="王芳",
            birth_year=1982,
            occupation="employed",
            annual_income="36000",
        ).status_code
        == 302
    )
    assert (
        _add(
            client_of,
            file,
            relation="spouse",
            name="李强",
            birth_year=1980,
            occupation="unable",
            annual_income="0",
            health="尿毒症",
        ).status_code
        == 302
    )
    assert list(file.household.values_list("name", flat=True)) == ["王芳", "李强"]

    upload = SimpleUploadedFile("收入证明.pdf", PDF, content_type="application/pdf")
    response = client_of.post(
        reverse("hardship:portal_file_document", args=[file.pk]), {"kind": "income", "upload": upload}
    )
    assert response.status_code == 302
    document = Document.objects.get(file=file)
    assert document.filename == "收入证明.pdf" and bytes(document.content) != PDF  # encrypted

    page = client_of.get(reverse("hardship:portal_file_submit", args=[file.pk])).content.decode()
    notice = consent_notice(Consent.Purpose.HARDSHIP_FILE)
    assert notice[:30] in page
    assert "guardian_consent" not in page  # no child under 14

    refused = client_of.post(reverse("hardship:portal_file_submit", args=[file.pk]), {})
    assert refused.status_code == 200 and "Your consent is needed" in refused.content.decode()
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.DRAFT

    response = client_of.post(reverse("hardship:portal_file_submit", args=[file.pk]), {"agree": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("hardship:portal_file")
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.APPLIED and file.number
    assert file.consent is not None
    assert file.consent.notice_text == notice and file.consent.method == Consent.Method.ONLINE
    assert file.consent.person == member and not file.consent.guardian_consent

    overview = client_of.get(reverse("hardship:portal_file")).content.decode()
    assert file.number in overview and "home visit" in overview
    assert "李强" in overview and "48,000.00" in overview  # the member sees their own figures


def test_guardian_consent_is_required_with_a_child_under_14(client_of: Client, member: Any) -> None:
    _apply(client_of)
    file = HardshipFile.objects.get(person=member)
    _add(
        client_of,
        file,
        relation="self",
        name="王芳",
        birth_year=1985,
        occupation="employed",
        annual_income="30000",
    )
    child_year = timezone.localdate().year - 8
    _add(
        client_of,
        file,
        relation="child",
        name="李小宝",
        birth_year=child_year,
        occupation="student",
        annual_income="0",
    )
    page = client_of.get(reverse("hardship:portal_file_submit", args=[file.pk])).content.decode()
    assert 'name="guardian_consent"' in page
    response = client_of.post(reverse("hardship:portal_file_submit", args=[file.pk]), {"agree": "on"})
    assert response.status_code == 200
    assert "the guardian&#x27;s consent is required" in response.content.decode()
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.DRAFT and not Consent.objects.filter(person=member).exists()
    response = client_of.post(
        reverse("hardship:portal_file_submit", args=[file.pk]), {"agree": "on", "guardian_consent": "on"}
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.APPLIED and file.consent is not None
    assert file.consent.guardian_consent


def test_submit_needs_the_member_in_the_household(client_of: Client, member: Any) -> None:
    _apply(client_of)
    file = HardshipFile.objects.get(person=member)
    _add(
        client_of,
        file,
        relation="spouse",
        name="李强",
        birth_year=1980,
        occupation="unable",
        annual_income="0",
    )
    response = client_of.post(reverse("hardship:portal_file_submit", args=[file.pk]), {"agree": "on"})
    assert response.status_code == 200
    assert "Add the member themself" in response.content.decode()
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.DRAFT


def test_bad_input_is_shown_on_the_form(client_of: Client, member: Any) -> None:
    response = _apply(client_of, medical_expense="-5", cause="nonsense")
    assert response.status_code == 200
    assert not HardshipFile.objects.filter(person=member).exists()
    _apply(client_of)
    file = HardshipFile.objects.get(person=member)
    response = _add(
        client_of, file, relation="self", name="", birth_year=1800, occupation="employed", annual_income=""
    )
    assert response.status_code == 200 and not file.household.exists()


def test_a_bad_document_is_refused(client_of: Client, member: Any) -> None:
    _apply(client_of)
    file = HardshipFile.objects.get(person=member)
    upload = SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream")
    response = client_of.post(
        reverse("hardship:portal_file_document", args=[file.pk]),
        {"kind": "income", "upload": upload},
        follow=True,
    )
    assert "is not accepted" in response.content.decode()
    assert not Document.objects.filter(file=file).exists()


def test_household_member_removed(client_of: Client, member: Any) -> None:
    _apply(client_of)
    file = HardshipFile.objects.get(person=member)
    _add(
        client_of,
        file,
        relation="self",
        name="王芳",
        birth_year=1985,
        occupation="employed",
        annual_income="30000",
    )
    relative = file.household.get()
    response = client_of.post(reverse("hardship:portal_household_remove", args=[file.pk, relative.pk]))
    assert response.status_code == 302 and not file.household.exists()


def test_an_existing_draft_is_continued_not_duplicated(client_of: Client, member: Any) -> None:
    _apply(client_of)
    file = HardshipFile.objects.get(person=member)
    response = client_of.get(reverse("hardship:portal_file_apply"))
    assert response.status_code == 302
    assert response["Location"] == reverse("hardship:portal_file_edit", args=[file.pk])
    response = client_of.post(
        reverse("hardship:portal_file_edit", args=[file.pk]),
        {
            "city": "南通市",
            "year": file.year,
            "cause": "schooling",
            "housing": "owned",
            "schooling_expense": "9000",
        },
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.cause == "schooling" and file.schooling_expense == 9000
    assert HardshipFile.objects.filter(person=member).count() == 1


def test_another_members_file_is_not_found(
    client_of: Client, make_person: Any, officer: Any, tree: Any
) -> None:
    other = make_person(unit=tree.a, name="赵六")
    draft = factories.make_file(person=other, actor=officer, status=HardshipFile.Status.DRAFT)
    member_of_household = draft.household.first()
    assert member_of_household is not None
    for name, args in (
        ("hardship:portal_file_edit", [draft.pk]),
        ("hardship:portal_file_household", [draft.pk]),
        ("hardship:portal_file_submit", [draft.pk]),
        ("hardship:portal_file_withdraw", [draft.pk]),
    ):
        assert client_of.get(reverse(name, args=args)).status_code == 404, name
        assert client_of.post(reverse(name, args=args), {"agree": "on"}).status_code == 404, name
    assert (
        client_of.post(
            reverse("hardship:portal_household_remove", args=[draft.pk, member_of_household.pk])
        ).status_code
        == 404
    )
    upload = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert (
        client_of.post(
            reverse("hardship:portal_file_document", args=[draft.pk]), {"kind": "income", "upload": upload}
        ).status_code
        == 404
    )
    draft.refresh_from_db()
    assert draft.status == HardshipFile.Status.DRAFT and draft.household.count() == 3
    assert not draft.documents.exists()
    # The overview shows only the member's own (none): not the other's.
    assert "赵六" not in client_of.get(reverse("hardship:portal_file")).content.decode()


def test_own_active_file_shows_status_and_figures(client_of: Client, member: Any, officer: Any) -> None:
    file = factories.make_file(person=member, actor=officer, status=HardshipFile.Status.ACTIVE)
    response = client_of.get(reverse("hardship:portal_file"))
    body = response.content.decode()
    assert file.number in body and "Active" in body
    assert "家属1" in body  # the household, the member's own data
    assert (
        reverse("hardship:portal_file_withdraw", args=[file.pk]) not in body
    )  # an active file is not withdrawn
    # No sensitive-view log for the member reading their own file.
    from smartunion.core.models import AuditEntry

    assert not AuditEntry.objects.filter(action="hardship.file.viewed").exists()


def test_withdraw_with_confirmation(client_of: Client, member: Any, officer: Any) -> None:
    file = factories.make_file(person=member, actor=officer, status=HardshipFile.Status.APPLIED)
    page = client_of.get(reverse("hardship:portal_file_withdraw", args=[file.pk]))
    assert page.status_code == 200
    refused = client_of.post(reverse("hardship:portal_file_withdraw", args=[file.pk]), {"reason": "情况好转"})
    assert refused.status_code == 200
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.APPLIED
    response = client_of.post(
        reverse("hardship:portal_file_withdraw", args=[file.pk]), {"reason": "情况好转", "confirm": "on"}
    )
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.WITHDRAWN
    # Closed: the overview offers to apply again.
    body = client_of.get(reverse("hardship:portal_file")).content.decode()
    assert "Apply again" in body


def test_a_submitted_file_is_not_edited_from_the_portal(client_of: Client, member: Any, officer: Any) -> None:
    file = factories.make_file(person=member, actor=officer, status=HardshipFile.Status.APPLIED)
    response = client_of.post(
        reverse("hardship:portal_file_household", args=[file.pk]),
        {
            "relation": "child",
            "name": "新增",
            "birth_year": 2010,
            "occupation": "student",
            "annual_income": "0",
        },
    )
    assert response.status_code == 302
    assert not HouseholdMember.objects.filter(file=file, name="新增").exists()
    assert client_of.get(reverse("hardship:portal_file_edit", args=[file.pk])).status_code == 302


def test_services_page_shows_the_hardship_block(client_of: Client) -> None:
    response = client_of.get(reverse("dashboards:portal_section", args=["services"]))
    assert response.status_code == 200
    assert reverse("hardship:portal_file") in response.content.decode()
    assert reverse("hardship:portal_notices") in response.content.decode()


# -- the member's own documents and the draft period ----------------------------------------------------------


def _document(file: HardshipFile, actor: Any, name: str = "收入证明.pdf") -> Document:
    from smartunion.core import crypto

    return Document.objects.create(
        file=file,
        kind=Document.Kind.INCOME,
        filename=name,
        content_type="application/pdf",
        size=len(PDF),
        content=crypto.encrypt_bytes(PDF),
        uploaded_by=actor,
    )


def test_the_member_opens_their_own_documents(client_of: Client, member: Any, officer: Any) -> None:
    file = factories.make_file(person=member, actor=officer, status=HardshipFile.Status.ACTIVE)
    document = _document(file, officer)
    url = reverse("hardship:portal_document", args=[document.pk])
    assert url == f"/m/services/hardship/documents/{document.pk}/"
    home = client_of.get(reverse("hardship:portal_file")).content.decode()
    assert f'href="{url}"' in home
    response = client_of.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    # The member's own assistance documents too.
    application = factories.make_application(
        person=member, actor=officer, programme=factories.make_programme(code="temp")
    )
    from smartunion.core import crypto

    own_application_document = Document.objects.create(
        application=application,
        kind=Document.Kind.MEDICAL,
        filename="票据.pdf",
        content_type="application/pdf",
        size=len(PDF),
        content=crypto.encrypt_bytes(PDF),
        uploaded_by=officer,
    )
    assert (
        client_of.get(reverse("hardship:portal_document", args=[own_application_document.pk])).status_code
        == 200
    )


def test_anyone_elses_document_is_not_found_in_the_portal(
    client_of: Client, make_person: Any, officer: Any, tree: Any
) -> None:
    other = make_person(unit=tree.a, name="赵六")
    document = _document(factories.make_file(person=other, actor=officer), officer, name="赵六的证明.pdf")
    url = reverse("hardship:portal_document", args=[document.pk])
    assert client_of.get(url).status_code == 404
    # Not even for an officer who may open it in the console: the portal serves one's own only.
    officer_client = Client()
    officer_client.force_login(officer)
    assert officer_client.get(url).status_code == 404
    assert officer_client.get(reverse("hardship:document_download", args=[document.pk])).status_code == 200
    assert client_of.get(reverse("hardship:portal_document", args=[999999])).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302


def test_the_draft_links_its_documents_and_the_apply_page_tells_the_draft_period(
    client_of: Client, member: Any, officer: Any
) -> None:
    page = client_of.get(reverse("hardship:portal_file_apply")).content.decode()
    assert 'id="draft-expiry"' in page and "untouched for 90 days is deleted" in page
    draft = factories.make_file(person=member, actor=officer, status=HardshipFile.Status.DRAFT)
    document = _document(draft, member.user)
    body = client_of.get(reverse("hardship:portal_file_household", args=[draft.pk])).content.decode()
    assert reverse("hardship:portal_document", args=[document.pk]) in body
    edit = client_of.get(reverse("hardship:portal_file_edit", args=[draft.pk])).content.decode()
    assert "untouched for 90 days is deleted" in edit
