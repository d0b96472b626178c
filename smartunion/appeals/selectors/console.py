"""Reads of the union office's appeal pages: the triage queue, the overdue appeals and all appeals with
filters (status, office, category, dates, a search in the number and the text — never in who submitted
it), the summary by office, and an appeal's parts for its page. Appeals are school-wide for the union
office: whoever holds ``appeals.view`` sees every appeal (but not who submitted an anonymous one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smartunion.organisations import selectors_offices

from ..models import Appeal, Attachment, Category, Event, Rating, Reply, Routing
from .suggestions import is_shown

Status = Appeal.Status
# Statuses in which an office owes an acknowledgement or a reply.
RUNNING = (Status.ROUTED, Status.IN_PROGRESS, Status.REOPENED)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise


TABS = [
    Tab("triage", _("Triage queue (待分派)")),
    Tab("overdue", _("Overdue (超期)")),
    Tab("all", _("All")),
]
TAB_KEYS = [tab.key for tab in TABS]


def overdue_q(today: dt.date | None = None) -> Q:
    """Past the acknowledgement deadline without an acknowledgement, or past the reply deadline without
    a reply."""
    today = today or timezone.localdate()
    late_ack = Q(status=Status.ROUTED, acknowledged_at__isnull=True, acknowledge_due__lt=today)
    late_reply = Q(status__in=RUNNING, reply_due__lt=today)
    return late_ack | late_reply


def _base() -> QuerySet[Appeal]:
    # The person is loaded only for the submitter label (the member's own appeals show their name).
    return Appeal.objects.select_related("office", "category", "person", "unit")


def appeal_list(
    *,
    tab: str = "all",
    status: str = "",
    office: Any = None,
    category: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    search: str = "",
) -> QuerySet[Appeal]:
    appeals = _base()
    if tab == "triage":
        appeals = appeals.filter(status=Status.TRIAGE)
    elif tab == "overdue":
        appeals = appeals.filter(overdue_q())
    if status:
        appeals = appeals.filter(status=status)
    if office:
        appeals = appeals.filter(office=office)
    if category:
        appeals = appeals.filter(category=category)
    if date_from:
        appeals = appeals.filter(created_at__date__gte=date_from)
    if date_to:
        appeals = appeals.filter(created_at__date__lte=date_to)
    search = (search or "").strip()
    if search:
        appeals = appeals.filter(
            Q(number__icontains=search) | Q(title__icontains=search) | Q(body__icontains=search)
        )
    return appeals


def tab_counts() -> dict[str, int]:
    """The triage queue's and the overdue list's sizes (one query)."""
    counts = Appeal.objects.aggregate(
        triage=Count("id", filter=Q(status=Status.TRIAGE)),
        overdue=Count("id", filter=overdue_q()),
    )
    return {key: value or 0 for key, value in counts.items()}


def filter_choices() -> dict[str, Any]:
    return {
        "offices": selectors_offices.office_list(active_only=False).order_by("sort_order", "name"),
        "categories": Category.objects.select_related("office"),
    }


def categories_by_pk(pks: set[int]) -> dict[int, Category]:
    return {c.pk: c for c in Category.objects.filter(pk__in=pks).select_related("office")}


def suggestions_of(appeals: list[Appeal]) -> dict[int, list[dict[str, Any]]]:
    """Each appeal's stored router suggestions with their categories and offices (one query for all),
    those under 5 % left out (``suggestions.is_shown``)."""
    pks = {row.get("category") for appeal in appeals for row in (appeal.suggestions or [])}
    categories = categories_by_pk({pk for pk in pks if isinstance(pk, int)})
    result: dict[int, list[dict[str, Any]]] = {}
    for appeal in appeals:
        rows = []
        for row in appeal.suggestions or []:
            category = categories.get(row.get("category"))
            if category is None:
                continue
            confidence = float(row.get("confidence") or 0)
            if not is_shown(confidence):
                continue
            rows.append(
                {
                    "category": category,
                    "office": category.office,
                    "confidence": confidence,
                    "percent": round(confidence * 100),
                    "usable": category.is_active and category.office.is_active,
                }
            )
        result[appeal.pk] = rows
    return result


# -- by office -----------------------------------------------------------------------------------------------


def by_office(today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per handling office: open appeals, overdue ones, the share of replies given on time and the share
    of ratings that are satisfied or basically satisfied (four grouped queries)."""
    today = today or timezone.localdate()
    offices = list(selectors_offices.office_list(active_only=False).order_by("sort_order", "name"))
    open_rows: dict[int, dict[str, Any]] = {
        row["office"]: dict(row)
        for row in Appeal.objects.filter(office__isnull=False)
        .order_by()
        .values("office")
        .annotate(
            open=Count("id", filter=Q(status__in=RUNNING)),
            overdue=Count("id", filter=overdue_q(today)),
            total=Count("id"),
        )
    }
    reply_rows: dict[int, dict[str, Any]] = {
        row["office"]: dict(row)
        for row in Reply.objects.filter(office__isnull=False)
        .order_by()
        .values("office")
        .annotate(total=Count("id"), on_time=Count("id", filter=Q(is_overdue=False)))
    }
    rating_rows: dict[int, dict[str, Any]] = {
        row["appeal__office"]: dict(row)
        for row in Rating.objects.filter(appeal__office__isnull=False)
        .order_by()
        .values("appeal__office")
        .annotate(
            total=Count("id"),
            satisfied=Count("id", filter=Q(score__in=(Rating.Score.SATISFIED, Rating.Score.BASICALLY))),
        )
    }

    def percent(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    result = []
    for office in offices:
        counts = open_rows.get(office.pk, {})
        replies = reply_rows.get(office.pk, {})
        ratings = rating_rows.get(office.pk, {})
        if not counts and not office.is_active:
            continue
        result.append(
            {
                "office": office,
                "total": counts.get("total", 0),
                "open": counts.get("open", 0),
                "overdue": counts.get("overdue", 0),
                "replies": replies.get("total", 0),
                "on_time_percent": percent(replies.get("on_time", 0), replies.get("total", 0)),
                "ratings": ratings.get("total", 0),
                "satisfaction_percent": percent(ratings.get("satisfied", 0), ratings.get("total", 0)),
            }
        )
    return result


# -- one appeal --------------------------------------------------------------------------------------------


def appeal_get(pk: Any) -> Appeal:
    try:
        return _base().get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def appeal_parts(appeal: Appeal) -> dict[str, Any]:
    """The appeal's related rows for its page (one query each)."""
    return {
        "attachments": list(
            Attachment.objects.filter(appeal=appeal).only("pk", "appeal_id", "name", "content_type", "size")
        ),
        "routings": list(Routing.objects.filter(appeal=appeal).select_related("office", "category", "by")),
        "replies": list(Reply.objects.filter(appeal=appeal).select_related("office", "by")),
        "ratings": list(Rating.objects.filter(appeal=appeal)),
        "events": list(Event.objects.filter(appeal=appeal).select_related("actor", "office")),
    }


def attachment_get(pk: Any) -> Attachment:
    try:
        return Attachment.objects.get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
