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
        # The member's steps; the portal blocks: 首页 (replies awaiting the member's rating) and 服务
        # (我的诉求, a new appeal and 常见问题).
        from smartunion.core import audit as portal_audit
        from smartunion.core.navigation import PortalBlock, portal_blocks

        from .views.portal import home_block, services_block

        portal_audit.register_actions(
            {
                "appeals.appeal.submitted": _("Appeal submitted"),
                "appeals.appeal.withdrawn": _("Appeal withdrawn by the member"),
                "appeals.appeal.rated": _("Appeal reply rated and the appeal closed"),
                "appeals.appeal.reopened": _("Appeal reopened by the member (不满意)"),
            }
        )
        portal_audit.register_change_labels(
            {
                "anonymous": _("Anonymous"),
                "attachments": _("Attachments"),
                "score": _("Rating"),
                "submitted_at": _("Submitted at"),
            }
        )
        portal_blocks.register(
            PortalBlock(
                section="home",
                key="appeals_to_rate",
                template="appeals/portal/home_block.html",
                context=home_block,
                order=26,
            ),
            PortalBlock(
                section="services",
                key="appeals",
                template="appeals/portal/services_block.html",
                context=services_block,
                order=20,
            ),
        )
        # -- end portal helper --
        # -- triage helper: audit actions, navigation, router registration --
        from smartunion.core import audit as triage_audit
        from smartunion.core import navigation as triage_navigation

        triage_audit.register_actions(
            {
                "appeals.appeal.routed": _("Appeal routed to an office"),
                "appeals.appeal.routing_confirmed": _("Automatic appeal routing confirmed"),
                "appeals.appeal.misrouted": _("Appeal passed back as misrouted"),
                "appeals.identity.revealed": _("Anonymous appeal's submitter revealed"),
                "appeals.faq.published": _("Appeal published as a question and answer"),
                "appeals.faq.updated": _("Published question and answer changed"),
                "appeals.faq.unpublished": _("Question and answer unpublished"),
                "appeals.category.created": _("Appeal category created"),
                "appeals.category.updated": _("Appeal category changed"),
                "appeals.settings.updated": _("Appeal routing settings changed"),
                "appeals.router.retrain_requested": _("Appeals router retraining requested"),
            }
        )
        triage_navigation.console_nav.register(
            triage_navigation.NavItem(
                key="appeals_console",
                label=_("Appeals (诉求分派/诉求列表)"),
                url_name="appeals:console_list",
                permission="appeals.view",
                icon="inbox",
                group=triage_navigation.GROUP_WORK,
                order=40,
            ),
            triage_navigation.NavItem(
                key="appeals_categories",
                label=_("Appeal categories (诉求类别)"),
                url_name="appeals:category_list",
                permission="appeals.manage",
                icon="grid",
                group=triage_navigation.GROUP_WORK,
                order=41,
            ),
        )
        try:
            from smartunion.ai.registry import RouterSpec, routers
        except ImportError:  # pragma: no cover - the ai part provides the registry
            pass
        else:
            from .selectors.training import training_data

            routers.register(
                RouterSpec(name="appeals", label=_("Appeals (诉求)"), training_data=training_data)
            )
        # -- end triage helper --
        # -- office helper: audit actions, navigation --
        from smartunion.core import audit as office_audit
        from smartunion.core import navigation as office_nav

        office_audit.register_actions(
            {
                "appeals.appeal.acknowledged": _("Appeal acknowledged by the office (受理)"),
                "appeals.appeal.replied": _("Appeal replied by the office"),
                "appeals.appeal.escalated": _("Appeal escalated to the union office"),
                "appeals.reminders.sent": _("Appeal reminders sent"),
            }
        )
        office_nav.console_nav.register(
            office_nav.NavItem(
                key="appeals_office",
                label=_("My appeals to handle (我的承办诉求)"),
                url_name="appeals:office_list",
                permission="appeals.handle",
                icon="message",
                group=office_nav.GROUP_WORK,
                order=40,
            ),
        )
        # -- end office helper --
        # -- insight helper: navigation (trends) --
        from smartunion.core import audit as insight_audit
        from smartunion.core import navigation as insight_nav

        insight_audit.register_actions({"appeals.trends.exported": _("Appeal trends exported")})
        insight_nav.console_nav.register(
            insight_nav.NavItem(
                key="appeals_trends",
                label=_("Appeal trends (诉求趋势)"),
                url_name="appeals:trends",
                permission="appeals.view",
                icon="chart",
                group=insight_nav.GROUP_WORK,
                order=46,
            ),
        )
        # -- end insight helper --
