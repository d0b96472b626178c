"""The year-end 回头看: the committee opens it per session and confirms (or sends back) what the lead
offices report; the offices see the proposals to report on and report the implementation status now."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.organisations import selectors_offices

from ..forms.evaluation import FollowupDecideForm, FollowupFilterForm, FollowupForm
from ..models import FollowUp, Session
from ..selectors import access
from ..selectors import evaluation as eval_selectors
from ..selectors import supervision as selectors
from ..services import followup as services
from .evaluation import back_to

SUPERVISE = "proposals.supervise"
HANDLE = "proposals.handle"
PER_PAGE = 50


def _list_url(session_id: Any) -> str:
    return reverse("proposals:followup_list") + f"?session={session_id}"


def office_detail_url(pk: int) -> str:
    try:
        return reverse("proposals:office_detail", kwargs={"pk": pk})
    except NoReverseMatch:
        return reverse("proposals:office_followup_list")


@require_perm(SUPERVISE)
def followup_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """回头看 of one session (the latest by default): open or close it, the reports to confirm, and every
    answered proposal with its implementation status and its last report."""
    form = FollowupFilterForm(request.GET or None)
    sessions = {str(s.pk): s for s in selectors.sessions()}
    session = sessions.get(request.GET.get("session", "")) or next(iter(sessions.values()), None)
    context: dict[str, Any] = {
        "form": form,
        "session": session,
        "breadcrumbs": [(_("Year-end follow-up (回头看)"), "")],
    }
    if session is not None:
        page = Paginator(selectors.followup_covered(session_id=session.pk), PER_PAGE).get_page(
            request.GET.get("page")
        )
        for proposal in page.object_list:
            proposal.current_lead = selectors.current_lead(proposal)  # type: ignore[attr-defined]
            proposal.last_followup = next(iter(proposal.followup_list), None)  # type: ignore[attr-defined]
        context.update(
            {
                "page": page,
                "pending": selectors.followup_pending(session_id=session.pk),
                "counts": selectors.followup_counts(session_id=session.pk),
                "htmx_table": True,
            }
        )
    template = "proposals/evaluation/followup_list.html"
    if getattr(request, "htmx", False) and session is not None:
        template += "#rows"
    return render(request, template, context)


@require_perm(SUPERVISE)
@require_POST
def followup_toggle(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    session = get_object_or_404(Session, pk=pk)
    try:
        if session.followup_open:
            services.followup_close(actor=request.user, session=session)
            messages.success(request, _("The year-end follow-up (回头看) is closed."))
        else:
            services.followup_open(actor=request.user, session=session)
            messages.success(
                request, _("The year-end follow-up (回头看) is open; the lead offices are asked to report.")
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_list_url(session.pk))


@require_perm(SUPERVISE)
@require_POST
def followup_decide(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    followup = get_object_or_404(FollowUp.objects.select_related("proposal"), pk=pk)
    # The committee's console scope decides whether the proposal exists for this user.
    access.proposal_get_for_console(user=request.user, pk=followup.proposal_id)
    form = FollowupDecideForm(request.POST)
    target = back_to(request, _list_url(followup.proposal.session_id))
    if not form.is_valid():
        messages.error(request, _("Choose to confirm the follow-up or to send it back."))
        return redirect(target)
    try:
        services.followup_decide(
            actor=request.user,
            followup=followup,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if form.cleaned_data["decision"] == services.CONFIRM:
            messages.success(request, _("Follow-up confirmed: the implementation status is updated."))
        else:
            messages.success(request, _("Follow-up sent back to the office."))
    return redirect(target)


# -- the offices --------------------------------------------------------------------------------------


@require_perm(HANDLE)
def office_followup_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """The proposals the user's offices report on in an open 回头看."""
    office_ids = selectors_offices.office_ids_of_user(request.user)
    page = Paginator(
        selectors.followup_for_office(user=request.user, office_ids=office_ids), PER_PAGE
    ).get_page(request.GET.get("page"))
    for proposal in page.object_list:
        proposal.last_followup = next(iter(proposal.followup_list), None)  # type: ignore[attr-defined]
    return render(
        request,
        "proposals/evaluation/office_followup_list.html",
        {"page": page, "breadcrumbs": [(_("Year-end follow-up (回头看)"), "")]},
    )


@require_perm(HANDLE)
def office_followup(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The lead office's report: the implementation status now and what has been done since the reply."""
    proposal = access.proposal_get_for_office(user=request.user, pk=pk)
    followups = list(
        proposal.followups.select_related("office", "submitted_by").order_by("-submitted_at", "-id")
    )
    form = FollowupForm(request.POST or None, initial={"status_after": proposal.implementation or None})
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_submit(
                actor=request.user,
                proposal=proposal,
                status_after=form.cleaned_data["status_after"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_validation_error(form, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("proposals:office_followup", pk=proposal.pk)
        else:
            messages.success(request, _("Follow-up sent to the committee for confirmation."))
            return redirect(back_to(request, reverse("proposals:office_followup_list")))
    pending = any(f.status == FollowUp.Status.SUBMITTED for f in followups)
    may_report = services.may_report(request.user, proposal)
    if not proposal.session.followup_open:
        blocked = _("The year-end follow-up (回头看) of this session is not open: the committee opens it.")
    elif proposal.status not in services.COVERED:
        blocked = _("Only replied or closed proposals are followed up.")
    elif not may_report:
        blocked = _("Only the lead office (主办) of the proposal reports its follow-up.")
    elif pending:
        blocked = _("A follow-up of this proposal is already awaiting the committee's confirmation.")
    else:
        blocked = ""
    return render(
        request,
        "proposals/evaluation/office_followup.html",
        {
            "proposal": proposal,
            "form": form,
            "followups": followups,
            "blocked": blocked,
            "reply": eval_selectors.current_reply(proposal),
            "detail_url": office_detail_url(proposal.pk),
            "breadcrumbs": [
                (_("Year-end follow-up (回头看)"), reverse("proposals:office_followup_list")),
                (proposal.number or proposal.title, ""),
            ],
        },
    )
