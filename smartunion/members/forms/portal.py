"""Forms of the member portal's 我的 pages: family members and correction requests."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput

from ..models import CorrectionRequest, FamilyMember, Person


class FamilyForm(forms.Form):
    relation = forms.ChoiceField(
        label=_("Relation"), choices=[("", _("Choose…")), *FamilyMember.Relation.choices]
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("Choose…")), *Person.Sex.choices])
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput(format="%Y-%m-%d"))
    school = forms.CharField(
        label=_("School or kindergarten"),
        max_length=100,
        required=False,
        help_text=_("Children only: used for childcare activities and 六一 benefits."),
    )
    guardian_consent = forms.BooleanField(
        label=_(
            "As the child's guardian I consent to the union recording this child's information, for union "
            "activities and benefits only."
        ),
        required=False,
        help_text=_("Required for a child under 14 (Personal Information Protection Law, art. 31)."),
    )


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(
        label=_("What is wrong"), choices=[("", _("Choose…")), *CorrectionRequest.FIELDS.items()]
    )
    requested_value = forms.CharField(label=_("Correct value"), max_length=200)
    reason = forms.CharField(
        label=_("Explanation (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. where the correct value can be checked"),
    )
