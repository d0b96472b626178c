"""Placeholder until the reports helper writes it."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


execution_report = year_report = _todo
