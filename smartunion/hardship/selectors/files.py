"""Reads of the hardship files' console pages: the filtered list and its tab counts, the file's timeline
and the derivation of its category. Lists carry no figures: only statuses, categories and causes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.audit import action_label, history_for
from smartunion.hardship.models import CategoryChange, Document, HardshipFile, HomeVisit, Objection
from smartunion.hardship.services.category import Derivation
from smartunion.hardship.services.common import file_derivation

from .access import files_for_user

Status = HardshipFile.Status
REVIEW_SOON_DAYS = 30

TABS: list[tuple[str, Any]] = [
    ("all", gettext_lazy("All")),
    ("draft", gettext_lazy("Drafts")),
    ("applied", gettext_lazy("Awaiting the visit")),
    ("visited", gettext_lazy("Awaiting review")),
    ("notice", gettext_lazy("Public notice")),
    ("active", gettext_lazy("Active")),
    ("closed", gettext_lazy("Closed")),
]
TAB_STATUSES: dict[str, tuple[str, ...]] = {
    "draft": (Status.DRAFT,),
    "applied": (Status.APPLIED,),
    "visited": (Status.VISITED,),
    "notice": (Status.NOTICE,),
    "active": (Status.ACTIVE,),
    "closed": tuple(HardshipFile.CLOSED_STATUSES),
}


def files_list_for_user(
    *,
    user: Any,
    tab: str = "all",
    category: str = "",
    cause: str = "",
    unit: Any = None,
    review_due: str = "",
    search: str = "",
) -> QuerySet[HardshipFile]:
    """The files of the user's scope, filtered. ``review_due``: "overdue" or "soon" (within 30 days)."""
    files = files_for_user(user)
    if tab in TAB_STATUSES:
        files = files.filter(status__in=TAB_STATUSES[tab])
    if category:
        files = files.filter(category=category)
    if cause:
        files = files.filter(cause=cause)
    if unit is not None:
        files = files.filter(unit__path__startswith=unit.path)
    today = timezone.localdate()
    if review_due == "overdue":
        files = files.filter(status=Status.ACTIVE, review_due_on__lt=today)
    elif review_due == "soon":
        files = files.filter(
            status=Status.ACTIVE,
            review_due_on__gte=today,
            review_due_on__lte=today + dt.timedelta(days=REVIEW_SOON_DAYS),
        )
    term = (search or "").strip()
    if term:
        files = files.filter(
            Q(person__name__icontains=term) | Q(person__staff_no__iexact=term) | Q(number__iexact=term)
        )
    return files


def file_counts_for_user(*, user: Any) -> dict[str, int]:
    """How many files of the user's scope are in each tab."""
    rows = files_for_user(user).order_by().values("status").annotate(n=Count("id"))
    by_status = {row["status"]: row["n"] for row in rows}
    counts = {
        key: sum(by_status.get(status, 0) for status in statuses) for key, statuses in TAB_STATUSES.items()
    }
    counts["all"] = sum(by_status.values())
    return counts


def derivation_for(file: HardshipFile) -> Derivation:
    """How the category is derived from the figures now (for the sensitive viewers' panel)."""
    return file_derivation(file)


def household_of(file: HardshipFile) -> list[Any]:
    return list(file.household.all())


def visits_of(file: HardshipFile) -> list[HomeVisit]:
    return list(file.visits.select_related("recorded_by"))


def objections_of(file: HardshipFile) -> list[Objection]:
    return list(file.objections.select_related("raised_by", "resolved_by"))


def category_history_of(file: HardshipFile) -> list[CategoryChange]:
    return list(file.category_changes.select_related("changed_by").order_by("-changed_at", "-id"))


def documents_of(file: HardshipFile) -> list[Document]:
    return list(file.documents.select_related("uploaded_by").defer("content"))


@dataclass(frozen=True)
class TimelineItem:
    when: dt.datetime
    kind: str  # audit / category / visit / objection
    title: str
    who: str
    detail: str = ""  # sensitive: shown to the case handlers only
    public: str = ""  # not sensitive


def _name(user: Any) -> str:
    if user is None:
        return _("the system")
    return getattr(user, "display_name", "") or str(user)


def _at_midday(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def file_timeline(file: HardshipFile) -> list[TimelineItem]:
    """Everything that happened to the file, newest first: the audit history (without the views and the
    category changes, which come from their own records), the category changes, visits and objections."""
    items: list[TimelineItem] = []
    skip = {"hardship.file.viewed", "hardship.document.viewed", "hardship.file.category_changed"}
    for entry in history_for(file, limit=200):
        if entry.action in skip:
            continue
        items.append(
            TimelineItem(
                when=entry.created_at,
                kind="audit",
                title=_action_label(entry.action),
                who=entry.actor_label or _name(entry.actor),
            )
        )
    for change in category_history_of(file):
        items.append(
            TimelineItem(
                when=change.changed_at,
                kind="category",
                title=_("Category: %(old)s → %(new)s (%(source)s)")
                % {
                    "old": change.get_old_category_display() or "—",
                    "new": change.get_new_category_display() or "—",
                    "source": change.get_source_display(),
                },
                who=_name(change.changed_by),
                detail=change.reason,
            )
        )
    for visit in visits_of(file):
        items.append(
            TimelineItem(
                when=_at_midday(visit.visited_on),
                kind="visit",
                title=_("Home visit by %(visitors)s") % {"visitors": visit.visitors},
                who=_name(visit.recorded_by),
                detail=visit.findings,
            )
        )
    for objection in objections_of(file):
        items.append(
            TimelineItem(
                when=objection.raised_at,
                kind="objection",
                title=_("Objection raised"),
                who=_name(objection.raised_by),
                detail=objection.text,
            )
        )
        if objection.resolved_at is not None:
            items.append(
                TimelineItem(
                    when=objection.resolved_at,
                    kind="objection",
                    title=_("Objection upheld") if objection.upheld else _("Objection dismissed"),
                    who=_name(objection.resolved_by),
                    detail=objection.resolution,
                )
            )
    items.sort(key=lambda item: item.when, reverse=True)
    return items


def _action_label(action: str) -> str:
    return str(action_label(action))


def current_file_of(person: Any) -> HardshipFile | None:
    """The member's current file (open or active), if any: one file per family."""
    return (
        HardshipFile.objects.filter(
            person=person, status__in=(*HardshipFile.OPEN_STATUSES, HardshipFile.Status.ACTIVE)
        )
        .order_by("-created_at")
        .first()
    )
