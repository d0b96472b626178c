"""Console pages of the benefit standards (慰问标准): the items by kind with the standard in force today,
the yearly caps of the festival group, an item's effective-dated history, and the forms of the union
office (welfare.standards.manage at the top of the tree). The standards are school-wide: every holder of
welfare.view reads the same pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table
from smartunion.members.selectors.membership import MEMBER_STATUS_CHOICES

from ..forms.standards import GroupCapForm, ItemForm, StandardForm
from ..models import Form, GroupCap, WelfareItem, WelfareStandard
from ..selectors import standards as selectors
from ..services import standards as services

MANAGE = "welfare.standards.manage"


def _may_manage(user: Any) -> bool:
    return bool(user.scope_for(MANAGE).at_top)


def _check_manage(user: Any) -> None:
    if not _may_manage(user):
        raise PermissionDenied


def _back(request: AuthenticatedRequest, default: str) -> HttpResponseBase:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(default)


def _labels(codes: list[str], choices: Any) -> str:
    labels = dict(choices)
    return "、".join(str(labels.get(code, code)) for code in codes)


def forms_label(standard: WelfareStandard | None) -> str:
    return _labels(standard.allowed_forms, Form.choices) if standard else ""


def statuses_label(standard: WelfareStandard | None) -> str:
    return _labels(standard.eligible_statuses, MEMBER_STATUS_CHOICES) if standard else ""


def _period(start: Any, end: Any) -> str:
    if end is None:
        return _("from %(date)s") % {"date": f"{start:%Y-%m-%d}"}
    return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}"


class StandardsTable(Table):
    """The workbook of every standard (history included); the page itself groups by kind."""

    columns = [
        Column("item", gettext_lazy("Item"), value="item.name", width=14),
        Column("kind", gettext_lazy("Kind"), value=lambda s: s.item.get_kind_display(), width=16),
        Column("group", gettext_lazy("Yearly cap group"), value=lambda s: str(s.item.group or ""), width=12),
        Column("from", gettext_lazy("Effective from"), value="effective_from", width=12),
        Column("to", gettext_lazy("Effective until"), value="effective_to", width=12),
        Column("amount", gettext_lazy("Standard amount (yuan)"), value="amount", width=12, css="num"),
        Column("cap", gettext_lazy("Cap per event (yuan)"), value="cap_per_event", width=12, css="num"),
        Column("forms", gettext_lazy("Allowed forms"), value=forms_label, width=28),
        Column("statuses", gettext_lazy("Who may receive it"), value=statuses_label, width=24),
        Column(
            "confirmed",
            gettext_lazy("To be confirmed (待确认)"),
            value=lambda s: _("To be confirmed (待确认)") if s.needs_confirmation else "",
            width=10,
        ),
        Column("source", gettext_lazy("Source"), value="source", width=50),
        Column("note", gettext_lazy("Note"), value="note", width=30),
        Column("category", gettext_lazy("Expense category"), value="item.expense_category_code", width=10),
    ]
    default_sort = "pk"
    unit_path = None
    export_name = gettext_lazy("Benefit standards")

    def ordered(self) -> Any:
        return self.queryset.order_by("item__sort_order", "item__code", "-effective_from")


@require_perm("welfare.view")
def standard_list(request: AuthenticatedRequest) -> HttpResponseBase:
    if request.GET.get("export") == "xlsx":
        table = StandardsTable(request, selectors.standards_for_export())
        return table.export_response(title=_("Benefit standards (慰问标准)"))
    today = timezone.localdate()
    groups = selectors.standards_overview(today)
    for group in groups:
        for row in group.rows:
            row.forms = forms_label(row.standard)  # type: ignore[attr-defined]
            row.statuses = statuses_label(row.standard)  # type: ignore[attr-defined]
    return render(
        request,
        "welfare/standard_list.html",
        {
            "groups": groups,
            "cap_groups": selectors.cap_groups_with_caps(today),
            "today": today,
            "can_manage": _may_manage(request.user),
            "unconfirmed": selectors.unconfirmed_count(),
            "breadcrumbs": [(_("Benefit standards"), "")],
        },
    )


@require_perm("welfare.view")
def item_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(WelfareItem.objects.select_related("group"), pk=pk)
    today = timezone.localdate()
    standards = selectors.item_standards(item)
    current = selectors.standard_on(item, today)
    rows = [
        {
            "standard": standard,
            "forms": forms_label(standard),
            "statuses": statuses_label(standard),
            "period": _period(standard.effective_from, standard.effective_to),
            "current": current is not None and standard.pk == current.pk,
            "future": standard.effective_from > today,
        }
        for standard in standards
    ]
    cap = selectors.group_cap_on(item, today)
    return render(
        request,
        "welfare/item_detail.html",
        {
            "item": item,
            "rows": rows,
            "cap": cap,
            "can_manage": _may_manage(request.user),
            "breadcrumbs": [(_("Benefit standards"), reverse("welfare:standard_list")), (item.name, "")],
        },
    )


# -- standards ---------------------------------------------------------------------------------------------


def _standard_page(
    request: AuthenticatedRequest, form: StandardForm, item: WelfareItem, standard: WelfareStandard | None
) -> HttpResponse:
    if standard is None:
        title = _("New standard of %(item)s") % {"item": item}
    else:
        title = _("Correct the standard of %(item)s from %(date)s") % {
            "item": item,
            "date": f"{standard.effective_from:%Y-%m-%d}",
        }
    return render(
        request,
        "welfare/standard_form.html",
        {
            "form": form,
            "item": item,
            "title": title,
            "is_new": standard is None,
            "cancel_url": reverse("welfare:item_detail", args=[item.pk]),
            "breadcrumbs": [
                (_("Benefit standards"), reverse("welfare:standard_list")),
                (item.name, reverse("welfare:item_detail", args=[item.pk])),
                (title, ""),
            ],
        },
    )


def _standard_save(
    request: AuthenticatedRequest, item: WelfareItem, standard: WelfareStandard | None
) -> HttpResponse:
    _check_manage(request.user)
    template = selectors.standard_on(item, timezone.localdate()) if standard is None else None
    form = StandardForm(request.POST or None, item=item, standard=standard, template=template)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.standard_save(
                actor=request.user,
                item=item,
                standard=standard,
                effective_from=data["effective_from"],
                effective_to=data["effective_to"],
                amount=data["amount"],
                cap_per_event=data["cap_per_event"],
                allowed_forms=data["allowed_forms"],
                eligible_statuses=data["eligible_statuses"],
                needs_confirmation=data["needs_confirmation"],
                source=data["source"],
                note=data["note"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Standard of %(item)s saved: %(period)s.")
                % {"item": item, "period": _period(saved.effective_from, saved.effective_to)},
            )
            return redirect("welfare:item_detail", pk=item.pk)
    return _standard_page(request, form, item, standard)


@require_perm(MANAGE)
def standard_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _check_manage(request.user)
    return _standard_save(request, get_object_or_404(WelfareItem, pk=pk), None)


@require_perm(MANAGE)
def standard_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _check_manage(request.user)
    standard = get_object_or_404(WelfareStandard.objects.select_related("item"), pk=pk)
    return _standard_save(request, standard.item, standard)


@require_perm(MANAGE)
@require_POST
def standard_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    _check_manage(request.user)
    standard = get_object_or_404(WelfareStandard.objects.select_related("item"), pk=pk)
    services.standard_confirm(actor=request.user, standard=standard)
    messages.success(request, _("Standard of %(item)s confirmed.") % {"item": standard.item})
    return _back(request, reverse("welfare:item_detail", args=[standard.item_id]))


# -- yearly caps -------------------------------------------------------------------------------------------


@require_perm(MANAGE)
def cap_new(request: AuthenticatedRequest) -> HttpResponse:
    _check_manage(request.user)
    form = GroupCapForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cap = services.group_cap_save(
                actor=request.user,
                group=data["group"],
                effective_from=data["effective_from"],
                effective_to=data["effective_to"],
                cap_per_member_year=data["cap_per_member_year"],
                needs_confirmation=data["needs_confirmation"],
                source=data["source"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Yearly cap of %(group)s saved: %(cap)s yuan per member, %(period)s.")
                % {
                    "group": cap.group,
                    "cap": cap.cap_per_member_year,
                    "period": _period(cap.effective_from, cap.effective_to),
                },
            )
            return redirect("welfare:standard_list")
    title = _("New yearly cap")
    return render(
        request,
        "welfare/standard_simple_form.html",
        {
            "form": form,
            "title": title,
            "intro": _(
                "The most one member may receive in a calendar year from all items of the group together "
                "(Jiangsu: all festivals ≤ 2,200 yuan from 2025). The cap in force on the start date ends "
                "the day before."
            ),
            "cancel_url": reverse("welfare:standard_list"),
            "breadcrumbs": [(_("Benefit standards"), reverse("welfare:standard_list")), (title, "")],
        },
    )


@require_perm(MANAGE)
@require_POST
def cap_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    _check_manage(request.user)
    cap = get_object_or_404(GroupCap, pk=pk)
    services.group_cap_confirm(actor=request.user, cap=cap)
    messages.success(request, _("Yearly cap confirmed."))
    return _back(request, reverse("welfare:standard_list"))


# -- items -------------------------------------------------------------------------------------------------


def _item_save(request: AuthenticatedRequest, item: WelfareItem | None) -> HttpResponse:
    _check_manage(request.user)
    form = ItemForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.item_save(
                actor=request.user,
                item=item,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                group=data["group"],
                expense_category_code=data["expense_category_code"],
                sort_order=data["sort_order"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if item is None:
                messages.success(request, _("Item %(item)s added: now give it a standard.") % {"item": saved})
            else:
                messages.success(request, _("Item %(item)s changed.") % {"item": saved})
            return redirect("welfare:item_detail", pk=saved.pk)
    title = _("Change item %(item)s") % {"item": item} if item else _("New item")
    crumbs = [(_("Benefit standards"), reverse("welfare:standard_list"))]
    if item is not None:
        crumbs.append((item.name, reverse("welfare:item_detail", args=[item.pk])))
    return render(
        request,
        "welfare/item_form.html",
        {
            "form": form,
            "title": title,
            "intro": _(
                "An item is one kind of benefit (a festival the union adds, a life event …). Its amounts, "
                "forms and who may receive it are in its standards, added on the item's page."
            ),
            "cancel_url": reverse("welfare:item_detail", args=[item.pk])
            if item
            else reverse("welfare:standard_list"),
            "breadcrumbs": [*crumbs, (title, "")],
        },
    )


@require_perm(MANAGE)
def item_new(request: AuthenticatedRequest) -> HttpResponse:
    return _item_save(request, None)


@require_perm(MANAGE)
def item_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _check_manage(request.user)
    return _item_save(request, get_object_or_404(WelfareItem, pk=pk))
