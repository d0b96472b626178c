"""Forms of the 提货券 pages: the counter (code, amount), merchants and their cashiers, the period of a
reconciliation or settlement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "placeholder": "ABCD EFGH JKMN PQRS TUVW",
                "class": "voucher-code-input",
            }
        ),
    )


class RedeemForm(forms.Form):
    code = forms.CharField(max_length=200, widget=forms.HiddenInput)
    seen = forms.CharField(max_length=20, widget=forms.HiddenInput)
    amount = forms.CharField(
        label=_("Amount to redeem (yuan)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class MerchantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    contact = forms.CharField(label=_("Contact"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active (redeems vouchers)"), required=False, initial=True)


class CashierForm(forms.Form):
    staff_no = forms.CharField(
        label=_("Login"),
        max_length=30,
        help_text=_("An existing account's login, or a new one such as SH-0001 (an account is created)."),
    )
    name = forms.CharField(label=_("Name (for a new account)"), max_length=50, required=False)
    mobile = forms.CharField(label=_("Mobile (for a new account)"), max_length=20, required=False)


def _month_start() -> dt.date:
    return timezone.localdate().replace(day=1)


class PeriodForm(forms.Form):
    period_from = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    period_to = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def period(self) -> tuple[dt.date, dt.date]:
        """The chosen period; this month so far by default."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        start = data.get("period_from") or _month_start()
        end = data.get("period_to") or timezone.localdate()
        return start, end
