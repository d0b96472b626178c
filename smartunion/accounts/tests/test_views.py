"""The accounts console pages: roles and access, role definitions, accounts."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import DEFAULT_PASSWORD
from smartunion.accounts.models import RoleAssignment, User
from smartunion.core.permissions import all_permissions

from .helpers import audit_entries, role, role_codes

pytestmark = pytest.mark.django_db

ASSIGNMENTS = reverse("accounts:assignment_list")
ASSIGN = reverse("accounts:assignment_create")
ROLES = reverse("accounts:role_list")
USERS = reverse("accounts:user_list")
NEW_USER = reverse("accounts:user_create")


def revoke_url(assignment: RoleAssignment) -> str:
    return reverse("accounts:assignment_revoke", args=[assignment.pk])


def detail_url(user: User) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


def as_user(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


# -- roles and access ------------------------------------------------------------------------------


def test_the_assignment_list_shows_only_the_chairs_subtree(client, tree, chair_a, make_user):
    make_user("subunion_committee", tree.a1, name="甲一委员")
    make_user("subunion_committee", tree.b, name="乙委员")

    response = as_user(client, chair_a).get(ASSIGNMENTS)

    assert response.status_code == 200
    html = response.content.decode()
    assert "甲一委员" in html and "甲主席" in html
    assert "乙委员" not in html
    shown = {row["obj"].user.name for row in response.context["page"].rows}
    assert shown == {"甲一委员", "甲主席"}


def test_the_office_sees_every_assignment(client, tree, office, make_user):
    make_user("subunion_committee", tree.a1, name="甲一委员")
    make_user("subunion_committee", tree.b, name="乙委员")

    html = as_user(client, office).get(ASSIGNMENTS).content.decode()

    assert "甲一委员" in html and "乙委员" in html


def test_the_assignment_list_filters(client, tree, chair_a, make_user):
    make_user("subunion_committee", tree.a1, name="甲一委员")
    revoked = make_user("subunion_committee", tree.a1, name="已撤销")
    RoleAssignment.objects.filter(user=revoked).update(revoked_at="2026-01-01T00:00:00+08:00")
    client = as_user(client, chair_a)

    def names(**query):
        return {row["obj"].user.name for row in client.get(ASSIGNMENTS, query).context["page"].rows}

    assert names() == {"甲主席", "甲一委员"}
    assert names(q="甲一") == {"甲一委员"}
    assert names(role=role("subunion_chair").pk) == {"甲主席"}
    assert names(revoked="on") == {"甲主席", "甲一委员", "已撤销"}


def test_the_assignment_list_exports_to_excel(client, tree, chair_a, make_user):
    make_user("subunion_committee", tree.a1, name="甲一委员")
    make_user("subunion_committee", tree.b, name="乙委员")

    response = as_user(client, chair_a).get(ASSIGNMENTS, {"export": "xlsx"})

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    cells = {
        str(c) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True) for c in row
    }
    assert "甲一委员" in cells and "乙委员" not in cells
    assert audit_entries("core.list.exported", actor=chair_a)


def test_the_assign_form_offers_only_units_in_scope(client, tree, chair_a):
    response = as_user(client, chair_a).get(ASSIGN)

    assert response.status_code == 200
    units = set(response.context["form"].fields["unit"].queryset)
    assert units == {tree.a, tree.a1}


def test_the_assign_form_preselects_a_unit_in_scope_only(client, tree, chair_a):
    client = as_user(client, chair_a)

    assert client.get(ASSIGN, {"unit": tree.a1.pk}).context["form"].initial["unit"] == tree.a1
    assert client.get(ASSIGN, {"unit": tree.b.pk}).context["form"].initial["unit"] is None
    for junk in ("abc", "1.5", "-1", ""):
        response = client.get(ASSIGN, {"unit": junk})
        assert response.status_code == 200, junk
        assert response.context["form"].initial["unit"] is None


def test_assign_through_the_view(client, tree, chair_a, make_user):
    user = make_user(staff_no="20001", name="新委员")

    response = as_user(client, chair_a).post(
        ASSIGN, {"user": "２０００１", "role": role("subunion_committee").pk, "unit": tree.a1.pk}
    )

    assert response.status_code == 302 and response.url == ASSIGNMENTS
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.role.code, assignment.unit, assignment.granted_by) == (
        "subunion_committee",
        tree.a1,
        chair_a,
    )
    assert audit_entries("accounts.role.assigned", actor=chair_a)
    assert any("新委员" in m for m in messages_of(response))


def test_an_escalating_assignment_is_refused_on_the_form(client, tree, chair_a, make_user):
    user = make_user(staff_no="20001")

    response = as_user(client, chair_a).post(
        ASSIGN, {"user": "20001", "role": role("union_chair").pk, "unit": tree.a.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_a_unit_outside_scope_is_not_a_valid_choice(client, tree, chair_a, make_user):
    user = make_user(staff_no="20001")

    response = as_user(client, chair_a).post(
        ASSIGN, {"user": "20001", "role": role("member").pk, "unit": tree.b.pk}
    )

    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_an_unknown_staff_number_is_reported_on_its_field(client, tree, chair_a):
    response = as_user(client, chair_a).post(
        ASSIGN, {"user": "99999", "role": role("member").pk, "unit": tree.a.pk}
    )
    assert response.status_code == 200
    assert "99999" in response.context["form"].errors["user"][0]


def test_a_double_assignment_is_refused_on_the_form(client, tree, chair_a, make_user):
    user = make_user("member", tree.a, staff_no="20001")

    response = as_user(client, chair_a).post(
        ASSIGN, {"user": "20001", "role": role("member").pk, "unit": tree.a.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_revoke_through_the_view(client, tree, chair_a, make_user):
    assignment = RoleAssignment.objects.get(user=make_user("subunion_committee", tree.a1))
    client = as_user(client, chair_a)

    assert client.get(revoke_url(assignment)).status_code == 405
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None

    response = client.post(revoke_url(assignment))

    assert response.status_code == 302 and response.url == ASSIGNMENTS
    assignment.refresh_from_db()
    assert assignment.revoked_at is not None and assignment.revoked_by == chair_a

    response = client.post(revoke_url(assignment))  # again: a message, nothing changes
    assert response.status_code == 302
    assert messages_of(response)
    assert len(audit_entries("accounts.role.revoked")) == 1


def test_the_list_offers_revoke_only_for_open_assignments(client, tree, chair_a, make_user):
    open_one = RoleAssignment.objects.get(user=make_user("subunion_committee", tree.a1))
    closed = RoleAssignment.objects.get(user=make_user("subunion_committee", tree.a1))
    RoleAssignment.objects.filter(pk=closed.pk).update(revoked_at="2026-01-01T00:00:00+08:00")

    html = as_user(client, chair_a).get(ASSIGNMENTS, {"revoked": "on"}).content.decode()

    assert revoke_url(open_one) in html
    assert revoke_url(closed) not in html


def test_revoking_an_assignment_outside_scope_is_404_and_changes_nothing(client, tree, chair_a, make_user):
    assignment = RoleAssignment.objects.get(user=make_user("subunion_committee", tree.b1))

    response = as_user(client, chair_a).post(revoke_url(assignment))

    assert response.status_code == 404
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None


def test_revoking_a_missing_assignment_is_404(client, chair_a):
    assert (
        as_user(client, chair_a).post(reverse("accounts:assignment_revoke", args=[999999])).status_code == 404
    )


@pytest.mark.parametrize("url_name", ["assignment_list", "assignment_create", "role_list"])
def test_roles_pages_are_denied_without_roles_assign(client, tree, make_user, url_name):
    committee = make_user("subunion_committee", tree.a)
    assert as_user(client, committee).get(reverse(f"accounts:{url_name}")).status_code == 403


def test_a_denied_revoke_changes_nothing(client, tree, make_user):
    assignment = RoleAssignment.objects.get(user=make_user("subunion_committee", tree.a1))
    committee = make_user("subunion_committee", tree.a)

    assert as_user(client, committee).post(revoke_url(assignment)).status_code == 403
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None


def test_a_denied_assign_changes_nothing(client, tree, make_user):
    committee = make_user("subunion_committee", tree.a)
    user = make_user(staff_no="20001")

    response = as_user(client, committee).post(
        ASSIGN, {"user": "20001", "role": role("member").pk, "unit": tree.a.pk}
    )

    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_anonymous_visitors_are_sent_to_login(client):
    for url in (ASSIGNMENTS, ROLES, USERS):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# -- role definitions ------------------------------------------------------------------------------


def test_the_role_page_shows_the_matrix(client, chair_a):
    response = as_user(client, chair_a).get(ROLES)

    assert response.status_code == 200
    roles = response.context["roles"]
    matrix = {row["code"]: row["cells"] for row in response.context["matrix"]}
    assert set(matrix) == {spec.code for spec in all_permissions()}
    for index, each in enumerate(roles):
        held = role_codes(each.code)
        assert {code for code, cells in matrix.items() if cells[index]} == held
    html = response.content.decode()
    for each in roles:
        assert each.name in html
    assert "accounts.roles.assign" in html
    assert html.count("✓") == sum(len(role_codes(each.code)) for each in roles)
    assert response.context["can_edit"] is False
    assert reverse("accounts:role_edit", args=[role("member").pk]) not in html


def test_the_sysadmin_sees_edit_links_on_the_matrix(client, sysadmin):
    response = as_user(client, sysadmin).get(ROLES)
    assert response.context["can_edit"] is True
    assert reverse("accounts:role_edit", args=[role("member").pk]) in response.content.decode()


def test_the_sysadmin_edits_a_role(client, sysadmin):
    auditor = role("auditor")
    url = reverse("accounts:role_edit", args=[auditor.pk])
    client = as_user(client, sysadmin)

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="core.audit.view" checked' in html
    assert 'value="members.edit" checked' not in html

    response = client.post(
        url,
        {"name": "经费审查委员", "description": "只读", "permissions": ["core.console", "members.view"]},
    )

    assert response.status_code == 302 and response.url == ROLES
    auditor.refresh_from_db()
    assert auditor.name == "经费审查委员"
    assert role_codes("auditor") == {"core.console", "members.view"}
    assert audit_entries("accounts.role.changed", actor=sysadmin)


def test_an_unknown_permission_posted_to_the_role_page_is_refused(client, sysadmin):
    auditor = role("auditor")
    before = role_codes("auditor")

    response = as_user(client, sysadmin).post(
        reverse("accounts:role_edit", args=[auditor.pk]),
        {"name": auditor.name, "description": "", "permissions": ["core.console", "made.up"]},
    )

    assert response.status_code == 200
    assert "made.up" in response.content.decode()
    assert role_codes("auditor") == before


@pytest.mark.parametrize("who", ["chair", "office", "sysadmin_at_a"])
def test_role_editing_is_denied_to_others(client, tree, make_user, chair_a, office, who):
    actor = {"chair": chair_a, "office": office, "sysadmin_at_a": make_user("sysadmin", tree.a)}[who]
    url = reverse("accounts:role_edit", args=[role("member").pk])
    client = as_user(client, actor)

    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x", "permissions": ["core.console"]}).status_code == 403
    assert role_codes("member") == set()
    assert role("member").name == "会员"


def test_editing_a_missing_role_is_404(client, sysadmin):
    assert as_user(client, sysadmin).get(reverse("accounts:role_edit", args=[999999])).status_code == 404


# -- accounts --------------------------------------------------------------------------------------


def test_the_account_list_renders_with_masked_mobiles(client, office, make_user):
    make_user(staff_no="20001", name="张三", mobile="13800138000")
    make_user(staff_no="20002", name="李四")

    response = as_user(client, office).get(USERS)

    assert response.status_code == 200
    html = response.content.decode()
    assert "张三" in html and "李四" in html
    assert "13800138000" not in html
    assert "138****8000" in html


def test_the_account_list_searches_and_filters(client, office, make_user):
    make_user(staff_no="20001", name="张三", mobile="13800138000")
    make_user(staff_no="20002", name="李四", is_active=False)
    client = as_user(client, office)

    def names(**query):
        return {row["obj"].name for row in client.get(USERS, query).context["page"].rows}

    assert names(q="张") == {"张三"}
    assert names(q="13800138000") == {"张三"}
    assert names(q="20002") == {"李四"}
    assert "李四" in names(active="0") and "张三" not in names(active="0")
    assert "李四" not in names(active="1")


@pytest.mark.parametrize(
    "url_name", ["user_list", "user_create", "user_detail", "user_reset_password", "user_toggle_active"]
)
def test_account_pages_are_denied_below_the_top(client, tree, make_user, chair_a, url_name):
    victim = make_user(staff_no="20001")
    office_at_a = make_user("union_staff", tree.a)
    args = [] if url_name in {"user_list", "user_create"} else [victim.pk]
    url = reverse(f"accounts:{url_name}", args=args)

    for actor in (chair_a, office_at_a):
        client.force_login(actor)
        assert client.get(url).status_code in {403, 405}
        assert client.post(url, {"staff_no": "20009", "name": "x", "mobile": ""}).status_code == 403

    victim.refresh_from_db()
    assert victim.is_active and victim.check_password(DEFAULT_PASSWORD) and not victim.must_change_password
    assert not User.objects.filter(staff_no="20009").exists()


def test_creating_an_account_shows_the_initial_password_once(client, office):
    client = as_user(client, office)

    response = client.post(
        NEW_USER, {"staff_no": "20001", "name": "张三", "mobile": "13800138000", "email": ""}
    )

    user = User.objects.get(staff_no="20001")
    assert response.status_code == 302 and response.url == detail_url(user)
    first = client.get(detail_url(user))
    password = first.context["initial_password"]
    assert password and password in first.content.decode()
    assert user.check_password(password)
    assert user.must_change_password

    second = client.get(detail_url(user))
    assert second.context["initial_password"] is None
    assert password not in second.content.decode()


def test_the_new_account_form_renders_and_reports_errors(client, office, make_user):
    make_user(staff_no="20001")
    client = as_user(client, office)
    assert client.get(NEW_USER).status_code == 200

    response = client.post(NEW_USER, {"staff_no": "20001", "name": "张三", "mobile": "12345", "email": ""})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "staff_no" in errors
    assert User.objects.filter(staff_no="20001").count() == 1


def test_a_bad_mobile_is_reported_on_its_field(client, office):
    response = as_user(client, office).post(
        NEW_USER, {"staff_no": "20001", "name": "张三", "mobile": "12345", "email": ""}
    )
    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    assert not User.objects.filter(staff_no="20001").exists()


def test_the_account_detail_shows_roles_and_logins(client, tree, office, make_user):
    user = make_user("subunion_committee", tree.a1, name="张三")

    response = as_user(client, office).get(detail_url(user))

    assert response.status_code == 200
    html = response.content.decode()
    assert role("subunion_committee").name in html
    assert tree.a1.name in html


def test_editing_an_account_on_its_page(client, office, make_user):
    user = make_user(name="张三", mobile="13800138000")

    response = as_user(client, office).post(
        detail_url(user), {"name": "张三丰", "mobile": "13900139000", "email": "z@example.edu.cn"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.mobile, user.email) == ("张三丰", "13900139000", "z@example.edu.cn")
    assert audit_entries("accounts.user.updated", actor=office)


def test_an_edit_with_a_taken_mobile_shows_the_error(client, office, make_user):
    make_user(mobile="13800138000")
    user = make_user(name="张三", mobile="13900139000")

    response = as_user(client, office).post(detail_url(user), {"name": "张三", "mobile": "13800138000"})

    assert response.status_code == 200
    assert "mobile" in response.context["form"].errors
    user.refresh_from_db()
    assert user.mobile == "13900139000"


def test_reset_password_through_the_view(client, office, make_user):
    user = make_user()
    client = as_user(client, office)

    assert client.get(reverse("accounts:user_reset_password", args=[user.pk])).status_code == 405
    response = client.post(reverse("accounts:user_reset_password", args=[user.pk]))

    assert response.status_code == 302 and response.url == detail_url(user)
    page = client.get(detail_url(user))
    password = page.context["initial_password"]
    user.refresh_from_db()
    assert user.check_password(password) and not user.check_password(DEFAULT_PASSWORD)
    assert user.must_change_password
    assert client.get(detail_url(user)).context["initial_password"] is None


def test_the_initial_password_is_shown_only_on_its_own_account(client, office, make_user):
    user, other = make_user(), make_user()
    client = as_user(client, office)
    client.post(reverse("accounts:user_reset_password", args=[user.pk]))

    assert client.get(detail_url(other)).context["initial_password"] is None


def test_deactivate_and_activate_through_the_view(client, office, make_user):
    user = make_user()
    url = reverse("accounts:user_toggle_active", args=[user.pk])
    client = as_user(client, office)

    assert client.post(url).url == detail_url(user)
    user.refresh_from_db()
    assert user.is_active is False
    assert "badge-failed" in client.get(detail_url(user)).content.decode()  # the "deactivated" badge

    client.post(url)
    user.refresh_from_db()
    assert user.is_active is True
    assert len(audit_entries("accounts.user.deactivated")) == 1
    assert len(audit_entries("accounts.user.activated")) == 1


def test_the_office_cannot_deactivate_itself_through_the_view(client, office):
    response = as_user(client, office).post(reverse("accounts:user_toggle_active", args=[office.pk]))

    assert response.status_code == 302
    assert messages_of(response)
    office.refresh_from_db()
    assert office.is_active


def test_a_missing_account_is_404(client, office):
    assert as_user(client, office).get(reverse("accounts:user_detail", args=[999999])).status_code == 404


def test_the_console_navigation_shows_accounts_only_to_the_top(client, tree, office, chair_a):
    html = as_user(client, office).get(ASSIGNMENTS).content.decode()
    assert USERS in html

    html = as_user(client, chair_a).get(ASSIGNMENTS).content.decode()
    assert USERS not in html
    assert ASSIGNMENTS in html
