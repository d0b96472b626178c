"""Login throttling: after LOGIN_MAX_FAILURES failures within LOGIN_LOCKOUT_MINUTES an account is locked
for the rest of the window. Kept in the database, so every app server sees the same count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from smartunion.core.audit import audit
from smartunion.core.middleware import client_ip
from smartunion.core.normalise import to_halfwidth

from .models import LoginAttempt, User


def normalise_identifier(raw: str) -> str:
    return "".join(to_halfwidth(raw or "").split())[:64]


def find_user(identifier: str) -> User | None:
    """By 工号, else by mobile number."""
    user = User.objects.filter(staff_no=identifier).first()
    if user is None and identifier.isdigit() and len(identifier) == 11:
        user = User.objects.filter(mobile=identifier).first()
    return user


def _recent_failures(identifier: str, user: User | None) -> int:
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    if user is not None and user.password_changed_at is not None and user.password_changed_at > since:
        since = user.password_changed_at  # a new password (e.g. reset by the union office) unlocks
    who = Q(identifier=identifier)
    if user is not None:
        who |= Q(user=user)
    attempts = LoginAttempt.objects.filter(who, created_at__gte=since)
    last_success = (
        attempts.filter(succeeded=True).order_by("-created_at").values_list("created_at", flat=True).first()
    )
    failures = attempts.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(created_at__gt=last_success)
    return failures.count()


def is_locked(identifier: str, user: User | None = None) -> bool:
    return _recent_failures(identifier, user) >= settings.LOGIN_MAX_FAILURES


def ip_is_blocked(ip: str | None) -> bool:
    """Someone trying account after account from one address (locking the whole school out one 工号 at
    a time) is stopped at the address. The limit is high: a campus NAT puts thousands behind one IP."""
    if not ip:
        return False
    since = timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    failures = LoginAttempt.objects.filter(ip_address=ip, succeeded=False, created_at__gte=since).count()
    return failures >= settings.LOGIN_MAX_FAILURES_PER_IP


def record_attempt(identifier: str, user: User | None, *, succeeded: bool, ip: str | None) -> None:
    LoginAttempt.objects.create(identifier=identifier, user=user, succeeded=succeeded, ip_address=ip)
    if not succeeded and _recent_failures(identifier, user) == settings.LOGIN_MAX_FAILURES:
        audit(
            actor=None,
            action="accounts.login.locked",
            target=user,
            changes={"account": identifier, "failures": settings.LOGIN_MAX_FAILURES, "ip": ip},
        )


def client_ip_of(request: Any) -> str | None:
    return client_ip(request) if request is not None else None
