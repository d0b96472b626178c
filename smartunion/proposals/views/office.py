"""The handling offices' console: their assignments (待办 / 待审签 / 已答复 / 全部) with the deadline and
its colour, a proposal's page with 退办 and 协办 input, and the lead office's reply with A/B/C."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from ..forms.console import ReasonForm, ReplyForm, SearchForm, TextForm
from ..models import Assignment, Proposal, Reply
from ..selectors import access, sla
from ..selectors import console as selectors
from ..services import handling
from .console import colour_badge, proposer_label, tab_links, template_if_present

Status = Proposal.Status
HANDLE = "proposals.handle"
# The evaluation part's office actions (回头看 update), included when present.
FOLLOWUP_PANEL = "proposals/evaluation/_office_actions.html"


def _detail_url(assignment: Assignment) -> str:
    return reverse("proposals:office_detail", args=[assignment.proposal_id])


def office_table(request: AuthenticatedRequest, rows: Any) -> Table:
    colour = selectors.colour_reader()

    class OfficeTable(Table):
        columns = [
            Column(
                "number",
                gettext_lazy("Number"),
                value=lambda a: a.proposal.number or "—",
                sort="proposal__number",
                width=12,
            ),
            Column("title", gettext_lazy("Title (案由)"), value="proposal.title", link=_detail_url, width=40),
            Column(
                "proposer", gettext_lazy("Proposer"), value=lambda a: proposer_label(a.proposal), width=16
            ),
            Column("office", gettext_lazy("Office"), value="office.name", width=14),
            Column("role", gettext_lazy("Role"), value="get_role_display", sort="role", width=12),
            Column("round", gettext_lazy("Round"), value="round", width=6),
            Column(
                "assignment_status",
                gettext_lazy("Assignment"),
                value=lambda a: selectors.assignment_state(a, a.proposal),
                width=10,
            ),
            Column(
                "status",
                gettext_lazy("Status"),
                value="proposal.get_status_display",
                sort="proposal__status",
                width=18,
            ),
            Column("assigned_at", gettext_lazy("Assigned"), sort="assigned_at", width=16),
            Column(
                "due_date",
                gettext_lazy("Reply due"),
                value="proposal.due_date",
                sort="proposal__due_date",
                width=12,
            ),
            Column(
                "colour",
                gettext_lazy("Supervision"),
                value=lambda a: colour_badge(_row_colour(a, colour)),
                in_export=False,
            ),
            Column(
                "colour_label",
                gettext_lazy("Supervision"),
                value=lambda a: str(sla.LABELS.get(_row_colour(a, colour), "")),
                on_screen=False,
                width=10,
            ),
        ]
        default_sort = "proposal__due_date"
        export_name = gettext_lazy("Assigned proposals")
        unit_path = None

    return OfficeTable(request, rows)


def _row_colour(assignment: Assignment, colour: Any) -> str:
    """An assignment's colour is its proposal's, for the current round's active assignments only."""
    proposal = assignment.proposal
    if assignment.status != Assignment.Status.ACTIVE or assignment.round != proposal.round:
        return ""
    return str(colour(proposal))


@require_perm(HANDLE)
def office_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab = request.GET.get("tab", "todo")
    if tab not in selectors.OFFICE_TAB_KEYS:
        tab = "todo"
    form = SearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    rows = selectors.office_assignments(user=request.user, tab=tab, search=search)
    counts = selectors.office_counts(user=request.user) if not request.GET.get("export") else {}
    keep = {"q": search} if search else {}
    return render_table(
        request,
        office_table(request, rows),
        "proposals/office/list.html",
        {
            "tabs": tab_links(selectors.OFFICE_TABS, counts, tab, keep, ("todo",)),
            "tab": tab,
            "form": form,
            "breadcrumbs": [(_("My assignments (交办)"), "")],
            "empty_title": _("Nothing assigned to your office here"),
            "empty_hint": _(
                "The proposal committee assigns proposals to the offices (交办); they appear under “To do” "
                "with their deadline. Look at the other tabs for earlier ones."
            ),
        },
        export_title=next(str(t.label) for t in selectors.OFFICE_TABS if t.key == tab),
    )


def _detail_context(request: AuthenticatedRequest, proposal: Proposal, **forms: Any) -> dict[str, Any]:
    user = request.user
    own = access.assignment_of_user(user, proposal)
    parts = selectors.proposal_parts(proposal)
    assigned = proposal.status == Status.ASSIGNED and own is not None
    today = timezone.localdate()
    return {
        "proposal": proposal,
        **parts,
        "own": own,
        "colour": selectors.colour_reader()(proposal),
        "can_return": assigned and (own.return_until is None or today <= own.return_until),  # type: ignore[union-attr]
        "can_input": assigned and own.role == Assignment.Role.ASSIST,  # type: ignore[union-attr]
        "can_reply": assigned and own.role == Assignment.Role.LEAD,  # type: ignore[union-attr]
        "locked_late": handling.is_locked_late(proposal),
        "return_form": forms.get("return_form") or ReasonForm(),
        "input_form": forms.get("input_form")
        or TextForm(
            label=_("Your office's input for the lead office (会签)"),
            initial={"text": own.input_text if own else ""},
        ),
        "followup_panel": template_if_present(FOLLOWUP_PANEL),
        "breadcrumbs": [
            (_("My assignments (交办)"), reverse("proposals:office_list")),
            (proposal.number or proposal.title, ""),
        ],
    }


@require_perm(HANDLE)
def office_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = access.proposal_get_for_office(user=request.user, pk=pk)
    return render(request, "proposals/office/detail.html", _detail_context(request, proposal))


def _back(pk: int, anchor: str = "") -> HttpResponseBase:
    return redirect(reverse("proposals:office_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


def _refused(request: AuthenticatedRequest, pk: int, error: ValidationError) -> HttpResponseBase:
    for message in error.messages:
        messages.error(request, message)
    return _back(pk, "actions")


@require_perm(HANDLE)
@require_POST
def office_return(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_office(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        proposal = handling.assignment_return(
            actor=request.user, proposal=proposal, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, pk, error)
    if proposal.status == Status.ASSIGNED:  # an assisting office returned its own part only
        messages.success(
            request,
            _("Your office no longer assists (协办) on it (退办); the lead office goes on answering."),
        )
    else:
        messages.success(request, _("Returned to the committee (退办); it will be assigned again."))
    return redirect("proposals:office_list")


@require_perm(HANDLE)
@require_POST
def office_input(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_office(user=request.user, pk=pk)
    form = TextForm(request.POST)
    form.is_valid()
    try:
        handling.assist_input(actor=request.user, proposal=proposal, text=form.cleaned_data.get("text", ""))
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Your input (会签) is with the lead office."))
    return _back(pk, "handling")


@require_perm(HANDLE)
def office_reply(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The lead office's reply: saved as a draft, or sent (to the leader's sign-off, or released)."""
    proposal = access.proposal_get_for_office(user=request.user, pk=pk)
    own = access.assignment_of_user(request.user, proposal)
    if proposal.status != Status.ASSIGNED or own is None or own.role != Assignment.Role.LEAD:
        messages.error(
            request,
            _("Only the lead office (主办) writes the reply, while the proposal is being handled."),
        )
        return _back(pk)
    parts = selectors.proposal_parts(proposal)
    draft: Reply | None = parts["current_reply"]
    initial = {"body": draft.body, "implementation": draft.implementation} if draft else {}
    form = ReplyForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        send = request.POST.get("action") == "send"
        service = handling.reply_submit if send else handling.reply_save
        try:
            reply = service(
                actor=request.user,
                proposal=proposal,
                body=form.cleaned_data.get("body", ""),
                implementation=form.cleaned_data.get("implementation", ""),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if not send:
                messages.success(
                    request, _("Draft saved at %(time)s.") % {"time": timezone.localtime().strftime("%H:%M")}
                )
                return redirect("proposals:office_reply", pk=pk)
            if reply.status == Reply.Status.SIGNOFF:
                messages.success(request, _("Sent to the supervising leader for sign-off (审签)."))
            else:
                messages.success(request, _("Reply released: the proposer and the co-signers are told."))
            return _back(pk)
    lead = handling.current_lead(proposal)
    return render(
        request,
        "proposals/office/reply.html",
        {
            "proposal": proposal,
            **parts,
            "form": form,
            "draft": draft,
            "colour": selectors.colour_reader()(proposal),
            "needs_signoff": handling.needs_signoff(proposal, lead),
            "locked_late": handling.is_locked_late(proposal),
            "inputs": [a for a in parts["current_assignments"] if a.role == Assignment.Role.ASSIST],
            "breadcrumbs": [
                (_("My assignments (交办)"), reverse("proposals:office_list")),
                (proposal.number or proposal.title, reverse("proposals:office_detail", args=[pk])),
                (_("Reply"), ""),
            ],
        },
    )
