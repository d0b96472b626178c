from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "smartunion.appeals"
    label = "appeals"
    verbose_name = _("Appeals and feedback (诉求)")

    def ready(self) -> None:
        from smartunion.core import permissions
        from smartunion.core.permissions import PermissionSpec

        # Appeals are school-wide: the union office triages and follows every appeal wherever its role is
        # held; an office sees only the appeals routed to the offices its staff work for
        # (organisations.OfficeStaff). Members submit from the portal (any logged-in member, no permission).
        permissions.register(
            PermissionSpec(
                "appeals.view",
                _("See every appeal, the lists by office and the trends"),
                ("union_staff", "union_chair"),
            ),
            PermissionSpec(
                "appeals.triage",
                _("Route appeals (triage), re-route misrouted ones and publish questions and answers"),
                ("union_staff",),
            ),
            PermissionSpec(
                "appeals.handle",
                _("Acknowledge, answer or pass back the appeals routed to one's office"),
                ("handling_office",),
            ),
            PermissionSpec(
                "appeals.identity.reveal",
                _("See who submitted an anonymous appeal when the member allowed it (each time logged)"),
                ("union_chair",),
            ),
            PermissionSpec(
                "appeals.manage",
                _("Edit the appeal categories, their SLAs and the routing settings"),
                ("union_staff",),
            ),
        )
        # -- portal helper: audit actions, portal blocks --
        # -- end portal helper --
        # -- triage helper: audit actions, navigation, router registration --
        # -- end triage helper --
        # -- office helper: audit actions, navigation --
        # -- end office helper --
        # -- insight helper: navigation (trends) --
        # -- end insight helper --
