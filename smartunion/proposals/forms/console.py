"""Forms of the console's proposal pages: the committee's filters and decisions, the assignment (交办),
the offices' 退办, 会签 and reply, the leaders' 批示 and 审签. The forms parse; the services decide and
explain a refusal in words (a required reason, a reply without A/B/C …)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Proposal
from ..selectors import sla


class ConsoleFilterForm(forms.Form):
    q = forms.CharField(label=_("Number, title, proposer or delegation"), max_length=50, required=False)
    session: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Session"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All sessions"),  # type: ignore[arg-type]
    )
    record_type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("Proposals and suggestions")), *Proposal.RecordType.choices],
        required=False,
    )
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=pgettext_lazy("congress", "Category"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=pgettext_lazy("congress", "All categories"),  # type: ignore[arg-type]
    )
    office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Handling office"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All offices"),  # type: ignore[arg-type]
    )
    colour = forms.ChoiceField(
        label=_("Supervision"),
        choices=[("", _("Any")), *((key, label) for key, label in sla.LABELS.items())],
        required=False,
    )

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = choices["sessions"]  # type: ignore[attr-defined]
        self.fields["category"].queryset = choices["categories"]  # type: ignore[attr-defined]
        self.fields["office"].queryset = choices["offices"]  # type: ignore[attr-defined]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Number or title"), max_length=50, required=False)


class AcceptForm(forms.Form):
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=pgettext_lazy("congress", "Category"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        help_text=_("Re-classify the proposal here if the proposer chose a category that does not fit."),
    )

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Merge into (并案)"), coerce=int, choices=(), required=False)
    reason = forms.CharField(
        label=_("Note for the proposer"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, targets: list[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((p.pk, f"{p.number or '—'} {p.title}") for p in targets),
        ]


class ConvertForm(forms.Form):
    reason = forms.CharField(
        label=_("Note for the proposer"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who may read it on the board"), choices=Proposal.Visibility.choices
    )


class AssignForm(forms.Form):
    lead: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Lead office (主办)"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        help_text=_("Answers the proposal, after collecting the assisting offices' input."),
    )
    assists: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Assisting offices (协办)"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They send their input (会签) to the lead office; they do not reply themselves."),
    )

    def __init__(self, *args: Any, offices: Any, co_handling: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = offices  # type: ignore[attr-defined]
        if co_handling:
            self.fields["assists"].queryset = offices  # type: ignore[attr-defined]
        else:
            del self.fields["assists"]


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["text"].label = label


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply to the proposer"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "If it can be done: what will be done and by when. If it is hard now: the difficulty, the plan "
            "and the time. If it cannot be done: the reason."
        ),
    )
    implementation = forms.ChoiceField(
        label=_("Implementation status"),
        choices=Proposal.Implementation.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class SignoffForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve and release")), ("send_back", _("Send back to the office"))],
    )
    note = forms.CharField(
        label=_("Note to the office"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
