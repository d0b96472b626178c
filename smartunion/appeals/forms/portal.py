"""Forms of the member portal's appeal pages (phone first). The length and attachment rules are the
submission service's (it names the field and the fix); the forms carry them to the page as attributes
for the live character counts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import Rating
from ..selectors import portal as selectors
from ..services import submission

NAMED = "named"
ANONYMOUS = "anonymous"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class AppealForm(forms.Form):
    title = forms.CharField(
        label=_("Subject"),
        help_text=_("One line, e.g. “东区食堂早餐窗口开得太晚”."),
        error_messages={"required": _("Write a subject: one line saying what the appeal is about.")},
    )
    body = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("What happened, where and since when, and what you would like to be done."),
        error_messages={"required": _("Describe the matter: what happened, where and what you ask for.")},
    )
    category = forms.TypedChoiceField(
        label=_("Category (optional)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Not sure? Leave it: the union office sends it to the right office."),
    )
    attachments = MultipleFileField(
        label=_("Photos or documents (optional)"),
        required=False,
        help_text=_("JPEG, PNG or PDF, at most 10 MB each and 5 files in all."),
    )
    identity = forms.ChoiceField(
        label=_("Who may see that it is from you?"),
        choices=[
            (NAMED, _("Submit with my name")),
            (ANONYMOUS, _("Submit anonymously (匿名)")),
        ],
        initial=NAMED,
        widget=forms.RadioSelect,
    )
    allow_identity_reveal = forms.BooleanField(
        label=_("The union office may see who I am if it is needed to resolve the matter"),
        required=False,
        help_text=_(
            "Only the union chair can do so, and each time it is recorded. The office that answers never sees it."
        ),
    )
    allow_publish = forms.BooleanField(
        label=_("The question and answer may be published anonymously as 常见问题"),
        required=False,
        help_text=_(
            "Without your name, unit or details that point to you, so that colleagues find the answer."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.TypedChoiceField)
        category.choices = [("", _("Not sure — let the union office decide"))] + [
            (office, options) for office, options in selectors.category_groups()
        ]
        self.fields["title"].widget.attrs.update(
            {
                "data-count": "title",
                "data-min": 1,
                "data-max": submission.TITLE_MAX_CHARS,
                "autocomplete": "off",
            }
        )
        self.fields["body"].widget.attrs.update(
            {
                "data-count": "body",
                "data-min": submission.BODY_MIN_CHARS,
                "data-max": submission.BODY_MAX_CHARS,
            }
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        data["is_anonymous"] = data.get("identity") == ANONYMOUS
        # The reveal question belongs to an anonymous appeal only (the page hides it otherwise).
        if not data["is_anonymous"]:
            data["allow_identity_reveal"] = False
        return data

    def category_object(self) -> Any:
        pk = self.cleaned_data.get("category")
        if pk is None:
            return None
        # The choices are the categories in use, so the one chosen exists (the service checks it again).
        return selectors.active_categories().filter(pk=pk).first()


class RatingForm(forms.Form):
    score = forms.ChoiceField(
        label=_("How satisfied are you with the reply?"),
        choices=Rating.Score.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are with the reply.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for 不满意: say what is still wrong."),
    )
    reopen = forms.BooleanField(
        label=_("Ask the office to handle it again (once)"),
        required=False,
        help_text=_("Only with 不满意. Without it, the appeal is closed with your rating."),
    )

    def __init__(self, *args: Any, may_reopen: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_reopen:
            del self.fields["reopen"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("score") == Rating.Score.UNSATISFIED and not (data.get("comment") or "").strip():
            self.add_error(
                "comment",
                _("Say what is still wrong, so that the office knows what to do (needed for 不满意)."),
            )
        return data


class FaqFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search the questions"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("e.g. 食堂, 职称, 报修"),
                "aria-label": _("Search the questions"),
            }
        ),
    )
    category = forms.TypedChoiceField(
        label=pgettext_lazy("appeal", "Category"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, categories: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.TypedChoiceField)
        category.choices = [("", _("All categories"))] + [(c.pk, c.name) for c in categories]
