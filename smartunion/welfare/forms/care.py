"""Forms of the care visit (五必访) pages: reporting, deciding, recording the visit, the lists' filters and
the editable list of event types."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice, unit_label

from ..models import CareEventType, Form, WelfareItem
from ..services.care import CARE_FORMS


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": ".jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _event_type_field(form: forms.Form) -> None:
    field = model_choice(form, "event_type")
    field.queryset = CareEventType.objects.filter(is_active=True).order_by("sort_order", "code")


class CareReportForm(forms.Form):
    """An officer reports an event for a member of their units, found by 工号 or name."""

    person_query = forms.CharField(
        label=_("Member (staff number or name)"),
        max_length=50,
        help_text=_("Type the staff number (工号), or the full name if it is unique in your units."),
    )
    event_type: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Event"), queryset=None)  # type: ignore[arg-type]
    occurred_on = forms.DateField(label=_("Date of the event"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened, where the member is (hospital, ward), whom to contact."),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.fields["occurred_on"].initial = timezone.localdate()
        _event_type_field(self)

    def clean_person_query(self) -> Any:
        term = self.cleaned_data["person_query"].strip()
        matches = list(self.people(term)[:6])
        exact = [person for person in matches if person.staff_no.upper() == term.upper()]
        if exact:
            return exact[0]
        if not matches:
            raise forms.ValidationError(
                _("No member of your units matches “%(term)s”: check the staff number.") % {"term": term}
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several members match: %(names)s. Enter the staff number.")
                % {"names": "、".join(f"{p.name}（{p.staff_no}，{p.unit.name}）" for p in matches[:5])}
            )
        return matches[0]


class PortalReportForm(forms.Form):
    """A member reports an event of their own or of a family member."""

    relative = forms.ChoiceField(label=_("Who is concerned"), required=False)
    event_type: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Event"), queryset=None)  # type: ignore[arg-type]
    occurred_on = forms.DateField(label=_("Date of the event"), widget=DateInput())
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened and how the union can reach you (hospital, ward, phone)."),
    )

    def __init__(self, *args: Any, family: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.family = {str(relative.pk): relative for relative in family}
        field = self.fields["relative"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("Myself")),
            *((pk, f"{r.get_relation_display()} {r.name}") for pk, r in self.family.items()),
        ]
        self.fields["occurred_on"].initial = timezone.localdate()
        _event_type_field(self)

    def relative_obj(self) -> Any:
        return self.family.get(self.cleaned_data.get("relative") or "")


class ApproveForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    form = forms.ChoiceField(label=_("Given as"), required=False)
    note = forms.CharField(
        label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, allowed_forms: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = allowed_forms or list(CARE_FORMS)
        field = self.fields["form"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in Form.choices if value in allowed]


class RejectForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput())
    visitors = forms.CharField(
        label=_("Visitors"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line or separated by commas; a visit is usually made by two or more."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the member is, what they need, what was said and given."),
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=_("JPEG or PNG, at most 10 MB each; choose several at once if needed."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()


class CareFilterForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All my units"),  # type: ignore[arg-type]
    )
    event_type: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Event"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label=_("All events"),  # type: ignore[arg-type]
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice(self, "unit")
        field.queryset = units
        field.label_from_instance = unit_label  # type: ignore[assignment]
        model_choice(self, "event_type").queryset = CareEventType.objects.order_by("sort_order", "code")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("Reported from"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class EventTypeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CareEventType
        fields = ["code", "name", "item", "responsible", "visit_within_days", "sort_order", "is_active"]
        help_texts = {
            "code": _("A short code in English letters, e.g. hospital; fixed once events use it."),
            "item": _("The benefit item whose standard suggests the amount; leave empty for a visit only."),
            "responsible": _(
                "Sub-union visits (分工会), or the school union visits (校工会, e.g. serious illness)."
            ),
            "visit_within_days": _("Events not visited within these days are overdue and reminded of daily."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ModelChoiceField)
        item.queryset = WelfareItem.objects.filter(is_active=True).order_by("sort_order", "code")
        if self.instance.pk and self.instance.events.exists():
            self.fields["code"].disabled = True
