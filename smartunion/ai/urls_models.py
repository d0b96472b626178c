"""AI pages: urls_models part (its helper fills it)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
