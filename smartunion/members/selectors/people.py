from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from smartunion.core.crypto import blind_index
from smartunion.core.normalise import NormaliseError, clean_text, normalise_id_number

from ..models import Person, StaffCategory

# Age bands of the roster filter: code → (lowest age, highest age) inclusive.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "-30": (0, 30),
    "31-40": (31, 40),
    "41-50": (41, 50),
    "51-60": (51, 60),
    "61-": (61, 200),
}
INITIALS = re.compile(r"^[a-zA-Z]{1,10}$")


def birth_dates_for_ages(low: int, high: int, *, on: dt.date) -> tuple[dt.date, dt.date]:
    """The birth dates of people aged ``low``..``high`` (inclusive, in whole years) on ``on``."""

    def years_before(years: int) -> dt.date:
        try:
            return on.replace(year=on.year - years)
        except ValueError:  # 29 February
            return on.replace(year=on.year - years, day=28)

    return years_before(high + 1) + dt.timedelta(days=1), years_before(low)


def person_list_for_user(
    *,
    user: Any,
    search: str = "",
    unit: Any = None,
    category: StaffCategory | None = None,
    sex: str = "",
    status: str = "",
    age_band: str = "",
    join_year: int | None = None,
    on_staff: bool | None = None,
) -> QuerySet[Person]:
    """The roster: people in the user's scope with their membership, filtered. Search matches the name,
    the 工号, or the pinyin initials of the name ("zs" finds 张三)."""
    people = user.scope_for("members.view").filter(
        Person.objects.select_related("unit", "category", "membership"), "unit"
    )
    if search:
        term = clean_text(search)
        condition = Q(name__icontains=term) | Q(staff_no=term.upper())
        if INITIALS.match(term):
            condition |= Q(name_initials__startswith=term.lower())
        # Finding someone by mobile or ID number tells whose number it is: only for those who may see
        # the numbers. A full ID number is found through its keyed hash (the stored value is encrypted).
        if user.has_unit_perm("members.sensitive.view"):
            condition |= Q(mobile=term)
            with contextlib.suppress(NormaliseError):
                condition |= Q(id_number_hash=blind_index(normalise_id_number(term).number))
        people = people.filter(condition)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if category is not None:
        people = people.filter(category=category)
    if sex:
        people = people.filter(sex=sex)
    if status:
        people = people.filter(membership__status=status)
    if age_band in AGE_BANDS:
        earliest, latest = birth_dates_for_ages(*AGE_BANDS[age_band], on=timezone.localdate())
        people = people.filter(birth_date__range=(earliest, latest))
    if join_year:
        people = people.filter(membership__joined_on__year=join_year)
    if on_staff is not None:
        people = people.filter(is_active=on_staff)
    return people


def person_get_for_user(*, user: Any, pk: Any) -> Person:
    try:
        return person_list_for_user(user=user).select_related("user", "membership__unit").get(pk=pk)
    except (Person.DoesNotExist, ValueError):
        raise Http404 from None


def person_of_user(user: Any) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.select_related("unit", "category").filter(user=user).first()


def count_in_scope(*, user: Any) -> int:
    return person_list_for_user(user=user).count()


def staff_composition(*, user: Any) -> dict[str, list[dict[str, Any]]]:
    """Aggregates for the console home charts: staff by category and by unit (largest first), in scope."""
    people = person_list_for_user(user=user).order_by()
    by_category = list(
        people.values("category__name", "category__sort_order")
        .annotate(count=Count("id"))
        .order_by("category__sort_order")
    )
    by_unit = list(
        people.values("unit__name").annotate(count=Count("id")).order_by("-count", "unit__name")[:15]
    )
    return {
        "by_category": [{"name": row["category__name"], "value": row["count"]} for row in by_category],
        "by_unit": [{"name": row["unit__name"], "value": row["count"]} for row in by_unit],
    }


def people_born_in_month(month: int, statuses: Any) -> QuerySet[Person]:
    """People on the staff born in ``month`` (1–12) whose membership status is one of ``statuses`` — the
    birthday benefit's recipients — in one query, with their unit and account."""
    return (
        Person.objects.filter(is_active=True, birth_date__month=month, membership__status__in=list(statuses))
        .select_related("unit", "user")
        .order_by("unit__path", "staff_no")
    )


# -- unscoped look-ups for other modules (they check their own permissions first) ---------------------


def person_by_staff_no(staff_no: str) -> Person | None:
    """The staff member with this 工号, whatever their unit (a spouse on the staff, a team member), or None."""
    term = (staff_no or "").strip()
    if not term:
        return None
    return (
        Person.objects.select_related("unit", "membership")
        .filter(Q(staff_no=term) | Q(staff_no=term.upper()))
        .first()
    )


def people_by_staff_numbers(numbers: Iterable[str]) -> dict[str, Person]:
    """Staff number → person, for the numbers that exist (one query)."""
    wanted = [number.strip() for number in numbers if number and number.strip()]
    return {
        person.staff_no: person
        for person in Person.objects.filter(staff_no__in=wanted).select_related("unit", "membership")
    }


def staff_categories() -> QuerySet[StaffCategory]:
    """The staff categories (在编, 人事代理 …) for rules that name them."""
    return StaffCategory.objects.order_by("pk")


def users_of_people(person_ids: Iterable[int]) -> list[Any]:
    """The login accounts of these people (for notifications); people without one are left out."""
    return [
        person.user
        for person in Person.objects.filter(pk__in=list(person_ids), user__isnull=False).select_related(
            "user"
        )
    ]


def people_by_ids(ids: Iterable[int]) -> dict[int, Person]:
    """Id → person with unit, membership and account (one query)."""
    return {
        person.pk: person
        for person in Person.objects.filter(pk__in=list(ids)).select_related("unit", "membership", "user")
    }
