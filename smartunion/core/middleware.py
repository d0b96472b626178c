"""Keeps the current request reachable for the audit log (the client IP) without passing it around."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_current_request: ContextVar[HttpRequest | None] = ContextVar("smartunion_current_request", default=None)


def current_request() -> HttpRequest | None:
    return _current_request.get()


def _valid_ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    # Behind nginx the real client is the first X-Forwarded-For hop; nginx must set (not append) it.
    # Some proxies send "unknown" there: an address column (PostgreSQL inet) would refuse the audit entry.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.USE_X_FORWARDED_FOR else ""
    if forwarded:
        first = _valid_ip(forwarded.split(",")[0])
        if first:
            return first
    return _valid_ip(request.META.get("REMOTE_ADDR") or "")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


class LanguageMiddleware:
    """Chinese for everyone unless they chose otherwise (the language switch sets a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, giving English to a union
    office whose computers happen to be set up in English; here the product language is a choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:

        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionRefreshMiddleware:
    """Sessions expire SESSION_COOKIE_AGE after the last activity, but are written back at most every
    SESSION_REFRESH_SECONDS: saving the session on every request would make every page view a database
    write, and on SQLite every page would wait behind a long import."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_refreshed_at", 0)) >= settings.SESSION_REFRESH_SECONDS:
                session["_refreshed_at"] = now  # marks the session modified: saved with a new expiry
        response = self.get_response(request)
        # A login (the session is being written anyway) starts the clock.
        user = getattr(request, "user", None)
        if (
            session is not None
            and session.modified
            and "_refreshed_at" not in session
            and user is not None
            and user.is_authenticated
        ):
            session["_refreshed_at"] = int(time.time())
        return response
