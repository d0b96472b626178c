"""Appeals pages, mounted at the root: the member portal under ``m/appeals/``, the console under
``console/appeals/``. Each part keeps its own list."""

from . import urls_insight, urls_office, urls_portal, urls_triage

app_name = "appeals"

urlpatterns = [
    *urls_portal.urlpatterns,
    *urls_triage.urlpatterns,
    *urls_office.urlpatterns,
    *urls_insight.urlpatterns,
]
