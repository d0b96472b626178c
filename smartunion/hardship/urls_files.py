"""Hardship pages: files (see urls.py)."""

from django.urls import path

from .views import files

urlpatterns: list = [
    path("console/hardship/files/", files.file_list, name="file_list"),
    path("console/hardship/files/new/", files.file_new, name="file_new"),
    path("console/hardship/files/<int:pk>/", files.file_detail, name="file_detail"),
    path("console/hardship/files/<int:pk>/edit/", files.file_edit, name="file_edit"),
    path("console/hardship/files/<int:pk>/household/add/", files.household_add, name="file_household_add"),
    path("console/hardship/files/household/<int:pk>/", files.household_edit, name="file_household_edit"),
    path(
        "console/hardship/files/household/<int:pk>/remove/",
        files.household_remove,
        name="file_household_remove",
    ),
    path("console/hardship/files/<int:pk>/documents/", files.document_upload, name="file_document_upload"),
    path("console/hardship/files/<int:pk>/submit/", files.file_submit, name="file_submit"),
    path("console/hardship/files/<int:pk>/withdraw/", files.file_withdraw, name="file_withdraw"),
    path("console/hardship/files/<int:pk>/visit/", files.visit_record, name="file_visit"),
    path("console/hardship/files/<int:pk>/unit-review/", files.unit_review, name="file_unit_review"),
    path("console/hardship/files/<int:pk>/objections/", files.objection_raise, name="file_objection_raise"),
    path(
        "console/hardship/files/objections/<int:pk>/resolve/",
        files.objection_resolve,
        name="file_objection_resolve",
    ),
    path("console/hardship/files/<int:pk>/approve/", files.file_approve, name="file_approve"),
    path("console/hardship/files/<int:pk>/reject/", files.file_reject, name="file_reject"),
    path("console/hardship/files/<int:pk>/category/", files.category_override, name="file_override"),
    path("console/hardship/documents/<int:pk>/", files.document_download, name="document_download"),
]
