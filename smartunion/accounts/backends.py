from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from smartunion.core.audit import audit

from . import cas, throttle
from .models import User


class StaffNoOrMobileBackend(ModelBackend):
    """Password login by 工号 or mobile number, throttled per account."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        identifier = throttle.normalise_identifier(username)
        user = throttle.find_user(identifier)
        ip = throttle.client_ip_of(request)
        if throttle.is_locked(identifier, user) or throttle.ip_is_blocked(ip):
            return None
        if user is None:
            User().set_password(password)  # same work as a real check, so timing does not reveal accounts
            throttle.record_attempt(identifier, None, succeeded=False, ip=ip)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            throttle.record_attempt(identifier, user, succeeded=True, ip=ip)
            return user
        throttle.record_attempt(identifier, user, succeeded=False, ip=ip)
        return None


class CASBackend(ModelBackend):
    """Campus single sign-on (CAS 3.0): the validated CAS user must be the 工号 of an active account."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        cas_ticket: str | None = None,
        cas_service: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not cas_ticket or not cas_service or not cas.enabled():
            return None
        result = cas.validate(cas_ticket, cas_service)
        if result is None:
            if request is not None:
                request.cas_failure = "ticket"  # type: ignore[attr-defined]
            return None
        staff_no = cas.username_from(result)
        user = User.objects.filter(staff_no=staff_no).first()
        if user is None or not self.user_can_authenticate(user):
            audit(actor=None, action="accounts.login.cas_unknown", changes={"cas_user": staff_no})
            if request is not None:
                request.cas_failure = "account"  # type: ignore[attr-defined]
            return None
        throttle.record_attempt(f"cas:{staff_no}", user, succeeded=True, ip=throttle.client_ip_of(request))
        return user
