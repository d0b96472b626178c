"""The working-day calendar page: a year at a glance (holidays and make-up working days marked), the
list of the year's exceptions with removal, and the form that adds a holiday range or a 调休 day. Needs
``core.calendar.manage``."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_POST

from . import services_calendar as services
from .forms import DateInput
from .forms_support import apply_validation_error
from .http import AuthenticatedRequest
from .models import CalendarDay
from .permissions import require_perm

MANAGE = "core.calendar.manage"
MIN_YEAR, MAX_YEAR = 2000, 2100


class CalendarDayForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (services.KIND_HOLIDAY, gettext_lazy("Public holiday (days off)")),
            (services.KIND_WORKDAY, gettext_lazy("Make-up working day (调休上班)")),
        ],
        initial=services.KIND_HOLIDAY,
        widget=forms.RadioSelect,
    )
    start = forms.DateField(label=gettext_lazy("Date (first day)"), widget=DateInput)
    end = forms.DateField(
        label=gettext_lazy("Last day"),
        widget=DateInput,
        required=False,
        help_text=gettext_lazy("For a holiday of several days; empty for one day."),
    )
    name = forms.CharField(
        label=gettext_lazy("Name of the day"), max_length=50, help_text=gettext_lazy("e.g. 国庆节")
    )


def _year(request: AuthenticatedRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return timezone.localdate().year


def year_view(year: int, entries: list[CalendarDay]) -> list[dict[str, Any]]:
    """Twelve month grids (weeks from Monday) with each day's kind, and each month's working days."""
    by_date = {entry.date: entry for entry in entries}
    today = timezone.localdate()
    months = []
    for month in range(1, 13):
        weeks = []
        working = 0
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                entry = by_date.get(day)
                in_month = day.month == month
                if entry is not None:
                    kind = "makeup" if entry.is_workday else "holiday"
                    works = entry.is_workday
                else:
                    kind = "weekend" if day.weekday() >= 5 else "workday"
                    works = day.weekday() < 5
                if in_month and works:
                    working += 1
                cells.append(
                    {
                        "day": day,
                        "in_month": in_month,
                        "kind": kind,
                        "name": entry.name if entry else "",
                        "today": day == today,
                    }
                )
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks, "working_days": working})
    return months


def _page(request: AuthenticatedRequest, year: int, form: CalendarDayForm) -> HttpResponse:
    entries = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    return render(
        request,
        "core/calendar/list.html",
        {
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "months": year_view(year, entries),
            "entries": entries,
            "holidays": sum(1 for entry in entries if not entry.is_workday),
            "makeups": sum(1 for entry in entries if entry.is_workday),
            "form": form,
            # One letter per column of the small month grids (一 二 三 … in Chinese).
            "weekday_names": [
                pgettext("weekday initial", "M"),
                pgettext("weekday initial", "T"),
                pgettext("weekday initial", "W"),
                pgettext("weekday initial", "Th"),
                pgettext("weekday initial", "F"),
                pgettext("weekday initial", "Sa"),
                pgettext("weekday initial", "Su"),
            ],
            "breadcrumbs": [(_("Working-day calendar"), "")],
        },
    )


@require_perm(MANAGE)
def calendar_list(request: AuthenticatedRequest) -> HttpResponse:
    year = _year(request)
    return _page(request, year, CalendarDayForm(initial={"start": dt.date(year, 1, 1)}))


@require_perm(MANAGE)
def calendar_add(request: AuthenticatedRequest) -> HttpResponse:
    """GET: the page with the form; POST: add, back to the year of the date added."""
    year = _year(request)
    if request.method != "POST":
        return _page(request, year, CalendarDayForm(initial={"start": dt.date(year, 1, 1)}))
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        year = data["start"].year
        try:
            days = services.calendar_add(
                actor=request.user, kind=data["kind"], start=data["start"], end=data["end"], name=data["name"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(name)s entered: %(count)d day changed.",
                    "%(name)s entered: %(count)d days changed.",
                    len(days),
                )
                % {"name": data["name"], "count": len(days)},
            )
            return redirect(f"{reverse('core:calendar_list')}?year={year}")
    return _page(request, year, form)


@require_perm(MANAGE)
@require_POST
def calendar_remove(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        day = CalendarDay.objects.get(pk=pk)
    except CalendarDay.DoesNotExist as error:
        raise Http404 from error
    services.calendar_day_remove(actor=request.user, day=day)
    messages.success(
        request,
        _("%(date)s is an ordinary day again.") % {"date": day.date.isoformat()},
    )
    return redirect(f"{reverse('core:calendar_list')}?year={day.date.year}")
