"""Forms of the dues pages and the KPI pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms_support import model_choice, unit_label

from ..models import DuesRule

MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


class MonthField(forms.Field):
    """A month typed as 2026-03 (the browser's month picker), given as the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month"})
    default_error_messages = {"invalid": _("Give a month as year and month, for example 2026-03.")}

    def to_python(self, value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        match = MONTH_RE.match(str(value))
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 1900 <= year <= 2999):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.date(year, month, 1)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


def _unit_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All my units"),  # type: ignore[arg-type]
    )


class DuesSheetFilterForm(forms.Form):
    month = MonthField(label=_("Month"), required=False)
    unit = _unit_field()

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]


class DuesMonthForm(forms.Form):
    month = MonthField(label=_("Month"))


class DuesRuleForm(forms.Form):
    """The rule in the words an office uses: percentages, not fractions (the service stores fractions)."""

    effective_from = MonthField(
        label=_("Takes effect from (month)"),
        help_text=_("From the first day of this month. Months already recorded as deducted keep their rule."),
    )
    base_items = forms.MultipleChoiceField(
        label=_("Base salary items"),
        choices=[(key, label) for key, label in DuesRule.BASE_ITEMS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    base_step = forms.DecimalField(
        label=_("Ignore the base's remainder under (yuan)"),
        max_digits=8,
        decimal_places=2,
        help_text=_("10 means 4,567.89 counts as 4,560. 0 keeps the base as it is."),
    )
    rate_percent = forms.DecimalField(
        label=_("Rate (%)"), max_digits=6, decimal_places=2, help_text=_("0.5 is the national rate.")
    )
    precision = forms.ChoiceField(
        label=_("Round the dues to"),
        choices=[("0.01", _("0.01 yuan (fen)")), ("0.1", _("0.1 yuan (jiao)")), ("1", _("1 yuan"))],
    )
    rounding = forms.ChoiceField(label=_("Rounding"), choices=DuesRule.Rounding.choices)
    school_share_percent = forms.DecimalField(
        label=_("School union's share (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("The sub-union keeps the rest. 50 is half each."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    # Service error keys → the fields that show them.
    FIELD_OF = {"rate": "rate_percent", "school_share": "school_share_percent"}

    @staticmethod
    def _plain(value: Decimal) -> str:
        """50.00 → "50", 0.50 → "0.5" (never "5E+1")."""
        return format(Decimal(value).normalize(), "f")

    @classmethod
    def initial_from(cls, rule: DuesRule | None) -> dict[str, Any]:
        today = timezone.localdate()
        next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if rule is None:
            return {"effective_from": next_month}
        return {
            "effective_from": next_month,
            "base_items": list(rule.base_items),
            "base_step": cls._plain(rule.base_step),
            "rate_percent": cls._plain(Decimal(rule.rate) * 100),
            "precision": cls._plain(rule.precision),
            "rounding": rule.rounding,
            "school_share_percent": cls._plain(Decimal(rule.school_share) * 100),
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "effective_from": data["effective_from"],
            "base_items": data["base_items"],
            "base_step": data["base_step"],
            "rate": data["rate_percent"] / 100,
            "precision": data["precision"],
            "rounding": data["rounding"],
            "school_share": data["school_share_percent"] / 100,
            "note": data["note"],
        }


class KpiFilterForm(forms.Form):
    on = forms.DateField(
        label=_("Membership rate as of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start = forms.DateField(
        label=_("New hires from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("New hires to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    unit = _unit_field()

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = units
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error(
                "end", _("The period ends before it starts: the end date must be on or after the start.")
            )
        return data
