"""Forms of the standards pages (慰问标准): a standard of an item, an item, a yearly cap of a group. The
services check the rules (八不准, overlapping periods, amount within the cap); the forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice
from smartunion.members.selectors.membership import IN_SERVICE_STATUS_CODES, MEMBER_STATUS_CHOICES

from ..models import CapGroup, Form, WelfareItem, WelfareStandard
from ..services.standards import expense_category_codes


class StandardForm(forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    effective_to = forms.DateField(
        label=_("Effective until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty: in force until a newer standard starts (it then ends the day before)."),
    )
    amount = forms.DecimalField(
        label=_("Standard amount (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("What one event normally receives; leave empty when only the cap is fixed."),
    )
    cap_per_event = forms.DecimalField(
        label=_("Cap per event (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    allowed_forms = forms.MultipleChoiceField(
        label=_("Allowed forms"), choices=Form.choices, widget=forms.CheckboxSelectMultiple
    )
    eligible_statuses = forms.MultipleChoiceField(
        label=_("Who may receive it"),
        choices=MEMBER_STATUS_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=list(IN_SERVICE_STATUS_CODES),
        help_text=_(
            "In-service members by default; 保留会籍 retirees only where the union funds it for them."
        ),
    )
    needs_confirmation = forms.BooleanField(
        label=_("To be confirmed (待确认)"),
        required=False,
        help_text=_("Shown as 待确认 until the union office confirms the figure."),
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self,
        *args: Any,
        item: WelfareItem,
        standard: WelfareStandard | None = None,
        template: WelfareStandard | None = None,
        **kwargs: Any,
    ) -> None:
        """``standard``: the one being corrected; ``template``: the one in force, whose figures a new
        standard starts from (a new standard usually changes one figure)."""
        super().__init__(*args, **kwargs)
        if item.kind == WelfareItem.Kind.FESTIVAL:
            self.fields["allowed_forms"].help_text = _(
                "Festival benefits: in kind (实物) or goods vouchers (提货券) only — never cash, 购物卡 or 代金券 "
                "(八不准)."
            )
            self.initial.setdefault("allowed_forms", [Form.IN_KIND.value, Form.VOUCHER.value])
        source = standard or template
        if source is not None:
            self.initial.update(
                {
                    "amount": source.amount,
                    "cap_per_event": source.cap_per_event,
                    "allowed_forms": source.allowed_forms,
                    "eligible_statuses": source.eligible_statuses,
                    "note": source.note,
                }
            )
        if standard is not None:
            # A correction keeps its dates, its 待确认 mark and its source; a new standard states its own.
            self.initial.update(
                {
                    "effective_from": standard.effective_from,
                    "effective_to": standard.effective_to,
                    "needs_confirmation": standard.needs_confirmation,
                    "source": standard.source,
                }
            )


class ItemForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=30,
        help_text=_("Lower-case letters, digits and _, e.g. double_ninth; fixed names in reports and links."),
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), choices=WelfareItem.Kind.choices)
    group: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label=_("Yearly cap group"),
        queryset=CapGroup.objects.none(),
        required=False,
        help_text=_(
            "A festival belongs in 节日慰问: its benefits count against the yearly cap of all festivals."
        ),
    )
    expense_category_code = forms.ChoiceField(label=_("Expense category"), choices=())
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args: Any, item: WelfareItem | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = CapGroup.objects.order_by("code")
        field = self.fields["expense_category_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(expense_category_codes().items())
        if item is not None:
            self.initial.update(
                {
                    "code": item.code,
                    "name": item.name,
                    "kind": item.kind,
                    "group": item.group,
                    "expense_category_code": item.expense_category_code,
                    "sort_order": item.sort_order,
                    "is_active": item.is_active,
                }
            )
        else:
            self.initial.setdefault("expense_category_code", "50203")


class GroupCapForm(forms.Form):
    group: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label=_("Cap group"), queryset=CapGroup.objects.none(), empty_label=None
    )
    effective_from = forms.DateField(label=_("Effective from"), widget=DateInput())
    effective_to = forms.DateField(label=_("Effective until"), required=False, widget=DateInput())
    cap_per_member_year = forms.DecimalField(
        label=_("Cap per member per year (yuan)"), min_value=0, max_digits=12, decimal_places=2
    )
    needs_confirmation = forms.BooleanField(label=_("To be confirmed (待确认)"), required=False)
    source = forms.CharField(label=_("Source"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = CapGroup.objects.order_by("code")
