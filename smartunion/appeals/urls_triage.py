"""Appeals pages: urls_triage part (its helper fills it)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
