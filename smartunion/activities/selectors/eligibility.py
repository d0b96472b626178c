"""Who may see and register for an activity, and — in words — why not.

An activity's ``eligibility`` JSON composes these rules (each optional):

    statuses          membership statuses on the start day, e.g. ["full", "temporary"]
    unit_ids          the member's unit lies in one of these subtrees
    sex               "M" or "F"
    age_min, age_max  the member's age on the start day
    category_ids      staff categories (在编, 人事代理 …)
    child_age_min/max has a child recorded among the family aged within the band on the start day
    not_attended_kind + not_attended_years
                      has no confirmed registration for an activity of that kind starting within the last N
                      years (疗休养 rotation); upcoming ones count too, so nobody goes twice in a row

``facts_for(person)`` reads what the rules need in a few queries; ``reasons(activity, facts)`` is pure and
returns the unmet rules as sentences the member understands ("您不符合：仅限女职工").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.activities.models import Activity, Invitation, Registration
from smartunion.members.selectors import family as family_selectors
from smartunion.members.selectors.eligibility import member_status_choices


@dataclass(frozen=True)
class Facts:
    person_id: int
    unit_id: int
    unit_path: str
    status: str  # membership status today
    sex: str
    birth_date: dt.date | None
    category_id: int | None
    children: tuple[dt.date, ...] = ()
    # kind → the start of the latest confirmed activity of that kind (past or upcoming)
    last_attended: dict[str, dt.datetime] = field(default_factory=dict)
    invited_to: frozenset[int] = frozenset()


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def facts_for(person: Any) -> Facts:
    """What the rules need about ``person`` (a members.Person with ``unit`` and ``membership``)."""
    children = tuple(
        member.birth_date
        for member in family_selectors.family_of_person(person)
        if member.relation == "child"
    )
    last: dict[str, dt.datetime] = {}
    for kind, starts_at in (
        Registration.objects.filter(person_id=person.pk, status=Registration.Status.CONFIRMED)
        .values_list("activity__kind", "activity__starts_at")
        .order_by("activity__starts_at")
    ):
        last[kind] = starts_at
    membership = getattr(person, "membership", None)
    return Facts(
        person_id=person.pk,
        unit_id=person.unit_id,
        unit_path=person.unit.path,
        status=getattr(membership, "status", ""),
        sex=person.sex,
        birth_date=person.birth_date,
        category_id=person.category_id,
        children=children,
        last_attended=last,
        invited_to=frozenset(
            Invitation.objects.filter(person_id=person.pk).values_list("activity_id", flat=True)
        ),
    )


def is_visible(activity: Activity, facts: Facts, unit_paths: dict[int, str] | None = None) -> bool:
    if activity.visibility == Activity.Visibility.SCHOOL:
        return True
    if activity.visibility == Activity.Visibility.SUBTREE:
        unit = activity.visibility_unit
        return unit is not None and facts.unit_path.startswith(unit.path)
    return activity.pk in facts.invited_to


def _years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def reasons(activity: Activity, facts: Facts, *, unit_paths: dict[int, str] | None = None) -> list[str]:
    """The rules ``facts`` does not meet, in words; empty when eligible. ``unit_paths`` maps the rule's
    unit ids to their paths (read once by the caller for many activities; read here when missing)."""
    rules = activity.eligibility or {}
    start = timezone.localtime(activity.starts_at).date()
    unmet: list[str] = []
    statuses = rules.get("statuses") or []
    if statuses and facts.status not in statuses:
        labels = dict(member_status_choices())
        unmet.append(
            _("Only for %(statuses)s.") % {"statuses": "、".join(str(labels.get(s, s)) for s in statuses)}
        )
    unit_ids = rules.get("unit_ids") or []
    if unit_ids:
        if unit_paths is None:
            from smartunion.organisations import selectors as org_selectors

            unit_paths = {unit.pk: unit.path for unit in org_selectors.units_by_ids(unit_ids)}
        if not any(facts.unit_path.startswith(unit_paths.get(pk, "\0")) for pk in unit_ids):
            unmet.append(_("Only for members of the units it is organised for."))
    sex = rules.get("sex") or ""
    if sex and facts.sex != sex:
        unmet.append(_("Only for women members.") if sex == "F" else _("Only for men members."))
    age_min, age_max = rules.get("age_min"), rules.get("age_max")
    if age_min is not None or age_max is not None:
        if facts.birth_date is None:
            unmet.append(_("Your date of birth is not on record: ask your sub-union to add it."))
        else:
            age = age_on(facts.birth_date, start)
            if (age_min is not None and age < age_min) or (age_max is not None and age > age_max):
                unmet.append(
                    _("Only for members aged %(min)s to %(max)s on the first day.")
                    % {
                        "min": age_min if age_min is not None else 0,
                        "max": age_max if age_max is not None else "—",
                    }
                )
    category_ids = rules.get("category_ids") or []
    if category_ids and facts.category_id not in category_ids:
        unmet.append(_("Not open to your staff category."))
    child_min, child_max = rules.get("child_age_min"), rules.get("child_age_max")
    if child_min is not None or child_max is not None:
        low = child_min if child_min is not None else 0
        high = child_max if child_max is not None else 99
        if not any(
            age_on(birth, start) >= 0 and low <= age_on(birth, start) <= high for birth in facts.children
        ):
            unmet.append(
                _(
                    "For members with a child aged %(min)s to %(max)s (add your children under 我的 → 家庭成员)."
                )
                % {"min": low, "max": high}
            )
    kind, years = rules.get("not_attended_kind"), rules.get("not_attended_years")
    if kind and years:
        last = facts.last_attended.get(kind)
        if last is not None and last >= _years_before(activity.starts_at, int(years)):
            unmet.append(
                _("You took part in one in the last %(years)s years (%(date)s); others go first.")
                % {"years": years, "date": timezone.localtime(last).strftime("%Y-%m-%d")}
            )
    return unmet


def never_attended(activity: Activity, facts: Facts, years: int = 3) -> bool:
    """The lottery's priority tier: no confirmed activity of this kind starting in the last ``years``."""
    last = facts.last_attended.get(activity.kind)
    return last is None or last < _years_before(activity.starts_at, years)
