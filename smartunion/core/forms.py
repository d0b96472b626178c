from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .audit import action_choices


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ModelChoiceField(
        label=_("Object type"), queryset=ContentType.objects.none(), required=False, empty_label=_("All")
    )
    target_id = forms.CharField(label=_("Object"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    sensitive_only = forms.BooleanField(label=_("Sensitive data access only"), required=False)

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        prefixes = sorted({code.rsplit(".", 1)[0] for code, _label in action_choices()})
        self.fields["action"].choices = (
            [("", _("All"))]
            + [(code, f"{label} ({code})") for code, label in action_choices()]
            + [(prefix, f"{prefix}.*") for prefix in prefixes]
        )
        self.fields["target_type"].queryset = ContentType.objects.filter(
            app_label__in=["organisations", "accounts", "members", "core", "notifications"]
        ).order_by("app_label", "model")
        self.fields["target_type"].label_from_instance = lambda ct: f"{ct.name} ({ct.app_label})"

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
