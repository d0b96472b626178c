from django.urls import path

from .views import people as people_views

app_name = "members"

urlpatterns = [
    path("", people_views.person_list, name="person_list"),
    path("<int:pk>/", people_views.person_detail, name="person_detail"),
    path("<int:pk>/reveal-id/", people_views.person_reveal_id, name="person_reveal_id"),
]
