from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "smartunion.organisations"
    label = "organisations"
    verbose_name = _("Union organisation")

    def ready(self) -> None:
        from smartunion.core import audit, navigation, permissions
        from smartunion.core.permissions import PermissionSpec

        from . import imports  # noqa: F401  (registers the unit importer)
        from .defaults import ensure_default_lists

        post_migrate.connect(
            ensure_default_lists, sender=self, dispatch_uid="smartunion_organisations_defaults"
        )
        from .merging import register_merge_handler
        from .services_offices import offices_units_merge

        # A handling office linked to a merged unit follows it.
        register_merge_handler("organisations.HandlingOffice", offices_units_merge)

        officers = ("subunion_chair", "subunion_committee", "union_staff", "union_chair", "sysadmin")
        permissions.register(
            PermissionSpec("organisations.view", _("View the union organisation"), (*officers, "auditor")),
            PermissionSpec(
                "organisations.edit",
                _("Create, rename, move, merge and dissolve units"),
                ("subunion_chair", "union_staff", "union_chair", "sysadmin"),
            ),
            PermissionSpec(
                "organisations.officers",
                _("Appoint unit officers"),
                ("subunion_chair", "union_staff", "union_chair", "sysadmin"),
            ),
            PermissionSpec(
                "organisations.import", _("Import the unit list from Excel"), ("union_staff", "sysadmin")
            ),
            PermissionSpec(
                "organisations.offices.manage",
                _("Keep the list of handling offices (承办单位), their staff and supervising leaders"),
                ("union_staff", "sysadmin"),
            ),
        )
        audit.register_change_labels(
            {
                "officer": _("Officer"),
                "position": _("Position"),
                "start_date": _("Term starts"),
                "end_date": _("Term ends"),
                "alias": _("Alias"),
                "merged_into": _("Merged into"),
                "absorbed": _("Absorbed unit"),
                "moved": _("Records moved"),
                "staff": _("Staff"),
                "is_head": _("Office head"),
            }
        )
        audit.register_actions(
            {
                "organisations.unit.created": _("Unit created"),
                "organisations.unit.updated": _("Unit changed"),
                "organisations.unit.moved": _("Unit moved"),
                "organisations.unit.merged": _("Unit merged into another"),
                "organisations.unit.absorbed": _("Unit absorbed another"),
                "organisations.unit.dissolved": _("Unit dissolved"),
                "organisations.alias.added": _("Alias added"),
                "organisations.alias.removed": _("Alias removed"),
                "organisations.officer.appointed": _("Officer appointed"),
                "organisations.officer.term_ended": _("Officer term ended"),
                "organisations.office.created": _("Handling office created"),
                "organisations.office.updated": _("Handling office changed"),
                "organisations.office_staff.added": _("Handling office staff added"),
                "organisations.office_staff.updated": _("Handling office head changed"),
                "organisations.office_staff.removed": _("Handling office staff removed"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="organisations",
                label=_("Union organisation"),
                url_name="organisations:unit_list",
                permission="organisations.view",
                icon="tree",
                group=navigation.GROUP_ORGANISATION,
                order=10,
            ),
            navigation.NavItem(
                key="handling_offices",
                label=_("Handling offices"),
                url_name="organisations:office_list",
                permission="organisations.offices.manage",
                icon="inbox",
                group=navigation.GROUP_ORGANISATION,
                order=15,
            ),
        )
