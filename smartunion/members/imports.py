"""The HR roster sync (人事花名册): the HR office's staff list, imported as often as it comes, upserted by
工号 through the people services.

Every row is classified: a new person; changed fields (before → after); moved to another unit (the
membership follows: 会籍接转 within the school, no new application); now 退休 (保留会籍 is proposed, an
officer confirms it); unchanged. People on the staff of the importer's units whom the roster no longer
lists are reported as a finding for an officer to decide: the import never deactivates anyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from django.urls import reverse
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
from .models import Membership, Person, StaffCategory

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
LOOKUP_BATCH = 2000  # values per IN (…) query: well inside every database's parameter limit

NEW = "new"
CHANGED = "changed"
MOVED = "moved"
RETIRED = "retired"
UNCHANGED = "unchanged"
NOT_IN_ROSTER = "not_in_roster"

COMPARED_MONEY = ("post_salary", "grade_salary")


def parse_staff_no(value: Any) -> str:
    return clean_text(value).replace(" ", "").upper()


def _remembered(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A pure cell parser that remembers its answers: a roster repeats the same sexes, units, categories
    and dates on thousands of rows (errors are raised again each time, not remembered)."""
    cached = lru_cache(maxsize=4096, typed=True)(parse)

    def call(value: Any) -> Any:
        try:
            return cached(value)
        except TypeError:  # an unhashable cell
            return parse(value)

    return call


def _parse_sex(value: Any) -> str:
    return parse_choice(value, SEX_CHOICES)


def _parse_post_type(value: Any) -> str:
    return parse_choice(value, POST_TYPE_CHOICES)


def _id_number(value: Any) -> str:
    return normalise_id_number(value).number


def _identity(number: str) -> tuple[dt.date, str]:
    """Birth date and sex of an ID number already checked by ``normalise_id_number`` (18 characters)."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])), "M" if int(
        number[16]
    ) % 2 else "F"


parse_sex = _remembered(_parse_sex)
parse_post_type = _remembered(_parse_post_type)
parse_unit_or_category = _remembered(clean_name)
parse_roster_date = _remembered(parse_date)
parse_salary = _remembered(parse_money)


def _batches(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), LOOKUP_BATCH):
        yield values[start : start + LOOKUP_BATCH]


def _unit_label(unit: Any, other: Any) -> str:
    """A unit's name, with its code when the other side of a move has the same name (第一工会小组)."""
    return f"{unit.name}（{unit.code}）" if unit.name == other.name and unit.code else unit.name


@register_importer
class PersonImporter(Importer):
    """Imports people from the HR roster (kind ``members.roster``)."""

    kind = "members.roster"
    label = gettext_lazy("HR roster")
    permission = "members.import"
    key_field = "staff_no"
    description = gettext_lazy(
        "Sync people's HR data with the HR office's roster (花名册), by staff number (工号): new staff, "
        "changes, moves between units and retirements. Nobody is removed: people missing from the roster "
        "are listed for an officer to decide."
    )
    classifications = {
        NEW: gettext_lazy("New person"),
        MOVED: gettext_lazy("Moved to another unit"),
        RETIRED: gettext_lazy("Now retired"),
        CHANGED: gettext_lazy("Changed"),
        UNCHANGED: gettext_lazy("Unchanged"),
    }
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
            parse=parse_sex,
            display=lambda v: str(Person.Sex(v).label),
            example="男",
        ),
        ImportField(
            "id_number",
            gettext_lazy("ID number"),
            ("身份证号", "身份证号码", "身份证", "证件号码", "公民身份号码"),
            parse=_id_number,
            mask=mask_id_number,
            help_text=gettext_lazy("18 characters; format the column as text"),
        ),
        ImportField(
            "birth_date",
            gettext_lazy("Birth date"),
            ("出生日期", "出生年月", "生日"),
            parse=parse_roster_date,
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
            parse=parse_unit_or_category,
            example="在编",
        ),
        ImportField(
            "post_type",
            gettext_lazy("Post type"),
            ("岗位类别", "岗位类型"),
            parse=parse_post_type,
            display=lambda v: str(Person.PostType(v).label),
            example="专业技术岗位",
        ),
        ImportField(
            "hire_date",
            gettext_lazy("Hire date"),
            ("入职日期", "参加工作时间", "来校时间", "入校时间", "到校时间"),
            parse=parse_roster_date,
            example="2020-07-01",
        ),
        ImportField(
            "unit",
            gettext_lazy("Unit"),
            ("所在单位", "单位", "部门", "所在部门", "二级单位"),
            required=True,
            parse=parse_unit_or_category,
            example="机械工程学院",
        ),
        ImportField(
            "post_salary", gettext_lazy("Post salary"), ("岗位工资",), parse=parse_salary, example="2,800.00"
        ),
        ImportField(
            "grade_salary",
            gettext_lazy("Grade salary"),
            ("薪级工资",),
            parse=parse_salary,
            example="1,050.00",
        ),
    ]

    # -- loading what the checks need: a few queries whatever the number of rows ----------------------

    def prepare(self, rows: list[Row]) -> None:
        self.units = UnitResolver()
        self.categories = {c.name: c for c in StaffCategory.objects.filter(is_active=True)}
        self.import_scope = self.user.scope_for("members.edit") if self.user is not None else None
        staff_nos = sorted({row.values["staff_no"] for row in rows})
        self.existing: dict[str, Person] = {}
        for batch in _batches(staff_nos):
            # ID numbers are compared through their keyed hash: no need to decrypt everyone's.
            people = (
                Person.objects.filter(staff_no__in=batch)
                .select_related("unit", "category", "membership")
                .defer("id_number")
            )
            self.existing.update((person.staff_no, person) for person in people)
        # An ID number belongs to one person: who holds each of the file's numbers already, and which
        # numbers the file itself gives to several staff numbers.
        ids = sorted({row.values["id_number"] for row in rows if row.values.get("id_number")})
        self.id_holders: dict[str, tuple[str, str, str]] = {}  # hash → (staff_no, name, unit path)
        for batch in _batches([blind_index(number) for number in ids]):
            holders = Person.objects.filter(id_number_hash__in=batch).values_list(
                "id_number_hash", "staff_no", "name", "unit__path"
            )
            self.id_holders.update((digest or "", (no, name, path)) for digest, no, name, path in holders)
        staff_by_id: dict[str, set[str]] = {}
        for row in rows:
            if row.values.get("id_number"):
                staff_by_id.setdefault(row.values["id_number"], set()).add(row.values["staff_no"])
        self.shared_ids = {number for number, staff in staff_by_id.items() if len(staff) > 1}

    def _covers(self, path: str) -> bool:
        return self.import_scope is None or self.import_scope.covers(path)

    # -- one row ---------------------------------------------------------------------------------------

    def check_row(self, row: Row) -> None:
        values = row.values
        person = self.existing.get(values["staff_no"])
        if person is not None and not self._covers(person.unit.path):
            # Who holds this staff number elsewhere in the school is none of this importer's business.
            row.error(
                _(
                    "staff number %(no)s belongs to someone outside the units you manage; ask the union office."
                )
                % {"no": values["staff_no"]},
                "staff_no",
            )
            return
        unit = self._unit(row, person)
        if unit is None:
            return
        category = self.categories.get(values["category"])
        if category is None:
            row.error(
                _("unknown staff category “%(name)s”; use one of: %(names)s.")
                % {"name": values["category"], "names": "、".join(self.categories)},
                "category",
            )
            return
        if values.get("id_number") and not self._check_id_number(row):
            return
        if not values.get("sex"):
            row.error(_("the sex is needed when there is no ID number."), "sex")
            return
        row.target = {"unit": unit, "category": category, "person": person}
        if person is None:
            row.action = ACTION_CREATE
            row.classification = NEW
            if category.is_retired:
                row.note(_("A new person, registered as retired staff."))
            else:
                row.note(_("A new person: registered as not yet a member (待入会)."))
            return
        self._classify_existing(row, person, unit, category)

    def _unit(self, row: Row, person: Person | None) -> Any:
        """The row's unit; for someone already registered whose unit cannot be found, their current unit
        (with a warning) so the rest of the row still applies; None when the row is rejected."""
        name = row.values["unit"]
        unit = self.units.resolve(name)
        if unit is None:
            if self.units.is_ambiguous(name):
                problem = _(
                    "several units are named “%(name)s”; give the unit's code or its full name instead."
                ) % {"name": name}
            else:
                suggestion = self.units.suggest(name)
                problem = _("no unit named “%(name)s”.") % {"name": name}
                if suggestion:
                    problem += _(" Did you mean “%(name)s”? If so, add it as an alias of that unit.") % {
                        "name": suggestion
                    }
            if person is None:
                row.error(problem, "unit")
                return None
            row.warn(
                problem
                + _(" The unit stays “%(unit)s”; the rest of the row is imported.")
                % {"unit": person.unit.name},
                "unit",
            )
            return person.unit
        if not self._covers(unit.path):
            row.error(_("“%(unit)s” is outside the units you manage.") % {"unit": unit.name}, "unit")
            return None
        return unit

    def _check_id_number(self, row: Row) -> bool:
        values = row.values
        if values["id_number"] in self.shared_ids:
            row.error(_("the same ID number is given to several staff numbers in this file."), "id_number")
            return False
        holder = self.id_holders.get(blind_index(values["id_number"]))
        if holder is not None and holder[0] != values["staff_no"]:
            staff_no, name, path = holder
            if self._covers(path):
                message = _("this ID number is already registered to %(person)s; check the staff number.") % {
                    "person": f"{name}（{staff_no}）"
                }
            else:  # who holds it elsewhere in the school is none of this importer's business
                message = _("this ID number is already registered to someone else; check it.")
            row.error(message, "id_number")
            return False
        birth_date, sex = _identity(values["id_number"])
        typed = clean_text(row.raw.get("id_number")).replace(" ", "").lstrip("'")
        if len(typed) == 15:
            row.warn(
                _(
                    "a 15-digit ID number (issued before 1999) was converted to its 18-character form "
                    "%(number)s; check it against the person's ID card."
                )
                % {"number": mask_id_number(values["id_number"])},
                "id_number",
            )
        if values.get("birth_date") and values["birth_date"] != birth_date:
            row.warn(
                _(
                    "the birth date %(given)s disagrees with the ID number (%(derived)s); the ID number's date is used."
                )
                % {"given": values["birth_date"], "derived": birth_date},
                "birth_date",
            )
        if values.get("sex") and values["sex"] != sex:
            row.warn(_("the sex disagrees with the ID number; the ID number's is used."), "sex")
        values["birth_date"] = birth_date
        values["sex"] = sex
        return True

    def _classify_existing(self, row: Row, person: Person, unit: Any, category: StaffCategory) -> None:
        current: dict[str, Any] = {
            "name": person.name,
            "sex": person.sex,
            "birth_date": person.birth_date,
            "mobile": person.mobile or None,
            "post_type": person.post_type or None,
            "hire_date": person.hire_date,
            "post_salary": person.post_salary,
            "grade_salary": person.grade_salary,
        }
        changes = self.diff(row, current)
        new_id = row.values.get("id_number")
        if new_id and blind_index(new_id) != person.id_number_hash:
            # Decrypted (one query) only for the rare row that replaces a registered number.
            old_id = person.id_number if person.id_number_hash else ""
            changes["id_number"] = [mask_id_number(old_id) or None, mask_id_number(new_id)]
        if category.pk != person.category_id:
            changes["category"] = [person.category.name, category.name]
        moved = unit.pk != person.unit_id
        if moved:
            changes["unit"] = [_unit_label(person.unit, unit), _unit_label(unit, person.unit)]
        # Keep the file's column order in the preview.
        order = [f.name for f in self.fields]
        row.changes = {name: changes[name] for name in order if name in changes}
        row.action = ACTION_UPDATE if row.changes else ACTION_UNCHANGED

        if "name" in row.changes:
            row.warn(
                _("the name changes from %(old)s to %(new)s: check that the staff number is right.")
                % {"old": person.name, "new": row.values["name"]},
                "name",
            )
        if not person.is_active:
            row.warn(
                _(
                    "recorded as having left the school on %(date)s, yet listed in this roster; the record is "
                    "updated but stays marked as left: check it on the person's page."
                )
                % {"date": person.left_on or "—"}
            )
        status = self._membership_status(person)
        if category.is_retired and not person.category.is_retired:
            row.classification = RETIRED
            if status in Membership.IN_SERVICE_STATUSES:
                row.note(
                    _(
                        "Now retired: 保留会籍 is proposed for this member; an officer confirms it on the list "
                        "of retired members."
                    )
                )
            else:
                row.note(_("Now retired."))
        elif moved:
            row.classification = MOVED
        elif row.changes:
            row.classification = CHANGED
        else:
            row.classification = UNCHANGED
        if moved:
            if status in (*Membership.MEMBER_STATUSES, Membership.Status.APPLYING):
                row.note(
                    _(
                        "Moves from %(old)s to %(new)s; the membership moves with them (会籍接转 within the "
                        "school, no new application)."
                    )
                    % {"old": row.changes["unit"][0], "new": row.changes["unit"][1]}
                )
            else:
                row.note(
                    _("Moves from %(old)s to %(new)s.")
                    % {"old": row.changes["unit"][0], "new": row.changes["unit"][1]}
                )

    @staticmethod
    def _membership_status(person: Person) -> str:
        try:
            return person.membership.status
        except Membership.DoesNotExist:
            return Membership.Status.NONE

    # -- writing ---------------------------------------------------------------------------------------

    def apply_row(self, row: Row) -> None:
        values = row.values
        fields: dict[str, Any] = {
            "name": values["name"],
            "sex": values["sex"],
            "birth_date": values.get("birth_date"),
            "mobile": values.get("mobile") or "",
            "category": row.target["category"],
            "post_type": values.get("post_type") or "",
            "hire_date": values.get("hire_date"),
            "unit": row.target["unit"],
        }
        for money in COMPARED_MONEY:
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
        # Only what the preview showed as changed: a blank cell never erases what the registry holds.
        changed = {name: value for name, value in fields.items() if name in row.changes}
        if "id_number" in row.changes:
            changed["id_number"] = values["id_number"]
        services.person_update(actor=self.user, person=row.target["person"], **changed)

    # -- the roster as a whole -------------------------------------------------------------------------

    def findings(self, rows: list[Row]) -> list[dict[str, Any]]:
        """People on the staff of the importer's units whom this roster does not list (one query)."""
        listed = {row.key for row in rows if row.key}
        people = Person.objects.filter(is_active=True)
        if self.import_scope is not None:
            people = self.import_scope.filter(people, "unit")
        status_labels = dict(Membership.Status.choices)
        items = [
            {
                "staff_no": staff_no,
                "name": name,
                "unit": unit,
                "category": category,
                "membership": str(status_labels.get(status, status or "")),
                "url": reverse("members:person_detail", args=[pk]),
            }
            for pk, staff_no, name, unit, category, status in people.order_by(
                "unit__path", "staff_no"
            ).values_list("pk", "staff_no", "name", "unit__name", "category__name", "membership__status")
            if staff_no not in listed
        ]
        return [
            {
                "code": NOT_IN_ROSTER,
                "title": _("Not in this roster"),
                "text": _(
                    "%(count)d people on the staff of the units you manage are not in this roster. Nothing is "
                    "changed for them: open each person to decide (for example, record that they left the school)."
                )
                % {"count": len(items)},
                "empty": _("Everyone on the staff of the units you manage is in this roster."),
                "total": len(items),
                "columns": [
                    {"name": "staff_no", "label": _("Staff number")},
                    {"name": "name", "label": _("Name")},
                    {"name": "unit", "label": _("Unit")},
                    {"name": "category", "label": _("Staff category")},
                    {"name": "membership", "label": _("Membership")},
                ],
                "items": items,
            }
        ]
