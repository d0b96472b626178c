"""Every write to accounts and roles: its rules, its refusals, and its audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from smartunion.accounts import services
from smartunion.accounts.models import Permission, Role, RoleAssignment, User

from .helpers import audit_entries, role, role_codes

pytestmark = pytest.mark.django_db


def error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict) if hasattr(exc.value, "error_dict") else set()


# -- user_create -----------------------------------------------------------------------------------


def test_user_create_gives_an_initial_password_that_must_be_changed(office):
    user, password = services.user_create(
        actor=office, staff_no="20001", name="张 三", mobile="138-0013-8000", email=" z@example.edu.cn "
    )

    user.refresh_from_db()
    assert (user.staff_no, user.name, user.mobile, user.email) == (
        "20001",
        "张三",
        "13800138000",
        "z@example.edu.cn",
    )
    assert user.must_change_password is True
    assert user.is_active
    assert user.check_password(password)
    assert len(password) == 10
    assert any(c.isdigit() for c in password) and any(c.isalpha() for c in password)
    [entry] = audit_entries("accounts.user.created")
    assert entry.actor == office
    assert entry.target_id == str(user.pk)
    assert entry.changes == {"staff_no": "20001", "name": "张三"}
    assert password not in str(entry.changes)


def test_user_create_with_a_given_password(office):
    user, password = services.user_create(actor=office, staff_no="20001", name="张三", password="Given-2026!")
    assert password == "Given-2026!"
    assert user.check_password("Given-2026!")


def test_user_create_cleans_full_width_staff_numbers_and_country_codes(office):
    user, _ = services.user_create(
        actor=office, staff_no="２０ ００１", name="张三", mobile="+86 13800138000"
    )
    assert user.staff_no == "20001"
    assert user.mobile == "13800138000"


def test_user_create_without_mobile_stores_null(office):
    first, _ = services.user_create(actor=office, staff_no="20001", name="张三", mobile="  ")
    second, _ = services.user_create(actor=office, staff_no="20002", name="李四")
    assert first.mobile is None and second.mobile is None  # two empty mobiles do not clash


def test_user_create_refuses_a_duplicate_staff_number(office, make_user):
    make_user(staff_no="20001")
    count = User.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=office, staff_no="２０００１", name="张三")

    assert error_fields(exc) == {"staff_no"}
    assert "20001" in exc.value.message_dict["staff_no"][0]
    assert User.objects.count() == count
    assert audit_entries("accounts.user.created") == []


def test_user_create_refuses_a_duplicate_mobile(office, make_user):
    make_user(mobile="13800138000")
    count = User.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=office, staff_no="20001", name="张三", mobile="138 0013 8000")

    assert error_fields(exc) == {"mobile"}
    assert "13800138000" in exc.value.message_dict["mobile"][0]
    assert User.objects.count() == count


@pytest.mark.parametrize("mobile", ["12345", "2380013800", "1380013800a", "138001380001"])
def test_user_create_refuses_an_invalid_mobile(office, mobile):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=office, staff_no="20001", name="张三", mobile=mobile)

    assert error_fields(exc) == {"mobile"}
    assert not User.objects.filter(staff_no="20001").exists()


@pytest.mark.parametrize(("staff_no", "name", "field"), [("", "张三", "staff_no"), ("20001", "  ", "name")])
def test_user_create_needs_a_staff_number_and_a_name(office, staff_no, name, field):
    with pytest.raises(ValidationError) as exc:
        services.user_create(actor=office, staff_no=staff_no, name=name)
    assert error_fields(exc) == {field}


def test_user_create_needs_accounts_users_manage_at_the_top(tree, make_user, chair_a):
    office_at_a = make_user("union_staff", tree.a)  # holds the code, but not school-wide

    for actor in (chair_a, office_at_a):
        with pytest.raises(PermissionDenied):
            services.user_create(actor=actor, staff_no="20001", name="张三")
    assert not User.objects.filter(staff_no="20001").exists()


def test_the_system_may_create_accounts(db):
    user, _ = services.user_create(actor=None, staff_no="20001", name="张三")
    assert audit_entries("accounts.user.created")[0].actor is None
    assert user.pk


# -- user_update -----------------------------------------------------------------------------------


def test_user_update_records_what_changed(office, make_user):
    user = make_user(name="张三", mobile="13800138000")

    services.user_update(actor=office, user=user, name="张 三丰", mobile="13900139000", email="")

    user.refresh_from_db()
    assert (user.name, user.mobile) == ("张三丰", "13900139000")
    [entry] = audit_entries("accounts.user.updated")
    assert entry.actor == office
    # Mobile numbers are masked: the audit log is read widely.
    assert entry.changes == {"mobile": ["138****8000", "139****9000"], "name": ["张三", "张三丰"]}


def test_user_update_without_changes_writes_no_audit(office, make_user):
    user = make_user(name="张三", mobile="13800138000")
    services.user_update(actor=office, user=user, name="张三", mobile="13800138000", email="")
    assert audit_entries("accounts.user.updated") == []


def test_user_update_refuses_another_accounts_mobile(office, make_user):
    make_user(mobile="13800138000")
    user = make_user(mobile="13900139000")

    with pytest.raises(ValidationError) as exc:
        services.user_update(actor=office, user=user, name=user.name, mobile="13800138000", email="")

    assert error_fields(exc) == {"mobile"}
    user.refresh_from_db()
    assert user.mobile == "13900139000"


def test_user_update_may_clear_the_mobile(office, make_user):
    user = make_user(mobile="13800138000")
    services.user_update(actor=office, user=user, name=user.name, mobile="", email="")
    user.refresh_from_db()
    assert user.mobile is None


def test_user_update_needs_the_permission(chair_a, make_user):
    user = make_user(name="张三")
    with pytest.raises(PermissionDenied):
        services.user_update(actor=chair_a, user=user, name="李四", mobile="", email="")
    user.refresh_from_db()
    assert user.name == "张三"


# -- passwords -------------------------------------------------------------------------------------


def test_user_reset_password(office, make_user):
    user = make_user()
    user.must_change_password = False
    user.save()

    password = services.user_reset_password(actor=office, user=user)

    user.refresh_from_db()
    assert user.check_password(password)
    assert not user.check_password("Secret-2026!")
    assert user.must_change_password is True
    [entry] = audit_entries("accounts.user.password_reset")
    assert entry.actor == office and entry.target_id == str(user.pk)
    assert password not in str(entry.changes)


def test_user_reset_password_needs_the_permission_at_the_top(tree, make_user):
    user = make_user()
    with pytest.raises(PermissionDenied):
        services.user_reset_password(actor=make_user("union_staff", tree.b), user=user)
    user.refresh_from_db()
    assert user.check_password("Secret-2026!")
    assert audit_entries("accounts.user.password_reset") == []


def test_two_resets_give_different_passwords(office, make_user):
    user = make_user()
    assert services.user_reset_password(actor=office, user=user) != services.user_reset_password(
        actor=office, user=user
    )


def test_password_changed_clears_the_flag(make_user):
    user = make_user(must_change_password=True)

    services.password_changed(user=user)

    user.refresh_from_db()
    assert user.must_change_password is False
    assert user.password_changed_at is not None
    [entry] = audit_entries("accounts.password.changed")
    assert entry.actor == user and entry.target_id == str(user.pk)


# -- user_set_active -------------------------------------------------------------------------------


def test_deactivate_and_activate(office, make_user):
    user = make_user()

    services.user_set_active(actor=office, user=user, active=False)
    user.refresh_from_db()
    assert user.is_active is False
    [entry] = audit_entries("accounts.user.deactivated")
    assert entry.changes == {"is_active": [True, False]}

    services.user_set_active(actor=office, user=user, active=True)
    user.refresh_from_db()
    assert user.is_active is True
    [entry] = audit_entries("accounts.user.activated")
    assert entry.changes == {"is_active": [False, True]}


def test_setting_the_same_state_writes_nothing(office, make_user):
    user = make_user()
    services.user_set_active(actor=office, user=user, active=True)
    assert audit_entries("accounts.user.activated") == []


def test_nobody_can_deactivate_themselves(office):
    with pytest.raises(ValidationError):
        services.user_set_active(actor=office, user=office, active=False)
    office.refresh_from_db()
    assert office.is_active
    assert audit_entries("accounts.user.deactivated") == []


def test_user_set_active_needs_the_permission(chair_a, make_user):
    user = make_user()
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=chair_a, user=user, active=False)
    user.refresh_from_db()
    assert user.is_active


# -- role_assign -----------------------------------------------------------------------------------


def test_a_chair_assigns_a_role_in_their_subtree(tree, chair_a, make_user):
    user = make_user()

    assignment = services.role_assign(
        actor=chair_a, user=user, role=role("subunion_committee"), unit=tree.a1, note=" 第一小组 "
    )

    assert assignment.granted_by == chair_a
    assert assignment.valid_from == timezone.localdate()
    assert assignment.valid_until is None
    assert assignment.note == "第一小组"
    assert User.objects.get(pk=user.pk).has_unit_perm("members.view", tree.a1)
    [entry] = audit_entries("accounts.role.assigned", actor=chair_a)
    assert entry.target_id == str(assignment.pk)
    assert entry.unit_id == tree.a1.pk
    assert entry.changes["role"] == role("subunion_committee").name
    assert entry.changes["unit"] == tree.a1.name
    assert entry.changes["valid_until"] is None


def test_a_chair_may_pass_on_their_own_role_within_their_subtree(tree, chair_a, make_user):
    services.role_assign(actor=chair_a, user=make_user(), role=role("subunion_chair"), unit=tree.a)
    services.role_assign(actor=chair_a, user=make_user(), role=role("subunion_chair"), unit=tree.a1)
    assert RoleAssignment.objects.filter(role__code="subunion_chair").count() == 3


def test_a_chair_cannot_grant_a_role_carrying_more_than_they_hold(tree, chair_a, make_user):
    user = make_user()
    assert not role_codes("union_chair") <= role_codes("subunion_chair")

    with pytest.raises(ValidationError) as exc:
        services.role_assign(actor=chair_a, user=user, role=role("union_chair"), unit=tree.a)

    assert role("union_chair").name in exc.value.messages[0]
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert audit_entries("accounts.role.assigned", actor=chair_a) == []


@pytest.mark.parametrize("unit_name", ["b", "b1", "root"])
def test_a_chair_cannot_grant_outside_their_subtree(tree, chair_a, make_user, unit_name):
    user = make_user()

    with pytest.raises(ValidationError):
        services.role_assign(
            actor=chair_a, user=user, role=role("subunion_committee"), unit=getattr(tree, unit_name)
        )

    assert not RoleAssignment.objects.filter(user=user).exists()


def test_someone_without_roles_assign_cannot_grant_anything(tree, make_user):
    committee = make_user("subunion_committee", tree.a)
    user = make_user()
    with pytest.raises(ValidationError):
        services.role_assign(actor=committee, user=user, role=role("member"), unit=tree.a)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_the_office_at_the_top_grants_anywhere(tree, office, make_user):
    services.role_assign(actor=office, user=make_user(), role=role("subunion_chair"), unit=tree.b)
    services.role_assign(actor=office, user=make_user(), role=role("member"), unit=tree.b1)


def test_the_office_cannot_grant_a_role_with_permissions_it_lacks(tree, office, make_user):
    assert "accounts.roles.edit" not in role_codes("union_staff")
    with pytest.raises(ValidationError):
        services.role_assign(actor=office, user=make_user(), role=role("sysadmin"), unit=tree.root)


def test_a_role_held_only_until_yesterday_cannot_be_passed_on(tree, make_user):
    today = timezone.localdate()
    former = make_user()
    services.role_assign(
        actor=None,
        user=former,
        role=role("subunion_chair"),
        unit=tree.a,
        valid_from=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
    )
    former = User.objects.get(pk=former.pk)
    with pytest.raises(ValidationError):
        services.role_assign(actor=former, user=make_user(), role=role("subunion_committee"), unit=tree.a)


def test_assigning_the_same_role_at_the_same_unit_twice_is_refused(tree, chair_a, make_user):
    user = make_user()
    services.role_assign(actor=chair_a, user=user, role=role("subunion_committee"), unit=tree.a)

    with pytest.raises(ValidationError) as exc:
        services.role_assign(actor=chair_a, user=user, role=role("subunion_committee"), unit=tree.a)

    assert user.name in exc.value.messages[0]
    assert RoleAssignment.objects.filter(user=user).count() == 1
    assert len(audit_entries("accounts.role.assigned", actor=chair_a)) == 1


def test_the_same_role_at_another_unit_or_another_role_at_the_same_unit_is_fine(tree, chair_a, make_user):
    user = make_user()
    services.role_assign(actor=chair_a, user=user, role=role("subunion_committee"), unit=tree.a)
    services.role_assign(actor=chair_a, user=user, role=role("subunion_committee"), unit=tree.a1)
    services.role_assign(actor=chair_a, user=user, role=role("member"), unit=tree.a)
    assert RoleAssignment.objects.filter(user=user).count() == 3


def test_a_role_can_be_assigned_again_after_it_was_revoked(tree, chair_a, make_user):
    user = make_user()
    first = services.role_assign(actor=chair_a, user=user, role=role("subunion_committee"), unit=tree.a)
    services.role_revoke(actor=chair_a, assignment=first)

    again = services.role_assign(actor=chair_a, user=user, role=role("subunion_committee"), unit=tree.a)

    assert again.pk != first.pk
    assert User.objects.get(pk=user.pk).has_unit_perm("members.view", tree.a)


def test_a_deactivated_user_cannot_be_given_a_role(tree, chair_a, make_user):
    user = make_user(is_active=False)
    with pytest.raises(ValidationError):
        services.role_assign(actor=chair_a, user=user, role=role("member"), unit=tree.a)
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_a_role_cannot_be_given_at_a_dissolved_unit(tree, chair_a, make_user):
    type(tree.a1).objects.filter(pk=tree.a1.pk).update(is_active=False)
    tree.a1.refresh_from_db()
    with pytest.raises(ValidationError):
        services.role_assign(actor=chair_a, user=make_user(), role=role("member"), unit=tree.a1)


def test_the_end_date_must_not_precede_the_start(tree, chair_a, make_user):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.role_assign(
            actor=chair_a,
            user=make_user(),
            role=role("member"),
            unit=tree.a,
            valid_from=today,
            valid_until=today - dt.timedelta(days=1),
        )
    assert error_fields(exc) == {"valid_until"}


def test_a_dated_assignment_records_its_dates(tree, chair_a, make_user):
    start = timezone.localdate() + dt.timedelta(days=3)
    end = start + dt.timedelta(days=365)
    assignment = services.role_assign(
        actor=chair_a, user=make_user(), role=role("member"), unit=tree.a, valid_from=start, valid_until=end
    )
    assert (assignment.valid_from, assignment.valid_until) == (start, end)
    entry = audit_entries("accounts.role.assigned", actor=chair_a)[0]
    assert entry.changes["valid_from"] == start.isoformat()
    assert entry.changes["valid_until"] == end.isoformat()


# -- role_revoke -----------------------------------------------------------------------------------


def test_revoke_ends_the_assignment_and_is_audited(tree, chair_a, make_user):
    user = make_user("subunion_committee", tree.a1)
    assignment = RoleAssignment.objects.get(user=user)

    services.role_revoke(actor=chair_a, assignment=assignment)

    assignment.refresh_from_db()
    assert assignment.revoked_at is not None
    assert assignment.revoked_by == chair_a
    assert not User.objects.get(pk=user.pk).has_unit_perm("members.view", tree.a1)
    [entry] = audit_entries("accounts.role.revoked")
    assert entry.actor == chair_a
    assert entry.target_id == str(assignment.pk)
    assert entry.unit_id == tree.a1.pk


def test_revoking_twice_is_refused(tree, chair_a, make_user):
    assignment = RoleAssignment.objects.get(user=make_user("subunion_committee", tree.a))
    services.role_revoke(actor=chair_a, assignment=assignment)
    revoked_at = RoleAssignment.objects.get(pk=assignment.pk).revoked_at

    with pytest.raises(ValidationError):
        services.role_revoke(actor=chair_a, assignment=assignment)

    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at == revoked_at
    assert len(audit_entries("accounts.role.revoked")) == 1


def test_revoking_outside_ones_subtree_is_denied(tree, chair_a, make_user):
    assignment = RoleAssignment.objects.get(user=make_user("subunion_committee", tree.b))

    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=chair_a, assignment=assignment)

    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None
    assert audit_entries("accounts.role.revoked") == []


def test_nobody_revokes_their_own_sysadmin_role(tree, sysadmin):
    assignment = RoleAssignment.objects.get(user=sysadmin)
    with pytest.raises(ValidationError):
        services.role_revoke(actor=sysadmin, assignment=assignment)
    assert RoleAssignment.objects.get(pk=assignment.pk).revoked_at is None


def test_another_sysadmin_may_revoke_it(tree, sysadmin, make_user):
    other = make_user("sysadmin", tree.root)
    services.role_revoke(actor=sysadmin, assignment=RoleAssignment.objects.get(user=other))
    assert not User.objects.get(pk=other.pk).has_unit_perm("accounts.roles.edit")


# -- role_set_permissions --------------------------------------------------------------------------


def test_role_set_permissions_changes_the_role_and_is_audited(sysadmin):
    committee = role("subunion_committee")
    before = role_codes("subunion_committee")
    after = (before - {"members.view"}) | {"core.audit.view"}

    services.role_set_permissions(
        actor=sysadmin, role=committee, codes=after, name="分工会委员兼审计", description="  可看审计  "
    )

    committee.refresh_from_db()
    assert role_codes("subunion_committee") == after
    assert committee.name == "分工会委员兼审计"
    assert committee.description == "可看审计"
    [entry] = audit_entries("accounts.role.changed")
    assert entry.actor == sysadmin
    assert entry.target_id == str(committee.pk)
    assert entry.changes["permissions"] == [sorted(before), sorted(after)]
    assert entry.changes["name"] == ["分工会委员", "分工会委员兼审计"]


def test_role_set_permissions_without_changes_writes_no_audit(sysadmin):
    services.role_set_permissions(actor=sysadmin, role=role("auditor"), codes=role_codes("auditor"))
    assert audit_entries("accounts.role.changed") == []


@pytest.mark.parametrize("who", ["chair", "sysadmin_at_a", "office"])
def test_role_set_permissions_by_a_non_top_actor_is_denied(tree, make_user, chair_a, office, who):
    actor = {"chair": chair_a, "sysadmin_at_a": make_user("sysadmin", tree.a), "office": office}[who]
    before = role_codes("member")

    with pytest.raises(PermissionDenied):
        services.role_set_permissions(actor=actor, role=role("member"), codes={"core.console"})

    assert role_codes("member") == before
    assert audit_entries("accounts.role.changed") == []


def test_role_set_permissions_refuses_unknown_codes(sysadmin):
    before = role_codes("auditor")

    with pytest.raises(ValidationError) as exc:
        services.role_set_permissions(
            actor=sysadmin, role=role("auditor"), codes={"core.console", "no.such.code"}
        )

    assert "no.such.code" in exc.value.messages[0]
    assert role_codes("auditor") == before


def test_role_set_permissions_refuses_a_name_another_role_has(sysadmin):
    auditor = role("auditor")
    with pytest.raises(ValidationError) as exc:
        services.role_set_permissions(actor=sysadmin, role=auditor, codes=set(), name=role("member").name)
    assert error_fields(exc) == {"name"}
    auditor.refresh_from_db()
    assert auditor.name == "经审委员"
    assert role_codes("auditor")  # untouched


def test_role_set_permissions_refuses_an_empty_name(sysadmin):
    with pytest.raises(ValidationError) as exc:
        services.role_set_permissions(actor=sysadmin, role=role("auditor"), codes=set(), name="   ")
    assert error_fields(exc) == {"name"}


# -- the seeded roles ------------------------------------------------------------------------------


def test_the_seeded_roles_and_permissions_exist(db):
    assert set(Role.objects.values_list("code", flat=True)) >= {
        "member",
        "subunion_chair",
        "subunion_committee",
        "union_staff",
        "union_chair",
        "handling_office",
        "auditor",
        "sysadmin",
    }
    assert {"accounts.roles.assign", "accounts.roles.edit", "accounts.users.manage"} <= set(
        Permission.objects.values_list("code", flat=True)
    )
    assert "accounts.roles.edit" in role_codes("sysadmin")
    assert "accounts.users.manage" in role_codes("union_staff")
    assert "accounts.roles.assign" in role_codes("subunion_chair")


def test_sync_does_not_give_back_a_permission_taken_away(sysadmin):
    from smartunion.accounts.roles import sync_permissions_and_roles

    services.role_set_permissions(
        actor=sysadmin, role=role("auditor"), codes=role_codes("auditor") - {"core.audit.view"}
    )
    sync_permissions_and_roles()
    assert "core.audit.view" not in role_codes("auditor")


def test_a_granted_role_is_announced_to_its_holder(tree, make_user):
    from smartunion.accounts import services
    from smartunion.accounts.models import Role
    from smartunion.notifications.models import Notification

    chair = make_user("subunion_chair", tree.a)
    holder = make_user()
    services.role_assign(
        actor=chair, user=holder, role=Role.objects.get(code="subunion_committee"), unit=tree.a1
    )
    note = Notification.objects.get(recipient=holder)
    assert note.kind == "accounts.role.assigned"
    assert "第一工会小组" in note.title and note.link == "/accounts/home/"
    services.role_assign(actor=None, user=holder, role=Role.objects.get(code="member"), unit=tree.a1)
    assert Notification.objects.filter(recipient=holder).count() == 1  # the system grants silently


def test_union_staff_cannot_take_over_an_administrator(tree, make_user):
    from django.core.exceptions import PermissionDenied

    from smartunion.accounts import services
    from smartunion.accounts.models import User

    office = make_user("union_staff", tree.root)
    superuser = User.objects.create_superuser("root1", "超级管理员", "Secret-2026!")
    sysadmin = make_user("sysadmin", tree.root)
    member = make_user("member", tree.a)
    for target in (superuser, sysadmin):
        with pytest.raises(PermissionDenied):
            services.user_reset_password(actor=office, user=target)
        with pytest.raises(PermissionDenied):
            services.user_set_active(actor=office, user=target, active=False)
        with pytest.raises(PermissionDenied):
            services.user_update(actor=office, user=target, name="改名", mobile="", email="")
    assert User.objects.get(pk=superuser.pk).check_password("Secret-2026!")
    assert User.objects.get(pk=sysadmin.pk).is_active
    # Nothing the actor could not have granted: office staff may manage plain members.
    assert services.user_reset_password(actor=office, user=member)


def test_a_dissolved_unit_confers_nothing(tree, make_user):
    from smartunion.organisations import services as org_services

    chair = make_user("subunion_chair", tree.a1)
    assert chair.has_unit_perm("organisations.view", tree.a1)
    org_services.unit_deactivate(actor=None, unit=tree.a1)
    chair.forget_grants()
    assert not chair.has_unit_perm("organisations.view")


def test_an_expired_assignment_is_closed_with_an_audit_entry_when_the_role_is_given_again(tree, make_user):
    import datetime as dt

    from django.utils import timezone

    from smartunion.accounts import services
    from smartunion.accounts.models import Role, RoleAssignment
    from smartunion.core.models import AuditEntry

    user = make_user()
    role = Role.objects.get(code="subunion_committee")
    old = services.role_assign(
        actor=None,
        user=user,
        role=role,
        unit=tree.a,
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    fresh = services.role_assign(actor=None, user=user, role=role, unit=tree.a)
    old.refresh_from_db()
    assert old.revoked_at is not None and fresh.valid_from == timezone.localdate()
    assert AuditEntry.objects.filter(action="accounts.role.expired", target_id=str(old.pk)).count() == 1
    assert RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).count() == 1
