"""Reads of a handling office's side: the appeals routed to the offices the user works for (and only
those), by tab, one of them (404 for another office's, and for appeals in triage or withdrawn), its
attachments and its timeline as the office may see it — never who submitted an anonymous appeal."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartunion.organisations import selectors_offices

from ..models import Appeal, Attachment, Event, Rating, Reply
from . import sla

Status = Appeal.Status
HANDLE = "appeals.handle"
# What an office sees: routed to it and not in triage or withdrawn (an appeal passed back as misrouted
# goes back to triage and leaves the office's lists).
VISIBLE = (Status.ROUTED, Status.IN_PROGRESS, Status.REPLIED, Status.REOPENED, Status.CLOSED)


@dataclass(frozen=True)
class Tab:
    key: str
    label: str | Promise
    statuses: tuple[str, ...]


OFFICE_TABS = [
    Tab("acknowledge", _("To acknowledge (待受理)"), (Status.ROUTED,)),
    Tab("progress", _("In progress (办理中)"), (Status.IN_PROGRESS, Status.REOPENED)),
    Tab("overdue", _("Overdue (已超时)"), sla.RUNNING),
    Tab("replied", _("Replied or closed (已答复)"), (Status.REPLIED, Status.CLOSED)),
    Tab("all", _("All"), VISIBLE),
]
OFFICE_TAB_KEYS = [tab.key for tab in OFFICE_TABS]


def _tab(key: str) -> Tab:
    return next((tab for tab in OFFICE_TABS if tab.key == key), OFFICE_TABS[0])


def office_ids(user: Any) -> set[int]:
    """The offices whose appeals the user handles (none without ``appeals.handle``)."""
    if not getattr(user, "is_authenticated", False) or not user.has_unit_perm(HANDLE):
        return set()
    return selectors_offices.office_ids_of_user(user)


def overdue_q(today: dt.date) -> Q:
    """Waiting for the office past a deadline that applies to its status (see ``sla.due_dates``)."""
    return Q(status=Status.ROUTED, acknowledge_due__lt=today) | Q(status__in=sla.RUNNING, reply_due__lt=today)


def _rows(user: Any) -> QuerySet[Appeal]:
    return Appeal.objects.filter(office_id__in=office_ids(user), status__in=VISIBLE).select_related(
        "office", "category", "unit", "person"
    )


def appeal_list_for_office(*, user: Any, tab: str = "acknowledge", search: str = "") -> QuerySet[Appeal]:
    rows = _rows(user)
    current = _tab(tab)
    rows = rows.filter(status__in=current.statuses)
    if current.key == "overdue":
        rows = rows.filter(overdue_q(timezone.localdate()))
    search = (search or "").strip()
    if search:
        rows = rows.filter(Q(number__icontains=search) | Q(title__icontains=search))
    return rows


def office_counts(*, user: Any) -> dict[str, int]:
    rows = _rows(user)
    by_status: dict[str, int] = {}
    for status in rows.values_list("status", flat=True):
        by_status[status] = by_status.get(status, 0) + 1
    counts = {tab.key: sum(by_status.get(status, 0) for status in tab.statuses) for tab in OFFICE_TABS}
    counts["overdue"] = rows.filter(overdue_q(timezone.localdate())).count()
    return counts


def appeal_get_for_office(*, user: Any, pk: Any) -> Appeal:
    """One appeal routed to the user's office, or 404 (another office's, in triage, withdrawn)."""
    try:
        return _rows(user).get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def attachment_get_for_office(*, user: Any, pk: Any) -> Attachment:
    try:
        attachment = Attachment.objects.select_related("appeal").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    appeal_get_for_office(user=user, pk=attachment.appeal_id)
    return attachment


def attachment_label(attachment: Attachment, index: int) -> str:
    """The file name the office sees: for an anonymous appeal a neutral one (附件1.pdf), since a member's
    own file name often carries their name or staff number."""
    if not attachment.appeal.is_anonymous:
        return attachment.name
    extension = os.path.splitext(attachment.name)[1].lower()[:10]
    return f"{gettext('Attachment')}{index}{extension}"


def attachments_for_office(appeal: Appeal) -> list[dict[str, Any]]:
    rows = list(Attachment.objects.filter(appeal=appeal).defer("content"))
    for row in rows:
        row.appeal = appeal
    return [
        {
            "pk": row.pk,
            "name": attachment_label(row, index),
            "size": row.size,
            "content_type": row.content_type,
        }
        for index, row in enumerate(rows, start=1)
    ]


def attachment_index(attachment: Attachment) -> int:
    ids = list(Attachment.objects.filter(appeal_id=attachment.appeal_id).values_list("pk", flat=True))
    return ids.index(attachment.pk) + 1 if attachment.pk in ids else 1


def replies(appeal: Appeal) -> list[Reply]:
    return list(Reply.objects.filter(appeal=appeal).select_related("office", "by"))


def ratings(appeal: Appeal) -> list[Rating]:
    return list(Rating.objects.filter(appeal=appeal))


def timeline(appeal: Appeal, viewer: Any, member_label: str) -> list[dict[str, Any]]:
    """The appeal's events as the office sees them: the member's own steps (and any step whose actor is
    the member's account) show ``member_label`` — for an anonymous appeal "the member", never a name."""
    member_user_id = appeal.person.user_id if appeal.person_id else None
    result = []
    for event in Event.objects.filter(appeal=appeal).select_related("actor", "office"):
        if event.by_member or (member_user_id and event.actor_id == member_user_id):
            who = member_label
        elif event.actor is not None:
            who = event.actor.display_name
        else:
            who = ""
        result.append(
            {
                "kind": event.kind,
                "label": event.get_kind_display(),
                "at": event.created_at,
                "who": who,
                "office": event.office.name if event.office else "",
                "note": event.note,
            }
        )
    return result
