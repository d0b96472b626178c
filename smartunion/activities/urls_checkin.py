"""Activity pages: check-in, attendance, results and the summary (see urls.py)."""

from django.urls import URLPattern, path

from .views import checkin, results

urlpatterns: list[URLPattern] = [
    path("console/activities/<int:pk>/scan/", checkin.checkin_scan, name="checkin_scan"),
    path("console/activities/<int:pk>/scan/submit/", checkin.checkin_scan_submit, name="checkin_scan_submit"),
    path("console/activities/<int:pk>/attendance/", checkin.attendance_sheet, name="attendance_sheet"),
    path("console/activities/<int:pk>/attendance/month/", checkin.attendance_month, name="attendance_month"),
    path(
        "console/activities/<int:pk>/attendance/export/", checkin.attendance_export, name="attendance_export"
    ),
    path("console/activities/<int:pk>/results/", results.results, name="results"),
    path("console/activities/<int:pk>/results/scores/", results.results_scores, name="results_scores"),
    path("console/activities/<int:pk>/results/publish/", results.results_publish, name="results_publish"),
    path("console/activities/<int:pk>/results/withdraw/", results.results_withdraw, name="results_withdraw"),
    path("console/activities/<int:pk>/results/export/", results.results_export, name="results_export"),
    path("console/activities/<int:pk>/summary/", results.summary, name="summary"),
    path(
        "console/activities/<int:pk>/summary/photos/<int:photo_pk>/delete/",
        results.summary_photo_delete,
        name="summary_photo_delete",
    ),
    path("m/activities/photos/<int:pk>/", results.photo, name="photo"),
]
