"""Writes of the handling offices (承办单位): the school departments that answer staff-congress proposals
(and later appeals), their staff (users; the office head is whom overdue work escalates to) and their
supervising school leader (分管校领导, who gives instructions and signs replies off).

The list is school-wide; each write is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smartunion.core.audit import audit, diff, snapshot

from .models import HandlingOffice, OfficeStaff, OrgUnit

OFFICE_FIELDS = ("name", "short_name", "unit", "leader", "duties", "sort_order", "is_active")


def _clean(value: str) -> str:
    return " ".join((value or "").split())


def _check(*, name: str, short_name: str, exclude: int | None) -> tuple[str, str]:
    name, short_name = _clean(name), _clean(short_name)
    if not name:
        raise ValidationError({"name": _("Fill in the office's name, e.g. 后勤管理处.")})
    others = HandlingOffice.objects.all() if exclude is None else HandlingOffice.objects.exclude(pk=exclude)
    if others.filter(name=name).exists():
        raise ValidationError({"name": _("An office named “%(name)s” already exists.") % {"name": name}})
    if short_name and (
        others.filter(short_name=short_name).exists() or others.filter(name=short_name).exists()
    ):
        raise ValidationError(
            {
                "short_name": _("“%(name)s” already names another office: choose another short name.")
                % {"name": short_name}
            }
        )
    return name, short_name


def _check_leader(leader: Any) -> None:
    if leader is not None and not leader.is_active:
        raise ValidationError(
            {"leader": _("%(name)s's account is disabled: choose an active account.") % {"name": leader}}
        )


@transaction.atomic
def office_create(
    *,
    actor: Any,
    name: str,
    short_name: str = "",
    unit: OrgUnit | None = None,
    leader: Any = None,
    duties: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> HandlingOffice:
    name, short_name = _check(name=name, short_name=short_name, exclude=None)
    _check_leader(leader)
    office = HandlingOffice.objects.create(
        name=name,
        short_name=short_name,
        unit=unit,
        leader=leader,
        duties=(duties or "").strip(),
        sort_order=sort_order or 0,
        is_active=is_active,
    )
    audit(
        actor=actor,
        action="organisations.office.created",
        target=office,
        changes=snapshot(office, OFFICE_FIELDS),
    )
    return office


@transaction.atomic
def office_update(
    *,
    actor: Any,
    office: HandlingOffice,
    name: str,
    short_name: str = "",
    unit: OrgUnit | None = None,
    leader: Any = None,
    duties: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> HandlingOffice:
    office = HandlingOffice.objects.select_for_update().get(pk=office.pk)
    name, short_name = _check(name=name, short_name=short_name, exclude=office.pk)
    _check_leader(leader)
    before = snapshot(office, OFFICE_FIELDS)
    office.name = name
    office.short_name = short_name
    office.unit = unit
    office.leader = leader
    office.duties = (duties or "").strip()
    office.sort_order = sort_order or 0
    office.is_active = is_active
    office.save(update_fields=list(OFFICE_FIELDS))
    changes = diff(before, snapshot(office, OFFICE_FIELDS))
    if changes:
        audit(actor=actor, action="organisations.office.updated", target=office, changes=changes)
    return office


@transaction.atomic
def office_staff_add(*, actor: Any, office: HandlingOffice, user: Any, is_head: bool = False) -> OfficeStaff:
    """Add a user to the office's staff; someone already on it is only (un)marked as head."""
    office = HandlingOffice.objects.select_for_update().get(pk=office.pk)
    if not user.is_active:
        raise ValidationError(
            {"user": _("%(name)s's account is disabled: choose an active account.") % {"name": user}}
        )
    staff, created = OfficeStaff.objects.get_or_create(
        office=office, user=user, defaults={"is_head": is_head}
    )
    if created:
        audit(
            actor=actor,
            action="organisations.office_staff.added",
            target=office,
            changes={"staff": str(user), "is_head": is_head},
        )
        return staff
    if staff.is_head == is_head:
        raise ValidationError(
            {"user": _("%(name)s already works for %(office)s.") % {"name": user, "office": office.name}}
        )
    staff.is_head = is_head
    staff.save(update_fields=["is_head"])
    audit(
        actor=actor,
        action="organisations.office_staff.updated",
        target=office,
        changes={"staff": str(user), "is_head": [not is_head, is_head]},
    )
    return staff


@transaction.atomic
def office_staff_remove(*, actor: Any, staff: OfficeStaff) -> None:
    staff = OfficeStaff.objects.select_related("office", "user").get(pk=staff.pk)
    audit(
        actor=actor,
        action="organisations.office_staff.removed",
        target=staff.office,
        changes={"staff": str(staff.user), "is_head": staff.is_head},
    )
    staff.delete()


def offices_units_merge(*, source: OrgUnit, target: OrgUnit, actor: Any) -> int:
    """A unit merged into another: the offices linked to it (for reports) follow it. Called by the merge
    inside its transaction (organisations.merging)."""
    offices = list(HandlingOffice.objects.select_for_update().filter(unit=source))
    for office in offices:
        office.unit = target
        office.save(update_fields=["unit"])
        audit(
            actor=actor,
            action="organisations.office.updated",
            target=office,
            changes={"unit": [source.name, target.name]},
        )
    return len(offices)
