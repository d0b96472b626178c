from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .audit import action_choices
from .forms_support import model_choice


class DateInput(forms.DateInput):
    """The browser's date picker; it only understands ISO dates, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")


def _content_type_label(content_type: ContentType) -> str:
    return f"{content_type.name} ({content_type.app_label})"


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
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = (
            [("", _("All"))]
            + [(code, f"{label} ({code})") for code, label in action_choices()]
            + [(prefix, f"{prefix}.*") for prefix in prefixes]
        )
        target_type = model_choice(self, "target_type")
        ours = [app.label for app in apps.get_app_configs() if app.name.startswith("smartunion.")]
        target_type.queryset = ContentType.objects.filter(app_label__in=ours).order_by("app_label", "model")
        target_type.label_from_instance = _content_type_label  # type: ignore[assignment]

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
