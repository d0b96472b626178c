"""Activity pages, mounted at the root: the console under ``console/activities/``, the member portal under
``m/activities/``. Each part keeps its own list."""

from . import urls_checkin, urls_console, urls_portal

app_name = "activities"

urlpatterns = [
    *urls_console.urlpatterns,
    *urls_portal.urlpatterns,
    *urls_checkin.urlpatterns,
]
