"""AI pages: the take-up figures of the recommendations (适合我) and their Excel export."""

from django.urls import URLPattern, path

from . import views_recommendations as views

urlpatterns: list[URLPattern] = [
    path("console/ai/recommendations/", views.recommendations_stats, name="recommendations_stats"),
    path("console/ai/recommendations/export/", views.recommendations_export, name="recommendations_export"),
]
