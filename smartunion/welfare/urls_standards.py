"""The benefit standards (慰问标准) in the console."""

from django.urls import URLPattern, path

from .views import standards as views

urlpatterns: list[URLPattern] = [
    path("console/welfare/standards/", views.standard_list, name="standard_list"),
    path("console/welfare/standards/items/new/", views.item_new, name="item_new"),
    path("console/welfare/standards/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("console/welfare/standards/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("console/welfare/standards/items/<int:pk>/new/", views.standard_new, name="standard_new"),
    path("console/welfare/standards/<int:pk>/edit/", views.standard_edit, name="standard_edit"),
    path("console/welfare/standards/<int:pk>/confirm/", views.standard_confirm, name="standard_confirm"),
    path("console/welfare/standards/caps/new/", views.cap_new, name="cap_new"),
    path("console/welfare/standards/caps/<int:pk>/confirm/", views.cap_confirm, name="cap_confirm"),
]
