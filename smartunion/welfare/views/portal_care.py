"""The member's care pages (五必访) in the portal: report an event of their own or of a family member, and
follow the events reported for them. Every page acts on the logged-in user's own person only."""

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
from django.utils.translation import gettext as _

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.members.selectors import family as family_selectors
from smartunion.members.selectors import person_of_user

from ..forms.care import PortalReportForm
from ..models import CareEventType
from ..selectors import care as selectors
from ..services import care as services

PersonView = Callable[..., HttpResponseBase]


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "portal_section": "welfare",
        "back_url": reverse("dashboards:portal_section", args=["welfare"]),
        **extra,
    }


def with_person(view: PersonView) -> PersonView:
    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        person = person_of_user(request.user)
        if person is None:
            return render(request, "welfare/portal_care_no_person.html", _context())
        return view(request, person, *args, **kwargs)

    return wrapper


@with_person
def portal_care_report(request: AuthenticatedRequest, person: Any) -> HttpResponseBase:
    form = PortalReportForm(request.POST or None, family=family_selectors.family_of_person(person))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        relative = form.relative_obj()
        description = data["description"].strip()
        if relative is not None:
            prefix = _("Concerns my %(relation)s %(name)s.") % {
                "relation": relative.get_relation_display(),
                "name": relative.name,
            }
            description = f"{prefix}\n{description}".strip()
        try:
            services.care_event_report(
                actor=request.user,
                person=person,
                event_type=data["event_type"],
                occurred_on=data["occurred_on"],
                description=description,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reported: your union will be in touch."))
            return redirect("welfare:portal_care_mine")
    return render(
        request,
        "welfare/portal_care_report.html",
        _context(form=form, has_types=CareEventType.objects.filter(is_active=True).exists()),
    )


@with_person
def portal_care_mine(request: AuthenticatedRequest, person: Any) -> HttpResponseBase:
    return render(
        request,
        "welfare/portal_care_mine.html",
        _context(events=selectors.events_of_person(person)),
    )


def portal_block(request: HttpRequest) -> dict[str, Any] | None:
    """The 福利 page's care block: the report link and the member's open events."""
    person = person_of_user(request.user)
    if person is None:
        return None
    return {"open_events": selectors.open_events_of_person(person)}
