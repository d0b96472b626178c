from django.urls import path

from . import views, views_calendar

app_name = "core"

urlpatterns = [
    path("audit/", views.audit_list, name="audit_list"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/<str:kind>/", views.import_new, name="import_new"),
    path("imports/template/<str:kind>/", views.import_template, name="import_template"),
    path("imports/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:pk>/mapping/", views.import_remap, name="import_remap"),
    path("imports/<uuid:pk>/apply/", views.import_apply, name="import_apply"),
    path("imports/<uuid:pk>/rejected.xlsx", views.import_errors, name="import_errors"),
    path("calendar/", views_calendar.calendar_list, name="calendar_list"),
    path("calendar/add/", views_calendar.calendar_add, name="calendar_add"),
    path("calendar/<int:pk>/remove/", views_calendar.calendar_remove, name="calendar_remove"),
]
