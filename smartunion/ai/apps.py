from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AiConfig(AppConfig):
    name = "smartunion.ai"
    label = "ai"
    verbose_name = _("AI: routing, similar cases, trends and recommendations")

    def ready(self) -> None:
        from smartunion.core import permissions
        from smartunion.core.permissions import PermissionSpec

        permissions.register(
            PermissionSpec(
                "ai.models.manage",
                _("See the routers' model versions and their evaluation, retrain and promote them"),
                ("union_staff", "sysadmin"),
            ),
            PermissionSpec(
                "ai.recommendations.view",
                _("See how often the members take up the recommendations (适合我)"),
                ("union_staff", "union_chair"),
            ),
        )
        # -- router helper: audit actions, navigation --
        # jieba's dictionary (~0.5–1 s) is loaded lazily on first use and by ``routing.warm_up()`` in the
        # WSGI entry, not here: every manage.py command would pay for it.
        from smartunion.core import audit, navigation

        audit.register_actions(
            {
                "ai.model.trained": _("Router model version fitted and evaluated"),
                "ai.model.promoted": _("Router model version put in use"),
                "ai.model.rejected": _("Router model version not promoted (the one in use scored better)"),
                "ai.model.retrain_requested": _("Router retraining requested"),
            }
        )
        navigation.console_nav.register(
            navigation.NavItem(
                key="ai_models",
                label=_("Routing models"),
                url_name="ai:model_list",
                permission="ai.models.manage",
                icon="settings",
                group=navigation.GROUP_SYSTEM,
                order=75,
            )
        )
        # -- end router helper --
        # -- recommendations helper: audit actions, navigation, portal blocks --
        from smartunion.core import navigation
        from smartunion.core.navigation import PortalBlock, portal_blocks

        from .views_recommendations import home_block

        navigation.console_nav.register(
            navigation.NavItem(
                key="ai_recommendations",
                label=_("Recommendations (适合我)"),
                url_name="ai:recommendations_stats",
                permission="ai.recommendations.view",
                icon="chart",
                group=navigation.GROUP_WORK,
                order=70,
            )
        )
        # First on the home page: what the member could take up now, with why.
        portal_blocks.register(
            PortalBlock(
                section="home",
                key="ai_recommendations",
                template="ai/recommendations/portal_block_home.html",
                context=home_block,
                order=5,
            )
        )
        # -- end recommendations helper --
