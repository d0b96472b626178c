"""Forms of the member portal's proposal pages (phone first: few fields per screen)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartunion.organisations import selectors_offices

from ..models import Proposal, Session
from ..selectors import portal as selectors


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


class SubmissionChoiceField(forms.TypedChoiceField):
    """A choice the draft may leave empty (autosave and "save" keep working) but the submission needs:
    ``components/form_fields.html`` marks it "needed to submit"."""

    needed_to_submit = True


class NewProposalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Proposal.Kind.choices,
        initial=Proposal.Kind.INDIVIDUAL,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Title (案由)"),
        max_length=200,
        help_text=_("One sentence naming the one issue, e.g. “关于增设东区教工停车位的提案”."),
    )

    def __init__(self, *args: Any, collective_allowed: bool, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not collective_allowed:
            del self.fields["kind"]
        self.fields["title"].widget.attrs.update(
            {"maxlength": session.title_max_chars, "autocomplete": "off", "data-count": "title"}
        )


class DraftForm(forms.Form):
    """The draft: 案由, 理由, 建议, category, suggested office. Only the title is required to save; the
    session's length rules are checked at submission (and shown while writing)."""

    title = forms.CharField(label=_("Title (案由)"), max_length=200)
    reasons = forms.CharField(
        label=_("Reasons (理由)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The situation and why it matters: facts, figures, the rules it touches."),
    )
    suggestions = forms.CharField(
        label=_("Suggestions (建议)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should be done, concretely, and by whom."),
    )
    category = SubmissionChoiceField(
        label=pgettext_lazy("congress", "Category"), required=False, coerce=int, empty_value=None
    )
    suggested_office = forms.TypedChoiceField(
        label=_("Suggested handling office"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The department you think should answer; the committee decides."),
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "category").choices = [("", _("Choose…"))] + [
            (group.name, group.options) for group in selectors.category_groups()
        ]
        _choice(self, "suggested_office").choices = [("", _("Not sure"))] + [
            (office.pk, office.name) for office in selectors_offices.office_list().order_by("name")
        ]
        for name, low, high in (
            ("title", 1, session.title_max_chars),
            ("reasons", session.reasons_min_chars, session.reasons_max_chars),
            ("suggestions", session.suggestions_min_chars, session.suggestions_max_chars),
        ):
            self.fields[name].widget.attrs.update(
                {"data-count": name, "data-min": low, "data-max": high, "autocomplete": "off"}
            )


class AttachmentForm(forms.Form):
    # Attachments are optional: not required here (no "*" on the draft page); the view refuses a POST
    # without a file with its own message.
    upload = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw it?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say why you withdraw the proposal (the committee and co-signers read it).")
        },
    )


class BoardFilterForm(forms.Form):
    session = forms.TypedChoiceField(
        label=_("Congress session"), required=False, coerce=int, empty_value=None
    )
    q = forms.CharField(
        label=_("Find a proposal"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title or office")}),
    )

    def __init__(self, *args: Any, sessions: list[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "session").choices = [("", _("All sessions"))] + [(s.pk, s.name) for s in sessions]
