"""Console pages of check-in and attendance: the scan page (camera with a typed or searched fallback; the
scan answers JSON to the page's script or re-renders the page without it), the daily attendance sheet of
托管 and training, the month grid, and the attendance export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.checkin import ScanForm
from ..models import Activity, Registration
from ..selectors import checkin as selectors
from ..services import checkin as services


def activity_url(activity: Activity) -> str:
    """The console page of the activity (written by the console part)."""
    try:
        return reverse("activities:console_detail", args=[activity.pk])
    except NoReverseMatch:
        return ""


def crumbs(activity: Activity, label: str) -> list[tuple[str, str]]:
    try:
        listing = reverse("activities:console_list")
    except NoReverseMatch:
        listing = ""
    return [(_("Activities"), listing), (activity.title, activity_url(activity)), (label, "")]


def _wants_json(request: AuthenticatedRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _card(registration: Registration) -> dict[str, Any]:
    return {
        "name": registration.person.name,
        "staff_no": registration.person.staff_no,
        "unit": registration.unit.name,
        "children": [child.name for child in registration.dependants.all()],
        "quantity": registration.quantity,
        "checked_in": (
            timezone.localtime(registration.checked_in_at).strftime("%H:%M")
            if registration.checked_in_at
            else ""
        ),
        "checked_out": (
            timezone.localtime(registration.checked_out_at).strftime("%H:%M")
            if registration.checked_out_at
            else ""
        ),
    }


def _scan_context(request: AuthenticatedRequest, activity: Activity, **extra: Any) -> dict[str, Any]:
    query = request.GET.get("q", "").strip()
    context = {
        "activity": activity,
        "form": ScanForm(initial={"action": "in"}),
        "counts": selectors.counts(activity),
        "query": query,
        "found": selectors.search(activity, query) if query else [],
        "activity_url": activity_url(activity),
        "uses_sheet": selectors.uses_sheet(activity),
        "breadcrumbs": crumbs(activity, _("Check-in")),
    }
    context.update(extra)
    return context


@require_perm("activities.checkin")
def checkin_scan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    return render(request, "activities/checkin/scan.html", _scan_context(request, activity))


@require_perm("activities.checkin")
@require_POST
def checkin_scan_submit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    form = ScanForm(request.POST)
    outcome: services.Outcome | None = None
    error = ""
    if not form.is_valid():
        error = _("Enter or scan the member's check-in code.")
    else:
        act = services.check_out if form.cleaned_data.get("action") == "out" else services.check_in
        try:
            outcome = act(actor=request.user, activity=activity, token=form.cleaned_data["token"])
        except ValidationError as refused:
            error = " ".join(refused.messages)
    counts = selectors.counts(activity)
    if _wants_json(request):
        payload: dict[str, Any] = {
            "ok": outcome is not None,
            "already": bool(outcome and outcome.already),
            "message": outcome.message if outcome else error,
            "counts": {"checked_in": counts.checked_in, "confirmed": counts.confirmed},
        }
        if outcome is not None:
            payload["registration"] = _card(outcome.registration)
        return JsonResponse(payload, status=200 if outcome else 400)
    result = {
        "ok": outcome is not None,
        "already": bool(outcome and outcome.already),
        "message": outcome.message if outcome else error,
        "card": _card(outcome.registration) if outcome else None,
    }
    return render(
        request,
        "activities/checkin/scan.html",
        _scan_context(request, activity, result=result, counts=counts),
        status=200 if outcome else 400,
    )


# -- attendance ------------------------------------------------------------------------------------------


def _parse_day(raw: str, activity: Activity) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else selectors.default_day(activity)
    except ValueError:
        return selectors.default_day(activity)


def _parse_time(raw: str) -> dt.time | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a time: use HH:MM.") % {"value": raw}) from None


def _sheet_context(activity: Activity, day: dt.date, **extra: Any) -> dict[str, Any]:
    days = selectors.activity_days(activity)
    context = {
        "activity": activity,
        "day": day,
        "days": days,
        "previous_day": next((d for d in reversed(days) if d < day), None),
        "next_day": next((d for d in days if d > day), None),
        "rows": selectors.sheet(activity, day),
        "is_future": day > timezone.localdate(),
        "in_range": day in days,
        "months": selectors.months_of(activity),
        "activity_url": activity_url(activity),
        "breadcrumbs": crumbs(activity, _("Attendance")),
    }
    context.update(extra)
    return context


@require_perm("activities.checkin")
def attendance_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        day = _parse_day(request.GET.get("day", ""), activity)
        return render(request, "activities/checkin/attendance.html", _sheet_context(activity, day))
    day = _parse_day(request.POST.get("day", ""), activity)
    rows = selectors.sheet_rows(activity)
    try:
        marks = [
            services.Mark(
                registration_id=row.registration.pk,
                participant_id=row.participant.pk if row.participant else None,
                present=request.POST.get(f"present-{row.key}") == "on",
                arrived=_parse_time(request.POST.get(f"in-{row.key}", "")),
                left=_parse_time(request.POST.get(f"out-{row.key}", "")),
            )
            for row in rows
        ]
        present = services.attendance_mark(actor=request.user, activity=activity, day=day, marks=marks)
    except ValidationError as error:
        return render(
            request,
            "activities/checkin/attendance.html",
            _sheet_context(activity, day, errors=error.messages),
            status=400,
        )
    messages.success(
        request,
        _("Attendance of %(day)s saved: %(present)d of %(total)d present.")
        % {"day": day.isoformat(), "present": present, "total": len(rows)},
    )
    return redirect(reverse("activities:attendance_sheet", args=[activity.pk]) + f"?day={day.isoformat()}")


@require_perm("activities.view")
def attendance_month(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, perm="activities.view")
    months = selectors.months_of(activity)
    month = months[0]
    raw = request.GET.get("month", "")
    try:
        wanted = dt.date.fromisoformat(f"{raw}-01") if raw else None
    except ValueError:
        wanted = None
    if wanted in months:
        month = wanted  # type: ignore[assignment]
    elif not raw and timezone.localdate().replace(day=1) in months:
        month = timezone.localdate().replace(day=1)
    return render(
        request,
        "activities/checkin/month.html",
        {
            "activity": activity,
            "month": month,
            "months": months,
            "grid": selectors.month_grid(activity, month),
            "activity_url": activity_url(activity),
            "breadcrumbs": crumbs(activity, _("Attendance by month")),
        },
    )


@require_perm("activities.view")
def attendance_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    activity = selectors.activity_get_for_user(user=request.user, pk=pk, perm="activities.view")
    columns = [
        SheetColumn(_("Unit"), 22),
        SheetColumn(_("Staff number"), 12),
        SheetColumn(_("Member"), 12),
        SheetColumn(_("Child"), 12),
        SheetColumn(_("Checked in at"), 18),
        SheetColumn(_("Checked out at"), 18),
        SheetColumn(_("Days present"), 10),
        SheetColumn(_("Training hours"), 10),
        SheetColumn(_("Dates present"), 40),
    ]
    rows = selectors.export_rows(activity)
    title = _("Attendance of %(title)s") % {"title": activity.title}
    return xlsx_response(
        f"{title}.xlsx",
        lambda handle: write_workbook(
            handle, sheet_title=str(_("Attendance")), columns=columns, rows=rows, title=title
        ),
    )
