"""Forms of the hardship files' console pages. The services validate every rule again; these forms only
shape the input (and give the list its filters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice, unit_label

from ..models import Category, Document, HardshipFile, HouseholdMember


def _money(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, max_digits=12, decimal_places=2, min_value=0, help_text=help_text
    )


class FileFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, staff number or file number"), max_length=50, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All my units"),  # type: ignore[arg-type]
    )
    category = forms.ChoiceField(
        label=_("Hardship category"), choices=[("", _("All categories")), *Category.choices], required=False
    )
    cause = forms.ChoiceField(
        label=_("Cause"), choices=[("", _("All causes")), *HardshipFile.Cause.choices], required=False
    )
    review_due = forms.ChoiceField(
        label=_("Annual review"),
        choices=[
            ("", _("Any")),
            ("overdue", _("Overdue")),
            ("soon", _("Due within 30 days")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice(self, "unit")
        field.queryset = units
        field.label_from_instance = unit_label  # type: ignore[assignment]


class PersonPickForm(forms.Form):
    """Step one of a new file: the member, by staff number, within the officer's units."""

    staff_no = forms.CharField(label=_("Staff number (工号)"), max_length=32)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people

    def clean_staff_no(self) -> Any:
        term = self.cleaned_data["staff_no"].strip()
        person = self.people.filter(staff_no__iexact=term).first()
        if person is None:
            raise forms.ValidationError(
                _("No member of your units has the staff number “%(term)s”.") % {"term": term}
            )
        return person


class FileForm(forms.Form):
    """The file's own data: cause, housing, city and year of the figures, the rigid expenses."""

    cause = forms.ChoiceField(label=_("Main cause of hardship"), choices=HardshipFile.Cause.choices)
    cause_detail = forms.CharField(
        label=_("Circumstances"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    housing = forms.ChoiceField(label=_("Housing"), choices=HardshipFile.Housing.choices)
    housing_detail = forms.CharField(label=_("Housing details"), required=False, max_length=500)
    city = forms.CharField(label=_("City (for the 低保 standard)"), max_length=50)
    year = forms.IntegerField(label=_("Year of the figures"))
    medical_expense = _money(_("Self-paid medical costs of the year"))
    schooling_expense = _money(_("Schooling costs of the year"))
    other_rigid_expense = _money(_("Other rigid expenses of the year"))
    accident_costs = _money(
        _("Costs and losses of a sudden event"),
        help_text=_("Only for 意外致困: the year's costs or losses of an accident, disaster or illness."),
    )
    reason = forms.CharField(
        label=_("Reason for the change in circumstances"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    FILE_FIELDS = (
        "cause",
        "cause_detail",
        "housing",
        "housing_detail",
        "city",
        "year",
        "medical_expense",
        "schooling_expense",
        "other_rigid_expense",
        "accident_costs",
    )

    def __init__(self, *args: Any, with_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["city"].initial = settings.HARDSHIP_DEFAULT_CITY
        self.fields["year"].initial = timezone.localdate().year
        if with_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]

    @classmethod
    def initial_from(cls, file: HardshipFile) -> dict[str, Any]:
        return {name: getattr(file, name) for name in cls.FILE_FIELDS}

    def file_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.FILE_FIELDS}


class HouseholdForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), choices=HouseholdMember.Relation.choices)
    name = forms.CharField(label=_("Name"), max_length=50)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900)
    occupation = forms.ChoiceField(label=_("Occupation"), choices=HouseholdMember.Occupation.choices)
    annual_income = _money(_("Disposable income of the year"), required=True)
    health = forms.CharField(label=_("Health or disability"), required=False, max_length=500)
    reason = forms.CharField(
        label=_("Reason for the change in circumstances"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    MEMBER_FIELDS = ("relation", "name", "birth_year", "occupation", "annual_income", "health")

    def __init__(self, *args: Any, with_reason: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_year"].max_value = timezone.localdate().year  # type: ignore[attr-defined]
        if with_reason:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]

    @classmethod
    def initial_from(cls, member: HouseholdMember) -> dict[str, Any]:
        return {name: getattr(member, name) for name in cls.MEMBER_FIELDS}

    def member_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.MEMBER_FIELDS}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class SubmitForm(forms.Form):
    """An officer submits on the member's behalf: the member's signed paper consent form is on record."""

    paper_consent = forms.BooleanField(
        label=_("The member has signed the paper consent form shown above"), required=True
    )
    guardian_consent = forms.BooleanField(
        label=_("The guardian has consented for the children under 14 in the household"), required=False
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    visitors = forms.CharField(
        label=_("Visitors"), max_length=300, help_text=_("At least two people, separated by 、 or commas.")
    )
    findings = forms.CharField(label=_("Findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    figures_confirmed = forms.BooleanField(label=_("The figures were confirmed on the visit"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()


class UnitReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve: start the public notice")), ("reject", _("Do not approve"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Minutes of the review (the reason when not approved)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Objection (recorded from a paper or oral objection)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ResolveForm(forms.Form):
    upheld = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("no", _("Dismissed: the file stands")), ("yes", _("Upheld: the file must be rejected"))],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=_("How it was verified and resolved"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OverrideForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Hardship category"),
        choices=[("", _("Clear the override: use the computed category")), *Category.choices],
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Document.Kind.choices)
    upload = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
        help_text=_("A PDF, JPEG or PNG file of at most 10 MB."),
    )
