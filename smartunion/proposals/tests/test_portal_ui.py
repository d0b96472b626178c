"""What the browser test of the portal pages found: the optional attachment field is not marked required
and an empty upload is refused with a message; the category is marked "needed to submit" without
blocking the draft; after an invitation the co-signers page shows the confirmation and a fresh search;
the board's filters have visible labels; multiple-choice fields render as a fieldset with a legend."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from smartunion.proposals.forms.portal import AttachmentForm, DraftForm
from smartunion.proposals.models import Attachment, Proposal, Signer
from smartunion.proposals.services import drafting

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rep1(congress: Any) -> Client:
    return client_for(congress.rep1.person.user)


@pytest.fixture
def draft(congress: Any) -> Proposal:
    return drafting.proposal_create(actor=congress.rep1.person.user, title="关于增设东区教工停车位的提案")


def _label_of(page: str, field_id: str) -> str:
    match = re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S)
    assert match, field_id
    return match.group(1)


def test_attachment_field_is_optional_and_category_needed_to_submit(
    congress: Any, rep1: Client, draft: Proposal
) -> None:
    assert AttachmentForm.base_fields["upload"].required is False
    assert DraftForm.base_fields["category"].required is False
    page = rep1.get(reverse("proposals:portal_edit", args=[draft.pk])).content.decode()
    assert 'class="required"' not in _label_of(page, "id_upload")
    category = _label_of(page, "id_category")
    assert "needed to submit" in category and 'class="required"' not in category
    assert 'class="required"' in _label_of(page, "id_title")


def test_the_draft_saves_without_a_category(congress: Any, rep1: Client, draft: Proposal) -> None:
    response = rep1.post(
        reverse("proposals:portal_edit", args=[draft.pk]),
        {"title": draft.title, "reasons": "", "suggestions": "", "category": "", "suggested_office": ""},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.category is None


def test_an_empty_upload_is_refused_with_a_message(congress: Any, rep1: Client, draft: Proposal) -> None:
    response = rep1.post(reverse("proposals:portal_attachment_add", args=[draft.pk]), {})
    assert response.status_code == 302
    assert response["Location"].endswith("#attachments")
    message = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == [
        "Choose a file to attach first: PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx), at most 10 MB."
    ]
    assert not Attachment.objects.exists()


def test_an_empty_file_is_refused_with_the_forms_message(
    congress: Any, rep1: Client, draft: Proposal
) -> None:
    response = rep1.post(
        reverse("proposals:portal_attachment_add", args=[draft.pk]),
        {"upload": SimpleUploadedFile("空.pdf", b"", content_type="application/pdf")},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The submitted file is empty."]
    assert not Attachment.objects.exists()


def test_after_an_invitation_the_search_starts_afresh(congress: Any, rep1: Client, draft: Proposal) -> None:
    url = reverse("proposals:portal_invite", args=[draft.pk])
    response = rep1.post(url, {"representative": congress.rep3.pk, "q": "代表3"})
    assert response.status_code == 302 and response["Location"] == url  # no ?q=: an empty search box
    page = rep1.get(url).content.decode()
    assert 'value=""' in re.search(r'<input type="search" name="q"[^>]*>', page).group(0)  # type: ignore[union-attr]
    invitees = page[page.index('id="invitees"') : page.index('id="invite-search"')]
    assert "代表3" in invitees
    assert "No serving full representative matches" not in page and 'id="no-match"' not in page
    assert Signer.objects.filter(proposal=draft, representative=congress.rep3).exists()
    # Searching the invited name again says why nobody is listed.
    page = rep1.get(url, {"q": "代表3"}).content.decode()
    assert "Nobody left to invite matches" in page


def test_a_refused_invitation_keeps_the_search(congress: Any, rep1: Client, draft: Proposal) -> None:
    url = reverse("proposals:portal_invite", args=[draft.pk])
    rep1.post(url, {"representative": congress.rep3.pk})
    response = rep1.post(url, {"representative": congress.rep3.pk, "q": "代表3"})
    assert response["Location"] == f"{url}?q=%E4%BB%A3%E8%A1%A83"


def test_board_filters_have_visible_labels(congress: Any) -> None:
    page = client_for(congress.outsider.user).get(reverse("proposals:portal_board")).content.decode()
    assert _label_of(page, "id_session") == "Congress session"
    assert _label_of(page, "id_q") == "Find a proposal"


class _ChoicesForm(forms.Form):
    offices = forms.MultipleChoiceField(
        label="Assisting offices",
        required=False,
        choices=[("1", "人事处"), ("2", "保卫处")],
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.ChoiceField(label="Level", choices=[("A", "A"), ("B", "B")], widget=forms.RadioSelect)
    agree = forms.BooleanField(label="I agree", required=False)


def test_form_fields_component_renders_choice_lists_under_a_legend() -> None:
    html = render_to_string("components/form_fields.html", {"form": _ChoicesForm()})
    offices = re.search(
        r'<fieldset class="form-field form-choices">\s*<legend>Assisting offices</legend>', html
    )
    assert offices, html
    assert re.search(r'<legend>Level<span class="required" aria-hidden="true">\*</span></legend>', html)
    assert 'id="id_offices_0"' in html and 'id="id_level_1"' in html
    # A single checkbox stays a one-line check, label beside the box.
    assert re.search(r'<div class="form-field form-check">\s*<label for="id_agree">I agree</label>', html)
