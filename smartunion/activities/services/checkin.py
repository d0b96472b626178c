"""Check-in and attendance: the organiser scans the member's QR (it encodes the registration's token) or
types it; check-out likewise; 托管 and training keep a daily attendance sheet.

A second scan is harmless: it answers "already checked in at 09:02" and writes nothing. Every first check-in
(or first day present on a sheet) is written once to the member's service ledger."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.members.services.service_records import service_record_add

from ..models import Activity, Attendance, Participant, Registration

EARLY = dt.timedelta(hours=2)
LEDGER_KIND = "activities.attended"


@dataclass(frozen=True)
class Outcome:
    """What a scan did: ``already`` when it changed nothing (a second scan)."""

    registration: Registration
    already: bool
    message: str


@dataclass(frozen=True)
class Mark:
    """One row of a daily sheet: a registration, or one child of it (托管)."""

    registration_id: int
    participant_id: int | None
    present: bool
    arrived: dt.time | None = None
    left: dt.time | None = None


def may_check_in(user: Any, activity: Activity) -> bool:
    return bool(user.has_unit_perm("activities.checkin", activity.organiser_unit))


def _require(actor: Any, activity: Activity) -> None:
    if not may_check_in(actor, activity):
        raise PermissionDenied


def _hhmm(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _window_check(activity: Activity, now: dt.datetime) -> None:
    if activity.status != Activity.Status.PUBLISHED:
        raise ValidationError(
            _("This activity is not open for check-in (it is %(status)s).")
            % {"status": activity.get_status_display()}
        )
    if now < activity.starts_at - EARLY:
        raise ValidationError(
            _("Check-in opens two hours before the start (%(start)s).")
            % {"start": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")}
        )
    if now > activity.ends_at:
        raise ValidationError(_("This activity has ended: check-in is closed."))


def _find(activity: Activity, token: str) -> Registration:
    token = (token or "").strip()
    if "token=" in token:  # a URL with ?token=… (a QR read by another app)
        token = token.split("token=", 1)[1].split("&", 1)[0]
    if not token:
        raise ValidationError(_("Enter or scan the member's check-in code."))
    registration = (
        Registration.objects.select_related("person", "unit", "activity").filter(token=token).first()
    )
    if registration is None:
        raise ValidationError(_("Unknown check-in code: no registration has it."))
    if registration.activity_id != activity.pk:
        raise ValidationError(_("This code is not for this activity."))
    if registration.status != Registration.Status.CONFIRMED:
        if registration.status in (Registration.Status.WAITLISTED, Registration.Status.OFFERED):
            raise ValidationError(_("On the waiting list — not confirmed."))
        raise ValidationError(
            _("Not confirmed: the registration is %(status)s.")
            % {"status": registration.get_status_display()}
        )
    return registration


def _ledger(registration: Registration, moment: dt.datetime) -> None:
    activity = registration.activity
    service_record_add(
        person=registration.person,
        kind=LEDGER_KIND,
        title=_("Took part in %(title)s") % {"title": activity.title},
        key=f"{LEDGER_KIND}:{registration.pk}",
        occurred_at=moment,
        link=f"/m/activities/registrations/{registration.pk}/",
        unit=registration.unit,
    )


@transaction.atomic
def check_in(*, actor: Any, activity: Activity, token: str, now: dt.datetime | None = None) -> Outcome:
    """Check the registration with ``token`` in; a second scan answers when it was checked in."""
    _require(actor, activity)
    now = now or timezone.now()
    registration = _find(activity, token)
    registration = (
        Registration.objects.select_for_update()
        .select_related("person", "unit", "activity")
        .get(pk=registration.pk)
    )
    if registration.checked_in_at is not None:
        return Outcome(
            registration,
            True,
            _("Scanned again: already checked in at %(time)s.") % {"time": _hhmm(registration.checked_in_at)},
        )
    _window_check(activity, now)
    registration.checked_in_at = now
    registration.save(update_fields=["checked_in_at"])
    audit(
        actor=actor,
        action="activities.checked_in",
        target=registration,
        unit=activity.organiser_unit,
        changes={"checked_in_at": [None, now]},
    )
    _ledger(registration, now)
    return Outcome(registration, False, _("Checked in at %(time)s.") % {"time": _hhmm(now)})


@transaction.atomic
def check_out(*, actor: Any, activity: Activity, token: str, now: dt.datetime | None = None) -> Outcome:
    """Check the registration out (after it was checked in); a second scan changes nothing."""
    _require(actor, activity)
    now = now or timezone.now()
    registration = _find(activity, token)
    registration = (
        Registration.objects.select_for_update()
        .select_related("person", "unit", "activity")
        .get(pk=registration.pk)
    )
    if registration.checked_in_at is None:
        raise ValidationError(_("Not checked in yet: check in first."))
    if registration.checked_out_at is not None:
        return Outcome(
            registration,
            True,
            _("Scanned again: already checked out at %(time)s.")
            % {"time": _hhmm(registration.checked_out_at)},
        )
    registration.checked_out_at = now
    registration.save(update_fields=["checked_out_at"])
    audit(
        actor=actor,
        action="activities.checked_out",
        target=registration,
        unit=activity.organiser_unit,
        changes={"checked_out_at": [None, now]},
    )
    return Outcome(registration, False, _("Checked out at %(time)s.") % {"time": _hhmm(now)})


def _moment(day: dt.date, value: dt.time | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, value))


@transaction.atomic
def attendance_mark(*, actor: Any, activity: Activity, day: dt.date, marks: Sequence[Mark]) -> int:
    """Save one day's sheet: one Attendance per registration (or child) and day; saving again updates it.
    Returns the number of rows present."""
    _require(actor, activity)
    first = timezone.localtime(activity.starts_at).date()
    last = timezone.localtime(activity.ends_at).date()
    if not first <= day <= last:
        raise ValidationError(
            _("%(day)s is not a day of this activity (%(first)s – %(last)s).")
            % {"day": day.isoformat(), "first": first.isoformat(), "last": last.isoformat()}
        )
    if day > timezone.localdate():
        raise ValidationError(_("Attendance cannot be recorded for a day still to come."))
    registrations = {
        r.pk: r
        for r in Registration.objects.select_related("person", "unit", "activity").filter(
            activity=activity, status=Registration.Status.CONFIRMED
        )
    }
    children = {
        p.pk: p
        for p in Participant.objects.filter(registration__in=list(registrations)).only(
            "pk", "registration_id"
        )
    }
    errors: list[str] = []
    for mark in marks:
        if mark.registration_id not in registrations:
            errors.append(_("A row is not a confirmed registration of this activity."))
        elif mark.participant_id is not None and (
            mark.participant_id not in children
            or children[mark.participant_id].registration_id != mark.registration_id
        ):
            errors.append(_("A child on the sheet is not a participant of that registration."))
        elif mark.arrived and mark.left and mark.left < mark.arrived:
            errors.append(
                _("%(name)s: the time of leaving is before the time of arriving.")
                % {"name": registrations[mark.registration_id].person.name}
            )
    if errors:
        raise ValidationError(sorted(set(errors)))
    present = 0
    changed = 0
    for mark in marks:
        arrived = _moment(day, mark.arrived) if mark.present else None
        values: dict[str, Any] = {
            "present": mark.present,
            "checked_in_at": arrived,
            "checked_out_at": _moment(day, mark.left) if mark.present else None,
        }
        same = Attendance.objects.filter(registration_id=mark.registration_id, day=day)
        if mark.participant_id is None:
            row = same.filter(participant__isnull=True).first()
        else:
            row = same.filter(participant_id=mark.participant_id).first()
        if row is None:
            Attendance.objects.create(
                registration_id=mark.registration_id,
                participant_id=mark.participant_id,
                day=day,
                recorded_by=actor,
                **values,
            )
            changed += 1
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.recorded_by = actor
            row.save(update_fields=[*values, "recorded_by"])
            changed += 1
        if mark.present:
            present += 1
            moment = arrived or timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
            _ledger(registrations[mark.registration_id], moment)
    audit(
        actor=actor,
        action="activities.attendance.saved",
        target=activity,
        unit=activity.organiser_unit,
        changes={"day": day.isoformat(), "present": present, "rows": len(marks), "changed": changed},
    )
    return present
