from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:home", permanent=False), name="root"),
    path("", include("smartunion.accounts.urls")),
    path("console/org/", include("smartunion.organisations.urls")),
    path("", include("smartunion.members.urls")),
    path("console/finance/", include("smartunion.finance.urls")),
    path("", include("smartunion.welfare.urls")),
    path("", include("smartunion.hardship.urls")),
    path("", include("smartunion.activities.urls")),
    path("", include("smartunion.proposals.urls")),
    path("", include("smartunion.ai.urls")),
    path("", include("smartunion.appeals.urls")),
    path("console/", include("smartunion.core.urls")),
    path("", include("smartunion.dashboards.urls")),
    path("", include("smartunion.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler403 = "smartunion.core.errors.permission_denied"
handler404 = "smartunion.core.errors.page_not_found"
handler500 = "smartunion.core.errors.server_error"
