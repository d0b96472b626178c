"""Assistance programmes (临时补助, 爱心扶助金 …) and their effective-dated rules.

A programme says who it is for, what its amount bands measure (e.g. 本年度自付医疗费用) and on which expense
category of the chart it is paid. Its **rules** are versions from a date: the yearly limits per person
(count and/or amount), the "only one spouse may receive" rule, the staff approval limit (above it the union
chair or committee approves) and the amount bands — value in ``[lower, upper)`` → amount; the bands join
without gaps or overlaps from the first lower bound to the last upper one (which may be open).

A new version ends the previous open one the day before it starts. A version that applications already
use is never edited: the union makes a new one (the applications keep the rule they were decided by).

Programmes are school-wide: writing them needs ``hardship.assistance.manage`` at the top of the tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.finance import selectors as finance_selectors

from ..models import AmountBand, AssistanceApplication, AssistanceProgramme, ProgrammeRule

MANAGE = "hardship.assistance.manage"
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")
PROGRAMME_FIELDS = (
    "code",
    "name",
    "description",
    "condition_label",
    "expense_category_code",
    "documents_hint",
    "is_active",
    "sort_order",
)


@dataclass(frozen=True)
class BandSpec:
    """One amount band as typed: value in [lower, upper) → amount; ``upper`` None: no upper bound."""

    lower: Any
    upper: Any
    amount: Any
    label: str = ""


def may_manage(user: Any) -> bool:
    """Programmes are school-wide: the union office at the top of the tree defines them."""
    return bool(user.scope_for(MANAGE).at_top)


def _require_manage(actor: Any) -> None:
    if not may_manage(actor):
        raise PermissionDenied


# -- reading the rules ---------------------------------------------------------------------------------


def rule_on(programme: AssistanceProgramme, day: dt.date) -> ProgrammeRule | None:
    """The version of the programme's rules in force on ``day`` (None before the first one)."""
    return (
        ProgrammeRule.objects.filter(programme=programme, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
        .first()
    )


def bands_of(rule: ProgrammeRule) -> list[AmountBand]:
    return list(AmountBand.objects.filter(rule=rule).order_by("lower", "id"))


def band_for(rule: ProgrammeRule, value: Decimal | int | str) -> AmountBand | None:
    """The band whose ``[lower, upper)`` holds ``value`` (lower inclusive, upper exclusive), or None."""
    amount = Decimal(str(value))
    for band in bands_of(rule):
        if amount >= band.lower and (band.upper is None or amount < band.upper):
            return band
    return None


def band_miss_message(rule: ProgrammeRule, value: Decimal | int | str) -> str:
    """Why ``value`` is in no band: below the first one or from the last upper bound on."""
    bands = bands_of(rule)
    amount = Decimal(str(value))
    if not bands:
        return _("This programme has no amount bands yet: the union office adds them first.")
    if amount < bands[0].lower:
        return _("%(value)s is below the first band (from %(lower)s): this programme does not cover it.") % {
            "value": amount,
            "lower": bands[0].lower,
        }
    last = bands[-1]
    if last.upper is not None and amount >= last.upper:
        return _(
            "%(value)s is at or above the last band's upper bound (%(upper)s): this programme does not "
            "cover it."
        ) % {"value": amount, "upper": last.upper}
    return _("%(value)s is in no band of this programme.") % {"value": amount}


def rule_in_use(rule: ProgrammeRule) -> bool:
    return AssistanceApplication.objects.filter(rule=rule).exists()


# -- checks ----------------------------------------------------------------------------------------------


def _decimal(raw: Any, *, allow_none: bool = False) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if allow_none:
            return None
        raise InvalidOperation
    value = Decimal(str(raw).strip().replace(",", ""))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _band_name(number: int, lower: Any, upper: Any) -> str:
    upper_text = str(upper) if upper is not None else "∞"
    return _("Band %(n)s (%(lower)s–%(upper)s)") % {"n": number, "lower": lower, "upper": upper_text}


def clean_bands(raw_bands: Iterable[BandSpec | Sequence[Any]]) -> list[BandSpec]:
    """The bands as Decimals, ordered by their lower bound, or a ValidationError naming each bad band:
    lower < upper, amounts > 0, at most two decimals, only the last band open-ended, and the bands join
    without gaps or overlaps."""
    errors: list[str] = []
    parsed: list[BandSpec] = []
    for number, raw in enumerate(raw_bands, start=1):
        spec = raw if isinstance(raw, BandSpec) else BandSpec(*raw)
        try:
            lower = _decimal(spec.lower)
            upper = _decimal(spec.upper, allow_none=True)
            amount = _decimal(spec.amount)
        except (InvalidOperation, ValueError):
            errors.append(
                _(
                    "Band %(n)s: enter the lower bound, the upper bound (or leave it empty) and the amount as numbers."
                )
                % {"n": number}
            )
            continue
        assert lower is not None and amount is not None
        name = _band_name(number, lower, upper)
        problem = False
        for value in (lower, upper, amount):
            if value is not None and (value != value.quantize(CENT) or abs(value) > MAX_AMOUNT):
                errors.append(_("%(band)s: use at most two decimals and sensible amounts.") % {"band": name})
                problem = True
                break
        if lower < 0:
            errors.append(_("%(band)s: the lower bound cannot be negative.") % {"band": name})
            problem = True
        if upper is not None and upper <= lower:
            errors.append(_("%(band)s: the upper bound must be above the lower bound.") % {"band": name})
            problem = True
        if amount <= 0:
            errors.append(_("%(band)s: the amount must be more than 0.") % {"band": name})
            problem = True
        if not problem:
            parsed.append(
                BandSpec(
                    lower=lower.quantize(CENT),
                    upper=upper.quantize(CENT) if upper is not None else None,
                    amount=amount.quantize(CENT),
                    label=(spec.label or "").strip()[:100],
                )
            )
    if not parsed and not errors:
        errors.append(_("Add at least one amount band."))
    if errors:
        raise ValidationError(errors)
    ordered = sorted(parsed, key=lambda band: band.lower)
    for index, band in enumerate(ordered):
        name = _band_name(index + 1, band.lower, band.upper)
        if index + 1 == len(ordered):
            break
        following = ordered[index + 1]
        next_name = _band_name(index + 2, following.lower, following.upper)
        if band.upper is None:
            errors.append(
                _(
                    "%(band)s has no upper bound, so only the last band may be open-ended; %(next)s follows it."
                )
                % {"band": name, "next": next_name}
            )
        elif band.upper > following.lower:
            errors.append(
                _("%(band)s overlaps %(next)s: a band ends where the next one starts.")
                % {"band": name, "next": next_name}
            )
        elif band.upper < following.lower:
            errors.append(
                _(
                    "There is a gap between %(band)s and %(next)s: values from %(upper)s to %(lower)s fit no band."
                )
                % {"band": name, "next": next_name, "upper": band.upper, "lower": following.lower}
            )
    if errors:
        raise ValidationError(errors)
    return ordered


def _clean_limits(
    *, yearly_limit_count: Any, yearly_limit_amount: Any, staff_approval_limit: Any
) -> tuple[int | None, Decimal | None, Decimal]:
    errors: dict[str, list[str]] = {}
    count: int | None = None
    if yearly_limit_count not in (None, ""):
        try:
            count = int(yearly_limit_count)
        except (TypeError, ValueError):
            count = -1
        if count < 1:
            errors["yearly_limit_count"] = [
                _("Enter how many times a person may receive it in a year (1 or more), or leave it empty.")
            ]
    amount: Decimal | None = None
    try:
        amount = _decimal(yearly_limit_amount, allow_none=True)
    except (InvalidOperation, ValueError):
        errors["yearly_limit_amount"] = [_("Enter the yearly amount per person in yuan, or leave it empty.")]
    else:
        if amount is not None and (amount <= 0 or amount != amount.quantize(CENT)):
            errors["yearly_limit_amount"] = [
                _("The yearly amount per person must be more than 0, with at most two decimals.")
            ]
    staff: Decimal | None = None
    try:
        staff = _decimal(staff_approval_limit)
    except (InvalidOperation, ValueError):
        errors["staff_approval_limit"] = [_("Enter the amount the union office may approve, in yuan.")]
    else:
        assert staff is not None
        if staff < 0 or staff != staff.quantize(CENT):
            errors["staff_approval_limit"] = [
                _("The staff approval limit cannot be negative and has at most two decimals.")
            ]
    if errors:
        raise ValidationError(errors)
    assert staff is not None
    return count, amount.quantize(CENT) if amount is not None else None, staff.quantize(CENT)


def _clean_programme(fields: dict[str, Any], *, instance: AssistanceProgramme | None) -> dict[str, Any]:
    cleaned = {key: fields[key] for key in PROGRAMME_FIELDS if key in fields}
    errors: dict[str, list[str]] = {}
    for key in ("code", "name", "description", "condition_label", "expense_category_code", "documents_hint"):
        if key in cleaned:
            cleaned[key] = str(cleaned[key] or "").strip()
    if "code" in cleaned:
        code = slugify(cleaned["code"]).replace("-", "_")[:40]
        if not code:
            errors["code"] = [_("Enter a short code in Latin letters, e.g. temporary_aid.")]
        elif (
            AssistanceProgramme.objects.filter(code=code)
            .exclude(pk__in=[instance.pk] if instance is not None else [])
            .exists()
        ):
            errors["code"] = [_("Another programme has the code %(code)s.") % {"code": code}]
        cleaned["code"] = code
    if "name" in cleaned and not cleaned["name"]:
        errors["name"] = [_("Enter the programme's name, e.g. 临时补助.")]
    if "condition_label" in cleaned and not cleaned["condition_label"]:
        errors["condition_label"] = [_("Say what the amount bands measure, e.g. 本年度自付医疗费用（元）.")]
    if "expense_category_code" in cleaned:
        category = finance_selectors.category_by_code(cleaned["expense_category_code"])
        if category is None:
            errors["expense_category_code"] = [
                _(
                    "There is no category %(code)s in the chart: choose an expense category, e.g. 50201 困难帮扶."
                )
                % {"code": cleaned["expense_category_code"] or "—"}
            ]
        elif category.kind != "expense":
            errors["expense_category_code"] = [
                _("%(category)s is not an expense category: assistance is paid on an expense category.")
                % {"category": category}
            ]
    if "is_active" in cleaned:
        cleaned["is_active"] = bool(cleaned["is_active"])
    if "sort_order" in cleaned:
        try:
            cleaned["sort_order"] = max(0, int(cleaned["sort_order"] or 0))
        except (TypeError, ValueError):
            errors["sort_order"] = [_("Enter a whole number.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


# -- writes ----------------------------------------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor: Any, **fields: Any) -> AssistanceProgramme:
    _require_manage(actor)
    for required in ("code", "name", "condition_label", "expense_category_code"):
        fields.setdefault(required, "")
    cleaned = _clean_programme(fields, instance=None)
    try:
        with transaction.atomic():
            programme = AssistanceProgramme.objects.create(**cleaned)
    except IntegrityError:
        raise ValidationError(
            {"code": [_("Another programme has the code %(code)s.") % {"code": cleaned["code"]}]}
        ) from None
    audit(
        actor=actor,
        action="hardship.programme.created",
        target=programme,
        changes={"code": programme.code, "name": programme.name, "open": programme.is_active},
    )
    return programme


@transaction.atomic
def programme_update(*, actor: Any, programme: AssistanceProgramme, **fields: Any) -> AssistanceProgramme:
    _require_manage(actor)
    programme = AssistanceProgramme.objects.select_for_update().get(pk=programme.pk)
    cleaned = _clean_programme(fields, instance=programme)
    changes: dict[str, Any] = {}
    for key, value in cleaned.items():
        old = getattr(programme, key)
        if old != value:
            changes[key] = [old, value]
            setattr(programme, key, value)
    if changes:
        programme.save()
        audit(actor=actor, action="hardship.programme.changed", target=programme, changes=changes)
    return programme


def _write_bands(rule: ProgrammeRule, bands: list[BandSpec]) -> None:
    AmountBand.objects.bulk_create(
        [
            AmountBand(rule=rule, lower=band.lower, upper=band.upper, amount=band.amount, label=band.label)
            for band in bands
        ]
    )


def _bands_text(bands: list[BandSpec]) -> list[str]:
    return [f"{b.lower}–{b.upper if b.upper is not None else '∞'}: {b.amount}" for b in bands]


@transaction.atomic
def rule_create(
    *,
    actor: Any,
    programme: AssistanceProgramme,
    effective_from: dt.date,
    staff_approval_limit: Any,
    bands: Iterable[BandSpec | Sequence[Any]],
    yearly_limit_count: Any = None,
    yearly_limit_amount: Any = None,
    one_spouse_only: bool = True,
) -> ProgrammeRule:
    """A new version of the programme's rules from ``effective_from``; the previous open version ends the
    day before. Refused when a version already starts on or after that date, or when applications submitted
    from that date on already use the previous version."""
    if actor is not None:
        _require_manage(actor)
    programme = AssistanceProgramme.objects.select_for_update().get(pk=programme.pk)
    errors: dict[str, list[str]] = {}
    if not isinstance(effective_from, dt.date):
        raise ValidationError({"effective_from": [_("Enter the date the new rules apply from.")]})
    try:
        count, amount, staff = _clean_limits(
            yearly_limit_count=yearly_limit_count,
            yearly_limit_amount=yearly_limit_amount,
            staff_approval_limit=staff_approval_limit,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        cleaned_bands = clean_bands(bands)
    except ValidationError as error:
        errors.setdefault("bands", []).extend(error.messages)
    later = (
        ProgrammeRule.objects.filter(programme=programme, effective_from__gte=effective_from)
        .order_by("effective_from")
        .first()
    )
    if later is not None:
        errors.setdefault("effective_from", []).append(
            _(
                "A version from %(date)s already exists: start the new one after it, or edit that version "
                "if no application uses it."
            )
            % {"date": later.effective_from.isoformat()}
        )
    previous = (
        ProgrammeRule.objects.select_for_update()
        .filter(programme=programme, effective_from__lt=effective_from)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
        .order_by("-effective_from")
        .first()
    )
    if (
        previous is not None
        and AssistanceApplication.objects.filter(rule=previous, created_at__date__gte=effective_from).exists()
    ):
        errors.setdefault("effective_from", []).append(
            _(
                "Applications submitted on or after %(date)s already use the current version: choose a "
                "later date."
            )
            % {"date": effective_from.isoformat()}
        )
    if errors:
        raise ValidationError(errors)
    if previous is not None:
        previous.effective_to = effective_from - dt.timedelta(days=1)
        previous.save(update_fields=["effective_to"])
        audit(
            actor=actor,
            action="hardship.rule.ended",
            target=programme,
            changes={"version": previous.effective_from, "effective_to": previous.effective_to},
        )
    rule = ProgrammeRule.objects.create(
        programme=programme,
        effective_from=effective_from,
        yearly_limit_count=count,
        yearly_limit_amount=amount,
        one_spouse_only=bool(one_spouse_only),
        staff_approval_limit=staff,
        created_by=actor if getattr(actor, "pk", None) else None,
        created_at=timezone.now(),
    )
    _write_bands(rule, cleaned_bands)
    audit(
        actor=actor,
        action="hardship.rule.created",
        target=programme,
        changes={
            "effective_from": effective_from,
            "yearly_limit_count": count,
            "yearly_limit_amount": amount,
            "one_spouse_only": rule.one_spouse_only,
            "staff_approval_limit": staff,
            "bands": _bands_text(cleaned_bands),
        },
    )
    return rule


@transaction.atomic
def rule_update(
    *,
    actor: Any,
    rule: ProgrammeRule,
    staff_approval_limit: Any,
    bands: Iterable[BandSpec | Sequence[Any]],
    yearly_limit_count: Any = None,
    yearly_limit_amount: Any = None,
    one_spouse_only: bool = True,
) -> ProgrammeRule:
    """Correct a version no application uses yet (its limits and bands; the dates stay)."""
    _require_manage(actor)
    rule = ProgrammeRule.objects.select_for_update().select_related("programme").get(pk=rule.pk)
    if rule_in_use(rule):
        raise ValidationError(
            _(
                "Applications already use the version from %(date)s: it cannot be changed. Add a new "
                "version from the date the new rules apply."
            )
            % {"date": rule.effective_from.isoformat()}
        )
    errors: dict[str, list[str]] = {}
    try:
        count, amount, staff = _clean_limits(
            yearly_limit_count=yearly_limit_count,
            yearly_limit_amount=yearly_limit_amount,
            staff_approval_limit=staff_approval_limit,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        cleaned_bands = clean_bands(bands)
    except ValidationError as error:
        errors.setdefault("bands", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    rule.yearly_limit_count = count
    rule.yearly_limit_amount = amount
    rule.one_spouse_only = bool(one_spouse_only)
    rule.staff_approval_limit = staff
    rule.save(
        update_fields=["yearly_limit_count", "yearly_limit_amount", "one_spouse_only", "staff_approval_limit"]
    )
    AmountBand.objects.filter(rule=rule).delete()
    _write_bands(rule, cleaned_bands)
    audit(
        actor=actor,
        action="hardship.rule.changed",
        target=rule.programme,
        changes={
            "version": rule.effective_from,
            "yearly_limit_count": count,
            "yearly_limit_amount": amount,
            "one_spouse_only": rule.one_spouse_only,
            "staff_approval_limit": staff,
            "bands": _bands_text(cleaned_bands),
        },
    )
    return rule
