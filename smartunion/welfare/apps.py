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
        # -- standards (慰问标准) --
        from smartunion.core import audit, navigation

        audit.register_actions(
            {
                "welfare.item.created": _("Benefit item added"),
                "welfare.item.changed": _("Benefit item changed"),
                "welfare.standard.created": _("Benefit standard added"),
                "welfare.standard.changed": _("Benefit standard changed"),
                "welfare.standard.ended": _("Benefit standard ended by a newer one"),
                "welfare.standard.confirmed": _("Benefit standard confirmed"),
                "welfare.group_cap.created": _("Yearly cap added"),
                "welfare.group_cap.ended": _("Yearly cap ended by a newer one"),
                "welfare.group_cap.confirmed": _("Yearly cap confirmed"),
            }
        )
        audit.register_change_labels({"item": _("Item"), "group": _("Cap group")})
        navigation.console_nav.register(
            navigation.NavItem(
                key="welfare_standards",
                label=_("Benefit standards"),
                url_name="welfare:standard_list",
                permission="welfare.view",
                icon="gift",
                group=navigation.GROUP_WELFARE,
                order=80,
            )
        )
        # -- end standards --
        self._register_programmes()
        self._register_care()
        self._register_vouchers()
        from .personal_data import register_personal_data  # 个人信息查阅复制: the welfare part

        register_personal_data()
        from .defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="smartunion_welfare_defaults")

    def _register_programmes(self) -> None:
        """Festival programmes with the members' choice: audit actions, the console entry, the portal block."""
        from smartunion.core import audit, navigation
        from smartunion.core.navigation import NavItem, PortalBlock, portal_blocks

        from .views.portal_programmes import choices_block

        audit.register_actions(
            {
                "welfare.programme.created": _("Benefit programme created"),
                "welfare.programme.changed": _("Benefit programme changed"),
                "welfare.programme.option_added": _("Programme option added"),
                "welfare.programme.option_changed": _("Programme option changed"),
                "welfare.programme.option_removed": _("Programme option removed"),
                "welfare.programme.opened": _("Programme opened for the members' choice"),
                "welfare.entitlement.chosen": _("Benefit option chosen"),
                "welfare.programme.issue_started": _("Programme issuance started"),
                "welfare.programme.issue_stopped": _("Programme issuance stopped"),
                "welfare.programme.issued": _("Programme issued"),
            }
        )
        audit.register_change_labels(
            {
                "value_per_member": _("Value per member"),
                "option": _("Option"),
                "default": _("Default option"),
                "members": _("Members"),
                "over_cap": _("Over the yearly cap"),
                "issued": _("Issued"),
                "entries": _("Entries"),
            }
        )
        navigation.console_nav.register(
            NavItem(
                key="welfare_programmes",
                label=_("Benefit issuance"),
                url_name="welfare:programme_list",
                permission="welfare.view",
                icon="gift",
                group=navigation.GROUP_WELFARE,
                order=20,
            )
        )
        portal_blocks.register(
            PortalBlock(
                section="welfare",
                key="programme_choices",
                template="welfare/portal_block_choices.html",
                context=choices_block,
                order=10,
            )
        )

    def _register_care(self) -> None:
        """Care visits (五必访) and birthdays: audit actions, the console entries, the portal block."""
        from smartunion.core import audit, navigation
        from smartunion.core.navigation import NavItem, PortalBlock, portal_blocks

        from .views.portal_care import portal_block

        audit.register_actions(
            {
                "welfare.care.reported": _("Care event reported"),
                "welfare.care.viewed": _("Care event viewed (sensitive)"),
                "welfare.care.approved": _("Care event approved"),
                "welfare.care.rejected": _("Care event not approved"),
                "welfare.care.cancelled": _("Care event cancelled"),
                "welfare.care.visited": _("Care visit recorded"),
                "welfare.care.reminded": _("Overdue care visit reminded"),
                "welfare.care.type_created": _("Care event type added"),
                "welfare.care.type_changed": _("Care event type changed"),
                "welfare.birthday.ran": _("Birthday benefits issued"),
            }
        )
        audit.register_change_labels(
            {
                "suggested_amount": _("Suggested amount"),
                "approved_amount": _("Approved amount"),
                "visitors": _("Visitors"),
                "visited_on": _("Visited on"),
                "photos": _("Photos"),
                "by_member": _("Reported by the member"),
                "responsible": _("Who visits"),
                "entry": _("Finance entry"),
                "payment": _("Payment"),
                "given_as": _("Given as"),
                "event_type": _("Event"),
                "occurred_on": _("Date of the event"),
            }
        )
        navigation.console_nav.register(
            NavItem(
                key="welfare_care",
                label=_("Care visits (五必访)"),
                url_name="welfare:care_event_list",
                permission="welfare.view",
                icon="heart",
                group=navigation.GROUP_WELFARE,
                order=40,
            ),
            NavItem(
                key="welfare_care_stats",
                label=_("Visit statistics"),
                url_name="welfare:care_stats",
                permission="welfare.view",
                icon="chart",
                group=navigation.GROUP_WELFARE,
                order=41,
            ),
        )
        portal_blocks.register(
            PortalBlock(
                section="welfare",
                key="care",
                template="welfare/portal_block_care.html",
                context=portal_block,
                order=30,
            )
        )

    def _register_vouchers(self) -> None:
        """提货券, merchants and settlements: audit actions, the console entries, 我的提货券 in the portal."""
        from smartunion.core import audit, navigation
        from smartunion.core.navigation import NavItem, PortalBlock, portal_blocks

        from .views.vouchers import portal_block

        audit.register_actions(
            {
                "welfare.voucher.redeemed": _("Voucher redeemed"),
                "welfare.voucher.expired": _("Vouchers expired"),
                "welfare.merchant.created": _("Merchant added"),
                "welfare.merchant.updated": _("Merchant changed"),
                "welfare.merchant.cashier_added": _("Cashier account added to a merchant"),
                "welfare.merchant.cashier_removed": _("Cashier account removed from a merchant"),
                "welfare.settlement.created": _("Merchant redemptions settled"),
            }
        )

        def office(user: object) -> bool:
            return bool(user.scope_for("welfare.merchants.manage").at_top)  # type: ignore[attr-defined]

        navigation.console_nav.register(
            NavItem(
                key="welfare_merchants",
                label=_("Merchants and 提货券"),
                url_name="welfare:merchant_list",
                permission=office,
                icon="gift",
                group=navigation.GROUP_WELFARE,
                order=86,
            ),
            NavItem(
                key="welfare_settlements",
                label=_("Settlements"),
                url_name="welfare:settlement_list",
                permission=office,
                icon="chart",
                group=navigation.GROUP_WELFARE,
                order=87,
            ),
        )
        portal_blocks.register(
            PortalBlock(
                section="welfare",
                key="vouchers",
                template="welfare/portal_block_vouchers.html",
                context=portal_block,
                order=20,
            )
        )
