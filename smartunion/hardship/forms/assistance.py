"""Forms of the assistance pages: programmes and their rule versions (with the amount bands as rows), the
applications list's filters, applying (the member's portal form and the officer's on-behalf form) and the
decisions on an application."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice, unit_label

from ..models import AssistanceProgramme, Document
from ..services.programmes import BandSpec

BAND_ROWS = 8


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


# -- programmes ----------------------------------------------------------------------------------------


class ProgrammeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=40, help_text=_("A short code in Latin letters, e.g. temporary_aid.")
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Who it is for"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    condition_label = forms.CharField(
        label=_("What the bands measure"),
        max_length=100,
        help_text=_("Shown to the member beside the value to enter, e.g. 本年度自付医疗费用（元）."),
    )
    expense_category_code = forms.CharField(
        label=_("Expense category"),
        max_length=20,
        initial="50201",
        help_text=_(
            "The code of the expense category in the chart the payments are posted on (50201 困难帮扶)."
        ),
    )
    documents_hint = forms.CharField(label=_("Documents to attach"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Open for applications"), required=False, initial=True)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)


class RuleForm(forms.Form):
    """One version of a programme's rules; the bands are rows of lower / upper / amount / label."""

    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    yearly_limit_count = forms.IntegerField(
        label=_("Times per person per year"), min_value=1, required=False, help_text=_("Empty: no limit.")
    )
    yearly_limit_amount = forms.DecimalField(
        label=_("Amount per person per year (yuan)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: no limit."),
    )
    one_spouse_only = forms.BooleanField(
        label=_("Only one spouse may receive in a year"), required=False, initial=True
    )
    staff_approval_limit = forms.DecimalField(
        label=_("The union office may approve up to (yuan)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Larger amounts are approved by the union chair or committee."),
    )

    def __init__(self, *args: Any, with_date: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_date:
            del self.fields["effective_from"]
        for index in range(1, BAND_ROWS + 1):
            self.fields[f"band_{index}_lower"] = forms.CharField(required=False, max_length=20)
            self.fields[f"band_{index}_upper"] = forms.CharField(required=False, max_length=20)
            self.fields[f"band_{index}_amount"] = forms.CharField(required=False, max_length=20)
            self.fields[f"band_{index}_label"] = forms.CharField(required=False, max_length=100)

    def limit_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if not name.startswith("band_")]

    def band_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": index,
                "lower": self[f"band_{index}_lower"],
                "upper": self[f"band_{index}_upper"],
                "amount": self[f"band_{index}_amount"],
                "label": self[f"band_{index}_label"],
            }
            for index in range(1, BAND_ROWS + 1)
        ]

    def bands(self) -> list[BandSpec]:
        """The rows that have anything typed in them, as typed (the service checks them)."""
        data = self.cleaned_data
        specs = []
        for index in range(1, BAND_ROWS + 1):
            lower = (data.get(f"band_{index}_lower") or "").strip()
            upper = (data.get(f"band_{index}_upper") or "").strip()
            amount = (data.get(f"band_{index}_amount") or "").strip()
            label = (data.get(f"band_{index}_label") or "").strip()
            if lower or upper or amount or label:
                specs.append(BandSpec(lower=lower, upper=upper or None, amount=amount, label=label))
        return specs

    @staticmethod
    def initial_from(rule: Any, bands: list[Any], *, with_date: bool = True) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "yearly_limit_count": rule.yearly_limit_count,
            "yearly_limit_amount": rule.yearly_limit_amount,
            "one_spouse_only": rule.one_spouse_only,
            "staff_approval_limit": rule.staff_approval_limit,
        }
        if with_date:
            initial["effective_from"] = rule.effective_from
        for index, band in enumerate(bands[:BAND_ROWS], start=1):
            initial[f"band_{index}_lower"] = band.lower
            initial[f"band_{index}_upper"] = band.upper if band.upper is not None else ""
            initial[f"band_{index}_amount"] = band.amount
            initial[f"band_{index}_label"] = band.label
        return initial


# -- applications ----------------------------------------------------------------------------------------


class ApplicationFilterForm(forms.Form):
    programme: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Assistance programme"),
        queryset=None,
        required=False,
        empty_label=_("All programmes"),  # type: ignore[arg-type]
    )
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All my units"),  # type: ignore[arg-type]
    )
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, units: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "programme").queryset = AssistanceProgramme.objects.order_by("sort_order", "id")
        unit_field = model_choice(self, "unit")
        unit_field.queryset = units
        unit_field.label_from_instance = unit_label  # type: ignore[method-assign,assignment]
        this_year = timezone.localdate().year
        choices = sorted({this_year, *years}, reverse=True)
        self.fields["year"].choices = [("", _("All years")), *[(y, str(y)) for y in choices]]  # type: ignore[attr-defined]


class ApplyForm(forms.Form):
    """The member's application (the portal) — the officer's on-behalf form adds the member and programme."""

    condition_value = forms.DecimalField(
        label=_("Measured value"), max_digits=12, decimal_places=2, min_value=0
    )
    reason = forms.CharField(
        label=_("Circumstances"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened and why help is needed. Only the officers handling the case can read it."),
    )
    spouse_staff_no = forms.CharField(
        label=_("Spouse's staff number (if your spouse also works here)"),
        max_length=32,
        required=False,
        help_text=_("Only one spouse may receive this assistance in a year."),
    )
    bank_account = forms.CharField(
        label=_("Bank card for the payment"),
        max_length=60,
        required=False,
        help_text=_("Empty: paid to the card your salary goes to."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    document_kind = forms.ChoiceField(
        label=_("Kind of documents"), choices=Document.Kind.choices, initial="medical"
    )
    documents = MultipleFileField(
        label=_("Documents"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB each; choose several files at once."),
    )
    guardian_consent = forms.BooleanField(
        label=_("The information includes children under 14, and I consent as their guardian"), required=False
    )
    consent = forms.BooleanField(
        label=_("I have read the notice above and consent to the processing of this sensitive information"),
        error_messages={
            "required": _("Give your consent to apply: without it the union cannot process the application.")
        },
    )

    def __init__(self, *args: Any, condition_label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if condition_label:
            self.fields["condition_value"].label = condition_label

    def document_payloads(self) -> list[tuple[str, str, bytes]]:
        kind = self.cleaned_data.get("document_kind") or Document.Kind.OTHER
        return [(kind, upload.name, upload.read()) for upload in self.cleaned_data.get("documents") or []]


class OnBehalfForm(ApplyForm):
    """An officer applies for a member of their units (the member signed the paper consent form)."""

    field_order = ["staff_no", "programme"]

    staff_no = forms.CharField(label=_("Member's staff number"), max_length=32)
    programme: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Assistance programme"), queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        model_choice(self, "programme").queryset = AssistanceProgramme.objects.filter(
            is_active=True
        ).order_by("sort_order", "id")
        self.fields["condition_value"].label = _("Value the bands measure (see the programme)")
        self.fields["consent"].label = _("The member signed the paper consent form (个人信息处理同意书)")
        self.fields["consent"].error_messages["required"] = _(
            "Applying on a member's behalf needs their signed paper consent form."
        )
        self.fields["bank_account"].help_text = _("Empty: paid to the member's salary card.")

    def clean_staff_no(self) -> Any:
        term = self.cleaned_data["staff_no"].strip()
        person = self.people(term)
        if person is None:
            raise forms.ValidationError(
                _("No member of your units has the staff number %(no)s.") % {"no": term}
            )
        return person


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("pass", _("Pass on for approval")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
        initial="pass",
    )
    note = forms.CharField(
        label=_("Note (required to reject)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApproveForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Approved amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("The band's standard amount; it may be lowered, not raised."),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The member sees it."),
    )


class PayForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()
