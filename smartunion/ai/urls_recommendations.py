"""AI pages: urls_recommendations part (its helper fills it)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
