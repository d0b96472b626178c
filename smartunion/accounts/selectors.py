from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from smartunion.core.normalise import clean_text

from .models import LoginAttempt, Role, RoleAssignment, User


def role_assignments_for_user(
    *, user: Any, role: Role | None = None, unit: Any = None, search: str = "", include_revoked: bool = False
) -> QuerySet[RoleAssignment]:
    """Assignments at units where ``user`` may assign roles."""
    scope = user.scope_for("accounts.roles.assign")
    assignments = scope.filter(
        RoleAssignment.objects.select_related("user", "role", "unit", "granted_by"), "unit"
    )
    if not include_revoked:
        assignments = assignments.filter(revoked_at__isnull=True)
    if role is not None:
        assignments = assignments.filter(role=role)
    if unit is not None:
        assignments = assignments.filter(unit__path__startswith=unit.path)
    if search:
        term = clean_text(search)
        assignments = assignments.filter(Q(user__name__icontains=term) | Q(user__staff_no=term))
    return assignments


def role_assignment_get_for_user(*, user: Any, pk: Any) -> RoleAssignment:
    try:
        return role_assignments_for_user(user=user, include_revoked=True).get(pk=pk)
    except (RoleAssignment.DoesNotExist, ValueError):
        raise Http404 from None


def roles_with_permissions() -> QuerySet[Role]:
    return Role.objects.prefetch_related("permissions")


def role_get(*, pk: Any) -> Role:
    try:
        return roles_with_permissions().get(pk=pk)
    except (Role.DoesNotExist, ValueError):
        raise Http404 from None


def users_for_admin(*, user: Any, search: str = "", active: bool | None = None) -> QuerySet[User]:
    """Accounts are school-wide: only holders of accounts.users.manage at the top see the list."""
    if not user.scope_for("accounts.users.manage").at_top:
        return User.objects.none()
    users = User.objects.all()
    if search:
        term = clean_text(search)
        users = users.filter(Q(name__icontains=term) | Q(staff_no__icontains=term) | Q(mobile=term))
    if active is not None:
        users = users.filter(is_active=active)
    return users


def user_get_for_admin(*, user: Any, pk: Any) -> User:
    try:
        return (
            users_for_admin(user=user)
            .prefetch_related(
                Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("role", "unit"))
            )
            .get(pk=pk)
        )
    except (User.DoesNotExist, ValueError):
        raise Http404 from None


def recent_login_attempts(*, user: User, limit: int = 10) -> list[LoginAttempt]:
    return list(LoginAttempt.objects.filter(user=user)[:limit])


def users_with_perm_at(*, code: str, unit: Any) -> QuerySet[User]:
    """Active users who hold ``code`` at ``unit`` (a role at the unit or at one of its ancestors): whom to
    notify when something at that unit awaits them."""
    parts = [part for part in unit.path.split("/") if part]
    paths = ["".join(f"{part}/" for part in parts[: depth + 1]) for depth in range(len(parts))]
    holders = RoleAssignment.objects.active().filter(role__permissions__code=code, unit__path__in=paths)
    return User.objects.filter(is_active=True, pk__in=holders.values("user_id")).order_by("pk")


def user_by_staff_no(staff_no: str) -> User | None:
    """The account whose login is this 工号, if any (to link it to the person HR knows by that 工号)."""
    return User.objects.filter(staff_no=staff_no).first()
