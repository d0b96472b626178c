from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "smartunion.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from smartunion.core import audit, navigation, permissions
        from smartunion.core.permissions import PermissionSpec

        from .roles import sync_permissions_and_roles

        permissions.register(
            PermissionSpec(
                "accounts.roles.assign",
                _("Assign roles within one's units"),
                ("subunion_chair", "union_staff", "union_chair", "sysadmin"),
            ),
            PermissionSpec("accounts.roles.edit", _("Define roles and their permissions"), ("sysadmin",)),
            PermissionSpec(
                "accounts.users.manage", _("Create accounts and reset passwords"), ("union_staff", "sysadmin")
            ),
        )
        audit.register_change_labels(
            {
                "user": _("Account"),
                "role": _("Role"),
                "unit": _("Unit"),
                "valid_from": _("Valid from"),
                "valid_until": _("Valid until"),
                "permissions": _("Permissions"),
                "account": _("Account"),
                "failures": _("Failed attempts"),
                "ip": _("IP address"),
                "cas_user": _("Single sign-on user"),
            }
        )
        audit.register_actions(
            {
                "accounts.user.created": _("Account created"),
                "accounts.user.updated": _("Account changed"),
                "accounts.user.password_reset": _("Password reset by an administrator"),
                "accounts.user.activated": _("Account activated"),
                "accounts.user.deactivated": _("Account deactivated"),
                "accounts.password.changed": _("Password changed"),
                "accounts.login.locked": _("Account locked after failed logins"),
                "accounts.login.cas_unknown": _("Single sign-on by an unknown staff number"),
                "accounts.role.assigned": _("Role assigned"),
                "accounts.role.revoked": _("Role revoked"),
                "accounts.role.expired": _("Expired role closed"),
                "accounts.role.changed": _("Role changed"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="roles",
                label=_("Roles and access"),
                url_name="accounts:assignment_list",
                permission="accounts.roles.assign",
                icon="key",
                group=navigation.GROUP_SYSTEM,
                order=70,
            ),
            navigation.NavItem(
                key="users",
                label=_("Accounts"),
                url_name="accounts:user_list",
                permission=lambda user: user.scope_for("accounts.users.manage").at_top,
                icon="users",
                group=navigation.GROUP_SYSTEM,
                order=75,
            ),
        )
        post_migrate.connect(sync_permissions_and_roles, sender=self, dispatch_uid="smartunion_sync_roles")
