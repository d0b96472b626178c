"""Accounts, roles and where they apply.

A role (会员, 分工会主席 …) is a set of permission codes. A ``RoleAssignment`` gives a role to a user *at a
unit*; it covers that unit's whole subtree. ``User.scope_for(code)`` turns the user's assignments into the
:class:`~smartunion.core.permissions.Scope` every selector filters by.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.permissions import Scope, all_permissions, permission_label


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, staff_no: str, name: str = "", password: str | None = None, **extra: Any) -> User:
        if not staff_no:
            raise ValueError("A user needs a staff number (工号).")
        user = self.model(staff_no=staff_no, name=name or staff_no, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, staff_no: str, name: str = "", password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(staff_no, name, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Staff log in with their 工号 (or mobile number); HR data about the person lives in members."""

    _grant_cache: dict[str, set[str]] | None

    staff_no = models.CharField(_("staff number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile number"), max_length=11, unique=True, null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the Django admin"), default=False)
    date_joined = models.DateTimeField(_("created at"), default=timezone.now)
    must_change_password = models.BooleanField(_("must change password at next login"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "staff_no"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["staff_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"

    @property
    def display_name(self) -> str:
        return self.name or self.staff_no

    @property
    def audit_label(self) -> str:
        return str(self)

    # -- organisation scope -----------------------------------------------------------------------
    def _grants(self) -> dict[str, set[str]]:
        """{permission code: unit paths where the user holds it}, loaded once per request (one query)."""
        cached: dict[str, set[str]] | None = getattr(self, "_grant_cache", None)
        if cached is None:
            cached = {}
            rows = (
                RoleAssignment.objects.active()
                .filter(user_id=self.pk, role__permissions__isnull=False)
                .values_list("role__permissions__code", "unit__path")
            )
            for code, path in rows:
                cached.setdefault(code, set()).add(path)
            self._grant_cache = cached
        return cached

    def forget_grants(self) -> None:
        self._grant_cache = None

    def scope_for(self, code: str) -> Scope:
        if not self.is_active:
            return Scope()
        if self.is_superuser:
            return Scope.everything()
        return Scope.of(self._grants().get(code, ()))

    def has_unit_perm(self, code: str, unit: Any = None) -> bool:
        """Holds ``code`` somewhere (no unit) or at a unit covering ``unit``."""
        scope = self.scope_for(code)
        if unit is None:
            return not scope.is_empty
        return scope.covers(unit.path)

    def permission_codes(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        if self.is_superuser:
            return frozenset(spec.code for spec in all_permissions())
        return frozenset(self._grants())


class Permission(models.Model):
    """A permission code declared by an app (synchronised from the registry after migrate)."""

    code = models.CharField(_("code"), max_length=100, primary_key=True)
    app_label = models.CharField(_("module"), max_length=50)

    class Meta:
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")
        ordering = ["code"]

    def __str__(self) -> str:
        return permission_label(self.code)


class Role(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="roles"
    )
    is_system = models.BooleanField(_("seeded role"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self, on: Any = None) -> RoleAssignmentQuerySet:
        day = on or timezone.localdate()
        return self.filter(
            Q(revoked_at__isnull=True),
            Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            user__is_active=True,
            unit__is_active=True,  # a dissolved or merged unit confers nothing any more
        )


class RoleAssignment(models.Model):
    """A role held by a user at a unit (covering its subtree), from a date, optionally until a date."""

    UNIT_MERGE_POLICY = "keep"  # what someone was granted at the merged unit stays on record there

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, verbose_name=_("revoked by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["unit__path", "role__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(revoked_at__isnull=True),
                name="role_assignment_unique_open",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="role_assignment_until_after_from",
            ),
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="role_assignment_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.unit}"

    @property
    def audit_unit(self) -> Any:
        return self.unit


class LoginAttempt(models.Model):
    """One password login attempt, for throttling and for the security log."""

    identifier = models.CharField(_("account"), max_length=64, db_index=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    succeeded = models.BooleanField(_("succeeded"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("login attempt")
        verbose_name_plural = _("login attempts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.identifier} {'ok' if self.succeeded else 'failed'} {self.created_at:%Y-%m-%d %H:%M}"
