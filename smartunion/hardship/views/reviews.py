"""Console pages of the dynamic management: the annual review queue and its rounds, recording one review,
closing a file (脱困 / 退档), and the help plan's measures. The file page itself belongs to the files part;
its management panel (``files/_management.html``) posts here and comes back."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.reviews import (
    CloseForm,
    MeasureCancelForm,
    MeasureDoneForm,
    MeasureForm,
    RemoveForm,
    ReviewForm,
    RoundForm,
)
from ..models import HardshipFile, HelpMeasure
from ..selectors import access
from ..selectors import plan as plan_selectors
from ..selectors import reviews as selectors
from ..services import common, lifecycle, measures, reviews
from ..services.files import is_member

MANAGE = "hardship.files.manage"
TABS = [
    ("open", gettext_lazy("To review")),
    ("overdue", gettext_lazy("Overdue")),
    ("spot", gettext_lazy("Spot checks")),
    ("done", gettext_lazy("Done this year")),
]


def file_url(file: HardshipFile) -> str:
    """The file's page (files part), or the review queue while it does not exist."""
    try:
        return reverse("hardship:file_detail", args=[file.pk])
    except NoReverseMatch:
        return reverse("hardship:review_list")


def _crumbs(*more: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Annual reviews"), reverse("hardship:review_list")), *more]


# -- the queue and the rounds -------------------------------------------------------------------------


@require_perm("hardship.files.view")
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    tab = request.GET.get("tab", "open")
    if tab not in dict(TABS):
        tab = "open"
    today = timezone.localdate()
    counts = selectors.review_counts(user=request.user, today=today)
    reviews_page = list(selectors.reviews_for_user(user=request.user, tab=tab, today=today)[:500])
    empty_hints = {
        "open": _(
            "No review is waiting. Reviews appear when the year's round is started or a file's review comes due."
        ),
        "overdue": _("No review is overdue."),
        "spot": _("No spot check is waiting."),
        "done": _("No review has been recorded this year."),
    }
    return render(
        request,
        "hardship/reviews/list.html",
        {
            "tabs": [
                {"key": key, "label": label, "count": counts.get(key), "active": key == tab}
                for key, label in TABS
            ],
            "tab": tab,
            "reviews": reviews_page,
            "today": today,
            "stale": list(selectors.stale_files(user=request.user, today=today)[:100]),
            "round": selectors.round_of_year(today.year),
            "rounds": list(selectors.rounds()[:5]),
            "can_start": reviews.may_start_round(request.user),
            "empty_hint": empty_hints[tab],
            "breadcrumbs": [(_("Annual reviews"), "")],
        },
    )


@require_perm("hardship.reviews.manage")
def review_round_new(request: AuthenticatedRequest) -> HttpResponse:
    # The round covers every active file of the school: held at a sub-union, the permission is not enough.
    if not reviews.may_start_round(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    form = RoundForm(
        request.POST or None, initial={"year": today.year, "due_on": today.replace(month=12, day=31)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            started = reviews.round_start(
                actor=request.user, year=data["year"], due_on=data["due_on"], seed=data["seed"] or None
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            counted = selectors.round_of_year(started.year)
            messages.success(
                request,
                _("The review of %(year)s is started: %(total)s files, %(spot)s drawn for a spot check.")
                % {
                    "year": started.year,
                    "total": getattr(counted, "total", 0),
                    "spot": getattr(counted, "spot", 0),
                },
            )
            return redirect("hardship:review_list")
    return render(
        request,
        "hardship/reviews/round_new.html",
        {
            "form": form,
            "share": reviews.spot_check_share(),
            "active_files": selectors.active_file_count(),
            "breadcrumbs": _crumbs((_("Start the annual review"), "")),
        },
    )


# -- one review ----------------------------------------------------------------------------------------


@require_perm(MANAGE)
def review_record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    review = selectors.review_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                reviews.review_record(
                    actor=request.user,
                    review=review,
                    result=data["result"],
                    note=data["note"],
                    category=data["category"] or None,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
                status = 400
            else:
                messages.success(
                    request, _("Review recorded for file %(number)s.") % {"number": review.file.number}
                )
                return redirect("hardship:review_list")
        else:
            status = 400
        review = selectors.review_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    file = review.file
    visits = list(reviews.visits_for(review))
    return render(
        request,
        "hardship/reviews/record.html",
        {
            "review": review,
            "file": file,
            "form": form,
            "file_url": file_url(file),
            "visit_since": reviews.visit_since(review),
            "visits": visits,
            "needs_visit": review.spot_check and review.done_at is None and not visits,
            "own_file": is_member(request.user, file),
            "can_close": lifecycle.may_close(request.user, file),
            "can_set_category": reviews.may_set_category(request.user),
            "breadcrumbs": _crumbs((file.number or str(file), "")),
        },
        status=status,
    )


# -- closing a file --------------------------------------------------------------------------------------


def _back(request: AuthenticatedRequest, file: HardshipFile, error: ValidationError) -> HttpResponseBase:
    for message in error.messages:
        messages.error(request, message)
    return redirect(file_url(file))


@require_perm("hardship.files.approve")
@require_POST
def file_exit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm="hardship.files.approve")
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _back(request, file, ValidationError(_("Give the reason for closing the file.")))
    try:
        lifecycle.file_exit(actor=request.user, file=file, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _back(request, file, error)
    messages.success(request, _("File %(number)s is closed: out of hardship.") % {"number": file.number})
    return redirect(file_url(file))


@require_perm("hardship.files.approve")
@require_POST
def file_remove(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    file = access.file_get_for_user(user=request.user, pk=pk, perm="hardship.files.approve")
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _back(request, file, ValidationError(_("Choose why the file is removed and give the reason.")))
    try:
        lifecycle.file_remove(
            actor=request.user, file=file, reason=form.cleaned_data["reason"], kind=form.cleaned_data["kind"]
        )
    except ValidationError as error:
        return _back(request, file, error)
    messages.success(request, _("File %(number)s is removed.") % {"number": file.number})
    return redirect(file_url(file))


# -- the help plan ---------------------------------------------------------------------------------------


def _measure_get(user: Any, pk: Any) -> HelpMeasure:
    try:
        return (
            user.scope_for(MANAGE)
            .filter(
                HelpMeasure.objects.select_related("file__unit", "file__person", "care_event", "application"),
                "file__unit",
            )
            .get(pk=pk)
        )
    except (HelpMeasure.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _pick(choices: list[Any], pk: int | None) -> Any:
    if pk is None:
        return None
    for item in choices:
        if item.pk == pk:
            return item
    raise ValidationError(_("Choose one of the listed items."))


def _measure_page(
    request: AuthenticatedRequest, file: HardshipFile, measure: HelpMeasure | None
) -> HttpResponse:
    care_events = plan_selectors.care_events_of(file.person)
    applications = plan_selectors.paid_applications_of(file.person)
    # A link already made stays choosable (e.g. an older visit beyond the list).
    if measure is not None and measure.care_event is not None and measure.care_event not in care_events:
        care_events.append(measure.care_event)
    if measure is not None and measure.application is not None and measure.application not in applications:
        applications.append(measure.application)
    initial = (
        {
            "kind": measure.kind,
            "description": measure.description,
            "responsible": measure.responsible,
            "planned_on": measure.planned_on,
            "care_event": measure.care_event_id,
            "application": measure.application_id,
        }
        if measure is not None
        else {"planned_on": timezone.localdate()}
    )
    form = MeasureForm(
        request.POST or None, initial=initial, care_events=care_events, applications=applications
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                data["care_event"] = _pick(care_events, data["care_event"])
                data["application"] = _pick(applications, data["application"])
                if measure is None:
                    measures.measure_add(actor=request.user, file=file, **data)
                else:
                    measures.measure_update(actor=request.user, measure=measure, **data)
            except ValidationError as error:
                apply_validation_error(form, error)
                status = 400
            else:
                messages.success(request, _("Help plan saved."))
                return redirect(file_url(file))
        else:
            status = 400
    title = _("Edit a help measure") if measure is not None else _("Add a help measure")
    if measure is not None:
        # The form shows what help is given (it can name an illness): a sensitive view of the file.
        common.log_sensitive_view(actor=request.user, record=file, what="help measure")
    return render(
        request,
        "hardship/reviews/measure_form.html",
        {
            "form": form,
            "file": file,
            "title": title,
            "file_url": file_url(file),
            "breadcrumbs": [(file.number or str(file), file_url(file)), (title, "")],
        },
        status=status,
    )


@require_perm(MANAGE)
def measure_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    file = access.file_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    return _measure_page(request, file, None)


@require_perm(MANAGE)
def measure_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    measure = _measure_get(request.user, pk)
    return _measure_page(request, measure.file, measure)


@require_perm(MANAGE)
@require_POST
def measure_done(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    measure = _measure_get(request.user, pk)
    form = MeasureDoneForm(request.POST)
    if not form.is_valid():
        return _back(request, measure.file, ValidationError(_("Say what was done and with what result.")))
    try:
        measures.measure_done(
            actor=request.user,
            measure=measure,
            done_on=form.cleaned_data["done_on"],
            outcome=form.cleaned_data["outcome"],
        )
    except ValidationError as error:
        return _back(request, measure.file, error)
    messages.success(request, _("Help measure marked done."))
    return redirect(file_url(measure.file))


@require_perm(MANAGE)
@require_POST
def measure_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    measure = _measure_get(request.user, pk)
    form = MeasureCancelForm(request.POST)
    form.is_valid()
    try:
        measures.measure_cancel(
            actor=request.user, measure=measure, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _back(request, measure.file, error)
    messages.success(request, _("Help measure cancelled."))
    return redirect(file_url(measure.file))
