from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice
from smartunion.core.normalise import clean_text

from .models import OrgUnit, PositionKind, UnitKind


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'　' * obj.depth}{obj.name}"


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=100)
    short_name = forms.CharField(label=_("Short name"), max_length=30, required=False)
    code = forms.CharField(
        label=_("Unit code"), max_length=30, help_text=_("Unique; imports find the unit by it.")
    )
    union_type = forms.ChoiceField(label=_("Union level"), choices=OrgUnit.UnionType.choices)
    kind = forms.ModelChoiceField(label=_("Unit kind"), queryset=UnitKind.objects.none(), required=False)
    sort_order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=999_999, initial=0, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "kind").queryset = UnitKind.objects.filter(is_active=True)


class UnitCreateForm(UnitForm):
    parent = UnitChoiceField(label=_("Parent unit"), queryset=OrgUnit.objects.none())

    field_order = ["parent", "name", "short_name", "code", "union_type", "kind", "sort_order", "note"]

    def __init__(self, *args: Any, parents: Any, allow_top: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = model_choice(self, "parent")
        parent.queryset = parents
        # The school union (or a higher union) itself has no parent: only school-wide editors create one.
        parent.required = not allow_top
        if allow_top:
            parent.empty_label = _("— none: a top-level union —")
            parent.help_text = _("Leave empty only for the school union itself (or a higher union).")


class UnitMoveForm(forms.Form):
    new_parent = UnitChoiceField(label=_("New parent unit"), queryset=OrgUnit.objects.none())

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "new_parent").queryset = parents


class UnitMergeForm(forms.Form):
    target = UnitChoiceField(label=_("Merge into"), queryset=OrgUnit.objects.none())
    confirm = forms.BooleanField(
        label=_("I understand that the members, records and sub-units of this unit move to the chosen unit."),
    )

    def __init__(self, *args: Any, targets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "target").queryset = targets


class AliasForm(forms.Form):
    alias = forms.CharField(label=_("Other spelling"), max_length=100)


class OfficerForm(forms.Form):
    staff_no = forms.CharField(label=_("Staff number of the officer"), max_length=32)
    position = forms.ModelChoiceField(label=_("Position"), queryset=PositionKind.objects.none())
    start_date = forms.DateField(label=_("Term starts"), widget=DateInput, initial=timezone.localdate)
    end_date = forms.DateField(label=_("Term ends"), widget=DateInput, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "position").queryset = PositionKind.objects.filter(is_active=True)

    def clean_staff_no(self) -> Any:
        staff_no = clean_text(self.cleaned_data["staff_no"]).replace(" ", "")
        user = get_user_model().objects.filter(staff_no=staff_no, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account has the staff number %(no)s.") % {"no": staff_no}
            )
        return user


class EndTermForm(forms.Form):
    end_date = forms.DateField(label=_("Term ends on"), widget=DateInput, initial=timezone.localdate)


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    union_type = forms.ChoiceField(
        label=_("Union level"), required=False, choices=[("", _("All")), *OrgUnit.UnionType.choices]
    )
    inactive = forms.BooleanField(label=_("Include dissolved units"), required=False)
