"""Care visits (五必访) and their statistics in the console; reporting and following events in the portal."""

from django.urls import URLPattern, path

from .views import care, portal_care

urlpatterns: list[URLPattern] = [
    path("console/welfare/care/", care.care_event_list, name="care_event_list"),
    path("console/welfare/care/new/", care.care_event_new, name="care_event_new"),
    path("console/welfare/care/<int:pk>/", care.care_event_detail, name="care_event_detail"),
    path("console/welfare/care/<int:pk>/approve/", care.care_event_approve, name="care_event_approve"),
    path("console/welfare/care/<int:pk>/reject/", care.care_event_reject, name="care_event_reject"),
    path("console/welfare/care/<int:pk>/cancel/", care.care_event_cancel, name="care_event_cancel"),
    path("console/welfare/care/<int:pk>/visit/", care.care_visit_record, name="care_visit_record"),
    path("console/welfare/care/photos/<int:pk>/", care.care_photo, name="care_photo"),
    path("console/welfare/care/stats/", care.care_stats, name="care_stats"),
    path("console/welfare/care/types/", care.care_type_list, name="care_type_list"),
    path("console/welfare/care/types/new/", care.care_type_new, name="care_type_new"),
    path("console/welfare/care/types/<int:pk>/", care.care_type_edit, name="care_type_edit"),
    path("m/welfare/care/", portal_care.portal_care_mine, name="portal_care_mine"),
    path("m/welfare/care/report/", portal_care.portal_care_report, name="portal_care_report"),
]
