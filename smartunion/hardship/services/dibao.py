"""The table of local 低保 standards (city × year), kept by ``hardship.dibao.manage`` at the top of the tree.
Saving a standard recomputes the category of every file still being prepared — draft, awaiting the home
visit or the sub-union's review — that the standard applies to (its city; its year, or a later year that
falls back to it), with the history source "computed", and reports how many files changed category.

A file in public notice or active keeps its category: what was published and approved changes only
through an annual review or a recorded change in circumstances."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.hardship.models import CategoryChange, DibaoStandard, HardshipFile

from .common import file_recompute

MANAGE = "hardship.dibao.manage"
FIRST_YEAR = 2000
# The files a new standard is applied to: those not yet in public notice (nor approved).
RECOMPUTED_STATUSES = (HardshipFile.Status.DRAFT, HardshipFile.Status.APPLIED, HardshipFile.Status.VISITED)


@dataclass(frozen=True)
class DibaoSaved:
    standard: DibaoStandard
    recomputed: int
    changed: int


def _clean(city: Any, year: Any, monthly_amount: Any) -> tuple[str, int, Decimal]:
    errors: dict[str, str] = {}
    city = (city or "").strip()
    if not city:
        errors["city"] = _("Give the city.")
    try:
        year = int(year)
    except (TypeError, ValueError):
        year = 0
    latest = timezone.localdate().year + 1
    if not FIRST_YEAR <= year <= latest:
        errors["year"] = _("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": latest}
    try:
        amount = Decimal(str(monthly_amount))
    except (InvalidOperation, ValueError):
        amount = Decimal("0")
    if not amount.is_finite() or amount <= 0:
        errors["monthly_amount"] = _("The monthly amount must be more than 0 yuan.")
    elif amount != amount.quantize(Decimal("0.01")):
        errors["monthly_amount"] = _("Enter the amount in yuan with at most two decimals.")
    if errors:
        raise ValidationError(errors)
    return city, year, amount.quantize(Decimal("0.01"))


def recompute_files(*, actor: Any, city: str, from_year: int) -> tuple[int, int]:
    """Recompute the files of ``city`` in draft, applied or visited whose figures are of ``from_year`` or
    later (not those in notice or active). Returns (files recomputed, files whose category changed)."""
    files = (
        HardshipFile.objects.select_for_update(of=("self",))
        .filter(city=city, year__gte=from_year, status__in=RECOMPUTED_STATUSES)
        .order_by("pk")
    )
    recomputed = changed = 0
    for file in files:
        old = file.category
        file_recompute(file=file, actor=actor, source=CategoryChange.Source.COMPUTED)
        recomputed += 1
        changed += file.category != old
    return recomputed, changed


@transaction.atomic
def dibao_save(
    *,
    actor: Any,
    city: Any,
    year: Any,
    monthly_amount: Any,
    note: str = "",
    standard: DibaoStandard | None = None,
) -> DibaoSaved:
    """Add (``standard`` None) or edit a standard; recompute the files it applies to. The table is
    school-wide: the permission must be held at the top of the tree."""
    if not (getattr(actor, "pk", None) and actor.scope_for(MANAGE).at_top):
        raise PermissionDenied
    city, year, amount = _clean(city, year, monthly_amount)
    clash = DibaoStandard.objects.filter(city=city, year=year)
    if standard is not None:
        standard = DibaoStandard.objects.select_for_update().get(pk=standard.pk)
        clash = clash.exclude(pk=standard.pk)
    if clash.exists():
        raise ValidationError(
            {
                "year": _("%(city)s already has a standard for %(year)s: edit that one.")
                % {"city": city, "year": year}
            }
        )
    old = (standard.city, standard.year) if standard is not None else None
    if standard is None:
        standard = DibaoStandard(city=city, year=year)
    standard.city = city
    standard.year = year
    standard.monthly_amount = amount
    standard.note = (note or "").strip()[:200]
    standard.updated_by = actor
    standard.updated_at = timezone.now()
    standard.save()
    recomputed, changed = recompute_files(actor=actor, city=city, from_year=year)
    if old is not None and old != (city, year):
        more = recompute_files(
            actor=actor, city=old[0], from_year=min(old[1], year) if old[0] == city else old[1]
        )
        recomputed += more[0]
        changed += more[1]
    audit(
        actor=actor,
        action="hardship.dibao.saved",
        target=standard,
        changes={
            "city": city,
            "year": year,
            "monthly_amount": str(amount),
            "files_recomputed": recomputed,
            "categories_changed": changed,
        },
    )
    return DibaoSaved(standard=standard, recomputed=recomputed, changed=changed)
