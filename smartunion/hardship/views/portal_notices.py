"""公示 in the portal: the hardship files in public notice now — the member's name, the unit and the last day
for objections, nothing more (PIPL: the minimum) — and raising an objection during the window. Open to any
logged-in member of the school."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest

from ..forms.portal import ObjectionForm
from ..selectors import notices as notice_selectors
from ..services import files as file_services


def _data(request: Any) -> Any:
    """The POST data of a POST (even an empty one: an unticked consent box must be an error), else None."""
    return request.POST if request.method == "POST" else None


def _context(**extra: object) -> dict[str, object]:
    return {
        "portal_section": "services",
        "back_url": reverse("dashboards:portal_section", args=["services"]),
        **extra,
    }


@login_required
def portal_notices(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "hardship/portal/notice_list.html",
        _context(notices=notice_selectors.current_notices()),
    )


@login_required
def portal_notice_object(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """An objection to one file in notice; outside the window the file is not found (404)."""
    file = notice_selectors.notice_file_get(pk)
    form = ObjectionForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            file_services.objection_raise(actor=request.user, file=file, text=form.cleaned_data["text"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("Thank you. Your objection is recorded; the sub-union looks into it.")
            )
            return redirect("hardship:portal_notices")
    return render(
        request,
        "hardship/portal/notice_object.html",
        _context(
            notice=notice_selectors.notice_line(file),
            form=form,
            back_url=reverse("hardship:portal_notices"),
        ),
    )
