"""Every write to accounts and roles, with its rules and its audit entry."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit, diff
from smartunion.core.masking import mask_phone
from smartunion.core.normalise import NormaliseError, clean_name, clean_text, normalise_mobile
from smartunion.notifications.services import notify

from .models import Permission, Role, RoleAssignment, User

PASSWORD_ALPHABET = string.ascii_letters + string.digits


def generate_initial_password(length: int = 10) -> str:
    """Readable but strong: letters and digits, always at least one of each."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def _require_everywhere(actor: Any, code: str) -> None:
    if actor is not None and not actor.scope_for(code).at_top:
        raise PermissionDenied


def _require_may_manage(actor: Any, user: User) -> None:
    """Managing an account (its password, its status, its particulars) is taking it over for a while:
    allowed only over accounts that hold nothing the actor could not have granted — never over a
    superuser or an administrator of the Django admin, unless the actor is a superuser too."""
    _require_everywhere(actor, "accounts.users.manage")
    if actor is None or actor.is_superuser:
        return
    if user.is_superuser or user.is_staff:
        raise PermissionDenied
    for assignment in RoleAssignment.objects.active().filter(user=user).select_related("role", "unit"):
        if not role_grantable_by(actor, assignment.role, assignment.unit):
            raise PermissionDenied


def _clean_mobile(mobile: str, *, exclude: User | None = None) -> str | None:
    if not clean_text(mobile):
        return None
    try:
        mobile = normalise_mobile(mobile)
    except NormaliseError as exc:
        raise ValidationError({"mobile": str(exc)}) from None
    clash = User.objects.filter(mobile=mobile)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError(
            {"mobile": _("Another account already uses the mobile number %(mobile)s.") % {"mobile": mobile}}
        )
    return mobile


@transaction.atomic
def user_create(
    *,
    actor: Any,
    staff_no: str,
    name: str,
    mobile: str = "",
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account with an initial password (generated unless given) that must be changed at the
    first login. Returns the user and the initial password, to be handed over once."""
    _require_everywhere(actor, "accounts.users.manage")
    staff_no = clean_text(staff_no).replace(" ", "")
    name = clean_name(name)
    if not staff_no:
        raise ValidationError({"staff_no": _("Enter the staff number (工号).")})
    if not name:
        raise ValidationError({"name": _("Enter the name.")})
    if User.objects.filter(staff_no=staff_no).exists():
        raise ValidationError(
            {"staff_no": _("An account with the staff number %(no)s already exists.") % {"no": staff_no}}
        )
    initial = password or generate_initial_password()
    user = User(
        staff_no=staff_no,
        name=name,
        mobile=_clean_mobile(mobile),
        email=clean_text(email),
        must_change_password=True,
    )
    user.set_password(initial)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError(
            _("The staff number or mobile number was just taken by another account.")
        ) from None
    audit(
        actor=actor, action="accounts.user.created", target=user, changes={"staff_no": staff_no, "name": name}
    )
    return user, initial


@transaction.atomic
def user_update(*, actor: Any, user: User, name: str, mobile: str, email: str) -> User:
    _require_may_manage(actor, user)
    before = {"name": user.name, "mobile": mask_phone(user.mobile), "email": user.email}
    user.name = clean_name(name) or user.name
    user.mobile = _clean_mobile(mobile, exclude=user)
    user.email = clean_text(email)
    changes = diff(before, {"name": user.name, "mobile": mask_phone(user.mobile), "email": user.email})
    if changes:
        user.save(update_fields=["name", "mobile", "email"])
        audit(actor=actor, action="accounts.user.updated", target=user, changes=changes)
    return user


@transaction.atomic
def user_reset_password(*, actor: Any, user: User) -> str:
    """A new initial password, to be changed at the next login. Returns it (shown once)."""
    _require_may_manage(actor, user)
    password = generate_initial_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()  # also ends a login lock (throttle counts from here)
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit(actor=actor, action="accounts.user.password_reset", target=user)
    return password


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    _require_may_manage(actor, user)
    if actor is not None and actor.pk == user.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit(
        actor=actor,
        action="accounts.user.activated" if active else "accounts.user.deactivated",
        target=user,
        changes={"is_active": [not active, active]},
    )
    return user


@transaction.atomic
def password_changed(*, user: User) -> None:
    """Called after the user set a new password themselves."""
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["must_change_password", "password_changed_at"])
    audit(actor=user, action="accounts.password.changed", target=user)


def _codes_of(role: Role) -> set[str]:
    return set(role.permissions.values_list("code", flat=True))


def role_grantable_by(actor: Any, role: Role, unit: Any) -> bool:
    """An officer may grant a role at a unit only if they could assign roles there and they themselves
    hold every permission of that role there (nobody hands out more than they have)."""
    if actor is None:
        return True
    if not actor.has_unit_perm("accounts.roles.assign", unit):
        return False
    return all(actor.has_unit_perm(code, unit) for code in _codes_of(role))


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: User,
    role: Role,
    unit: Any,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    note: str = "",
) -> RoleAssignment:
    if not role_grantable_by(actor, role, unit):
        raise ValidationError(
            _(
                "You may not grant the role “%(role)s” at “%(unit)s”: it carries permissions you do not hold there."
            )
            % {"role": role.name, "unit": unit.name}
        )
    if not user.is_active:
        raise ValidationError(_("%(user)s is deactivated.") % {"user": user})
    if not unit.is_active:
        raise ValidationError(_("“%(unit)s” is no longer active.") % {"unit": unit.name})
    valid_from = valid_from or timezone.localdate()
    if valid_until is not None and valid_until < valid_from:
        raise ValidationError({"valid_until": _("The end date is before the start date.")})
    # An assignment whose term ran out is history, not a holding: close it so the role can be given again.
    expired = RoleAssignment.objects.select_for_update().filter(
        user=user, role=role, unit=unit, revoked_at__isnull=True, valid_until__lt=timezone.localdate()
    )
    for old in expired:
        old.revoked_at = timezone.now()
        old.save(update_fields=["revoked_at"])
        audit(
            actor=actor,
            action="accounts.role.expired",
            target=old,
            changes={"user": str(user), "role": role.name, "unit": unit.name, "valid_until": old.valid_until},
        )
    if RoleAssignment.objects.filter(user=user, role=role, unit=unit, revoked_at__isnull=True).exists():
        raise ValidationError(
            _("%(user)s already holds “%(role)s” at “%(unit)s”.")
            % {"user": user, "role": role.name, "unit": unit.name}
        )
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user,
                role=role,
                unit=unit,
                valid_from=valid_from,
                valid_until=valid_until,
                granted_by=actor if getattr(actor, "pk", None) else None,
                note=clean_text(note),
            )
    except IntegrityError:
        raise ValidationError(
            _("%(user)s already holds “%(role)s” at “%(unit)s”.")
            % {"user": user, "role": role.name, "unit": unit.name}
        ) from None
    audit(
        actor=actor,
        action="accounts.role.assigned",
        target=assignment,
        changes={
            "user": str(user),
            "role": role.name,
            "unit": unit.name,
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    user.forget_grants()
    if actor is not None:  # seeding and imports run as the system and do not message anyone
        notify(
            recipients=[user],
            kind="accounts.role.assigned",
            title=_("You now hold the role “%(role)s” at %(unit)s") % {"role": role.name, "unit": unit.name},
            body=_("Granted by %(actor)s. It covers %(unit)s and all its sub-units.")
            % {"actor": actor, "unit": unit.name},
            link=reverse("accounts:home"),
        )
    return assignment


@transaction.atomic
def role_revoke(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_for_update()
        .select_related("user", "role", "unit")
        .get(pk=assignment.pk)
    )
    # Nobody takes away what they could not have given.
    if not role_grantable_by(actor, assignment.role, assignment.unit):
        raise PermissionDenied
    if assignment.revoked_at is not None:
        raise ValidationError(_("This role was already revoked."))
    if actor is not None and actor.pk == assignment.user_id and assignment.role.code == "sysadmin":
        raise ValidationError(_("You cannot revoke your own system administrator role."))
    assignment.revoked_at = timezone.now()
    assignment.revoked_by = actor if getattr(actor, "pk", None) else None
    assignment.save(update_fields=["revoked_at", "revoked_by"])
    audit(
        actor=actor,
        action="accounts.role.revoked",
        target=assignment,
        changes={"user": str(assignment.user), "role": assignment.role.name, "unit": assignment.unit.name},
    )
    return assignment


@transaction.atomic
def role_set_permissions(
    *, actor: Any, role: Role, codes: set[str], name: str | None = None, description: str | None = None
) -> Role:
    _require_everywhere(actor, "accounts.roles.edit")
    known = set(Permission.objects.values_list("code", flat=True))
    unknown = codes - known
    if unknown:
        raise ValidationError(_("Unknown permissions: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    before = {"permissions": sorted(_codes_of(role)), "name": role.name, "description": role.description}
    if name is not None:
        name = clean_text(name)
        if not name:
            raise ValidationError({"name": _("Enter the role's name.")})
        if Role.objects.filter(name=name).exclude(pk=role.pk).exists():
            raise ValidationError({"name": _("Another role is already called “%(name)s”.") % {"name": name}})
        role.name = name
    if description is not None:
        role.description = clean_text(description)
    role.save(update_fields=["name", "description"])
    role.permissions.set(Permission.objects.filter(code__in=codes))
    after = {"permissions": sorted(codes), "name": role.name, "description": role.description}
    changes = diff(before, after)
    if changes:
        audit(actor=actor, action="accounts.role.changed", target=role, changes=changes)
    return role
