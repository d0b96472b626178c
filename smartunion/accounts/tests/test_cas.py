"""Campus single sign-on (CAS 3.0) against a fake CAS server running in the test process."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape

import pytest
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from smartunion.accounts import cas
from smartunion.accounts.models import LoginAttempt

from .helpers import audit_entries

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CALLBACK = reverse("accounts:cas_callback")
CALLBACK_URL = f"http://testserver{CALLBACK}"


@dataclass
class FakeCas:
    """What the fake server answers (``tickets``: ticket → (cas:user, attributes)) and what it was asked."""

    url: str = ""
    tickets: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    mode: str = "cas"  # "cas", "html", "error500", "slow", "truncated", "garbage"
    prefix: str = ""  # where CAS lives on its host ("/cas", "/authserver")

    def issue(self, ticket: str, user: str, **attributes: str) -> str:
        self.tickets[ticket] = (user, attributes)
        return ticket

    def validations(self) -> list[dict[str, str]]:
        return [query for path, query in self.requests if path == f"{self.prefix}/p3/serviceValidate"]


def cas_xml(user: str, attributes: dict[str, str]) -> str:
    attrs = "".join(f"<cas:{k}>{escape(v)}</cas:{k}>" for k, v in attributes.items())
    return (
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
        f"<cas:authenticationSuccess><cas:user>{escape(user)}</cas:user>"
        f"<cas:attributes>{attrs}</cas:attributes></cas:authenticationSuccess></cas:serviceResponse>"
    )


def cas_failure(ticket: str) -> str:
    return (
        '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
        f'<cas:authenticationFailure code="INVALID_TICKET">Ticket {escape(ticket)} not recognized'
        "</cas:authenticationFailure></cas:serviceResponse>"
    )


def make_handler(state: FakeCas) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep the test output quiet
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            path = parts.path.removeprefix(state.prefix) if state.prefix else parts.path
            state.requests.append((parts.path, query))
            if path != "/p3/serviceValidate":
                self._send(404, "not found")
                return
            if state.mode == "garbage":
                self.wfile.write(b"this is not HTTP at all\r\n\r\n")
                return
            if state.mode == "truncated":
                self.send_response(200)
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(b"<cas:serviceResponse")
                self.wfile.flush()
                self.close_connection = True
                return
            if state.mode == "slow":
                time.sleep(1.5)
            if state.mode == "html":
                self._send(200, "<html><body><h1>统一身份认证 维护中</h1><p>oops</body>", "text/html")
                return
            if state.mode == "error500":
                self._send(500, "Internal Server Error")
                return
            ticket = query.get("ticket", "")
            if ticket in state.tickets:
                user, attributes = state.tickets[ticket]
                self._send(200, cas_xml(user, attributes), "application/xml")
            else:
                self._send(200, cas_failure(ticket), "application/xml")

        def _send(self, status: int, body: str, content_type: str = "text/plain") -> None:
            data = body.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

    return Handler


@pytest.fixture
def fake_cas(settings) -> Iterator[FakeCas]:
    state = FakeCas()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CAS_SERVER_URL = state.url
    settings.CAS_USERNAME_ATTRIBUTE = ""
    settings.CAS_VALIDATE_TIMEOUT = 5
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def logged_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def follow_cas_login(client, **query: str) -> str:
    """/accounts/cas/login/ → the service URL that CAS would send the browser back to."""
    response = client.get(reverse("accounts:cas_login"), query)
    assert response.status_code == 302
    location = urlsplit(response.url)
    return parse_qs(location.query)["service"][0]


def back_from_cas(client, service: str, ticket: str):
    """What the browser does after CAS: GET the service URL with the ticket appended."""
    separator = "&" if "?" in service else "?"
    parts = urlsplit(f"{service}{separator}{urlencode({'ticket': ticket})}")
    return client.get(f"{parts.path}?{parts.query}")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the round trip -------------------------------------------------------------------------------


def test_cas_login_redirects_to_the_cas_server_with_the_callback_as_service(fake_cas, client):
    response = client.get(reverse("accounts:cas_login"))

    assert response.status_code == 302
    location = urlsplit(response.url)
    assert f"{location.scheme}://{location.netloc}" == fake_cas.url
    assert location.path == "/login"
    assert parse_qs(location.query) == {"service": [CALLBACK_URL]}


def test_the_cas_server_url_may_have_a_path(fake_cas, client, make_user, settings):
    """CAS servers usually live under /cas or /authserver; login and validation both keep the prefix."""
    user = make_user(staff_no="10001")
    fake_cas.prefix = "/authserver"
    settings.CAS_SERVER_URL = f"{fake_cas.url}/authserver"

    service = follow_cas_login(client)
    assert client.get(reverse("accounts:cas_login")).url.startswith(f"{fake_cas.url}/authserver/login?")
    fake_cas.issue("ST-1", "10001")
    back_from_cas(client, service, "ST-1")

    assert fake_cas.requests[-1][0] == "/authserver/p3/serviceValidate"
    assert logged_in_as(client) == user.pk


def test_a_good_ticket_logs_the_user_in(fake_cas, client, tree, make_user):
    user = make_user("subunion_chair", tree.a, staff_no="10001")
    service = follow_cas_login(client)
    fake_cas.issue("ST-good-1", "10001")

    response = back_from_cas(client, service, "ST-good-1")

    assert response.status_code == 302 and response.url == "/console/"
    assert logged_in_as(client) == user.pk
    assert fake_cas.validations() == [{"ticket": "ST-good-1", "service": service}]
    assert service == CALLBACK_URL
    attempt = LoginAttempt.objects.get()
    assert (attempt.identifier, attempt.user, attempt.succeeded) == ("cas:10001", user, True)
    user.refresh_from_db()
    assert user.last_login is not None


def test_a_member_lands_in_the_portal(fake_cas, client, tree, make_user):
    make_user("member", tree.a, staff_no="10001")
    fake_cas.issue("ST-1", "10001")

    response = back_from_cas(client, follow_cas_login(client), "ST-1")

    assert response.url == "/m/"


def test_next_survives_the_round_trip_and_the_service_url_matches(fake_cas, client, tree, make_user):
    user = make_user("subunion_chair", tree.a, staff_no="10001")
    target = "/console/roles/?q=张&page=2"
    service = follow_cas_login(client, next=target)
    fake_cas.issue("ST-next", "10001")

    response = back_from_cas(client, service, "ST-next")

    assert fake_cas.validations() == [{"ticket": "ST-next", "service": service}]
    assert logged_in_as(client) == user.pk
    assert response.url == iri_to_uri(target)


def test_an_off_site_next_is_dropped(fake_cas, client, tree, make_user):
    make_user("subunion_chair", tree.a, staff_no="10001")
    service = follow_cas_login(client, next="https://evil.example.com/")
    assert service == CALLBACK_URL
    fake_cas.issue("ST-1", "10001")

    response = client.get(CALLBACK, {"ticket": "ST-1", "next": "https://evil.example.com/"})

    assert response.url == "/console/"


def test_the_login_page_offers_single_sign_on_when_cas_is_on(fake_cas, client, settings):
    settings.CAS_LOGIN_LABEL = "南通大学统一身份认证"
    html = client.get(LOGIN).content.decode()
    assert reverse("accounts:cas_login") in html
    assert "南通大学统一身份认证" in html


# -- failing safely --------------------------------------------------------------------------------


def assert_back_at_login(client, response) -> None:
    assert response.status_code == 302
    assert response.url == LOGIN
    assert logged_in_as(client) is None
    assert messages_of(response), "the user is told that single sign-on did not work"


def test_a_bad_ticket_fails_back_to_the_login_page(fake_cas, client, make_user):
    make_user(staff_no="10001")
    fake_cas.issue("ST-good", "10001")

    response = client.get(CALLBACK, {"ticket": "ST-forged"})

    assert_back_at_login(client, response)
    assert fake_cas.validations() == [{"ticket": "ST-forged", "service": CALLBACK_URL}]
    assert LoginAttempt.objects.count() == 0


def test_a_ticket_is_validated_for_this_service_only(fake_cas, client, make_user):
    """The service sent for validation is our callback, never something taken from the request."""
    make_user(staff_no="10001")
    fake_cas.issue("ST-1", "10001")

    client.get(CALLBACK, {"ticket": "ST-1", "service": "https://other.example.com/"})

    assert fake_cas.validations()[0]["service"] == CALLBACK_URL


def test_a_callback_without_ticket_goes_to_the_login_page(fake_cas, client):
    response = client.get(CALLBACK)
    assert response.status_code == 302 and response.url == LOGIN
    assert fake_cas.requests == []


def test_an_unknown_staff_number_fails_and_is_audited(fake_cas, client, make_user):
    make_user(staff_no="10001")
    fake_cas.issue("ST-1", "99999")

    response = client.get(CALLBACK, {"ticket": "ST-1"})

    assert_back_at_login(client, response)
    entries = audit_entries("accounts.login.cas_unknown")
    assert [e.changes for e in entries] == [{"cas_user": "99999"}]


def test_an_inactive_user_cannot_sign_on(fake_cas, client, make_user):
    make_user(staff_no="10001", is_active=False)
    fake_cas.issue("ST-1", "10001")

    response = client.get(CALLBACK, {"ticket": "ST-1"})

    assert_back_at_login(client, response)
    assert not LoginAttempt.objects.filter(succeeded=True).exists()


def test_an_unreachable_cas_server_fails_safely(client, make_user, settings):
    make_user(staff_no="10001")
    settings.CAS_SERVER_URL = f"http://127.0.0.1:{closed_port()}"
    settings.CAS_VALIDATE_TIMEOUT = 2

    response = client.get(CALLBACK, {"ticket": "ST-1"})

    assert_back_at_login(client, response)


def test_a_cas_server_that_answers_too_slowly_fails_safely(fake_cas, client, make_user, settings):
    make_user(staff_no="10001")
    fake_cas.issue("ST-1", "10001")
    fake_cas.mode = "slow"
    settings.CAS_VALIDATE_TIMEOUT = 0.3

    started = time.monotonic()
    response = client.get(CALLBACK, {"ticket": "ST-1"})

    assert time.monotonic() - started < 1.4
    assert_back_at_login(client, response)


@pytest.mark.parametrize("mode", ["html", "error500", "truncated", "garbage"])
def test_an_answer_that_is_not_cas_xml_fails_safely(fake_cas, client, make_user, mode):
    make_user(staff_no="10001")
    fake_cas.issue("ST-1", "10001")
    fake_cas.mode = mode

    response = client.get(CALLBACK, {"ticket": "ST-1"})

    assert_back_at_login(client, response)


def test_a_success_without_a_user_fails_safely(fake_cas, client, make_user):
    make_user(staff_no="10001")
    fake_cas.issue("ST-1", "  ")

    response = client.get(CALLBACK, {"ticket": "ST-1"})

    assert_back_at_login(client, response)


# -- which name is the 工号 ------------------------------------------------------------------------


def test_cas_username_attribute_selects_an_attribute(fake_cas, client, make_user, settings):
    user = make_user(staff_no="10001")
    make_user(staff_no="zhangsan")  # the CAS user name must not be used when an attribute is named
    settings.CAS_USERNAME_ATTRIBUTE = "employeeNumber"
    fake_cas.issue("ST-1", "zhangsan", employeeNumber="10001", cn="张三")

    client.get(CALLBACK, {"ticket": "ST-1"})

    assert logged_in_as(client) == user.pk


def test_without_the_attribute_cas_user_is_the_staff_number(fake_cas, client, make_user):
    user = make_user(staff_no="zhangsan")
    make_user(staff_no="10001")
    fake_cas.issue("ST-1", "zhangsan", employeeNumber="10001")

    client.get(CALLBACK, {"ticket": "ST-1"})

    assert logged_in_as(client) == user.pk


def test_a_missing_username_attribute_fails(fake_cas, client, make_user, settings):
    make_user(staff_no="zhangsan")
    settings.CAS_USERNAME_ATTRIBUTE = "employeeNumber"
    fake_cas.issue("ST-1", "zhangsan", cn="张三")

    response = client.get(CALLBACK, {"ticket": "ST-1"})

    assert_back_at_login(client, response)


def test_parse_response_reads_user_and_attributes():
    result = cas.parse_response(cas_xml("10001", {"cn": "张三", "mail": "z@example.edu.cn"}).encode())
    assert result == cas.CasResult(user="10001", attributes={"cn": "张三", "mail": "z@example.edu.cn"})
    assert cas.parse_response(cas_failure("ST-1").encode()) is None
    assert cas.parse_response(b"") is None
    assert cas.parse_response(b"<html>") is None


# -- CAS off ---------------------------------------------------------------------------------------


def test_with_cas_off_the_login_page_has_no_sso_button(client, settings):
    settings.CAS_SERVER_URL = ""
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert reverse("accounts:cas_login") not in response.content.decode()
    assert response.context["cas_enabled"] is False


def test_with_cas_off_the_cas_urls_send_back_to_login(client, settings, make_user):
    settings.CAS_SERVER_URL = ""
    make_user(staff_no="10001")

    response = client.get(reverse("accounts:cas_login"))
    assert response.status_code == 302 and response.url == LOGIN

    response = client.get(CALLBACK, {"ticket": "ST-1"})
    assert response.status_code == 302 and response.url == LOGIN
    assert logged_in_as(client) is None
