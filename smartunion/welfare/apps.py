from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "smartunion.welfare"
    label = "welfare"
    verbose_name = _("Welfare and care")

    def ready(self) -> None:
        from smartunion.core import permissions
        from smartunion.core.permissions import PermissionSpec

        permissions.register(
            PermissionSpec(
                "welfare.view",
                _("View benefit standards, programmes, vouchers and care visits"),
                ("union_staff", "union_chair", "auditor", "subunion_chair", "subunion_committee"),
            ),
            PermissionSpec(
                "welfare.standards.manage", _("Edit the benefit standards (慰问标准)"), ("union_staff",)
            ),
            PermissionSpec(
                "welfare.programme.manage",
                _("Create and issue benefit programmes"),
                ("union_staff", "subunion_chair"),
            ),
            PermissionSpec(
                "welfare.care.report",
                _("Report care events for members"),
                ("union_staff", "subunion_chair", "subunion_committee"),
            ),
            PermissionSpec(
                "welfare.care.approve",
                _("Approve care events and their amounts"),
                ("union_staff", "union_chair", "subunion_chair"),
            ),
            PermissionSpec("welfare.redeem", _("Redeem vouchers at the counter (merchants)"), ("merchant",)),
            PermissionSpec(
                "welfare.merchants.manage",
                _("Manage merchants and settle their redemptions"),
                ("union_staff",),
            ),
        )
        from .defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="smartunion_welfare_defaults")
