"""Console pages of the handling offices (承办单位): the list, a new office, an office's page (its
particulars, supervising leader, staff with the head marked, and history), adding and removing staff.
Every page needs ``organisations.offices.manage`` (the union office, the system administrator)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from . import selectors_offices as selectors
from . import services_offices as services
from .forms_offices import OfficeForm, OfficeStaffForm
from .models import HandlingOffice

MANAGE = "organisations.offices.manage"


def _crumbs(*extra: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(_("Handling offices"), reverse("organisations:office_list")), *extra]


def _office_url(office: HandlingOffice) -> str:
    return reverse("organisations:office_edit", kwargs={"pk": office.pk})


@require_perm(MANAGE)
def office_list(request: AuthenticatedRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    offices = list(selectors.office_list(active_only=not show_all).prefetch_related("staff__user"))
    return render(
        request,
        "organisations/offices/list.html",
        {"offices": offices, "show_all": show_all, "breadcrumbs": [(_("Handling offices"), "")]},
    )


def _values(form: OfficeForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["sort_order"] = data.get("sort_order") or 0
    return data


@require_perm(MANAGE)
def office_new(request: AuthenticatedRequest) -> HttpResponse:
    form = OfficeForm(request.POST or None, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            office = services.office_create(actor=request.user, **_values(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("%(name)s added: now add its staff.") % {"name": office.name})
            return redirect(_office_url(office))
    return render(
        request,
        "organisations/offices/form.html",
        {"form": form, "office": None, "breadcrumbs": _crumbs((_("New office"), ""))},
    )


def _office_page(
    request: AuthenticatedRequest,
    office: HandlingOffice,
    *,
    form: OfficeForm | None = None,
    staff_form: OfficeStaffForm | None = None,
) -> HttpResponse:
    if form is None:
        form = OfficeForm(
            initial={
                "name": office.name,
                "short_name": office.short_name,
                "leader": office.leader.staff_no if office.leader else "",
                "unit": office.unit_id,
                "duties": office.duties,
                "sort_order": office.sort_order,
                "is_active": office.is_active,
            }
        )
    return render(
        request,
        "organisations/offices/form.html",
        {
            "form": form,
            "office": office,
            "staff": list(selectors.office_staff(office).order_by("-is_head", "user__staff_no")),
            "staff_form": staff_form or OfficeStaffForm(),
            "breadcrumbs": _crumbs((office.name, "")),
        },
    )


@require_perm(MANAGE)
def office_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    office = selectors.office_get(pk)
    if request.method == "POST":
        form = OfficeForm(request.POST)
        if form.is_valid():
            try:
                services.office_update(actor=request.user, office=office, **_values(form))
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Office saved."))
                return redirect(_office_url(office))
        return _office_page(request, office, form=form)
    return _office_page(request, office)


@require_perm(MANAGE)
@require_POST
def office_staff_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    office = selectors.office_get(pk)
    form = OfficeStaffForm(request.POST)
    if form.is_valid():
        try:
            staff = services.office_staff_add(
                actor=request.user,
                office=office,
                user=form.cleaned_data["user"],
                is_head=form.cleaned_data["is_head"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s works for %(office)s. They see its proposals once they hold the 承办部门 role.")
                % {"name": staff.user.display_name, "office": office.name},
            )
            return redirect(_office_url(office))
    return _office_page(request, office, staff_form=form)


@require_perm(MANAGE)
@require_POST
def office_staff_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    staff = selectors.office_staff_get(pk)
    services.office_staff_remove(actor=request.user, staff=staff)
    messages.success(
        request,
        _("%(name)s no longer works for %(office)s.")
        % {"name": staff.user.display_name, "office": staff.office.name},
    )
    return redirect(_office_url(staff.office))
