"""Excel import of the unit list (单位名单), keyed by unit code. Parents may be named by name, code or a
known alias, and may be units created earlier in the same file."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.excel.importing import (
    ACTION_CREATE,
    ACTION_UNCHANGED,
    ACTION_UPDATE,
    Importer,
    ImportField,
    Row,
    register_importer,
)
from smartunion.core.normalise import NormaliseError, clean_name, clean_text, parse_choice

from . import services
from .models import OrgUnit, UnitAlias, UnitKind
from .selectors import UnitResolver

# The Chinese names of the levels are understood whatever language the interface is in.
UNION_TYPE_SYNONYMS = {
    "上级工会": OrgUnit.UnionType.FEDERATION,
    "校工会": OrgUnit.UnionType.SCHOOL,
    "学校工会": OrgUnit.UnionType.SCHOOL,
    "分工会": OrgUnit.UnionType.BRANCH,
    "二级单位工会": OrgUnit.UnionType.BRANCH,
    "部门工会": OrgUnit.UnionType.BRANCH,
    "直属工会小组": OrgUnit.UnionType.DIRECT_GROUP,
    "直属工会": OrgUnit.UnionType.DIRECT_GROUP,
    "工会小组": OrgUnit.UnionType.GROUP,
    "小组": OrgUnit.UnionType.GROUP,
}


def parse_union_type(value: Any) -> str:
    choices: dict[str, Any] = dict(OrgUnit.UnionType.choices)
    choices.update({key: str(value) for key, value in UNION_TYPE_SYNONYMS.items()})
    return parse_choice(value, choices)


def parse_sort_order(value: Any) -> int:
    text = clean_text(value)
    if not re.fullmatch(r"\d{1,6}", text):
        raise NormaliseError(_("“%(value)s” is not a whole number.") % {"value": text})
    return int(text)


def split_aliases(value: Any) -> list[str]:
    return [clean_name(part) for part in re.split(r"[、,，;；/]", clean_text(value)) if clean_name(part)]


@register_importer
class UnitImporter(Importer):
    kind = "organisations.units"
    label = gettext_lazy("Unit list")
    permission = "organisations.import"
    key_field = "code"
    description = gettext_lazy(
        "Create and update units of the union tree by unit code; a changed parent moves the unit, "
        "a changed name keeps the old one as an alias."
    )
    fields = [
        ImportField(
            "code",
            gettext_lazy("Unit code"),
            ("单位代码", "编码", "代码", "单位编号", "部门编码", "部门代码"),
            required=True,
            example="0301",
        ),
        ImportField(
            "name",
            gettext_lazy("Unit name"),
            ("单位名称", "单位", "单位全称", "部门名称", "部门", "工会名称", "名称"),
            required=True,
            parse=clean_name,
            example="机械工程学院分工会",
        ),
        ImportField(
            "parent",
            gettext_lazy("Parent unit"),
            ("上级单位", "上级", "上级单位名称", "上级工会", "所属单位", "隶属"),
            parse=clean_name,
            help_text=gettext_lazy("name, code or alias; empty only for the top unit"),
            example="江海大学工会",
        ),
        ImportField(
            "union_type",
            gettext_lazy("Union level"),
            ("工会层级", "工会类型", "层级", "类型", "组织类型"),
            required=True,
            parse=parse_union_type,
            example="分工会",
        ),
        ImportField(
            "kind",
            gettext_lazy("Unit kind"),
            ("单位类别", "单位类型", "类别"),
            parse=clean_name,
            example="学院",
        ),
        ImportField(
            "short_name", gettext_lazy("Short name"), ("简称",), parse=clean_name, example="机械学院"
        ),
        ImportField(
            "sort_order",
            gettext_lazy("Order"),
            ("排序", "序号", "顺序"),
            parse=parse_sort_order,
            example="10",
        ),
        ImportField(
            "aliases",
            gettext_lazy("Aliases"),
            ("别名", "曾用名", "其他名称"),
            parse=split_aliases,
            help_text=gettext_lazy("other spellings, separated by 、"),
        ),
    ]

    def prepare(self, rows: list[Row]) -> None:
        self.resolver = UnitResolver()
        codes = [row.values["code"] for row in rows if row.values.get("code")]
        self.existing = {
            unit.code: unit
            for unit in OrgUnit.objects.filter(code__in=codes).select_related("parent", "kind")
        }
        self.kinds = {kind.name: kind for kind in UnitKind.objects.filter(is_active=True)}
        self.aliases = dict(UnitAlias.objects.values_list("alias", "unit__code"))
        # Units created by this file can be parents of later (or earlier) rows.
        self.in_file: dict[str, Row] = {}
        self.ambiguous_in_file: set[str] = set()  # names of two rows: a parent named so is not guessed
        for row in rows:
            for key in {row.values.get("code"), row.values.get("name"), row.values.get("short_name")} - {
                None
            }:
                if self.in_file.setdefault(clean_name(key), row) is not row:
                    self.ambiguous_in_file.add(clean_name(key))
        self.edit_scope = self.user.scope_for("organisations.edit") if self.user is not None else None
        # Names in use under each parent, so that a clash is reported in the preview, not at apply.
        self.sibling_names = {
            (parent_id, name): pk
            for pk, parent_id, name in OrgUnit.objects.filter(is_active=True).values_list(
                "pk", "parent_id", "name"
            )
        }
        self.claimed: dict[tuple[Any, str], Row] = {}
        self.checked: set[int] = set()

    def _parent(self, row: Row) -> tuple[OrgUnit | None, Row | None, bool]:
        """(unit in the database, row of this file, found at all)."""
        name = row.values.get("parent")
        if not name:
            return None, None, True
        if name in self.ambiguous_in_file:
            return None, None, False
        in_file = self.in_file.get(name)
        if in_file is not None and in_file is not row:
            existing = self.existing.get(in_file.values.get("code") or "")
            return existing, (None if existing else in_file), True
        unit = self.resolver.resolve(name)
        return unit, None, unit is not None

    def check_row(self, row: Row) -> None:
        if row.number in self.checked:  # already checked as the parent of a row above it
            return
        self.checked.add(row.number)
        values = row.values
        parent, parent_row, found = self._parent(row)
        if not found:
            if values["parent"] in self.ambiguous_in_file or self.resolver.is_ambiguous(values["parent"]):
                row.error(
                    _("several units are named “%(name)s”; give the parent's unit code instead.")
                    % {"name": values["parent"]},
                    "parent",
                )
                return
            suggestion = self.resolver.suggest(values["parent"])
            hint = _(" Did you mean “%(name)s”?") % {"name": suggestion} if suggestion else ""
            row.error(_("no unit named “%(name)s”.") % {"name": values["parent"]} + hint, "parent")
            return
        if parent_row is not None:
            # The parent is created by this file: it must itself be importable (it may be further down).
            self.check_row(parent_row)
            if parent_row.errors or parent_row.action != ACTION_CREATE:
                row.error(
                    _("its parent unit (row %(row)d) cannot be imported; correct that row first.")
                    % {"row": parent_row.number},
                    "parent",
                )
                return
        if (
            parent is None
            and parent_row is None
            and values["union_type"] not in {OrgUnit.UnionType.SCHOOL, OrgUnit.UnionType.FEDERATION}
        ):
            row.error(
                _("only a school union or a higher union may have no parent; fill in the parent unit."),
                "parent",
            )
            return
        kind = None
        if values.get("kind"):
            kind = self.kinds.get(values["kind"])
            if kind is None:
                row.error(
                    _("unknown unit kind; use one of: %(kinds)s.") % {"kinds": "、".join(self.kinds) or "—"},
                    "kind",
                )
                return
        row.target = {"parent": parent, "parent_row": parent_row, "kind": kind}
        for alias in values.get("aliases") or []:
            owner = self.aliases.get(alias)
            if owner is not None and owner != values["code"]:
                row.error(
                    _("the alias “%(alias)s” already belongs to unit %(code)s.")
                    % {"alias": alias, "code": owner},
                    "aliases",
                )
                return
        unit = self.existing.get(values["code"])
        moves_to = parent if parent is not None and (unit is None or unit.parent_id != parent.pk) else None
        if self.edit_scope is not None:
            if unit is None and parent is None and parent_row is None and not self.edit_scope.at_top:
                row.error(_("Only the school union can create a top-level unit."))
                return
            for scope_unit in (unit, moves_to):
                if scope_unit is not None and not self.edit_scope.covers(scope_unit.path):
                    row.error(_("“%(unit)s” is outside the units you manage.") % {"unit": scope_unit.name})
                    return
        if unit is not None and parent_row is not None:
            row.error(
                _(
                    "an existing unit cannot be moved under a unit created by the same file; import in two steps."
                ),
                "parent",
            )
            return
        if unit is not None and moves_to is not None and moves_to.path.startswith(unit.path):
            row.error(_("a unit cannot be moved under one of its own sub-units."), "parent")
            return
        if not self._claim_name(row, unit, parent, parent_row):
            return
        if unit is None:
            row.action = ACTION_CREATE
            return
        current = {
            "name": unit.name,
            "union_type": unit.union_type,
            "kind": unit.kind.name if unit.kind else None,
            "short_name": unit.short_name or None,
            "sort_order": unit.sort_order,
            "parent": unit.parent.name if unit.parent else None,
        }
        row.changes = self.diff(row, current)
        if moves_to is not None:
            row.changes["parent"] = [current["parent"], moves_to.name]
        else:
            row.changes.pop("parent", None)
        new_aliases = [a for a in values.get("aliases") or [] if a not in self.aliases and a != unit.name]
        if new_aliases:
            row.changes["aliases"] = [None, "、".join(new_aliases)]
        row.action = ACTION_UPDATE if row.changes else ACTION_UNCHANGED

    def _claim_name(
        self, row: Row, unit: OrgUnit | None, parent: OrgUnit | None, parent_row: Row | None
    ) -> bool:
        """The row's name must be free among the siblings it will have, in the database and in the file."""
        name = row.values["name"]
        if parent_row is not None:
            key: tuple[Any, str] = (("row", parent_row.number), name)
            where = parent_row.values["name"]
        else:
            parent_id = parent.pk if parent is not None else (unit.parent_id if unit is not None else None)
            key = (parent_id, name)
            where = parent.name if parent is not None else (unit.parent.name if unit and unit.parent else "")
        holder = self.sibling_names.get(key)
        if holder is not None and holder != (unit.pk if unit is not None else None):
            row.error(
                _("%(where)s already has a unit named “%(name)s”.")
                % {"where": where or _("the top level"), "name": name},
                "name",
            )
            return False
        other = self.claimed.setdefault(key, row)
        if other is not row:
            row.error(
                _("row %(row)d already puts a unit named “%(name)s” there.")
                % {"row": other.number, "name": name},
                "name",
            )
            return False
        return True

    def apply_order(self, rows: list[Row]) -> list[Row]:
        """Parents created by the file first: a row waits until the row naming its parent is applied."""
        ordered: list[Row] = []
        placed: set[int] = set()
        pending = list(rows)
        while pending:
            progress = False
            for row in list(pending):
                target = row.target or {}
                parent_row = target.get("parent_row") if isinstance(target, dict) else None
                if parent_row is None or parent_row.number in placed or parent_row not in pending:
                    ordered.append(row)
                    placed.add(row.number)
                    pending.remove(row)
                    progress = True
            if not progress:  # a cycle inside the file: leave the rest in file order
                ordered.extend(pending)
                break
        return ordered

    def apply_row(self, row: Row) -> None:
        values = row.values
        target = row.target
        parent = target["parent"]
        if target["parent_row"] is not None:
            parent = OrgUnit.objects.get(code=target["parent_row"].values["code"])
        if row.action == ACTION_CREATE:
            unit = services.unit_create(
                actor=self.user,
                name=values["name"],
                code=values["code"],
                union_type=values["union_type"],
                parent=parent,
                kind=target["kind"],
                short_name=values.get("short_name") or "",
                sort_order=values.get("sort_order") or 0,
            )
        else:
            unit = OrgUnit.objects.get(code=values["code"])
            moving = parent is not None and unit.parent_id != parent.pk
            # Renamed before it moves (its old name may be taken at the new parent), unless the new name
            # is taken where it is now.
            rename_first = (
                moving
                and not OrgUnit.objects.filter(parent_id=unit.parent_id, name=values["name"], is_active=True)
                .exclude(pk=unit.pk)
                .exists()
            )
            if moving and not rename_first:
                unit = services.unit_move(actor=self.user, unit=unit, new_parent=parent)
            unit = services.unit_update(
                actor=self.user,
                unit=unit,
                name=values["name"],
                code=values["code"],
                union_type=values["union_type"],
                kind=target["kind"] if values.get("kind") else unit.kind,
                short_name=values["short_name"] if values.get("short_name") is not None else unit.short_name,
                sort_order=values["sort_order"] if values.get("sort_order") is not None else unit.sort_order,
                note=unit.note,
            )
            if rename_first:
                unit = services.unit_move(actor=self.user, unit=unit, new_parent=parent)
        for alias in values.get("aliases") or []:
            if alias != unit.name and not UnitAlias.objects.filter(alias=alias).exists():
                services.alias_add(actor=self.user, unit=unit, alias=alias)
