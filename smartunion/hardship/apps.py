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
        self._register_files()
        # -- end files helper --
        # -- reviews helper: audit actions, navigation --
        from smartunion.core import audit as reviews_audit
        from smartunion.core import navigation

        reviews_audit.register_actions(
            {
                "hardship.review_round.started": _("Annual review of hardship files started"),
                "hardship.review.recorded": _("Hardship file review recorded"),
                "hardship.review.reminded": _("Hardship review reminders sent"),
                "hardship.file.exited": _("Hardship file closed: out of hardship"),
                "hardship.file.removed": _("Hardship file removed"),
                "hardship.measure.added": _("Help measure added"),
                "hardship.measure.updated": _("Help measure updated"),
                "hardship.measure.done": _("Help measure done"),
                "hardship.measure.cancelled": _("Help measure cancelled"),
                "hardship.dibao.saved": _("Minimum living standard (低保) saved"),
                "hardship.purged": _("Expired hardship records purged"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="hardship_reviews",
                label=_("Annual reviews"),
                url_name="hardship:review_list",
                permission="hardship.files.view",
                icon="inbox",
                group=navigation.GROUP_HARDSHIP,
                order=30,
            ),
            navigation.NavItem(
                key="hardship_dibao",
                label=_("低保 standards"),
                url_name="hardship:dibao_list",
                permission="hardship.files.view",
                icon="settings",
                group=navigation.GROUP_HARDSHIP,
                order=70,
            ),
            navigation.NavItem(
                key="hardship_stats",
                label=_("Hardship statistics"),
                url_name="hardship:stats",
                permission="hardship.stats.view",
                icon="chart",
                group=navigation.GROUP_HARDSHIP,
                order=80,
            ),
        )
        # -- end reviews helper --
        # -- assistance helper: audit actions, navigation, portal blocks --
        self._register_assistance()
        # -- end assistance helper --
        # -- portal helper: audit actions, portal blocks, personal data --
        from smartunion.core import personal_data
        from smartunion.core.navigation import PortalBlock, portal_blocks

        from .selectors.personal_data import hardship_sections
        from .views.portal_files import portal_block

        portal_blocks.register(
            PortalBlock(
                section="services",
                key="hardship_file",
                template="hardship/portal/file_block.html",
                context=portal_block,
                order=20,
            )
        )
        personal_data.register("hardship", _("Hardship assistance"), hardship_sections)
        # -- end portal helper --

    # -- files helper --
    def _register_files(self) -> None:
        from smartunion.core import audit, navigation

        audit.register_actions(
            {
                "hardship.file.created": _("Hardship file opened"),
                "hardship.file.updated": _("Hardship file figures changed"),
                "hardship.file.household_changed": _("Hardship file household changed"),
                "hardship.file.submitted": _("Hardship application submitted"),
                "hardship.file.withdrawn": _("Hardship application withdrawn"),
                "hardship.file.visited": _("Home visit recorded"),
                "hardship.file.unit_reviewed": _("Hardship file reviewed by the sub-union"),
                "hardship.file.objection_raised": _("Objection raised during a public notice"),
                "hardship.file.objection_resolved": _("Objection resolved"),
                "hardship.file.approved": _("Hardship file approved"),
                "hardship.file.rejected": _("Hardship file not approved"),
                "hardship.file.category_overridden": _("Hardship category set by an officer"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="hardship_files",
                label=_("Hardship files"),
                url_name="hardship:file_list",
                permission="hardship.files.view",
                icon="heart",
                group=navigation.GROUP_HARDSHIP,
                order=10,
            )
        )

    # -- end files helper --

    def _register_assistance(self) -> None:
        """Assistance programmes and applications: audit actions, console entries, the portal block, and
        the default programmes after migrate."""
        from django.db.models.signals import post_migrate

        from smartunion.core import audit, navigation
        from smartunion.core.navigation import NavItem, PortalBlock, portal_blocks

        from .defaults import ensure_programmes
        from .views.portal_assistance import portal_block

        audit.register_actions(
            {
                "hardship.programme.created": _("Assistance programme created"),
                "hardship.programme.changed": _("Assistance programme changed"),
                "hardship.rule.created": _("Assistance rules version added"),
                "hardship.rule.changed": _("Assistance rules version corrected"),
                "hardship.rule.ended": _("Assistance rules version ended by a newer one"),
                "hardship.application.submitted": _("Assistance application submitted"),
                "hardship.application.reviewed": _("Assistance application passed by the sub-union"),
                "hardship.application.approved": _("Assistance application approved"),
                "hardship.application.rejected": _("Assistance application rejected"),
                "hardship.application.withdrawn": _("Assistance application withdrawn"),
                "hardship.application.paid": _("Assistance paid"),
            }
        )
        audit.register_change_labels(
            {
                "yearly_limit_count": _("Times per person per year"),
                "yearly_limit_amount": _("Amount per person per year"),
                "staff_approval_limit": _("Staff may approve up to"),
                "one_spouse_only": _("Only one spouse may receive"),
                "bands": _("Amount bands"),
                "tier": _("Approved by"),
                "on_behalf": _("Applied on the member's behalf"),
                "documents": _("Documents"),
                "paid_on": _("Paid on"),
            }
        )
        navigation.console_nav.register(
            NavItem(
                key="hardship_applications",
                label=_("Assistance applications"),
                url_name="hardship:application_list",
                permission="hardship.assistance.view",
                icon="heart",
                group=navigation.GROUP_HARDSHIP,
                order=40,
            ),
            NavItem(
                key="hardship_programmes",
                label=_("Assistance programmes"),
                url_name="hardship:programme_list",
                permission="hardship.assistance.view",
                icon="settings",
                group=navigation.GROUP_HARDSHIP,
                order=45,
            ),
        )
        portal_blocks.register(
            PortalBlock(
                section="services",
                key="hardship_assistance",
                template="hardship/portal/assistance_block.html",
                context=portal_block,
                order=40,
            )
        )
        post_migrate.connect(ensure_programmes, sender=self, dispatch_uid="smartunion_hardship_programmes")

    def _register_common(self) -> None:
        from smartunion.core import audit

        audit.register_change_labels(
            {"document": _("Document number"), "document_kind": _("Kind of document")}
        )

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
                "hardship.stats.exported": _("Hardship statistics exported"),
            }
        )
