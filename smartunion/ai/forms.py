"""Forms of the AI console pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RouterModel
from .registry import routers


class ModelFilterForm(forms.Form):
    router = forms.ChoiceField(label=_("Router"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *list(RouterModel.Status.choices)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All")), *((spec.name, spec.label) for spec in routers.all())]
        self.fields["router"].choices = choices  # type: ignore[attr-defined]
