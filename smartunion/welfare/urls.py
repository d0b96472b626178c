"""Welfare pages, mounted at the root: the console under ``console/welfare/``, the member portal under
``m/welfare/``, the merchants' page under ``merchant/``. Each part keeps its own list."""

from . import urls_care, urls_programmes, urls_standards, urls_vouchers

app_name = "welfare"

urlpatterns = [
    *urls_standards.urlpatterns,
    *urls_programmes.urlpatterns,
    *urls_vouchers.urlpatterns,
    *urls_care.urlpatterns,
]
