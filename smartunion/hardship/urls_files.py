"""Hardship pages: files (see urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
