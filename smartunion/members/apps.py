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
        )
        audit.register_actions(
            {
                "members.person.created": _("Person registered"),
                "members.person.updated": _("Person's HR data changed"),
                "members.person.id_viewed": _("ID number viewed in full"),
                "members.person.unit_merged": _("Unit merged: person moved with it"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="members",
                label=_("Staff"),
                url_name="members:person_list",
                permission="members.view",
                icon="users",
                group=navigation.GROUP_ORGANISATION,
                order=20,
            )
        )
        register_portal_blocks()
        from smartunion.organisations.merging import register_merge_handler

        from .services import person_units_merge

        register_merge_handler("members.Person", person_units_merge)
        from .defaults import ensure_default_lists

        post_migrate.connect(ensure_default_lists, sender=self, dispatch_uid="smartunion_members_defaults")
