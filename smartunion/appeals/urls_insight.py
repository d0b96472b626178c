"""Appeals pages: the union office's trends dashboard and its export (insight)."""

from django.urls import path

from .views import insight

urlpatterns = [
    path("console/appeals/trends/", insight.trends, name="trends"),
    path("console/appeals/trends/export/", insight.trends_export, name="trends_export"),
]
