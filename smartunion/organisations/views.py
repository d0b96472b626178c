from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from . import selectors, services
from .forms import (
    AliasForm,
    EndTermForm,
    OfficerForm,
    UnitCreateForm,
    UnitFilterForm,
    UnitForm,
    UnitMergeForm,
    UnitMoveForm,
)
from .models import OrgUnit


def _unit_url(unit: OrgUnit) -> str:
    return reverse("organisations:unit_detail", args=[unit.pk])


def _indented_name(unit: OrgUnit) -> Any:
    return format_html('<span class="tree-indent" style="--depth:{}"></span>{}', unit.depth, unit.name)


class UnitTable(Table):
    columns = [
        Column(
            "name",
            gettext_lazy("Unit name"),
            value=_indented_name,
            sort="name",
            link=_unit_url,
            on_screen=True,
            in_export=False,
        ),
        Column("export_name", gettext_lazy("Unit name"), value="name", on_screen=False, width=28),
        Column("code", gettext_lazy("Unit code"), sort="code"),
        Column("union_type", gettext_lazy("Union level"), value="get_union_type_display"),
        Column("kind", gettext_lazy("Unit kind"), value="kind.name"),
        Column("short_name", gettext_lazy("Short name")),
        Column("parent", gettext_lazy("Parent unit"), value="parent.name", width=24),
        Column("sort_order", gettext_lazy("Order"), on_screen=False),
        Column(
            "is_active",
            gettext_lazy("Status"),
            value=lambda unit: gettext_lazy("in use") if unit.is_active else gettext_lazy("dissolved"),
        ),
    ]
    default_sort = "path"
    page_size = 100
    export_name = gettext_lazy("Unit list")
    unit_path = "path"


@require_perm("organisations.view")
def unit_list(request: AuthenticatedRequest) -> HttpResponseBase:
    form = UnitFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "search": form.cleaned_data["q"],
            "union_type": form.cleaned_data["union_type"],
            "include_inactive": form.cleaned_data["inactive"],
        }
    units = selectors.unit_list_for_user(user=request.user, **filters)
    can_edit = request.user.has_unit_perm("organisations.edit")
    return render_table(
        request,
        UnitTable(request, units),
        "organisations/unit_list.html",
        {
            "form": form,
            "can_edit": can_edit,
            "can_import": request.user.has_unit_perm("organisations.import"),
            "breadcrumbs": [(_("Union organisation"), "")],
            "empty_title": _("No units match"),
            "empty_hint": _("Clear the search, or import the unit list from Excel."),
        },
        export_title=_("Unit list"),
    )


@require_perm("organisations.view")
def unit_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    chain = selectors.ancestors(unit)
    user = request.user
    return render(
        request,
        "organisations/unit_detail.html",
        {
            "unit": unit,
            "children": selectors.unit_children(unit),
            "officers": selectors.unit_officers(unit),
            "aliases": unit.aliases.all(),
            "can_edit": user.has_unit_perm("organisations.edit", unit),
            "can_appoint": user.has_unit_perm("organisations.officers", unit),
            "breadcrumbs": [
                (_("Union organisation"), reverse("organisations:unit_list")),
                *[(a.name, _unit_url(a)) for a in chain if user.has_unit_perm("organisations.view", a)],
                (unit.name, ""),
            ],
            "alias_form": AliasForm(),
        },
    )


@require_perm("organisations.edit")
def unit_create(request: AuthenticatedRequest) -> HttpResponse:
    parents = selectors.unit_choices_for_user(user=request.user, perm="organisations.edit")
    initial = {}
    if request.GET.get(
        "parent", ""
    ).isdecimal():  # from a unit's "New sub-unit" button; anything else is ignored
        initial["parent"] = parents.filter(pk=request.GET["parent"]).first()
    allow_top = request.user.scope_for("organisations.edit").at_top  # type: ignore[union-attr]
    form = UnitCreateForm(request.POST or None, parents=parents, initial=initial, allow_top=allow_top)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_create(
                actor=request.user,
                name=data["name"],
                code=data["code"],
                union_type=data["union_type"],
                parent=data["parent"],
                kind=data["kind"],
                short_name=data["short_name"],
                sort_order=data["sort_order"] or 0,
                note=data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("“%(unit)s” was created.") % {"unit": unit.name})
            return redirect("organisations:unit_detail", pk=unit.pk)
    return render(
        request,
        "organisations/unit_form.html",
        {
            "form": form,
            "title": _("New unit"),
            "breadcrumbs": [
                (_("Union organisation"), reverse("organisations:unit_list")),
                (_("New unit"), ""),
            ],
        },
    )


@require_perm("organisations.edit")
def unit_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk, perm="organisations.edit")
    initial = {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "union_type": unit.union_type,
        "kind": unit.kind,
        "sort_order": unit.sort_order,
        "note": unit.note,
    }
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(
                actor=request.user,
                unit=unit,
                name=data["name"],
                code=data["code"],
                union_type=data["union_type"],
                kind=data["kind"],
                short_name=data["short_name"],
                sort_order=data["sort_order"] or 0,
                note=data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("organisations:unit_detail", pk=unit.pk)
    return render(
        request,
        "organisations/unit_form.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Edit %(unit)s") % {"unit": unit.name},
            "breadcrumbs": [
                (_("Union organisation"), reverse("organisations:unit_list")),
                (unit.name, _unit_url(unit)),
                (_("Edit"), ""),
            ],
        },
    )


@require_perm("organisations.edit")
def unit_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk, perm="organisations.edit")
    parents = selectors.unit_choices_for_user(
        user=request.user, perm="organisations.edit", exclude_subtree_of=unit
    )
    form = UnitMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("“%(unit)s” was moved with all its sub-units.") % {"unit": unit.name})
            return redirect("organisations:unit_detail", pk=unit.pk)
    return render(
        request,
        "organisations/unit_action.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Move %(unit)s") % {"unit": unit.name},
            "explanation": _("The unit moves with all its sub-units, members and records; nothing is lost."),
            "submit_label": _("Move"),
            "breadcrumbs": [
                (_("Union organisation"), reverse("organisations:unit_list")),
                (unit.name, _unit_url(unit)),
                (_("Move"), ""),
            ],
        },
    )


@require_perm("organisations.edit")
def unit_merge(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk, perm="organisations.edit")
    targets = selectors.unit_choices_for_user(
        user=request.user, perm="organisations.edit", exclude_subtree_of=unit
    )
    form = UnitMergeForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.unit_merge(actor=request.user, source=unit, target=form.cleaned_data["target"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(
                request,
                _("“%(source)s” was merged into “%(target)s”.")
                % {"source": unit.name, "target": target.name},
            )
            return redirect("organisations:unit_detail", pk=target.pk)
    return render(
        request,
        "organisations/unit_action.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Merge %(unit)s into another unit") % {"unit": unit.name},
            "explanation": _(
                "Sub-units, members and records of this unit move to the chosen unit; its names become aliases "
                "of that unit; this unit is kept, dissolved, so its history can still be read."
            ),
            "submit_label": _("Merge"),
            "danger": True,
            "breadcrumbs": [
                (_("Union organisation"), reverse("organisations:unit_list")),
                (unit.name, _unit_url(unit)),
                (_("Merge"), ""),
            ],
        },
    )


@require_perm("organisations.edit")
@require_POST
def unit_deactivate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk, perm="organisations.edit")
    try:
        services.unit_deactivate(actor=request.user, unit=unit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(unit)s” was dissolved.") % {"unit": unit.name})
    return redirect("organisations:unit_detail", pk=unit.pk)


@require_perm("organisations.edit")
@require_POST
def alias_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk, perm="organisations.edit")
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            services.alias_add(actor=request.user, unit=unit, alias=form.cleaned_data["alias"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The alias was added."))
    else:
        messages.error(request, _("Enter the other spelling."))
    return redirect("organisations:unit_detail", pk=unit.pk)


@require_perm("organisations.edit")
@require_POST
def alias_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    alias = selectors.alias_get_for_user(user=request.user, pk=pk)
    unit = alias.unit
    services.alias_remove(actor=request.user, alias=alias)
    messages.success(request, _("The alias “%(alias)s” was removed.") % {"alias": alias.alias})
    return redirect("organisations:unit_detail", pk=unit.pk)


@require_perm("organisations.officers")
def officer_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, pk=pk, perm="organisations.officers")
    form = OfficerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.officer_appoint(
                actor=request.user,
                unit=unit,
                user=data["staff_no"],
                position=data["position"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The appointment was recorded."))
            return redirect("organisations:unit_detail", pk=unit.pk)
    return render(
        request,
        "organisations/unit_action.html",
        {
            "form": form,
            "unit": unit,
            "title": _("Appoint an officer of %(unit)s") % {"unit": unit.name},
            "explanation": _(
                "Officer positions record who serves the unit and for which term. Console access comes from roles (System → Roles)."
            ),
            "submit_label": _("Appoint"),
            "breadcrumbs": [
                (_("Union organisation"), reverse("organisations:unit_list")),
                (unit.name, _unit_url(unit)),
                (_("Appoint an officer"), ""),
            ],
        },
    )


@require_perm("organisations.officers")
def officer_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    term = selectors.officer_term_get_for_user(user=request.user, pk=pk)
    form = EndTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_end_term(actor=request.user, term=term, end_date=form.cleaned_data["end_date"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("The term was ended."))
            return redirect("organisations:unit_detail", pk=term.unit_id)
    return render(
        request,
        "organisations/unit_action.html",
        {
            "form": form,
            "unit": term.unit,
            "title": _("End the term of %(user)s as %(position)s")
            % {"user": term.user, "position": term.position},
            "submit_label": _("End the term"),
            "breadcrumbs": [
                (_("Union organisation"), reverse("organisations:unit_list")),
                (term.unit.name, _unit_url(term.unit)),
                (_("End a term"), ""),
            ],
        },
    )
