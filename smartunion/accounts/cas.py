"""A CAS 3.0 client for the campus 统一身份认证 (off unless settings.CAS_SERVER_URL is set).

The browser goes to ``{CAS_SERVER_URL}/login?service=…``; CAS sends it back with a ticket, which the
server validates at ``/p3/serviceValidate``. The CAS user name (or the attribute named by
CAS_USERNAME_ATTRIBUTE) must be the 工号 of an existing active account: accounts come from the HR
roster, never from a CAS login.
"""

from __future__ import annotations

import http.client
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlencode
from xml.etree import ElementTree

from django.conf import settings

logger = logging.getLogger(__name__)
CAS_NS = "{http://www.yale.edu/tp/cas}"


@dataclass
class CasResult:
    user: str
    attributes: dict[str, str] = field(default_factory=dict)


def enabled() -> bool:
    return bool(settings.CAS_SERVER_URL)


def login_url(service: str) -> str:
    return f"{settings.CAS_SERVER_URL}/login?{urlencode({'service': service})}"


def logout_url(service: str) -> str:
    return f"{settings.CAS_SERVER_URL}/logout?{urlencode({'service': service})}"


def parse_response(body: bytes) -> CasResult | None:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        logger.warning("CAS answered with something that is not XML")
        return None
    success = root.find(f"{CAS_NS}authenticationSuccess")
    if success is None:
        failure = root.find(f"{CAS_NS}authenticationFailure")
        if failure is not None:
            logger.info("CAS refused the ticket: %s %s", failure.get("code"), (failure.text or "").strip())
        return None
    user = (success.findtext(f"{CAS_NS}user") or "").strip()
    attributes: dict[str, str] = {}
    attrs = success.find(f"{CAS_NS}attributes")
    if attrs is not None:
        for element in attrs:
            attributes[element.tag.replace(CAS_NS, "")] = (element.text or "").strip()
    if not user:
        return None
    return CasResult(user=user, attributes=attributes)


def validate(ticket: str, service: str) -> CasResult | None:
    url = f"{settings.CAS_SERVER_URL}/p3/serviceValidate?{urlencode({'ticket': ticket, 'service': service})}"
    try:
        with urllib.request.urlopen(url, timeout=settings.CAS_VALIDATE_TIMEOUT) as response:
            body = response.read()
    except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError, ValueError) as exc:
        logger.warning("CAS validation failed: %s", exc)
        return None
    return parse_response(body)


def username_from(result: CasResult) -> str:
    attribute = settings.CAS_USERNAME_ATTRIBUTE
    if attribute:
        return result.attributes.get(attribute, "")
    return result.user
