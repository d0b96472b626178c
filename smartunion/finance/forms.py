"""Forms of the finance pages: budget lines and spending requests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice, unit_label

from .models import BudgetAdjustment, Category


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(year, str(year)) for year in years]


class BudgetLineForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)  # type: ignore[arg-type]
    category: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Category (expense)"), queryset=None)  # type: ignore[arg-type]
    amount = forms.DecimalField(label=_("Budget (yuan)"), min_value=0, max_digits=12, decimal_places=2)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        unit_field = model_choice(self, "unit")
        unit_field.queryset = units
        unit_field.label_from_instance = unit_label  # type: ignore[assignment]
        model_choice(self, "category").queryset = Category.objects.filter(
            kind=Category.Kind.EXPENSE
        ).order_by("code")


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


class SpendingRequestForm(forms.Form):
    budget_line: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Budget line"), queryset=None)  # type: ignore[arg-type]
    title = forms.CharField(label=_("Title"), max_length=100)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2)
    payee = forms.CharField(label=_("Payee"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(
        label=_("Invoices"),
        required=False,
        help_text=_("JPEG, PNG or PDF, at most 10 MB each; choose several files at once if needed."),
    )

    def __init__(self, *args: Any, lines: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice(self, "budget_line")
        field.queryset = lines
        field.label_from_instance = lambda line: f"{line.year} · {line.unit} · {line.category}"  # type: ignore[assignment]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class LedgerFilterForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DateInput, required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All my units"),  # type: ignore[arg-type]
    )
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Category"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All categories"),  # type: ignore[arg-type]
    )
    kind = forms.ChoiceField(
        label=_("Income or expense"),
        required=False,
        choices=[("", _("Both")), *Category.Kind.choices],
    )
    source = forms.ChoiceField(label=_("Source"), required=False)

    def __init__(self, *args: Any, units: Any, sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]
        model_choice(self, "category").queryset = Category.objects.order_by("code")
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", _("All sources")), *((s, s) for s in sources)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class SampleForm(forms.Form):
    size = forms.IntegerField(label=_("Entries to sample"), min_value=1, max_value=50, initial=10)
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text=_("Leave empty for a new sample; the same seed draws the same entries again."),
    )


class CategoryForm(forms.Form):
    """A category of the chart; the service checks the tree rules (code prefix, kind, cycles, use)."""

    code = forms.CharField(
        label=_("Code"), max_length=20, help_text=_("A sub-category's code extends its parent's.")
    )
    name = forms.CharField(label=_("Category name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Category.Kind.choices)
    parent: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label=_("Parent category"), queryset=Category.objects.none(), required=False
    )
    overspend = forms.ChoiceField(
        label=_("Overspend control"),
        choices=Category.Overspend.choices,
        initial=Category.Overspend.STOP,
        help_text=_("For expense categories: what happens when spending would go beyond the budget."),
    )
    valid_from = forms.DateField(label=_("In use from"), required=False, widget=DateInput())
    valid_to = forms.DateField(
        label=_("In use until"),
        required=False,
        widget=DateInput(),
        help_text=_("Categories are never deleted: give an end date and later postings are refused."),
    )

    def __init__(self, *args: Any, category: Category | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Category.objects.order_by("code")
        if category is not None:
            parents = parents.exclude(pk=category.pk)
            self.initial.update(
                {
                    "code": category.code,
                    "name": category.name,
                    "kind": category.kind,
                    "parent": category.parent,
                    "overspend": category.overspend,
                    "valid_from": category.valid_from,
                    "valid_to": category.valid_to,
                }
            )
        model_choice(self, "parent").queryset = parents


# -- budget adjustments and allocations -----------------------------------------------------------------


class AdjustmentForm(forms.Form):
    amount_after = forms.DecimalField(
        label=_("New budget (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the budget should change: the approver decides on it."),
    )


class AdjustmentDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AdjustmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *BudgetAdjustment.Status.choices],
    )


class AllocationForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    category: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Category (expense)"), queryset=None)  # type: ignore[arg-type]
    counted_on = forms.DateField(
        label=_("Members counted on"),
        widget=DateInput,
        help_text=_("Each unit's members on this date, its whole subtree included; today or earlier."),
    )
    per_member = forms.DecimalField(
        label=_("Amount per member (yuan)"), min_value=0, max_digits=10, decimal_places=2, initial=0
    )
    fixed_amount = forms.DecimalField(
        label=_("Fixed amount per unit (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=None,  # type: ignore[arg-type]
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one unit.")},
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["counted_on"].initial = today
        model_choice(self, "category").queryset = Category.objects.filter(
            kind=Category.Kind.EXPENSE
        ).order_by("code")
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = units
        field.initial = list(units)


# -- 拨缴经费 income and opening balances (books) ---------------------------------------------------------


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m")


class AllocationIncomeForm(forms.Form):
    """A month's 拨缴经费; rate and share are entered in percent (the service takes fractions)."""

    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=MonthInput)
    payroll_total = forms.DecimalField(
        label=_("Payroll total (yuan)"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("The school's payroll of all staff for the month, before tax."),
    )
    rate = forms.DecimalField(
        label=_("Allocation rate (%)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
    )
    retained_share = forms.DecimalField(
        label=_("Share kept by the union (%)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        help_text=_("The rest goes to the higher-level union."),
    )

    def __init__(self, *args: Any, rate: Decimal, retained_share: Decimal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rate"].initial = (rate * 100).quantize(Decimal("0.01"))
        self.fields["retained_share"].initial = (retained_share * 100).quantize(Decimal("0.01"))
        self.fields["month"].initial = timezone.localdate().replace(day=1)


class OpeningBalanceForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)  # type: ignore[arg-type]
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(
        label=_("Opening balance (yuan)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("The unit's funds on 1 January as its earlier books show them; negative for a deficit."),
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        field = model_choice(self, "unit")
        field.queryset = units
        field.label_from_instance = unit_label  # type: ignore[assignment]


class ReverseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown as the memo of the reversal."),
    )
