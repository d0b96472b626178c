"""User.scope_for / has_unit_perm / permission_codes: what a user's role assignments grant, and where."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartunion.accounts import services
from smartunion.accounts.models import RoleAssignment, User
from smartunion.core.permissions import all_permissions

from .helpers import role, role_codes

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    """The user as the next request would load it (no cached grants)."""
    return User.objects.get(pk=user.pk)


# -- the subtree ------------------------------------------------------------------------------------


def test_role_at_a_covers_a_and_its_subtree_but_not_b_or_the_root(tree, make_user):
    chair = make_user("subunion_chair", tree.a)

    scope = chair.scope_for("members.edit")
    assert scope.paths == frozenset({tree.a.path})
    assert scope.covers(tree.a.path) and scope.covers(tree.a1.path)
    assert not scope.covers(tree.b.path) and not scope.covers(tree.b1.path)
    assert not scope.covers(tree.root.path)
    assert not scope.at_top

    assert chair.has_unit_perm("members.edit", tree.a)
    assert chair.has_unit_perm("members.edit", tree.a1)
    assert not chair.has_unit_perm("members.edit", tree.b)
    assert not chair.has_unit_perm("members.edit", tree.b1)
    assert not chair.has_unit_perm("members.edit", tree.root)
    assert chair.has_unit_perm("members.edit")  # somewhere


def test_a_permission_the_role_lacks_is_held_nowhere(tree, make_user):
    chair = make_user("subunion_chair", tree.a)
    assert "accounts.users.manage" not in role_codes("subunion_chair")

    assert chair.scope_for("accounts.users.manage").is_empty
    assert not chair.has_unit_perm("accounts.users.manage")
    assert not chair.has_unit_perm("accounts.users.manage", tree.a)


def test_a_role_at_a_sub_unit_covers_only_that_sub_unit(tree, make_user):
    committee = make_user("subunion_committee", tree.a1)

    assert committee.has_unit_perm("members.view", tree.a1)
    assert not committee.has_unit_perm("members.view", tree.a)
    assert not committee.has_unit_perm("members.view", tree.b1)


def test_roles_at_several_units_add_up_and_nested_paths_collapse(tree, make_user):
    user = make_user("subunion_committee", tree.a)
    services.role_assign(actor=None, user=user, role=role("subunion_committee"), unit=tree.a1)
    services.role_assign(actor=None, user=user, role=role("subunion_committee"), unit=tree.b1)
    user = fresh(user)

    scope = user.scope_for("members.view")
    assert scope.paths == frozenset({tree.a.path, tree.b1.path})  # A1 lies inside A
    assert user.has_unit_perm("members.view", tree.b1)
    assert not user.has_unit_perm("members.view", tree.b)


def test_a_role_at_the_root_is_at_the_top_and_covers_everything_below(tree, make_user):
    staff = make_user("union_staff", tree.root)

    scope = staff.scope_for("accounts.users.manage")
    assert scope.at_top
    for unit in (tree.root, tree.a, tree.a1, tree.b, tree.b1):
        assert staff.has_unit_perm("members.view", unit)


def test_permission_codes_are_those_of_the_roles_held(tree, make_user):
    user = make_user("subunion_committee", tree.a)
    assert user.permission_codes() == frozenset(role_codes("subunion_committee"))

    services.role_assign(actor=None, user=user, role=role("auditor"), unit=tree.b)
    assert fresh(user).permission_codes() == frozenset(
        role_codes("subunion_committee") | role_codes("auditor")
    )


def test_a_role_without_permissions_grants_nothing(tree, make_user):
    user = make_user()
    empty = role("handling_office")
    services.role_set_permissions(actor=None, role=empty, codes=set())
    services.role_assign(actor=None, user=user, role=empty, unit=tree.a)

    user = fresh(user)
    assert user.permission_codes() == frozenset()
    assert user.scope_for("core.console").is_empty


def test_a_user_without_roles_holds_nothing(tree, make_user):
    user = make_user()
    assert user.permission_codes() == frozenset()
    for spec in all_permissions():
        assert not user.has_unit_perm(spec.code)


def test_changing_a_roles_permissions_changes_what_its_holders_may_do(tree, make_user):
    chair = make_user("subunion_chair", tree.a)
    assert not chair.has_unit_perm("core.audit.view", tree.a)

    services.role_set_permissions(
        actor=None, role=role("subunion_chair"), codes=role_codes("subunion_chair") | {"core.audit.view"}
    )

    assert fresh(chair).has_unit_perm("core.audit.view", tree.a1)
    assert not fresh(chair).has_unit_perm("core.audit.view", tree.b)


# -- assignments that grant nothing -----------------------------------------------------------------


def test_a_revoked_assignment_grants_nothing(tree, make_user):
    chair = make_user("subunion_chair", tree.a)
    services.role_revoke(actor=None, assignment=RoleAssignment.objects.get(user=chair))

    chair = fresh(chair)
    assert chair.scope_for("members.edit").is_empty
    assert not chair.has_unit_perm("members.edit", tree.a1)
    assert chair.permission_codes() == frozenset()


def test_an_assignment_starting_tomorrow_grants_nothing_yet(tree, make_user):
    user = make_user()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.role_assign(actor=None, user=user, role=role("subunion_chair"), unit=tree.a, valid_from=tomorrow)

    user = fresh(user)
    assert not user.has_unit_perm("members.edit", tree.a)
    assert user.permission_codes() == frozenset()


def test_an_assignment_starting_today_and_ending_today_grants(tree, make_user):
    user = make_user()
    today = timezone.localdate()
    services.role_assign(
        actor=None, user=user, role=role("subunion_chair"), unit=tree.a, valid_from=today, valid_until=today
    )
    assert fresh(user).has_unit_perm("members.edit", tree.a1)


def test_an_assignment_that_ended_yesterday_grants_nothing(tree, make_user):
    user = make_user()
    today = timezone.localdate()
    services.role_assign(
        actor=None,
        user=user,
        role=role("subunion_chair"),
        unit=tree.a,
        valid_from=today - dt.timedelta(days=30),
        valid_until=today - dt.timedelta(days=1),
    )

    user = fresh(user)
    assert not user.has_unit_perm("members.edit", tree.a)
    assert user.permission_codes() == frozenset()


def test_an_inactive_user_holds_nothing(tree, make_user):
    chair = make_user("subunion_chair", tree.a)
    services.user_set_active(actor=None, user=chair, active=False)

    chair = fresh(chair)
    assert chair.scope_for("members.edit").is_empty
    assert not chair.has_unit_perm("members.edit", tree.a)
    assert not chair.has_unit_perm("core.console")
    assert chair.permission_codes() == frozenset()


# -- superuser --------------------------------------------------------------------------------------


def test_a_superuser_holds_every_permission_everywhere(tree):
    admin = User.objects.create_superuser("ROOT", "管理员", "x")

    for spec in all_permissions():
        assert admin.scope_for(spec.code).is_everything
        assert admin.has_unit_perm(spec.code)
        assert admin.has_unit_perm(spec.code, tree.b1)
    assert admin.scope_for("accounts.users.manage").at_top
    assert admin.permission_codes() == frozenset(spec.code for spec in all_permissions())


def test_an_inactive_superuser_holds_nothing(tree):
    admin = User.objects.create_superuser("ROOT", "管理员", "x", is_active=False)

    assert admin.scope_for("accounts.users.manage").is_empty
    assert not admin.has_unit_perm("core.console", tree.a)
    assert admin.permission_codes() == frozenset()


# -- one query, cached ------------------------------------------------------------------------------


def test_grants_load_in_one_query_and_are_cached(tree, make_user, django_assert_num_queries):
    user = make_user("subunion_chair", tree.a)
    services.role_assign(actor=None, user=user, role=role("auditor"), unit=tree.b)
    services.role_assign(actor=None, user=user, role=role("subunion_committee"), unit=tree.b1)
    user = fresh(user)

    with django_assert_num_queries(1):
        assert user.has_unit_perm("members.edit", tree.a1)
        assert user.scope_for("core.audit.view").covers(tree.b1.path)
        assert user.has_unit_perm("members.view", tree.b1)
        assert not user.has_unit_perm("members.edit", tree.b)
        assert "accounts.roles.assign" in user.permission_codes()

    with django_assert_num_queries(0):
        user.scope_for("organisations.view")
        user.permission_codes()


def test_the_cache_holds_until_forget_grants(tree, make_user, django_assert_num_queries):
    user = make_user()
    assert not user.has_unit_perm("members.view", tree.a)  # loads (and caches) "nothing"

    RoleAssignment.objects.create(user=user, role=role("subunion_committee"), unit=tree.a)
    assert not user.has_unit_perm("members.view", tree.a)  # still the cached answer

    user.forget_grants()
    with django_assert_num_queries(1):
        assert user.has_unit_perm("members.view", tree.a)


def test_role_assign_refreshes_the_assignees_cache(tree, make_user):
    user = make_user()
    assert user.permission_codes() == frozenset()

    services.role_assign(actor=None, user=user, role=role("subunion_committee"), unit=tree.a)

    assert user.has_unit_perm("members.view", tree.a1)
