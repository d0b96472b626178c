from django.urls import URLPattern, path

from .views import portal_programmes as portal
from .views import programmes as views

P = "console/welfare/programmes/"

urlpatterns: list[URLPattern] = [
    path(P, views.programme_list, name="programme_list"),
    path(f"{P}new/", views.programme_new, name="programme_new"),
    path(f"{P}<int:pk>/", views.programme_detail, name="programme_detail"),
    path(f"{P}<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path(f"{P}<int:pk>/options/new/", views.option_new, name="programme_option_new"),
    path(f"{P}<int:pk>/options/<int:option_pk>/delete/", views.option_delete, name="programme_option_delete"),
    path(
        f"{P}<int:pk>/options/<int:option_pk>/default/", views.option_default, name="programme_option_default"
    ),
    path(f"{P}<int:pk>/open/", views.programme_open, name="programme_open"),
    path(f"{P}<int:pk>/issue/", views.programme_issue, name="programme_issue"),
    path(f"{P}<int:pk>/issuing/", views.programme_progress, name="programme_progress"),
    path(f"{P}<int:pk>/members/", views.entitlement_list, name="programme_entitlements"),
    # -- the member portal
    path("m/welfare/choose/<int:pk>/", portal.portal_choose, name="portal_choose"),
    path("m/welfare/history/", portal.my_benefits, name="my_benefits"),
]
