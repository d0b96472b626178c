from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice, unit_label
from smartunion.core.normalise import clean_text

from .models import Role, User


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Staff number or mobile number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "text"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    pass


class UserPickField(forms.CharField):
    """Type a 工号; get the active account."""

    def clean(self, value: Any) -> User:
        staff_no = clean_text(super().clean(value)).replace(" ", "")
        user = User.objects.filter(staff_no=staff_no, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account has the staff number %(no)s.") % {"no": staff_no}
            )
        return user


class RoleAssignForm(forms.Form):
    user = UserPickField(label=_("Staff number"), max_length=32)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all())
    # The units where the officer may assign roles, set per request.
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("At unit (covers its sub-units)"),
        queryset=None,  # type: ignore[arg-type]
    )
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput, required=False)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]


class AssignmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or staff number"), required=False)
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=Role.objects.all(), required=False, empty_label=_("All")
    )
    revoked = forms.BooleanField(label=_("Include revoked"), required=False)


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Role name"), max_length=50)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class UserCreateForm(forms.Form):
    staff_no = forms.CharField(label=_("Staff number"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class UserEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Name, staff number or mobile"), required=False)
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Deactivated"))],
    )
