"""Forms of the handling offices pages: an office (its supervising leader typed as a 工号) and a member of
its staff."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms_support import model_choice, unit_label
from smartunion.core.normalise import clean_text

from .models import OrgUnit


class AccountField(forms.CharField):
    """A 工号 → the active account with that login, or a message saying what to check."""

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        staff_no = clean_text(text).replace(" ", "").upper()
        if not staff_no:
            return None
        user = get_user_model().objects.filter(staff_no__iexact=staff_no, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _(
                    "No active account has the staff number %(no)s: check it, or create the account first (System → Accounts)."
                )
                % {"no": staff_no}
            )
        return user


class OfficeForm(forms.Form):
    name = forms.CharField(label=_("Office name"), max_length=100, help_text=_("e.g. 后勤管理处"))
    short_name = forms.CharField(
        label=_("Short name"), max_length=30, required=False, help_text=_("e.g. 后勤处")
    )
    leader = AccountField(
        label=_("Supervising school leader (分管校领导): staff number"),
        max_length=32,
        required=False,
        help_text=_(
            "Gives instructions (批示) on the office's proposals and signs its replies off. They also need "
            "the 分管校领导 role."
        ),
    )
    unit = forms.ModelChoiceField(
        label=_("Union unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The department's union group, if it has one (for reports only)."),
    )
    duties = forms.CharField(
        label=_("Duties"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the office handles, in a few words: it guides the committee when assigning."),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, required=False)
    is_active = forms.BooleanField(
        label=_("Office in use"),
        required=False,
        initial=True,
        help_text=_("An office out of use gets no new work."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice(self, "unit")
        field.queryset = OrgUnit.objects.filter(is_active=True).order_by("path")
        field.label_from_instance = unit_label  # type: ignore[assignment]


class OfficeStaffForm(forms.Form):
    user = AccountField(label=_("Staff number (工号)"), max_length=32)
    is_head = forms.BooleanField(
        label=_("Office head"), required=False, help_text=_("Overdue work is escalated to the office head.")
    )
