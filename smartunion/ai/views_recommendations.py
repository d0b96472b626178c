"""The recommendations (适合我): the member home page's block, and for the union office how often the
recommended items are taken up — per kind, per month, the top items — with an Excel export."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.excel.exporting import SheetColumn, write_workbook, xlsx_response
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.members.selectors import person_of_user

from .selectors import recommendations as selectors
from .services import recommendations as services

VIEW = "ai.recommendations.view"
HOME_LIMIT = 5
# The periods the figures page offers: months back (0: since the start).
PERIODS = (3, 6, 12, 0)
DEFAULT_PERIOD = 12

logger = logging.getLogger(__name__)


# -- the member's home page ----------------------------------------------------------------------------


def home_block(request: HttpRequest) -> dict[str, Any] | None:
    """首页 "适合我": up to five things the member could take up now, each with its reason; left out when
    there is nothing. Showing them counts an impression (and first checks what was taken up since)."""
    person = person_of_user(request.user)
    if person is None:
        return None
    try:
        with transaction.atomic():
            services.refresh_take_up(person_ids=[person.pk])
            items = selectors.recommendations_for(person, limit=HOME_LIMIT)
            services.record_shown(person=person, items=items)
    except Exception:  # the home page must not fail because of its recommendations
        logger.exception("Recommendations for person %s failed", person.pk)
        return None
    if not items:
        return None
    return {"items": items}


# -- the union office's figures --------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[int, dt.date | None]:
    try:
        months = int(request.GET.get("period", DEFAULT_PERIOD))
    except (TypeError, ValueError):
        months = DEFAULT_PERIOD
    if months not in PERIODS:
        months = DEFAULT_PERIOD
    if not months:
        return months, None
    today = timezone.localdate()
    first = today.replace(day=1)
    year, month = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
    return months, dt.date(year, month + 1, 1)


def _period_label(months: int) -> str:
    return _("Last %(months)s months") % {"months": months} if months else _("Since the start")


@require_perm(VIEW)
def recommendations_stats(request: AuthenticatedRequest) -> HttpResponseBase:
    months, since = _period(request)
    stats = selectors.take_up_stats(since=since)
    return render(
        request,
        "ai/recommendations/stats.html",
        {
            "stats": stats,
            "since": since,
            "period": months,
            "periods": [(value, _period_label(value)) for value in PERIODS],
            "kinds": selectors.kind_labels(),
            "breadcrumbs": [(_("Recommendations (适合我)"), "")],
        },
    )


def _percent(figures: selectors.TakeUp) -> str:
    return "" if figures.rate is None else f"{figures.rate}%"


def _rows(stats: dict[str, Any]) -> Iterator[list[Any]]:
    section = _("Overall")
    overall = stats["overall"]
    yield [section, _("All kinds"), "", overall.shown, overall.taken, _percent(overall)]
    section = _("By kind")
    for row in stats["by_kind"]:
        figures = row["figures"]
        yield [section, str(row["label"]), "", figures.shown, figures.taken, _percent(figures)]
    section = _("By month")
    labels = [label for _kind, label in selectors.kind_labels()]
    for row in stats["by_month"]:
        month = row["month"].strftime("%Y-%m")
        for label, figures in zip(labels, row["kinds"], strict=True):
            yield [section, month, label, figures.shown, figures.taken, _percent(figures)]
        total = row["total"]
        yield [section, month, _("All kinds"), total.shown, total.taken, _percent(total)]
    section = _("Top items")
    for row in stats["top"]:
        figures = row["figures"]
        yield [section, row["title"], str(row["kind_label"]), figures.shown, figures.taken, _percent(figures)]


@require_perm(VIEW)
def recommendations_export(request: AuthenticatedRequest) -> HttpResponseBase:
    months, since = _period(request)
    stats = selectors.take_up_stats(since=since)
    columns = [
        SheetColumn(_("Section"), 14),
        SheetColumn(_("Row"), 36),
        SheetColumn(_("Kind"), 18),
        SheetColumn(_("Members shown"), 14),
        SheetColumn(_("Taken up"), 12),
        SheetColumn(_("Take-up rate"), 12),
    ]
    title = _("Recommendations (适合我): take-up")
    stamp = timezone.localdate().isoformat()

    def write(target: Any) -> None:
        write_workbook(
            target,
            sheet_title=_("Take-up"),
            columns=columns,
            rows=_rows(stats),
            title=title,
            notes=[
                _period_label(months),
                _(
                    "Members shown: member–item pairs first shown in the period; taken up: registered, chosen or applied for after being shown."
                ),
            ],
        )

    return xlsx_response(f"{_('recommendations')}-{stamp}.xlsx", write)
