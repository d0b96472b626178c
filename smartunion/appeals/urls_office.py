"""Appeals pages: urls_office part (its helper fills it)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
