"""Dues (会费) reads: the rule in force, the arithmetic (pure functions), the monthly sheet and a member's
own dues.

The arithmetic follows domain.md §2.5: the base is the sum of the rule's salary items (岗位工资 + 薪级工资
by default) with the remainder under ``base_step`` ignored (4,567.89 → 4,560); dues are base × rate
rounded to ``precision`` by the rule's rounding mode; the school union's part is the amount × its share
rounded half up to the fen, and the sub-union's part is the rest, so the two always add up exactly.

A month that the union office recorded as deducted reads its frozen charges; any other month is computed
live from today's salaries and memberships under the rule in force for that month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from smartunion.organisations import selectors as org_selectors

from ..models import DuesCharge, DuesMonth, DuesRule, Membership, Person

FEN = Decimal("0.01")
ZERO = Decimal("0")
ROUNDING_MODES = {
    DuesRule.Rounding.HALF_UP: ROUND_HALF_UP,
    DuesRule.Rounding.DOWN: ROUND_DOWN,
    DuesRule.Rounding.UP: ROUND_UP,
}
# Sub-unions (分工会, 直属工会小组) keep their part of the dues; a member's line is subtotalled under the
# nearest one.
SUBUNION_TYPES = ("branch", "direct_group")


# -- arithmetic ------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    first = dt.date(year, month0 + 1, 1)
    return min(first + dt.timedelta(days=day.day - 1), month_end(first))


def gross_base(salaries: dict[str, Decimal], rule: DuesRule) -> Decimal:
    """The sum of the rule's salary items (岗位工资 + 薪级工资 …) before the remainder is dropped."""
    return sum((Decimal(salaries.get(item) or 0) for item in rule.base_items), ZERO)


def counted_base(base: Decimal, rule: DuesRule) -> Decimal:
    """The base with the remainder under ``base_step`` ignored (4,567.89 → 4,560 for a step of 10)."""
    base = max(Decimal(base), ZERO)
    step = Decimal(rule.base_step)
    if step <= 0:
        return base.quantize(FEN, rounding=ROUND_DOWN)
    return ((base // step) * step).quantize(FEN)


def dues_amount(base: Decimal, rule: DuesRule) -> Decimal:
    """Monthly dues for a gross ``base`` under ``rule``: counted base × rate, rounded as the rule says."""
    raw = counted_base(base, rule) * Decimal(rule.rate)
    # normalize(): the stored precision reads 0.10 (two decimal places), which would round to the fen.
    step = Decimal(rule.precision).normalize()
    rounded = raw.quantize(step, rounding=ROUNDING_MODES[DuesRule.Rounding(rule.rounding)])
    return rounded.quantize(FEN)


def dues_split(amount: Decimal, rule: DuesRule) -> tuple[Decimal, Decimal]:
    """(school union part, sub-union part); the parts add up to ``amount`` exactly."""
    school = (Decimal(amount) * Decimal(rule.school_share)).quantize(FEN, rounding=ROUND_HALF_UP)
    return school, Decimal(amount) - school


# -- rules ---------------------------------------------------------------------------------------------


def rule_in_force(on: dt.date) -> DuesRule | None:
    """The rule whose effective date is the latest on or before ``on``."""
    return DuesRule.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def rule_list() -> list[DuesRule]:
    return list(DuesRule.objects.select_related("created_by").order_by("-effective_from"))


def rule_base_labels(rule: DuesRule) -> list[str]:
    return [str(DuesRule.BASE_ITEMS.get(item, item)) for item in rule.base_items]


def last_recorded_month() -> dt.date | None:
    return DuesMonth.objects.order_by("-month").values_list("month", flat=True).first()


def sample_dues(rule: DuesRule, bases: Iterable[Decimal]) -> list[dict[str, Decimal]]:
    """The rule applied to a few sample bases, to preview a rule before setting it."""
    rows = []
    for base in bases:
        amount = dues_amount(base, rule)
        school, unit = dues_split(amount, rule)
        rows.append(
            {
                "gross": base,
                "base": counted_base(base, rule),
                "amount": amount,
                "school": school,
                "unit": unit,
            }
        )
    return rows


# -- the monthly sheet ---------------------------------------------------------------------------------


@dataclass
class SheetLine:
    membership_id: int
    person_id: int
    staff_no: str
    name: str
    unit_id: int
    unit_name: str
    unit_path: str
    post_salary: Decimal
    grade_salary: Decimal
    base: Decimal
    amount: Decimal
    school_part: Decimal
    unit_part: Decimal
    charge_id: int | None = None
    paid: bool = True


@dataclass
class SheetTotals:
    count: int = 0
    amount: Decimal = ZERO
    school_part: Decimal = ZERO
    unit_part: Decimal = ZERO
    unpaid_count: int = 0
    unpaid_amount: Decimal = ZERO

    def add(self, line: SheetLine) -> None:
        self.count += 1
        self.amount += line.amount
        self.school_part += line.school_part
        self.unit_part += line.unit_part
        if not line.paid:
            self.unpaid_count += 1
            self.unpaid_amount += line.amount


@dataclass
class SheetGroup:
    unit: Any
    lines: list[SheetLine] = field(default_factory=list)
    totals: SheetTotals = field(default_factory=SheetTotals)


@dataclass
class DuesSheet:
    month: dt.date
    rule: DuesRule | None
    recorded: DuesMonth | None
    groups: list[SheetGroup]
    totals: SheetTotals

    @property
    def lines(self) -> list[SheetLine]:
        return [line for group in self.groups for line in group.lines]


def _subunion_of(units: dict[int, Any]) -> dict[int, Any]:
    """Each unit's nearest sub-union (分工会 or 直属工会小组), itself or an ancestor; the unit itself
    when there is none (the school union's own members)."""
    result: dict[int, Any] = {}
    for unit in units.values():
        current: Any = unit
        while current is not None and current.union_type not in SUBUNION_TYPES:
            current = units.get(current.parent_id) if current.parent_id else None
        result[unit.pk] = current or unit
    return result


def _paying_memberships(month: dt.date) -> Any:
    """Memberships charged for ``month``: paying statuses only (保留会籍, 申请中 … pay nothing), people
    still on the staff, joined by the end of the month."""
    return Membership.objects.filter(status__in=Membership.PAYING_STATUSES, person__is_active=True).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=month_end(month))
    )


def compute_lines(memberships: Any, rule: DuesRule, units: dict[int, Any]) -> list[SheetLine]:
    """Live lines for ``memberships`` under ``rule`` (one query)."""
    rows = memberships.values_list(
        "pk",
        "person_id",
        "person__staff_no",
        "person__name",
        "unit_id",
        "person__post_salary",
        "person__grade_salary",
    )
    lines = []
    for pk, person_id, staff_no, name, unit_id, post_salary, grade_salary in rows.iterator(chunk_size=4000):
        gross = gross_base({"post_salary": post_salary, "grade_salary": grade_salary}, rule)
        amount = dues_amount(gross, rule)
        school, unit_part = dues_split(amount, rule)
        unit = units[unit_id]
        lines.append(
            SheetLine(
                membership_id=pk,
                person_id=person_id,
                staff_no=staff_no,
                name=name,
                unit_id=unit_id,
                unit_name=unit.name,
                unit_path=unit.path,
                post_salary=post_salary,
                grade_salary=grade_salary,
                base=counted_base(gross, rule),
                amount=amount,
                school_part=school,
                unit_part=unit_part,
            )
        )
    return lines


def _recorded_lines(charges: Any, units: dict[int, Any]) -> list[SheetLine]:
    rows = charges.values_list(
        "pk",
        "membership_id",
        "membership__person_id",
        "membership__person__staff_no",
        "membership__person__name",
        "unit_id",
        "post_salary",
        "grade_salary",
        "base",
        "amount",
        "school_part",
        "unit_part",
        "paid",
    )
    lines = []
    for row in rows.iterator(chunk_size=4000):
        (
            pk,
            membership_id,
            person_id,
            staff_no,
            name,
            unit_id,
            post,
            grade,
            base,
            amount,
            school,
            part,
            paid,
        ) = row
        unit = units[unit_id]
        lines.append(
            SheetLine(
                membership_id=membership_id,
                person_id=person_id,
                staff_no=staff_no,
                name=name,
                unit_id=unit_id,
                unit_name=unit.name,
                unit_path=unit.path,
                post_salary=post,
                grade_salary=grade,
                base=base,
                amount=amount,
                school_part=school,
                unit_part=part,
                charge_id=pk,
                paid=paid,
            )
        )
    return lines


def units_for(user: Any, perm: str) -> dict[int, Any]:
    """Every unit (dissolved ones too: old charges name them) where ``user`` holds ``perm``, by id."""
    units = org_selectors.unit_list_for_user(user=user, perm=perm, include_inactive=True)
    return {
        u.pk: u
        for u in units.select_related(None).only("id", "name", "path", "parent_id", "union_type", "depth")
    }


def group_lines(lines: list[SheetLine], units: dict[int, Any]) -> tuple[list[SheetGroup], SheetTotals]:
    """Lines grouped under their sub-union (tree order, then staff number), with subtotals and a total."""
    subunion = _subunion_of(units)
    path_to_unit = {u.path: u for u in units.values()}
    groups: dict[int, SheetGroup] = {}
    totals = SheetTotals()
    for line in sorted(lines, key=lambda item: (item.unit_path, item.staff_no)):
        owner = subunion[path_to_unit[line.unit_path].pk]
        group = groups.get(owner.pk)
        if group is None:
            group = groups[owner.pk] = SheetGroup(unit=owner)
        group.lines.append(line)
        group.totals.add(line)
        totals.add(line)
    ordered = sorted(groups.values(), key=lambda g: g.unit.path)
    for group in ordered:
        group.lines.sort(key=lambda item: item.staff_no)
    return ordered, totals


def dues_sheet(*, user: Any, month: dt.date, unit: Any = None) -> DuesSheet:
    """The dues sheet of ``month`` for the memberships in the user's ``members.dues.view`` scope (and
    under ``unit`` if given). A bounded number of queries whatever the number of members."""
    month = month_start(month)
    scope = user.scope_for("members.dues.view")
    units = units_for(user, "members.dues.view")
    recorded = DuesMonth.objects.select_related("rule", "closed_by").filter(month=month).first()
    if recorded is not None:
        rule: DuesRule | None = recorded.rule
        charges = scope.filter(DuesCharge.objects.filter(dues_month=recorded), "unit")
        if unit is not None:
            charges = charges.filter(unit__path__startswith=unit.path)
        lines = _recorded_lines(charges, units)
    else:
        rule = rule_in_force(month)
        memberships = scope.filter(_paying_memberships(month), "unit")
        if unit is not None:
            memberships = memberships.filter(unit__path__startswith=unit.path)
        lines = compute_lines(memberships, rule, units) if rule is not None else []
    groups, totals = group_lines(lines, units)
    return DuesSheet(month=month, rule=rule, recorded=recorded, groups=groups, totals=totals)


def charge_get_for_user(*, user: Any, pk: Any, perm: str = "members.dues.view") -> DuesCharge:
    from django.http import Http404

    try:
        return (
            user.scope_for(perm)
            .filter(DuesCharge.objects.select_related("dues_month", "membership__person", "unit"), "unit")
            .get(pk=pk)
        )
    except (DuesCharge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def recorded_months(limit: int = 24) -> list[DuesMonth]:
    return list(DuesMonth.objects.select_related("closed_by").order_by("-month")[:limit])


# -- a member's own dues -------------------------------------------------------------------------------


def dues_for_member(person: Person) -> dict[str, Any]:
    """What 我的 shows: this month's dues (or why there are none), the base items, the recorded months."""
    today = timezone.localdate()
    month = month_start(today)
    membership = Membership.objects.filter(person=person).first()
    rule = rule_in_force(month)
    paying = membership is not None and membership.status in Membership.PAYING_STATUSES
    current = None
    if paying and rule is not None:
        salaries = {"post_salary": person.post_salary, "grade_salary": person.grade_salary}
        gross = gross_base(salaries, rule)
        amount = dues_amount(gross, rule)
        current = {
            "month": month,
            "items": [
                (str(DuesRule.BASE_ITEMS.get(item, item)), Decimal(salaries.get(item) or 0))
                for item in rule.base_items
            ],
            "gross": gross,
            "base": counted_base(gross, rule),
            "rate_percent": Decimal(rule.rate) * 100,
            "amount": amount,
        }
    charges = []
    if membership is not None:
        charges = list(
            DuesCharge.objects.filter(membership=membership)
            .select_related("dues_month")
            .order_by("-dues_month__month")[:12]
        )
    return {
        "membership": membership,
        "paying": paying,
        "rule": rule,
        "current": current,
        "charges": charges,
    }


# -- 自动退会 candidates ----------------------------------------------------------------------------------

LAPSE_MONTHS = 6


@dataclass
class LapseCandidate:
    membership: Membership
    last_paid_month: dt.date | None
    unpaid_months: list[dt.date]


def lapse_candidates(on: dt.date) -> list[LapseCandidate]:
    """Paying members who have not paid dues for ``LAPSE_MONTHS`` months and took no part in union life
    in that time (domain.md §2.4: "连续6个月不交纳会费、不参加工会组织生活").

    Not paying means: at least six recorded months charged and not deducted since the last deducted one
    (or ever), and that last deducted month (if any) six or more months before ``on``'s month. Months the
    office never recorded count for nobody: a job that did not run, or a month not yet recorded, never
    makes anyone look in arrears. A proposal a person dismissed is not made again until another month
    goes unpaid after the dismissal. Participation is whatever the registered modules report since
    ``on`` minus six months (see ``members.participation``).
    """
    from .. import participation
    from ..models import LapseProposal

    cutoff = add_months(month_start(on), -LAPSE_MONTHS)
    paying = Membership.objects.filter(status__in=Membership.PAYING_STATUSES, person__is_active=True)
    # One row per member (the database finds each one's last deducted month), not one per charge.
    last_paid: dict[int, dt.date] = dict(
        DuesCharge.objects.filter(membership__in=paying, paid=True, dues_month__month__lte=on)
        .order_by()
        .values("membership_id")
        .annotate(last=Max("dues_month__month"))
        .values_list("membership_id", "last")
    )
    unpaid: dict[int, list[tuple[dt.date, dt.datetime]]] = {}
    for membership_id, month, closed_at in DuesCharge.objects.filter(
        membership__in=paying, paid=False, dues_month__month__lte=on
    ).values_list("membership_id", "dues_month__month", "dues_month__closed_at"):
        if month > last_paid.get(membership_id, dt.date.min):
            unpaid.setdefault(membership_id, []).append((month, closed_at))
    due = {
        membership_id: months
        for membership_id, months in unpaid.items()
        if len(months) >= LAPSE_MONTHS
        and (membership_id not in last_paid or last_paid[membership_id] <= cutoff)
    }
    if not due:
        return []
    dismissed: dict[int, dt.datetime] = {}
    for membership_id, decided_at in LapseProposal.objects.filter(
        membership_id__in=due, status=LapseProposal.Status.DISMISSED, decided_at__isnull=False
    ).values_list("membership_id", "decided_at"):
        if decided_at is not None and (
            membership_id not in dismissed or decided_at > dismissed[membership_id]
        ):
            dismissed[membership_id] = decided_at
    took_part = participation.participants_since(add_months(on, -LAPSE_MONTHS))
    candidates = []
    for membership in (
        Membership.objects.filter(pk__in=due).select_related("person", "unit").order_by("person__staff_no")
    ):
        if membership.person_id in took_part:
            continue
        months = sorted(due[membership.pk])
        if membership.pk in dismissed and dismissed[membership.pk] >= months[-1][1]:
            continue
        candidates.append(
            LapseCandidate(
                membership=membership,
                last_paid_month=last_paid.get(membership.pk),
                unpaid_months=[month for month, _closed in months],
            )
        )
    return candidates
