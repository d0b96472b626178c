"""帮扶措施: the personalised help plan of a file — what help, by whom, when — each measure optionally linked
to the care visit (welfare 五必访) or the paid assistance application that carried it out, of the same
member. Officers with ``hardship.files.manage`` at the file's unit keep the plan of an open or active file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.hardship.models import AssistanceApplication, HardshipFile, HelpMeasure

MANAGE = "hardship.files.manage"
EDITABLE_FILE_STATUSES = (*HardshipFile.OPEN_STATUSES, HardshipFile.Status.ACTIVE)
FIELDS = ("kind", "description", "responsible", "planned_on", "care_event", "application")


def may_manage(user: Any, file: HardshipFile) -> bool:
    return bool(user.has_unit_perm(MANAGE, file.unit))


def _check_file(actor: Any, file: HardshipFile) -> None:
    if not may_manage(actor, file):
        raise PermissionDenied
    if file.status not in EDITABLE_FILE_STATUSES:
        raise ValidationError(
            _("This file is %(status)s: its help plan can no longer be changed.")
            % {"status": file.get_status_display()}
        )


def _clean(file: HardshipFile, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    kind = data.get("kind") or ""
    if kind not in HelpMeasure.Kind.values:
        errors["kind"] = _("Choose the kind of help.")
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = _("Say what help is planned.")
    responsible = (data.get("responsible") or "").strip()
    if not responsible:
        errors["responsible"] = _("Say who gives the help.")
    planned_on = data.get("planned_on")
    if not isinstance(planned_on, dt.date):
        errors["planned_on"] = _("Give the date of the help.")
    care_event = data.get("care_event")
    if care_event is not None and care_event.person_id != file.person_id:
        errors["care_event"] = _("That care visit is for another member: link a visit of %(name)s.") % {
            "name": file.person.name
        }
    application = data.get("application")
    if application is not None:
        if application.person_id != file.person_id:
            errors["application"] = _(
                "That assistance application is another member's: link a payment to %(name)s."
            ) % {"name": file.person.name}
        elif application.status != AssistanceApplication.Status.PAID:
            errors["application"] = _(
                "Application %(number)s is not paid yet: only a payment can be linked."
            ) % {"number": application.number}
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "description": description,
        "responsible": responsible[:100],
        "planned_on": planned_on,
        "care_event": care_event,
        "application": application,
    }


def _lock(measure: HelpMeasure) -> HelpMeasure:
    return (
        HelpMeasure.objects.select_for_update(of=("self",))
        .select_related("file__unit", "file__person")
        .get(pk=measure.pk)
    )


@transaction.atomic
def measure_add(*, actor: Any, file: HardshipFile, **data: Any) -> HelpMeasure:
    # Lock the file first: its status is checked against a concurrent close.
    file = (
        HardshipFile.objects.select_for_update(of=("self",)).select_related("person", "unit").get(pk=file.pk)
    )
    _check_file(actor, file)
    values = _clean(file, data)
    measure = HelpMeasure.objects.create(file=file, created_by=actor, **values)
    audit(
        actor=actor,
        action="hardship.measure.added",
        target=file,
        changes={"measure": measure.pk, "kind": measure.kind},
    )
    return measure


@transaction.atomic
def measure_update(*, actor: Any, measure: HelpMeasure, **data: Any) -> HelpMeasure:
    measure = _lock(measure)
    _check_file(actor, measure.file)
    changed = {name for name in data if name in FIELDS and data[name] != getattr(measure, name)}
    if measure.status != HelpMeasure.Status.PLANNED and changed - {"care_event", "application"}:
        raise ValidationError(
            _("This measure is %(status)s: only its links can be changed.")
            % {"status": measure.get_status_display()}
        )
    merged = {name: data.get(name, getattr(measure, name)) for name in FIELDS}
    values = _clean(measure.file, merged)
    for name, value in values.items():
        setattr(measure, name, value)
    measure.save()
    audit(
        actor=actor,
        action="hardship.measure.updated",
        target=measure.file,
        changes={"measure": measure.pk, "kind": measure.kind},
    )
    return measure


@transaction.atomic
def measure_done(
    *, actor: Any, measure: HelpMeasure, done_on: dt.date | None, outcome: str, **links: Any
) -> HelpMeasure:
    measure = _lock(measure)
    _check_file(actor, measure.file)
    if measure.status != HelpMeasure.Status.PLANNED:
        raise ValidationError(
            _("This measure is %(status)s: only a planned measure can be marked done.")
            % {"status": measure.get_status_display()}
        )
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what was done and with what result.")})
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("A measure cannot be done in the future.")})
    if links:
        merged = {name: links.get(name, getattr(measure, name)) for name in FIELDS}
        values = _clean(measure.file, merged)
        measure.care_event = values["care_event"]
        measure.application = values["application"]
    measure.status = HelpMeasure.Status.DONE
    measure.done_on = done_on
    measure.outcome = outcome
    measure.save()
    audit(actor=actor, action="hardship.measure.done", target=measure.file, changes={"measure": measure.pk})
    return measure


@transaction.atomic
def measure_cancel(*, actor: Any, measure: HelpMeasure, reason: str = "") -> HelpMeasure:
    measure = _lock(measure)
    _check_file(actor, measure.file)
    if measure.status != HelpMeasure.Status.PLANNED:
        raise ValidationError(
            _("This measure is %(status)s: only a planned measure can be cancelled.")
            % {"status": measure.get_status_display()}
        )
    measure.status = HelpMeasure.Status.CANCELLED
    if reason.strip():
        measure.outcome = reason.strip()
    measure.save(update_fields=["status", "outcome"])
    audit(
        actor=actor, action="hardship.measure.cancelled", target=measure.file, changes={"measure": measure.pk}
    )
    return measure
