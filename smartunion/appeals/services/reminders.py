"""The appeals' daily reminders and escalation (``manage.py appeals_reminders``).

Each is sent once per appeal, kind and round — a ``Reminder`` row is the proof, so a second run the same
day sends nothing and a run after days of downtime sends what is due now (catching up, never twice):

* ``ack_due`` — a routed appeal not acknowledged by its date: the office's staff;
* ``reply_soon`` — the reply is due within two working days: the office's staff;
* ``reply_overdue`` — past the reply date without a reply: the office's staff and its head (an appeal
  found overdue at once gets no "due soon" any more);
* ``escalated`` — overdue by ``Settings.escalate_after_working_days`` working days: the union office
  (holders of ``appeals.triage`` at the top of the tree) and the office's head; the appeal is marked
  escalated with an event on its timeline;
* ``rate`` — replied five working days ago and not rated: the member.

Nothing sent to the office or the union office names the submitter (anonymous appeals stay anonymous).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core import workdays
from smartunion.core.audit import audit
from smartunion.organisations import selectors as org_selectors
from smartunion.organisations import selectors_offices

from ..models import Appeal, Event, Rating, Reminder, Settings
from ..selectors import sla
from . import handling, routing

Status = Appeal.Status
Kind = Reminder.Kind
RATE_AFTER_WORKING_DAYS = 5
WAITING_REPLY = (Status.ROUTED, Status.IN_PROGRESS, Status.REOPENED)


def union_office_users() -> list[Any]:
    """The union office: holders of ``appeals.triage`` at the top of the tree."""
    return routing.triage_users()


def escalate_after() -> int:
    row = Settings.objects.filter(pk=1).first()
    return row.escalate_after_working_days if row else Settings().escalate_after_working_days


def _round(appeal: Appeal) -> int:
    return appeal.reopen_count + 1


def _candidates(kind: str, **filters: Any) -> list[Appeal]:
    """Appeals matching ``filters`` without ``kind`` sent in their current round."""
    rows = Appeal.objects.filter(**filters).select_related("office", "person").order_by("pk")
    sent = set(Reminder.objects.filter(kind=kind, appeal__in=rows).values_list("appeal_id", "round"))
    return [appeal for appeal in rows if (appeal.pk, _round(appeal)) not in sent]


def _console_link(appeal: Appeal) -> str:
    """The union office's page of the appeal (the triage part's URL), else the office page."""
    for name in ("appeals:console_detail", "appeals:triage_detail"):
        try:
            return reverse(name, kwargs={"pk": appeal.pk})
        except NoReverseMatch:
            continue
    return handling.office_link(appeal)


def _send(
    appeal: Appeal,
    kind: str,
    *,
    today: dt.date,
    recipients: list[Any],
    title: str,
    body: str,
    link: str,
    escalate: bool = False,
) -> tuple[bool, int]:
    """Record one reminder and send it, the appeal locked: whether it was recorded now (False when sent
    already, or the appeal moved on since it was read) and the number of people told."""
    with transaction.atomic():
        locked = handling.appeal_lock(appeal.pk)
        if locked.status != appeal.status or locked.reopen_count != appeal.reopen_count:
            return False, 0
        try:
            with transaction.atomic():
                Reminder.objects.create(appeal=locked, kind=kind, round=_round(locked), sent_on=today)
        except IntegrityError:
            return False, 0
        Event.objects.create(
            appeal=locked,
            kind=Event.Kind.ESCALATED if escalate else Event.Kind.REMINDED,
            office=locked.office,
            note=f"{Kind(kind).label}: {title}",
        )
        if escalate:
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalated_at", "updated_at"])
            handling.audit_appeal(
                actor=None,
                action="appeals.appeal.escalated",
                appeal=locked,
                changes={
                    "reply_due": locked.reply_due,
                    "office": locked.office.name if locked.office else "",
                },
            )
        users = list({user.pk: user for user in recipients if user is not None}.values())
        handling.notify_after_commit(users, kind=f"appeals.{kind}", title=title, body=body, link=link)
        return True, len(users)


def _staff(appeal: Appeal, *, heads_only: bool = False) -> list[Any]:
    if appeal.office_id is None:
        return []
    return selectors_offices.office_staff_users([appeal.office_id], heads_only=heads_only)


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Send the reminders due on ``today`` (see the module docstring): counts by kind and the number of
    notifications."""
    today = today or timezone.localdate()
    sent: Counter[str] = Counter()
    notified = 0

    def tally(kind: str, outcome: tuple[bool, int]) -> None:
        nonlocal notified
        sent[kind] += outcome[0]
        notified += outcome[1]

    # Acknowledgement overdue.
    for appeal in _candidates(Kind.ACKNOWLEDGE_DUE, status=Status.ROUTED, acknowledge_due__lt=today):
        assert appeal.acknowledge_due is not None
        tally(
            Kind.ACKNOWLEDGE_DUE,
            _send(
                appeal,
                Kind.ACKNOWLEDGE_DUE,
                today=today,
                recipients=_staff(appeal),
                title=_("Appeal %(number)s: please acknowledge it (due %(date)s)")
                % {"number": appeal.number, "date": appeal.acknowledge_due.isoformat()},
                body=appeal.title,
                link=handling.office_link(appeal),
            ),
        )

    # Reply due within two working days (not already overdue).
    soon = [
        appeal
        for appeal in _candidates(Kind.REPLY_SOON, status__in=WAITING_REPLY, reply_due__gte=today)
        if not Reminder.objects.filter(appeal=appeal, kind=Kind.REPLY_OVERDUE, round=_round(appeal)).exists()
    ]
    exceptions = (
        workdays.exceptions_between(today, max(a.reply_due for a in soon if a.reply_due)) if soon else {}
    )
    for appeal in soon:
        assert appeal.reply_due is not None
        left = workdays.count_between(today, appeal.reply_due, exceptions)
        if left > sla.REPLY_WARNING_WORKING_DAYS:
            continue
        tally(
            Kind.REPLY_SOON,
            _send(
                appeal,
                Kind.REPLY_SOON,
                today=today,
                recipients=_staff(appeal),
                title=_("Appeal %(number)s: the reply is due on %(date)s")
                % {"number": appeal.number, "date": appeal.reply_due.isoformat()},
                body=_("%(days)s working day(s) left to reply.") % {"days": left},
                link=handling.office_link(appeal),
            ),
        )

    # Reply overdue: the office's staff and its head.
    for appeal in _candidates(Kind.REPLY_OVERDUE, status__in=WAITING_REPLY, reply_due__lt=today):
        assert appeal.reply_due is not None
        tally(
            Kind.REPLY_OVERDUE,
            _send(
                appeal,
                Kind.REPLY_OVERDUE,
                today=today,
                recipients=_staff(appeal),  # the heads are staff of the office too
                title=_("Appeal %(number)s: the reply is overdue (due %(date)s)")
                % {"number": appeal.number, "date": appeal.reply_due.isoformat()},
                body=appeal.title,
                link=handling.office_link(appeal),
            ),
        )

    # Escalation to the union office after the configured working days past the reply date.
    late = _candidates(Kind.ESCALATED, status__in=WAITING_REPLY, reply_due__lt=today)
    if late:
        after = escalate_after()
        union = union_office_users()
        exceptions = workdays.exceptions_between(min(a.reply_due for a in late if a.reply_due), today)
        for appeal in late:
            assert appeal.reply_due is not None
            days = workdays.count_between(appeal.reply_due, today, exceptions)
            if days < after:
                continue
            office = appeal.office.name if appeal.office else ""
            tally(
                Kind.ESCALATED,
                _send(
                    appeal,
                    Kind.ESCALATED,
                    today=today,
                    recipients=[*union, *_staff(appeal, heads_only=True)],
                    title=_("Escalated: appeal %(number)s is %(days)s working days overdue at %(office)s")
                    % {"number": appeal.number, "days": days, "office": office},
                    body=appeal.title,
                    link=_console_link(appeal),
                    escalate=True,
                ),
            )

    # Replied five working days ago and not rated: the member.
    for appeal in _candidates(Kind.RATE, status=Status.REPLIED, replied_at__isnull=False):
        assert appeal.replied_at is not None
        replied = timezone.localtime(appeal.replied_at).date()
        if workdays.working_days_between(replied, today) < RATE_AFTER_WORKING_DAYS:
            continue
        if Rating.objects.filter(appeal=appeal, round=_round(appeal)).exists():
            continue
        member = appeal.person.user if appeal.person.user_id else None
        tally(
            Kind.RATE,
            _send(
                appeal,
                Kind.RATE,
                today=today,
                recipients=[member],
                title=_("Please rate the reply to your appeal %(number)s") % {"number": appeal.number},
                body=_("Your rating (满意 / 基本满意 / 不满意) closes the appeal or reopens it once."),
                link=handling.portal_link(appeal),
            ),
        )

    result = {kind: sent.get(kind, 0) for kind in Kind.values}
    result["notifications"] = notified
    if sum(sent.values()):
        audit(
            actor=None,
            action="appeals.reminders.sent",
            changes={**result, "date": today},
            unit=org_selectors.top_unit(),
        )
    return result
