"""Console pages of the congress set-up: the terms (届), a term's page (sessions, delegations,
representatives, committee), and the forms of terms, sessions (rules and the "五制" switches) and
delegations. Representatives and the committee are in ``setup_people``, categories in
``setup_categories``. Everything here needs ``proposals.congress.manage`` (the union office)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table
from smartunion.organisations import selectors as org_selectors

from ..forms.setup import CongressForm, DelegationForm, RepresentativeFilterForm, SessionForm
from ..models import Congress, Representative
from ..selectors import congress as selectors
from ..services import congress as services

MANAGE = "proposals.congress.manage"


def congress_url(congress: Congress) -> str:
    return reverse("proposals:congress_detail", kwargs={"pk": congress.pk})


def crumbs(*extra: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(_("Congress terms"), reverse("proposals:congress_list")), *extra]


def _form_page(
    request: AuthenticatedRequest,
    *,
    form: Any,
    title: str,
    explanation: str = "",
    cancel: str,
    breadcrumbs: list[tuple[Any, str]],
    submit_label: str = "",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "proposals/setup/form.html",
        {
            "form": form,
            "title": title,
            "explanation": explanation,
            "cancel_url": cancel,
            "submit_label": submit_label or _("Save"),
            "breadcrumbs": breadcrumbs,
            **(extra or {}),
        },
    )


# -- terms ----------------------------------------------------------------------------------------------


@require_perm(MANAGE)
def congress_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "proposals/setup/congress_list.html",
        {"congresses": list(selectors.congress_list()), "breadcrumbs": [(_("Congress terms"), "")]},
    )


@require_perm(MANAGE)
def congress_new(request: AuthenticatedRequest) -> HttpResponse:
    latest = selectors.latest_congress()
    initial = {"number": (latest.number + 1) if latest else 1}
    form = CongressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            congress = services.congress_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s created: add its delegations and representatives, then its first session.")
                % {"name": congress.name},
            )
            return redirect(congress_url(congress))
    return _form_page(
        request,
        form=form,
        title=_("New congress term"),
        explanation=_(
            "A term (届) of the staff congress, usually five years, with its delegations, representatives "
            "and proposal committee; each yearly meeting is a session (次) of it."
        ),
        cancel=reverse("proposals:congress_list"),
        breadcrumbs=crumbs((_("New term"), "")),
    )


@require_perm(MANAGE)
def congress_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    congress = selectors.congress_get(pk)
    initial = {field: getattr(congress, field) for field in services.CONGRESS_FIELDS}
    form = CongressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.congress_update(
                actor=request.user,
                congress=congress,
                number=data["number"],
                name=data["name"] or services.default_congress_name(data["number"]),
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Term saved."))
            return redirect(congress_url(congress))
    return _form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": congress.name},
        cancel=congress_url(congress),
        breadcrumbs=crumbs((congress.name, congress_url(congress)), (_("Edit"), "")),
    )


def _rep_edit_url(rep: Representative) -> str:
    return reverse("proposals:representative_edit", kwargs={"pk": rep.pk})


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


class RepresentativeTable(Table):
    """The term's representatives: on the term's page and, with the same filters, in the export."""

    columns = [
        Column(
            "staff_no",
            gettext_lazy("Staff number"),
            value="person.staff_no",
            sort="person__staff_no",
            width=12,
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            value="person.name",
            sort="person__name",
            link=_rep_edit_url,
            width=12,
        ),
        Column("unit", gettext_lazy("Unit"), value="person.unit.name", width=20),
        Column(
            "delegation",
            gettext_lazy("Delegation"),
            value="delegation.name",
            sort="delegation__sort_order",
            width=20,
        ),
        Column("kind", gettext_lazy("Kind"), value="get_kind_display", sort="kind", width=16),
        Column(
            "leader",
            gettext_lazy("Delegation leader (团长)"),
            value=lambda rep: _yes_no(rep.is_delegation_leader),
            width=10,
        ),
        Column("serving", gettext_lazy("Serving"), value=lambda rep: _yes_no(rep.is_active), width=8),
        Column(
            "account",
            gettext_lazy("Has a login account"),
            value=lambda rep: _yes_no(rep.person.user_id is not None),
            width=10,
        ),
        Column("term", gettext_lazy("Congress term"), value="congress.number", on_screen=False, width=8),
    ]
    default_sort = "delegation__sort_order"
    export_name = gettext_lazy("Congress representatives")
    unit_path = "person.unit.path"

    def ordered(self) -> Any:
        order = [self.sort]
        if self.sort.lstrip("-") != "person__staff_no":
            order.append("person__staff_no")
        return self.queryset.order_by(*order, "pk")


def representative_table(
    request: AuthenticatedRequest, congress: Congress
) -> tuple[RepresentativeTable, Any]:
    form = RepresentativeFilterForm(request.GET or None, congress=congress)
    reps = selectors.representatives_of(congress, **form.filters())
    return RepresentativeTable(request, reps), form


@require_perm(MANAGE)
def congress_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    congress = selectors.congress_get(pk)
    table, filter_form = representative_table(request, congress)
    context: dict[str, Any] = {
        "congress": congress,
        "table": table,
        "page": table.page(),
        "htmx_table": True,
        "filter_form": filter_form,
        "no_export": True,
        "row_actions_template": "proposals/setup/_representative_actions.html",
        "empty_title": _("No representatives here"),
        "empty_hint": _(
            "Add representatives one by one, or import the list (工号, 姓名, 代表团, 代表类别, 团长) from Excel."
        ),
    }
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, "proposals/setup/congress_detail.html#table", context)
    sessions = selectors.sessions_of(congress)
    for session in sessions:
        session.controls = selectors.five_controls(session)  # type: ignore[attr-defined]
    context.update(
        {
            "sessions": sessions,
            "delegations": selectors.delegations_of(congress),
            "counts": selectors.representative_counts(congress),
            "committee": selectors.committee_of(congress),
            "export_query": request.GET.urlencode(),
            "breadcrumbs": crumbs((congress.name, "")),
        }
    )
    return render(request, "proposals/setup/congress_detail.html", context)


# -- sessions -------------------------------------------------------------------------------------------


def _session_page(
    request: AuthenticatedRequest, *, form: SessionForm, congress: Congress, session: Any
) -> HttpResponse:
    title = (
        _("Edit %(name)s") % {"name": session.name}
        if session
        else _("New session of %(congress)s") % {"congress": congress.name}
    )
    return render(
        request,
        "proposals/setup/session_form.html",
        {
            "form": form,
            "congress": congress,
            "session": session,
            "title": title,
            "breadcrumbs": crumbs(
                (congress.name, congress_url(congress)), (session.name if session else _("New session"), "")
            ),
        },
    )


@require_perm(MANAGE)
def session_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    congress = selectors.congress_get(pk)
    form = SessionForm(request.POST or None, initial=services.session_defaults(congress))
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, congress=congress, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s created: representatives can propose from %(opens)s.")
                % {"name": session.name, "opens": session.collection_opens.strftime("%Y-%m-%d %H:%M")},
            )
            return redirect(congress_url(congress))
    return _session_page(request, form=form, congress=congress, session=None)


@require_perm(MANAGE)
def session_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(pk)
    initial = {field: getattr(session, field) for field in services.SESSION_FIELDS}
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Session saved: the new rules apply from now on."))
            return redirect(congress_url(session.congress))
    return _session_page(request, form=form, congress=session.congress, session=session)


# -- delegations ----------------------------------------------------------------------------------------


def _units() -> Any:
    top = org_selectors.top_unit()
    if top is None:
        return org_selectors.units_by_ids([])
    return org_selectors.subtree(top).filter(is_active=True).order_by("path")


@require_perm(MANAGE)
def delegation_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    congress = selectors.congress_get(pk)
    form = DelegationForm(request.POST or None, units=_units())
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_create(actor=request.user, congress=congress, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Delegation created."))
            return redirect(congress_url(congress))
    return _form_page(
        request,
        form=form,
        title=_("New delegation of %(congress)s") % {"congress": congress.name},
        explanation=_("A delegation (代表团) groups the representatives of a college or office."),
        cancel=congress_url(congress),
        breadcrumbs=crumbs((congress.name, congress_url(congress)), (_("New delegation"), "")),
    )


@require_perm(MANAGE)
def delegation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    delegation = selectors.delegation_get(pk)
    congress = delegation.congress
    initial = {"name": delegation.name, "unit": delegation.unit_id, "sort_order": delegation.sort_order}
    form = DelegationForm(request.POST or None, units=_units(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_update(actor=request.user, delegation=delegation, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Delegation saved."))
            return redirect(congress_url(congress))
    return _form_page(
        request,
        form=form,
        title=_("Edit %(name)s") % {"name": delegation.name},
        cancel=congress_url(congress),
        breadcrumbs=crumbs((congress.name, congress_url(congress)), (delegation.name, "")),
    )
