from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HardshipConfig(AppConfig):
    name = "smartunion.hardship"
    label = "hardship"
    verbose_name = _("Hardship assistance")

    def ready(self) -> None:
        from smartunion.core import permissions
        from smartunion.core.permissions import PermissionSpec

        permissions.register(
            PermissionSpec(
                "hardship.files.view",
                _("See the hardship files of one's scope (categories only, figures masked)"),
                ("union_staff", "union_chair", "subunion_chair"),
            ),
            PermissionSpec(
                # PIPL: full family figures, health details and documents only for the case handlers.
                "hardship.sensitive.view",
                _("See the full family figures, health details and documents of hardship cases"),
                ("union_staff", "subunion_chair"),
            ),
            PermissionSpec(
                "hardship.files.manage",
                _("Open hardship files for members, record home visits, help plans and reviews"),
                ("union_staff", "subunion_chair"),
            ),
            PermissionSpec(
                "hardship.files.review",
                _("Review hardship files for the sub-union and run the public notice"),
                ("union_staff", "subunion_chair"),
            ),
            PermissionSpec(
                "hardship.files.approve",
                _("Approve, close and remove hardship files for the school union"),
                ("union_staff", "union_chair"),
            ),
            PermissionSpec(
                "hardship.reviews.manage", _("Start the annual review of hardship files"), ("union_staff",)
            ),
            PermissionSpec(
                "hardship.dibao.manage", _("Edit the local minimum living standards (低保)"), ("union_staff",)
            ),
            PermissionSpec(
                "hardship.stats.view",
                _("See hardship statistics (aggregate counts only)"),
                ("union_staff", "union_chair", "subunion_chair", "auditor"),
            ),
            PermissionSpec(
                "hardship.assistance.view",
                _("See the assistance applications of one's scope"),
                ("union_staff", "union_chair", "subunion_chair"),
            ),
            PermissionSpec(
                "hardship.assistance.manage",
                _("Define assistance programmes, their bands and limits"),
                ("union_staff",),
            ),
            PermissionSpec(
                "hardship.assistance.review",
                _("Review assistance applications for the sub-union (初审)"),
                ("union_staff", "subunion_chair"),
            ),
            PermissionSpec(
                "hardship.assistance.approve",
                _("Approve assistance up to the staff approval limit"),
                ("union_staff", "union_chair"),
            ),
            PermissionSpec(
                "hardship.assistance.approve_major",
                _("Approve assistance above the staff approval limit (union chair or committee)"),
                ("union_chair",),
            ),
            PermissionSpec(
                "hardship.assistance.pay", _("Pay approved assistance through the funds"), ("union_staff",)
            ),
        )
        self._register_common()
        # -- files helper: audit actions, navigation --
        # -- end files helper --
        # -- reviews helper: audit actions, navigation --
        # -- end reviews helper --
        # -- assistance helper: audit actions, navigation, portal blocks --
        # -- end assistance helper --
        # -- portal helper: audit actions, portal blocks, personal data --
        # -- end portal helper --

    def _register_common(self) -> None:
        from smartunion.core import audit

        audit.register_actions(
            {
                "hardship.file.viewed": _("Hardship file viewed with its full figures"),
                "hardship.file.category_changed": _("Hardship category changed"),
                "hardship.file.exported": _("Hardship files exported"),
                "hardship.document.viewed": _("Hardship document opened"),
                "hardship.document.added": _("Hardship document added"),
                "hardship.consent.given": _("Consent to process sensitive information recorded"),
                "hardship.application.viewed": _("Assistance application viewed with its full figures"),
                "hardship.application.exported": _("Assistance applications exported"),
            }
        )
