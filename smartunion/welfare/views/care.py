"""Console pages of care visits (五必访): the events list with its tabs, reporting an event for a member,
the event's page (the suggested amount and how it was derived, the decision, the visit with its photos and
payment), the statistics per unit, and the editable list of event types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.members.selectors import people as people_selectors
from smartunion.organisations import selectors as org_selectors

from ..forms.care import (
    ApproveForm,
    CareFilterForm,
    CareReportForm,
    EventTypeForm,
    PeriodForm,
    RejectForm,
    VisitForm,
)
from ..models import CareEvent, CareEventType
from ..selectors import care as selectors
from ..services import care as services
from ..services import care_admin

Status = CareEvent.Status


def _event_url(event: CareEvent) -> str:
    return reverse("welfare:care_event_detail", args=[event.pk])


def _due_on(event: CareEvent) -> dt.date:
    return timezone.localtime(event.reported_at).date() + dt.timedelta(
        days=event.event_type.visit_within_days
    )


class CareEventTable(Table):
    columns = [
        Column(
            "reported_at",
            gettext_lazy("Reported"),
            value=lambda e: timezone.localtime(e.reported_at).date(),
            sort="reported_at",
            width=12,
        ),
        Column("person", gettext_lazy("Member"), value="person.name", link=_event_url, width=12),
        Column("staff_no", gettext_lazy("Staff number"), value="person.staff_no", width=12),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=20),
        Column(
            "event_type",
            gettext_lazy("Event"),
            value="event_type.name",
            sort="event_type__sort_order",
            width=12,
        ),
        Column("occurred_on", gettext_lazy("Date of the event"), sort="occurred_on", width=12),
        Column("responsible", gettext_lazy("Who visits"), value="get_responsible_display", width=14),
        Column(
            "amount",
            gettext_lazy("Amount"),
            value=lambda e: e.approved_amount if e.approved_amount is not None else e.suggested_amount,
            width=10,
            css="num",
        ),
        Column("due", gettext_lazy("Visit by"), value=_due_on, width=12),
        Column("status", gettext_lazy("Status"), value="get_status_display", sort="status", width=12),
    ]
    default_sort = "-reported_at"
    export_name = gettext_lazy("Care visits")


TABS = [
    ("reported", gettext_lazy("Awaiting approval")),
    ("approved", gettext_lazy("To visit")),
    ("visited", gettext_lazy("Visited")),
    ("overdue", gettext_lazy("Overdue")),
    ("all", gettext_lazy("All")),
]


def _units(user: Any) -> Any:
    return org_selectors.unit_choices_for_user(user=user, perm="welfare.view")


@require_perm("welfare.view")
def care_event_list(request: AuthenticatedRequest) -> HttpResponseBase:
    tab = request.GET.get("tab", "reported")
    if tab not in dict(TABS):
        tab = "reported"
    form = CareFilterForm(request.GET or None, units=_units(request.user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "unit": form.cleaned_data["unit"],
            "event_type": form.cleaned_data["event_type"],
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
        }
    counts = selectors.care_event_counts_for_user(user=request.user)
    keep = {key: value for key, value in request.GET.items() if key in form.fields and value}
    tabs = [
        {
            "key": key,
            "label": label,
            "count": counts.get(key) if key in ("reported", "approved", "overdue") else None,
            "active": key == tab,
            "query": "&".join(f"{k}={quote(str(v))}" for k, v in keep.items()),
        }
        for key, label in TABS
    ]
    events = selectors.care_events_for_user(user=request.user, tab=tab, **filters)
    empty_hints = {
        "reported": _(
            "Nothing awaits approval. Officers report events here; members report through the portal."
        ),
        "approved": _("No approved event waits for a visit."),
        "visited": _("No visit has been recorded yet."),
        "overdue": _("No visit is overdue. Well done."),
        "all": _("No care events yet. Report one when a member is in hospital, marries, has a child …"),
    }
    return render_table(
        request,
        CareEventTable(request, events),
        "welfare/care_event_list.html",
        {
            "tabs": tabs,
            "tab": tab,
            "form": form,
            "can_report": request.user.has_unit_perm("welfare.care.report"),
            "can_manage_types": care_admin.may_manage_types(request.user),
            "breadcrumbs": [(_("Care visits (五必访)"), "")],
            "empty_title": _("No events here"),
            "empty_hint": empty_hints[tab],
        },
        export_title=str(dict(TABS)[tab]),
    )


def _people_finder(user: Any) -> Any:
    scope = user.scope_for("welfare.care.report")

    def find(term: str) -> Any:
        people = people_selectors.person_list_for_user(user=user, search=term)
        return scope.filter(people, "unit").order_by("staff_no")

    return find


@require_perm("welfare.care.report")
def care_event_new(request: AuthenticatedRequest) -> HttpResponse:
    form = CareReportForm(request.POST or None, people=_people_finder(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.care_event_report(
                actor=request.user,
                person=data["person_query"],
                event_type=data["event_type"],
                occurred_on=data["occurred_on"],
                description=data["description"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Reported: the event now awaits approval."))
            return redirect("welfare:care_event_detail", pk=event.pk)
    return render(
        request,
        "welfare/care_event_new.html",
        {
            "form": form,
            "has_types": CareEventType.objects.filter(is_active=True).exists(),
            "breadcrumbs": [
                (_("Care visits (五必访)"), reverse("welfare:care_event_list")),
                (_("Report an event"), ""),
            ],
        },
    )


def _detail_context(request: AuthenticatedRequest, event: CareEvent, **extra: Any) -> dict[str, Any]:
    user = request.user
    suggestion = services.suggestion_for(event)
    visit = getattr(event, "visit", None) if event.status == Status.VISITED else None
    issuance = visit.issuance if visit is not None and visit.issuance_id else None
    unit = services.responsible_unit(event)
    can_approve = event.status == Status.REPORTED and services.may_approve(user, event)
    initial_amount = event.suggested_amount if event.suggested_amount is not None else suggestion.amount
    context = {
        "event": event,
        "suggestion": suggestion,
        "responsible_unit": unit,
        "due_on": _due_on(event),
        "overdue": event.status in (Status.REPORTED, Status.APPROVED)
        and _due_on(event) < timezone.localdate(),
        "visit": visit,
        "issuance": issuance,
        "photos": selectors.photos_of(event) if visit is not None else [],
        "entry_url": (
            reverse("finance:entry_detail", args=[issuance.entry_id_ref])
            if issuance is not None and issuance.entry_id_ref and user.has_unit_perm("finance.view", unit)
            else ""
        ),
        "can_approve": can_approve,
        "approver_blocked": (
            event.status == Status.REPORTED
            and user.has_unit_perm("welfare.care.approve", unit)
            and not can_approve
        ),
        "can_reject": event.status == Status.REPORTED and user.has_unit_perm("welfare.care.approve", unit),
        "can_visit": event.status == Status.APPROVED and services.may_record_visit(user, event),
        "can_cancel": event.status in (Status.REPORTED, Status.APPROVED) and services.may_cancel(user, event),
        "approve_form": ApproveForm(
            allowed_forms=suggestion.allowed_forms,
            initial={"amount": initial_amount if initial_amount is not None else Decimal("0.00")},
        ),
        "reject_form": RejectForm(),
        "visit_form": VisitForm(),
        "breadcrumbs": [
            (_("Care visits (五必访)"), reverse("welfare:care_event_list")),
            (f"{event.event_type.name} · {event.person.name}", ""),
        ],
    }
    context.update(extra)
    return context


@require_perm("welfare.view")
def care_event_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    event = selectors.care_event_get_for_user(user=request.user, pk=pk)
    services.care_event_viewed(actor=request.user, event=event)
    return render(request, "welfare/care_event_detail.html", _detail_context(request, event))


def _refused(request: AuthenticatedRequest, pk: int, error: ValidationError, **forms: Any) -> HttpResponse:
    event = selectors.care_event_get_for_user(user=request.user, pk=pk)
    context = _detail_context(request, event, **forms)
    form = next(iter(forms.values()), None)
    if form is not None and hasattr(error, "error_dict"):
        apply_validation_error(form, error)
    else:
        context["action_errors"] = error.messages
    return render(request, "welfare/care_event_detail.html", context, status=400)


@require_perm("welfare.care.approve")
@require_POST
def care_event_approve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    event = selectors.care_event_get_for_user(user=request.user, pk=pk)
    suggestion = services.suggestion_for(event)
    form = ApproveForm(request.POST, allowed_forms=suggestion.allowed_forms)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Check the amount and the form.")), approve_form=form)
    try:
        services.care_event_approve(
            actor=request.user,
            event=event,
            amount=form.cleaned_data["amount"],
            form=form.cleaned_data["form"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return _refused(request, pk, error, approve_form=form)
    messages.success(request, _("Approved: the responsible officers are told to visit."))
    return redirect("welfare:care_event_detail", pk=pk)


@require_perm("welfare.care.approve")
@require_POST
def care_event_reject(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    event = selectors.care_event_get_for_user(user=request.user, pk=pk)
    form = RejectForm(request.POST)
    form.is_valid()
    try:
        services.care_event_reject(actor=request.user, event=event, note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        return _refused(request, pk, error, reject_form=form)
    messages.success(request, _("Not approved: the reporter sees the reason."))
    return redirect("welfare:care_event_detail", pk=pk)


@require_perm("welfare.view")
@require_POST
def care_event_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    event = selectors.care_event_get_for_user(user=request.user, pk=pk)
    try:
        services.care_event_cancel(actor=request.user, event=event, note=request.POST.get("note", ""))
    except ValidationError as error:
        return _refused(request, pk, error)
    messages.success(request, _("Event cancelled."))
    return redirect("welfare:care_event_detail", pk=pk)


@require_perm("welfare.care.report")
@require_POST
def care_visit_record(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    event = selectors.care_event_get_for_user(user=request.user, pk=pk)
    form = VisitForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, pk, ValidationError(_("Check the visit's fields.")), visit_form=form)
    data = form.cleaned_data
    uploads = [services.Upload(name=f.name, data=f.read()) for f in data["photos"]]
    try:
        result = services.care_visit_record(
            actor=request.user,
            event=event,
            visited_on=data["visited_on"],
            visitors=data["visitors"],
            notes=data["notes"],
            photos=uploads,
        )
    except ValidationError as error:
        return _refused(request, pk, error, visit_form=form)
    for warning in result.warnings:
        messages.warning(request, warning)
    issuance = result.visit.issuance
    if issuance is not None:
        messages.success(
            request,
            _("Visit recorded; %(amount)s yuan paid and posted to the books.") % {"amount": issuance.amount},
        )
    else:
        messages.success(request, _("Visit recorded."))
    return redirect("welfare:care_event_detail", pk=pk)


@require_perm("welfare.view")
def care_photo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    photo = selectors.photo_get_for_user(user=request.user, pk=pk)
    services.care_event_viewed(actor=request.user, event=photo.visit.event, what=photo.filename)
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(photo.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- statistics --------------------------------------------------------------------------------------------


@require_perm("welfare.view")
def care_stats(request: AuthenticatedRequest) -> HttpResponse:
    start, end = selectors.default_period()
    form = PeriodForm(request.GET or None, initial={"date_from": start, "date_to": end})
    if form.is_valid():
        start = form.cleaned_data["date_from"] or start
        end = form.cleaned_data["date_to"] or end
    report = selectors.completion_stats(user=request.user, date_from=start, date_to=end)
    chart = [
        {
            "name": row.unit.short_name or row.unit.name,
            "rate": float(row.rate) if row.rate is not None else None,
            "days": float(row.average_days) if row.average_days is not None else None,
            "reported": row.reported,
            "visited": row.visited,
        }
        for row in report.rows
    ]
    return render(
        request,
        "welfare/care_stats.html",
        {
            "form": form,
            "report": report,
            "chart": chart,
            "date_from": start,
            "date_to": end,
            "breadcrumbs": [
                (_("Care visits (五必访)"), reverse("welfare:care_event_list")),
                (_("Visit statistics"), ""),
            ],
        },
    )


# -- event types -------------------------------------------------------------------------------------------


def _require_types(request: AuthenticatedRequest) -> None:
    if not care_admin.may_manage_types(request.user):
        raise PermissionDenied


@require_perm("welfare.standards.manage")
def care_type_list(request: AuthenticatedRequest) -> HttpResponse:
    _require_types(request)
    return render(
        request,
        "welfare/care_type_list.html",
        {
            "types": list(selectors.event_types(active_only=False)),
            "breadcrumbs": [
                (_("Care visits (五必访)"), reverse("welfare:care_event_list")),
                (_("Event types"), ""),
            ],
        },
    )


def _type_form_page(request: AuthenticatedRequest, event_type: CareEventType | None) -> HttpResponse:
    form = EventTypeForm(request.POST or None, instance=event_type)
    if request.method == "POST" and form.is_valid():
        try:
            saved = care_admin.care_event_type_save(
                actor=request.user,
                event_type=event_type,
                data={
                    name: form.cleaned_data[name]
                    for name in care_admin.TYPE_FIELDS
                    if name in form.cleaned_data
                },
            )
        except ValidationError as error:
            apply_validation_error(form, error)  # type: ignore[arg-type]
        else:
            messages.success(request, _("Saved: %(name)s.") % {"name": saved.name})
            return redirect("welfare:care_type_list")
    title = _("Edit an event type") if event_type else _("Add an event type")
    return render(
        request,
        "welfare/care_type_form.html",
        {
            "form": form,
            "title": title,
            "breadcrumbs": [
                (_("Care visits (五必访)"), reverse("welfare:care_event_list")),
                (_("Event types"), reverse("welfare:care_type_list")),
                (title, ""),
            ],
        },
    )


@require_perm("welfare.standards.manage")
def care_type_new(request: AuthenticatedRequest) -> HttpResponse:
    _require_types(request)
    return _type_form_page(request, None)


@require_perm("welfare.standards.manage")
def care_type_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_types(request)
    return _type_form_page(request, selectors.event_type_get(pk))
