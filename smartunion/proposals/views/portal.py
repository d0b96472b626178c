"""The representative's proposal workspace in the member portal (m/proposals/): drafting with autosave and
the session's length rules, similar proposals while writing, inviting co-signers and answering
invitations (附议), attachments, submission and withdrawal. Every page acts on the logged-in member's own
proposals or invitations; anyone else's answers 404. The progress view and the board are in
``portal_progress``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest

from ..forms.portal import AttachmentForm, DraftForm, NewProposalForm
from ..models import Proposal, Signer
from ..selectors import access
from ..selectors import portal as selectors
from ..services import drafting
from ..services.similarity import similar_proposals

Status = Proposal.Status


def portal_context(**extra: Any) -> dict[str, Any]:
    return {"portal_section": "services", "back_url": reverse("proposals:portal_home"), **extra}


def _error(request: AuthenticatedRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def evaluate_url(proposal: Proposal) -> str | None:
    """The rating page (the evaluation part's), when it exists."""
    try:
        return reverse("proposals:portal_evaluate", kwargs={"pk": proposal.pk})
    except NoReverseMatch:
        return None


# -- the workspace ---------------------------------------------------------------------------------------


@login_required
def portal_home(request: AuthenticatedRequest) -> HttpResponseBase:
    session = access.current_session()
    representative = access.representative_of_user(request.user, session)
    person = selectors.person_of(request.user)
    proposals = selectors.my_proposals(person)
    awaiting = selectors.awaiting_evaluation(person)
    return render(
        request,
        "proposals/portal/home.html",
        portal_context(
            session=session,
            collecting=bool(session and session.is_collecting()),
            representative=representative,
            may_propose=access.may_propose(representative) and session is not None,
            invitations=selectors.invitations_of(person),
            awaiting=[(proposal, evaluate_url(proposal)) for proposal in awaiting],
            groups=selectors.grouped(proposals),
            has_proposals=bool(proposals),
            back_url=reverse("dashboards:portal_section", args=["services"]),
        ),
    )


@login_required
def portal_new(request: AuthenticatedRequest) -> HttpResponseBase:
    session = access.current_session()
    representative = access.representative_of_user(request.user, session)
    if session is None or not access.may_propose(representative):
        return render(
            request,
            "proposals/portal/not_representative.html",
            portal_context(session=session, representative=representative),
        )
    assert representative is not None
    form = NewProposalForm(
        request.POST or None, collective_allowed=representative.is_delegation_leader, session=session
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = drafting.proposal_create(
                actor=request.user,
                session=session,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data.get("kind") or Proposal.Kind.INDIVIDUAL,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Draft started. It is saved as you write."))
            return redirect("proposals:portal_edit", pk=proposal.pk)
    return render(
        request,
        "proposals/portal/new.html",
        portal_context(
            form=form,
            session=session,
            representative=representative,
            collecting=session.is_collecting(),
        ),
        status=400 if form.errors else 200,
    )


# -- the draft -------------------------------------------------------------------------------------------


def _draft_initial(proposal: Proposal) -> dict[str, Any]:
    return {
        "title": proposal.title,
        "reasons": proposal.reasons,
        "suggestions": proposal.suggestions,
        "category": proposal.category_id,
        "suggested_office": proposal.suggested_office_id,
    }


@login_required
def portal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = selectors.proposal_for_proposer(user=request.user, pk=pk)
    if proposal.status not in drafting.EDITABLE:
        messages.error(request, _("This proposal has been submitted and can no longer be edited."))
        return redirect("proposals:portal_detail", pk=proposal.pk)
    form = DraftForm(request.POST or None, initial=_draft_initial(proposal), session=proposal.session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            drafting.proposal_update(
                actor=request.user,
                proposal=proposal,
                title=data["title"],
                reasons=data["reasons"],
                suggestions=data["suggestions"],
                category=data["category"],
                suggested_office=data["suggested_office"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("proposals:portal_detail", pk=proposal.pk)
    return render(
        request,
        "proposals/portal/edit.html",
        portal_context(
            proposal=proposal,
            session=proposal.session,
            form=form,
            attachments=selectors.attachments_of(proposal),
            attachment_form=AttachmentForm(),
            guide_open=not proposal.reasons,  # the 一事一案 guidance, open until the writing starts
            # Co-signers sign this text: changing it asks them to confirm again (said before the writing).
            cosigned=sum(
                1
                for s in selectors.signers_of(proposal)
                if s.role == Signer.Role.COSIGNER and s.status == Signer.Status.ACCEPTED
            ),
            back_url=reverse("proposals:portal_detail", args=[proposal.pk]),
        ),
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def portal_autosave(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """htmx, every few seconds while writing: keep what is typed, without the length rules."""
    proposal = selectors.proposal_for_proposer(user=request.user, pk=pk)
    data = {name: request.POST[name] for name in drafting.DRAFT_FIELDS if name in request.POST}
    try:
        proposal = drafting.proposal_autosave(actor=request.user, proposal=proposal, data=data)
    except ValidationError as error:
        if not request.htmx:
            _error(request, error)
            return redirect("proposals:portal_detail", pk=proposal.pk)
        return render(
            request, "proposals/portal/edit.html#autosave", {"autosave_error": " ".join(error.messages)}
        )
    if not request.htmx:
        messages.success(request, _("Draft saved."))
        return redirect("proposals:portal_edit", pk=proposal.pk)
    return render(request, "proposals/portal/edit.html#autosave", {"proposal": proposal})


@login_required
@require_GET
def portal_similar(request: AuthenticatedRequest) -> HttpResponseBase:
    """htmx while writing: submitted proposals of this and past sessions like the text so far, that the
    member may open, with their similarity."""
    title = request.GET.get("title", "")[:200]
    text = " ".join(
        [title, title, request.GET.get("reasons", "")[:5000], request.GET.get("suggestions", "")[:5000]]
    ).strip()
    try:
        exclude = int(request.GET.get("exclude", ""))
    except ValueError:
        exclude = None
    found = similar_proposals(text=text, exclude_pk=exclude, limit=5) if len(text) >= 4 else []
    return render(
        request,
        "proposals/portal/similar.html",
        {"similar": selectors.visible_similar(user=request.user, found=found), "asked": len(text) >= 4},
    )


# -- co-signers ------------------------------------------------------------------------------------------


@login_required
def portal_invite(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """寻附议: search representatives of any delegation, invite them; the invitees and their answers."""
    proposal = selectors.proposal_for_proposer(user=request.user, pk=pk)
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()
    if request.method == "POST":
        representative = selectors.representative_for_invite(
            proposal=proposal, pk=request.POST.get("representative")
        )
        url = reverse("proposals:portal_invite", args=[proposal.pk])
        try:
            drafting.cosigner_invite(actor=request.user, proposal=proposal, representative=representative)
        except ValidationError as error:
            _error(request, error)
            # Refused: back to the same search, to pick someone else.
            return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
        messages.success(
            request, _("%(name)s is invited; they answer under 待附议.") % {"name": representative.person}
        )
        # Invited: they now show among the invitees; the search starts afresh (re-running it would only
        # say that nobody is left to invite under that name).
        return redirect(url)
    signers = [s for s in selectors.signers_of(proposal) if s.role == Signer.Role.COSIGNER]
    accepted = sum(1 for s in signers if s.status == Signer.Status.ACCEPTED)
    context = portal_context(
        proposal=proposal,
        session=proposal.session,
        query=query,
        results=selectors.representative_search(proposal=proposal, query=query),
        signers=signers,
        accepted=accepted,
        late=drafting.submits_late(proposal.session),
        editable=proposal.status in drafting.EDITABLE,
        back_url=reverse("proposals:portal_detail", args=[proposal.pk]),
    )
    if request.htmx and request.GET.get("partial") == "results":
        return render(request, "proposals/portal/invite.html#results", context)
    return render(request, "proposals/portal/invite.html", context)


@login_required
@require_POST
def portal_cosign(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The invitee accepts or declines (附议)."""
    signer = selectors.signer_of_user(user=request.user, pk=pk)
    accept = request.POST.get("answer") == "accept"
    try:
        drafting.cosign_respond(actor=request.user, signer=signer, accept=accept)
    except ValidationError as error:
        _error(request, error)
    else:
        message = _("You co-signed “%(title)s”.") if accept else _("You declined to co-sign “%(title)s”.")
        messages.success(request, message % {"title": signer.proposal.title})
    target = request.POST.get("next")
    if target == "home":
        return redirect("proposals:portal_home")
    return redirect("proposals:portal_detail", pk=signer.proposal_id)


# -- attachments -----------------------------------------------------------------------------------------


@login_required
@require_POST
def portal_attachment_add(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = selectors.proposal_for_proposer(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    valid = form.is_valid()
    upload = form.cleaned_data.get("upload") if valid else None
    if not valid:  # e.g. an empty file: the form says why
        for message in form.errors.get("upload", []) or [_("Choose a file to attach.")]:
            messages.error(request, str(message))
    elif upload is None:
        # The field is optional on the page (attachments are); an empty upload is still refused here.
        messages.error(
            request,
            _("Choose a file to attach first: PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx), at most 10 MB."),
        )
    else:
        try:
            drafting.attachment_add(
                actor=request.user, proposal=proposal, name=upload.name, data=upload.read()
            )
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("“%(name)s” attached.") % {"name": upload.name})
    if proposal.status in drafting.EDITABLE:
        return redirect(reverse("proposals:portal_edit", args=[proposal.pk]) + "#attachments")
    return redirect("proposals:portal_detail", pk=proposal.pk)


@login_required
@require_POST
def portal_attachment_remove(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    attachment = selectors.attachment_for_portal(user=request.user, pk=pk)
    proposal = selectors.proposal_for_proposer(user=request.user, pk=attachment.proposal_id)
    try:
        drafting.attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("“%(name)s” removed.") % {"name": attachment.name})
    if proposal.status in drafting.EDITABLE:
        return redirect(reverse("proposals:portal_edit", args=[proposal.pk]) + "#attachments")
    return redirect("proposals:portal_detail", pk=proposal.pk)


# -- submission and withdrawal ---------------------------------------------------------------------------


@login_required
@require_POST
def portal_submit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = selectors.proposal_for_proposer(user=request.user, pk=pk)
    try:
        proposal = drafting.proposal_submit(actor=request.user, proposal=proposal)
    except ValidationError as error:
        _error(request, error)
    else:
        if proposal.is_late:
            messages.warning(
                request,
                _(
                    "Submitted after the collection window: the committee handles it as an opinion or "
                    "suggestion (意见建议)."
                ),
            )
        else:
            messages.success(request, _("Submitted to the proposal committee (提案工作委员会) for review."))
    return redirect("proposals:portal_detail", pk=proposal.pk)


@login_required
@require_POST
def portal_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = selectors.proposal_for_proposer(user=request.user, pk=pk)
    try:
        drafting.proposal_withdraw(
            actor=request.user, proposal=proposal, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Proposal withdrawn."))
    return redirect("proposals:portal_detail", pk=proposal.pk)
