"""``notify(recipients=, kind=, title=, body=, link=)``: the in-app message at once, outside channels after
the transaction commits, through the task worker, retried with back-off."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .channels import channel_named, configured_channels
from .models import Delivery, Notification

logger = logging.getLogger(__name__)


def notify(
    *, recipients: Iterable[Any], kind: str, title: str, body: str = "", link: str = ""
) -> list[Notification]:
    users = [user for user in recipients if user is not None and getattr(user, "is_active", True)]
    if not users:
        return []
    notifications = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, title=title[:200], body=body, link=link[:300])
            for user in users
        ]
    )
    deliveries = [
        Delivery(notification=notification, channel=channel.name)
        for notification in notifications
        for channel in configured_channels()
        if channel.can_reach(notification.recipient)
    ]
    if deliveries:
        created = Delivery.objects.bulk_create(deliveries)
        ids = [delivery.pk for delivery in created]
        transaction.on_commit(lambda: _enqueue(ids))
    return notifications


def _enqueue(delivery_ids: list[int], run_after: dt.datetime | None = None) -> None:
    from .tasks import deliver_task

    task = deliver_task
    # The database backend waits until run_after; a backend that cannot defer (the inline one used in
    # tests) retries at once.
    if run_after is not None and deliver_task.get_backend().supports_defer:
        task = deliver_task.using(run_after=run_after)
    task.enqueue(delivery_ids)


def deliver(*, delivery_ids: list[int]) -> dict[str, int]:
    """Send pending deliveries; failures are retried later (back-off doubling from one minute)."""
    result = {"sent": 0, "retry": 0, "failed": 0}
    retry: list[int] = []
    pending = Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING).select_related(
        "notification__recipient"
    )
    for delivery in pending:
        channel = channel_named(delivery.channel)
        delivery.attempts += 1
        try:
            if channel is None:
                raise RuntimeError(f"channel {delivery.channel} is not configured")
            channel.send(delivery.notification)
        except Exception as exc:  # any channel error is retried, then given up on
            delivery.last_error = f"{exc.__class__.__name__}: {exc}"[:300]
            if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                delivery.status = Delivery.Status.FAILED
                result["failed"] += 1
                logger.warning("Delivery %s failed for good: %s", delivery.pk, delivery.last_error)
            else:
                retry.append(delivery.pk)
                result["retry"] += 1
        else:
            delivery.status = Delivery.Status.SENT
            delivery.sent_at = timezone.now()
            result["sent"] += 1
        delivery.save(update_fields=["attempts", "status", "last_error", "sent_at"])
    if retry:
        attempts = max(Delivery.objects.filter(pk__in=retry).values_list("attempts", flat=True))
        _enqueue(retry, run_after=timezone.now() + dt.timedelta(minutes=2 ** (attempts - 1)))
    return result


def mark_read(*, user: Any, notification: Notification) -> None:
    if notification.recipient_id == user.pk and notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
