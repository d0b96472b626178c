"""Forms of the member's hardship pages in the portal: the one-screen application, a household member, a
supporting document, the consent on submission, withdrawing, and an objection to a public notice. The
services check every rule again; these forms only shape the input."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Document, HardshipFile, HouseholdMember


def _money(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "placeholder": "0"}),
    )


class ApplyForm(forms.Form):
    """The file's figures on one screen (the household comes next)."""

    city = forms.CharField(
        label=_("City"),
        max_length=50,
        help_text=_("Where your household lives: its minimum living standard (低保) is the yardstick."),
    )
    year = forms.TypedChoiceField(label=_("Year of the figures"), coerce=int)
    cause = forms.ChoiceField(label=_("Main cause of hardship"), choices=HardshipFile.Cause.choices)
    cause_detail = forms.CharField(
        label=_("Circumstances"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In a few sentences: what happened, since when, what it costs the family."),
    )
    housing = forms.ChoiceField(label=_("Housing"), choices=HardshipFile.Housing.choices)
    housing_detail = forms.CharField(
        label=_("Housing details"),
        max_length=500,
        required=False,
        help_text=_("For example the size of the flat or the monthly rent."),
    )
    medical_expense = _money(
        _("Self-paid medical costs of the year (元)"), _("After insurance reimbursement.")
    )
    schooling_expense = _money(_("Schooling costs of the year (元)"), _("Tuition and fees of the children."))
    other_rigid_expense = _money(_("Other rigid expenses of the year (元)"))
    accident_costs = _money(
        _("Costs and losses of a sudden event (元)"),
        _("Only after an accident, a disaster or a sudden serious illness."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [(this_year, str(this_year)), (this_year - 1, str(this_year - 1))]
        self.fields["city"].initial = settings.HARDSHIP_DEFAULT_CITY
        year_field.initial = this_year

    @classmethod
    def initial_of(cls, file: HardshipFile) -> dict[str, Any]:
        return {name: getattr(file, name) for name in cls.base_fields}


class HouseholdForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), choices=HouseholdMember.Relation.choices)
    name = forms.CharField(label=_("Name"), max_length=50)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    occupation = forms.ChoiceField(label=_("Occupation"), choices=HouseholdMember.Occupation.choices)
    annual_income = forms.DecimalField(
        label=_("Disposable income of the year (元)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Wages, pensions and other income after tax and social insurance; 0 if none."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    health = forms.CharField(
        label=_("Health or disability"),
        max_length=500,
        required=False,
        help_text=_("Only if it matters for the application, e.g. a chronic illness."),
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Document.Kind.choices)
    upload = forms.FileField(
        label=_("File"),
        help_text=_("A PDF, JPEG or PNG file of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class SubmitForm(forms.Form):
    agree = forms.BooleanField(
        label=_("I have read the notice above and agree to the processing of this information."),
        error_messages={"required": _("Your consent is needed to submit the application.")},
    )
    guardian_consent = forms.BooleanField(
        label=_("As the guardian, I agree to the processing of the information of my children under 14."),
        required=False,
    )

    def __init__(self, *args: Any, minor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.minor = minor
        if minor:
            self.fields["guardian_consent"].required = True
            self.fields["guardian_consent"].error_messages["required"] = _(
                "The household includes a child under 14: the guardian's consent is required."
            )
        else:
            del self.fields["guardian_consent"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw the application?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, withdraw my hardship application."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your objection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "What you know that speaks against this application. Only the sub-union's review officers read "
            "it; the member is not told who objected."
        ),
    )
