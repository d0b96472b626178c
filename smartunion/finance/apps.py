from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "smartunion.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from smartunion.core import audit, permissions
        from smartunion.core.permissions import PermissionSpec

        permissions.register(
            PermissionSpec(
                "finance.view",
                _("View the union's books and budgets"),
                ("union_staff", "union_chair", "auditor", "subunion_chair"),
            ),
            PermissionSpec("finance.post", _("Post entries to the union's books"), ("union_staff",)),
        )
        audit.register_actions(
            {
                "finance.entry.posted": _("Entry posted to the books"),
                "finance.entry.reversed": _("Entry reversed"),
                "finance.year.closed": _("Fiscal year closed"),
            }
        )
        audit.register_change_labels(
            {
                "total": _("Total"),
                "source": _("Source"),
                "warnings": _("Warnings"),
                "reason": _("Reason"),
                "reversed_entry": _("Reversed entry"),
            }
        )
        from .defaults import ensure_default_chart

        post_migrate.connect(ensure_default_chart, sender=self, dispatch_uid="smartunion_finance_defaults")
