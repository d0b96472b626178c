"""Dues (会费) writes: the effective-dated rule, recording a month as deducted by payroll (代扣), marking a
charge as not deducted, and the system's 自动退会 proposals for members who stopped paying.

The arithmetic is pure and lives in ``selectors.dues`` (``dues_amount``, ``dues_split``); it is re-exported
here for callers that write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smartunion.core.audit import audit, diff

from ..models import DuesCharge, DuesMonth, DuesRule, LapseProposal
from ..selectors.dues import (
    _paying_memberships,
    compute_lines,
    dues_amount,
    dues_split,
    lapse_candidates,
    month_start,
    rule_in_force,
    units_for,
)
from . import membership as membership_services

__all__ = [
    "DEFAULT_RULE",
    "dues_amount",
    "dues_charge_set_paid",
    "dues_month_record",
    "dues_rule_clean",
    "dues_rule_ensure_default",
    "dues_rule_set",
    "dues_split",
    "lapses_propose",
    "rule_in_force",
]

PRECISIONS = (Decimal("0.01"), Decimal("0.1"), Decimal("1"))
MAX_RATE = Decimal("0.05")
MAX_STEP = Decimal("100")
RULE_FIELDS = ["base_items", "base_step", "rate", "precision", "rounding", "school_share", "note"]

# domain.md §2.5: 岗位工资 + 薪级工资, 0.5 %, remainder under 10 yuan ignored, to 0.1 yuan half up, 50/50.
DEFAULT_RULE: dict[str, Any] = {
    "effective_from": dt.date(2000, 1, 1),
    "base_items": ["post_salary", "grade_salary"],
    "base_step": Decimal("10"),
    "rate": Decimal("0.005"),
    "precision": Decimal("0.1"),
    "rounding": DuesRule.Rounding.HALF_UP,
    "school_share": Decimal("0.5"),
}


def _check_school_wide(actor: Any) -> None:
    """The rule and the monthly record concern the whole school: only the union office at the top of the
    tree sets them (None is the system: a command, a migration)."""
    if actor is not None and not actor.scope_for("members.dues.manage").at_top:
        raise PermissionDenied


def dues_rule_ensure_default(**kwargs: Any) -> None:
    """post_migrate: the seeded rule when there is none (again after a flush; never over an edited one)."""
    if not DuesRule.objects.exists():
        # Seeded data, like the default staff categories, is in the office's language.
        DuesRule.objects.create(**DEFAULT_RULE, note="默认规则（全总会费标准：月工资0.5%，计算到角）")


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def dues_rule_clean(
    *,
    effective_from: dt.date,
    base_items: list[str],
    base_step: Any,
    rate: Any,
    precision: Any,
    rounding: str,
    school_share: Any,
    note: str = "",
) -> dict[str, Any]:
    """The rule's values checked and normalised, or a ValidationError naming each wrong field (the form's
    preview uses this too)."""
    errors: dict[str, str] = {}
    if effective_from.day != 1:
        errors["effective_from"] = _("A dues rule takes effect from the first day of a month.")
    else:
        last = DuesMonth.objects.order_by("-month").values_list("month", flat=True).first()
        if last is not None and effective_from <= last:
            errors["effective_from"] = _(
                "%(month)s is already recorded as deducted under the old rule: the new rule can take "
                "effect from %(next)s at the earliest."
            ) % {
                "month": date_format(last, "YEAR_MONTH_FORMAT"),
                "next": date_format(
                    (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1), "YEAR_MONTH_FORMAT"
                ),
            }
    items = [item for item in dict.fromkeys(base_items or []) if item]
    if not items:
        errors["base_items"] = _("Choose at least one salary item that makes up the base.")
    elif unknown := [item for item in items if item not in DuesRule.BASE_ITEMS]:
        errors["base_items"] = _("Unknown salary item: %(items)s.") % {"items": ", ".join(unknown)}
    rate_value = _decimal(rate)
    if rate_value is None or not (Decimal("0") < rate_value <= MAX_RATE):
        errors["rate"] = _(
            "The rate must be more than 0 and at most 5 per cent; the national rate is 0.5 per cent."
        )
    step = _decimal(base_step)
    if step is None or not (Decimal("0") <= step <= MAX_STEP):
        errors["base_step"] = _("The ignored remainder must be between 0 and 100 yuan (usually 10).")
    precision_value = _decimal(precision)
    if precision_value is None or precision_value not in PRECISIONS:
        errors["precision"] = _("Round to 0.01, 0.1 or 1 yuan.")
    if rounding not in DuesRule.Rounding.values:
        errors["rounding"] = _("Choose how to round.")
    share = _decimal(school_share)
    if share is None or not (Decimal("0") <= share <= Decimal("1")):
        errors["school_share"] = _("The school union's share must be between 0 and 100 per cent of the dues.")
    if rate_value is not None and rate_value.as_tuple().exponent < -4:  # type: ignore[operator]
        errors.setdefault("rate", _("Give the rate with at most two decimals in per cent (0.5)."))
    if share is not None and share.as_tuple().exponent < -4:  # type: ignore[operator]
        errors.setdefault("school_share", _("Give the share with at most two decimals in per cent (50)."))
    if errors:
        raise ValidationError(errors)
    return {
        "base_items": items,
        "base_step": step,
        "rate": rate_value,
        "precision": precision_value,
        "rounding": rounding,
        "school_share": share,
        "note": note.strip()[:200],
    }


@transaction.atomic
def dues_rule_set(*, actor: Any, effective_from: dt.date, **fields: Any) -> DuesRule:
    """Set the rule from ``effective_from`` (the first of a month) with ``base_items``, ``base_step``,
    ``rate``, ``precision``, ``rounding``, ``school_share`` and ``note``. A rule cannot start in or before a
    month already recorded as deducted (those sheets are frozen); a rule set again for the same date
    replaces the one not yet used."""
    _check_school_wide(actor)
    values = dues_rule_clean(effective_from=effective_from, **fields)
    rule = DuesRule.objects.select_for_update().filter(effective_from=effective_from).first()
    if rule is None:
        try:
            with transaction.atomic():
                rule = DuesRule.objects.create(effective_from=effective_from, created_by=actor, **values)
        except IntegrityError:  # another office member set a rule for the same date a moment ago
            raise ValidationError(
                {
                    "effective_from": _(
                        "A rule from this date was set a moment ago by someone else: reload and check it."
                    )
                }
            ) from None
        changes: dict[str, Any] = {"effective_from": effective_from, **values}
        action = "members.dues.rule_set"
    else:
        before = {name: str(getattr(rule, name)) for name in RULE_FIELDS}
        for name, value in values.items():
            setattr(rule, name, value)
        rule.created_by = actor
        rule.save(update_fields=[*RULE_FIELDS, "created_by"])
        rule.refresh_from_db()
        changes = {**diff(before, {name: str(getattr(rule, name)) for name in RULE_FIELDS})}
        changes["effective_from"] = effective_from
        action = "members.dues.rule_changed"
    # Checked again after the write: a month recorded meanwhile (by another office member) wins.
    if DuesMonth.objects.filter(month__gte=effective_from).exists():
        raise ValidationError(
            {
                "effective_from": _(
                    "A month from this date was just recorded as deducted: choose a later month."
                )
            }
        )
    audit(actor=actor, action=action, target=rule, changes=changes)
    return rule


@transaction.atomic
def dues_month_record(*, actor: Any, month: dt.date) -> DuesMonth:
    """Record ``month`` as deducted by payroll: every paying member's dues frozen line by line under the
    rule in force. Once per month — recording it again is refused. ``actor`` is the office member who
    records it (the record names them)."""
    if actor is None:
        raise ValueError("A month is recorded by a person of the union office.")
    _check_school_wide(actor)
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise ValidationError(
            {
                "month": _("%(month)s has not started: record a month once payroll has deducted it.")
                % {"month": date_format(month, "YEAR_MONTH_FORMAT")}
            }
        )
    existing = DuesMonth.objects.select_related("closed_by").filter(month=month).first()
    if existing is not None:
        raise _already_recorded(existing)
    rule = rule_in_force(month)
    if rule is None:
        raise ValidationError({"month": _("No dues rule is in force for this month: set one first.")})
    lines = compute_lines(_paying_memberships(month), rule, units_for(actor, "members.dues.manage"))
    try:
        with transaction.atomic():
            record = DuesMonth.objects.create(
                month=month,
                rule=rule,
                total=sum((line.amount for line in lines), Decimal("0")),
                closed_by=actor,
            )
    except IntegrityError:  # recorded by someone else a moment ago
        raise _already_recorded(DuesMonth.objects.select_related("closed_by").get(month=month)) from None
    DuesCharge.objects.bulk_create(
        [
            DuesCharge(
                dues_month=record,
                membership_id=line.membership_id,
                unit_id=line.unit_id,
                post_salary=line.post_salary,
                grade_salary=line.grade_salary,
                base=line.base,
                amount=line.amount,
                school_part=line.school_part,
                unit_part=line.unit_part,
            )
            for line in lines
        ],
        batch_size=2000,
    )
    audit(
        actor=actor,
        action="members.dues.month_recorded",
        target=record,
        changes={
            "month": date_format(month, "YEAR_MONTH_FORMAT"),
            "members": len(lines),
            "total": record.total,
            "rule": str(rule.effective_from),
        },
    )
    return record


def _already_recorded(record: DuesMonth) -> ValidationError:
    return ValidationError(
        {
            "month": _("The dues of %(month)s were already recorded as deducted on %(date)s by %(who)s.")
            % {
                "month": date_format(record.month, "YEAR_MONTH_FORMAT"),
                "date": date_format(timezone.localtime(record.closed_at), "SHORT_DATE_FORMAT"),
                "who": getattr(record.closed_by, "display_name", record.closed_by),
            }
        }
    )


@transaction.atomic
def dues_charge_set_paid(*, actor: Any, charge: DuesCharge, paid: bool, note: str = "") -> DuesCharge:
    """Payroll could not deduct one member's dues (``paid`` False), or did after all (True)."""
    charge = (
        DuesCharge.objects.select_for_update(of=("self",))
        .select_related("dues_month", "membership__person", "unit")
        .get(pk=charge.pk)
    )
    membership_services.check_perm(actor, "members.dues.manage", charge.unit)
    if charge.paid == paid:
        return charge
    charge.paid = paid
    charge.save(update_fields=["paid"])
    changes: dict[str, Any] = {
        "month": date_format(charge.dues_month.month, "YEAR_MONTH_FORMAT"),
        "amount": charge.amount,
        "paid": [not paid, paid],
    }
    if note.strip():
        changes["note"] = note.strip()[:200]
    audit(
        actor=actor,
        action="members.dues.charge_paid" if paid else "members.dues.charge_unpaid",
        target=charge.membership.person,
        changes=changes,
        unit=charge.unit,
    )
    return charge


def lapses_propose(*, on: dt.date | None = None) -> list[LapseProposal]:
    """Propose 自动退会 for every member ``lapse_candidates`` names (one open proposal each; a proposal
    changes no status — a person decides). Safe to run any number of times and after downtime."""
    on = on or timezone.localdate()
    proposals = []
    for candidate in lapse_candidates(on):
        proposal = membership_services.lapse_propose(
            membership=candidate.membership, last_dues_month=candidate.last_paid_month, on=on
        )
        if proposal is not None:
            proposals.append(proposal)
    return proposals
