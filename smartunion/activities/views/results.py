"""Console pages after the event: results (judges score their entries; the organiser publishes the ranking
or enters ranks and awards), the rankings export, and the summary with photos (宣传) with the photo view."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.members.selectors import person_of_user

from ..forms.checkin import SummaryForm, WithdrawForm
from ..models import Activity
from ..selectors import checkin as checkin_selectors
from ..selectors import eligibility
from ..selectors import results as selectors
from ..services import results as services
from .checkin import activity_url, crumbs


def _results_context(request: AuthenticatedRequest, activity: Activity, **extra: Any) -> dict[str, Any]:
    user = request.user
    judge = services.is_judge(user, activity)
    may_view = user.has_unit_perm("activities.view", activity.organiser_unit)
    scored = selectors.is_scored(activity)
    published = selectors.published(activity)
    entries = list(selectors.entries(activity))
    mine = selectors.scores_of_judge(activity, user) if judge else {}
    context = {
        "activity": activity,
        "is_judge": judge,
        "may_view": may_view,
        "may_manage": services.may_manage(user, activity),
        "scored": scored,
        "published": published,
        "is_published": bool(published),
        "entries": entries,
        "my_rows": [(entry, mine.get(entry.pk)) for entry in entries] if judge else [],
        "ranking": selectors.ranking(activity) if (scored and may_view) else [],
        "judges": list(activity.judges.all()) if may_view else [],
        "withdraw_form": WithdrawForm(),
        "activity_url": activity_url(activity) if may_view else "",
        "breadcrumbs": crumbs(activity, _("Results"))
        if may_view
        else [(activity.title, ""), (_("Scores"), "")],
    }
    context.update(extra)
    return context


@login_required
def results(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_for_results(user=request.user, pk=pk)
    return render(request, "activities/results/results.html", _results_context(request, activity))


def _refused(request: AuthenticatedRequest, activity: Activity, error: ValidationError) -> HttpResponse:
    context = _results_context(request, activity, action_errors=error.messages)
    return render(request, "activities/results/results.html", context, status=400)


@login_required
@require_POST
def results_scores(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_for_results(user=request.user, pk=pk)
    if not services.is_judge(request.user, activity):
        raise PermissionDenied
    scores: dict[int, Any] = {}
    for key, value in request.POST.items():
        if key.startswith("score-"):
            try:
                scores[int(key.removeprefix("score-"))] = value
            except ValueError:
                continue
    try:
        changed = services.scores_save(actor=request.user, activity=activity, scores=scores)
    except ValidationError as error:
        return _refused(request, activity, error)
    messages.success(request, _("Your scores are saved (%(count)d changed).") % {"count": changed})
    return redirect("activities:results", pk=activity.pk)


@require_perm("activities.manage")
@require_POST
def results_publish(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = checkin_selectors.activity_get_for_user(user=request.user, pk=pk, perm="activities.manage")
    manual: dict[int, services.Manual] = {}
    errors: list[str] = []
    for entry in selectors.entries(activity):
        raw_rank = request.POST.get(f"rank-{entry.pk}", "").strip()
        award = request.POST.get(f"award-{entry.pk}", "").strip()
        rank = None
        if raw_rank:
            try:
                rank = int(raw_rank)
            except ValueError:
                errors.append(_("“%(value)s” is not a rank: enter a whole number.") % {"value": raw_rank})
                continue
        if rank is not None or award:
            manual[entry.pk] = services.Manual(rank=rank, award=award)
    try:
        if errors:
            raise ValidationError(errors)
        created = services.results_publish(actor=request.user, activity=activity, manual=manual)
    except ValidationError as error:
        return _refused(request, activity, error)
    messages.success(
        request,
        _("Results published: %(count)d entries. Members see them on their registration.")
        % {"count": len(created)},
    )
    return redirect("activities:results", pk=activity.pk)


@require_perm("activities.manage")
@require_POST
def results_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = checkin_selectors.activity_get_for_user(user=request.user, pk=pk, perm="activities.manage")
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.results_withdraw(
            actor=request.user, activity=activity, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, activity, error)
    messages.success(request, _("The results are taken back: correct them and publish again."))
    return redirect("activities:results", pk=activity.pk)


@require_perm("activities.view")
def results_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = checkin_selectors.activity_get_for_user(user=request.user, pk=pk, perm="activities.view")
    published = selectors.published(activity)
    columns = [
        SheetColumn(_("Rank"), 8),
        SheetColumn(_("Unit"), 22),
        SheetColumn(_("Staff number"), 12),
        SheetColumn(_("Member"), 12),
        SheetColumn(_("Team"), 16),
        SheetColumn(_("Score"), 10),
        SheetColumn(_("Award"), 16),
    ]
    rows: list[list[Any]]
    if published:
        rows = [
            [
                r.rank,
                r.registration.unit.name,
                r.registration.person.staff_no,
                r.registration.person.name,
                r.registration.team.name if r.registration.team else "",
                r.score,
                r.award,
            ]
            for r in published
        ]
        note = _("Published results.")
    else:
        rows = [
            [
                line.rank,
                line.registration.unit.name,
                line.registration.person.staff_no,
                line.registration.person.name,
                line.registration.team.name if line.registration.team else "",
                line.mean,
                "",
            ]
            for line in selectors.ranking(activity)
        ]
        note = _("Not published yet: the ranking from the scores so far.")
    title = _("Results of %(title)s") % {"title": activity.title}
    return xlsx_response(
        f"{title}.xlsx",
        lambda handle: write_workbook(
            handle, sheet_title=str(_("Results")), columns=columns, rows=rows, title=title, notes=[note]
        ),
    )


# -- summary and photos ----------------------------------------------------------------------------------


@require_perm("activities.view")
def summary(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = checkin_selectors.activity_get_for_user(user=request.user, pk=pk, perm="activities.view")
    may_manage = services.may_manage(request.user, activity)
    form = SummaryForm(request.POST or None, request.FILES or None, initial={"text": activity.summary})
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            uploads = [services.Upload(name=f.name, data=f.read()) for f in data["photos"]]
            try:
                added = services.summary_save(
                    actor=request.user,
                    activity=activity,
                    text=data["text"],
                    photos=uploads,
                    caption=data["caption"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
                status = 400
            else:
                messages.success(request, _("Summary saved; %(count)d photos added.") % {"count": len(added)})
                return redirect("activities:summary", pk=activity.pk)
        else:
            status = 400
    return render(
        request,
        "activities/results/summary.html",
        {
            "activity": activity,
            "form": form,
            "may_manage": may_manage,
            "photos": selectors.photos_of(activity),
            "activity_url": activity_url(activity),
            "breadcrumbs": crumbs(activity, _("Summary and photos")),
        },
        status=status,
    )


@require_perm("activities.manage")
@require_POST
def summary_photo_delete(request: AuthenticatedRequest, pk: int, photo_pk: int) -> HttpResponseBase:
    activity = checkin_selectors.activity_get_for_user(user=request.user, pk=pk, perm="activities.manage")
    photo = activity.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    services.photo_delete(actor=request.user, photo=photo)
    messages.success(request, _("Photo removed."))
    return redirect("activities:summary", pk=activity.pk)


def _may_see_photos(user: Any, activity: Activity) -> bool:
    """Officers with activities.view over the organising unit: any state. Anyone else: a published or
    finished activity they may see on the portal (the school; their part of the tree; invited)."""
    if user.has_unit_perm("activities.view", activity.organiser_unit):
        return True
    if activity.status not in (Activity.Status.PUBLISHED, Activity.Status.FINISHED):
        return False
    if activity.visibility == Activity.Visibility.SCHOOL:
        return True
    person = person_of_user(user)
    return person is not None and eligibility.is_visible(activity, eligibility.facts_for(person))


@login_required
def photo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A summary photo: publicity, shown to anyone logged in once the activity is published or finished;
    officers see the photos of activities in their scope in any state."""
    item = selectors.photo_get(pk)
    if not _may_see_photos(request.user, item.activity):
        raise Http404
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(item.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
