"""The officers' side of 入会: the queues (分工会 review, 校工会 approval), an application's page and the
decisions taken on it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import mask_day, mask_id_number, mask_phone
from smartunion.core.permissions import get_permission
from smartunion.core.tables import Column, Table, render_table
from smartunion.organisations import selectors as org_selectors

from ..forms.applications import ApplicationFilterForm, RejectForm, ReviewForm
from ..models import MembershipApplication
from ..selectors import applications as app_selectors
from ..services import applications as app_services

App = MembershipApplication
REVIEW = "members.application.review"
APPROVE = "members.application.approve"


def may_handle_applications(user: Any) -> bool:
    return bool(user.has_unit_perm(REVIEW) or user.has_unit_perm(APPROVE))


def require_any_perm(
    *codes: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Like ``require_perm``, for pages that holders of any one of ``codes`` use."""
    for code in codes:
        get_permission(code)

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapper(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not any(request.user.has_unit_perm(code) for code in codes):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permission = codes  # type: ignore[attr-defined]
        return wrapper

    return decorator


def unit_full_name(unit: Any) -> str:
    """A 小组 with its 分工会 ("机械工程学院 · 第一工会小组"): every college has a 第一工会小组."""
    parent = unit.parent
    if parent is not None and parent.parent_id is not None:
        return f"{parent.name} · {unit.name}"
    return str(unit.name)


def _detail_url(application: Any) -> str:
    return reverse("members:application_detail", args=[application.pk])


class ApplicationTable(Table):
    columns = [
        Column(
            "created_at",
            gettext_lazy("Submitted"),
            value=lambda a: a.created_at.date(),
            sort="created_at",
            width=12,
        ),
        Column(
            "name",
            gettext_lazy("Applicant"),
            value="person.name",
            sort="person__name",
            link=_detail_url,
            width=10,
        ),
        Column(
            "staff_no",
            gettext_lazy("Staff number"),
            value="person.staff_no",
            sort="person__staff_no",
            width=12,
        ),
        Column(
            "unit",
            gettext_lazy("Sub-union"),
            value=lambda a: unit_full_name(a.unit),
            sort="unit__path",
            width=30,
        ),
        Column("category", gettext_lazy("Staff category"), value="person.category.name", width=10),
        Column(
            "political_status",
            gettext_lazy("Political status"),
            value="get_political_status_display",
            width=12,
        ),
        Column("education", gettext_lazy("Education"), width=12),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=14),
        Column("unit_comment", gettext_lazy("Sub-union opinion"), on_screen=False, width=24),
        Column(
            "decided_at",
            gettext_lazy("Decided at"),
            value=lambda a: a.decided_at and a.decided_at.date(),
            on_screen=False,
        ),
        Column("reject_reason", gettext_lazy("Reason for rejection"), on_screen=False, width=30),
    ]
    default_sort = "created_at"
    export_name = gettext_lazy("Applications to join")


STAGE_LABELS = {
    "review": gettext_lazy("Awaiting sub-union review"),
    "approve": gettext_lazy("Awaiting school union approval"),
    "decided": gettext_lazy("Decided"),
    "all": gettext_lazy("All"),
}


@require_any_perm(REVIEW, APPROVE)
def application_list(request: AuthenticatedRequest) -> HttpResponseBase:
    user = request.user
    counts = app_selectors.application_counts_for_user(user=user)
    stages = [s for s in ("review", "approve") if user.has_unit_perm(REVIEW if s == "review" else APPROVE)]
    stage = request.GET.get("stage", "")
    if stage not in (*stages, "decided", "all"):
        # The union office also holds the review step (to act for a sub-union); its own queue comes first.
        stage = "approve" if "approve" in stages else (stages[0] if stages else "all")
    units = org_selectors.unit_choices_for_user(
        user=user, perm=REVIEW if user.has_unit_perm(REVIEW) else APPROVE
    )
    form = ApplicationFilterForm(request.GET or None, units=units)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "search": form.cleaned_data["q"],
            "unit": form.cleaned_data["unit"],
            "status": form.cleaned_data["status"],
        }
    applications = app_selectors.application_list_for_user(
        user=user, stage="" if stage == "all" else stage, **filters
    )
    tabs = [
        {"stage": s, "label": STAGE_LABELS[s], "count": counts.get(s), "active": s == stage}
        for s in (*stages, "decided", "all")
    ]
    empty_hints = {
        "review": _("Nothing awaits your review. New applications from your units' staff appear here."),
        "approve": _("Nothing awaits your approval. Applications the sub-unions agree to appear here."),
    }
    return render_table(
        request,
        ApplicationTable(request, applications),
        "members/application_list.html",
        {
            "form": form,
            "tabs": tabs,
            "stage": stage,
            "one_step": app_services.one_step(),
            "breadcrumbs": [(_("Applications to join"), "")],
            "empty_title": _("No applications here"),
            "empty_hint": empty_hints.get(stage, _("Clear the filters to see more.")),
        },
        export_title=str(STAGE_LABELS[stage]),
    )


def _detail_context(request: AuthenticatedRequest, application: MembershipApplication) -> dict[str, Any]:
    user = request.user
    person = application.person
    one_step = app_services.one_step()
    awaiting_review = application.status == App.Status.SUBMITTED and not one_step
    awaiting_approval = application.status == App.Status.UNIT_APPROVED or (
        application.status == App.Status.SUBMITTED and one_step
    )
    can_review = awaiting_review and user.has_unit_perm(REVIEW, application.unit)
    can_approve = awaiting_approval and user.has_unit_perm(APPROVE, application.unit)
    sensitive = user.has_unit_perm("members.sensitive.view", person.unit)
    steps = _steps(application, one_step)
    return {
        "application": application,
        "unit_name": unit_full_name(application.unit),
        "person": person,
        "masked": {
            "id_number": mask_id_number(person.id_number) if person.id_number else "",
            "mobile": person.mobile if sensitive else mask_phone(person.mobile),
            "birth_date": (
                person.birth_date.isoformat() if sensitive else mask_day(person.birth_date.isoformat())
            )
            if person.birth_date
            else "",
        },
        "timeline": app_selectors.membership_timeline(person),
        "can_review": can_review,
        "can_approve": can_approve,
        "can_reject": can_review
        or can_approve
        or (
            application.status == App.Status.SUBMITTED
            and one_step
            and user.has_unit_perm(REVIEW, application.unit)
        ),
        "steps": steps,
        "review_form": ReviewForm(),
        "reject_form": RejectForm(),
        "breadcrumbs": [
            (_("Applications to join"), reverse("members:application_list")),
            (person.name, ""),
        ],
    }


def _steps(application: MembershipApplication, one_step: bool) -> list[dict[str, Any]]:
    """The stepper: submitted → sub-union review → school union approval → joined (or rejected)."""
    status = application.status
    order = ["submitted", *([] if one_step else ["unit"]), "school", "joined"]
    labels = {
        "submitted": _("Submitted"),
        "unit": _("Sub-union review"),
        "school": _("School union approval"),
        "joined": _("Joined"),
    }
    dates = {
        "submitted": application.created_at,
        "unit": application.unit_reviewed_at,
        "school": application.decided_at if status == App.Status.APPROVED else None,
        "joined": application.decided_at if status == App.Status.APPROVED else None,
    }
    if status == App.Status.APPROVED:
        reached = len(order)
    elif status == App.Status.UNIT_APPROVED:
        reached = 2
    else:
        reached = 1
    current = reached if status in App.OPEN_STATUSES else None
    failed = status in (App.Status.REJECTED, App.Status.CANCELLED)
    steps = []
    for index, key in enumerate(order):
        state = "done" if index < reached else ("current" if index == current else "todo")
        if failed and index == reached:
            state = "failed"
        steps.append(
            {
                "key": key,
                "label": labels[key],
                "state": state,
                "at": dates.get(key) if state == "done" else None,
            }
        )
    return steps


@require_any_perm(REVIEW, APPROVE)
def application_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = app_selectors.application_get_for_user(user=request.user, pk=pk)
    return render(request, "members/application_detail.html", _detail_context(request, application))


def _render_with_errors(
    request: AuthenticatedRequest,
    application: MembershipApplication,
    error: ValidationError,
    form_key: str = "",
    form: Any = None,
) -> HttpResponse:
    """The application's page again, with the refusal: on the form's fields where it names one, at the
    top of the decision card otherwise (the application may have moved on meanwhile)."""
    application.refresh_from_db()
    context = _detail_context(request, application)
    if form is not None and hasattr(error, "error_dict"):
        apply_validation_error(form, error)
        context[form_key] = form
    else:
        context["action_errors"] = error.messages
    return render(request, "members/application_detail.html", context)


@require_any_perm(REVIEW)
@require_POST
def application_review(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The 分工会 agrees: the application goes on to the school union."""
    application = app_selectors.application_get_for_user(user=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():  # e.g. an opinion too long: say so, never drop it silently
        context = _detail_context(request, application)
        context["review_form"] = form
        return render(request, "members/application_detail.html", context)
    try:
        app_services.application_unit_review(
            actor=request.user,
            application=application,
            approve=True,
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as error:
        return _render_with_errors(request, application, error, "review_form", form)
    messages.success(request, _("Agreed: the application now awaits the school union's approval."))
    return redirect("members:application_detail", pk=application.pk)


@require_any_perm(APPROVE)
@require_POST
def application_approve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = app_selectors.application_get_for_user(user=request.user, pk=pk)
    try:
        app_services.application_approve(actor=request.user, application=application)
    except ValidationError as error:
        return _render_with_errors(request, application, error)
    messages.success(
        request, _("Approved: %(person)s is now a member of the union.") % {"person": application.person.name}
    )
    return redirect("members:application_detail", pk=application.pk)


@require_any_perm(REVIEW, APPROVE)
@require_POST
def application_reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = app_selectors.application_get_for_user(user=request.user, pk=pk)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        app_services.application_reject(
            actor=request.user, application=application, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _render_with_errors(request, application, error, "reject_form", form)
    messages.success(request, _("Rejected: the applicant has been told the reason."))
    return redirect("members:application_detail", pk=application.pk)
