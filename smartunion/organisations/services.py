"""Every write to the union tree. Each service checks its rules, writes, and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit, diff, snapshot
from smartunion.core.normalise import clean_name, clean_text

from .merging import reassign_records
from .models import OfficerTerm, OrgUnit, PositionKind, UnitAlias, UnitKind

UNIT_FIELDS = ["name", "short_name", "code", "union_type", "kind", "sort_order", "note"]


def _check_scope(actor: Any, unit: OrgUnit | None, perm: str) -> None:
    """Services trust no caller: an actor may only change units inside their scope."""
    if actor is None:  # the system itself (demo seeding, management commands)
        return
    if unit is None:
        if not actor.scope_for(perm).at_top:
            raise ValidationError(_("Only the school union can create a top-level unit."))
        return
    if not actor.scope_for(perm).covers(unit.path):
        raise ValidationError(_("“%(unit)s” is outside the units you manage.") % {"unit": unit.name})


def _require_active(unit: OrgUnit) -> None:
    """A dissolved or merged unit is history: it is read, no longer changed."""
    if not unit.is_active:
        raise ValidationError(
            _("“%(unit)s” has been dissolved or merged and can no longer be changed.") % {"unit": unit.name}
        )


def _validate_name(name: str, parent: OrgUnit | None, *, exclude: OrgUnit | None = None) -> str:
    name = clean_name(name)
    if not name:
        raise ValidationError({"name": _("Enter the unit's name.")})
    siblings = OrgUnit.objects.filter(parent=parent, name=name, is_active=True)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.exists():
        where = parent.name if parent else _("the top level")
        raise ValidationError(
            {"name": _("%(where)s already has a unit named “%(name)s”.") % {"where": where, "name": name}}
        )
    return name


def _validate_code(code: str, *, exclude: OrgUnit | None = None) -> str:
    code = clean_text(code).replace(" ", "")
    if not code:
        raise ValidationError({"code": _("Enter the unit code.")})
    others = OrgUnit.objects.filter(code=code)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    clash = others.first()
    if clash is not None:
        raise ValidationError(
            {
                "code": _("The code %(code)s is already used by “%(unit)s”.")
                % {"code": code, "unit": clash.name}
            }
        )
    return code


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    name: str,
    code: str,
    union_type: str,
    parent: OrgUnit | None = None,
    kind: UnitKind | None = None,
    short_name: str = "",
    sort_order: int = 0,
    note: str = "",
) -> OrgUnit:
    if parent is not None:
        # The path and the active flag as they are now (the caller's copy may be stale), locked so the
        # parent cannot be dissolved or moved while the child is being added.
        parent = OrgUnit.objects.select_for_update().get(pk=parent.pk)
    _check_scope(actor, parent, "organisations.edit")
    if parent is not None and not parent.is_active:
        raise ValidationError(
            {"parent": _("“%(unit)s” is no longer active; choose another parent.") % {"unit": parent.name}}
        )
    if union_type not in OrgUnit.UnionType.values:
        raise ValidationError({"union_type": _("Choose the union level.")})
    if parent is None and union_type not in {OrgUnit.UnionType.SCHOOL, OrgUnit.UnionType.FEDERATION}:
        raise ValidationError(
            {"parent": _("Only a school union or a higher union can be at the top; choose its parent unit.")}
        )
    unit = OrgUnit(
        name=_validate_name(name, parent),
        code=_validate_code(code),
        union_type=union_type,
        parent=parent,
        kind=kind,
        short_name=clean_name(short_name),
        sort_order=sort_order,
        note=clean_text(note),
        depth=parent.depth + 1 if parent else 0,
        # A unique placeholder until the id is known; replaced in the same transaction.
        path=f"new-{timezone.now().timestamp()}-{code}",
    )
    unit.save()
    unit.path = f"{parent.path if parent else ''}{unit.pk}/"
    unit.save(update_fields=["path"])
    audit(
        actor=actor,
        action="organisations.unit.created",
        target=unit,
        changes=snapshot(unit, [*UNIT_FIELDS, "parent"]),
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: Any,
    unit: OrgUnit,
    name: str,
    code: str,
    union_type: str,
    kind: UnitKind | None,
    short_name: str = "",
    sort_order: int = 0,
    note: str = "",
    keep_old_name_as_alias: bool = True,
) -> OrgUnit:
    """Change a unit's particulars. A renamed unit keeps its old name as an alias, so next month's HR
    sheet with the old spelling still finds it."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _check_scope(actor, unit, "organisations.edit")
    _require_active(unit)
    before = snapshot(unit, UNIT_FIELDS)
    old_name = unit.name
    unit.name = _validate_name(name, unit.parent, exclude=unit)
    unit.code = _validate_code(code, exclude=unit)
    if union_type not in OrgUnit.UnionType.values:
        raise ValidationError({"union_type": _("Choose the union level.")})
    unit.union_type = union_type
    unit.kind = kind
    unit.short_name = clean_name(short_name)
    unit.sort_order = sort_order
    unit.note = clean_text(note)
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if not changes:
        return unit
    unit.save(update_fields=[*UNIT_FIELDS, "updated_at"])
    if (
        keep_old_name_as_alias
        and unit.name != old_name
        and not UnitAlias.objects.filter(alias=old_name).exists()
        # as in alias_add: another unit's name is no alias (every college has a 第一工会小组)
        and not OrgUnit.objects.filter(name=old_name, is_active=True).exclude(pk=unit.pk).exists()
    ):
        UnitAlias.objects.create(unit=unit, alias=old_name)
    audit(actor=actor, action="organisations.unit.updated", target=unit, changes=changes)
    return unit


@transaction.atomic
def unit_move(*, actor: Any, unit: OrgUnit, new_parent: OrgUnit) -> OrgUnit:
    """Move a unit with its whole subtree under another parent: one UPDATE rewrites every path.

    Both rows are locked, in id order, before the paths are compared: two officers moving A under B and
    B under A at the same moment would otherwise both pass the cycle check on stale paths."""
    locked = {
        row.pk: row
        for row in OrgUnit.objects.select_for_update().filter(pk__in=[unit.pk, new_parent.pk]).order_by("pk")
    }
    unit, new_parent = locked[unit.pk], locked[new_parent.pk]
    _check_scope(actor, unit, "organisations.edit")
    _check_scope(actor, new_parent, "organisations.edit")
    _require_active(unit)
    if new_parent.pk == unit.parent_id:
        raise ValidationError(
            {
                "new_parent": _("“%(unit)s” is already under “%(parent)s”.")
                % {"unit": unit.name, "parent": new_parent.name}
            }
        )
    if new_parent.path.startswith(unit.path):
        raise ValidationError(
            {"new_parent": _("A unit cannot be moved under itself or one of its own sub-units.")}
        )
    if not new_parent.is_active:
        raise ValidationError(
            {"new_parent": _("“%(unit)s” is no longer active.") % {"unit": new_parent.name}}
        )
    _validate_name(unit.name, new_parent, exclude=unit)
    old_parent = unit.parent
    old_path = unit.path
    new_path = f"{new_parent.path}{unit.pk}/"
    depth_change = new_parent.depth + 1 - unit.depth
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent, updated_at=timezone.now())
    unit.refresh_from_db()
    audit(
        actor=actor,
        action="organisations.unit.moved",
        target=unit,
        changes={"parent": [str(old_parent) if old_parent else None, new_parent.name]},
    )
    return unit


@transaction.atomic
def unit_merge(*, actor: Any, source: OrgUnit, target: OrgUnit) -> OrgUnit:
    """Merge ``source`` into ``target``: its sub-units, members and records follow; its names become
    aliases of the target; the source stays in the tree, inactive, so its history still reads."""
    source = OrgUnit.objects.select_for_update().get(pk=source.pk)
    target = OrgUnit.objects.select_for_update().get(pk=target.pk)
    _check_scope(actor, source, "organisations.edit")
    _check_scope(actor, target, "organisations.edit")
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another unit to merge into.")})
    if target.path.startswith(source.path):
        raise ValidationError({"target": _("A unit cannot be merged into one of its own sub-units.")})
    if not source.is_active or not target.is_active:
        raise ValidationError({"target": _("Both units must be active.")})
    if source.parent_id is None:
        raise ValidationError({"target": _("The top-level unit cannot be merged.")})
    for child in list(source.children.filter(is_active=True)):
        unit_move(actor=None, unit=child, new_parent=target)
    moved = reassign_records(
        source=source, target=target, actor=actor, own_models={OrgUnit, UnitAlias, OfficerTerm}
    )
    UnitAlias.objects.filter(unit=source).update(unit=target)
    for name in {source.name, source.short_name} - {""}:
        if not UnitAlias.objects.filter(alias=name).exists() and name != target.name:
            UnitAlias.objects.create(unit=target, alias=name)
    _end_terms(source)
    source.is_active = False
    source.merged_into = target
    source.save(update_fields=["is_active", "merged_into", "updated_at"])
    audit(
        actor=actor,
        action="organisations.unit.merged",
        target=source,
        changes={"merged_into": target.name, "moved": moved},
    )
    audit(
        actor=actor,
        action="organisations.unit.absorbed",
        target=target,
        changes={"absorbed": source.name, "moved": moved},
    )
    return target


def _end_terms(unit: OrgUnit) -> None:
    """End today every term at a unit that leaves the tree. A term that starts later was never served
    there: it ends on its first day (a term cannot end before it starts)."""
    today = timezone.localdate()
    running = Q(end_date__isnull=True) | Q(end_date__gt=today)
    OfficerTerm.objects.filter(running, unit=unit, start_date__lte=today).update(end_date=today)
    OfficerTerm.objects.filter(running, unit=unit, start_date__gt=today).update(end_date=F("start_date"))


@transaction.atomic
def unit_deactivate(*, actor: Any, unit: OrgUnit) -> OrgUnit:
    """Dissolve a unit that has no active sub-units (its records stay; it leaves every list)."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    _check_scope(actor, unit, "organisations.edit")
    if unit.parent_id is None:
        raise ValidationError(_("The top-level unit cannot be dissolved."))
    if unit.children.filter(is_active=True).exists():
        raise ValidationError(
            _("“%(unit)s” still has active sub-units: move or dissolve them first.") % {"unit": unit.name}
        )
    if not unit.is_active:
        raise ValidationError(_("“%(unit)s” is already dissolved.") % {"unit": unit.name})
    unit.is_active = False
    unit.save(update_fields=["is_active", "updated_at"])
    _end_terms(unit)
    audit(
        actor=actor, action="organisations.unit.dissolved", target=unit, changes={"is_active": [True, False]}
    )
    return unit


@transaction.atomic
def alias_add(*, actor: Any, unit: OrgUnit, alias: str) -> UnitAlias:
    _check_scope(actor, unit, "organisations.edit")
    _require_active(unit)
    alias = clean_name(alias)
    if not alias:
        raise ValidationError({"alias": _("Enter the other spelling.")})
    existing = UnitAlias.objects.select_related("unit").filter(alias=alias).first()
    if existing is not None:
        raise ValidationError(
            {
                "alias": _("“%(alias)s” already stands for “%(unit)s”.")
                % {"alias": alias, "unit": existing.unit.name}
            }
        )
    clash = OrgUnit.objects.filter(name=alias, is_active=True).exclude(pk=unit.pk).first()
    if clash is not None:
        raise ValidationError({"alias": _("“%(alias)s” is the name of another unit.") % {"alias": alias}})
    try:
        with transaction.atomic():
            created = UnitAlias.objects.create(unit=unit, alias=alias)
    except IntegrityError:
        raise ValidationError({"alias": _("“%(alias)s” is already used.") % {"alias": alias}}) from None
    audit(actor=actor, action="organisations.alias.added", target=unit, changes={"alias": alias})
    return created


@transaction.atomic
def alias_remove(*, actor: Any, alias: UnitAlias) -> None:
    _check_scope(actor, alias.unit, "organisations.edit")
    unit = alias.unit
    text = alias.alias
    alias.delete()
    audit(actor=actor, action="organisations.alias.removed", target=unit, changes={"alias": text})


@transaction.atomic
def officer_appoint(
    *,
    actor: Any,
    unit: OrgUnit,
    user: Any,
    position: PositionKind,
    start_date: dt.date,
    end_date: dt.date | None = None,
    note: str = "",
) -> OfficerTerm:
    unit = OrgUnit.objects.get(pk=unit.pk)
    _check_scope(actor, unit, "organisations.officers")
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("The term cannot end before it starts.")})
    if not unit.is_active:
        raise ValidationError(_("“%(unit)s” is no longer active.") % {"unit": unit.name})
    overlapping = OfficerTerm.objects.filter(
        unit=unit, user=user, position=position, start_date__lte=end_date or dt.date.max
    )
    overlapping = overlapping.exclude(end_date__lt=start_date)
    if overlapping.exists():
        raise ValidationError(
            _("%(user)s already holds %(position)s at %(unit)s in that period.")
            % {"user": user, "position": position.name, "unit": unit.name}
        )
    term = OfficerTerm.objects.create(
        unit=unit,
        user=user,
        position=position,
        start_date=start_date,
        end_date=end_date,
        note=clean_text(note),
    )
    audit(
        actor=actor,
        action="organisations.officer.appointed",
        target=unit,
        changes={
            "officer": str(user),
            "position": position.name,
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    return term


@transaction.atomic
def officer_end_term(*, actor: Any, term: OfficerTerm, end_date: dt.date) -> OfficerTerm:
    term = OfficerTerm.objects.select_for_update().select_related("unit", "position", "user").get(pk=term.pk)
    _check_scope(actor, term.unit, "organisations.officers")
    if end_date < term.start_date:
        raise ValidationError(
            {"end_date": _("The term cannot end before it starts (%(start)s).") % {"start": term.start_date}}
        )
    if term.end_date is not None and term.end_date <= end_date:
        raise ValidationError(
            {"end_date": _("This term has already ended on %(end)s.") % {"end": term.end_date}}
        )
    old = term.end_date
    term.end_date = end_date
    term.save(update_fields=["end_date"])
    audit(
        actor=actor,
        action="organisations.officer.term_ended",
        target=term.unit,
        changes={"officer": str(term.user), "position": term.position.name, "end_date": [old, end_date]},
    )
    return term
