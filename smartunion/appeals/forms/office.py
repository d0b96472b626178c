"""Forms of the handling office's appeal pages: the list's search, the reply, passing an appeal back as
misrouted (the reason is required; naming the right office helps the union office). The forms parse; the
services decide and explain a refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartunion.organisations import selectors_offices

from ..services.handling import REPLY_MAX_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Number or subject"), max_length=50, required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the member"),
        max_length=REPLY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "data-reply-target": ""}),
        help_text=_(
            "The member reads it on the phone and rates it; it may be published later without names."
        ),
        error_messages={"required": _("Write the reply to the member.")},
    )


class PassBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not for your office"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the appeal is not for your office.")},
    )
    suggested_office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("The office it is for (if you know)"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("I don't know"),  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, exclude_office: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = selectors_offices.office_list()
        if exclude_office is not None:
            offices = offices.exclude(pk=exclude_office)
        self.fields["suggested_office"].queryset = offices  # type: ignore[attr-defined]
