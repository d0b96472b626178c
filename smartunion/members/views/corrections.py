"""The union office's queue of members' requests to correct HR data, and their handling."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from ..forms.corrections import CorrectionFilterForm, CorrectionHandleForm
from ..models import CorrectionRequest
from ..selectors import corrections as correction_selectors
from ..services import corrections as correction_services

HANDLE = "members.corrections.handle"


def _detail_url(correction: Any) -> str:
    return reverse("members:correction_detail", args=[correction.pk])


def _requested(correction: CorrectionRequest) -> str:
    """ID and mobile numbers are masked in the list (the office sees the value on the request itself)."""
    return (
        correction_services.masked_value(correction)
        if correction.field in correction_services.MASKS
        else correction.requested_value
    )


class CorrectionTable(Table):
    columns = [
        Column(
            "created_at",
            gettext_lazy("Asked on"),
            value=lambda c: c.created_at.date(),
            sort="created_at",
            width=12,
        ),
        Column(
            "name",
            gettext_lazy("Member"),
            value="person.name",
            sort="person__name",
            link=_detail_url,
            width=10,
        ),
        Column("staff_no", gettext_lazy("Staff number"), value="person.staff_no", width=12),
        Column("unit", gettext_lazy("Unit"), value="person.unit.name", sort="person__unit__path", width=24),
        Column("field", gettext_lazy("What is wrong"), value="get_field_display", sort="field", width=14),
        Column("requested_value", gettext_lazy("Correct value"), value=_requested, width=22),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=10),
        Column("response", gettext_lazy("Reply"), on_screen=False, width=30),
    ]
    default_sort = "created_at"
    export_name = gettext_lazy("Correction requests")
    unit_path = "person.unit.path"


@require_perm(HANDLE)
def correction_list(request: AuthenticatedRequest) -> HttpResponseBase:
    data = request.GET.copy()
    data.setdefault("status", CorrectionRequest.Status.OPEN)  # open requests first; "All" shows every one
    form = CorrectionFilterForm(data)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "search": form.cleaned_data["q"],
            "status": form.cleaned_data["status"],
            "field": form.cleaned_data["field"],
        }
    corrections = correction_selectors.correction_list_for_user(user=request.user, **filters)
    return render_table(
        request,
        CorrectionTable(request, corrections),
        "members/correction_list.html",
        {
            "form": form,
            "breadcrumbs": [(_("Correction requests"), "")],
            "empty_title": _("No correction requests here"),
            "empty_hint": _("Members ask from 我的 in the member portal; their requests appear here."),
        },
        export_title=_("Correction requests"),
    )


@require_perm(HANDLE)
def correction_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    correction = correction_selectors.correction_get_for_user(user=request.user, pk=pk)
    form = CorrectionHandleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction_services.correction_handle(
                actor=request.user,
                correction=correction,
                done=form.cleaned_data["decision"] == "done",
                response=form.cleaned_data["response"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Done: the member has been notified."))
            return redirect("members:correction_list")
    person = correction.person
    sensitive = correction.field in correction_services.MASKS
    show_full = not sensitive or request.user.has_unit_perm("members.sensitive.view", person.unit)
    if sensitive and show_full:  # an ID or mobile number shown in full: logged as sensitive access
        correction_services.correction_value_viewed(actor=request.user, correction=correction)
    return render(
        request,
        "members/correction_detail.html",
        {
            "correction": correction,
            "person": person,
            "requested": correction.requested_value
            if show_full
            else correction_services.masked_value(correction),
            "form": form,
            "breadcrumbs": [
                (_("Correction requests"), reverse("members:correction_list")),
                (person.name, ""),
            ],
        },
    )
