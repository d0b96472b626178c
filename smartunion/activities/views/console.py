"""The organisers' console for activities: the list (tabs, filters), the new/edit form, the activity page
(summary, numbers, quotas, questions, invitations, judges, batches) and its actions: publish, cancel with a
reason, finish. Registrations, the lottery, approval and bulk registration: console_registrations.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.console import (
    ActivityForm,
    BatchForm,
    ListFilterForm,
    QuestionForm,
    QuotaForm,
    ReasonForm,
    StaffNumbersForm,
)
from ..models import Activity, Idea, Invitation, Question
from ..selectors import activities as selectors
from ..selectors import checkin as checkin_selectors
from ..selectors import results as results_selectors
from ..services import activities as services

VIEW = "activities.view"
MANAGE = "activities.manage"
Status = Activity.Status


def _tab_labels() -> list[tuple[str, str]]:
    from django.utils.translation import pgettext

    return [
        ("open", _("Upcoming and open")),
        ("drafts", _("Drafts")),
        ("finished", _("Finished")),
        ("cancelled", pgettext("activity", "Cancelled")),
    ]


def detail_url(activity: Activity) -> str:
    return reverse("activities:console_detail", args=[activity.pk])


def crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Activities"), reverse("activities:console_list")), *extra]


def _managed(request: AuthenticatedRequest, pk: int) -> Activity:
    return selectors.activity_get_for_user(user=request.user, pk=pk, perm=MANAGE)


# -- the list ------------------------------------------------------------------------------------------------


@require_perm(VIEW)
def activity_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab = request.GET.get("tab", "open")
    if tab not in selectors.TABS:
        tab = "open"
    form = ListFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    counts = selectors.tab_counts(user=request.user)
    activities = list(
        selectors.activities_for_user(user=request.user, tab=tab, **filters).order_by("starts_at")[:200]
    )
    query = request.GET.copy()
    query.pop("tab", None)
    return render(
        request,
        "activities/console/list.html",
        {
            "tabs": [
                {"key": key, "label": label, "count": counts[key], "active": key == tab}
                for key, label in _tab_labels()
            ],
            "tab": tab,
            "query": query.urlencode(),
            "form": form,
            "activities": activities,
            "to_score": results_selectors.to_score(request.user),
            "can_manage": request.user.has_unit_perm(MANAGE),
            "breadcrumbs": crumbs(),
        },
    )


# -- new, edit -----------------------------------------------------------------------------------------------


def _form_page(
    request: AuthenticatedRequest, activity: Activity | None, idea: Idea | None = None
) -> HttpResponseBase:
    if activity is not None:
        initial = ActivityForm.initial_for(activity)
    else:
        initial = {"offer_hours": 24, "max_quantity": 1, "waitlist": True}
        if idea is not None:
            initial.update(title=idea.title, description=idea.description, kind=idea.kind or "")
    form = ActivityForm(request.POST or None, initial=initial, user=request.user, activity=activity)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            if activity is None:
                saved = services.activity_create(
                    actor=request.user,
                    organiser_unit=form.cleaned_data["organiser_unit"],
                    idea=idea,
                    **values,
                )
            else:
                saved = services.activity_update(actor=request.user, activity=activity, **values)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The activity was saved as a draft. Add quotas and questions, then publish it.")
                if activity is None
                else _("The changes were saved."),
            )
            return redirect("activities:console_detail", pk=saved.pk)
    title = _("New activity") if activity is None else _("Edit %(title)s") % {"title": activity.title}
    return render(
        request,
        "activities/console/form.html",
        {
            "form": form,
            "activity": activity,
            "idea": idea,
            "title": title,
            "cancel_url": detail_url(activity) if activity else reverse("activities:console_list"),
            "breadcrumbs": crumbs(
                *([(activity.title, detail_url(activity))] if activity else []), (title, "")
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_perm(MANAGE)
def activity_new(request: AuthenticatedRequest) -> HttpResponseBase:
    idea = None
    idea_pk = request.GET.get("idea") or request.POST.get("idea")
    if idea_pk:
        if not request.user.has_unit_perm("activities.ideas.manage"):
            raise Http404
        idea = selectors.idea_get_for_user(user=request.user, pk=idea_pk)
        if idea.status != Idea.Status.OPEN:
            messages.error(request, _("This idea is no longer open."))
            return redirect("activities:console_ideas")
    return _form_page(request, None, idea)


@require_perm(MANAGE)
def activity_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    if activity.status in (Status.CANCELLED, Status.FINISHED):
        messages.error(request, _("A cancelled or finished activity cannot be changed."))
        return redirect(detail_url(activity))
    return _form_page(request, activity)


# -- the activity page ---------------------------------------------------------------------------------------


@require_perm(VIEW)
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    can_manage = services.may_manage(request.user, activity)
    has_regs = services.has_registrations(activity)
    recent = list(selectors.registrations_of(activity).order_by("-created_at")[:10])
    judges = list(activity.judges.all())
    for registration in recent:
        registration.answer_cells = []  # type: ignore[attr-defined]
    return render(
        request,
        "activities/console/detail.html",
        {
            "activity": activity,
            "numbers": selectors.numbers(activity),
            "rules": selectors.eligibility_summary(activity),
            "quotas": selectors.quotas_of(activity),
            "questions": list(activity.questions.all()),
            "invitations": list(selectors.invitations_of(activity)[:500]),
            "judges": judges,
            "batches": list(selectors.batches_of(activity)) if activity.series_id is None else [],
            "recent": recent,
            "can_manage": can_manage,
            "can_register": request.user.has_unit_perm("activities.register_members"),
            "has_registrations": has_regs,
            "quota_form": QuotaForm(activity=activity),
            "question_form": QuestionForm(),
            "invite_form": StaffNumbersForm(),
            "cancel_form": ReasonForm(),
            "is_competition": activity.kind == "competition",
            "can_checkin": request.user.has_unit_perm("activities.checkin", activity.organiser_unit),
            "uses_sheet": checkin_selectors.uses_sheet(activity),
            "expects_results": results_selectors.expects_results(activity),
            "is_judge": request.user in judges,
            "breadcrumbs": crumbs(
                *([(activity.series.title, detail_url(activity.series))] if activity.series else []),
                (activity.title, ""),
            ),
        },
    )


def _act(request: AuthenticatedRequest, activity: Activity, call: Any, done: str) -> HttpResponseBase:
    try:
        call()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect(detail_url(activity))


@require_POST
@require_perm(MANAGE)
def activity_publish(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    return _act(
        request,
        activity,
        lambda: services.activity_publish(actor=request.user, activity=activity),
        _("The activity is published: the members see it."),
    )


@require_perm(MANAGE)
def activity_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_cancel(
                actor=request.user, activity=activity, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The activity is cancelled; the registered members were told."))
            return redirect(detail_url(activity))
    return render(
        request,
        "activities/console/cancel.html",
        {
            "activity": activity,
            "form": form,
            "numbers": selectors.numbers(activity),
            "breadcrumbs": crumbs((activity.title, detail_url(activity)), (_("Cancel the activity"), "")),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@require_perm(MANAGE)
def activity_finish(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    return _act(
        request,
        activity,
        lambda: services.activity_finish(actor=request.user, activity=activity),
        _("The activity is marked finished."),
    )


# -- quotas, questions, invitations, judges ------------------------------------------------------------------


def _form_errors(request: AuthenticatedRequest, form: Any, error: ValidationError | None = None) -> None:
    if error is not None:
        apply_validation_error(form, error)
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, message)


@require_POST
@require_perm(MANAGE)
def quota_set(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    form = QuotaForm(request.POST, activity=activity)
    if form.is_valid():
        try:
            services.quota_set(
                actor=request.user,
                activity=activity,
                unit=form.cleaned_data["unit"],
                places=form.cleaned_data["places"],
            )
        except ValidationError as error:
            _form_errors(request, form, error)
        else:
            messages.success(request, _("The quota was saved."))
    else:
        _form_errors(request, form)
    return redirect(detail_url(activity) + "#quotas")


def _question_values(form: QuestionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "label": data["label"],
        "kind": data["kind"],
        "choices": data["choices"],
        "required": data["required"],
    }


@require_POST
@require_perm(MANAGE)
def question_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_add(actor=request.user, activity=activity, **_question_values(form))
        except ValidationError as error:
            _form_errors(request, form, error)
        else:
            messages.success(request, _("The question was added."))
    else:
        _form_errors(request, form)
    return redirect(detail_url(activity) + "#questions")


def _question(activity: Activity, question_pk: int) -> Question:
    question = activity.questions.filter(pk=question_pk).first()
    if question is None:
        raise Http404
    return question


@require_perm(MANAGE)
def question_edit(request: AuthenticatedRequest, pk: int, question_pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    question = _question(activity, question_pk)
    form = QuestionForm(
        request.POST or None,
        initial={
            "label": question.label,
            "kind": question.kind,
            "choices": "\n".join(question.choices or []),
            "required": question.required,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.question_edit(actor=request.user, question=question, **_question_values(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The question was saved."))
            return redirect(detail_url(activity) + "#questions")
    return render(
        request,
        "activities/console/question_form.html",
        {
            "activity": activity,
            "question": question,
            "form": form,
            "breadcrumbs": crumbs((activity.title, detail_url(activity)), (_("Edit the question"), "")),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@require_perm(MANAGE)
def question_remove(request: AuthenticatedRequest, pk: int, question_pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    question = _question(activity, question_pk)
    return _act(
        request,
        activity,
        lambda: services.question_remove(actor=request.user, question=question),
        _("The question was removed."),
    )


@require_POST
@require_perm(MANAGE)
def invitations_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    form = StaffNumbersForm(request.POST)
    if form.is_valid():
        try:
            result = services.invitations_add(
                actor=request.user, activity=activity, staff_numbers=form.cleaned_data["staff_numbers"]
            )
        except ValidationError as error:
            _form_errors(request, form, error)
        else:
            messages.success(request, _("%(n)s members invited.") % {"n": len(result.added)})
            if result.already:
                messages.info(request, _("%(n)s were invited already.") % {"n": len(result.already)})
            if result.unknown:
                messages.warning(
                    request,
                    _("No member with the staff numbers: %(numbers)s")
                    % {"numbers": "、".join(result.unknown)},
                )
    else:
        _form_errors(request, form)
    return redirect(detail_url(activity) + "#invitations")


@require_POST
@require_perm(MANAGE)
def invitation_remove(request: AuthenticatedRequest, pk: int, invitation_pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    invitation = Invitation.objects.filter(activity=activity, pk=invitation_pk).first()
    if invitation is None:
        raise Http404
    return _act(
        request,
        activity,
        lambda: services.invitation_remove(actor=request.user, invitation=invitation),
        _("The invitation was withdrawn."),
    )


@require_perm(MANAGE)
def judges_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = _managed(request, pk)
    form = StaffNumbersForm(
        request.POST or None,
        initial={"staff_numbers": "\n".join(activity.judges.values_list("staff_no", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.judges_set(
                actor=request.user, activity=activity, staff_numbers=form.cleaned_data["staff_numbers"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The judges were saved."))
            return redirect(detail_url(activity))
    return render(
        request,
        "activities/console/judges.html",
        {
            "activity": activity,
            "form": form,
            "breadcrumbs": crumbs((activity.title, detail_url(activity)), (_("Judges"), "")),
        },
        status=400 if request.method == "POST" else 200,
    )


# -- batches -------------------------------------------------------------------------------------------------


@require_perm(VIEW)
def batch_list(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    series = selectors.activity_get_for_user(user=request.user, pk=pk)
    if series.series_id is not None:
        return redirect("activities:console_batches", pk=series.series_id)
    can_manage = services.may_manage(request.user, series)
    form = BatchForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                batch = services.batch_add(actor=request.user, series=series, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The batch %(title)s was added.") % {"title": batch.title})
                return redirect("activities:console_batches", pk=series.pk)
    return render(
        request,
        "activities/console/batches.html",
        {
            "series": series,
            "batches": list(selectors.batches_of(series)),
            "form": form,
            "can_manage": can_manage,
            "breadcrumbs": crumbs((series.title, detail_url(series)), (_("Batches"), "")),
        },
        status=400 if request.method == "POST" else 200,
    )
