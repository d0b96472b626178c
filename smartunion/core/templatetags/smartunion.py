from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django import template
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .. import masking
from ..audit import action_label as _action_label
from ..audit import change_labels, history_for

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def cell(value: Any) -> Any:
    """How a value reads in a table cell."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return formats.date_format(
            timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i"
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return f"{value:,.2f}"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return value


@register.filter
def action_label(code: str) -> str:
    return _action_label(code)


@register.filter
def is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


@register.filter
def field_label(key: str, labels: dict[str, str] | None) -> str:
    if labels and key in labels:
        return labels[key]
    return key


@register.filter
def mask_id(value: Any) -> str:
    return masking.mask_id_number(value)


@register.filter
def mask_phone(value: Any) -> str:
    return masking.mask_phone(value)


@register.filter
def mask_name(value: Any) -> str:
    return masking.mask_name(value)


@register.inclusion_tag("components/history.html")
def history_panel(obj: models.Model) -> dict[str, Any]:
    labels = change_labels()
    labels.update({f.name: str(getattr(f, "verbose_name", f.name)) for f in obj._meta.get_fields()})
    return {"history": history_for(obj), "history_labels": labels}


@register.filter
def get_item(mapping: dict[str, Any] | None, key: Any) -> Any:
    if not mapping:
        return None
    return mapping.get(key) if key in mapping else mapping.get(str(key))
