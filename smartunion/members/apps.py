from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "smartunion.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from smartunion.core import audit, navigation, permissions
        from smartunion.core.permissions import PermissionSpec

        from . import imports  # noqa: F401  (registers the staff importer)
        from .portal import register_portal_blocks

        officers = ("subunion_chair", "subunion_committee", "union_staff", "union_chair")
        permissions.register(
            PermissionSpec("members.view", _("View staff and members"), officers),
            PermissionSpec(
                "members.edit",
                _("Change staff and member records"),
                ("subunion_chair", "union_staff", "union_chair"),
            ),
            PermissionSpec("members.import", _("Import the staff list from Excel"), ("union_staff",)),
            PermissionSpec(
                "members.sensitive.view",
                _("See ID numbers and mobile numbers in full"),
                ("union_staff", "union_chair"),
            ),
            PermissionSpec(
                "members.membership.manage",
                _("Record membership changes (retain, transfer, withdraw, joining ceremonies, lapses)"),
                ("subunion_chair", "union_staff", "union_chair"),
            ),
            PermissionSpec(
                "members.membership.expel",
                _("Expel a member by decision of the union committee"),
                ("union_chair",),
            ),
            PermissionSpec(
                "members.application.review",
                _("Review applications to join (sub-union step)"),
                # The union office holds it too: it may act for a sub-union, and it must hold every
                # permission of the roles it grants.
                ("subunion_chair", "subunion_committee", "union_staff", "union_chair"),
            ),
            PermissionSpec(
                "members.application.approve",
                _("Approve applications to join (school union step)"),
                ("union_staff", "union_chair"),
            ),
            PermissionSpec("members.dues.view", _("See dues sheets"), officers),
            PermissionSpec(
                "members.dues.manage",
                _("Set the dues rule and record monthly deductions"),
                ("union_staff",),
            ),
            PermissionSpec(
                "members.corrections.handle",
                _("Handle members' requests to correct their data"),
                ("union_staff",),
            ),
        )
        audit.register_actions(
            {
                "members.person.created": _("Person registered"),
                "members.person.updated": _("Person's HR data changed"),
                "members.person.id_viewed": _("ID number viewed in full"),
                "members.person.unit_merged": _("Unit merged: person moved with it"),
                "members.person.left": _("Recorded as having left the school"),
                "members.membership.applied": _("Applied to join the union"),
                "members.membership.unit_reviewed": _("Application reviewed by the sub-union"),
                "members.membership.approved": _("Application to join approved"),
                "members.membership.rejected": _("Application to join rejected"),
                "members.membership.cancelled": _("Application to join withdrawn"),
                "members.membership.enrolled": _("Joined at a joining ceremony"),
                "members.membership.transferred_in": _("Membership transferred in"),
                "members.membership.moved": _("Membership moved to another unit"),
                "members.membership.retained": _("Membership retained"),
                "members.membership.resumed": _("Membership resumed"),
                "members.membership.transferred_out": _("Membership transferred out"),
                "members.membership.withdrawn": _("Withdrew from the union"),
                "members.membership.lapse_proposed": _("Proposed for lapse by the system"),
                "members.membership.lapse_dismissed": _("Lapse proposal dismissed"),
                "members.membership.lapsed": _("Membership lapsed"),
                "members.membership.expelled": _("Expelled from the union"),
                "members.ceremony.recorded": _("Joining ceremony recorded"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="members",
                label=_("Member roster"),
                url_name="members:person_list",
                permission="members.view",
                icon="users",
                group=navigation.GROUP_ORGANISATION,
                order=20,
            )
        )
        # -- joining, card, family, corrections
        audit.register_actions(
            {
                "members.family.added": _("Family member added"),
                "members.family.updated": _("Family member changed"),
                "members.family.removed": _("Family member removed"),
                "members.family.viewed": _("Family members viewed in full"),
                "members.correction.value_viewed": _("Requested ID or mobile number viewed in full"),
                "members.correction.requested": _("Asked to correct HR data"),
                "members.correction.done": _("Correction request: corrected"),
                "members.correction.declined": _("Correction request: declined"),
            }
        )
        audit.register_change_labels(
            {
                "application": _("Application"),
                "opinion": _("Sub-union opinion"),
                "relation": _("Relation"),
                "school": _("School or kindergarten"),
                "guardian_consent": _("Guardian consent"),
                "field": _("What is wrong"),
                "requested_value": _("Correct value"),
                "reply": _("Reply"),
            }
        )
        from .views.applications import may_handle_applications

        navigation.console_nav.register(
            navigation.NavItem(
                key="members.applications",
                label=_("Applications to join"),
                url_name="members:application_list",
                permission=may_handle_applications,
                icon="user",
                group=navigation.GROUP_ORGANISATION,
                order=22,
            ),
            navigation.NavItem(
                key="members.corrections",
                label=_("Correction requests"),
                url_name="members:correction_list",
                permission="members.corrections.handle",
                icon="message",
                group=navigation.GROUP_ORGANISATION,
                order=28,
            ),
        )
        # -- dues and KPIs
        audit.register_actions(
            {
                "members.dues.rule_set": _("Dues rule set"),
                "members.dues.rule_changed": _("Dues rule changed"),
                "members.dues.month_recorded": _("Month of dues recorded as deducted"),
                "members.dues.charge_unpaid": _("Dues marked as not deducted"),
                "members.dues.charge_paid": _("Dues marked as deducted again"),
            }
        )
        audit.register_change_labels(
            {
                "month": _("Month"),
                "members": _("Members"),
                "total": _("Total"),
                "rule": _("Dues rule"),
                "amount": _("Dues"),
                "paid": _("Deducted"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="members.dues",
                label=_("Dues"),
                url_name="members:dues_sheet",
                permission="members.dues.view",
                icon="key",
                group=navigation.GROUP_ORGANISATION,
                order=26,
            ),
            navigation.NavItem(
                key="members.kpis",
                label=_("Membership rates"),
                url_name="members:kpi_overview",
                permission="members.view",
                icon="chart",
                group=navigation.GROUP_ORGANISATION,
                order=27,
            ),
        )
        from .services.dues import dues_rule_ensure_default

        post_migrate.connect(
            dues_rule_ensure_default, sender=self, dispatch_uid="smartunion_members_dues_rule"
        )
        register_portal_blocks()
        # -- personal data (个人信息查阅复制): the members provider, the 我的 link, the download's audit action
        from .personal_data import register_personal_data

        register_personal_data()
        audit.register_actions(
            {"members.personal_data.downloaded": _("Personal information downloaded by the member")}
        )
        from smartunion.organisations.merging import register_merge_handler

        from .services import applications, membership, person_units_merge

        register_merge_handler("members.Person", person_units_merge)
        register_merge_handler("members.Membership", membership.memberships_units_merge)
        register_merge_handler("members.MembershipApplication", applications.applications_units_merge)
        from .defaults import ensure_default_lists

        post_migrate.connect(ensure_default_lists, sender=self, dispatch_uid="smartunion_members_defaults")
        # An account created for a 工号 HR already registered is linked to that person (no import of the
        # accounts app's models: the sender is named by the setting).
        from django.conf import settings
        from django.db.models.signals import post_save

        post_save.connect(
            _link_new_account, sender=settings.AUTH_USER_MODEL, dispatch_uid="members_link_account"
        )


def _link_new_account(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw and instance.staff_no:
        from .services import person_link_account

        person_link_account(user=instance)
