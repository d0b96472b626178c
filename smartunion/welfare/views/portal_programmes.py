"""The member's side of the programmes on the phone: choose an option before the deadline (点单式), what I
have received (my benefits), and the 福利 tab's block listing what I can choose now."""

from __future__ import annotations

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

from smartunion.core.http import AuthenticatedRequest
from smartunion.members.selectors import person_of_user

from ..forms.programmes import ChooseForm
from ..models import Entitlement, Programme
from ..selectors import programmes as selectors
from ..services import programmes as services


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "portal_section": "welfare",
        "back_url": reverse("dashboards:portal_section", args=["welfare"]),
        **extra,
    }


def choices_block(request: HttpRequest) -> dict[str, Any] | None:
    """福利 tab: the programmes I can choose in now, and a link to what I have received."""
    person = person_of_user(request.user)
    if person is None:
        return None
    choices = selectors.choices_for_member(person)
    received = selectors.history_for_member(person)[:3]
    if not choices and not received:
        return None
    return {"choices": choices, "received": list(received)}


@login_required
def portal_choose(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    person = person_of_user(request.user)
    entitlement = selectors.entitlement_for_member(person=person, programme_pk=pk)
    programme = entitlement.programme
    options = selectors.programme_options(programme)
    is_open = (
        programme.status == Programme.Status.CHOOSING
        and entitlement.status == Entitlement.Status.ELIGIBLE
        and timezone.now() < programme.choice_deadline
    )
    current = entitlement.option or programme.default_option
    form = ChooseForm(
        request.POST or None, options=options, initial={"option": current.pk if current else None}
    )
    if request.method == "POST":
        if not is_open:
            messages.error(request, _("The choice is closed."))
            return redirect("welfare:portal_choose", pk=programme.pk)
        if form.is_valid():
            option = next(option for option in options if option.pk == form.cleaned_data["option"])
            try:
                services.entitlement_choose(actor=request.user, entitlement=entitlement, option=option)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                # The page says what was chosen (the banner above the options): no second message.
                return redirect("welfare:portal_choose", pk=programme.pk)
    return render(
        request,
        "welfare/portal_choose.html",
        _context(
            entitlement=entitlement,
            programme=programme,
            options=options,
            form=form,
            current=current,
            is_open=is_open,
            chosen=entitlement.option_id is not None,
        ),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_benefits(request: AuthenticatedRequest) -> HttpResponseBase:
    person = person_of_user(request.user)
    if person is None:
        return render(request, "welfare/portal_history.html", _context(person=None, issuances=[]))
    return render(
        request,
        "welfare/portal_history.html",
        _context(person=person, issuances=list(selectors.history_for_member(person)[:200])),
    )
