"""Rating a reply (the proposer's phone page) and the committee's decisions after it: 重新办理 or close an
unsatisfied proposal, close a replied one nobody rated."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.evaluation import CloseForm, EvaluationForm, UnsatisfiedForm
from ..models import Evaluation, Proposal
from ..selectors import access
from ..selectors import evaluation as selectors
from ..services import evaluation as services
from ..services import handling

REVIEW = "proposals.review"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def console_url(proposal: Proposal) -> str:
    """The proposal's console page (handling part), or the supervision board while it does not exist."""
    try:
        return reverse("proposals:console_detail", kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        return reverse("proposals:supervision_board")


def portal_url(proposal: Proposal) -> str:
    try:
        return reverse("proposals:portal_detail", kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        return reverse("dashboards:portal_home")


def back_to(request: AuthenticatedRequest, default: str) -> str:
    """The page the form came from when it names one on this site (``next``), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _own_proposal(request: AuthenticatedRequest, pk: Any) -> Proposal:
    try:
        return access.own_queryset(request.user).get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


# -- the proposer ------------------------------------------------------------------------------------


@login_required
def portal_evaluate(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """满意 / 基本满意 / 不满意 on 办理态度 and 办理结果, with a comment: one screen, large choices."""
    proposal = _own_proposal(request, pk)
    evaluator = selectors.evaluator_for(user=request.user, proposal=proposal)
    reply = selectors.current_reply(proposal)
    mine = (
        Evaluation.objects.filter(reply=reply, representative=evaluator.representative).first()
        if reply is not None and evaluator is not None
        else None
    )
    due = selectors.evaluation_due(user=request.user, proposal=proposal)
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(
                actor=request.user,
                proposal=proposal,
                attitude=form.cleaned_data["attitude"],
                result=form.cleaned_data["result"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_validation_error(form, error)
            else:
                messages.error(request, _error_text(error))
                return redirect("proposals:portal_evaluate", pk=proposal.pk)
        else:
            messages.success(request, _("Thank you: your rating is recorded."))
            return redirect(portal_url(proposal))
    reason = ""
    if mine is None and not due:
        if not proposal.session.control_evaluation:
            reason = _("Replies are not rated in this session.")
        elif evaluator is None:
            reason = _("Only the proposer rates the reply in this session; co-signers do not.")
        else:
            reason = _("There is no reply waiting for your rating: the proposal is “%(status)s”.") % {
                "status": proposal.get_status_display()
            }
    return render(
        request,
        "proposals/evaluation/portal_evaluate.html",
        {
            "proposal": proposal,
            "reply": reply,
            "form": form,
            "due": due,
            "mine": mine,
            "reason": reason,
            "is_proposer": bool(evaluator and evaluator.is_proposer),
            "portal_section": "services",
            "back_url": portal_url(proposal),
        },
    )


# -- the committee -----------------------------------------------------------------------------------


@require_perm(REVIEW)
def console_unsatisfied(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The committee's review of a 不满意: the ratings and the reply, then 重新办理 (offices, deadline) or
    close with an explanation."""
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    session = proposal.session
    previous = selectors.round_assignments(proposal)
    lead = next((a.office for a in previous if a.role == "lead"), None)
    initial = {
        "decision": services.REHANDLE if selectors.rounds_left(proposal) else services.CLOSE,
        "lead_office": lead,
        "assist_offices": [a.office for a in previous if a.role == "assist"],
        "implementation": "C",
    }
    form = UnsatisfiedForm(
        request.POST or None,
        initial=initial,
        offices=selectors.offices_for_choice(),
        co_handling=session.control_co_handling,
    )
    if not session.control_time_limit:
        del form.fields["due_date"]  # no deadline without time limits (限时办结)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unsatisfied_decide(
                actor=request.user,
                proposal=proposal,
                decision=data["decision"],
                note=data["note"],
                lead_office=data["lead_office"],
                assist_offices=data.get("assist_offices") or [],
                due_date=data.get("due_date"),
                implementation=data["implementation"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_validation_error(form, error)
            else:
                messages.error(request, _error_text(error))
                return redirect(back_to(request, console_url(proposal)))
        else:
            if data["decision"] == services.REHANDLE:
                messages.success(request, _("Re-handling (重新办理) ordered; the offices are told."))
            else:
                messages.success(request, _("The proposal is closed; the proposer is told."))
            return redirect(back_to(request, console_url(proposal)))
    return render(
        request,
        "proposals/evaluation/unsatisfied.html",
        {
            "proposal": proposal,
            "form": form,
            "replies": selectors.released_replies(proposal),
            "rounds_left": selectors.rounds_left(proposal),
            "default_due": services.rehandling_due_date(proposal),
            "is_unsatisfied": proposal.status == Proposal.Status.UNSATISFIED,
            "detail_url": console_url(proposal),
            "breadcrumbs": [
                (_("Supervision (督办)"), reverse("proposals:supervision_board")),
                (proposal.number or proposal.title, console_url(proposal)),
                (_("Review of 不满意"), ""),
            ],
        },
    )


@require_perm(REVIEW)
@require_POST
def console_close(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Close a replied proposal nobody rated, with a note."""
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note: why the proposal is closed without the proposer's rating."))
        return redirect(back_to(request, console_url(proposal)))
    try:
        services.proposal_close(actor=request.user, proposal=proposal, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The proposal is closed (办结)."))
    return redirect(back_to(request, console_url(proposal)))


@require_perm(REVIEW)
@require_POST
def console_release_reply(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Release a reply awaiting a sign-off (审签) that nobody can give any more (the office has no
    supervising leader now, or the session switched the leader's step off)."""
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    try:
        handling.reply_release_without_signoff(
            actor=request.user, proposal=proposal, note=request.POST.get("note", "")[:2000]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The reply is released; the proposer and the office are told."))
    return redirect(back_to(request, console_url(proposal)))
