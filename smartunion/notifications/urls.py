from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("m/notifications/", views.portal_inbox, name="portal_inbox"),
    path("console/notifications/", views.console_inbox, name="console_inbox"),
    path("notifications/<int:pk>/open/", views.open_notification, name="open"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
]
