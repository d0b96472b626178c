from django.urls import path

from . import views, views_offices

app_name = "organisations"

urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/move/", views.unit_move, name="unit_move"),
    path("units/<int:pk>/merge/", views.unit_merge, name="unit_merge"),
    path("units/<int:pk>/dissolve/", views.unit_deactivate, name="unit_deactivate"),
    path("units/<int:pk>/aliases/", views.alias_add, name="alias_add"),
    path("aliases/<int:pk>/remove/", views.alias_remove, name="alias_remove"),
    path("units/<int:pk>/officers/new/", views.officer_add, name="officer_add"),
    path("officers/<int:pk>/end/", views.officer_end, name="officer_end"),
    # Handling offices (承办单位) of staff-congress proposals and appeals.
    path("offices/", views_offices.office_list, name="office_list"),
    path("offices/new/", views_offices.office_new, name="office_new"),
    path("offices/<int:pk>/", views_offices.office_edit, name="office_edit"),
    path("offices/<int:pk>/staff/", views_offices.office_staff_add, name="office_staff_add"),
    path("offices/staff/<int:pk>/remove/", views_offices.office_staff_remove, name="office_staff_remove"),
]
