from __future__ import annotations

import contextlib
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from smartunion.core.crypto import blind_index
from smartunion.core.normalise import NormaliseError, clean_text, normalise_id_number

from ..models import Person, StaffCategory


def person_list_for_user(
    *,
    user: Any,
    search: str = "",
    unit: Any = None,
    category: StaffCategory | None = None,
    sex: str = "",
) -> QuerySet[Person]:
    people = user.scope_for("members.view").filter(Person.objects.select_related("unit", "category"), "unit")
    if search:
        term = clean_text(search)
        condition = Q(name__icontains=term) | Q(staff_no=term)
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
    return people


def person_get_for_user(*, user: Any, pk: Any) -> Person:
    try:
        return person_list_for_user(user=user).select_related("user").get(pk=pk)
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
