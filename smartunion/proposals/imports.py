"""Excel import of the representatives of a congress term (代表名单), through the core import framework:
preview with a message per row, confirm, apply in one transaction; idempotent by (term, 工号).

Columns: 届次 (term number; the congress page's import fills it in when the file has no such column),
工号, 姓名 (must match the roster), 代表团 (created when the term has none of that name), 代表类别
(正式代表 / 列席代表, default 正式), 团长 (是/否). A person already serving is updated; one whose
service ended is reinstated; nobody is removed (the preview lists serving representatives the file
does not name)."""

from __future__ import annotations

import io
import re
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from smartunion.core.excel.importing import (
    ACTION_CREATE,
    ACTION_UNCHANGED,
    ACTION_UPDATE,
    Importer,
    ImportField,
    Row,
    map_columns,
    register_importer,
)
from smartunion.core.excel.reader import read_sheet
from smartunion.core.normalise import NormaliseError, clean_name, clean_text, parse_bool, parse_choice
from smartunion.members.selectors import people as people_selectors
from smartunion.organisations.selectors import UnitResolver

from .models import Congress, Delegation, Representative
from .services import congress as services

Kind = Representative.Kind
KIND_SYNONYMS = {
    "正式代表": Kind.FULL,
    "正式": Kind.FULL,
    "代表": Kind.FULL,
    "列席代表": Kind.OBSERVER,
    "列席": Kind.OBSERVER,
    "特邀代表": Kind.OBSERVER,
}
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def parse_term(value: Any) -> int:
    """5, "5", "第5届", "第五届", "第十二届教职工代表大会" → the term number."""
    text = clean_text(value).replace(" ", "")
    match = re.search(r"(\d{1,2})", text)
    if match:
        return int(match.group(1))
    match = re.search(r"([零一二三四五六七八九十]{1,3})", text)
    if match:
        word = match.group(1)
        if "十" in word:
            tens, _sep, ones = word.partition("十")
            return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
        if len(word) == 1:
            return _CN_DIGITS[word]
    raise NormaliseError(_("“%(value)s” is not a term number: write 5 or 第五届.") % {"value": text})


def parse_kind(value: Any) -> str:
    choices: dict[str, Any] = dict(Kind.choices)
    choices.update(KIND_SYNONYMS)
    return parse_choice(value, choices)


def parse_staff_no(value: Any) -> str:
    return clean_text(value).replace(" ", "").upper()


@register_importer
class RepresentativeImporter(Importer):
    kind = "proposals.representatives"
    label = gettext_lazy("Congress representatives")
    permission = "proposals.congress.manage"
    key_field = "staff_no"
    description = gettext_lazy(
        "Add and update the representatives of a congress term (代表名单) by staff number: delegation, "
        "full or non-voting, delegation leader. Nobody is removed; representatives whose service ended "
        "are reinstated when listed."
    )
    fields = [
        ImportField(
            "term",
            gettext_lazy("Congress term"),
            ("届次", "届别", "教代会届次", "届"),
            required=True,
            parse=parse_term,
            example="5",
            help_text=gettext_lazy("the term number, e.g. 5 or 第五届"),
        ),
        ImportField(
            "staff_no",
            gettext_lazy("Staff number"),
            ("工号", "职工号", "教工号", "人员编号", "编号"),
            required=True,
            parse=parse_staff_no,
            example="100234",
        ),
        ImportField(
            "name",
            gettext_lazy("Name"),
            ("姓名", "代表姓名", "名字"),
            required=True,
            parse=clean_name,
            example="张三",
        ),
        ImportField(
            "delegation",
            gettext_lazy("Delegation"),
            ("代表团", "所属代表团", "代表团名称"),
            required=True,
            parse=clean_name,
            example="机械工程学院代表团",
        ),
        ImportField(
            "kind",
            gettext_lazy("Kind"),
            ("代表类别", "代表类型", "类别", "身份"),
            parse=parse_kind,
            example="正式代表",
            help_text=gettext_lazy("正式代表 or 列席代表; empty: 正式代表"),
        ),
        ImportField(
            "leader",
            gettext_lazy("Delegation leader"),
            ("团长", "是否团长", "代表团团长"),
            parse=parse_bool,
            example="否",
            help_text=gettext_lazy("是 or 否"),
        ),
    ]

    def prepare(self, rows: list[Row]) -> None:
        terms = {row.values["term"] for row in rows if row.values.get("term")}
        self.congresses = {c.number: c for c in Congress.objects.filter(number__in=terms)}
        self.people = people_selectors.people_by_staff_numbers(row.values["staff_no"] for row in rows)
        congress_ids = [c.pk for c in self.congresses.values()]
        self.delegations = {
            (d.congress_id, d.name): d for d in Delegation.objects.filter(congress_id__in=congress_ids)
        }
        self.reps = {
            (rep.congress_id, rep.person_id): rep
            for rep in Representative.objects.filter(
                congress_id__in=congress_ids, person_id__in=[p.pk for p in self.people.values()]
            ).select_related("delegation", "person")
        }
        # Serving leaders by delegation, and the people the file unsets as leaders (they may be replaced).
        self.leaders = {
            rep.delegation_id: rep
            for rep in Representative.objects.filter(
                congress_id__in=congress_ids, is_delegation_leader=True, is_active=True
            ).select_related("person")
        }
        self.unset_leaders = {
            (self.congresses[row.values["term"]].pk, self.people[row.values["staff_no"]].pk)
            for row in rows
            if row.values.get("leader") is False
            and row.values.get("term") in self.congresses
            and row.values.get("staff_no") in self.people
        }
        self.new_delegations: dict[tuple[int, str], Row] = {}
        self.leader_rows: dict[tuple[int, str], Row] = {}
        self.resolver = UnitResolver()

    def check_row(self, row: Row) -> None:
        values = row.values
        congress = self.congresses.get(values["term"])
        if congress is None:
            row.error(
                _("there is no congress term %(number)d: create it on the congress pages first.")
                % {"number": values["term"]},
                "term",
            )
            return
        person = self.people.get(values["staff_no"])
        if person is None:
            row.error(
                _("no staff member has the number %(no)s: check it, or add them to the roster first.")
                % {"no": values["staff_no"]},
                "staff_no",
            )
            return
        if person.name != values["name"]:
            row.error(
                _(
                    "staff number %(no)s is %(roster)s in the roster, not %(name)s: correct the name or the number."
                )
                % {"no": values["staff_no"], "roster": person.name, "name": values["name"]},
                "name",
            )
            return
        if not person.is_active:
            row.error(_("%(name)s has left the staff.") % {"name": person.name}, "staff_no")
            return
        kind = values.get("kind") or Kind.FULL
        is_leader = bool(values.get("leader"))
        delegation_key = (congress.pk, values["delegation"])
        delegation = self.delegations.get(delegation_key)
        if delegation is None:
            first = self.new_delegations.setdefault(delegation_key, row)
            if first is row:
                row.note(
                    _("creates the delegation %(name)s in %(congress)s.")
                    % {"name": values["delegation"], "congress": congress.name}
                )
        if is_leader:
            if kind != Kind.FULL:
                row.error(_("only a full representative (正式代表) can lead a delegation."), "leader")
                return
            other_row = self.leader_rows.setdefault(delegation_key, row)
            if other_row is not row:
                row.error(
                    _("row %(row)d already names the leader of %(delegation)s; a delegation has one leader.")
                    % {"row": other_row.number, "delegation": values["delegation"]},
                    "leader",
                )
                return
            current = self.leaders.get(delegation.pk) if delegation is not None else None
            if (
                current is not None
                and current.person_id != person.pk
                and (congress.pk, current.person_id) not in self.unset_leaders
            ):
                row.error(
                    _(
                        "%(name)s leads %(delegation)s now: add a row for them with 团长 否, or change the "
                        "leader on the congress page."
                    )
                    % {"name": current.person.name, "delegation": values["delegation"]},
                    "leader",
                )
                return
        rep = self.reps.get((congress.pk, person.pk))
        row.target = {"congress": congress, "person": person, "kind": kind, "leader": is_leader, "rep": rep}
        if rep is None:
            row.action = ACTION_CREATE
            return
        current_values = {
            "delegation": rep.delegation.name,
            "kind": rep.kind,
            "leader": rep.is_delegation_leader,
        }
        wanted = {"delegation": values["delegation"], "kind": kind, "leader": is_leader}
        labels: dict[Any, Any] = dict(Kind.choices)
        row.changes = {
            key: [str(labels.get(current_values[key], "")), str(labels.get(wanted[key], ""))]
            if key == "kind"
            else [current_values[key], wanted[key]]
            for key in wanted
            if current_values[key] != wanted[key]
        }
        if not rep.is_active:
            row.changes["is_active"] = [False, True]
            row.note(_("reinstates %(name)s, whose service had ended.") % {"name": person.name})
        row.action = ACTION_UPDATE if row.changes else ACTION_UNCHANGED

    def findings(self, rows: list[Row]) -> list[dict[str, Any]]:
        """Serving representatives of the file's terms whom the file does not list (informs only)."""
        listed = {
            (row.target["congress"].pk, row.target["person"].pk)
            for row in rows
            if isinstance(row.target, dict) and not row.errors
        }
        congress_ids = [c.pk for c in self.congresses.values()]
        if not congress_ids:
            return []
        missing = [
            rep
            for rep in Representative.objects.filter(congress_id__in=congress_ids, is_active=True)
            .select_related("person", "delegation", "congress")
            .order_by("congress__number", "delegation__sort_order", "person__staff_no")
            if (rep.congress_id, rep.person_id) not in listed
        ]
        if not missing:
            return []
        return [
            {
                "code": "not_listed",
                "title": _("Serving representatives the file does not list"),
                "text": _(
                    "They stay representatives. If their service has ended, end it on the congress page."
                ),
                "total": len(missing),
                "columns": [
                    {"name": "staff_no", "label": _("Staff number")},
                    {"name": "name", "label": _("Name")},
                    {"name": "delegation", "label": _("Delegation")},
                ],
                "items": [
                    {
                        "staff_no": rep.person.staff_no,
                        "name": rep.person.name,
                        "delegation": rep.delegation.name,
                        "url": reverse("proposals:representative_edit", kwargs={"pk": rep.pk}),
                    }
                    for rep in missing[:500]
                ],
            }
        ]

    def apply_order(self, rows: list[Row]) -> list[Row]:
        """Leaders last: a leader who steps down in the file has stepped down before the new one is set."""
        return sorted(rows, key=lambda row: bool(row.values.get("leader")))

    def _delegation(self, congress: Congress, name: str) -> Delegation:
        delegation = Delegation.objects.filter(congress=congress, name=name).first()
        if delegation is None:
            unit = self.resolver.resolve(re.sub(r"代表团$", "", name)) or None
            delegation = services.delegation_create(actor=self.user, congress=congress, name=name, unit=unit)
        return delegation

    def apply_row(self, row: Row) -> None:
        target = row.target
        congress, person = target["congress"], target["person"]
        delegation = self._delegation(congress, row.values["delegation"])
        rep = Representative.objects.filter(congress=congress, person=person).first()
        if rep is None or not rep.is_active:
            services.representative_add(
                actor=self.user,
                congress=congress,
                person=person,
                delegation=delegation,
                kind=target["kind"],
                is_delegation_leader=target["leader"],
            )
        else:
            services.representative_update(
                actor=self.user,
                representative=rep,
                delegation=delegation,
                kind=target["kind"],
                is_delegation_leader=target["leader"],
                is_active=True,
            )


def with_term_column(data: bytes, congress: Congress) -> bytes:
    """The uploaded workbook with a 届次 column filled with the term's number, when it has none (the import
    started from a term's page says which term it is for). A file that names its terms is left alone."""
    sheet = read_sheet(data, score_header=RepresentativeImporter.score_header, min_score=1)
    columns = map_columns(RepresentativeImporter, sheet.headers, {})
    if any(column["field"] == "term" for column in columns.values()):
        return data
    workbook = load_workbook(io.BytesIO(data))
    worksheet = workbook[sheet.sheet_name]
    column = max(worksheet.max_column, len(sheet.headers)) + 1
    worksheet.cell(row=sheet.header_row, column=column, value="届次")
    for number, _cells in sheet.rows:
        worksheet.cell(row=number, column=column, value=congress.number)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
