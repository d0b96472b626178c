"""Forms of the check-in, attendance, results and summary pages (the sheets and score tables are read
from the POST directly: one field per row)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ScanForm(forms.Form):
    token = forms.CharField(
        label=_("Check-in code"),
        max_length=300,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "inputmode": "text"}
        ),
    )
    action = forms.ChoiceField(
        choices=[("in", _("Check in")), ("out", _("Check out"))], initial="in", required=False
    )


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": ".jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SummaryForm(forms.Form):
    text = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A few sentences for the news (宣传): what happened, who took part, the results."),
    )
    photos = MultiplePhotoField(
        label=_("Add photos"),
        required=False,
        help_text=_("JPEG or PNG, at most 10 MB each; choose several at once if needed."),
    )
    caption = forms.CharField(label=_("Caption of the added photos"), max_length=200, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
