"""Proposals pages, mounted at the root: the console under ``console/proposals/``, the member portal
under ``m/proposals/``. Each part keeps its own list."""

from . import urls_console, urls_evaluation, urls_portal, urls_setup

app_name = "proposals"

urlpatterns = [
    *urls_setup.urlpatterns,
    *urls_portal.urlpatterns,
    *urls_console.urlpatterns,
    *urls_evaluation.urlpatterns,
]
