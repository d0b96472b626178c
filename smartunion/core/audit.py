"""The audit trail: ``audit(actor=, action=, target=, changes=)``, called by every service that writes.

Actions are dotted English codes ``<app>.<entity>.<verb>`` ("organisations.unit.moved"); their Chinese
labels come from ``ACTION_LABELS`` registered by each app, so the log stays searchable by code while the
UI shows words.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .middleware import client_ip, current_request
from .models import AuditEntry

_action_labels: dict[str, str | Promise] = {}
_change_labels: dict[str, str | Promise] = {}


def register_actions(labels: dict[str, str | Promise]) -> None:
    _action_labels.update(labels)


def register_change_labels(labels: dict[str, str | Promise]) -> None:
    """Labels for keys of ``changes`` that are not fields of the target model ("officer", "alias" …)."""
    _change_labels.update(labels)


def change_labels() -> dict[str, str]:
    return {key: str(label) for key, label in _change_labels.items()}


def action_label(action: str) -> str:
    label = _action_labels.get(action)
    return str(label) if label is not None else action


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in _action_labels.items()), key=lambda c: c[0])


def _plain(value: Any) -> Any:
    """A JSON-friendly rendering of a field value for the before/after record."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The fields' values as they read in the UI (a choice by its label, a related object by its name),
    sensitive ones masked as the model's ``AUDIT_MASKS`` says: the audit log is read widely."""
    masks = getattr(type(instance), "AUDIT_MASKS", {})
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if name in masks:
            raw = getattr(instance, name)
            values[name] = masks[name](str(raw)) if raw else raw
        elif getattr(field, "choices", None):
            values[name] = str(getattr(instance, f"get_{name}_display")())
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _actor_label(actor: Any) -> str:
    if actor is None:
        return str(_("the system (automatic)"))
    label = getattr(actor, "audit_label", None)
    return str(label if label is not None else actor)[:100]


def _unit_of(target: Any) -> Any:
    if target is None:
        return None
    unit = getattr(target, "audit_unit", None)
    if unit is None:
        unit = getattr(target, "unit", None)
    return unit


def audit(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    unit: Any = None,
    sensitive: bool = False,
    record_ip: bool = True,
) -> AuditEntry:
    """Write one audit entry. ``unit`` defaults to ``target.audit_unit`` or ``target.unit``.
    ``record_ip=False`` leaves out the client's address (an anonymous member's steps: the address could
    be matched with their login attempts)."""
    request = current_request() if record_ip else None
    unit = unit if unit is not None else _unit_of(target)
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        unit_id=getattr(unit, "pk", None),
        changes={key: _plain(value) for key, value in (changes or {}).items()},
        sensitive=sensitive,
        ip_address=client_ip(request) if request is not None else None,
    )
    entry.save()
    return entry


def history_for(obj: models.Model, limit: int = 50) -> list[AuditEntry]:
    return list(AuditEntry.objects.for_object(obj).order_by("-created_at", "-id")[:limit])
