"""Password login: by 工号 or mobile, throttling and lock-out, forced password change, sessions, landing."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from conftest import DEFAULT_PASSWORD
from smartunion.accounts import services, throttle
from smartunion.accounts.models import LoginAttempt, User

from .helpers import audit_entries, zh

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PASSWORD_PAGE = reverse("accounts:password_change")
WRONG = "The staff number / mobile number or the password is wrong."
LOCKED = (
    "Too many wrong passwords: this account is locked for %(minutes)d minutes. "
    "Try again later or ask the union office to reset your password."
)


def post_login(client, username, password=DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def logged_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def lock_message(minutes: int) -> str:
    return zh(LOCKED) % {"minutes": minutes}


# -- who can log in --------------------------------------------------------------------------------


def test_login_page_has_the_username_and_password_fields(client):
    html = client.get(LOGIN).content.decode()
    assert 'name="username"' in html and 'name="password"' in html


def test_login_by_staff_number(client, make_user):
    user = make_user(staff_no="10001")

    response = post_login(client, "10001")

    assert response.status_code == 302
    assert logged_in_as(client) == user.pk
    attempt = LoginAttempt.objects.get()
    assert (attempt.identifier, attempt.user, attempt.succeeded) == ("10001", user, True)
    assert attempt.ip_address == "127.0.0.1"


def test_login_by_mobile_number(client, make_user):
    user = make_user(staff_no="10001", mobile="13800138000")

    response = post_login(client, "13800138000")

    assert response.status_code == 302
    assert logged_in_as(client) == user.pk


def test_full_width_digits_and_spaces_in_the_typed_staff_number_are_accepted(client, make_user):
    user = make_user(staff_no="10001")

    response = post_login(client, " １０００１　")

    assert response.status_code == 302
    assert logged_in_as(client) == user.pk
    assert LoginAttempt.objects.get().identifier == "10001"


def test_full_width_mobile_number_is_accepted(client, make_user):
    user = make_user(mobile="13800138000")
    post_login(client, "１３８００１３８０００")
    assert logged_in_as(client) == user.pk


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user(staff_no="10001")

    response = post_login(client, "10001", "not-the-password")

    assert response.status_code == 200
    assert zh(WRONG) in response.content.decode()
    assert logged_in_as(client) is None
    attempt = LoginAttempt.objects.get()
    assert (attempt.user, attempt.succeeded) == (user, False)


def test_unknown_account_gets_the_same_message(client, make_user):
    make_user(staff_no="10001")

    response = post_login(client, "99999")

    assert zh(WRONG) in response.content.decode()
    assert logged_in_as(client) is None
    assert LoginAttempt.objects.get().user is None


def test_an_inactive_account_cannot_log_in_even_with_the_right_password(client, make_user):
    make_user(staff_no="10001", is_active=False)

    response = post_login(client, "10001")

    assert zh(WRONG) in response.content.decode()
    assert logged_in_as(client) is None


def test_logout_is_a_post(client, make_user):
    client.force_login(make_user())

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_as(client) is not None

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == LOGIN
    assert logged_in_as(client) is None


# -- throttling ------------------------------------------------------------------------------------


@pytest.fixture
def three_strikes(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    return settings


def test_the_account_locks_after_max_failures_even_for_the_right_password(client, make_user, three_strikes):
    user = make_user(staff_no="10001")
    for _ in range(3):
        response = post_login(client, "10001", "wrong")
        assert zh(WRONG) in response.content.decode()

    response = post_login(client, "10001")

    assert response.status_code == 200
    html = response.content.decode()
    assert lock_message(15) in html
    assert zh(WRONG) not in html
    assert logged_in_as(client) is None
    assert throttle.is_locked("10001", user)


def test_the_lock_writes_one_audit_entry(client, make_user, three_strikes):
    user = make_user(staff_no="10001")
    for _ in range(3):
        post_login(client, "10001", "wrong")
    assert len(audit_entries("accounts.login.locked")) == 1

    for _ in range(3):  # further attempts while locked
        post_login(client, "10001", "wrong")
        post_login(client, "10001")

    entries = audit_entries("accounts.login.locked")
    assert len(entries) == 1
    assert entries[0].target_id == str(user.pk)
    assert entries[0].changes["account"] == "10001"
    assert entries[0].changes["failures"] == 3


def test_two_failures_do_not_lock(client, make_user, three_strikes):
    user = make_user(staff_no="10001")
    for _ in range(2):
        post_login(client, "10001", "wrong")

    post_login(client, "10001")

    assert logged_in_as(client) == user.pk
    assert audit_entries("accounts.login.locked") == []


def test_a_success_before_the_threshold_resets_the_count(client, make_user, three_strikes):
    user = make_user(staff_no="10001")
    for _ in range(2):
        post_login(client, "10001", "wrong")
    post_login(client, "10001")
    assert logged_in_as(client) == user.pk
    client.post(reverse("accounts:logout"))

    for _ in range(2):
        post_login(client, "10001", "wrong")
    post_login(client, "10001")

    assert logged_in_as(client) == user.pk
    assert audit_entries("accounts.login.locked") == []


def test_failures_by_mobile_number_lock_the_staff_number_too(client, make_user, three_strikes):
    make_user(staff_no="10001", mobile="13800138000")
    for _ in range(3):
        post_login(client, "13800138000", "wrong")

    response = post_login(client, "10001")

    assert lock_message(15) in response.content.decode()
    assert logged_in_as(client) is None


def test_the_lock_of_one_account_does_not_touch_another(client, make_user, three_strikes):
    make_user(staff_no="10001")
    other = make_user(staff_no="10002")
    for _ in range(3):
        post_login(client, "10001", "wrong")

    post_login(client, "10002")

    assert logged_in_as(client) == other.pk


def test_the_backend_itself_refuses_a_locked_account(rf, make_user, three_strikes):
    """Whatever calls authenticate() (an API login, say), the lock holds."""
    from django.contrib.auth import authenticate

    make_user(staff_no="10001")
    for _ in range(3):
        assert authenticate(rf.post(LOGIN), username="10001", password="wrong") is None

    assert authenticate(rf.post(LOGIN), username="10001", password=DEFAULT_PASSWORD) is None


def _age_attempts(minutes: float) -> None:
    LoginAttempt.objects.update(created_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_the_lock_ends_after_the_window(client, make_user, three_strikes):
    user = make_user(staff_no="10001")
    for _ in range(3):
        post_login(client, "10001", "wrong")

    _age_attempts(16)
    post_login(client, "10001")

    assert logged_in_as(client) == user.pk


def test_the_lock_holds_until_the_window_is_over(client, make_user, three_strikes):
    make_user(staff_no="10001")
    for _ in range(3):
        post_login(client, "10001", "wrong")

    _age_attempts(14)
    response = post_login(client, "10001")

    assert lock_message(15) in response.content.decode()
    assert logged_in_as(client) is None


def test_failures_spread_beyond_the_window_do_not_add_up(client, make_user, three_strikes):
    user = make_user(staff_no="10001")
    for _ in range(2):
        post_login(client, "10001", "wrong")
    _age_attempts(20)
    post_login(client, "10001", "wrong")

    post_login(client, "10001")

    assert logged_in_as(client) == user.pk


def test_a_password_reset_by_the_office_unlocks_the_account(client, make_user, three_strikes):
    """The lock message tells the person to ask the union office for a reset: that must help."""
    user = make_user(staff_no="10001")
    for _ in range(3):
        post_login(client, "10001", "wrong")

    new_password = services.user_reset_password(actor=None, user=user)
    response = post_login(client, "10001", new_password)

    assert response.status_code == 302
    assert logged_in_as(client) == user.pk


# -- forced password change ------------------------------------------------------------------------


def test_must_change_password_sends_the_user_to_the_password_page_from_everywhere(client, tree, make_user):
    user = make_user("subunion_chair", tree.a, must_change_password=True)
    response = post_login(client, user.staff_no)
    assert logged_in_as(client) == user.pk
    assert client.get(response.url).url == PASSWORD_PAGE

    for url in [
        "/console/",
        "/m/",
        "/m/me/",
        reverse("accounts:home"),
        reverse("accounts:assignment_list"),
        reverse("accounts:role_list"),
        LOGIN,
        "/console/org/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == PASSWORD_PAGE, url
    assert client.post(reverse("accounts:assignment_create"), {}).url == PASSWORD_PAGE

    page = client.get(PASSWORD_PAGE)
    assert page.status_code == 200
    assert 'name="new_password1"' in page.content.decode()


def test_after_changing_the_password_the_user_may_go_anywhere(client, tree, make_user):
    user = make_user("subunion_chair", tree.a, must_change_password=True)
    post_login(client, user.staff_no)

    response = client.post(
        PASSWORD_PAGE,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Mine-2026-xyz",
            "new_password2": "Mine-2026-xyz",
        },
    )

    assert response.status_code == 302 and response.url == "/console/"
    user.refresh_from_db()
    assert user.must_change_password is False
    assert user.password_changed_at is not None
    assert abs((timezone.now() - user.password_changed_at).total_seconds()) < 60
    assert user.check_password("Mine-2026-xyz")
    assert logged_in_as(client) == user.pk  # the session survived the change
    assert client.get("/console/").status_code == 200
    assert client.get("/m/").status_code == 200
    assert [e.target_id for e in audit_entries("accounts.password.changed")] == [str(user.pk)]


def test_a_wrong_old_password_changes_nothing(client, make_user):
    user = make_user(must_change_password=True)
    client.force_login(user)

    response = client.post(
        PASSWORD_PAGE,
        {"old_password": "wrong", "new_password1": "Mine-2026-xyz", "new_password2": "Mine-2026-xyz"},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.must_change_password is True
    assert user.check_password(DEFAULT_PASSWORD)
    assert client.get("/m/").url == PASSWORD_PAGE


def test_logout_stays_possible_while_the_password_must_be_changed(client, make_user):
    client.force_login(make_user(must_change_password=True))

    response = client.post(reverse("accounts:logout"))

    assert response.url == LOGIN
    assert logged_in_as(client) is None


def test_static_files_are_not_redirected(client, make_user):
    client.force_login(make_user(must_change_password=True))
    response = client.get("/static/img/icon.svg")
    assert response.status_code != 302


# -- sessions ---------------------------------------------------------------------------------------


def test_session_settings_are_as_configured():
    expected_age = int(os.environ.get("SESSION_HOURS", "8")) * 3600  # 8 hours unless deployed otherwise
    assert expected_age == django_settings.SESSION_COOKIE_AGE
    # The hours count from the last activity: renewed at most every SESSION_REFRESH_SECONDS.
    assert "smartunion.core.middleware.SessionRefreshMiddleware" in django_settings.MIDDLEWARE
    assert django_settings.SESSION_REFRESH_SECONDS <= 900
    assert django_settings.SESSION_COOKIE_HTTPONLY is True


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_lasts_session_cookie_age(client, make_user, settings):
    settings.SESSION_COOKIE_AGE = 1800
    post_login(client, make_user(staff_no="10001").staff_no)

    remaining = (_session_row(client).expire_date - timezone.now()).total_seconds()
    assert 1790 < remaining <= 1800


def test_activity_extends_the_session_without_writing_on_every_request(client, make_user, settings):
    settings.SESSION_COOKIE_AGE = 1800
    settings.SESSION_REFRESH_SECONDS = 600
    post_login(client, make_user(staff_no="10001").staff_no)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=60)
    )
    # Just refreshed at login: a page view writes nothing.
    assert client.get("/m/").status_code == 200
    assert (_session_row(client).expire_date - timezone.now()).total_seconds() < 61

    # Ten minutes on, the next page view renews the session for its full age.
    session = client.session
    session["_refreshed_at"] = int(session["_refreshed_at"]) - 601
    session.save()
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + dt.timedelta(seconds=60)
    )
    assert client.get("/m/").status_code == 200
    remaining = (_session_row(client).expire_date - timezone.now()).total_seconds()
    assert remaining > 1700


def test_an_expired_session_is_logged_out(client, make_user):
    post_login(client, make_user(staff_no="10001").staff_no)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.get("/m/")

    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_the_session_cookie_ends_with_the_browser_when_configured(client, make_user, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    response = post_login(client, make_user(staff_no="10001").staff_no)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""
    assert cookie["httponly"]


def test_the_session_cookie_carries_its_age_when_it_outlives_the_browser(client, make_user, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    settings.SESSION_COOKIE_AGE = 1800
    response = post_login(client, make_user(staff_no="10001").staff_no)
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 1800


def test_a_deactivated_user_loses_their_session(client, make_user):
    user = make_user()
    client.force_login(user)
    services.user_set_active(actor=None, user=user, active=False)

    response = client.get("/m/")

    assert response.status_code == 302 and response.url.startswith(LOGIN)


# -- where one lands --------------------------------------------------------------------------------


def test_officers_land_in_the_console(client, tree, make_user):
    officer = make_user("subunion_committee", tree.a)
    response = post_login(client, officer.staff_no)
    assert response.url == "/console/"


def test_members_land_in_the_portal(client, tree, make_user):
    member = make_user("member", tree.a)
    response = post_login(client, member.staff_no)
    assert response.url == "/m/"


def test_someone_without_any_role_lands_in_the_portal(client, make_user):
    assert post_login(client, make_user().staff_no).url == "/m/"


def test_home_redirects_by_role(client, tree, make_user):
    client.force_login(make_user("subunion_chair", tree.a))
    assert client.get(reverse("accounts:home")).url == "/console/"
    client.force_login(make_user("member", tree.a))
    assert client.get(reverse("accounts:home")).url == "/m/"


def test_an_authenticated_visit_to_the_login_page_goes_home(client, tree, make_user):
    client.force_login(make_user("member", tree.a))
    assert client.get(LOGIN).url == "/m/"


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/console/roles/", "/console/roles/"),
        ("/m/me/?tab=1", "/m/me/?tab=1"),
        ("http://testserver/m/me/", "http://testserver/m/me/"),
        ("https://evil.example.com/steal", "/console/"),
        ("//evil.example.com/steal", "/console/"),
        ("http://evil.example.com/", "/console/"),
        ("javascript:alert(1)", "/console/"),
        ("", "/console/"),
    ],
)
def test_next_is_honoured_only_on_this_host(client, tree, make_user, next_url, expected):
    officer = make_user("subunion_chair", tree.a)
    response = post_login(client, officer.staff_no, next=next_url)
    assert response.status_code == 302
    assert response.url == expected


def test_the_login_page_carries_next_into_the_form(client):
    html = client.get(LOGIN, {"next": "/console/roles/"}).content.decode()
    assert 'name="next" value="/console/roles/"' in html


def test_a_login_required_page_sends_back_after_login(client, tree, make_user):
    officer = make_user("subunion_chair", tree.a)
    response = client.get(reverse("accounts:assignment_list"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)

    login_page = client.get(response.url)
    assert login_page.status_code == 200
    response = post_login(client, officer.staff_no, next=login_page.context["next"])

    assert response.url == reverse("accounts:assignment_list")


def test_find_user_prefers_the_staff_number(make_user):
    by_mobile = make_user(staff_no="10001", mobile="13800138000")
    by_staff_no = make_user(staff_no="13800138000")
    assert throttle.find_user("13800138000") == by_staff_no
    assert throttle.find_user("10001") == by_mobile
    assert isinstance(by_mobile, User)


def test_one_address_trying_many_accounts_is_stopped(client, tree, make_user, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 4
    victims = [make_user() for _ in range(5)]
    for victim in victims[:4]:
        client.post(
            "/accounts/login/", {"username": victim.staff_no, "password": "wrong"}, REMOTE_ADDR="10.0.0.66"
        )
    # The fifth account is not locked, but this address is: even the right password is refused.
    response = client.post(
        "/accounts/login/",
        {"username": victims[4].staff_no, "password": "Secret-2026!"},
        REMOTE_ADDR="10.0.0.66",
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    # From another address the same account logs in.
    response = client.post(
        "/accounts/login/",
        {"username": victims[4].staff_no, "password": "Secret-2026!"},
        REMOTE_ADDR="10.0.0.77",
    )
    assert response.status_code == 302
