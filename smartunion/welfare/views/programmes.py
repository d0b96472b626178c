"""Console pages of the benefit programmes: the list, the draft and its options, opening for choice, the
issue preview, the issuance's progress and the entitlements (with Excel)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core import progress
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.finance import selectors as finance_selectors
from smartunion.members.selectors import eligibility

from ..forms.programmes import OptionForm, ProgrammeForm
from ..models import Entitlement, Programme, WelfareItem
from ..selectors import programmes as selectors
from ..selectors import standards as standard_selectors
from ..services import programmes as services

VIEW = "welfare.view"
MANAGE = "welfare.programme.manage"
Status = Programme.Status


def _detail_url(programme: Programme) -> str:
    return reverse("welfare:programme_detail", args=[programme.pk])


def _crumbs(*extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [(_("Benefit issuance"), reverse("welfare:programme_list")), *extra]


# -- the list ----------------------------------------------------------------------------------------------


class ProgrammeTable(Table):
    columns = [
        Column("title", gettext_lazy("Programme"), link=_detail_url, sort="title", width=28),
        Column("item", gettext_lazy("Item"), value="item.name", width=12, css="nowrap"),
        Column("unit", gettext_lazy("Organised by"), value="unit.name", sort="unit__path", width=20),
        Column("value_per_member", gettext_lazy("Value per member"), sort="value_per_member", css="num"),
        Column("members", gettext_lazy("Members"), sort="members", css="num", width=10),
        Column(
            "choice_deadline",
            gettext_lazy("Choice deadline"),
            value=lambda p: timezone.localtime(p.choice_deadline).strftime("%Y-%m-%d %H:%M"),
            sort="choice_deadline",
            css="nowrap",
            width=18,
        ),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", css="nowrap"),
    ]
    default_sort = "-created_at"
    export_name = gettext_lazy("Benefit programmes")


STATUS_TABS = [
    ("", gettext_lazy("All")),
    (Status.DRAFT, gettext_lazy("Drafts")),
    (Status.CHOOSING, gettext_lazy("Open for choice")),
    (Status.ISSUING, gettext_lazy("Issuing")),
    (Status.ISSUED, gettext_lazy("Issued")),
]


@require_perm(VIEW)
def programme_list(request: AuthenticatedRequest) -> HttpResponseBase:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    counts = selectors.programme_counts_for_user(user=request.user)
    tabs = [
        {
            "status": code,
            "label": label,
            "active": code == status,
            "count": sum(counts.values()) if not code else counts.get(code, 0),
        }
        for code, label in STATUS_TABS
    ]
    can_manage = request.user.has_unit_perm(MANAGE)
    return render_table(
        request,
        ProgrammeTable(request, selectors.programmes_for_user(user=request.user, status=status)),
        "welfare/programme_list.html",
        {
            "tabs": tabs,
            "can_manage": can_manage,
            "breadcrumbs": _crumbs(),
            "empty_title": _("No benefit programmes here"),
            "empty_hint": _(
                "Create a programme for a festival (e.g. 2026年端午节福利), add the goods the members choose "
                "from, and open it for their choice."
            )
            if can_manage
            else _("The union office or your sub-union creates the festival programmes."),
        },
        export_title=_("Benefit programmes"),
    )


# -- the draft ---------------------------------------------------------------------------------------------


def _form_page(request: AuthenticatedRequest, programme: Programme | None) -> HttpResponseBase:
    initial: dict[str, Any] = {}
    if programme is not None:
        initial = {
            "title": programme.title,
            "item": programme.item_id,
            "unit": programme.unit_id,
            "value_per_member": programme.value_per_member,
            "eligible_statuses": programme.eligible_statuses,
            "units": [unit.pk for unit in programme.units.all()],
            "counted_on": programme.counted_on,
            "choice_deadline": timezone.localtime(programme.choice_deadline),
            "budget_line": programme.budget_line_id,
            "voucher_valid_from": programme.voucher_valid_from,
            "voucher_valid_to": programme.voucher_valid_to,
            "allow_partial_redemption": programme.allow_partial_redemption,
        }
    else:
        initial = {"counted_on": timezone.localdate()}
    form = ProgrammeForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.programme_save(
                actor=request.user,
                programme=programme,
                title=data["title"],
                item=data["item"],
                unit=data["unit"],
                value_per_member=data["value_per_member"],
                eligible_statuses=data["eligible_statuses"],
                units=list(data["units"]),
                counted_on=data["counted_on"],
                choice_deadline=data["choice_deadline"],
                budget_line=data["budget_line"],
                voucher_valid_from=data["voucher_valid_from"],
                voucher_valid_to=data["voucher_valid_to"],
                allow_partial_redemption=data["allow_partial_redemption"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The programme was saved. Add the options the members choose from.")
                if programme is None
                else _("The changes were saved."),
            )
            return redirect("welfare:programme_detail", pk=saved.pk)
    title = _("New benefit programme") if programme is None else _("Edit %(title)s") % {"title": programme}
    return render(
        request,
        "welfare/programme_form.html",
        {
            "form": form,
            "programme": programme,
            "title": title,
            "cancel_url": _detail_url(programme) if programme else reverse("welfare:programme_list"),
            "breadcrumbs": _crumbs(
                *([(str(programme), _detail_url(programme))] if programme else []), (str(title), "")
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_perm(MANAGE)
def programme_new(request: AuthenticatedRequest) -> HttpResponseBase:
    return _form_page(request, None)


@require_perm(MANAGE)
def programme_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    if programme.status != Status.DRAFT:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("welfare:programme_detail", pk=programme.pk)
    return _form_page(request, programme)


# -- the programme page ------------------------------------------------------------------------------------


@require_perm(VIEW)
def programme_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = selectors.programme_get_for_user(user=user, pk=pk)
    can_manage = services.may_manage(user, programme)
    options = selectors.programme_options(programme)
    counts = selectors.entitlement_counts(programme)
    for option in options:
        option.chosen_count = counts["by_option"].get(option.pk, 0)  # type: ignore[attr-defined]
    preview = None
    if can_manage and programme.status in (Status.CHOOSING, Status.ISSUING):
        preview = services.programme_preview_issue(programme)
    over_cap = []
    if programme.status in (Status.ISSUING, Status.ISSUED):
        over_cap = list(selectors.over_cap_for_programme(programme)[:200])
    return render(
        request,
        "welfare/programme_detail.html",
        {
            "programme": programme,
            "options": options,
            "counts": counts,
            "can_manage": can_manage,
            "is_draft": programme.status == Status.DRAFT,
            "status_labels": [
                label
                for code, label in eligibility.member_status_choices()
                if code in programme.eligible_statuses
            ],
            "choice_open": programme.status == Status.CHOOSING and timezone.now() < programme.choice_deadline,
            "preview": preview,
            "over_cap": over_cap,
            "issued_count": counts["by_status"].get(Entitlement.Status.ISSUED, 0),
            "over_cap_count": counts["by_status"].get(Entitlement.Status.OVER_CAP, 0),
            "standard": standard_selectors.standard_on(programme.item, services.programme_day(programme)),
            "budget": finance_selectors.budget_line_status(programme.budget_line)
            if programme.budget_line is not None
            else None,
            "breadcrumbs": _crumbs((programme.title, "")),
        },
    )


@require_perm(MANAGE)
def option_new(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    festival = programme.item.kind == WelfareItem.Kind.FESTIVAL
    form = OptionForm(request.POST or None, festival=festival)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            option = services.option_save(
                actor=request.user,
                programme=programme,
                name=data["name"],
                description=data["description"],
                form=data["form"],
                merchants=list(data["merchants"]),
                sort_order=data["sort_order"] or 0,
                is_default=data["is_default"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(option)s was added.") % {"option": option.name})
            return redirect("welfare:programme_detail", pk=programme.pk)
    return render(
        request,
        "welfare/programme_option_form.html",
        {
            "form": form,
            "programme": programme,
            "festival": festival,
            "breadcrumbs": _crumbs((programme.title, _detail_url(programme)), (_("Add an option"), "")),
        },
        status=400 if request.method == "POST" else 200,
    )


def _act(request: AuthenticatedRequest, programme: Programme, action: Any, success: str) -> HttpResponseBase:
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise
    else:
        messages.success(request, success)
    return redirect("welfare:programme_detail", pk=programme.pk)


@require_POST
@require_perm(MANAGE)
def option_delete(request: AuthenticatedRequest, pk: int, option_pk: int) -> HttpResponseBase:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    option = selectors.option_get(programme, option_pk)
    return _act(
        request,
        programme,
        lambda: services.option_delete(actor=request.user, option=option),
        _("%(option)s was removed.") % {"option": option.name},
    )


@require_POST
@require_perm(MANAGE)
def option_default(request: AuthenticatedRequest, pk: int, option_pk: int) -> HttpResponseBase:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    option = selectors.option_get(programme, option_pk)
    return _act(
        request,
        programme,
        lambda: services.option_save(
            actor=request.user,
            programme=programme,
            option=option,
            name=option.name,
            description=option.description,
            form=option.form,
            merchants=list(option.merchants.all()),
            sort_order=option.sort_order,
            is_default=True,
        ),
        _("%(option)s is now the default option.") % {"option": option.name},
    )


@require_POST
@require_perm(MANAGE)
def programme_open(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    result: dict[str, int] = {}

    def open_it() -> None:
        result["n"] = services.programme_open(actor=request.user, programme=programme)

    try:
        open_it()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The programme is open: %(n)s members may now choose on their phones.") % {"n": result["n"]},
        )
    return redirect("welfare:programme_detail", pk=programme.pk)


@require_POST
@require_perm(MANAGE)
def programme_issue(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk, perm=MANAGE)
    try:
        services.programme_issue(actor=request.user, programme=programme)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("welfare:programme_detail", pk=programme.pk)
    return redirect("welfare:programme_progress", pk=programme.pk)


@require_perm(VIEW)
def programme_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk)
    state = progress.get_progress(services.progress_name(programme)) or {}
    counts = selectors.entitlement_counts(programme)
    error = services.last_error(programme) if programme.status == Status.ISSUING else ""
    stalled = programme.status == Status.ISSUING and (state.get("phase") == "failed" or not state)
    busy = programme.status == Status.ISSUING and not stalled
    context = {
        "programme": programme,
        "progress": state,
        "busy": busy,
        "stalled": stalled,
        "error": error,
        "counts": counts,
        "issued_count": counts["by_status"].get(Entitlement.Status.ISSUED, 0),
        "over_cap_count": counts["by_status"].get(Entitlement.Status.OVER_CAP, 0),
        "eligible_count": counts["by_status"].get(Entitlement.Status.ELIGIBLE, 0),
        "can_manage": services.may_manage(request.user, programme),
        "by_unit": selectors.issued_by_unit(programme) if programme.status != Status.CHOOSING else [],
        "breadcrumbs": _crumbs((programme.title, _detail_url(programme)), (_("Issuance"), "")),
    }
    if getattr(request, "htmx", False):
        return render(request, "welfare/programme_progress.html#progress", context)
    return render(request, "welfare/programme_progress.html", context)


# -- the entitlements --------------------------------------------------------------------------------------


def _option_label(entitlement: Entitlement) -> str:
    if entitlement.option is not None:
        return entitlement.option.name
    default = entitlement.programme.default_option
    return _("%(option)s (default)") % {"option": default.name} if default else ""


class EntitlementTable(Table):
    columns = [
        Column("staff_no", gettext_lazy("Staff number"), value="person.staff_no", sort="person__staff_no"),
        Column("name", gettext_lazy("Name"), value="person.name", sort="person__name", width=12),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=20),
        Column("option", gettext_lazy("Option"), value=_option_label, width=20),
        Column(
            "chosen_at",
            gettext_lazy("Chosen at"),
            value=lambda e: timezone.localtime(e.chosen_at).strftime("%Y-%m-%d %H:%M") if e.chosen_at else "",
            sort="chosen_at",
            css="nowrap",
            width=18,
        ),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", css="nowrap"),
        Column("note", gettext_lazy("Note"), width=40, css="text-wide"),
    ]
    default_sort = "unit__path"
    page_size = 50
    export_name = gettext_lazy("Entitlements")


@require_perm(VIEW)
def entitlement_list(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    programme = selectors.programme_get_for_user(user=request.user, pk=pk)
    status = request.GET.get("status", "")
    if status not in Entitlement.Status.values:
        status = ""
    option = request.GET.get("option", "")
    search = request.GET.get("q", "").strip()[:50]
    counts = selectors.entitlement_counts(programme)
    tabs = [
        {"status": "", "label": _("All"), "count": counts["total"], "active": not status},
        *[
            {
                "status": code,
                "label": label,
                "count": counts["by_status"].get(code, 0),
                "active": code == status,
            }
            for code, label in Entitlement.Status.choices
        ],
    ]
    return render_table(
        request,
        EntitlementTable(
            request,
            selectors.entitlements_for_programme(programme, status=status, option=option, search=search),
        ),
        "welfare/programme_entitlements.html",
        {
            "programme": programme,
            "tabs": tabs,
            "status": status,
            "option": option,
            "search": search,
            "options": selectors.programme_options(programme),
            "breadcrumbs": _crumbs((programme.title, _detail_url(programme)), (_("Members"), "")),
            "empty_title": _("No members here"),
            "empty_hint": _(
                "The list is made when the programme opens for choice; clear the filters to see all."
            )
            if programme.status != Status.DRAFT
            else _("Open the programme for choice: the members in its statuses and units are listed then."),
        },
        export_title=str(programme.title),
    )
