"""Hardship pages, mounted at the root: the console under ``console/hardship/``, the member portal under
``m/services/`` and ``m/notices/``. Each part keeps its own list."""

from . import urls_assistance, urls_files, urls_portal, urls_reviews

app_name = "hardship"

urlpatterns = [
    *urls_files.urlpatterns,
    *urls_reviews.urlpatterns,
    *urls_assistance.urlpatterns,
    *urls_portal.urlpatterns,
]
