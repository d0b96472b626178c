"""The committee's console: every submitted proposal by status with filters and the supervision colour
(and its Excel export), a proposal's page with everything about it and the decisions the user may take
(立案, 并案, 转为意见建议, 不予立案, 交办, visibility), and attachment downloads for console, office and
leader users."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core import workdays
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.organisations import selectors_offices

from ..forms.console import (
    AcceptForm,
    AssignForm,
    ConsoleFilterForm,
    ConvertForm,
    MergeForm,
    ReasonForm,
    VisibilityForm,
)
from ..models import Assignment, Proposal
from ..selectors import access, sla
from ..selectors import console as selectors
from ..services import handling, review

Status = Proposal.Status
VIEW = "proposals.view"
REVIEW = "proposals.review"
SUPERVISE = "proposals.supervise"
# The evaluation part's actions on the console page (不满意 复查, 办结, 督办), included when present.
EVALUATION_PANEL = "proposals/evaluation/_console_actions.html"


def _detail_url(proposal: Proposal) -> str:
    return reverse("proposals:console_detail", args=[proposal.pk])


def colour_badge(colour: str) -> str:
    if not colour:
        return ""
    css = {sla.GREEN: "badge-ok", sla.YELLOW: "badge-warning", sla.RED: "badge-error"}[colour]
    return format_html('<span class="badge {} sla-{}">{}</span>', css, colour, sla.LABELS[colour])


def proposer_label(proposal: Proposal) -> str:
    if proposal.delegation_id and proposal.delegation:
        return f"{proposal.delegation.name}（{proposal.proposer.person.name}）"
    return proposal.proposer.person.name


def console_table(request: AuthenticatedRequest, proposals: Any) -> Table:
    """The list's table; the colour columns read the working-day calendar once for the whole page or
    export."""
    colour = selectors.colour_reader()

    class ConsoleTable(Table):
        columns = [
            Column(
                "number", gettext_lazy("Number"), value=lambda p: p.number or "—", sort="number", width=12
            ),
            Column("title", gettext_lazy("Title (案由)"), link=_detail_url, sort="title", width=40),
            Column("proposer", gettext_lazy("Proposer"), value=proposer_label, width=16),
            Column(
                "record_type",
                gettext_lazy("Type"),
                value="get_record_type_display",
                sort="record_type",
                width=12,
            ),
            Column(
                "category",
                pgettext_lazy("congress", "Category"),
                value=lambda p: str(p.category or ""),
                width=18,
            ),
            Column(
                "lead_office",
                gettext_lazy("Lead office"),
                value="lead_office_name",
                sort="lead_office_name",
                width=16,
            ),
            Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=18),
            Column("submitted_at", gettext_lazy("Submitted at"), sort="submitted_at", width=16),
            Column("due_date", gettext_lazy("Reply due"), sort="due_date", width=12),
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
        default_sort = "-submitted_at"
        export_name = pgettext_lazy("congress", "Proposals")
        unit_path = None

    return ConsoleTable(request, proposals)


def tab_links(
    tabs: list[selectors.Tab],
    counts: dict[str, int],
    current: str,
    keep: dict[str, Any],
    waiting: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in keep.items())
    return [
        {
            "key": tab.key,
            "label": tab.label,
            "count": counts.get(tab.key),
            "active": tab.key == current,
            "warning": tab.key in waiting,
            "query": query,
        }
        for tab in tabs
    ]


@require_perm(VIEW)
def console_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab = request.GET.get("tab", "all")
    if tab not in selectors.CONSOLE_TAB_KEYS:
        tab = "all"
    form = ConsoleFilterForm(request.GET or None, choices=selectors.filter_choices())
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "session": data["session"],
            "record_type": data["record_type"],
            "category": data["category"],
            "office": data["office"],
            "colour": data["colour"],
            "search": data["q"],
        }
    proposals = selectors.console_list(user=request.user, tab=tab, **filters)
    keep = {key: value for key, value in request.GET.items() if key in form.fields and value}
    counts = selectors.console_counts(user=request.user) if not request.GET.get("export") else {}
    title = next(str(t.label) for t in selectors.CONSOLE_TABS if t.key == tab)
    return render_table(
        request,
        console_table(request, proposals),
        "proposals/console/list.html",
        {
            "tabs": tab_links(selectors.CONSOLE_TABS, counts, tab, keep, selectors.CONSOLE_WAITING),
            "tab": tab,
            "form": form,
            "breadcrumbs": [(pgettext_lazy("congress", "Proposals"), "")],
            "empty_title": _("No proposals here"),
            "empty_hint": _(
                "Representatives write and submit proposals in the member portal while a session collects "
                "them; submitted ones wait here under “To review”. Change the tab or the filters to see others."
            ),
        },
        export_title=title,
    )


# -- the proposal's page ---------------------------------------------------------------------------------


def _similar(proposal: Proposal) -> list[dict[str, Any]]:
    """Similar proposals of this and past sessions with their score (nothing when the similarity service
    is not there)."""
    try:
        from ..services.similarity import similar_proposals
    except ImportError:  # pragma: no cover - the portal part provides it
        return []
    text = " ".join([proposal.title, proposal.title, proposal.reasons, proposal.suggestions])
    mergeable = proposal.status in review.MERGEABLE_STATUSES
    return [
        {
            "proposal": other,
            "score": score,
            "percent": round(score * 100),
            "may_merge_into": mergeable
            and other.session_id == proposal.session_id
            and other.status in review.MERGE_TARGET_STATUSES,
        }
        for other, score in similar_proposals(text=text, exclude_pk=proposal.pk, limit=5)
    ]


def template_if_present(name: str) -> str:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


def detail_context(request: AuthenticatedRequest, proposal: Proposal, **forms: Any) -> dict[str, Any]:
    user = request.user
    can_review = bool(user.has_unit_perm(REVIEW))
    status = proposal.status
    categories = selectors.filter_choices()["categories"].filter(is_active=True)
    context: dict[str, Any] = {
        "proposal": proposal,
        **selectors.proposal_parts(proposal),
        "colour": selectors.colour_reader()(proposal),
        "can_review": can_review,
        "can_supervise": bool(user.has_unit_perm(SUPERVISE)),
        "can_decide": can_review and status == Status.SUBMITTED,
        "can_merge": can_review and status in review.MERGEABLE_STATUSES,
        "can_assign": can_review and status == Status.ACCEPTED,
        "can_set_visibility": can_review,
        "similar": _similar(proposal),
        "evaluation_panel": template_if_present(EVALUATION_PANEL),
        # A reply awaiting a sign-off nobody can give any more: the committee releases it (the panel).
        "release_without_signoff": can_review
        and status == Status.REPLY_SIGNOFF
        and not handling.signoff_possible(proposal),
        "today": timezone.localdate(),
        "tomorrow": timezone.localdate() + dt.timedelta(days=1),
        "breadcrumbs": [
            (pgettext_lazy("congress", "Proposals"), reverse("proposals:console_list")),
            (proposal.number or proposal.title, ""),
        ],
    }
    if can_review:
        context["accept_form"] = forms.get("accept_form") or AcceptForm(
            categories=categories, initial={"category": proposal.category_id}
        )
        context["merge_form"] = forms.get("merge_form") or MergeForm(targets=review.merge_targets(proposal))
        context["convert_form"] = forms.get("convert_form") or ConvertForm()
        context["reject_form"] = forms.get("reject_form") or ReasonForm()
        context["visibility_form"] = VisibilityForm(initial={"visibility": proposal.visibility})
    return context


@require_perm(VIEW)
def console_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    return render(request, "proposals/console/detail.html", detail_context(request, proposal))


def _refused(
    request: AuthenticatedRequest, pk: int, error: ValidationError, anchor: str = "actions"
) -> HttpResponseBase:
    for message in error.messages:
        messages.error(request, message)
    return redirect(reverse("proposals:console_detail", args=[pk]) + f"#{anchor}")


def _done(pk: int, anchor: str = "") -> HttpResponseBase:
    return redirect(reverse("proposals:console_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


@require_perm(REVIEW)
@require_POST
def console_accept(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    try:
        proposal = review.proposal_accept(
            actor=request.user, proposal=proposal, category=request.POST.get("category") or None
        )
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(
        request,
        _("Accepted (立案) as No. %(number)s. Assign it to the offices next.") % {"number": proposal.number},
    )
    return _done(pk)


@require_perm(REVIEW)
@require_POST
def console_convert(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    form = ConvertForm(request.POST)
    form.is_valid()
    try:
        proposal = review.proposal_convert(
            actor=request.user, proposal=proposal, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(
        request,
        _("Turned into an opinion or suggestion (意见建议) No. %(number)s. Assign it to an office next.")
        % {"number": proposal.number},
    )
    return _done(pk)


@require_perm(REVIEW)
@require_POST
def console_reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        review.proposal_reject(
            actor=request.user, proposal=proposal, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Not accepted (不予立案); the proposer reads the reason."))
    return _done(pk)


@require_perm(REVIEW)
@require_POST
def console_merge(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    try:
        review.proposal_merge(
            actor=request.user,
            proposal=proposal,
            target=request.POST.get("target"),
            reason=request.POST.get("reason", "")[:1000],
        )
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Merged (并案): its proposers are co-proposers of the kept proposal now."))
    return _done(pk)


@require_perm(REVIEW)
@require_POST
def console_visibility(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    try:
        review.proposal_visibility_set(
            actor=request.user, proposal=proposal, visibility=request.POST.get("visibility", "")
        )
    except ValidationError as error:
        return _refused(request, pk, error, "visibility")
    messages.success(request, _("Visibility saved."))
    return _done(pk, "visibility")


# -- 交办 ------------------------------------------------------------------------------------------------


@require_perm(REVIEW)
def console_assign(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    proposal = access.proposal_get_for_console(user=request.user, pk=pk)
    if proposal.status != Status.ACCEPTED:
        messages.error(
            request,
            _("Only an accepted proposal awaiting assignment can be assigned; this one is “%(status)s”.")
            % {"status": proposal.get_status_display()},
        )
        return _done(pk)
    session = proposal.session
    offices = selectors_offices.office_list()
    form = AssignForm(
        request.POST if request.method == "POST" else None,
        offices=offices,
        co_handling=session.control_co_handling,
        initial={"lead": proposal.suggested_office_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            handling.proposal_assign(
                actor=request.user,
                proposal=proposal,
                lead=form.cleaned_data.get("lead"),
                assists=form.cleaned_data.get("assists") or (),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Assigned (交办): the offices are told."))
            return _done(pk)
    today = timezone.localdate()
    parts = selectors.proposal_parts(proposal)
    return render(
        request,
        "proposals/console/assign.html",
        {
            "proposal": proposal,
            "form": form,
            "session": session,
            "due_date": workdays.add_working_days(today, session.reply_working_days)
            if session.control_time_limit
            else None,
            "return_until": workdays.add_working_days(today, session.return_working_days),
            "returned": [a for a in parts["assignments"] if a.status == Assignment.Status.RETURNED],
            "breadcrumbs": [
                (pgettext_lazy("congress", "Proposals"), reverse("proposals:console_list")),
                (proposal.number or proposal.title, _detail_url(proposal)),
                (_("Assign (交办)"), ""),
            ],
        },
    )


# -- attachments -------------------------------------------------------------------------------------------


@login_required
def console_attachment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An attachment, for console users, the offices handling the proposal and its leaders (404 for a
    proposal they may not open; 403 for users of none of these)."""
    user = request.user
    if not any(user.has_unit_perm(code) for code in (VIEW, "proposals.handle", "proposals.lead")):
        raise PermissionDenied
    attachment = selectors.attachment_get_for_console(user=user, pk=pk)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(attachment.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
