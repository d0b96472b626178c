"""Console pages of a term's people: adding a representative (by 工号, or found by name), editing one,
ending a service, the Excel import (through the core import framework: preview with a message per row,
then confirm) and export of the list, and the 提案工作委员会."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core import services as core_services
from smartunion.core.excel.reader import ImportFileError, check_upload
from smartunion.core.forms import ImportUploadForm
from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.setup import CommitteeAddForm, PersonSearchForm, RepresentativeAddForm, RepresentativeEditForm
from ..imports import RepresentativeImporter, with_term_column
from ..models import Congress
from ..selectors import congress as selectors
from ..services import congress as services
from .setup import MANAGE, congress_url, crumbs, representative_table


def _search_context(request: AuthenticatedRequest) -> dict[str, Any]:
    search = PersonSearchForm(request.GET or None)
    term = search.cleaned_data["q"] if search.is_valid() else ""
    return {
        "search_form": search,
        "search_term": term,
        "results": selectors.people_search(user=request.user, term=term) if term else [],
    }


def _person_page(
    request: AuthenticatedRequest,
    *,
    congress: Congress,
    form: Any,
    title: str,
    explanation: str,
    submit_label: str,
) -> HttpResponse:
    context = {
        "congress": congress,
        "form": form,
        "title": title,
        "explanation": explanation,
        "submit_label": submit_label,
        "cancel_url": congress_url(congress),
        "breadcrumbs": crumbs((congress.name, congress_url(congress)), (title, "")),
        **_search_context(request),
    }
    if getattr(request, "htmx", False) and request.method == "GET" and "q" in request.GET:
        return render(request, "proposals/setup/person_form.html#results", context)
    return render(request, "proposals/setup/person_form.html", context)


def _initial_person(request: AuthenticatedRequest) -> dict[str, Any]:
    return {"person": request.GET.get("staff_no", "")}


# -- representatives ------------------------------------------------------------------------------------


@require_perm(MANAGE)
def representative_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    congress = selectors.congress_get(pk)
    initial = _initial_person(request)
    if request.GET.get("delegation"):
        initial["delegation"] = request.GET["delegation"]
    form = RepresentativeAddForm(request.POST or None, congress=congress, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rep = services.representative_add(
                actor=request.user,
                congress=congress,
                person=data["person"],
                delegation=data["delegation"],
                kind=data["kind"],
                is_delegation_leader=data["is_delegation_leader"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s represents %(delegation)s.")
                % {"name": rep.person.name, "delegation": rep.delegation.name},
            )
            if "another" in request.POST:
                return redirect(
                    reverse("proposals:representative_add", kwargs={"pk": congress.pk})
                    + f"?delegation={rep.delegation_id}"
                )
            return redirect(congress_url(congress))
    return _person_page(
        request,
        congress=congress,
        form=form,
        title=_("Add a representative"),
        explanation=_(
            "Full representatives (正式代表) propose and co-sign; non-voting attendees (列席代表) attend only. "
            "They use the member portal with their own account."
        ),
        submit_label=_("Add"),
    )


@require_perm(MANAGE)
def representative_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = selectors.representative_get(pk)
    congress = rep.congress
    initial = {
        "delegation": rep.delegation_id,
        "kind": rep.kind,
        "is_delegation_leader": rep.is_delegation_leader,
        "is_active": rep.is_active,
    }
    form = RepresentativeEditForm(request.POST or None, congress=congress, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_update(actor=request.user, representative=rep, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Representative saved."))
            return redirect(congress_url(congress))
    return render(
        request,
        "proposals/setup/form.html",
        {
            "form": form,
            "title": _("%(name)s (%(no)s)") % {"name": rep.person.name, "no": rep.person.staff_no},
            "explanation": _("%(unit)s · representative of %(congress)s")
            % {"unit": rep.person.unit.name, "congress": congress.name},
            "cancel_url": congress_url(congress),
            "submit_label": _("Save"),
            "history_object": rep,
            "breadcrumbs": crumbs((congress.name, congress_url(congress)), (rep.person.name, "")),
        },
    )


@require_perm(MANAGE)
@require_POST
def representative_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rep = selectors.representative_get(pk)
    try:
        services.representative_end(actor=request.user, representative=rep)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The service of %(name)s has ended: they can no longer propose or co-sign.")
            % {"name": rep.person.name},
        )
    return redirect(congress_url(rep.congress))


@require_perm(MANAGE)
def representative_import(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Upload the list: the file gets this term's number where it names none, then goes through the core
    import pages (preview with a message per row → confirm)."""
    congress = selectors.congress_get(pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        max_bytes = core_services.import_max_bytes()
        if upload.size > max_bytes:
            form.add_error(
                "file",
                _("The file is %(size).1f MB; the largest file accepted is %(max)d MB.")
                % {"size": upload.size / 1024 / 1024, "max": max_bytes // 1024 // 1024},
            )
        else:
            try:
                data = upload.read()
                check_upload(upload.name, data, max_bytes)
                job = core_services.import_job_create(
                    user=request.user,
                    kind=RepresentativeImporter.kind,
                    filename=upload.name,
                    data=with_term_column(data, congress),
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("core:import_detail", pk=job.pk)
    return render(
        request,
        "proposals/setup/representative_import.html",
        {
            "congress": congress,
            "form": form,
            "importer": RepresentativeImporter,
            "max_mb": core_services.import_max_bytes() // 1024 // 1024,
            "breadcrumbs": crumbs((congress.name, congress_url(congress)), (_("Import representatives"), "")),
        },
    )


@require_perm(MANAGE)
def representative_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The list as on the term's page (same filters) as .xlsx; logged like every export."""
    congress = selectors.congress_get(pk)
    table, _form = representative_table(request, congress)
    return table.export_response(title=_("Representatives of %(congress)s") % {"congress": congress.name})


# -- the proposal committee ------------------------------------------------------------------------------


@require_perm(MANAGE)
def committee_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    congress = selectors.congress_get(pk)
    form = CommitteeAddForm(request.POST or None, initial=_initial_person(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.committee_add(
                actor=request.user, congress=congress, person=data["person"], position=data["position"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s joined the proposal committee. To work on proposals in the console they need the "
                    "提案工作委员会 role (System → Roles)."
                )
                % {"name": member.person.name},
            )
            return redirect(congress_url(congress))
    return _person_page(
        request,
        congress=congress,
        form=form,
        title=_("Add a committee member"),
        explanation=_(
            "The 提案工作委员会 of the term reviews proposals (立案), assigns them, supervises the handling and "
            "reports to the congress. Its secretariat is the union office."
        ),
        submit_label=_("Add"),
    )


@require_perm(MANAGE)
@require_POST
def committee_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    member = selectors.committee_member_get(pk)
    services.committee_remove(actor=request.user, member=member)
    messages.success(request, _("%(name)s left the proposal committee.") % {"name": member.person.name})
    return redirect(congress_url(member.congress))
