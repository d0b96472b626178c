from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/reveal-id/", views.person_reveal_id, name="person_reveal_id"),
]
