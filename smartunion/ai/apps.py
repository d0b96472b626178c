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
        # -- end router helper --
        # -- recommendations helper: audit actions, navigation, portal blocks --
        # -- end recommendations helper --
