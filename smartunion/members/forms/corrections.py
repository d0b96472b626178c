"""The union office's forms for correction requests."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CorrectionRequest


class CorrectionHandleForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("done", _("Corrected")), ("declined", _("Declined"))],
        widget=forms.RadioSelect,
        initial="done",
    )
    response = forms.CharField(
        label=_("Reply to the member"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining: say why."),
    )


class CorrectionFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or staff number"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *CorrectionRequest.Status.choices]
    )
    field = forms.ChoiceField(
        label=_("What is wrong"), required=False, choices=[("", _("All")), *CorrectionRequest.FIELDS.items()]
    )
