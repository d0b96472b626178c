"""Placeholder."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


category_list = category_new = category_edit = _todo
