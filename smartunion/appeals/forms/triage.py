"""Forms of the union office's appeal pages: the list's filters, routing, revealing the submitter,
publishing as a question and answer, the categories and the settings. The forms parse; the services
decide and explain a refusal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Appeal, Category


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:  # type: ignore[override]
        return f"{obj.office.name} · {obj.name}"


class ConsoleFilterForm(forms.Form):
    q = forms.CharField(label=_("Number, subject or text"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Appeal.Status.choices], required=False
    )
    office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Handling office"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All offices"),  # type: ignore[arg-type]
    )
    category = CategoryChoiceField(
        label=pgettext_lazy("appeal", "Category"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=pgettext_lazy("appeal", "All categories"),  # type: ignore[arg-type]
    )
    date_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = choices["offices"]  # type: ignore[attr-defined]
        self.fields["category"].queryset = choices["categories"]  # type: ignore[attr-defined]


class RouteForm(forms.Form):
    category = CategoryChoiceField(
        label=_("Office and category"),
        queryset=Category.objects.none(),
        empty_label=_("Choose…"),  # type: ignore[arg-type]
    )
    note = forms.CharField(
        label=_("Note for the office (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you need to know who submitted it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Logged with your name. The identity is shown on this page once and stored nowhere."),
    )


class PublishForm(forms.Form):
    question = forms.CharField(
        label=_("Published question"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Rewrite it so that it names nobody (no names, staff numbers or units)."),
    )
    answer = forms.CharField(
        label=_("Published answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The office's reply, without names."),
    )


class CategoryForm(forms.Form):
    office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Handling office"),
        queryset=None,  # type: ignore[arg-type]
        empty_label=_("Choose…"),  # type: ignore[arg-type]
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What members write about under this category: the router starts from it."),
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=500,
        help_text=_("Words members use for it, separated by spaces or commas (e.g. 食堂 饭菜 早餐)."),
    )
    acknowledge_working_days = forms.IntegerField(
        label=_("Acknowledge within (working days)"), min_value=1, max_value=120, initial=2
    )
    reply_working_days = forms.IntegerField(
        label=_("Reply within (working days)"), min_value=1, max_value=120, initial=10
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, required=False, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    auto_route_confidence = forms.FloatField(
        label=_("Route automatically at or above this confidence"),
        min_value=0,
        max_value=1,
        help_text=_("Between 0 and 1. Below it, appeals wait in the triage queue with the suggestions."),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    escalate_after_working_days = forms.IntegerField(
        label=_("Escalate to the union office after the reply deadline by (working days)"),
        min_value=0,
        max_value=60,
    )
    retrain_every_confirmed = forms.IntegerField(
        label=_("Retrain the router after this many newly confirmed routings"), min_value=1, max_value=10000
    )
