"""The handling office's appeals (我的承办诉求): the appeals routed to the user's offices by tab (to
acknowledge, in progress, overdue, replied) with their SLA colour and an Excel export; an appeal's page
with the acknowledgement, the reply, passing it back as misrouted, similar past cases with their answers,
and attachment downloads.

Anonymity: an anonymous appeal shows "Anonymous" wherever the submitter would appear (the list, the
export, the page, the timeline) and its attachments under neutral names; the name and unit of a
non-anonymous appeal's member are shown (``selectors.identity.submitter_label``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from ..forms.office import PassBackForm, ReplyForm, SearchForm
from ..models import Appeal
from ..selectors import office as selectors
from ..selectors import sla
from ..services import handling

HANDLE = "appeals.handle"
Status = Appeal.Status


def submitter_label(appeal: Appeal, viewer: Any) -> str:
    from ..selectors.identity import submitter_label as label

    return label(appeal, viewer)


def similar_cases(appeal: Appeal, viewer: Any) -> list[dict[str, Any]]:
    """Past appeals and proposals like this one, with their answers (the insight part), when present:
    of the appeals only the viewer's offices' own and the published questions and answers."""
    try:
        from ..selectors.similar import similar_cases as find
    except ImportError:
        return []
    return find(
        text=f"{appeal.title}\n{appeal.body}",
        exclude_pk=appeal.pk,
        viewer_office_ids=selectors.office_ids(viewer),
    )


def _detail_url(appeal: Appeal) -> str:
    return reverse("appeals:office_detail", args=[appeal.pk])


def colour_badge(colour: str) -> str:
    if not colour:
        return ""
    css = {sla.GREEN: "badge-ok", sla.YELLOW: "badge-warning", sla.RED: "badge-error"}[colour]
    return format_html('<span class="badge {} sla-{}">{}</span>', css, colour, sla.LABELS[colour])


def office_table(request: AuthenticatedRequest, rows: Any) -> Table:
    colour = sla.colour_reader()
    viewer = request.user
    # The office column tells apart the offices of a user who works for several; for one it is noise.
    several_offices = len(selectors.office_ids(viewer)) > 1

    class OfficeTable(Table):
        columns = [
            Column("number", gettext_lazy("Number"), sort="number", width=14, css="nowrap"),
            Column("title", gettext_lazy("Subject"), link=_detail_url, sort="title", width=40),
            Column(
                "submitter",
                gettext_lazy("Submitted by"),
                value=lambda a: submitter_label(a, viewer),
                width=24,
            ),
            Column(
                "category",
                pgettext_lazy("appeal", "Category"),
                value=lambda a: str(a.category or ""),
                width=14,
                css="nowrap",
            ),
            Column(
                "office",
                pgettext_lazy("appeal", "Office"),
                value="office.name",
                width=14,
                css="nowrap",
                on_screen=several_offices,
            ),
            Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=16),
            # An anonymous appeal routed automatically was routed in the member's own request: its time
            # would be the submission time, which can be matched with logins. Only the day is shown.
            Column(
                "routed_at",
                gettext_lazy("Routed"),
                value=_routed_shown,
                sort="routed_at",
                width=16,
                css="nowrap",
            ),
            Column("due", gettext_lazy("Due"), value=sla.due_date, width=12, css="nowrap"),
            Column(
                "colour",
                gettext_lazy("SLA"),
                value=lambda a: colour_badge(colour(a)),
                in_export=False,
                css="nowrap",
            ),
            Column(
                "colour_label",
                gettext_lazy("SLA"),
                value=lambda a: str(sla.LABELS.get(colour(a), "")),
                on_screen=False,
                width=10,
            ),
            Column("replied_at", gettext_lazy("Replied"), sort="replied_at", width=16, css="nowrap"),
        ]
        default_sort = "-routed_at"
        export_name = gettext_lazy("Appeals to handle")
        unit_path = None

    return OfficeTable(request, rows)


def _routed_shown(appeal: Any) -> Any:
    if appeal.routed_at is None or not appeal.is_anonymous:
        return appeal.routed_at
    return timezone.localtime(appeal.routed_at).date()


def _tab(request: AuthenticatedRequest) -> str:
    tab = request.GET.get("tab", "acknowledge")
    return tab if tab in selectors.OFFICE_TAB_KEYS else "acknowledge"


def _rows(request: AuthenticatedRequest) -> tuple[str, SearchForm, str, Any]:
    tab = _tab(request)
    form = SearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    return tab, form, search, selectors.appeal_list_for_office(user=request.user, tab=tab, search=search)


def _tab_title(tab: str) -> str:
    return str(next(t.label for t in selectors.OFFICE_TABS if t.key == tab))


@require_perm(HANDLE)
def office_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab, form, search, rows = _rows(request)
    counts = selectors.office_counts(user=request.user)
    query = {"tab": tab, **({"q": search} if search else {})}
    tabs = [
        {
            "key": item.key,
            "label": item.label,
            "count": counts.get(item.key, 0),
            "active": item.key == tab,
            "warning": item.key in ("acknowledge", "overdue"),
            "query": f"q={quote(search)}" if search else "",
        }
        for item in selectors.OFFICE_TABS
    ]
    return render_table(
        request,
        office_table(request, rows),
        "appeals/office/list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "form": form,
            "no_export": True,
            "export_url": reverse("appeals:office_export")
            + "?"
            + "&".join(f"{key}={quote(str(value))}" for key, value in query.items()),
            "breadcrumbs": [(_("My appeals to handle (我的承办诉求)"), "")],
            "empty_title": _("No appeals for your office here"),
            "empty_hint": _(
                "Appeals routed to your office appear under “To acknowledge”: acknowledge them, then reply "
                "before the date shown. Look at the other tabs for earlier ones."
            ),
        },
    )


@require_perm(HANDLE)
def office_export(request: AuthenticatedRequest) -> HttpResponseBase:
    tab, _form, _search, rows = _rows(request)
    return office_table(request, rows).export_response(title=_tab_title(tab))


def _detail_context(request: AuthenticatedRequest, appeal: Appeal, **forms: Any) -> dict[str, Any]:
    viewer = request.user
    label = submitter_label(appeal, viewer)
    replyable = appeal.status in handling.REPLYABLE
    return {
        "appeal": appeal,
        "submitter": label,
        "attachments": selectors.attachments_for_office(appeal),
        "timeline": selectors.timeline(appeal, viewer, _("the member") if appeal.is_anonymous else label),
        "replies": selectors.replies(appeal),
        "ratings": selectors.ratings(appeal),
        "colour": sla.sla_colour(appeal),
        "due": sla.due_date(appeal),
        "round": appeal.reopen_count + 1,
        "can_acknowledge": appeal.status == Status.ROUTED,
        "can_reply": replyable,
        "can_pass_back": appeal.status in (Status.ROUTED, Status.IN_PROGRESS),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "pass_back_form": forms.get("pass_back_form") or PassBackForm(exclude_office=appeal.office_id),
        "similar_cases": similar_cases(appeal, viewer) if replyable else [],
        "breadcrumbs": [
            (_("My appeals to handle (我的承办诉求)"), reverse("appeals:office_list")),
            (appeal.number, ""),
        ],
    }


@require_perm(HANDLE)
def office_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get_for_office(user=request.user, pk=pk)
    return render(request, "appeals/office/detail.html", _detail_context(request, appeal))


def _back(pk: int, anchor: str = "") -> HttpResponseBase:
    return redirect(reverse("appeals:office_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


def _refused(request: AuthenticatedRequest, pk: int, error: ValidationError) -> HttpResponseBase:
    for message in error.messages:
        messages.error(request, message)
    return _back(pk, "actions")


@require_perm(HANDLE)
@require_POST
def office_acknowledge(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    appeal = selectors.appeal_get_for_office(user=request.user, pk=pk)
    try:
        handling.acknowledge(actor=request.user, appeal=appeal)
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Acknowledged (已受理): the member is told that your office handles it."))
    return _back(pk, "actions")


@require_perm(HANDLE)
@require_POST
def office_reply(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    appeal = selectors.appeal_get_for_office(user=request.user, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            handling.reply(actor=request.user, appeal=appeal, text=form.cleaned_data["text"])
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, pk, error)
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reply sent: the member is told and asked to rate it."))
            return _back(pk)
    context = _detail_context(request, appeal, reply_form=form)
    return render(request, "appeals/office/detail.html", context, status=200)


@require_perm(HANDLE)
@require_POST
def office_pass_back(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    from ..services import routing

    appeal = selectors.appeal_get_for_office(user=request.user, pk=pk)
    form = PassBackForm(request.POST, exclude_office=appeal.office_id)
    if form.is_valid():
        try:
            routing.pass_back(
                actor=request.user,
                appeal=appeal,
                reason=form.cleaned_data["reason"],
                suggested_office=form.cleaned_data.get("suggested_office"),
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _refused(request, pk, error)
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Passed back to the union office as misrouted: it leaves your list and will be routed again."
                ),
            )
            return redirect("appeals:office_list")
    context = _detail_context(request, appeal, pass_back_form=form)
    context["pass_back_open"] = True
    return render(request, "appeals/office/detail.html", context)


@require_perm(HANDLE)
def office_attachment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An attachment of an appeal routed to the user's office; an anonymous appeal's under a neutral
    name (the member's file name may carry their name)."""
    attachment = selectors.attachment_get_for_office(user=request.user, pk=pk)
    name = selectors.attachment_label(attachment, selectors.attachment_index(attachment))
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
