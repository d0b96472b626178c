"""The school-wide side of care visits (五必访): daily reminders of visits overdue at the responsible units,
and the editable list of event types (who visits each, within how many days)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.core.models import AuditEntry
from smartunion.notifications.services import notify

from ..models import CareEvent, CareEventType
from .care import Status, responsible_unit

# -- reminders -------------------------------------------------------------------------------------------


@dataclass
class ReminderResult:
    events: int = 0  # overdue events reminded of today
    units: int = 0  # responsible units told
    skipped: int = 0  # reminded of already today


def care_reminders(today: dt.date | None = None) -> ReminderResult:
    """Tell the responsible unit's officers of events not visited within the type's ``visit_within_days``.
    Once per event per day (a second run the same day sends nothing): each reminder leaves an audit entry on
    the event, which is also how its history shows it."""
    from ..selectors.care import overdue_events

    today = today or timezone.localdate()
    result = ReminderResult()
    events = list(overdue_events(today=today))
    if not events:
        return result
    reminded = set(
        AuditEntry.objects.filter(
            action="welfare.care.reminded",
            target_id__in=[str(event.pk) for event in events],
            changes__on=today.isoformat(),
        ).values_list("target_id", flat=True)
    )
    by_unit: dict[tuple[int, str], tuple[Any, str, list[CareEvent]]] = {}
    for event in events:
        if str(event.pk) in reminded:
            result.skipped += 1
            continue
        unit = responsible_unit(event)
        code = "welfare.care.approve" if event.status == Status.REPORTED else "welfare.care.report"
        by_unit.setdefault((unit.pk, code), (unit, code, []))[2].append(event)
    for unit, code, unit_events in by_unit.values():
        with transaction.atomic():
            for event in unit_events:
                audit(
                    actor=None,
                    action="welfare.care.reminded",
                    target=event,
                    changes={"on": today.isoformat(), "status": event.get_status_display()},
                )
            recipients = account_selectors.users_with_perm_at(code=code, unit=unit)
            notify(
                recipients=recipients,
                kind="welfare.care.overdue",
                title=_("%(count)d care events are overdue for a visit (五必访)")
                % {"count": len(unit_events)},
                body="\n".join(
                    _("%(type)s: %(name)s (%(unit)s), reported %(date)s")
                    % {
                        "type": event.event_type.name,
                        "name": event.person.name,
                        "unit": event.unit.name,
                        "date": timezone.localtime(event.reported_at).date().isoformat(),
                    }
                    for event in unit_events
                ),
                link=f"{reverse('welfare:care_event_list')}?tab=overdue",
            )
        result.events += len(unit_events)
        result.units += 1
    return result


# -- the editable list of event types ---------------------------------------------------------------------

TYPE_FIELDS = ("code", "name", "item", "responsible", "visit_within_days", "sort_order", "is_active")


def may_manage_types(actor: Any) -> bool:
    """The list of events is school-wide: ``welfare.standards.manage`` held at the top of the tree."""
    return bool(actor.scope_for("welfare.standards.manage").at_top)


@transaction.atomic
def care_event_type_save(
    *, actor: Any, event_type: CareEventType | None, data: dict[str, Any]
) -> CareEventType:
    """Add or change a kind of event (the 五必访 list is editable); its code is fixed once events use it."""
    if not may_manage_types(actor):
        raise PermissionDenied
    creating = event_type is None
    instance = (
        CareEventType()
        if event_type is None
        else CareEventType.objects.select_for_update().get(pk=event_type.pk)
    )
    before = {name: getattr(instance, name) for name in TYPE_FIELDS} if not creating else {}
    code = str(data.get("code", instance.code)).strip()
    if not creating and code != instance.code and instance.events.exists():
        raise ValidationError({"code": _("Events use this code already: it cannot change.")})
    if CareEventType.objects.filter(code=code).exclude(pk=instance.pk).exists():
        raise ValidationError({"code": _("Another event type has the code %(code)s.") % {"code": code}})
    for name in TYPE_FIELDS:
        if name in data:
            setattr(instance, name, data[name])
    instance.code = code
    instance.save()
    changes = {
        name: [before.get(name), getattr(instance, name)]
        for name in TYPE_FIELDS
        if creating or before.get(name) != getattr(instance, name)
    }
    audit(
        actor=actor,
        action="welfare.care.type_created" if creating else "welfare.care.type_changed",
        target=instance,
        changes={
            key: [str(a) if a is not None else None, str(b) if b is not None else None]
            for key, (a, b) in changes.items()
        },
    )
    return instance
