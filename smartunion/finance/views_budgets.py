"""Placeholder until the budgets helper writes it."""

from django.http import Http404


def _todo(*args, **kwargs):
    raise Http404


budget_line_detail = adjustment_new = adjustment_list = adjustment_approve = adjustment_reject = _todo
adjustment_cancel = allocation_list = allocation_new = allocation_detail = _todo
