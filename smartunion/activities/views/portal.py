"""The member portal's 活动 tab (m/activities/): browse with "适合我", one activity with why not and the
registration form inline, the registration POST (the engine decides; the answer is a redirect), my
registrations, one registration with its check-in QR, cancel, and a freed place's offer (accept/decline).

The registration POST is the hottest path of the product: it reads the member and the activity in one
statement (which says whether the activity has questions and quotas), the questions only when there are some
(shared by the form and the engine), the children only when the activity takes children and the team's
members only for a team; calls ``services.registration.register`` with what it read and redirects (303) —
no page is rendered unless the form has errors, and the sold-out answer writes nothing (not even a message
in the session: the activity page says it from ``?result=full``). ``test_registration_queries`` counts its
statements.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.members.selectors import person_of_user

from ..forms.portal import RegisterForm
from ..models import Activity, Kind, Registration
from ..selectors import eligibility
from ..selectors import portal as selectors
from ..selectors import results as results_selectors
from ..services import registration as engine

RESULTS = ("confirmed", "waitlisted", "pending", "full", "already")


def portal_context(**extra: Any) -> dict[str, Any]:
    return {"portal_section": "activities", **extra}


def qr_svg(token: str) -> str:
    """The check-in QR carries the registration's token string itself (the scan page reads it, or the
    organiser types it)."""
    return str(segno.make(token, error="m").svg_inline(scale=6, border=2, dark="#1f2329", omitsize=True))


def _series_title(activity: Activity) -> str:
    series = activity.series
    return f"{series.title} · {activity.title}" if series is not None else activity.title


# -- browse --------------------------------------------------------------------------------------------


@never_cache
@login_required
def browse(request: AuthenticatedRequest) -> HttpResponse:
    person = person_of_user(request.user)
    show = request.GET.get("show", selectors.FILTER_FIT)
    show = show if show in (selectors.FILTER_FIT, selectors.FILTER_ALL) else selectors.FILTER_FIT
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    period = request.GET.get("period", "")
    period = period if period in (selectors.PERIOD_WEEK, selectors.PERIOD_MONTH) else ""
    cards: list[selectors.Card] = []
    if person is not None:
        facts = eligibility.facts_for(person)
        cards = selectors.browse(facts=facts, show=show, kind=kind, period=period)
    base = reverse("activities:portal_browse")

    def link(**changes: str) -> str:
        params = {"show": show, "kind": kind, "period": period, **changes}
        query = "&".join(f"{key}={value}" for key, value in params.items() if value)
        return f"{base}?{query}" if query else base

    return render(
        request,
        "activities/portal/browse.html",
        portal_context(
            person=person,
            cards=cards,
            show=show,
            kind=kind,
            period=period,
            show_tabs=[
                (selectors.FILTER_FIT, _("Suits me"), link(show=selectors.FILTER_FIT)),
                (selectors.FILTER_ALL, _("All"), link(show=selectors.FILTER_ALL)),
            ],
            period_chips=[
                ("", _("Any time"), link(period="")),
                (selectors.PERIOD_WEEK, _("This week"), link(period=selectors.PERIOD_WEEK)),
                (selectors.PERIOD_MONTH, _("This month"), link(period=selectors.PERIOD_MONTH)),
            ],
            kind_chips=[
                ("", _("All kinds"), link(kind="")),
                *((v, label, link(kind=v)) for v, label in Kind.choices),
            ],
        ),
    )


# -- one activity, and the registration ----------------------------------------------------------------


def _form_for(activity: Activity, person: Any, data: Any = None, questions: Any = None) -> RegisterForm:
    """The registration form; the member's children are read only when the activity takes children, the
    questions only when not given (the POST reads them once for the form and the engine)."""
    children = (
        selectors.children_of(person, activity)
        if person is not None
        and activity.participants
        in (Activity.Participants.DEPENDANTS, Activity.Participants.MEMBER_AND_DEPENDANTS)
        else []
    )
    if questions is None:
        questions = selectors.questions_of(activity)
    return RegisterForm(data, activity=activity, questions=questions, children=children)


def _render_detail(
    request: AuthenticatedRequest,
    *,
    activity: Activity,
    person: Any,
    facts: Any,
    form: RegisterForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.detail_card(activity=activity, facts=facts) if facts is not None else None
    registration = detail["registration"] if detail else None
    live = registration is not None and registration.status in Registration.LIVE_STATUSES
    can_register = bool(
        detail
        and not detail["batches"]
        and detail["open_now"]
        and not detail["reasons"]
        and not live
        and not activity.batches.exists()
    )
    if can_register and form is None:
        form = _form_for(activity, person)
    result = request.GET.get("result", "")
    return render(
        request,
        "activities/portal/detail.html",
        portal_context(
            back_url=reverse("activities:portal_browse"),
            activity=activity,
            person=person,
            detail=detail,
            registration=registration,
            live=live,
            can_register=can_register,
            form=form if can_register else None,
            # An engine refusal when the form is no longer offered (closed meanwhile, not eligible).
            post_errors=list(form.non_field_errors()) if form is not None and not can_register else [],
            full_result=result == "full",
            rules=_rule_summary(activity),
            summary=results_selectors.summary_of(activity),
        ),
        status=status,
    )


def _rule_summary(activity: Activity) -> list[str]:
    """Who may register, in words (the rules of the activity, whoever reads them)."""
    rules = activity.eligibility or {}
    lines: list[str] = []
    if activity.visibility == Activity.Visibility.SUBTREE and activity.visibility_unit:
        lines.append(_("Members of %(unit)s") % {"unit": activity.visibility_unit.name})
    elif activity.visibility == Activity.Visibility.INVITED:
        lines.append(_("Invited members only"))
    if rules.get("sex") == "F":
        lines.append(_("Women members"))
    elif rules.get("sex") == "M":
        lines.append(_("Men members"))
    if rules.get("age_min") is not None or rules.get("age_max") is not None:
        lines.append(
            _("Aged %(min)s to %(max)s on the first day")
            % {"min": rules.get("age_min") or 0, "max": rules.get("age_max") or "—"}
        )
    if rules.get("child_age_min") is not None or rules.get("child_age_max") is not None:
        lines.append(
            _("With a child aged %(min)s to %(max)s")
            % {"min": rules.get("child_age_min") or 0, "max": rules.get("child_age_max") or "—"}
        )
    if rules.get("not_attended_kind") and rules.get("not_attended_years"):
        lines.append(
            _("Not taken part in one in the last %(years)s years") % {"years": rules["not_attended_years"]}
        )
    if rules.get("statuses"):
        lines.append(_("Members in the listed membership statuses"))
    if rules.get("category_ids"):
        lines.append(_("Listed staff categories only"))
    if rules.get("unit_ids"):
        lines.append(_("Members of the units it is organised for"))
    return lines or [_("Every member")]


@never_cache
@login_required
def activity_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = person_of_user(request.user)
    facts = eligibility.facts_for(person) if person is not None else None
    if facts is None:
        activity = selectors.activity_for_post(pk)
        if activity.visibility != Activity.Visibility.SCHOOL:
            raise Http404
    else:
        activity = selectors.activity_for_member(facts=facts, pk=pk)
    return _render_detail(request, activity=activity, person=person, facts=facts)


@require_POST
@login_required
def register(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """POST m/activities/<pk>/register/ → the engine → 303 to the registration (or the activity page when
    it is full). Errors re-render the activity page with the form (400)."""
    person, read = selectors.for_registration(request.user, pk)  # one statement
    if person is None:
        raise PermissionDenied(_("Your account is not linked to a staff record."))
    if read is None:
        raise Http404
    activity = read
    questions = selectors.registration_questions(activity)
    form = _form_for(activity, person, request.POST, questions)
    if form.is_valid():
        team_member_ids: list[int] = []
        if form.wants_team:
            numbers = form.cleaned_data.get("team_members") or []
            found = selectors.people_by_staff_numbers(numbers)
            unknown = [number for number in numbers if number not in found]
            if unknown:
                form.add_error(
                    "team_members", _("No staff record for %(numbers)s.") % {"numbers": "、".join(unknown)}
                )
            team_member_ids = [found[number].pk for number in numbers if number in found]
        if form.is_valid():
            try:
                outcome = engine.register(
                    actor=request.user,
                    activity=activity,
                    person=person,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    quantity=form.cleaned_data["quantity"],
                    dependant_ids=form.dependant_ids(),
                    answers=form.answers(),
                    team_name=form.cleaned_data.get("team_name", ""),
                    team_member_ids=team_member_ids,
                    questions=questions,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if outcome.registration is None:
                    url = reverse("activities:portal_activity", args=[activity.pk]) + "?result=full"
                else:
                    url = reverse("activities:portal_registration", args=[outcome.registration.pk])
                    url += f"?result={outcome.result}"
                return HttpResponseRedirect(url, status=303)
    # The form has errors (rare): the page is rendered with the member's full record.
    person = person_of_user(request.user) or person
    facts = eligibility.facts_for(person)
    if not eligibility.is_visible(activity, facts):
        raise Http404
    return _render_detail(request, activity=activity, person=person, facts=facts, form=form, status=400)


# -- my registrations ----------------------------------------------------------------------------------


@never_cache
@login_required
def mine(request: AuthenticatedRequest) -> HttpResponse:
    person = person_of_user(request.user)
    groups: dict[str, list[Registration]] = {"upcoming": [], "past": []}
    if person is not None:
        groups = selectors.my_registrations(person)
        for registration in groups["upcoming"]:
            registration.position = (  # type: ignore[attr-defined]
                engine.waitlist_position(registration)
                if registration.status == Registration.Status.WAITLISTED
                else None
            )
        for registration in [*groups["upcoming"], *groups["past"]]:
            registration.explanation = (  # type: ignore[attr-defined]
                engine.lottery_explanation(registration)
                if registration.activity.allocation == Activity.Allocation.LOTTERY
                and registration.activity.lottery_drawn_at
                and registration.status != Registration.Status.CANCELLED
                else ""
            )
    return render(
        request,
        "activities/portal/mine.html",
        portal_context(back_url=reverse("activities:portal_browse"), person=person, **groups),
    )


def _can_cancel(registration: Registration) -> bool:
    """The member may cancel until the cancel deadline (or the start, when there is none)."""
    activity = registration.activity
    deadline = activity.cancel_deadline or activity.starts_at
    return registration.status in Registration.LIVE_STATUSES and timezone.now() < deadline


@never_cache
@login_required
def registration_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = person_of_user(request.user)
    registration = selectors.registration_for_member(person=person, pk=pk)
    activity = registration.activity
    confirmed = registration.status == Registration.Status.CONFIRMED
    result = request.GET.get("result", "")
    return render(
        request,
        "activities/portal/registration.html",
        portal_context(
            back_url=reverse("activities:portal_mine"),
            registration=registration,
            activity=activity,
            title=_series_title(activity),
            # No code once the member has left or the activity is over (the result shows then).
            qr=qr_svg(registration.token)
            if confirmed and not registration.checked_out_at and activity.ends_at > timezone.now()
            else "",
            position=engine.waitlist_position(registration)
            if registration.status == Registration.Status.WAITLISTED
            else None,
            explanation=engine.lottery_explanation(registration)
            if activity.allocation == Activity.Allocation.LOTTERY and activity.lottery_drawn_at
            else "",
            can_cancel=_can_cancel(registration),
            result=result if result in RESULTS else "",
            published_result=results_selectors.result_of(registration),
            team_members=list(registration.team.members.select_related("person"))
            if registration.team_id and registration.team
            else [],
        ),
    )


def _act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponseBase:
    person = person_of_user(request.user)
    registration = selectors.registration_for_member(person=person, pk=pk)
    try:
        if action == "cancel":
            engine.cancel(actor=request.user, registration=registration, reason=_("Cancelled by the member"))
            messages.success(request, _("Your registration is cancelled; the place goes to the next person."))
        elif action == "accept":
            engine.accept_offer(actor=request.user, registration=registration)
            messages.success(request, _("The place is yours: your registration is confirmed."))
        else:
            engine.decline_offer(actor=request.user, registration=registration)
            messages.success(request, _("You declined the place; it is offered to the next person."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("activities:portal_registration", pk=registration.pk)


@require_POST
@login_required
def cancel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, "cancel")


@require_POST
@login_required
def accept_offer(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, "accept")


@require_POST
@login_required
def decline_offer(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, "decline")


# -- the 首页 block --------------------------------------------------------------------------------------


def home_block(request: Any) -> dict[str, Any] | None:
    """首页: my next activities (if any)."""
    person = person_of_user(request.user)
    upcoming = selectors.upcoming_for_block(person) if person is not None else []
    to_score = results_selectors.to_score(request.user)
    if not upcoming and not to_score:
        return None
    return {"upcoming": upcoming, "to_score": to_score}
