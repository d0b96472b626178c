"""Forms of the congress set-up pages (terms, sessions, delegations, representatives, the committee and
the category taxonomy). They parse; the services in ``services.congress`` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartunion.core.forms import DateInput
from smartunion.core.forms_support import model_choice, unit_label
from smartunion.core.normalise import clean_text
from smartunion.members.selectors import people as people_selectors

from ..models import Category, CommitteeMember, Delegation, Representative, Session
from ..services.congress import SESSION_FIELDS


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class CongressForm(forms.Form):
    number = forms.IntegerField(
        label=_("Term number"), min_value=1, max_value=99, help_text=_("5 for 第五届.")
    )
    name = forms.CharField(
        label=_("Term name"),
        max_length=100,
        required=False,
        help_text=_("Leave empty for “第五届教职工代表大会”."),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(
        label=_("End date"), widget=DateInput, required=False, help_text=_("Empty while the term lasts.")
    )


# The session form's sections, in order: (title, help, field names).
SESSION_SECTIONS: list[tuple[Any, Any, list[str]]] = [
    (_("Session"), "", ["number", "name", "meeting_date"]),
    (
        _("Collection window (征集)"),
        _(
            "Proposals submitted inside the window are proposals; later ones become opinions and "
            "suggestions (意见建议), unless the session accepts proposals between sessions (闭会期间)."
        ),
        ["collection_opens", "collection_closes", "accepts_between_sessions"],
    ),
    (
        _("Writing and co-signing"),
        _("Checked when a representative submits: 一事一案, the length of each part, the co-signers (附议)."),
        [
            "cosigners_required",
            "title_max_chars",
            "reasons_min_chars",
            "reasons_max_chars",
            "suggestions_min_chars",
            "suggestions_max_chars",
        ],
    ),
    (
        _("Deadlines (in working days)"),
        _("Counted on the working-day calendar, holidays and make-up working days (调休) included."),
        [
            "reply_working_days",
            "return_working_days",
            "warning_working_days",
            "escalate_after_working_days",
            "lock_late_replies",
        ],
    ),
    (
        _("Evaluation and re-handling"),
        "",
        ["cosigners_evaluate", "evaluation_reminder_working_days", "max_rehandling_rounds"],
    ),
    (
        _("The five controls (五制)"),
        _(
            "Each control can be switched off for this session: without leader sign-off replies are "
            "released by the office; without lead and assisting offices each proposal goes to one office; "
            "without time limits there is no deadline; without supervision no reminders are sent; without "
            "evaluation a released reply closes the proposal."
        ),
        [
            "control_leader_signoff",
            "control_co_handling",
            "control_time_limit",
            "control_supervision",
            "control_evaluation",
        ],
    ),
]

SESSION_HELP = {
    "number": _("2 for 第二次会议."),
    "name": _("Leave empty for “第五届教代会第二次会议”."),
    "cosigners_required": _(
        "Full representatives who must accept before an individual proposal can be submitted."
    ),
    "lock_late_replies": _("Offices cannot submit a reply after the deadline (the committee reopens it)."),
    "max_rehandling_rounds": _("How often the committee may order 重新办理 after an unsatisfied rating."),
    "warning_working_days": _(
        "The supervision colour turns yellow this many working days before the deadline."
    ),
    "escalate_after_working_days": _(
        "When a reply is this many working days overdue, the head of the lead office and its supervising "
        "school leader (分管校领导) are told (with supervision (督办) on)."
    ),
    "evaluation_reminder_working_days": _(
        "This many working days after a reply is released, those who have not rated it are reminded "
        "(with supervision (督办) on)."
    ),
}


class SessionForm(forms.Form):
    """Every rule of a session; the fields, labels and defaults come from the model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = fields_for_model(
            Session,
            fields=SESSION_FIELDS,
            widgets={
                "meeting_date": DateInput,
                "collection_opens": DateTimeInput,
                "collection_closes": DateTimeInput,
            },
        )
        for name in SESSION_FIELDS:
            field = fields[name]
            assert field is not None
            if name in SESSION_HELP:
                field.help_text = SESSION_HELP[name]
            self.fields[name] = field
        self.fields["name"].required = False
        self.fields["number"].min_value = 1  # type: ignore[attr-defined]

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"title": title, "help": help_text, "fields": [self[name] for name in names]}
            for title, help_text, names in SESSION_SECTIONS
        ]


class DelegationForm(forms.Form):
    name = forms.CharField(label=_("Delegation name"), max_length=100, help_text=_("e.g. 机械工程学院代表团"))
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        required=False,
        empty_label=_("— none —"),
        help_text=_("The college or office the delegation comes from (for reports)."),
    )
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice(self, "unit")
        field.queryset = units
        field.label_from_instance = unit_label  # type: ignore[assignment]


def _delegation_field(congress: Any) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("Delegation"),
        queryset=Delegation.objects.filter(congress=congress).order_by("sort_order", "name"),
    )
    return field


class StaffNumberField(forms.CharField):
    """A 工号 typed in → the staff member (members selectors), or a message saying what to check."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Staff number (工号)"))
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        staff_no = clean_text(text).replace(" ", "").upper()
        if not staff_no:
            return None
        person = people_selectors.person_by_staff_no(staff_no)
        if person is None:
            raise forms.ValidationError(
                _("No staff member has the number %(no)s: check it, or search by name above.")
                % {"no": staff_no}
            )
        return person


class RepresentativeAddForm(forms.Form):
    person = StaffNumberField()
    delegation = forms.ModelChoiceField(label=_("Delegation"), queryset=Delegation.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Representative.Kind.choices, initial=Representative.Kind.FULL
    )
    is_delegation_leader = forms.BooleanField(label=_("Delegation leader (团长)"), required=False)

    def __init__(self, *args: Any, congress: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegation"] = _delegation_field(congress)


class RepresentativeEditForm(forms.Form):
    delegation = forms.ModelChoiceField(label=_("Delegation"), queryset=Delegation.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Representative.Kind.choices)
    is_delegation_leader = forms.BooleanField(label=_("Delegation leader (团长)"), required=False)
    is_active = forms.BooleanField(
        label=_("Serving"),
        required=False,
        help_text=_("Untick when the service ends (left the school, replaced); tick again to reinstate."),
    )

    def __init__(self, *args: Any, congress: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delegation"] = _delegation_field(congress)


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name or staff number"), required=False, max_length=50)


STATUS_CHOICES = [
    ("serving", _("Serving")),
    ("ended", _("Service ended")),
    ("all", _("All")),
]


class RepresentativeFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or staff number"), required=False, max_length=50)
    delegation = forms.ModelChoiceField(
        label=_("Delegation"), queryset=Delegation.objects.none(), required=False, empty_label=_("All")
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Representative.Kind.choices], required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args: Any, congress: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_choice(self, "delegation")
        field.queryset = Delegation.objects.filter(congress=congress).order_by("sort_order", "name")

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"status": "serving"}
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "delegation": data.get("delegation"),
            "kind": data.get("kind") or "",
            "status": data.get("status") or "serving",
        }


class CommitteeAddForm(forms.Form):
    person = StaffNumberField()
    position = forms.ChoiceField(
        label=_("Position"), choices=CommitteeMember.Position.choices, initial=CommitteeMember.Position.MEMBER
    )


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Category name"), max_length=50)
    parent = forms.ModelChoiceField(
        label=_("Major class"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("— none: this is a major class —"),
        help_text=_("Categories have two levels: a major class (大类) and its subclasses."),
    )
    kpi_class = forms.ChoiceField(
        label=_("Statistics class"),
        choices=Category.KpiClass.choices,
        initial=Category.KpiClass.OTHER,
        help_text=_(
            "For a major class: which KPI it counts in (内涵建设类占比 counts 内涵建设). A subclass takes its "
            "major class's."
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, required=False)
    is_active = forms.BooleanField(
        label=pgettext_lazy("congress", "In use"),
        required=False,
        initial=True,
        help_text=_("A category out of use is no longer offered; proposals filed under it keep it."),
    )

    def __init__(self, *args: Any, category: Category | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        majors = Category.objects.filter(parent=None).order_by("sort_order", "name")
        if category is not None:
            majors = majors.exclude(pk=category.pk)
        model_choice(self, "parent").queryset = majors
