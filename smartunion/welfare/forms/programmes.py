"""Forms of the programme pages: the draft, an option, the member's choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import unit_label
from smartunion.finance import selectors as finance_selectors
from smartunion.members.selectors import eligibility
from smartunion.organisations import selectors as org_selectors

from ..models import FESTIVAL_FORBIDDEN_FORMS, Form, Merchant, WelfareItem

PERM = "welfare.programme.manage"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _line_label(line: Any) -> str:
    return f"{line.year} {line.unit.name} · {line.category.code} {line.category.name}（{line.amount:,.2f}）"


class ProgrammeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100, help_text=_("e.g. 2026年端午节福利"))
    item: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Benefit item"), queryset=None)  # type: ignore[arg-type]
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Organised by"), queryset=None)  # type: ignore[arg-type]
    value_per_member = forms.DecimalField(
        label=_("Value per member (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )
    eligible_statuses = forms.MultipleChoiceField(
        label=_("Membership statuses"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("For the members of"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the organiser's whole subtree; each chosen unit includes its subtree."),
    )
    counted_on = forms.DateField(
        label=_("Members counted on"),
        widget=DateInput,
        help_text=_("Members in the chosen statuses on this date make the list when the programme opens."),
    )
    choice_deadline = forms.DateTimeField(
        label=_("Choice deadline"),
        widget=DateTimeInput,
        help_text=_("Members choose until then; those who do not choose receive the default option."),
    )
    budget_line: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Budget line"), queryset=None)  # type: ignore[arg-type]
    voucher_valid_from = forms.DateField(label=_("Vouchers valid from"), widget=DateInput, required=False)
    voucher_valid_to = forms.DateField(label=_("Vouchers valid until"), widget=DateInput, required=False)
    allow_partial_redemption = forms.BooleanField(
        label=_("Vouchers may be redeemed in parts"), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = org_selectors.unit_choices_for_user(user=user, perm=PERM)
        organisers = units.filter(union_type__in=["school", "branch", "direct_group"])
        fields = self.fields
        item_field = fields["item"]
        assert isinstance(item_field, forms.ModelChoiceField)
        item_field.queryset = WelfareItem.objects.filter(is_active=True).order_by("sort_order", "code")
        unit_field = fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = organisers
        unit_field.label_from_instance = unit_label  # type: ignore[assignment]
        units_field = fields["units"]
        assert isinstance(units_field, forms.ModelMultipleChoiceField)
        units_field.queryset = units
        units_field.label_from_instance = unit_label  # type: ignore[assignment]
        statuses = fields["eligible_statuses"]
        assert isinstance(statuses, forms.MultipleChoiceField)
        statuses.choices = eligibility.member_status_choices()
        this_year = timezone.localdate().year
        line_field = fields["budget_line"]
        assert isinstance(line_field, forms.ModelChoiceField)
        line_field.queryset = finance_selectors.expense_budget_lines(
            unit_ids=list(organisers.values_list("pk", flat=True)), years=[this_year, this_year + 1]
        )
        line_field.label_from_instance = _line_label  # type: ignore[assignment]
        if not self.is_bound and not self.initial.get("eligible_statuses"):
            self.initial["eligible_statuses"] = eligibility.in_service_statuses()


class OptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 粽子礼盒, 水果提货券"))
    description = forms.CharField(
        label=_("Description"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    form = forms.ChoiceField(label=_("Given as"), choices=())
    merchants: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Redeemed at"),
        queryset=Merchant.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A 提货券 is redeemed at these merchants."),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0, required=False)
    is_default = forms.BooleanField(label=_("Default option (for members who do not choose)"), required=False)

    def __init__(self, *args: Any, festival: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field = self.fields["form"]
        assert isinstance(form_field, forms.ChoiceField)
        form_field.choices = [
            (value, label)
            for value, label in Form.choices
            if not (festival and value in FESTIVAL_FORBIDDEN_FORMS)
        ]
        merchants = self.fields["merchants"]
        assert isinstance(merchants, forms.ModelMultipleChoiceField)
        merchants.queryset = Merchant.objects.filter(is_active=True).order_by("name")


class ChooseForm(forms.Form):
    option = forms.TypedChoiceField(label=_("My choice"), coerce=int, choices=(), widget=forms.RadioSelect)

    def __init__(self, *args: Any, options: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["option"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(option.pk, option.name) for option in options]
