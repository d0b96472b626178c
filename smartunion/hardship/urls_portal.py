"""Hardship pages: portal (see urls.py) — the member's own file, the public notice (公示) and objections."""

from django.urls import path

from .views import portal_files, portal_notices

urlpatterns: list = [
    path("m/services/hardship/", portal_files.portal_file, name="portal_file"),
    path("m/services/hardship/apply/", portal_files.portal_file_apply, name="portal_file_apply"),
    path("m/services/hardship/<int:pk>/edit/", portal_files.portal_file_edit, name="portal_file_edit"),
    path(
        "m/services/hardship/<int:pk>/household/",
        portal_files.portal_file_household,
        name="portal_file_household",
    ),
    path(
        "m/services/hardship/<int:pk>/household/<int:member_pk>/remove/",
        portal_files.portal_household_remove,
        name="portal_household_remove",
    ),
    path(
        "m/services/hardship/<int:pk>/documents/",
        portal_files.portal_file_document,
        name="portal_file_document",
    ),
    path("m/services/hardship/documents/<int:pk>/", portal_files.portal_document, name="portal_document"),
    path("m/services/hardship/<int:pk>/submit/", portal_files.portal_file_submit, name="portal_file_submit"),
    path(
        "m/services/hardship/<int:pk>/withdraw/",
        portal_files.portal_file_withdraw,
        name="portal_file_withdraw",
    ),
    path("m/notices/", portal_notices.portal_notices, name="portal_notices"),
    path("m/notices/<int:pk>/object/", portal_notices.portal_notice_object, name="portal_notice_object"),
]
