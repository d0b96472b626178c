"""社团 clubs: the member's pages (m/activities/clubs/: list, club page, join, leave, the officers' plan)
and the union office's (console/activities/clubs/: list, new, detail with members, officers and the plan).

Officers of a club may keep their club's plan from the club page on the phone; the office holds
``activities.clubs.manage`` over the club's unit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.members.selectors import person_of_user
from smartunion.organisations import selectors as org_selectors

from ..forms.portal import ClubEditForm, ClubForm, PlanForm
from ..models import Club, ClubMembership
from ..selectors import portal as selectors
from ..services import clubs as services
from .portal import portal_context

MANAGE = "activities.clubs.manage"


def _plan_initial(year_info: dict[str, Any]) -> dict[str, Any]:
    plan = year_info["plan"]
    initial: dict[str, Any] = {"year": year_info["year"]}
    if plan is not None:
        initial.update(
            brand_title=plan.brand_title, supporting_planned=plan.supporting_planned, note=plan.note
        )
    return initial


def _save_plan(request: AuthenticatedRequest, club: Club, form: PlanForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.plan_save(actor=request.user, club=club, **form.cleaned_data)
    except ValidationError as error:
        apply_validation_error(form, error)
        return False
    messages.success(request, _("The plan for %(year)s is saved.") % {"year": form.cleaned_data["year"]})
    return True


# -- the member's side ---------------------------------------------------------------------------------


@login_required
def club_list(request: AuthenticatedRequest) -> HttpResponse:
    person = person_of_user(request.user)
    return render(
        request,
        "activities/portal/clubs.html",
        portal_context(
            back_url=reverse("activities:portal_browse"),
            person=person,
            clubs=selectors.clubs_for_member(person),
        ),
    )


def _club_page(
    request: AuthenticatedRequest, club: Club, *, plan_form: PlanForm | None = None, status: int = 200
) -> HttpResponse:
    person = person_of_user(request.user)
    memberships = selectors.club_memberships(club)
    mine = next((m for m in memberships if person is not None and m.person_id == person.pk), None)
    year_info = selectors.club_year(club)
    is_officer = mine is not None and mine.role == ClubMembership.Role.OFFICER
    if is_officer and plan_form is None:
        plan_form = PlanForm(initial=_plan_initial(year_info))
    return render(
        request,
        "activities/portal/club.html",
        portal_context(
            back_url=reverse("activities:portal_clubs"),
            person=person,
            club=club,
            member_count=len(memberships),
            officers=[m for m in memberships if m.role == ClubMembership.Role.OFFICER],
            membership=mine,
            is_officer=is_officer,
            plan_form=plan_form if is_officer else None,
            **year_info,
        ),
        status=status,
    )


@login_required
def club_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _club_page(request, selectors.club_get(pk))


@require_POST
@login_required
def club_join(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    club = selectors.club_get(pk)
    try:
        services.join(actor=request.user, person=person_of_user(request.user), club=club)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Welcome to %(club)s!") % {"club": club.name})
    return redirect("activities:portal_club", pk=club.pk)


@require_POST
@login_required
def club_leave(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    club = selectors.club_get(pk, active_only=False)
    try:
        services.leave(actor=request.user, person=person_of_user(request.user), club=club)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You have left %(club)s.") % {"club": club.name})
    return redirect("activities:portal_club", pk=club.pk)


@require_POST
@login_required
def club_plan(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The club's officers keep this year's plan from the club page."""
    club = selectors.club_get(pk)
    membership = selectors.membership_of(club, person_of_user(request.user))
    if membership is None or membership.role != ClubMembership.Role.OFFICER:
        raise PermissionDenied(_("Only the club's officers keep its plan."))
    form = PlanForm(request.POST)
    if _save_plan(request, club, form):
        return redirect("activities:portal_club", pk=club.pk)
    return _club_page(request, club, plan_form=form, status=400)


# -- the console (union office) ------------------------------------------------------------------------


def _console(**extra: Any) -> dict[str, Any]:
    return {"nav_key": "activities_clubs", **extra}


@require_perm(MANAGE)
def console_club_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "activities/clubs/list.html",
        _console(
            clubs=list(selectors.clubs_for_console(request.user)),
            breadcrumbs=[(_("Clubs"), "")],
        ),
    )


@require_perm(MANAGE)
def console_club_new(request: AuthenticatedRequest) -> HttpResponseBase:
    units = org_selectors.unit_choices_for_user(user=request.user, perm=MANAGE)
    form = ClubForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            club = services.club_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The club %(club)s is created.") % {"club": club.name})
            return redirect("activities:club_detail", pk=club.pk)
    return render(
        request,
        "activities/clubs/form.html",
        _console(
            form=form,
            title=_("New club"),
            breadcrumbs=[(_("Clubs"), reverse("activities:club_list")), (_("New club"), "")],
        ),
        status=400 if request.method == "POST" else 200,
    )


def _console_detail(
    request: AuthenticatedRequest,
    club: Club,
    *,
    edit_form: ClubEditForm | None = None,
    plan_form: PlanForm | None = None,
    status: int = 200,
) -> HttpResponse:
    year_info = selectors.club_year(club)
    memberships = selectors.club_memberships(club)
    return render(
        request,
        "activities/clubs/detail.html",
        _console(
            club=club,
            breadcrumbs=[(_("Clubs"), reverse("activities:club_list")), (club.name, "")],
            memberships=memberships,
            officers=[m for m in memberships if m.role == ClubMembership.Role.OFFICER],
            edit_form=edit_form
            or ClubEditForm(
                initial={"name": club.name, "description": club.description, "is_active": club.is_active}
            ),
            plan_form=plan_form or PlanForm(initial=_plan_initial(year_info)),
            **year_info,
        ),
        status=status,
    )


@require_perm(MANAGE)
def console_club_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    club = selectors.club_for_console(user=request.user, pk=pk)
    if request.method == "POST":
        form = ClubEditForm(request.POST)
        if form.is_valid():
            try:
                services.club_update(actor=request.user, club=club, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The club is saved."))
                return redirect("activities:club_detail", pk=club.pk)
        return _console_detail(request, club, edit_form=form, status=400)
    return _console_detail(request, club)


@require_POST
@require_perm(MANAGE)
def console_club_plan(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    club = selectors.club_for_console(user=request.user, pk=pk)
    form = PlanForm(request.POST)
    if _save_plan(request, club, form):
        return redirect("activities:club_detail", pk=club.pk)
    return _console_detail(request, club, plan_form=form, status=400)


@require_POST
@require_perm(MANAGE)
def console_club_officer(request: AuthenticatedRequest, pk: int, membership_pk: int) -> HttpResponseBase:
    """Appoint a member as an officer (officer=1) or make them an ordinary member again (officer=0)."""
    club = selectors.club_for_console(user=request.user, pk=pk)
    membership = selectors.membership_for_console(user=request.user, club=club, pk=membership_pk)
    officer = request.POST.get("officer") == "1"
    try:
        services.officer_set(actor=request.user, membership=membership, officer=officer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is an officer now.") % {"name": membership.person.name}
            if officer
            else _("%(name)s is an ordinary member now.") % {"name": membership.person.name},
        )
    return redirect("activities:club_detail", pk=club.pk)
