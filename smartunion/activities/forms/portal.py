"""Forms of the member portal's 活动 tab and of the console's club pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ..models import Activity, Kind, Question

Participants = Activity.Participants


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


class RegisterForm(forms.Form):
    """Registration in one form: the hidden idempotency key (generated when the page renders, so a double
    click or a retry gives the same result), the places, the children, the team and the questions.

    ``children`` are (FamilyMember, age on the first day) pairs; ``questions`` the activity's questions
    (Question instances or the registration path's ``QuestionRow``: pk, label, kind, choices, required)."""

    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=gettext_lazy("Places"), min_value=1, initial=1, required=False)

    def __init__(
        self,
        *args: Any,
        activity: Activity,
        questions: Sequence[Any],
        children: list[tuple[Any, int]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.questions = questions
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_idempotency_key())
        quantity = self.fields["quantity"]
        assert isinstance(quantity, forms.IntegerField)
        quantity.widget.attrs.update({"min": 1, "max": activity.max_quantity, "inputmode": "numeric"})
        # Places are asked for only when the member alone takes part (children: one place each).
        self.show_quantity = activity.max_quantity > 1 and activity.participants == Participants.MEMBER
        self.wants_children = activity.participants in (
            Participants.DEPENDANTS,
            Participants.MEMBER_AND_DEPENDANTS,
        )
        if self.wants_children:
            self.fields["dependants"] = forms.MultipleChoiceField(
                label=_("Children taking part"),
                choices=[
                    (
                        str(child.pk),
                        _("%(name)s, %(age)s on the first day") % {"name": child.name, "age": age},
                    )
                    for child, age in (children or [])
                ],
                widget=forms.CheckboxSelectMultiple,
                # The engine needs at least one child for both kinds (the member's own place is implied).
                required=True,
                error_messages={
                    "required": _(
                        "Choose at least one child who takes part (add them under 我的 → 家庭成员)."
                    )
                },
            )
        self.wants_team = activity.participants == Participants.TEAM
        if self.wants_team:
            self.fields["team_name"] = forms.CharField(label=_("Team name"), max_length=100)
            self.fields["team_members"] = forms.CharField(
                label=_("Team members' staff numbers"),
                help_text=_("One or more staff numbers, separated by spaces or commas; you are the captain."),
                widget=forms.Textarea(attrs={"rows": 2}),
                required=bool(activity.team_min and activity.team_min > 1),
            )
        for question in questions:
            self.fields[f"q_{question.pk}"] = self._question_field(question)

    @staticmethod
    def _question_field(question: Any) -> forms.Field:
        common: dict[str, Any] = {"label": question.label, "required": question.required}
        if question.kind == Question.Kind.CHOICE:
            return forms.ChoiceField(
                choices=[("", "—"), *((str(c), str(c)) for c in question.choices or [])], **common
            )
        if question.kind == Question.Kind.NUMBER:
            return forms.DecimalField(max_digits=12, decimal_places=2, **common)
        if question.kind == Question.Kind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        return forms.CharField(max_length=500, **common)

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{question.pk}"] for question in self.questions]

    def clean_quantity(self) -> int:
        quantity = self.cleaned_data.get("quantity") or 1
        if quantity > self.activity.max_quantity:
            raise forms.ValidationError(
                _("At most %(n)s places per registration.") % {"n": self.activity.max_quantity}
            )
        return int(quantity)

    def clean_team_members(self) -> list[str]:
        raw = self.cleaned_data.get("team_members") or ""
        return [number for number in re.split(r"[\s,，、;；]+", raw) if number]

    def answers(self) -> dict[str, Any]:
        """The answers keyed by the question's id (as a string), JSON-ready."""
        result: dict[str, Any] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q_{question.pk}")
            if value in (None, ""):
                continue
            result[str(question.pk)] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return result

    def dependant_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("dependants") or []]


class IdeaForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Your idea"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=[("", "—"), *Kind.choices], required=False)


class ClubForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("club", "Name"), max_length=100)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=None,  # type: ignore[arg-type]  # set per request
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units


class ClubEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("club", "Name"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active (takes members)"), required=False)


class PlanForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"))
    brand_title = forms.CharField(label=gettext_lazy("Brand activity (品牌活动)"), max_length=200)
    supporting_planned = forms.IntegerField(
        label=gettext_lazy("Supporting activities planned (支撑活动)"), min_value=0, max_value=100
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
