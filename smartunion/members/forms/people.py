from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms_support import model_choice, unit_label

from ..models import Person, StaffCategory


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, staff number, mobile or ID number"), required=False)
    # The units in the user's scope, set per request.
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All units"),  # type: ignore[arg-type]
    )
    category = forms.ModelChoiceField(
        label=_("Staff category"), queryset=StaffCategory.objects.none(), required=False, empty_label=_("All")
    )
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", _("All")), *Person.Sex.choices])

    def __init__(self, *args: Any, units: Any, sensitive: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not sensitive:  # searching by mobile or ID number is only for those who may see them
            self.fields["q"].label = _("Name or staff number")
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]
        model_choice(self, "category").queryset = StaffCategory.objects.filter(is_active=True)
