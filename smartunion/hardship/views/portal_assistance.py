"""The member's assistance pages in the portal (m/services/assistance/): the open programmes and the
member's own applications, applying with documents and consent, an application's status timeline and
withdrawing it. Every page acts on the logged-in user's own person; anyone else's application is 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.members.selectors import person_of_user

from ..forms.assistance import ApplyForm
from ..models import AssistanceApplication, Consent
from ..selectors import assistance as selectors
from ..services import assistance as services
from ..services import common
from ..services.programmes import bands_of, rule_on

Status = AssistanceApplication.Status
PersonView = Callable[..., HttpResponseBase]


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "portal_section": "services",
        "back_url": reverse("dashboards:portal_section", args=["services"]),
        **extra,
    }


def with_person(view: PersonView) -> PersonView:
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = person_of_user(request.user)
        if person is None:
            return render(request, "hardship/portal/assistance_no_person.html", _context())
        return view(request, person, *args, **kwargs)

    return wrapper


@with_person
def portal_assistance(request: AuthenticatedRequest, person: Any) -> HttpResponseBase:
    today = timezone.localdate()
    programmes = []
    for programme in selectors.programmes_open():
        rule = rule_on(programme, today)
        if rule is not None:
            programmes.append({"programme": programme, "rule": rule, "bands": bands_of(rule)})
    return render(
        request,
        "hardship/portal/assistance_home.html",
        _context(programmes=programmes, applications=list(selectors.applications_of_person(person))),
    )


@with_person
def portal_assistance_apply(request: AuthenticatedRequest, person: Any, pk: int) -> HttpResponseBase:
    programme = selectors.programme_get(pk)
    rule = rule_on(programme, timezone.localdate())
    form = ApplyForm(request.POST or None, request.FILES or None, condition_label=programme.condition_label)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_submit(
                actor=request.user,
                person=person,
                programme=programme,
                condition_value=data["condition_value"],
                reason=data["reason"],
                bank_account=data["bank_account"],
                spouse_staff_no=data["spouse_staff_no"],
                documents=form.document_payloads(),
                consent_method=Consent.Method.ONLINE,
                guardian_consent=data["guardian_consent"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Submitted: your sub-union reviews it first."))
            return redirect("hardship:portal_assistance_detail", pk=application.pk)
    return render(
        request,
        "hardship/portal/assistance_apply.html",
        _context(
            programme=programme,
            rule=rule,
            bands=bands_of(rule) if rule else [],
            form=form,
            notice=common.consent_notice(Consent.Purpose.ASSISTANCE),
            back_url=reverse("hardship:portal_assistance"),
        ),
        status=400 if form.errors else 200,
    )


def _timeline(application: AssistanceApplication) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = [
        {"label": _("Submitted"), "at": application.created_at, "done": True},
    ]
    rejected = application.status == Status.REJECTED
    withdrawn = application.status == Status.WITHDRAWN
    steps.append(
        {
            "label": _("Reviewed by the sub-union"),
            "at": application.unit_reviewed_at,
            "done": bool(application.unit_reviewed_at),
        }
    )
    steps.append(
        {"label": _("Approved"), "at": application.approved_at, "done": bool(application.approved_at)}
    )
    steps.append(
        {
            "label": pgettext("assistance", "Paid"),
            "at": application.paid_at,
            "done": bool(application.paid_at),
        }
    )
    if rejected:
        steps = [step for step in steps if step["done"]]
        steps.append(
            {
                "label": _("Not approved"),
                "at": application.rejected_at,
                "done": True,
                "error": True,
                "detail": application.reject_reason,
            }
        )
    if withdrawn:
        steps = [step for step in steps if step["done"]]
        steps.append(
            {"label": pgettext("application", "Withdrawn"), "at": application.updated_at, "done": True}
        )
    return steps


@login_required
def portal_assistance_detail(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = selectors.application_of_member(user=request.user, pk=pk)
    return render(
        request,
        "hardship/portal/assistance_detail.html",
        _context(
            application=application,
            timeline=_timeline(application),
            can_withdraw=application.status in (Status.SUBMITTED, Status.UNIT_APPROVED),
            back_url=reverse("hardship:portal_assistance"),
        ),
    )


@login_required
@require_POST
def portal_assistance_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = selectors.application_of_member(user=request.user, pk=pk)
    try:
        services.application_withdraw(actor=request.user, application=application)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Application withdrawn."))
    return redirect("hardship:portal_assistance_detail", pk=pk)


def portal_block(request: HttpRequest) -> dict[str, Any] | None:
    """The 服务 page's assistance block: the link and the member's open applications."""
    person = person_of_user(request.user)
    if person is None:
        return None
    return {"open_applications": list(selectors.open_applications_of_person(person))}
