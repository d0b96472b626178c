from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from smartunion.notifications import services
from smartunion.notifications.channels import Channel, _configured
from smartunion.notifications.models import Delivery, Notification


@pytest.fixture
def email_on(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_CHANNELS = ["smartunion.notifications.channels.EmailChannel"]
    _configured.cache_clear()


def test_notify_stores_in_app_messages_and_emails_after_commit(
    make_user: Any, email_on: None, django_capture_on_commit_callbacks: Any
) -> None:
    with_email = make_user(email="a@example.edu.cn")
    without_email = make_user()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = services.notify(
            recipients=[with_email, without_email], kind="test", title="报名成功", body="您已报名", link="/m/"
        )
        assert len(mail.outbox) == 0  # nothing leaves before the transaction commits
    assert len(created) == 2
    assert len(callbacks) == 1
    assert Notification.objects.filter(recipient=without_email, title="报名成功").exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.edu.cn"]
    assert "http://localhost:8000/m/" in mail.outbox[0].body
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1


def test_notify_skips_inactive_and_empty_recipients(make_user: Any) -> None:
    inactive = make_user(is_active=False)
    assert services.notify(recipients=[inactive, None], kind="test", title="x") == []
    assert not Notification.objects.exists()


class FlakyChannel(Channel):
    name = "flaky"
    failures_left = 2

    def can_reach(self, user: Any) -> bool:
        return True

    def send(self, notification: Notification) -> None:
        if FlakyChannel.failures_left > 0:
            FlakyChannel.failures_left -= 1
            raise ConnectionError("webhook down")


def test_failed_delivery_is_retried_then_given_up(
    make_user: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFICATION_CHANNELS = [f"{__name__}.FlakyChannel"]
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    _configured.cache_clear()
    FlakyChannel.failures_left = 2
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[user], kind="test", title="提醒")
    # The immediate backend runs the retries inline: two failures, then success on the third attempt.
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 3

    FlakyChannel.failures_left = 10
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[user], kind="test", title="再次提醒")
    failed = Delivery.objects.get(notification__title="再次提醒")
    assert failed.status == Delivery.Status.FAILED
    assert failed.attempts == 3
    assert "webhook down" in failed.last_error
    _configured.cache_clear()


def test_mark_read_only_touches_own_notifications(make_user: Any) -> None:
    alice, bob = make_user(), make_user()
    [note] = services.notify(recipients=[alice], kind="test", title="给 Alice")
    services.mark_read(user=bob, notification=note)
    note.refresh_from_db()
    assert note.read_at is None
    services.mark_read(user=alice, notification=note)
    note.refresh_from_db()
    assert note.read_at is not None
    services.notify(recipients=[alice, bob], kind="test", title="群发")
    assert services.mark_all_read(user=alice) == 1
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1
