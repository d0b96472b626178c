"""The member's own pages (我的): applying to join and where the application stands, the electronic
member card, family members and requests to correct HR data. Phone first, in the portal shell.

Every page acts on the logged-in user's own person only; an account without a staff record sees a page
saying so."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.organisations import selectors as org_selectors

from ..forms.applications import ApplicationForm
from ..forms.portal import CorrectionForm, FamilyForm
from ..models import Membership, MembershipApplication, Person
from ..selectors import applications as app_selectors
from ..selectors import corrections as correction_selectors
from ..selectors import family as family_selectors
from ..selectors import person_of_user
from ..selectors import service_records as service_record_selectors
from ..services import applications as app_services
from ..services import corrections as correction_services
from ..services import family as family_services
from ..services import membership as membership_services
from .applications import _steps, unit_full_name

App = MembershipApplication
PersonView = Callable[..., HttpResponseBase]


def _context(**extra: Any) -> dict[str, Any]:
    return {"portal_section": "me", "back_url": reverse("dashboards:portal_me"), **extra}


def with_person(view: PersonView) -> PersonView:
    """Log in first; then run the view with the user's own person, or say that the account has no staff
    record (nothing on these pages makes sense without one)."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = person_of_user(request.user)
        if person is None:
            return render(request, "members/portal_no_person.html", _context())
        return view(request, person, *args, **kwargs)

    return wrapper


# -- 入会 -----------------------------------------------------------------------------------------------


@with_person
def my_apply(request: AuthenticatedRequest, person: Person) -> HttpResponseBase:
    refusal = app_services.may_apply(person)
    if refusal and person.membership.status == Membership.Status.APPLYING:
        return redirect("members:my_application")
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            app_services.application_submit(
                actor=request.user,
                person=person,
                political_status=data["political_status"],
                education=data["education"],
                statement=data["statement"],
                charter_consent=data["charter_consent"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your application was submitted. You can follow it here."))
            return redirect("members:my_application")
    return render(
        request,
        "members/portal_apply.html",
        _context(person=person, form=form, refusal=refusal, one_step=app_services.one_step()),
    )


@with_person
def my_application(request: AuthenticatedRequest, person: Person) -> HttpResponse:
    application = app_selectors.application_latest_of_person(person)
    return render(
        request,
        "members/portal_application.html",
        _context(
            person=person,
            application=application,
            steps=_steps(application, app_services.one_step()) if application else [],
            unit_name=unit_full_name(application.unit) if application else "",
            may_apply_again=not app_services.may_apply(person),
        ),
    )


@with_person
@require_POST
def my_application_cancel(request: AuthenticatedRequest, person: Person) -> HttpResponseBase:
    application = app_selectors.application_latest_of_person(person)
    if application is None or application.status not in App.OPEN_STATUSES:
        raise Http404
    try:
        app_services.application_cancel(actor=request.user, application=application)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect("members:my_application")


# -- the member card ----------------------------------------------------------------------------------


def card_verify_url(request: Any, membership: Membership) -> str:
    """What the card's QR code carries: the scanner's address with the signed token — no personal data."""
    token = membership_services.card_token(membership)
    return request.build_absolute_uri(reverse("members:card_verify")) + "?" + urlencode({"t": token})


def card_qr_svg(request: Any, membership: Membership) -> str:
    """The card's QR code as inline SVG, drawn on the server (no script, works offline once loaded)."""
    url = card_verify_url(request, membership)
    return str(segno.make(url, error="m").svg_inline(scale=5, border=2, dark="#1f2329", omitsize=True))


@with_person
def my_card(request: AuthenticatedRequest, person: Person) -> HttpResponse:
    membership = person.membership
    has_card = bool(membership.card_no) and membership.is_member
    return render(
        request,
        "members/portal_card.html",
        _context(
            person=person,
            membership=membership,
            has_card=has_card,
            qr_svg=card_qr_svg(request, membership) if has_card else "",
            verify_url=card_verify_url(request, membership) if has_card else "",
            union_name=org_selectors.ancestors(membership.unit, include_self=True)[0].name,
            unit_name=unit_full_name(membership.unit),
            may_apply=not app_services.may_apply(person),
        ),
    )


@require_perm("members.view")
def card_verify(request: AuthenticatedRequest) -> HttpResponse:
    """What a scanner sees: whether the card is valid now, with the name and unit only."""
    token = request.GET.get("t", "").strip()
    membership_id = membership_services.card_token_membership_id(token) if token else None
    membership = (
        Membership.objects.select_related("person", "unit").filter(pk=membership_id).first()
        if membership_id
        else None
    )
    return render(
        request,
        "members/card_verify.html",
        {
            "token_given": bool(token),
            "membership": membership,
            "valid": membership is not None and membership.is_member,
            "unit_name": unit_full_name(membership.unit) if membership is not None else "",
            "back_url": reverse("dashboards:portal_home"),
        },
    )


# -- the member service ledger (服务台账) -----------------------------------------------------------------


@with_person
def my_service_records(request: AuthenticatedRequest, person: Person) -> HttpResponse:
    return render(
        request,
        "members/portal_service_records.html",
        _context(
            person=person, records=service_record_selectors.service_records_of_person(person, limit=100)
        ),
    )


# -- family members -----------------------------------------------------------------------------------


@with_person
def my_family(request: AuthenticatedRequest, person: Person) -> HttpResponse:
    return render(
        request,
        "members/family_list.html",
        _context(person=person, family=family_selectors.family_of_person(person)),
    )


def _family_form_page(
    request: AuthenticatedRequest, person: Person, *, relative: Any = None
) -> HttpResponseBase:
    initial = {}
    if relative is not None:
        initial = {
            "relation": relative.relation,
            "name": relative.name,
            "sex": relative.sex,
            "birth_date": relative.birth_date,
            "school": relative.school,
            "guardian_consent": relative.guardian_consent_at is not None,
        }
    form = FamilyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if relative is None:
                family_services.family_add(actor=request.user, person=person, **data)
                messages.success(request, _("%(name)s was added.") % {"name": data["name"]})
            else:
                family_services.family_update(actor=request.user, family_member=relative, **data)
                messages.success(request, _("The changes were saved."))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("members:my_family")
    context = _context(person=person, form=form, relative=relative)
    context["back_url"] = reverse("members:my_family")
    return render(request, "members/family_form.html", context)


@with_person
def my_family_add(request: AuthenticatedRequest, person: Person) -> HttpResponseBase:
    return _family_form_page(request, person)


@with_person
def my_family_edit(request: AuthenticatedRequest, person: Person, pk: int) -> HttpResponseBase:
    relative = family_selectors.family_get_for_member(user=request.user, pk=pk)
    return _family_form_page(request, person, relative=relative)


@with_person
@require_POST
def my_family_remove(request: AuthenticatedRequest, person: Person, pk: int) -> HttpResponseBase:
    relative = family_selectors.family_get_for_member(user=request.user, pk=pk)
    family_services.family_remove(actor=request.user, family_member=relative)
    messages.success(request, _("%(name)s was removed.") % {"name": relative.name})
    return redirect("members:my_family")


# -- corrections --------------------------------------------------------------------------------------


@with_person
def my_corrections(request: AuthenticatedRequest, person: Person) -> HttpResponseBase:
    """The form to ask for a correction, and the member's requests with their answers."""
    form = CorrectionForm(request.POST or None, initial={"field": request.GET.get("field", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            correction_services.correction_request(actor=request.user, person=person, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Your request was sent to the union office. You will be notified of the answer.")
            )
            return redirect("members:my_corrections")
    return render(
        request,
        "members/correction_mine.html",
        _context(person=person, form=form, corrections=correction_selectors.corrections_of_person(person)),
    )
