"""The two membership KPIs (domain.md §2.6), for the user's scope, per unit and in total, at any date or
for any period, and the people behind every number.

**入会率 at a date D** = members / eligible staff, where

* eligible staff (the denominator) are people whose staff category is eligible to join (``is_eligible``:
  retirees are not), who were on the staff on D (hired on or before D — or registered by then when the
  hire date is unknown — and not left on or before D);
* members (the numerator) are those of them whose membership on D was 正式会员, 临时会员 or 保留会籍
  (``Membership.MEMBER_STATUSES``: a member on long absence is still a member). So the numerator is part
  of the denominator and the rate never passes 100 %.

The status on a past date is read back from the membership timeline: a membership whose status changed
after D had, on D, the "from" status of its first change after D. Categories and units are HR's current
ones (the roster keeps no history of them).

**新进教职工入会率 for a period [from, to]** = joined in time / new hires, where

* new hires (the denominator) are eligible-category people hired within the period, both ends included,
  except those who left before their joining deadline without having joined;
* joined in time (the numerator) are those of them who are members now (``MEMBER_STATUSES``) and whose
  join date is no later than ``NEW_HIRE_JOIN_MONTHS`` months after their hire date (a member who
  transferred in keeps an earlier join date and counts). A new hire who joined and then withdrew does not
  count; one who joined after the deadline is "late"; one whose deadline has not come yet is "pending"
  (in the denominator: the target is every new hire of the period).

The breakdown is by the units directly under the viewed unit (the user's top unit, or the chosen one);
people attached to the viewed unit itself make their own row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils import timezone

from smartunion.organisations import selectors as org_selectors

from ..models import Membership, MembershipEvent, Person
from .dues import add_months

# Joined within this many months of the hire date counts as joined in time (domain.md §2.6: "e.g. 3").
NEW_HIRE_JOIN_MONTHS = 3
TARGET_PERCENT = Decimal("100")

JOIN_RATE_GROUPS = ("eligible", "members", "non_members")
NEW_HIRE_GROUPS = ("new_hires", "joined", "not_joined")


def percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class RateRow:
    unit: Any
    numerator: int = 0
    denominator: int = 0
    is_self: bool = False  # people attached directly to the viewed unit
    counts: dict[str, int] = field(default_factory=dict)  # new hires: late, pending, missed

    @property
    def rate(self) -> Decimal | None:
        return percent(self.numerator, self.denominator)

    @property
    def gap(self) -> int:
        return self.denominator - self.numerator


@dataclass
class RateReport:
    total: RateRow
    rows: list[RateRow]
    root: Any
    on: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    deadline_months: int = NEW_HIRE_JOIN_MONTHS

    @property
    def target(self) -> Decimal:
        return TARGET_PERCENT


# -- scope and breakdown -------------------------------------------------------------------------------


def _people_in_scope(user: Any, unit: Any, direct: bool = False) -> QuerySet[Person]:
    """People in the user's scope; under ``unit`` if given (attached to ``unit`` itself when ``direct``)."""
    people = user.scope_for("members.view").filter(Person.objects.all(), "unit")
    if unit is not None:
        people = people.filter(unit=unit) if direct else people.filter(unit__path__startswith=unit.path)
    return people


def _breakdown_root(user: Any, unit: Any) -> tuple[Any, list[str]]:
    """The unit whose children make the rows (None when the scope has several top units, which then
    make the rows), and the top paths."""
    if unit is not None:
        return unit, [unit.path]
    scope = user.scope_for("members.view")
    if scope.is_everything:
        roots = list(_units(user).filter(parent__isnull=True).order_by("path"))
        tops = [root.path for root in roots]
        return (roots[0] if len(roots) == 1 else None), tops
    tops = sorted(scope.paths)
    if len(tops) == 1:
        return _units(user).filter(path=tops[0]).first(), tops
    return None, tops


def _units(user: Any) -> Any:
    return org_selectors.unit_list_for_user(user=user, perm="members.view", include_inactive=True)


class _Breakdown:
    """Maps unit paths to the row they count in."""

    def __init__(self, root: Any, tops: list[str], user: Any) -> None:
        self.root = root
        self.tops = tops
        self.user = user

    def key(self, path: str) -> str | None:
        if self.root is not None:
            if not path.startswith(self.root.path):
                return None
            if path == self.root.path:
                return path
            rest = path[len(self.root.path) :]
            return self.root.path + rest.split("/", 1)[0] + "/"
        for top in self.tops:
            if path.startswith(top):
                return top
        return None

    def rows(self, keys: set[str]) -> dict[str, RateRow]:
        units = {u.path: u for u in _units(self.user).filter(path__in=keys)}
        return {
            key: RateRow(unit=units.get(key), is_self=self.root is not None and key == self.root.path)
            for key in sorted(keys)
        }


def _ordered(rows: dict[str, RateRow]) -> list[RateRow]:
    # The viewed unit's own people first, then its children in tree order.
    return sorted(rows.values(), key=lambda row: (not row.is_self, row.unit.path if row.unit else ""))


# -- 入会率 ----------------------------------------------------------------------------------------------


def _eligible_staff_on(on: dt.date) -> Q:
    """Eligible category, on the staff on ``on``: hired by then (or registered, hire date unknown) and
    not left on or before it."""
    return (
        Q(category__is_eligible=True)
        & (Q(hire_date__lte=on) | Q(hire_date__isnull=True, created_at__date__lte=on))
        & (Q(is_active=True, left_on__isnull=True) | Q(left_on__gt=on))
    )


def _eligible_on(user: Any, on: dt.date, unit: Any, direct: bool = False) -> QuerySet[Person]:
    return _people_in_scope(user, unit, direct).filter(_eligible_staff_on(on))


def _member_on(on: dt.date) -> Q:
    """A condition on Person: their membership's status on ``on`` is a member status — the status the
    first change after ``on`` started from, or today's status if nothing changed since. Subqueries, so the
    database does the work however many memberships changed (no id lists)."""
    changes_after = (
        MembershipEvent.objects.filter(membership=OuterRef("membership__id"), occurred_on__gt=on)
        .exclude(from_status="")
        .exclude(to_status="")
        .exclude(from_status=F("to_status"))
    )
    # Coalesced: a NULL (no change) must read as "not a member", or NOT(…) in exclude() drops the row.
    first_from = Coalesce(
        Subquery(changes_after.order_by("occurred_on", "id").values("from_status")[:1]), Value("")
    )
    unchanged_member = ~Q(Exists(changes_after)) & Q(membership__status__in=Membership.MEMBER_STATUSES)
    return unchanged_member | Q(In(first_from, list(Membership.MEMBER_STATUSES)))


def join_rate(*, user: Any, on: dt.date | None = None, unit: Any = None) -> RateReport:
    """入会率 on ``on`` (default today) in the user's ``members.view`` scope (or under ``unit``)."""
    on = on or timezone.localdate()
    root, tops = _breakdown_root(user, unit)
    breakdown = _Breakdown(root, tops, user)
    counts = (
        _eligible_on(user, on, unit)
        .order_by()
        .values("unit__path")
        .annotate(total=Count("pk"), members=Count("pk", filter=_member_on(on)))
    )
    per_key: dict[str, tuple[int, int]] = {}
    for row in counts:
        key = breakdown.key(row["unit__path"])
        if key is None:
            continue
        counted, members = per_key.get(key, (0, 0))
        per_key[key] = (counted + row["total"], members + row["members"])
    rows = breakdown.rows(set(per_key))
    total = RateRow(unit=root)
    for key, (denominator, numerator) in per_key.items():
        rows[key].denominator, rows[key].numerator = denominator, numerator
        total.denominator += denominator
        total.numerator += numerator
    return RateReport(total=total, rows=_ordered(rows), root=root, on=on)


def member_counts_on(*, on: dt.date, units: Iterable[Any]) -> dict[int, int]:
    """{unit id: members on ``on`` in the unit's subtree}, counted as the 入会率 numerator counts them
    (eligible staff on ``on`` whose membership on ``on`` had a member status), in one aggregate query
    whatever the number of units. Not scoped: the caller has checked the user may see these units. A unit
    inside another chosen unit counts in both."""
    units = list(units)
    if not units:
        return {}
    subtrees = Q()
    for unit in units:
        subtrees |= Q(unit__path__startswith=unit.path)
    per_path = (
        Person.objects.filter(subtrees)
        .filter(_eligible_staff_on(on))
        .filter(_member_on(on))
        .order_by()
        .values_list("unit__path")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys((unit.pk for unit in units), 0)
    for path, n in per_path:
        for unit in units:
            if path.startswith(unit.path):
                counts[unit.pk] += n
    return counts


def join_rate_people(
    *, user: Any, group: str, on: dt.date | None = None, unit: Any = None, direct: bool = False
) -> QuerySet[Person]:
    """The people behind the 入会率: ``eligible`` (denominator), ``members`` (numerator), ``non_members``;
    ``direct`` keeps only those attached to ``unit`` itself (the breakdown's own row)."""
    on = on or timezone.localdate()
    people = _eligible_on(user, on, unit, direct)
    if group == "members":
        people = people.filter(_member_on(on))
    elif group == "non_members":
        people = people.exclude(_member_on(on))
    elif group != "eligible":
        raise ValueError(group)
    return people.select_related("unit", "category", "membership")


# -- 新进教职工入会率 -----------------------------------------------------------------------------------


@dataclass
class _NewHire:
    person_id: int
    key: str
    outcome: str  # joined, late, pending, missed


def _new_hires(
    user: Any,
    start: dt.date,
    end: dt.date,
    unit: Any,
    breakdown: _Breakdown,
    today: dt.date,
    direct: bool = False,
) -> list[_NewHire]:
    rows = (
        _people_in_scope(user, unit, direct)
        .filter(category__is_eligible=True, hire_date__gte=start, hire_date__lte=end)
        .values_list(
            "pk", "unit__path", "hire_date", "left_on", "membership__status", "membership__joined_on"
        )
    )
    hires = []
    for pk, path, hired, left_on, status, joined_on in rows:
        key = breakdown.key(path)
        if key is None or hired is None:
            continue
        deadline = add_months(hired, NEW_HIRE_JOIN_MONTHS)
        is_member = status in Membership.MEMBER_STATUSES and joined_on is not None
        if is_member and joined_on is not None and joined_on <= deadline:
            outcome = "joined"
        elif left_on is not None and left_on < deadline:
            continue  # left before they had the time to join
        elif is_member:
            outcome = "late"
        elif deadline >= today:
            outcome = "pending"
        else:
            outcome = "missed"
        hires.append(_NewHire(pk, key, outcome))
    return hires


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This calendar year."""
    today = today or timezone.localdate()
    return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)


def new_hire_join_rate(
    *,
    user: Any,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit: Any = None,
) -> RateReport:
    """新进教职工入会率 for the period (default this year) in the user's scope (or under ``unit``)."""
    default_start, default_end = default_period()
    start, end = start or default_start, end or default_end
    root, tops = _breakdown_root(user, unit)
    breakdown = _Breakdown(root, tops, user)
    hires = _new_hires(user, start, end, unit, breakdown, timezone.localdate())
    rows = breakdown.rows({hire.key for hire in hires})
    total = RateRow(unit=root, counts={"late": 0, "pending": 0, "missed": 0})
    for row in rows.values():
        row.counts = {"late": 0, "pending": 0, "missed": 0}
    for hire in hires:
        for row in (rows[hire.key], total):
            row.denominator += 1
            if hire.outcome == "joined":
                row.numerator += 1
            else:
                row.counts[hire.outcome] += 1
    return RateReport(total=total, rows=_ordered(rows), root=root, start=start, end=end)


def new_hire_people(
    *,
    user: Any,
    group: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit: Any = None,
    direct: bool = False,
) -> QuerySet[Person]:
    """The people behind the 新进教职工入会率: ``new_hires`` (denominator), ``joined`` (numerator) or
    ``not_joined`` (the gap: late, pending and missed)."""
    if group not in NEW_HIRE_GROUPS:
        raise ValueError(group)
    default_start, default_end = default_period()
    start, end = start or default_start, end or default_end
    root, tops = _breakdown_root(user, unit)
    hires = _new_hires(user, start, end, unit, _Breakdown(root, tops, user), timezone.localdate(), direct)
    if group == "joined":
        ids = [hire.person_id for hire in hires if hire.outcome == "joined"]
    elif group == "not_joined":
        ids = [hire.person_id for hire in hires if hire.outcome != "joined"]
    else:
        ids = [hire.person_id for hire in hires]
    return Person.objects.filter(pk__in=ids).select_related("unit", "category", "membership")


def new_hire_deadline(person: Person) -> dt.date | None:
    return add_months(person.hire_date, NEW_HIRE_JOIN_MONTHS) if person.hire_date else None
