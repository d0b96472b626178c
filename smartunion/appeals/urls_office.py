"""Appeals pages: the handling offices' part (我的承办诉求) — their list and export, an appeal's page,
acknowledging, replying, passing back as misrouted and attachment downloads."""

from django.urls import URLPattern, path

from .views import office

urlpatterns: list[URLPattern] = [
    path("console/appeals/office/", office.office_list, name="office_list"),
    path("console/appeals/office/export/", office.office_export, name="office_export"),
    path("console/appeals/office/<int:pk>/", office.office_detail, name="office_detail"),
    path(
        "console/appeals/office/<int:pk>/acknowledge/", office.office_acknowledge, name="office_acknowledge"
    ),
    path("console/appeals/office/<int:pk>/reply/", office.office_reply, name="office_reply"),
    path("console/appeals/office/<int:pk>/pass-back/", office.office_pass_back, name="office_pass_back"),
    path(
        "console/appeals/office/attachments/<int:pk>/",
        office.office_attachment,
        name="office_attachment",
    ),
]
