"""Forms of the evaluation part: rating a reply (phone), the committee's review of a 不满意, closing, 督办
notes, the 回头看 reports and decisions, and the filters of the board and the statistics."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Evaluation, Proposal
from ..selectors import stats as stats_selectors
from ..selectors import supervision as board_selectors
from ..services import evaluation as services
from ..services import followup as followup_services

Rating = Evaluation.Rating


class EvaluationForm(forms.Form):
    attitude = forms.ChoiceField(
        label=_("办理态度: how the office communicated with you"),
        choices=Rating.choices,
        widget=forms.RadioSelect(attrs={"class": "rating-choice"}),
    )
    result = forms.ChoiceField(
        label=_("办理结果: what the reply achieves"),
        choices=Rating.choices,
        widget=forms.RadioSelect(attrs={"class": "rating-choice"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Required when you choose 不满意: say what is missing, so that the committee can review it."
        ),
    )


class UnsatisfiedForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (services.REHANDLE, _("重新办理: the office(s) handle it again with a new deadline")),
            (services.CLOSE, _("Close with an explanation")),
        ],
        widget=forms.RadioSelect,
    )
    lead_office: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Lead office (主办)"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
    )
    assist_offices: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Assisting offices (协办)"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the session's reply time in working days from today."),
    )
    implementation = forms.ChoiceField(
        label=_("Implementation status when closing"),
        choices=[("", _("Keep the office's")), *Proposal.Implementation.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Closing: the explanation the proposer reads (required). Re-handling: what is to be done again."
        ),
    )

    def __init__(self, *args: Any, offices: Any, co_handling: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_office"].queryset = offices  # type: ignore[attr-defined]
        self.fields["assist_offices"].queryset = offices  # type: ignore[attr-defined]
        if not co_handling:
            del self.fields["assist_offices"]


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Why it is closed without the proposer's rating"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SuperviseForm(forms.Form):
    text = forms.CharField(label=_("Supervision note (督办意见)"), widget=forms.Textarea(attrs={"rows": 3}))
    notify_office = forms.BooleanField(label=_("Send it to the handling office(s)"), required=False)


class FollowupForm(forms.Form):
    status_after = forms.ChoiceField(
        label=_("Implementation status now"),
        choices=Proposal.Implementation.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What has been done since the reply (落实情况)"), widget=forms.Textarea(attrs={"rows": 5})
    )


class FollowupDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(followup_services.CONFIRM, _("Confirm")), (followup_services.SEND_BACK, _("Send back"))]
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _session_choices(*, everything: str | None = None) -> list[tuple[str, str]]:
    choices = [(str(s.pk), s.name) for s in stats_selectors.sessions()]
    return [("", everything), *choices] if everything else choices


class StatsFilterForm(forms.Form):
    session = forms.ChoiceField(label=_("Congress session"), required=False)
    scope = forms.ChoiceField(
        label=_("Counted"),
        required=False,
        choices=[
            (stats_selectors.SCOPE_PROPOSALS, _("提案 only")),
            (stats_selectors.SCOPE_ALL, _("提案 and 意见建议")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = _session_choices(everything=str(_("All sessions")))  # type: ignore[attr-defined]


class BoardFilterForm(forms.Form):
    session = forms.ChoiceField(label=_("Congress session"), required=False)
    colour = forms.ChoiceField(
        label=pgettext_lazy("supervision", "Colour"),
        required=False,
        choices=[
            ("", _("All")),
            ("red", _("Overdue")),
            ("yellow", _("Due soon")),
            ("green", _("On track")),
            (board_selectors.NO_COLOUR, _("No time limit")),
        ],
    )
    office = forms.ChoiceField(label=_("Lead office"), required=False)

    def __init__(self, *args: Any, offices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = _session_choices(everything=str(_("All sessions")))  # type: ignore[attr-defined]
        self.fields["office"].choices = [("", _("All")), *((str(o.pk), o.name) for o in offices)]  # type: ignore[attr-defined]


class FollowupFilterForm(forms.Form):
    session = forms.ChoiceField(label=_("Congress session"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = _session_choices()  # type: ignore[attr-defined]
