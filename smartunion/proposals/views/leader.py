"""The school leaders' console (分管校领导): the proposals of the offices they supervise — replies awaiting
their sign-off (审签) first — with their instructions (批示)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from ..forms.console import SearchForm, SignoffForm, TextForm
from ..models import Proposal
from ..selectors import access, sla
from ..selectors import console as selectors
from ..services import handling
from .console import colour_badge, proposer_label, tab_links

Status = Proposal.Status
LEAD = "proposals.lead"


def _detail_url(proposal: Proposal) -> str:
    return reverse("proposals:leader_detail", args=[proposal.pk])


def leader_table(request: AuthenticatedRequest, proposals: Any) -> Table:
    colour = selectors.colour_reader()

    class LeaderTable(Table):
        columns = [
            Column(
                "number", gettext_lazy("Number"), value=lambda p: p.number or "—", sort="number", width=12
            ),
            Column("title", gettext_lazy("Title (案由)"), link=_detail_url, sort="title", width=40),
            Column("proposer", gettext_lazy("Proposer"), value=proposer_label, width=16),
            Column(
                "lead_office",
                gettext_lazy("Lead office"),
                value="lead_office_name",
                sort="lead_office_name",
                width=16,
            ),
            Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=18),
            Column("due_date", gettext_lazy("Reply due"), sort="due_date", width=12),
            Column(
                "instruction_count", gettext_lazy("Instructions (批示)"), sort="instruction_count", width=8
            ),
            Column(
                "colour",
                gettext_lazy("Supervision"),
                value=lambda p: colour_badge(colour(p)),
                in_export=False,
            ),
            Column(
                "colour_label",
                gettext_lazy("Supervision"),
                value=lambda p: str(sla.LABELS.get(colour(p), "")),
                on_screen=False,
                width=10,
            ),
        ]
        default_sort = "due_date"
        export_name = gettext_lazy("Proposals of the offices I supervise")
        unit_path = None

    return LeaderTable(request, proposals)


@require_perm(LEAD)
def leader_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab = request.GET.get("tab", "signoff")
    if tab not in selectors.LEADER_TAB_KEYS:
        tab = "signoff"
    form = SearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    proposals = selectors.leader_list(user=request.user, tab=tab, search=search)
    counts = selectors.leader_counts(user=request.user) if not request.GET.get("export") else {}
    keep = {"q": search} if search else {}
    return render_table(
        request,
        leader_table(request, proposals),
        "proposals/console/leader_list.html",
        {
            "tabs": tab_links(selectors.LEADER_TABS, counts, tab, keep, ("signoff",)),
            "tab": tab,
            "form": form,
            "breadcrumbs": [(_("Instructions and sign-off (批示与审签)"), "")],
            "empty_title": _("Nothing here for you"),
            "empty_hint": _(
                "Replies of the offices you supervise come here for your sign-off (审签) before they go to "
                "the proposer; the other tabs list their proposals for your instructions (批示)."
            ),
        },
        export_title=next(str(t.label) for t in selectors.LEADER_TABS if t.key == tab),
    )


def _detail_context(request: AuthenticatedRequest, proposal: Proposal, **forms: Any) -> dict[str, Any]:
    user = request.user
    lead = handling.current_lead(proposal)
    supervises = lead is not None and lead.office.leader_id == user.pk
    parts = selectors.proposal_parts(proposal)
    return {
        "proposal": proposal,
        **parts,
        "lead": lead,
        "colour": selectors.colour_reader()(proposal),
        "uses_leader_step": proposal.session.control_leader_signoff,
        "can_instruct": supervises
        and proposal.session.control_leader_signoff
        and proposal.status in handling.INSTRUCTION_STATUSES,
        "can_signoff": supervises and proposal.status == Status.REPLY_SIGNOFF,
        "instruction_form": forms.get("instruction_form") or TextForm(label=_("Instruction (批示)")),
        "signoff_form": forms.get("signoff_form") or SignoffForm(initial={"decision": "approve"}),
        "breadcrumbs": [
            (_("Instructions and sign-off (批示与审签)"), reverse("proposals:leader_list")),
            (proposal.number or proposal.title, ""),
        ],
    }


@require_perm(LEAD)
def leader_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = access.proposal_get_for_leader(user=request.user, pk=pk)
    return render(request, "proposals/console/leader_detail.html", _detail_context(request, proposal))


def _back(pk: int, anchor: str = "") -> HttpResponseBase:
    return redirect(reverse("proposals:leader_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


def _refused(request: AuthenticatedRequest, pk: int, error: ValidationError) -> HttpResponseBase:
    for message in error.messages:
        messages.error(request, message)
    return _back(pk, "actions")


@require_perm(LEAD)
@require_POST
def leader_instruct(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_leader(user=request.user, pk=pk)
    form = TextForm(request.POST)
    form.is_valid()
    try:
        handling.instruction_add(
            actor=request.user, proposal=proposal, text=form.cleaned_data.get("text", "")
        )
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Instruction (批示) recorded; the offices are told."))
    return _back(pk, "instructions")


@require_perm(LEAD)
@require_POST
def leader_signoff(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_leader(user=request.user, pk=pk)
    form = SignoffForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, pk, ValidationError(_("Choose whether to approve the reply or send it back."))
        )
    approve = form.cleaned_data["decision"] == "approve"
    try:
        handling.reply_signoff(
            actor=request.user, proposal=proposal, approve=approve, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as error:
        return _refused(request, pk, error)
    if approve:
        messages.success(request, _("Signed off: the reply is released to the proposer and the co-signers."))
    else:
        messages.success(request, _("Sent back to the office with your note."))
    return _back(pk)
