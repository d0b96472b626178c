from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "smartunion.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import audit, navigation, permissions
        from .excel.importing import user_may_import_anything

        permissions.register(
            permissions.PermissionSpec(
                "core.console",
                _("Use the officers' console"),
                (
                    "subunion_chair",
                    "subunion_committee",
                    "union_staff",
                    "union_chair",
                    "handling_office",
                    "auditor",
                    "sysadmin",
                    "school_leader",
                    "proposal_committee",
                ),
            ),
            permissions.PermissionSpec(
                "core.calendar.manage",
                _("Edit the working-day calendar (holidays and make-up working days)"),
                ("union_staff", "sysadmin"),
            ),
            permissions.PermissionSpec(
                "core.audit.view",
                _("View the audit log"),
                ("union_staff", "union_chair", "auditor", "sysadmin"),
            ),
        )
        audit.register_change_labels(
            {
                "kind": _("Import kind"),
                "file": _("File"),
                "mapping": _("Column mapping"),
                "list": _("List"),
                "rows": _("Rows"),
                "filters": _("Filters"),
                "unmasked_columns": _("Columns shown in full"),
                "via": _("Through"),
                "total": _("Rows"),
                "create": _("Created"),
                "update": _("Updated"),
                "unchanged": _("Unchanged"),
                "error": _("Rejected"),
                "dates": _("Dates"),
                "start": _("From"),
                "end": _("To"),
            }
        )
        audit.register_actions(
            {
                "core.list.exported": _("List exported to Excel"),
                "core.import.uploaded": _("Import file uploaded"),
                "core.import.rejected_downloaded": _("Rejected import rows downloaded"),
                "core.import.purged": _("Old import files erased"),
                "core.import.mapping_saved": _("Import column mapping saved"),
                "core.import.applied": _("Import applied"),
                "core.calendar.holiday_added": _("Holiday entered in the working-day calendar"),
                "core.calendar.workday_added": _("Make-up working day entered in the working-day calendar"),
                "core.calendar.removed": _("Working-day calendar entry removed"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="audit",
                label=_("Audit log"),
                url_name="core:audit_list",
                permission="core.audit.view",
                icon="shield",
                group=navigation.GROUP_SYSTEM,
                order=80,
            ),
            navigation.NavItem(
                key="imports",
                label=_("Import records"),
                url_name="core:import_list",
                permission=user_may_import_anything,
                icon="upload",
                group=navigation.GROUP_SYSTEM,
                order=85,
            ),
            navigation.NavItem(
                key="calendar",
                label=_("Working-day calendar"),
                url_name="core:calendar_list",
                permission="core.calendar.manage",
                icon="calendar",
                group=navigation.GROUP_SYSTEM,
                order=70,
            ),
        )
