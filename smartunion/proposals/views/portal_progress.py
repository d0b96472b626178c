"""What members read in the portal: one proposal's progress (征集 → 交办 → 答复 → 反馈, the public timeline,
the released replies of each round, the rating when it is due), its attachments, the public board (提案
公开栏), and the blocks of the 首页 and 服务 pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from smartunion.core.http import AuthenticatedRequest

from ..forms.portal import BoardFilterForm, WithdrawForm
from ..models import Proposal, Signer
from ..selectors import access
from ..selectors import portal as selectors
from ..services import drafting
from .portal import evaluate_url, portal_context

Status = Proposal.Status
BOARD_PAGE_SIZE = 20


def _readiness(proposal: Proposal) -> dict[str, Any]:
    """What the submission will check, for the proposer to see before pressing the button."""
    session = proposal.session
    # The co-signers the submission counts (accepted and still serving full representatives).
    accepted = drafting.valid_cosigner_count(proposal)
    # A late submission becomes an 意见建议, which needs no co-signers.
    late = drafting.submits_late(session)
    required = session.cosigners_required if proposal.kind == Proposal.Kind.INDIVIDUAL and not late else 0
    errors = drafting.length_errors(proposal, session)
    collective_error = drafting.collective_error(proposal)
    return {
        "errors": list(errors.values()),
        "collective_error": collective_error,
        "category_missing": proposal.category_id is None,
        "accepted": accepted,
        "required": required,
        "cosigners_missing": max(required - accepted, 0),
        "late": late,
        "ready": not errors
        and not collective_error
        and proposal.category_id is not None
        and accepted >= required,
    }


@login_required
def portal_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_portal(user=request.user, pk=pk)
    person = selectors.person_of(request.user)
    signers = selectors.signers_of(proposal)
    is_proposer = person is not None and proposal.proposer.person_id == person.pk
    my_signer = next(
        (
            s
            for s in signers
            if person is not None
            and s.representative.person_id == person.pk
            and s.role == Signer.Role.COSIGNER
        ),
        None,
    )
    # The proposer and the accepted co-signers / co-proposers; an invitee who declined, or a member
    # reading the board, sees the stages only (no ratings, comments or names of who declined).
    signatory = selectors.is_signatory(person, proposal, signers)
    editable = proposal.status in drafting.EDITABLE
    merged_into = None
    if proposal.merged_into_id:
        merged_into = access.board_queryset(request.user).filter(pk=proposal.merged_into_id).first() or (
            access.own_queryset(request.user).filter(pk=proposal.merged_into_id).first()
        )
    return render(
        request,
        "proposals/portal/detail.html",
        portal_context(
            proposal=proposal,
            is_proposer=is_proposer,
            signatory=signatory,
            my_signer=my_signer,
            editable=editable,
            signers=[
                s for s in signers if s.status != Signer.Status.DECLINED or is_proposer or s == my_signer
            ],
            attachments=selectors.attachments_of(proposal),
            events=selectors.public_events(proposal, signatory=signatory),
            replies=selectors.released_replies(proposal),
            offices=selectors.lead_offices(proposal),
            stages=selectors.stages(proposal),
            readiness=_readiness(proposal) if is_proposer and editable else None,
            can_withdraw=is_proposer
            and proposal.status in drafting.WITHDRAWABLE
            and drafting.may_withdraw(proposal),
            withdraw_form=WithdrawForm(),
            evaluate_url=evaluate_url(proposal) if selectors.may_evaluate(person, proposal) else None,
            merged_into=merged_into,
        ),
    )


@login_required
def portal_attachment(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """An attachment, for anyone who may open its proposal in the portal."""
    attachment = selectors.attachment_for_portal(user=request.user, pk=pk)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def portal_board(request: AuthenticatedRequest) -> HttpResponseBase:
    """提案公开栏: the decided proposals each member may see, with status, lead office and released reply;
    search by number, title or office."""
    sessions = selectors.board_sessions()
    form = BoardFilterForm(request.GET or None, sessions=sessions)
    session = None
    query = ""
    if form.is_valid():
        session_pk = form.cleaned_data.get("session")
        session = next((s for s in sessions if s.pk == session_pk), None)
        query = form.cleaned_data.get("q") or ""
    elif not request.GET and sessions:
        session = access.current_session()
    if session is not None and not request.GET:
        form = BoardFilterForm(initial={"session": session.pk}, sessions=sessions)
    page = Paginator(
        selectors.board_list(user=request.user, session=session, query=query), BOARD_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = portal_context(
        form=form,
        page=page,
        session=session,
        query=query,
        back_url=reverse("proposals:portal_home"),
    )
    if request.htmx:
        return render(request, "proposals/portal/board.html#rows", context)
    return render(request, "proposals/portal/board.html", context)


# -- portal blocks ----------------------------------------------------------------------------------------


def home_block(request: HttpRequest) -> dict[str, Any] | None:
    """首页: 待附议 invitations and replies awaiting the member's rating (nothing when there are none)."""
    person = selectors.person_of(request.user)
    if person is None:
        return None
    invitations = selectors.invitations_of(person)
    awaiting = selectors.awaiting_evaluation(person)
    if not invitations and not awaiting:
        return None
    return {
        "invitations": invitations,
        "awaiting": [(proposal, evaluate_url(proposal)) for proposal in awaiting],
    }


def services_block(request: HttpRequest) -> dict[str, Any] | None:
    """服务: the link to the proposals workspace and the board, with what awaits the member (nothing for
    accounts without a staff record, like the other modules' blocks)."""
    person = selectors.person_of(request.user)
    if person is None:
        return None
    return {"todo": len(selectors.invitations_of(person)) + len(selectors.awaiting_evaluation(person))}
