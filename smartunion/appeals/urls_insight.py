"""Appeals pages: urls_insight part (its helper fills it)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
