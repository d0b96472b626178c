from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "smartunion.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from smartunion.core import audit, navigation, permissions
        from smartunion.core.permissions import PermissionSpec

        permissions.register(
            PermissionSpec(
                "finance.view",
                _("View the union's books and budgets"),
                ("union_staff", "union_chair", "auditor", "subunion_chair"),
            ),
            PermissionSpec("finance.post", _("Post entries to the union's books"), ("union_staff",)),
            PermissionSpec("finance.budget.manage", _("Add and change budget lines"), ("union_staff",)),
            PermissionSpec(
                "finance.request",
                _("File spending requests against the unit's budget"),
                ("subunion_chair", "union_staff"),
            ),
            PermissionSpec(
                "finance.approve", _("Approve or reject spending requests"), ("union_staff", "union_chair")
            ),
        )
        audit.register_actions(
            {
                "finance.entry.posted": _("Entry posted to the books"),
                "finance.entry.reversed": _("Entry reversed"),
                "finance.year.closed": _("Fiscal year closed"),
                "finance.year.balances_frozen": _("Fiscal year balances frozen and carried forward"),
                "finance.opening.recorded": _("Opening balance recorded"),
                "finance.allocation_income.recorded": _("拨缴经费 recorded"),
                "finance.allocation_income.corrected": _("拨缴经费 recorded again after a reversal"),
                "finance.budget.created": _("Budget line added"),
                "finance.budget.changed": _("Budget line changed"),
                "finance.spending.submitted": _("Spending request submitted"),
                "finance.spending.first_approved": _("Spending request: first approval"),
                "finance.spending.approved": _("Spending request approved"),
                "finance.spending.rejected": _("Spending request rejected"),
                "finance.spending.paid": _("Spending request paid"),
                "finance.spending.cancelled": _("Spending request cancelled"),
                "finance.ledger.verified": _("Ledger hash chain checked"),
                "finance.budget.allocated": _("Budget line set by an allocation"),
                "finance.allocation.applied": _("Budget allocation applied"),
                "finance.adjustment.requested": _("Budget adjustment requested"),
                "finance.adjustment.approved": _("Budget adjustment approved"),
                "finance.adjustment.rejected": _("Budget adjustment rejected"),
                "finance.adjustment.cancelled": _("Budget adjustment withdrawn"),
                "finance.category.created": _("Category added to the chart"),
                "finance.category.changed": _("Category of the chart changed"),
            }
        )
        audit.register_change_labels(
            {
                "total": _("Total"),
                "source": _("Source"),
                "warnings": _("Warnings"),
                "reason": _("Reason"),
                "reversed_entry": _("Reversed entry"),
                "budget_line": _("Budget line"),
                "attachments": _("Invoices"),
                "committed": _("Committed"),
                "entry": _("Entry"),
                "ok": _("Intact"),
                "entries": _("Entries checked"),
                "result": _("Result"),
                "payroll_total": _("Payroll total"),
                "rate": _("Allocation rate"),
                "retained_share": _("Share kept"),
                "retained": _("Kept by the union"),
                "upward": _("To the higher-level union"),
                "year": _("Year"),
                "opening": _("Opening balance"),
                "income": _("Income"),
                "expense": _("Expense"),
                "closing": _("Closing balance"),
                "opening_balance": _("Opening balance"),
                "note": _("Note"),
                "allocation": _("Allocation"),
                "adjustment": _("Adjustment"),
                "units": _("Units"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="finance_budgets",
                label=_("Budgets"),
                url_name="finance:budget_list",
                permission="finance.view",
                icon="chart",
                group=navigation.GROUP_FINANCE,
                order=60,
            ),
            navigation.NavItem(
                key="finance_budgets_adjustments",
                label=_("Budget adjustments"),
                url_name="finance:adjustment_list",
                permission="finance.view",
                icon="inbox",
                group=navigation.GROUP_FINANCE,
                order=60,
            ),
            navigation.NavItem(
                key="finance_budgets_allocations",
                label=_("Budget allocations"),
                url_name="finance:allocation_list",
                permission=_views_at_top,
                icon="chart",
                group=navigation.GROUP_FINANCE,
                order=60,
            ),
            navigation.NavItem(
                key="finance_spending",
                label=_("Spending requests"),
                url_name="finance:request_list",
                permission="finance.view",
                icon="inbox",
                group=navigation.GROUP_FINANCE,
                order=61,
            ),
            navigation.NavItem(
                key="finance_income",
                label=_("Income recording"),
                url_name="finance:income_list",
                permission="finance.view",
                icon="inbox",
                group=navigation.GROUP_FINANCE,
                order=62,
            ),
            navigation.NavItem(
                key="finance_years",
                label=_("Fiscal years"),
                url_name="finance:year_list",
                permission="finance.view",
                icon="chart",
                group=navigation.GROUP_FINANCE,
                order=68,
            ),
            navigation.NavItem(
                key="finance_ledger",
                label=_("Ledger"),
                url_name="finance:ledger",
                permission="finance.view",
                icon="chart",
                group=navigation.GROUP_FINANCE,
                order=63,
            ),
            navigation.NavItem(
                key="finance_chart",
                label=_("Chart of categories"),
                url_name="finance:category_list",
                permission="finance.view",
                icon="tree",
                group=navigation.GROUP_FINANCE,
                order=69,
            ),
            navigation.NavItem(
                key="finance_verify",
                label=_("Ledger check"),
                url_name="finance:ledger_verify",
                permission=_views_at_top,
                icon="shield",
                group=navigation.GROUP_FINANCE,
                order=64,
            ),
            navigation.NavItem(
                key="finance_sample",
                label=_("Sampling"),
                url_name="finance:entry_sample",
                permission=_views_at_top,
                icon="shield",
                group=navigation.GROUP_FINANCE,
                order=65,
            ),
            navigation.NavItem(
                key="finance_execution_report",
                label=_("Budget execution"),
                url_name="finance:execution_report",
                permission="finance.view",
                icon="chart",
                group=navigation.GROUP_FINANCE,
                order=66,
            ),
            navigation.NavItem(
                key="finance_year_report",
                label=_("Year summary"),
                url_name="finance:year_report",
                permission="finance.view",
                icon="chart",
                group=navigation.GROUP_FINANCE,
                order=67,
            ),
        )
        from .defaults import ensure_default_chart

        post_migrate.connect(ensure_default_chart, sender=self, dispatch_uid="smartunion_finance_defaults")


def _views_at_top(user: Any) -> bool:
    """The audit committee's checks cover the whole ledger: for holders of finance.view at the top."""
    return bool(user.scope_for("finance.view").at_top)
