"""Console pages of the assistance applications: the list with its tabs (to review, to approve by tier, to
pay, paid, rejected) and its Excel export, applying on a member's behalf, and the application's page with
the review / approval / rejection / payment forms.

PIPL: the list and the export show numbers, people, units, programmes, statuses and amounts — never the
measured value, the circumstances or the bank account. The page shows them in full only to
``may_see_sensitive`` viewers, and logs every such view; others see masks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import mask_id_number
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.members.selectors import people as people_selectors
from smartunion.organisations import selectors as org_selectors

from ..forms.assistance import (
    ApplicationFilterForm,
    ApproveForm,
    OnBehalfForm,
    PayForm,
    RejectForm,
    ReviewForm,
)
from ..models import AssistanceApplication, Consent
from ..selectors import access
from ..selectors import assistance as selectors
from ..services import assistance as services
from ..services import common

Status = AssistanceApplication.Status


def _url(application: AssistanceApplication) -> str:
    return reverse("hardship:application_detail", args=[application.pk])


class ApplicationTable(Table):
    # No measured value, circumstances or bank account: not on screen, not in the export.
    columns = [
        Column("number", gettext_lazy("Number"), link=_url, sort="number", width=14),
        Column(
            "created_at",
            gettext_lazy("Submitted"),
            value=lambda a: timezone.localtime(a.created_at).date(),
            sort="created_at",
            width=12,
        ),
        Column("person", gettext_lazy("Member"), value="person.name", width=12),
        Column("staff_no", gettext_lazy("Staff number"), value="person.staff_no", width=12),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=20),
        Column("programme", gettext_lazy("Programme"), value="programme.name", width=14),
        Column("year", gettext_lazy("Year"), sort="year", width=8),
        Column("tier", gettext_lazy("Approved by"), value="get_tier_display", width=14),
        Column("band_amount", gettext_lazy("Standard amount"), sort="band_amount", width=12, css="num"),
        Column("approved_amount", gettext_lazy("Approved amount"), width=12, css="num"),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=16),
    ]
    default_sort = "-created_at"
    export_name = gettext_lazy("Assistance applications")


TABS = [
    ("review", gettext_lazy("Awaiting review")),
    ("approve_staff", gettext_lazy("Awaiting approval: union office")),
    ("approve_chair", gettext_lazy("Awaiting approval: union chair")),
    ("pay", gettext_lazy("Approved, awaiting payment")),
    ("paid", pgettext_lazy("assistance", "Paid")),
    ("rejected", gettext_lazy("Rejected or withdrawn")),
    ("all", gettext_lazy("All")),
]


@require_perm("hardship.assistance.view")
def application_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab = request.GET.get("tab", "review")
    if tab not in dict(TABS):
        tab = "review"
    units = org_selectors.unit_choices_for_user(user=request.user, perm="hardship.assistance.view")
    form = ApplicationFilterForm(request.GET or None, units=units, years=selectors.years_of_applications())
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "programme": form.cleaned_data["programme"],
            "unit": form.cleaned_data["unit"],
            "year": form.cleaned_data["year"],
        }
    rows = selectors.applications_list(user=request.user, tab=tab, **filters)
    if request.GET.get("export") == "xlsx":
        common.log_export(
            actor=request.user,
            kind="applications",
            rows=rows.count(),
            filters={"tab": tab, **{key: str(value) for key, value in filters.items() if value}},
            unit=filters.get("unit"),
            perm="hardship.assistance.view",
        )
    counts = selectors.tab_counts(user=request.user)
    keep = {key: value for key, value in request.GET.items() if key in form.fields and value}
    tabs = [
        {
            "key": key,
            "label": label,
            "count": counts.get(key),
            "active": key == tab,
            "query": "&".join(f"{k}={quote(str(v))}" for k, v in keep.items()),
        }
        for key, label in TABS
    ]
    empty_hints = {
        "review": _("Nothing awaits the sub-union's review."),
        "approve_staff": _("Nothing awaits the union office's approval."),
        "approve_chair": _("Nothing awaits the union chair's approval."),
        "pay": _("No approved assistance awaits payment."),
        "paid": _("Nothing has been paid yet."),
        "rejected": _("No application was rejected or withdrawn."),
        "all": _("No applications yet. Members apply on their phones; officers may apply on their behalf."),
    }
    return render_table(
        request,
        ApplicationTable(request, rows),
        "hardship/assistance/application_list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "form": form,
            "can_apply": request.user.has_unit_perm(services.REVIEW),
            "breadcrumbs": [(_("Assistance applications"), "")],
            "empty_title": _("No applications here"),
            "empty_hint": empty_hints[tab],
        },
        export_title=str(dict(TABS)[tab]),
    )


def _people_finder(user: Any) -> Any:
    scope = user.scope_for(services.REVIEW)

    def find(term: str) -> Any:
        people = people_selectors.person_list_for_user(user=user, search=term)
        return scope.filter(people, "unit").filter(staff_no__iexact=term).first()

    return find


@require_perm("hardship.assistance.review")
def application_new(request: AuthenticatedRequest) -> HttpResponse:
    """An officer applies on a member's behalf (the member signed the paper consent form)."""
    initial: dict[str, Any] = {}
    if request.GET.get("programme", "").isdigit():
        initial["programme"] = int(request.GET["programme"])
    form = OnBehalfForm(
        request.POST or None, request.FILES or None, people=_people_finder(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_submit(
                actor=request.user,
                person=data["staff_no"],
                programme=data["programme"],
                condition_value=data["condition_value"],
                reason=data["reason"],
                bank_account=data["bank_account"],
                spouse_staff_no=data["spouse_staff_no"],
                documents=form.document_payloads(),
                on_behalf=True,
                consent_method=Consent.Method.PAPER,
                guardian_consent=data["guardian_consent"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Application %(number)s submitted for the member.") % {"number": application.number},
            )
            return redirect("hardship:application_detail", pk=application.pk)
    return render(
        request,
        "hardship/assistance/application_new.html",
        {
            "form": form,
            "notice": common.consent_notice(Consent.Purpose.ASSISTANCE),
            "breadcrumbs": [
                (_("Assistance applications"), reverse("hardship:application_list")),
                (_("Apply on a member's behalf"), ""),
            ],
        },
        status=400 if form.errors else 200,
    )


def _document_url(document: Any) -> str:
    # The download page belongs to the files part (console/hardship/documents/<pk>/).
    try:
        return reverse("hardship:document_download", args=[document.pk])
    except NoReverseMatch:
        return ""


def _detail_context(
    request: AuthenticatedRequest, application: AssistanceApplication, **extra: Any
) -> dict[str, Any]:
    user = request.user
    sensitive = access.may_see_sensitive(user, application)
    usage = selectors.yearly_usage(
        person_id=application.person_id,
        programme_id=application.programme_id,
        year=application.year,
        rule=application.rule,
        exclude_pk=application.pk if application.status not in selectors.GRANTED else None,
    )
    spouse_grant = (
        selectors.spouse_grant(
            person_id=application.person_id,
            spouse_id=application.spouse_id,
            programme_id=application.programme_id,
            year=application.year,
            exclude_pk=application.pk,
        )
        if application.rule.one_spouse_only
        else None
    )
    documents = selectors.documents_of(application) if sensitive else []
    status = application.status
    can_review = status == Status.SUBMITTED and services.may_review(user, application)
    can_approve = status == Status.UNIT_APPROVED and services.may_approve(user, application)
    entry_url = ""
    if application.entry_id_ref and user.has_unit_perm("finance.view", org_selectors.top_unit()):
        entry_url = reverse("finance:entry_detail", args=[application.entry_id_ref])
    context = {
        "application": application,
        "sensitive": sensitive,
        "masked_bank_account": mask_id_number(application.bank_account) if application.bank_account else "",
        "documents": [{"document": d, "url": _document_url(d)} for d in documents],
        "document_count": len(documents) if sensitive else None,
        "usage": usage,
        "spouse_grant": spouse_grant,
        "can_review": can_review,
        "can_approve": can_approve,
        "awaiting_major": status == Status.UNIT_APPROVED
        and not can_approve
        and application.tier == AssistanceApplication.Tier.CHAIR
        and services.is_approver(user),
        "approve_blocked": can_approve
        and (application.unit_reviewed_by_id == user.pk or application.person.user_id == user.pk),
        "can_reject": services.may_reject(user, application),
        "can_pay": status == Status.APPROVED and services.may_pay(user),
        "entry_url": entry_url,
        "review_form": ReviewForm(),
        "approve_form": ApproveForm(initial={"amount": application.band_amount}),
        "reject_form": RejectForm(),
        "pay_form": PayForm(),
        "breadcrumbs": [
            (_("Assistance applications"), reverse("hardship:application_list")),
            (application.number, ""),
        ],
    }
    context.update(extra)
    return context


@require_perm("hardship.assistance.view")
def application_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = access.application_get_for_user(user=request.user, pk=pk)
    if access.may_see_sensitive(request.user, application):
        common.log_sensitive_view(actor=request.user, record=application, what="application")
    return render(
        request, "hardship/assistance/application_detail.html", _detail_context(request, application)
    )


def _refused(request: AuthenticatedRequest, pk: int, error: ValidationError, **forms: Any) -> HttpResponse:
    """The application page again with the refusal: the full figures are shown again, so the view is
    logged like the page's."""
    application = access.application_get_for_user(user=request.user, pk=pk)
    context = _detail_context(request, application, **forms)
    if context["sensitive"]:
        common.log_sensitive_view(actor=request.user, record=application, what="application")
    form = next(iter(forms.values()), None)
    if form is not None and hasattr(error, "error_dict"):
        apply_validation_error(form, error)
    else:
        context["action_errors"] = error.messages
    return render(request, "hardship/assistance/application_detail.html", context, status=400)


@require_perm("hardship.assistance.review")
@require_POST
def application_review(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = access.application_get_for_user(user=request.user, pk=pk, perm=services.REVIEW)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Choose a decision.")), review_form=form)
    approve = form.cleaned_data["decision"] == "pass"
    try:
        services.application_review(
            actor=request.user, application=application, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        return _refused(request, pk, error, review_form=form)
    messages.success(
        request,
        _("Passed on for approval.") if approve else _("Rejected: the member sees the reason."),
    )
    return redirect("hardship:application_detail", pk=pk)


@require_perm("hardship.assistance.approve")
@require_POST
def application_approve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = access.application_get_for_user(user=request.user, pk=pk)
    form = ApproveForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Check the amount.")), approve_form=form)
    try:
        services.application_approve(
            actor=request.user,
            application=application,
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return _refused(request, pk, error, approve_form=form)
    messages.success(request, _("Approved: the union office pays it."))
    return redirect("hardship:application_detail", pk=pk)


@require_perm("hardship.assistance.view")
@require_POST
def application_reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = access.application_get_for_user(user=request.user, pk=pk)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        services.application_reject(
            actor=request.user, application=application, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, pk, error, reject_form=form)
    messages.success(request, _("Rejected: the member sees the reason."))
    return redirect("hardship:application_detail", pk=pk)


@require_perm("hardship.assistance.pay")
@require_POST
def application_pay(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    application = access.application_get_for_user(user=request.user, pk=pk, perm=services.PAY)
    form = PayForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Check the payment date.")), pay_form=form)
    try:
        payment = services.application_pay(
            actor=request.user, application=application, paid_on=form.cleaned_data["paid_on"]
        )
    except ValidationError as error:
        return _refused(request, pk, error, pay_form=form)
    for warning in payment.warnings:
        messages.warning(request, warning)
    amount = payment.application.approved_amount or Decimal("0")
    messages.success(request, _("Paid: %(amount)s yuan posted to the books.") % {"amount": amount})
    return redirect("hardship:application_detail", pk=pk)
