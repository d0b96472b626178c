"""Excel import of people (HR data) keyed by 工号. The members issue grows this into the full roster sync
(transfers, retirements, people missing from the roster); this version creates and updates people."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.crypto import blind_index
from smartunion.core.excel.importing import (
    ACTION_CREATE,
    ACTION_UNCHANGED,
    ACTION_UPDATE,
    Importer,
    ImportField,
    Row,
    register_importer,
)
from smartunion.core.masking import mask_id_number, mask_phone
from smartunion.core.normalise import (
    clean_name,
    clean_text,
    normalise_id_number,
    normalise_mobile,
    parse_choice,
    parse_date,
    parse_money,
)
from smartunion.organisations.selectors import UnitResolver

from . import services
from .models import Person, StaffCategory

SEX_CHOICES: dict[str, Any] = {"M": "男", "F": "女", "男性": "M", "女性": "F", "male": "M", "female": "F"}
POST_TYPE_CHOICES: dict[str, Any] = {
    "professional": "专业技术岗位",
    "management": "管理岗位",
    "support": "工勤技能岗位",
    "other": "其他",
    "专技": "professional",
    "专业技术": "professional",
    "管理": "management",
    "工勤": "support",
    "工勤技能": "support",
}


def parse_staff_no(value: Any) -> str:
    return clean_text(value).replace(" ", "").upper()


@register_importer
class PersonImporter(Importer):
    kind = "members.people"
    label = gettext_lazy("Staff list")
    permission = "members.import"
    key_field = "staff_no"
    description = gettext_lazy("Create and update people's HR data by staff number (工号).")
    fields = [
        ImportField(
            "staff_no",
            gettext_lazy("Staff number"),
            ("工号", "职工号", "人员编号", "教工号", "编号"),
            required=True,
            parse=parse_staff_no,
            example="100234",
        ),
        ImportField(
            "name",
            gettext_lazy("Name"),
            ("姓名", "名字", "职工姓名"),
            required=True,
            parse=clean_name,
            example="张三",
        ),
        ImportField(
            "sex",
            gettext_lazy("Sex"),
            ("性别",),
            parse=lambda v: parse_choice(v, SEX_CHOICES),
            display=lambda v: str(Person.Sex(v).label),
            example="男",
        ),
        ImportField(
            "id_number",
            gettext_lazy("ID number"),
            ("身份证号", "身份证号码", "身份证", "证件号码", "公民身份号码"),
            parse=lambda v: normalise_id_number(v).number,
            mask=mask_id_number,
            help_text=gettext_lazy("18 characters; format the column as text"),
        ),
        ImportField(
            "birth_date",
            gettext_lazy("Birth date"),
            ("出生日期", "出生年月", "生日"),
            parse=parse_date,
            example="1985-03-12",
        ),
        ImportField(
            "mobile",
            gettext_lazy("Mobile number"),
            ("手机", "手机号", "手机号码", "联系电话", "电话"),
            parse=normalise_mobile,
            mask=mask_phone,
        ),
        ImportField(
            "category",
            gettext_lazy("Staff category"),
            ("人员类别", "人员类型", "用工类型", "编制类型"),
            required=True,
            parse=clean_name,
            example="在编",
        ),
        ImportField(
            "post_type",
            gettext_lazy("Post type"),
            ("岗位类别", "岗位类型"),
            parse=lambda v: parse_choice(v, POST_TYPE_CHOICES),
            display=lambda v: str(Person.PostType(v).label),
            example="专业技术岗位",
        ),
        ImportField(
            "hire_date",
            gettext_lazy("Hire date"),
            ("入职日期", "参加工作时间", "来校时间", "入校时间", "到校时间"),
            parse=parse_date,
            example="2020-07-01",
        ),
        ImportField(
            "unit",
            gettext_lazy("Unit"),
            ("所在单位", "单位", "部门", "所在部门", "二级单位"),
            required=True,
            parse=clean_name,
            example="机械工程学院",
        ),
        ImportField(
            "post_salary", gettext_lazy("Post salary"), ("岗位工资",), parse=parse_money, example="2,800.00"
        ),
        ImportField(
            "grade_salary", gettext_lazy("Grade salary"), ("薪级工资",), parse=parse_money, example="1,050.00"
        ),
    ]

    def prepare(self, rows: list[Row]) -> None:
        self.units = UnitResolver()
        self.categories = {c.name: c for c in StaffCategory.objects.filter(is_active=True)}
        staff_nos = [row.values["staff_no"] for row in rows]
        self.existing = {
            p.staff_no: p
            for p in Person.objects.filter(staff_no__in=staff_nos).select_related("unit", "category")
        }
        self.import_scope = self.user.scope_for("members.edit") if self.user is not None else None
        # An ID number belongs to one person: who holds each of the file's numbers already (one query),
        # and which numbers the file itself gives to several staff numbers.
        ids = {row.values["id_number"] for row in rows if row.values.get("id_number")}
        holders = Person.objects.filter(id_number_hash__in=[blind_index(n) for n in ids]).select_related(
            "unit"
        )
        self.id_holders = {person.id_number_hash: person for person in holders}
        staff_by_id: dict[str, set[str]] = {}
        for row in rows:
            if row.values.get("id_number"):
                staff_by_id.setdefault(row.values["id_number"], set()).add(row.values["staff_no"])
        self.shared_ids = {number for number, staff in staff_by_id.items() if len(staff) > 1}

    def _in_scope(self, person: Person) -> bool:
        return self.import_scope is None or self.import_scope.covers(person.unit.path)

    def check_row(self, row: Row) -> None:
        values = row.values
        unit = self.units.resolve(values["unit"])
        if unit is None and self.units.is_ambiguous(values["unit"]):
            row.error(
                _("several units are named “%(name)s”; give the unit's code or its full name instead.")
                % {"name": values["unit"]},
                "unit",
            )
            return
        if unit is None:
            suggestion = self.units.suggest(values["unit"])
            hint = (
                _(" Did you mean “%(name)s”? If so, add it as an alias of that unit.") % {"name": suggestion}
                if suggestion
                else ""
            )
            row.error(_("no unit named “%(name)s”.") % {"name": values["unit"]} + hint, "unit")
            return
        if self.import_scope is not None and not self.import_scope.covers(unit.path):
            row.error(_("“%(unit)s” is outside the units you manage.") % {"unit": unit.name}, "unit")
            return
        category = self.categories.get(values["category"])
        if category is None:
            row.error(
                _("unknown staff category; use one of: %(names)s.") % {"names": "、".join(self.categories)},
                "category",
            )
            return
        if values.get("id_number"):
            if values["id_number"] in self.shared_ids:
                row.error(
                    _("the same ID number is given to several staff numbers in this file."), "id_number"
                )
                return
            holder = self.id_holders.get(blind_index(values["id_number"]))
            if holder is not None and holder.staff_no != values["staff_no"]:
                if self._in_scope(holder):
                    message = _(
                        "this ID number is already registered to %(person)s; check the staff number."
                    ) % {"person": holder}
                else:  # who holds it elsewhere in the school is none of this importer's business
                    message = _("this ID number is already registered to someone else; check it.")
                row.error(message, "id_number")
                return
            identity = normalise_id_number(values["id_number"])
            if values.get("birth_date") and values["birth_date"] != identity.birth_date:
                row.warn(
                    _(
                        "the birth date %(given)s disagrees with the ID number (%(derived)s); the ID number's date is used."
                    )
                    % {"given": values["birth_date"], "derived": identity.birth_date},
                    "birth_date",
                )
            if values.get("sex") and values["sex"] != identity.sex:
                row.warn(_("the sex disagrees with the ID number; the ID number's is used."), "sex")
            values["birth_date"] = identity.birth_date
            values["sex"] = identity.sex
        if not values.get("sex"):
            row.error(_("the sex is needed when there is no ID number."), "sex")
            return
        row.target = {"unit": unit, "category": category}
        person = self.existing.get(values["staff_no"])
        if person is None:
            row.action = ACTION_CREATE
            return
        if not self._in_scope(person):
            row.error(
                _(
                    "staff number %(no)s belongs to someone outside the units you manage; ask the union office."
                )
                % {"no": values["staff_no"]},
                "staff_no",
            )
            return
        current = {
            "name": person.name,
            "sex": person.sex,
            "id_number": person.id_number or None,
            "birth_date": person.birth_date,
            "mobile": person.mobile or None,
            "category": person.category.name,
            "post_type": person.post_type or None,
            "hire_date": person.hire_date,
            "unit": person.unit.name,
            "post_salary": person.post_salary,
            "grade_salary": person.grade_salary,
        }
        comparable = dict(values)
        comparable["unit"] = unit.name
        row.values, original = comparable, row.values
        row.changes = self.diff(row, current)
        row.values = original
        row.action = ACTION_UPDATE if row.changes else ACTION_UNCHANGED

    def apply_row(self, row: Row) -> None:
        values = row.values
        fields = {
            "name": values["name"],
            "sex": values["sex"],
            "birth_date": values.get("birth_date"),
            "mobile": values.get("mobile") or "",
            "category": row.target["category"],
            "post_type": values.get("post_type") or "",
            "hire_date": values.get("hire_date"),
            "unit": row.target["unit"],
        }
        for money in ("post_salary", "grade_salary"):
            if values.get(money) is not None:
                fields[money] = values[money]
        if row.action == ACTION_CREATE:
            services.person_create(
                actor=self.user,
                staff_no=values["staff_no"],
                id_number=values.get("id_number") or "",
                **fields,
            )
            return
        person = Person.objects.get(staff_no=values["staff_no"])
        changed = {
            name: value
            for name, value in fields.items()
            if name in row.changes or name in {"category", "unit"}
        }
        if values.get("id_number"):
            changed["id_number"] = values["id_number"]
        services.person_update(actor=self.user, person=person, **changed)
