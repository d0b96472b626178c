"""The union office's appeal pages: the triage queue (with the router's suggestions), the overdue
appeals and all appeals with filters and Excel export, the summary by office, and an appeal's page where
it is routed, its submitter revealed (only to the one role allowed, only when the member allowed it,
logged) and, once closed, published as an anonymised question and answer.

Who submitted an anonymous appeal shows as "anonymous" everywhere here — lists, export, timeline,
attachments — through ``selectors.identity.submitter_label``."""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from ..forms.triage import ConsoleFilterForm, PublishForm, RevealForm, RouteForm
from ..models import Appeal, Category, Event
from ..selectors import console as selectors
from ..selectors.identity import is_submitter, may_reveal, submitter_label
from ..selectors.suggestions import is_shown
from ..services import faq, identity, routing

VIEW = "appeals.view"
TRIAGE = "appeals.triage"
REVEAL = "appeals.identity.reveal"
Status = Appeal.Status
# The insight part's similar cases ("appeals/console/_similar.html"), included when present.
SIMILAR_TEMPLATE = "appeals/console/_similar.html"


def _detail_url(appeal: Appeal) -> str:
    return reverse("appeals:console_detail", args=[appeal.pk])


def _crumbs(*extra: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(gettext_lazy("Appeals (诉求)"), reverse("appeals:console_list")), *extra]


def _submitted_at(appeal: Appeal) -> Any:
    """When the appeal came in; of an anonymous one the day only (the time could be matched with the
    member's login or whereabouts)."""
    if appeal.is_anonymous:
        return timezone.localtime(appeal.created_at).date()
    return appeal.created_at


def _suggestion_reader() -> Any:
    """Reads the stored suggestions of any appeal (those shown: at least 5 %), loading the (small) taxonomy
    once."""
    cache: dict[int, Category] = {}
    loaded: list[bool] = []

    def read(appeal: Appeal) -> list[tuple[Category, float]]:
        if not appeal.suggestions:
            return []
        if not loaded:
            cache.update({c.pk: c for c in Category.objects.select_related("office")})
            loaded.append(True)
        rows = []
        for row in appeal.suggestions or []:
            category = cache.get(row.get("category"))
            confidence = float(row.get("confidence") or 0)
            if category is not None and is_shown(confidence):
                rows.append((category, confidence))
        return rows

    return read


def console_table(request: AuthenticatedRequest, appeals: Any, *, with_suggestions: bool) -> Table:
    user = request.user
    read = _suggestion_reader()

    def suggestions_html(appeal: Appeal) -> str:
        rows = read(appeal)
        if not rows:
            return ""
        return format_html(
            '<ol class="suggestions">{}</ol>',
            format_html_join(
                "",
                '<li>{} · {} <span class="score">{}%</span></li>',
                ((c.office.name, c.name, round(conf * 100)) for c, conf in rows),
            ),
        )

    def suggestions_text(appeal: Appeal) -> str:
        return "；".join(f"{c.office.name}·{c.name} {round(conf * 100)}%" for c, conf in read(appeal))

    columns = [
        Column("number", gettext_lazy("Number"), sort="number", link=_detail_url, width=14),
        Column("title", gettext_lazy("Subject"), link=_detail_url, sort="title", width=40),
        Column("submitter", gettext_lazy("Submitted by"), value=lambda a: submitter_label(a, user), width=20),
        Column(
            "office",
            gettext_lazy("Handling office"),
            value=lambda a: a.office.name if a.office else "",
            width=16,
        ),
        Column(
            "category",
            pgettext_lazy("appeal", "Category"),
            value=lambda a: a.category.name if a.category else "",
            width=16,
        ),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=16),
        Column("created_at", gettext_lazy("Submitted at"), value=_submitted_at, sort="created_at", width=16),
        Column("acknowledge_due", gettext_lazy("Acknowledge by"), sort="acknowledge_due", width=12),
        Column("reply_due", gettext_lazy("Reply by"), sort="reply_due", width=12),
        Column(
            "suggestions",
            gettext_lazy("Router suggestions"),
            value=suggestions_html,
            in_export=False,
            on_screen=with_suggestions,
        ),
        Column(
            "suggestions_text",
            gettext_lazy("Router suggestions"),
            value=suggestions_text,
            on_screen=False,
            width=40,
        ),
    ]

    class AppealTable(Table):
        default_sort = "-created_at"
        export_name = gettext_lazy("Appeals")
        unit_path = None

    AppealTable.columns = columns
    return AppealTable(request, appeals)


def _filtered(request: AuthenticatedRequest) -> tuple[str, ConsoleFilterForm, Any]:
    tab = request.GET.get("tab", "triage")
    if tab not in selectors.TAB_KEYS:
        tab = "triage"
    form = ConsoleFilterForm(request.GET or None, choices=selectors.filter_choices())
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "status": data["status"],
            "office": data["office"],
            "category": data["category"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "search": data["q"],
        }
    return tab, form, selectors.appeal_list(tab=tab, **filters)


@require_perm(VIEW)
def console_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab, form, appeals = _filtered(request)
    keep = {key: value for key, value in request.GET.items() if key in form.fields and value}
    counts = selectors.tab_counts()
    query = urlencode(keep)
    tabs = [
        {
            "key": t.key,
            "label": t.label,
            "count": counts.get(t.key),
            "active": t.key == tab,
            "warning": t.key in ("triage", "overdue"),
            "query": query,
        }
        for t in selectors.TABS
    ]
    export_query = urlencode(
        {"tab": tab, **keep, **({"sort": request.GET["sort"]} if "sort" in request.GET else {})}
    )
    empty_hints = {
        "triage": _(
            "Nothing waits for triage: the router sent every new appeal to an office. Appeals below its "
            "confidence, and the ones offices pass back as misrouted, wait here."
        ),
        "overdue": _("No appeal is past its acknowledgement or reply deadline."),
        "all": _("No appeal matches. Members submit appeals from the portal (服务 → 诉求)."),
    }
    return render_table(
        request,
        console_table(request, appeals, with_suggestions=tab == "triage"),
        "appeals/console/list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "form": form,
            "no_export": True,
            "export_url": reverse("appeals:console_export") + "?" + export_query,
            "can_triage": request.user.has_unit_perm(TRIAGE),
            "breadcrumbs": [(gettext_lazy("Appeals (诉求)"), "")],
            "empty_title": _("No appeals here"),
            "empty_hint": empty_hints[tab],
        },
    )


@require_perm(VIEW)
def console_export(request: AuthenticatedRequest) -> HttpResponseBase:
    tab, _form, appeals = _filtered(request)
    title = next(str(t.label) for t in selectors.TABS if t.key == tab)
    return console_table(request, appeals, with_suggestions=False).export_response(title=title)


@require_perm(VIEW)
def console_by_office(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "appeals/console/by_office.html",
        {
            "rows": selectors.by_office(),
            "breadcrumbs": _crumbs((_("By office"), "")),
        },
    )


# -- one appeal ------------------------------------------------------------------------------------------


def _template_if_present(name: str) -> str:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


def _similar_cases(appeal: Appeal) -> list[dict[str, Any]]:
    try:
        from ..selectors.similar import similar_cases
    except ImportError:  # the insight part provides it
        return []
    try:
        return list(similar_cases(text=f"{appeal.title}\n{appeal.body}", exclude_pk=appeal.pk))
    except Exception:  # similar cases are a help, never a reason for the page to fail
        return []


def _event_rows(appeal: Appeal, events: list[Event], viewer: Any) -> list[dict[str, Any]]:
    """The timeline with who did each step: the member's own steps read "the member" (never their name
    on an anonymous appeal), the router's "automatic". On an anonymous appeal the steps nobody on the
    staff took (the member's own, and the automatic routing in the member's request) show their day
    only, not the time."""
    member_user_id = appeal.person.user_id
    rows = []
    for event in events:
        date_only = appeal.is_anonymous and (event.by_member or event.actor_id is None)
        if event.by_member or (event.actor_id is not None and event.actor_id == member_user_id):
            who = submitter_label(appeal, viewer) if not appeal.is_anonymous else _("the member")
        elif event.actor_id is None:
            who = _("automatic")
        else:
            who = event.actor.display_name
        rows.append({"event": event, "who": who, "date_only": date_only})
    return rows


def _attachment_rows(appeal: Appeal, attachments: list[Any]) -> list[dict[str, Any]]:
    """An anonymous appeal's files are listed without their names (a file name may name the member)."""
    rows = []
    for index, attachment in enumerate(attachments, start=1):
        name = attachment.name
        if appeal.is_anonymous:
            name = _("Attachment %(n)s") % {"n": index} + _extension(attachment.name, attachment.content_type)
        rows.append({"attachment": attachment, "name": name})
    return rows


def _extension(name: str, content_type: str) -> str:
    if "." in name:
        return "." + name.rsplit(".", 1)[1].lower()[:8]
    return mimetypes.guess_extension(content_type or "") or ""


def detail_context(request: AuthenticatedRequest, appeal: Appeal, **extra: Any) -> dict[str, Any]:
    user = request.user
    parts = selectors.appeal_parts(appeal)
    can_triage = bool(user.has_unit_perm(TRIAGE))
    suggestions = selectors.suggestions_of([appeal])[appeal.pk]
    usable = [s for s in suggestions if s["usable"]]
    active = Category.objects.filter(is_active=True, office__is_active=True).select_related("office")
    routable = appeal.status == Status.TRIAGE or appeal.status in routing.REROUTABLE
    initial_category = None
    if appeal.status == Status.TRIAGE:
        if usable:
            initial_category = usable[0]["category"].pk
        elif appeal.suggested_category_id:
            initial_category = appeal.suggested_category_id
    else:
        initial_category = appeal.category_id
    context: dict[str, Any] = {
        "appeal": appeal,
        **parts,
        "attachment_rows": _attachment_rows(appeal, parts["attachments"]),
        "event_rows": _event_rows(appeal, parts["events"], user),
        "submitter": submitter_label(appeal, user),
        "suggestions": suggestions,
        "one_click": usable[1:] if appeal.status == Status.TRIAGE else usable,
        "can_triage": can_triage,
        "can_route": can_triage and routable,
        "may_reveal": may_reveal(appeal, user),
        "can_publish": can_triage and faq.may_publish(appeal),
        "similar_cases": _similar_cases(appeal),
        "similar_template": _template_if_present(SIMILAR_TEMPLATE),
        "identity": None,
        "breadcrumbs": _crumbs((appeal.number, "")),
    }
    if context["can_route"]:
        context["route_form"] = extra.pop("route_form", None) or RouteForm(
            categories=active, initial={"category": initial_category}
        )
    if context["may_reveal"]:
        context["reveal_form"] = extra.pop("reveal_form", None) or RevealForm()
    if context["can_publish"]:
        reply = parts["replies"][-1].text if parts["replies"] else ""
        context["publish_form"] = extra.pop("publish_form", None) or PublishForm(
            initial={
                "question": appeal.faq_question or f"{appeal.title}\n{appeal.body}",
                "answer": appeal.faq_answer or reply,
            }
        )
    context.update(extra)
    return context


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@require_perm(VIEW)
def console_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(pk)
    return _no_store(render(request, "appeals/console/detail.html", detail_context(request, appeal)))


def _back(pk: int, anchor: str = "") -> HttpResponseBase:
    return redirect(reverse("appeals:console_detail", args=[pk]) + (f"#{anchor}" if anchor else ""))


@require_perm(TRIAGE)
@require_POST
def console_route(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    appeal = selectors.appeal_get(pk)
    try:
        appeal = routing.route(
            actor=request.user,
            appeal=appeal,
            category=request.POST.get("category") or None,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(pk, "route")
    messages.success(
        request,
        _("Routed to %(office)s · %(category)s; the office is told (without who submitted it).")
        % {"office": appeal.office.name if appeal.office else "", "category": appeal.category},
    )
    return _back(pk)


@require_perm(REVEAL)
@require_POST
def console_reveal(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """Shows the identity on this response only: nothing is stored, the page is not cached, and
    reloading it asks again (and logs again)."""
    appeal = selectors.appeal_get(pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return _no_store(
            render(request, "appeals/console/detail.html", detail_context(request, appeal, reveal_form=form))
        )
    try:
        revealed = identity.reveal(actor=request.user, appeal=appeal, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        apply_validation_error(form, error)
        if not may_reveal(appeal, request.user):  # no form on the page to show the refusal on
            for message in error.messages:
                messages.error(request, message)
        return _no_store(
            render(request, "appeals/console/detail.html", detail_context(request, appeal, reveal_form=form))
        )
    return _no_store(
        render(
            request,
            "appeals/console/detail.html",
            detail_context(request, appeal, identity=revealed, reveal_form=RevealForm()),
        )
    )


@require_perm(TRIAGE)
@require_POST
def console_publish(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    appeal = selectors.appeal_get(pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            faq.publish(
                actor=request.user,
                appeal=appeal,
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Published as a question and answer (常见问题)."))
            return _back(pk, "publish")
    if not faq.may_publish(appeal):
        for message in form.non_field_errors() or [_("This appeal cannot be published.")]:
            messages.error(request, str(message))
        return _back(pk)
    return _no_store(
        render(request, "appeals/console/detail.html", detail_context(request, appeal, publish_form=form))
    )


@require_perm(TRIAGE)
@require_POST
def console_unpublish(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    appeal = selectors.appeal_get(pk)
    try:
        faq.unpublish(actor=request.user, appeal=appeal)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The question and answer is no longer published."))
    return _back(pk, "publish")


@require_perm(VIEW)
def console_attachment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_get(pk)
    appeal = attachment.appeal
    name = attachment.name
    if appeal.is_anonymous and not is_submitter(appeal, request.user):
        index = list(appeal.attachments.values_list("pk", flat=True)).index(attachment.pk) + 1
        name = f"{appeal.number}-{index}{_extension(attachment.name, attachment.content_type)}"
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
