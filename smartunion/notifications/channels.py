"""Outside channels for notifications. A channel says whom it can reach and sends one notification,
raising on failure (the task worker retries). 企业微信 / 钉钉 webhooks plug in here later."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import Notification


class Channel:
    name = ""

    def can_reach(self, user: Any) -> bool:
        raise NotImplementedError

    def send(self, notification: Notification) -> None:
        raise NotImplementedError


class EmailChannel(Channel):
    name = "email"

    def enabled(self) -> bool:
        # SMTP without a host would only fail: email is on when a host (or a non-SMTP backend) is set.
        return bool(settings.EMAIL_HOST) or not settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")

    def can_reach(self, user: Any) -> bool:
        return self.enabled() and bool(getattr(user, "email", ""))

    def send(self, notification: Notification) -> None:
        body = notification.body
        if notification.link:
            link = (
                notification.link
                if notification.link.startswith("http")
                else f"{settings.SITE_URL}{notification.link}"
            )
            body = f"{body}\n\n{link}".strip()
        send_mail(
            subject=notification.title,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient.email],
            fail_silently=False,
        )


@lru_cache(maxsize=1)
def _configured(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    return tuple(import_string(path)() for path in paths)


def configured_channels() -> tuple[Channel, ...]:
    return _configured(tuple(settings.NOTIFICATION_CHANNELS))


def channel_named(name: str) -> Channel | None:
    for channel in configured_channels():
        if channel.name == name:
            return channel
    return None
