"""Forms of the organisers' console: the activity (in sections), a batch, a quota, a question, pasted staff
numbers, a reason, the list filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartunion.core.forms_support import model_choice, unit_label
from smartunion.members.selectors.eligibility import member_status_choices
from smartunion.organisations import selectors as org_selectors

from ..models import Activity, Kind, Question
from ..selectors import activities as selectors

MANAGE = "activities.manage"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _dt(label: Any, required: bool = True, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=DateTimeInput, required=required, help_text=help_text)


def _int(label: Any, help_text: Any = "", min_value: int = 0) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=min_value, help_text=help_text)


SEX_CHOICES = [("", _("Anyone")), ("F", _("Women only")), ("M", _("Men only"))]
PRIORITY_CHOICES = [
    ("", _("None: everyone draws alike")),
    ("never_attended", _("Never attended this kind first")),
]

# The form's sections, in order: (title, field names).
SECTIONS: list[tuple[Any, list[str]]] = [
    (
        _("Basics"),
        ["organiser_unit", "title", "kind", "description", "location", "starts_at", "ends_at", "hours"],
    ),
    (
        _("Registration"),
        [
            "registration_opens_at",
            "registration_closes_at",
            "cancel_deadline",
            "allocation",
            "lottery_priority",
            "lottery_unit_fair",
        ],
    ),
    (
        _("Places and quotas"),
        ["capacity", "waitlist", "offer_hours", "quota_release_at"],
    ),
    (
        _("Who may register"),
        [
            "visibility",
            "visibility_unit",
            "elig_statuses",
            "elig_units",
            "elig_sex",
            "elig_age_min",
            "elig_age_max",
            "elig_categories",
            "elig_child_age_min",
            "elig_child_age_max",
            "elig_not_attended_kind",
            "elig_not_attended_years",
        ],
    ),
    (
        _("Participants"),
        ["participants", "max_quantity", "dependant_min_age", "dependant_max_age", "team_min", "team_max"],
    ),
]
MULTI = {"elig_statuses", "elig_units", "elig_categories"}


class ActivityForm(forms.Form):
    organiser_unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organised by"),
        queryset=None,  # type: ignore[arg-type]
    )
    title = forms.CharField(
        label=pgettext_lazy("activity", "Title"),
        max_length=200,
        help_text=_("e.g. 2026年春季微休养（第一批）"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    starts_at = _dt(_("Starts at"))
    ends_at = _dt(_("Ends at"))
    hours = forms.DecimalField(
        label=_("Training hours"),
        max_digits=5,
        decimal_places=1,
        required=False,
        help_text=_("Training only."),
    )
    registration_opens_at = _dt(_("Registration opens at"))
    registration_closes_at = _dt(_("Registration closes at"))
    cancel_deadline = _dt(
        _("Members may cancel until"), required=False, help_text=_("Empty: until the activity starts.")
    )
    allocation = forms.ChoiceField(
        label=pgettext_lazy("activity", "Allocation"), choices=Activity.Allocation.choices
    )
    lottery_priority = forms.ChoiceField(
        label=_("Lottery priority"), choices=PRIORITY_CHOICES, required=False
    )
    lottery_unit_fair = forms.BooleanField(
        label=_("Share the drawn places fairly between units"), required=False
    )
    capacity = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, help_text=_("Empty: no limit.")
    )
    waitlist = forms.BooleanField(label=_("Waiting list when full"), required=False, initial=True)
    offer_hours = forms.IntegerField(label=_("Hours to accept a freed place"), min_value=1, initial=24)
    quota_release_at = _dt(
        _("Unused unit quotas return to the pool at"),
        required=False,
        help_text=_("Set the unit quotas on the activity page."),
    )
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Activity.Visibility.choices)
    visibility_unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Visible in unit"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    elig_statuses = forms.MultipleChoiceField(
        label=_("Membership statuses"), widget=forms.CheckboxSelectMultiple, required=False, choices=()
    )
    elig_units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Members of the units"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        help_text=_("Each chosen unit includes its sub-units; none: every unit."),
    )
    elig_sex = forms.ChoiceField(label=_("Sex"), choices=SEX_CHOICES, required=False)
    elig_age_min = _int(_("Members aged from"))
    elig_age_max = _int(_("Members aged up to"))
    elig_categories: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Staff categories"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    elig_child_age_min = _int(_("Has a child aged from"))
    elig_child_age_max = _int(_("Has a child aged up to"))
    elig_not_attended_kind = forms.ChoiceField(
        label=_("Has not attended an activity of the kind"),
        choices=[("", "—"), *Kind.choices],
        required=False,
    )
    elig_not_attended_years = _int(_("in the last (years)"), min_value=1)
    participants = forms.ChoiceField(label=_("Who takes part"), choices=Activity.Participants.choices)
    max_quantity = forms.IntegerField(
        label=_("Places per registration at most"),
        min_value=1,
        initial=1,
        help_text=_("A parent with two children takes two places in one entry."),
    )
    dependant_min_age = _int(_("Children aged from"))
    dependant_max_age = _int(_("Children aged up to"))
    team_min = _int(_("Team members at least"), min_value=1)
    team_max = _int(_("Team members at most"), min_value=1)

    def __init__(self, *args: Any, user: Any, activity: Activity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = org_selectors.unit_choices_for_user(user=user, perm=MANAGE)
        for name in ("organiser_unit", "visibility_unit"):
            model_choice(self, name).queryset = units
            model_choice(self, name).label_from_instance = unit_label  # type: ignore[assignment]
        elig_units = self.fields["elig_units"]
        assert isinstance(elig_units, forms.ModelMultipleChoiceField)
        elig_units.queryset = units
        elig_units.label_from_instance = unit_label  # type: ignore[assignment]
        categories = self.fields["elig_categories"]
        assert isinstance(categories, forms.ModelMultipleChoiceField)
        categories.queryset = selectors.staff_categories()
        statuses = self.fields["elig_statuses"]
        assert isinstance(statuses, forms.MultipleChoiceField)
        statuses.choices = member_status_choices()
        if activity is not None:
            # The organiser does not move an activity to another unit.
            del self.fields["organiser_unit"]

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": title, "fields": [self[name] for name in names if name in self.fields]}
            for title, names in SECTIONS
        ]

    def values(self) -> dict[str, Any]:
        """The activity fields for the service (eligibility as its JSON)."""
        data = self.cleaned_data
        eligibility = {
            "statuses": list(data["elig_statuses"] or []),
            "unit_ids": [unit.pk for unit in data["elig_units"] or []],
            "sex": data["elig_sex"] or "",
            "age_min": data["elig_age_min"],
            "age_max": data["elig_age_max"],
            "category_ids": [category.pk for category in data["elig_categories"] or []],
            "child_age_min": data["elig_child_age_min"],
            "child_age_max": data["elig_child_age_max"],
            "not_attended_kind": data["elig_not_attended_kind"] or "",
            "not_attended_years": data["elig_not_attended_years"],
        }
        names = [
            "title",
            "kind",
            "description",
            "location",
            "starts_at",
            "ends_at",
            "hours",
            "registration_opens_at",
            "registration_closes_at",
            "cancel_deadline",
            "allocation",
            "lottery_priority",
            "lottery_unit_fair",
            "capacity",
            "waitlist",
            "offer_hours",
            "quota_release_at",
            "visibility",
            "visibility_unit",
            "participants",
            "max_quantity",
            "dependant_min_age",
            "dependant_max_age",
            "team_min",
            "team_max",
        ]
        values = {name: data.get(name) for name in names}
        values["lottery_priority"] = values["lottery_priority"] or ""
        values["eligibility"] = eligibility
        if values["visibility"] != Activity.Visibility.SUBTREE:
            values["visibility_unit"] = None
        return values

    @staticmethod
    def initial_for(activity: Activity) -> dict[str, Any]:
        from django.utils import timezone

        initial: dict[str, Any] = {}
        for name in (
            "title",
            "kind",
            "description",
            "location",
            "hours",
            "allocation",
            "lottery_priority",
            "lottery_unit_fair",
            "capacity",
            "waitlist",
            "offer_hours",
            "visibility",
            "visibility_unit",
            "participants",
            "max_quantity",
            "dependant_min_age",
            "dependant_max_age",
            "team_min",
            "team_max",
        ):
            value = (
                getattr(activity, f"{name}_id", None)
                if name == "visibility_unit"
                else getattr(activity, name)
            )
            initial[name] = value
        for name in (
            "starts_at",
            "ends_at",
            "registration_opens_at",
            "registration_closes_at",
            "cancel_deadline",
            "quota_release_at",
        ):
            value = getattr(activity, name)
            initial[name] = timezone.localtime(value) if value else None
        rules = activity.eligibility or {}
        initial.update(
            elig_statuses=rules.get("statuses", []),
            elig_units=rules.get("unit_ids", []),
            elig_sex=rules.get("sex", ""),
            elig_age_min=rules.get("age_min"),
            elig_age_max=rules.get("age_max"),
            elig_categories=rules.get("category_ids", []),
            elig_child_age_min=rules.get("child_age_min"),
            elig_child_age_max=rules.get("child_age_max"),
            elig_not_attended_kind=rules.get("not_attended_kind", ""),
            elig_not_attended_years=rules.get("not_attended_years"),
        )
        return initial


class BatchForm(forms.Form):
    title = forms.CharField(
        label=pgettext_lazy("activity", "Title"), max_length=200, help_text=_("e.g. 第一批（5月12日—14日）")
    )
    starts_at = _dt(_("Starts at"))
    ends_at = _dt(_("Ends at"))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, required=False)
    location = forms.CharField(
        label=_("Place"), max_length=200, required=False, help_text=_("Empty: the series'.")
    )
    registration_opens_at = _dt(
        _("Registration opens at"), required=False, help_text=_("Empty: the series'.")
    )
    registration_closes_at = _dt(
        _("Registration closes at"), required=False, help_text=_("Empty: the series'.")
    )
    cancel_deadline = _dt(_("Members may cancel until"), required=False)


class QuotaForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Unit"), queryset=None)  # type: ignore[arg-type]
    places = forms.IntegerField(label=_("Places"), min_value=0, help_text=_("0 removes an unused quota."))

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = org_selectors.subtree(activity.organiser_unit).filter(
            is_active=True
        )
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(label=_("Answer type"), choices=Question.Kind.choices)
    choices = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("For a choice: one option a line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)


class StaffNumbersForm(forms.Form):
    staff_numbers = forms.CharField(
        label=_("Staff numbers"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "20010001\n20010002"}),
        help_text=_("One a line (pasted from Excel)."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ListFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Kind.choices], required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All my units"),  # type: ignore[arg-type]
    )
    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    q = forms.CharField(label=pgettext_lazy("activity", "Title"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "unit").queryset = org_selectors.unit_choices_for_user(
            user=user, perm="activities.view"
        )
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "kind": data.get("kind") or "",
            "unit": data.get("unit"),
            "month": data.get("month"),
            "search": (data.get("q") or "").strip(),
        }


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All units"),  # type: ignore[arg-type]
    )
    checked = forms.ChoiceField(
        label=_("Checked in"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Checked in")), ("no", _("Not checked in"))],
    )
    q = forms.CharField(label=_("Name or staff number"), required=False)

    def __init__(self, *args: Any, unit_ids: Any, **kwargs: Any) -> None:
        from ..models import Registration

        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [
            ("", _("All")),
            ("live", _("Live (not cancelled or refused)")),
            *Registration.Status.choices,
        ]
        model_choice(self, "unit").queryset = org_selectors.units_by_ids(unit_ids).order_by("path")
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "status": data.get("status") or "",
            "unit": data.get("unit"),
            "checked": data.get("checked") or "",
            "search": (data.get("q") or "").strip(),
        }


class StatsFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("All my units"),  # type: ignore[arg-type]
    )

    def __init__(self, *args: Any, user: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        assert isinstance(year, forms.TypedChoiceField)
        year.choices = [(value, str(value)) for value in years]
        model_choice(self, "unit").queryset = org_selectors.unit_choices_for_user(
            user=user, perm="activities.stats.view"
        )
        model_choice(self, "unit").label_from_instance = unit_label  # type: ignore[assignment]
