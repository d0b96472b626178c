"""Forms of the 入会 workflow: the 申请书 and the officers' decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms_support import model_choice, unit_label

from ..models import MembershipApplication
from ..services.applications import STATEMENT_MAX, STATEMENT_MIN

App = MembershipApplication


class ApplicationForm(forms.Form):
    """The 申请书. Rules (length, consent, who may apply) are checked by the service."""

    political_status = forms.ChoiceField(
        label=_("Political status"), choices=[("", _("Choose…")), *App.PoliticalStatus.choices]
    )
    education = forms.CharField(
        label=_("Education"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 博士研究生")}),
    )
    statement = forms.CharField(
        label=_("Application statement"),
        help_text=_("Why you want to join the union, %(min)d to %(max)d characters.")
        % {"min": STATEMENT_MIN, "max": STATEMENT_MAX},
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": STATEMENT_MAX}),
        required=False,
    )
    charter_consent = forms.BooleanField(
        label=_(
            "I accept the Constitution of the Chinese Trade Unions, will abide by union decisions and pay "
            "the membership dues."
        ),
        required=False,
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Sub-union opinion (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 经分工会委员会讨论，同意入会")}),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The applicant reads this reason."),
    )


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or staff number"), required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All units"),  # type: ignore[arg-type]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *App.Status.choices]
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]
