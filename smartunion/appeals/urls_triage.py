"""Appeals pages: the union office's lists, triage, reveal and publishing, categories and settings."""

from django.urls import URLPattern, path

from .views import categories, triage

urlpatterns: list[URLPattern] = [
    path("console/appeals/", triage.console_list, name="console_list"),
    path("console/appeals/export/", triage.console_export, name="console_export"),
    path("console/appeals/by-office/", triage.console_by_office, name="console_by_office"),
    path("console/appeals/<int:pk>/", triage.console_detail, name="console_detail"),
    path("console/appeals/<int:pk>/route/", triage.console_route, name="console_route"),
    path("console/appeals/<int:pk>/reveal/", triage.console_reveal, name="console_reveal"),
    path("console/appeals/<int:pk>/publish/", triage.console_publish, name="console_publish"),
    path("console/appeals/<int:pk>/unpublish/", triage.console_unpublish, name="console_unpublish"),
    path("console/appeals/attachments/<int:pk>/", triage.console_attachment, name="console_attachment"),
    path("console/appeals/categories/", categories.category_list, name="category_list"),
    path("console/appeals/categories/new/", categories.category_new, name="category_new"),
    path("console/appeals/categories/<int:pk>/", categories.category_edit, name="category_edit"),
    path("console/appeals/settings/", categories.settings_edit, name="settings_edit"),
]
