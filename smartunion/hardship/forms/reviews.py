"""Forms of the reviews part: the review round and one review, exit and removal, help measures, the 低保
table and the statistics year."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.hardship.models import Category, DibaoStandard, HelpMeasure, Review
from smartunion.hardship.selectors.plan import REMOVAL_KINDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    due_on = forms.DateField(label=_("Reviews due on"), widget=DATE)
    seed = forms.CharField(
        label=_("Sampling seed"),
        max_length=40,
        required=False,
        help_text=_("Leave empty: the system draws one and keeps it, so the sample can be checked later."),
    )


class ReviewForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=Review.Result.choices, widget=forms.RadioSelect)
    category = forms.ChoiceField(
        label=_("New category (only to set it by hand)"),
        choices=[("", _("— from the figures —")), *Category.choices],
        required=False,
        help_text=_(
            "For “category changed”: leave empty when the family's figures were updated on the file; choose "
            "a category to set it by hand, with the reason in the note."
        ),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class RemoveForm(CloseForm):
    kind = forms.ChoiceField(label=_("Why"), choices=list(REMOVAL_KINDS.items()))


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of help"), choices=HelpMeasure.Kind.choices)
    description = forms.CharField(
        label=_("What help"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    responsible = forms.CharField(label=_("By whom"), max_length=100)
    planned_on = forms.DateField(label=_("When"), widget=DATE)
    care_event = forms.TypedChoiceField(
        label=_("Care visit carried out"), required=False, coerce=int, empty_value=None
    )
    application = forms.TypedChoiceField(
        label=_("Assistance payment"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, care_events: Any = (), applications: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_event"].choices = [("", _("— none —"))] + [  # type: ignore[attr-defined]
            (event.pk, f"{event.occurred_on} · {event.event_type.name} · {event.get_status_display()}")
            for event in care_events
        ]
        self.fields["application"].choices = [("", _("— none —"))] + [  # type: ignore[attr-defined]
            (app.pk, f"{app.number} · {app.programme.name} · {app.approved_amount}") for app in applications
        ]


class MeasureDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE, required=False)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class MeasureCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False, max_length=2000)


class DibaoForm(forms.Form):
    city = forms.CharField(label=_("City"), max_length=50)
    year = forms.IntegerField(label=_("Year"))
    monthly_amount = forms.DecimalField(
        label=_("Monthly amount per person (yuan)"), max_digits=10, decimal_places=2
    )
    note = forms.CharField(label=_("Source"), max_length=200, required=False)

    @classmethod
    def for_standard(cls, data: Any, standard: DibaoStandard | None, default_city: str) -> DibaoForm:
        if standard is None:
            initial = {"city": default_city, "year": timezone.localdate().year}
        else:
            initial = {
                "city": standard.city,
                "year": standard.year,
                "monthly_amount": standard.monthly_amount,
                "note": standard.note,
            }
        return cls(data, initial=initial)


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]  # type: ignore[attr-defined]
