"""Forms of the officer's roster and the membership lifecycle."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice, unit_label

from ..models import Membership
from .people import PersonFilterForm

AGE_BAND_CHOICES = [
    ("", _("All ages")),
    ("-30", _("30 and under")),
    ("31-40", _("31–40")),
    ("41-50", _("41–50")),
    ("51-60", _("51–60")),
    ("61-", _("61 and over")),
]


class RosterFilterForm(PersonFilterForm):
    status = forms.ChoiceField(
        label=_("Membership"), required=False, choices=[("", _("All")), *Membership.Status.choices]
    )
    age_band = forms.ChoiceField(label=_("Age"), required=False, choices=AGE_BAND_CHOICES)
    join_year = forms.IntegerField(label=_("Join year"), required=False, min_value=1949, max_value=2100)
    on_staff = forms.ChoiceField(
        label=_("On the staff"),
        required=False,
        choices=[("", _("All")), ("yes", _("On the staff")), ("no", _("Left"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Pinyin initials work too, e.g. zs for 张三.")
        self.fields["join_year"].widget.attrs["placeholder"] = str(timezone.localdate().year)


class ActionForm(forms.Form):
    """What every lifecycle action asks: the date it takes effect and a note."""

    on = forms.DateField(label=_("Effective date"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_on(self) -> Any:
        on = self.cleaned_data["on"]
        if on > timezone.localdate():
            raise forms.ValidationError(
                _("Record a change once it has happened: the date cannot be in the future.")
            )
        return on


class RetainForm(ActionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=Membership.RetainedReason.choices)
    field_order = ["reason", "on", "note"]


class ExpelForm(ActionForm):
    decision = forms.CharField(
        label=_("Union committee decision"),
        max_length=100,
        help_text=_("The decision's number or the meeting that took it."),
    )
    field_order = ["decision", "on", "note"]


class TransferOutForm(ActionForm):
    counterpart = forms.CharField(label=_("Transferring to (union organisation)"), max_length=100)
    field_order = ["counterpart", "on", "note"]


class TransferInForm(ActionForm):
    counterpart = forms.CharField(label=_("Transferring from (union organisation)"), max_length=100)
    letter_no = forms.CharField(label=_("Introduction letter number"), max_length=50)
    original_joined_on = forms.DateField(
        label=_("Originally joined on"),
        required=False,
        widget=DateInput,
        help_text=_("From the member card or the letter; membership counts from then."),
    )
    field_order = ["counterpart", "letter_no", "original_joined_on", "on", "note"]


class MoveForm(ActionForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("New union unit"),
        queryset=None,  # type: ignore[arg-type]
    )
    field_order = ["unit", "on", "note"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]


class LeftForm(ActionForm):
    pass


class CeremonyForm(forms.Form):
    title = forms.CharField(label=_("Ceremony"), max_length=100, initial=_("New staff joining ceremony"))
    held_on = forms.DateField(label=_("Held on"), widget=DateInput, initial=timezone.localdate)
    approval_ref = forms.CharField(
        label=_("School union approval"),
        max_length=100,
        help_text=_("The meeting or document by which the school union approved the batch."),
    )


class LapseDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm: the membership lapses")), ("dismiss", _("Dismiss the proposal"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What was done"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the member was contacted on … and did not resume paying; or why not to lapse."),
    )


BULK_ACTIONS = [
    ("retain_retired", _("Retain membership (retired)")),
    ("retain_absence", _("Retain membership (long absence)")),
    ("resume", _("Resume membership")),
]


MAX_SELECTED = 500
ID_TEXT = re.compile(r"[0-9]{1,12}")


def parse_ids(values: list[str]) -> list[int]:
    """Ticked record numbers: ASCII digits only ("²".isdigit() is true), bounded, at most 500."""
    return [int(value) for value in values if ID_TEXT.fullmatch(str(value))][:MAX_SELECTED]


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    ids = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    on = forms.DateField(label=_("Effective date"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.selected: list[int] = []
        if data is not None:
            self.selected = parse_ids(data.getlist("ids"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.selected:
            raise forms.ValidationError(_("Tick the people the action is for."))
        on = cleaned.get("on")
        if on and on > timezone.localdate():
            self.add_error("on", _("Record a change once it has happened: the date cannot be in the future."))
        return cleaned
