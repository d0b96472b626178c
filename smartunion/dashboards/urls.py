from django.urls import path, re_path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("console/", views.console_home, name="console_home"),
    path("m/", views.portal_home, name="portal_home"),
    path("m/me/", views.portal_me, name="portal_me"),
    path("m/manifest.webmanifest", views.manifest, name="manifest"),
    path("m/sw.js", views.service_worker, name="service_worker"),
    path("m/offline/", views.offline, name="offline"),
    re_path(r"^m/(?P<section>activities|welfare|services)/$", views.portal_section, name="portal_section"),
]
