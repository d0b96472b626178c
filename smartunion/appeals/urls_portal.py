"""Appeals pages: urls_portal part (its helper fills it)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
