"""Bridging service errors back onto forms."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: keyed messages on their field when the form has
    it, the rest at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


def model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField:
    """A form's ModelChoiceField, typed, to set its queryset or labels per request."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field


def unit_label(unit: object) -> str:
    """A unit indented by its depth, for unit pickers."""
    return f"{'　' * getattr(unit, 'depth', 0)}{unit}"
