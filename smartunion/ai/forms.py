"""Forms of the AI console pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import RouterModel
from .registry import routers

# A version's statuses with their own translations (context "router": "Retired" is no person's retirement,
# "In use" no card's period of use); the same as ai/models/_status.html.
STATUS_CHOICES = [
    (RouterModel.Status.CANDIDATE.value, pgettext_lazy("router", "Candidate")),
    (RouterModel.Status.ACTIVE.value, pgettext_lazy("router", "In use")),
    (RouterModel.Status.RETIRED.value, pgettext_lazy("router", "Retired")),
    (RouterModel.Status.REJECTED.value, pgettext_lazy("router", "Not promoted")),
]


class ModelFilterForm(forms.Form):
    router = forms.ChoiceField(label=_("Router"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *STATUS_CHOICES])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All")), *((spec.name, spec.label) for spec in routers.all())]
        self.fields["router"].choices = choices  # type: ignore[attr-defined]
