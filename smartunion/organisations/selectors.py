"""Reads of the union tree. Subtree and ancestor queries are one SQL query each, whatever the depth."""

from __future__ import annotations

import difflib
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from smartunion.core.normalise import clean_name
from smartunion.core.permissions import Scope

from .models import OfficerTerm, OrgUnit, UnitAlias


def subtree(unit: OrgUnit, *, include_self: bool = True) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.filter(path__startswith=unit.path)
    if not include_self:
        units = units.exclude(pk=unit.pk)
    return units


def ancestors(unit: OrgUnit, *, include_self: bool = False) -> list[OrgUnit]:
    """From the root down (one query; none for a root)."""
    ids = unit.ancestor_ids
    found = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids)} if ids else {}
    chain = [found[i] for i in ids if i in found]
    return [*chain, unit] if include_self else chain


def unit_list_for_user(
    *,
    user: Any,
    perm: str = "organisations.view",
    search: str = "",
    union_type: str = "",
    include_inactive: bool = False,
) -> QuerySet[OrgUnit]:
    scope: Scope = user.scope_for(perm)
    units = scope.filter(OrgUnit.objects.select_related("kind", "parent"), unit_field="")
    if not include_inactive:
        units = units.filter(is_active=True)
    if search:
        term = clean_name(search)
        units = units.filter(
            Q(name__icontains=term)
            | Q(short_name__icontains=term)
            | Q(code__iexact=term)
            | Q(aliases__alias__icontains=term)
        ).distinct()
    if union_type:
        units = units.filter(union_type=union_type)
    return units


def unit_get_for_user(*, user: Any, pk: Any, perm: str = "organisations.view") -> OrgUnit:
    scope: Scope = user.scope_for(perm)
    try:
        return scope.filter(
            OrgUnit.objects.select_related("kind", "parent", "merged_into"), unit_field=""
        ).get(pk=pk)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def unit_children(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return (
        unit.children.filter(is_active=True)
        .select_related("kind")
        .annotate(child_count=Count("children", filter=Q(children__is_active=True)))
        .order_by("sort_order", "name")
    )


def unit_officers(unit: OrgUnit) -> dict[str, list[OfficerTerm]]:
    today = timezone.localdate()
    terms = list(
        unit.officer_terms.select_related("user", "position").order_by("position__sort_order", "-start_date")
    )
    current = [t for t in terms if t.start_date <= today and (t.end_date is None or t.end_date >= today)]
    past = [t for t in terms if t not in current]
    return {"current": current, "past": past}


def unit_choices_for_user(
    *, user: Any, perm: str, exclude_subtree_of: OrgUnit | None = None
) -> QuerySet[OrgUnit]:
    """Active units the user may pick for an action needing ``perm`` (for form selects)."""
    units = user.scope_for(perm).filter(OrgUnit.objects.filter(is_active=True), unit_field="")
    if exclude_subtree_of is not None:
        units = units.exclude(path__startswith=exclude_subtree_of.path)
    return units.order_by("path")


class UnitResolver:
    """Resolves many unit names for an import with two queries in all, not two per row.

    Of several units with one name the shallowest wins; a name shared by units at the same depth (every
    college has a 第一工会小组) resolves to nothing, so no row lands under the wrong unit by chance."""

    def __init__(self) -> None:
        self.by_key: dict[str, OrgUnit] = {}
        self.ambiguous: set[str] = set()
        for unit in OrgUnit.objects.filter(is_active=True).order_by("-depth"):
            for key in {clean_name(key) for key in (unit.code, unit.short_name, unit.name) if key}:
                known = self.by_key.get(key)
                if known is not None and known.depth == unit.depth:
                    self.ambiguous.add(key)
                else:
                    self.ambiguous.discard(key)  # a shallower unit takes the name over
                    self.by_key[key] = unit
        for alias in UnitAlias.objects.select_related("unit").filter(unit__is_active=True):
            self.by_key.setdefault(clean_name(alias.alias), alias.unit)

    def resolve(self, name: str) -> OrgUnit | None:
        key = clean_name(name)
        return None if key in self.ambiguous else self.by_key.get(key)

    def is_ambiguous(self, name: str) -> bool:
        """Several units at the same depth have this name: the file must give the unit code."""
        return clean_name(name) in self.ambiguous

    def suggest(self, name: str) -> str | None:
        """The closest known name, for the "did you mean" of a warning."""
        matches = difflib.get_close_matches(clean_name(name), list(self.by_key), n=1, cutoff=0.6)
        return self.by_key[matches[0]].name if matches else None


def officer_term_get_for_user(*, user: Any, pk: Any) -> OfficerTerm:
    scope: Scope = user.scope_for("organisations.officers")
    try:
        return scope.filter(OfficerTerm.objects.select_related("unit", "user", "position"), "unit").get(pk=pk)
    except (OfficerTerm.DoesNotExist, ValueError):
        raise Http404 from None


def alias_get_for_user(*, user: Any, pk: Any) -> UnitAlias:
    scope: Scope = user.scope_for("organisations.edit")
    try:
        return scope.filter(UnitAlias.objects.select_related("unit"), "unit").get(pk=pk)
    except (UnitAlias.DoesNotExist, ValueError):
        raise Http404 from None


def unit_by_path(path: str) -> OrgUnit:
    return OrgUnit.objects.get(path=path)


def top_unit() -> OrgUnit | None:
    """The school union's unit: the top of the tree."""
    return OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("path").first()


def school_name() -> str:
    """The name of the school union's unit (the top of the tree), for documents the union issues."""
    top = top_unit()
    return top.name if top else ""


def units_by_ids(ids: Any) -> QuerySet[OrgUnit]:
    """The units with these ids (for rules that name units: their paths give the subtrees)."""
    return OrgUnit.objects.filter(pk__in=list(ids))
