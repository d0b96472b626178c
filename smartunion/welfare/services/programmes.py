"""Festival programmes (e.g. 2026年端午节福利): a draft with its goods options, opened for the members'
choice with an eligibility snapshot, previewed against the budget and the yearly caps, then issued by a
task to thousands of members, once each, and posted to the books.

Rules, decided here:

* The programme's day is the date of its choice deadline: the item's standard in force on that day decides
  the allowed forms, the cap per event and the statuses; its budget line is of that year.
* Festival items never use cash, 购物卡 or 代金券 (八不准), whatever a standard says.
* Members choose until the deadline; issuing starts only after it (a member's choice is never cut short).
  A member who did not choose gets the default option.
* Each member is issued once per programme (``Issuance.key`` ``programme:<pk>:person:<pk>`` is unique;
  ``Entitlement`` is unique per programme and person). A member whose year-to-date total of the item's cap
  group plus the value would pass the yearly cap is marked over the cap, with a note, and listed — never
  silently skipped.
* Posting: the task issues in chunks, each chunk one transaction (issuances, vouchers, service records and
  the entitlements' status commit together), then posts the cost once per member unit at the end in one
  transaction, with the idempotency key ``welfare.programme:<pk>:unit:<unit pk>`` and the amount summed from
  the programme's issuances of that unit (not from a counter), at the organiser's unit on the item's expense
  category (so the organiser's budget line, of that category or an ancestor, is checked by finance).
  Before anything is issued the preview and the task refuse a "stop" category whose budget line has less
  left than the programme costs. Should a posting still be refused (the budget was spent meanwhile), no
  entry is written, the programme stays "issuing" with the reason shown, and running the issuance again
  (after the budget is adjusted) issues nobody twice and posts what is missing. A crash anywhere converges
  the same way: a re-run skips the issued members and the posted units.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core import progress
from smartunion.core.audit import audit
from smartunion.finance import selectors as finance_selectors
from smartunion.finance import services as finance_services
from smartunion.members import services as member_services
from smartunion.members.selectors import eligibility

from ..models import (
    FESTIVAL_FORBIDDEN_FORMS,
    Entitlement,
    Form,
    Issuance,
    Merchant,
    Programme,
    ProgrammeOption,
    WelfareItem,
)
from ..selectors import standards as standard_selectors
from . import issuing

__all__ = [
    "IssuePreview",
    "entitlement_choose",
    "option_delete",
    "option_save",
    "programme_day",
    "programme_issue",
    "programme_issue_run",
    "programme_open",
    "programme_preview_issue",
    "programme_save",
]

logger = logging.getLogger(__name__)

PERM = "welfare.programme.manage"
CENT = Decimal("0.01")
MAX_VALUE = Decimal("9999999.99")
SNAPSHOT_BATCH = 1000
ISSUE_CHUNK = 200
YTD_BATCH = 1000
ORGANISER_TYPES = ("school", "branch", "direct_group")
ZERO = Decimal("0.00")
Status = Programme.Status


def progress_name(programme: Programme | int) -> str:
    return f"welfare.programme:{getattr(programme, 'pk', programme)}"


def _error_key(programme: Programme | int) -> str:
    return f"welfare.programme.error:{getattr(programme, 'pk', programme)}"


def last_error(programme: Programme) -> str:
    """Why the last issuance run stopped (kept in the shared cache; losing it is harmless)."""
    return str(cache.get(_error_key(programme)) or "")


def programme_day(programme: Programme) -> dt.date:
    return timezone.localdate(programme.choice_deadline)


def may_manage(user: Any, programme: Programme) -> bool:
    return bool(user.scope_for(PERM).covers(programme.unit.path))


def _require_manage(actor: Any, unit: Any) -> None:
    if actor is None or not actor.scope_for(PERM).covers(unit.path):
        raise PermissionDenied


def _require_draft(programme: Programme) -> None:
    if programme.status != Status.DRAFT:
        raise ValidationError(
            _("The programme is “%(status)s”: only a draft can be changed.")
            % {"status": programme.get_status_display()}
        )


def _money(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value != value.quantize(CENT):
        return None
    return value.quantize(CENT)


# -- the draft ---------------------------------------------------------------------------------------------


def _check_programme(
    *,
    actor: Any,
    title: str,
    item: WelfareItem | None,
    unit: Any,
    value_per_member: Any,
    eligible_statuses: Iterable[str],
    units: Iterable[Any],
    counted_on: dt.date | None,
    choice_deadline: dt.datetime | None,
    budget_line: Any,
    voucher_valid_from: dt.date | None,
    voucher_valid_to: dt.date | None,
    check_deadline: bool = True,
) -> dict[str, Any]:
    """The inputs cleaned, or ValidationError naming every bad field."""
    errors: dict[str, list[str]] = defaultdict(list)
    title = (title or "").strip()
    if not title:
        errors["title"].append(_("Give the programme a title, e.g. 2026年端午节福利."))
    elif len(title) > 100:
        errors["title"].append(_("The title is at most 100 characters."))
    if unit is None:
        errors["unit"].append(_("Choose the organising union."))
    elif not actor.scope_for(PERM).covers(unit.path) or not unit.is_active:
        errors["unit"].append(_("%(unit)s is not a union you may organise benefits for.") % {"unit": unit})
    elif unit.union_type not in ORGANISER_TYPES:
        errors["unit"].append(
            _("Benefits are organised by the school union or a sub-union, not by %(unit)s.") % {"unit": unit}
        )
    day = timezone.localdate(choice_deadline) if choice_deadline is not None else None
    if choice_deadline is None:
        errors["choice_deadline"].append(_("Set the deadline until which members may choose."))
    elif check_deadline and choice_deadline <= timezone.now():
        errors["choice_deadline"].append(_("The choice deadline must be in the future."))
    if counted_on is None:
        errors["counted_on"].append(_("Choose the date on which members are counted."))
    elif day is not None and counted_on > day:
        errors["counted_on"].append(_("Members are counted on or before the choice deadline."))
    standard = None
    if item is None:
        errors["item"].append(_("Choose the benefit item."))
    elif not item.is_active:
        errors["item"].append(_("%(item)s is no longer in use.") % {"item": item})
    elif day is not None:
        standard = standard_selectors.standard_on(item, day)
        if standard is None:
            errors["item"].append(
                _(
                    "%(item)s has no standard in force on %(day)s: the union office adds it under 慰问标准 "
                    "first."
                )
                % {"item": item, "day": day.isoformat()}
            )
    value = _money(value_per_member)
    if value is None:
        errors["value_per_member"].append(_("Enter the value per member in yuan, e.g. 300.00."))
    elif value <= 0:
        errors["value_per_member"].append(_("The value per member must be more than 0."))
    elif value > MAX_VALUE:
        errors["value_per_member"].append(_("The value per member is too large."))
    elif standard is not None and standard.cap_per_event is not None and value > standard.cap_per_event:
        errors["value_per_member"].append(
            _("The standard of %(item)s allows at most %(cap)s per member.")
            % {"item": item, "cap": standard.cap_per_event}
        )
    statuses = list(dict.fromkeys(eligible_statuses or []))
    allowed_statuses = {code for code, _label in eligibility.member_status_choices()}
    if not statuses:
        errors["eligible_statuses"].append(_("Choose at least one membership status."))
    elif set(statuses) - allowed_statuses:
        errors["eligible_statuses"].append(_("Benefits are only for members (正式会员, 临时会员, 保留会籍)."))
    elif (
        standard is not None
        and standard.eligible_statuses
        and set(statuses) - set(standard.eligible_statuses)
    ):
        errors["eligible_statuses"].append(
            _("The standard of %(item)s is only for: %(statuses)s.")
            % {
                "item": item,
                "statuses": "、".join(
                    label
                    for code, label in eligibility.member_status_choices()
                    if code in standard.eligible_statuses
                ),
            }
        )
    chosen_units = list({u.pk: u for u in units or []}.values())
    if unit is not None:
        for chosen in chosen_units:
            if not chosen.path.startswith(unit.path):
                errors["units"].append(
                    _("%(chosen)s is not under %(unit)s.") % {"chosen": chosen, "unit": unit}
                )
        if not chosen_units:
            chosen_units = [unit]
    category = None
    if item is not None:
        category = finance_selectors.category_by_code(item.expense_category_code)
        if category is None or category.kind != "expense":
            errors["item"].append(
                _("%(item)s is posted on the expense category %(code)s, which the chart does not have.")
                % {"item": item, "code": item.expense_category_code}
            )
            category = None
    if budget_line is None:
        errors["budget_line"].append(_("Choose the budget line that pays for the programme."))
    elif unit is not None and day is not None:
        if budget_line.unit_id != unit.pk or budget_line.year != day.year:
            errors["budget_line"].append(
                _("Choose a budget line of %(unit)s for %(year)s.") % {"unit": unit, "year": day.year}
            )
        elif category is not None and category.pk not in finance_selectors.category_subtree_ids(
            budget_line.category
        ):
            errors["budget_line"].append(
                _("The item is posted on %(category)s, which the budget line %(line)s does not cover.")
                % {"category": category, "line": budget_line.category}
            )
    if bool(voucher_valid_from) != bool(voucher_valid_to):
        errors["voucher_valid_to"].append(_("Give both dates of the vouchers' validity, or neither."))
    elif voucher_valid_from and voucher_valid_to:
        if voucher_valid_to < voucher_valid_from:
            errors["voucher_valid_to"].append(_("The vouchers cannot expire before they become valid."))
        elif day is not None and voucher_valid_to < day:
            errors["voucher_valid_to"].append(_("The vouchers must stay valid after the choice deadline."))
    if errors:
        raise ValidationError(dict(errors))
    return {
        "title": title,
        "item": item,
        "unit": unit,
        "value_per_member": value,
        "eligible_statuses": statuses,
        "units": chosen_units,
        "counted_on": counted_on,
        "choice_deadline": choice_deadline,
        "budget_line": budget_line,
        "voucher_valid_from": voucher_valid_from,
        "voucher_valid_to": voucher_valid_to,
    }


@transaction.atomic
def programme_save(
    *,
    actor: Any,
    programme: Programme | None = None,
    title: str,
    item: WelfareItem | None,
    unit: Any,
    value_per_member: Any,
    eligible_statuses: Iterable[str],
    units: Iterable[Any] = (),
    counted_on: dt.date | None,
    choice_deadline: dt.datetime | None,
    budget_line: Any,
    voucher_valid_from: dt.date | None = None,
    voucher_valid_to: dt.date | None = None,
    allow_partial_redemption: bool = False,
) -> Programme:
    """Create a draft, or change one; a change is checked against the options already added."""
    if programme is not None:
        _require_manage(actor, programme.unit)
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        _require_draft(programme)
    data = _check_programme(
        actor=actor,
        title=title,
        item=item,
        unit=unit,
        value_per_member=value_per_member,
        eligible_statuses=eligible_statuses,
        units=units,
        counted_on=counted_on,
        choice_deadline=choice_deadline,
        budget_line=budget_line,
        voucher_valid_from=voucher_valid_from,
        voucher_valid_to=voucher_valid_to,
    )
    chosen_units = data.pop("units")
    if programme is None:
        programme = Programme.objects.create(
            **data, allow_partial_redemption=allow_partial_redemption, created_by=actor
        )
        programme.units.set(chosen_units)
        audit(
            actor=actor,
            action="welfare.programme.created",
            target=programme,
            changes={"title": programme.title, "value_per_member": programme.value_per_member},
        )
        return programme
    before = {name: getattr(programme, name) for name in data}
    before_units = sorted(programme.units.values_list("pk", flat=True))
    for name, value in data.items():
        setattr(programme, name, value)
    programme.allow_partial_redemption = allow_partial_redemption
    if programme.item_id != before["item"].pk:
        for option in programme.options.all():
            _check_form(option.form, programme)
    programme.save(update_fields=[*data, "allow_partial_redemption"])
    programme.units.set(chosen_units)
    changes: dict[str, Any] = {
        name: [before[name], value] for name, value in data.items() if before[name] != value
    }
    if sorted(u.pk for u in chosen_units) != before_units:
        changes["units"] = "、".join(str(u) for u in chosen_units)
    audit(actor=actor, action="welfare.programme.changed", target=programme, changes=changes)
    return programme


def _check_form(form: str, programme: Programme) -> None:
    item = programme.item
    if form not in Form.values:
        raise ValidationError({"form": _("Choose how the option is given.")})
    if item.kind == WelfareItem.Kind.FESTIVAL and form in FESTIVAL_FORBIDDEN_FORMS:
        raise ValidationError(
            {"form": _("Festival benefits are never given as cash, 购物卡 or 代金券 (八不准).")}
        )
    standard = standard_selectors.standard_on(item, programme_day(programme))
    if standard is not None and standard.allowed_forms and form not in standard.allowed_forms:
        raise ValidationError(
            {
                "form": _("The standard of %(item)s allows only: %(forms)s.")
                % {
                    "item": item,
                    "forms": "、".join(
                        str(label) for value, label in Form.choices if value in standard.allowed_forms
                    ),
                }
            }
        )


@transaction.atomic
def option_save(
    *,
    actor: Any,
    programme: Programme,
    option: ProgrammeOption | None = None,
    name: str,
    description: str = "",
    form: str = Form.VOUCHER,
    merchants: Iterable[Merchant] = (),
    sort_order: int = 0,
    is_default: bool = False,
) -> ProgrammeOption:
    """Add or change an option of a draft; the first option becomes the default."""
    _require_manage(actor, programme.unit)
    programme = Programme.objects.select_for_update().select_related("item", "unit").get(pk=programme.pk)
    _require_draft(programme)
    if option is not None and option.programme_id != programme.pk:
        raise PermissionDenied
    name = (name or "").strip()
    errors: dict[str, list[str]] = defaultdict(list)
    if not name:
        errors["name"].append(_("Name the option, e.g. 粽子礼盒."))
    elif len(name) > 100:
        errors["name"].append(_("The name is at most 100 characters."))
    if len(description or "") > 1000:
        errors["description"].append(_("The description is at most 1,000 characters."))
    try:
        _check_form(form, programme)
    except ValidationError as error:
        errors["form"].extend(error.message_dict["form"])
    chosen = list(merchants or [])
    if form == Form.VOUCHER and not chosen:
        errors["merchants"].append(
            _("A 提货券 names the merchants where it is redeemed: choose at least one.")
        )
    if any(not merchant.is_active for merchant in chosen):
        errors["merchants"].append(_("Choose merchants that are active."))
    if errors:
        raise ValidationError(dict(errors))
    created = option is None
    if option is None:
        option = ProgrammeOption.objects.create(
            programme=programme, name=name, description=description.strip(), form=form, sort_order=sort_order
        )
    else:
        option.name, option.description, option.form, option.sort_order = (
            name,
            description.strip(),
            form,
            sort_order,
        )
        option.save(update_fields=["name", "description", "form", "sort_order"])
    option.merchants.set(chosen if form == Form.VOUCHER else [])
    if is_default or programme.default_option_id is None:
        programme.default_option = option
        programme.save(update_fields=["default_option"])
    audit(
        actor=actor,
        action="welfare.programme.option_added" if created else "welfare.programme.option_changed",
        target=programme,
        changes={"option": name, "form": form, "default": programme.default_option_id == option.pk},
    )
    return option


@transaction.atomic
def option_delete(*, actor: Any, option: ProgrammeOption) -> None:
    programme = Programme.objects.select_for_update().select_related("unit").get(pk=option.programme_id)
    _require_manage(actor, programme.unit)
    _require_draft(programme)
    name = option.name
    was_default = programme.default_option_id == option.pk
    option.delete()
    if was_default:
        programme.default_option = programme.options.order_by("sort_order", "pk").first()
        programme.save(update_fields=["default_option"])
    audit(actor=actor, action="welfare.programme.option_removed", target=programme, changes={"option": name})


# -- open for choice: the eligibility snapshot -------------------------------------------------------------


def who_the_item_is_for(item: WelfareItem) -> dict[str, Any]:
    """Items for part of the members: 三八 for women members, 六一 for members with a child aged at most
    ``WELFARE_CHILDREN_MAX_AGE`` (14) on the counting date."""
    if item.kind == WelfareItem.Kind.WOMEN:
        return {"sex": "F"}
    if item.kind == WelfareItem.Kind.CHILDREN:
        return {"child_max_age": int(getattr(settings, "WELFARE_CHILDREN_MAX_AGE", 14))}
    return {}


@transaction.atomic
def programme_open(*, actor: Any, programme: Programme) -> int:
    """Draft → open for choice: the members in the statuses and units on the counting date become the
    programme's entitlements (one insert per thousand). Returns how many."""
    _require_manage(actor, programme.unit)
    programme = Programme.objects.select_for_update().select_related("item", "unit").get(pk=programme.pk)
    _require_draft(programme)
    options = list(programme.options.all())
    problems: list[str] = []
    if not options:
        problems.append(_("Add at least one option for the members to choose from."))
    elif programme.default_option_id is None:
        problems.append(_("Choose the default option: members who do not choose receive it."))
    if programme.counted_on > timezone.localdate():
        problems.append(_("Members can only be counted on today or a past date: open the programme then."))
    if any(option.form == Form.VOUCHER for option in options) and not programme.voucher_valid_to:
        problems.append(_("Set the vouchers' validity before opening: members will redeem them."))
    if problems:
        raise ValidationError(problems)
    # The rules may have changed since the draft was saved (a new standard, a closed budget line).
    _check_programme(
        actor=actor,
        title=programme.title,
        item=programme.item,
        unit=programme.unit,
        value_per_member=programme.value_per_member,
        eligible_statuses=programme.eligible_statuses,
        units=list(programme.units.all()),
        counted_on=programme.counted_on,
        choice_deadline=programme.choice_deadline,
        budget_line=finance_selectors.budget_line_get(programme.budget_line_id)
        if programme.budget_line_id
        else None,
        voucher_valid_from=programme.voucher_valid_from,
        voucher_valid_to=programme.voucher_valid_to,
    )
    for option in options:
        _check_form(option.form, programme)
    paths = [unit.path for unit in programme.units.all()] or [programme.unit.path]
    people = eligibility.members_with_status_on(
        on=programme.counted_on,
        statuses=programme.eligible_statuses,
        unit_paths=paths,
        **who_the_item_is_for(programme.item),
    )
    if not people:
        raise ValidationError(
            _("No member was in the chosen statuses and units on %(day)s: check the units and statuses.")
            % {"day": programme.counted_on.isoformat()}
        )
    Entitlement.objects.bulk_create(
        (
            Entitlement(programme=programme, person_id=person_id, unit_id=unit_id)
            for person_id, unit_id in people
        ),
        batch_size=SNAPSHOT_BATCH,
    )
    programme.status = Status.CHOOSING
    programme.save(update_fields=["status"])
    audit(
        actor=actor,
        action="welfare.programme.opened",
        target=programme,
        changes={"members": len(people), "counted_on": programme.counted_on},
    )
    return len(people)


# -- the member's choice -----------------------------------------------------------------------------------


@transaction.atomic
def entitlement_choose(*, actor: Any, entitlement: Entitlement, option: ProgrammeOption) -> Entitlement:
    """The member chooses (or changes) their option until the deadline; only their own entitlement."""
    locked = (
        Entitlement.objects.select_for_update(of=("self",))
        .select_related("programme", "person", "option")
        .get(pk=entitlement.pk)
    )
    if actor is None or locked.person.user_id != actor.pk:
        raise PermissionDenied
    programme = locked.programme
    if option.programme_id != programme.pk:
        raise ValidationError(_("Choose one of this programme's options."))
    if programme.status != Status.CHOOSING or locked.status != Entitlement.Status.ELIGIBLE:
        raise ValidationError(_("The choice is closed: the benefits are being issued."))
    if timezone.now() >= programme.choice_deadline:
        raise ValidationError(
            _("The choice closed on %(deadline)s; you receive %(option)s.")
            % {
                "deadline": timezone.localtime(programme.choice_deadline).strftime("%Y-%m-%d %H:%M"),
                "option": locked.option or programme.default_option,
            }
        )
    before = locked.option.name if locked.option else ""
    locked.option = option
    locked.chosen_at = timezone.now()
    locked.save(update_fields=["option", "chosen_at"])
    audit(
        actor=actor,
        action="welfare.entitlement.chosen",
        target=locked,
        changes={"programme": programme.title, "option": [before, option.name]},
    )
    return locked


# -- the issue preview -------------------------------------------------------------------------------------


@dataclass
class OverCap:
    entitlement: Entitlement
    year_to_date: Decimal
    cap: Decimal

    @property
    def after(self) -> Decimal:
        return self.year_to_date + self.entitlement.programme.value_per_member


@dataclass
class IssuePreview:
    programme: Programme
    day: dt.date
    value: Decimal
    per_option: list[dict[str, Any]]
    per_unit: list[dict[str, Any]]
    to_issue: int
    over_cap: list[OverCap]
    cap: Decimal | None
    budget: Any  # finance BudgetStatus of the line, or None
    overspend: str  # the item category's rule: "stop" or "warn"
    already_issued: int = 0
    over_budget: bool = False
    unposted: Decimal = ZERO  # issued by an earlier run that stopped before posting
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return (self.value * self.to_issue).quantize(CENT)

    @property
    def cost(self) -> Decimal:
        """What the books still have to take: this run's total and what an earlier run left unposted."""
        return self.total + self.unposted

    @property
    def remaining_after(self) -> Decimal | None:
        return None if self.budget is None else self.budget.remaining - self.cost

    @property
    def ok(self) -> bool:
        return not self.problems


def _over_cap_ids(person_ids: list[int], *, programme: Programme, cap: Any, year: int) -> dict[int, Decimal]:
    """{person id: year-to-date} of those whom the programme's value would take over the yearly cap."""
    if cap is None:
        return {}
    over: dict[int, Decimal] = {}
    for start in range(0, len(person_ids), YTD_BATCH):
        batch = person_ids[start : start + YTD_BATCH]
        totals = standard_selectors.year_to_date_many(person_ids=batch, group_id=cap.group_id, year=year)
        for person_id in batch:
            used = totals.get(person_id, ZERO)
            if used + programme.value_per_member > cap.cap_per_member_year:
                over[person_id] = used
    return over


def programme_preview_issue(programme: Programme, *, day: dt.date | None = None) -> IssuePreview:
    """What issuing now would do: counts per option and unit, the total against the budget line, and the
    members the yearly cap stops. Reads only; a bounded number of queries (the caps in batches of 1,000)."""
    day = day or timezone.localdate()
    programme = Programme.objects.select_related("item", "unit", "default_option").get(pk=programme.pk)
    rows = list(
        Entitlement.objects.filter(programme=programme, status=Entitlement.Status.ELIGIBLE)
        .order_by("pk")
        .values_list("pk", "person_id", "unit_id", "option_id", "unit__path", "unit__name")
    )
    cap = standard_selectors.group_cap_on(programme.item, day)
    over_years = _over_cap_ids([row[1] for row in rows], programme=programme, cap=cap, year=day.year)
    default_id = programme.default_option_id
    options = {option.pk: option for option in programme.options.order_by("sort_order", "pk")}
    option_counts: dict[int | None, int] = dict.fromkeys(options, 0)
    chosen_counts: dict[int | None, int] = dict.fromkeys(options, 0)
    unit_counts: dict[int, int] = defaultdict(int)
    units: dict[int, dict[str, str]] = {}
    for _pk, person_id, unit_id, option_id, unit_path, unit_name in rows:
        if person_id in over_years:
            continue
        effective = option_id or default_id
        option_counts[effective] = option_counts.get(effective, 0) + 1
        if option_id:
            chosen_counts[option_id] = chosen_counts.get(option_id, 0) + 1
        unit_counts[unit_id] += 1
        units[unit_id] = {"name": unit_name, "path": unit_path}
    value = programme.value_per_member
    per_option = [
        {
            "option": option,
            "count": option_counts.get(pk, 0),
            "chosen": chosen_counts.get(pk, 0),
            "is_default": pk == default_id,
            "amount": (value * option_counts.get(pk, 0)).quantize(CENT),
        }
        for pk, option in options.items()
    ]
    per_unit = [
        {"unit": unit, "count": unit_counts[pk], "amount": (value * unit_counts[pk]).quantize(CENT)}
        for pk, unit in sorted(units.items(), key=lambda item: item[1]["path"])
    ]
    over_entitlements = (
        Entitlement.objects.filter(programme=programme, person_id__in=list(over_years))
        .select_related("person", "unit", "programme")
        .order_by("unit__path", "person__staff_no")
        if over_years
        else []
    )
    over_cap = [
        OverCap(entitlement=ent, year_to_date=over_years[ent.person_id], cap=cap.cap_per_member_year)
        for ent in over_entitlements
        if cap is not None
    ]
    line = finance_selectors.budget_line_get(programme.budget_line_id) if programme.budget_line_id else None
    category = finance_selectors.category_by_code(programme.item.expense_category_code)
    preview = IssuePreview(
        programme=programme,
        day=day,
        value=value,
        per_option=per_option,
        per_unit=per_unit,
        to_issue=sum(unit_counts.values()),
        over_cap=over_cap,
        cap=cap.cap_per_member_year if cap else None,
        budget=finance_selectors.budget_line_status(line) if line is not None else None,
        overspend=category.overspend if category is not None else "stop",
        already_issued=Entitlement.objects.filter(
            programme=programme, status=Entitlement.Status.ISSUED
        ).count(),
        unposted=finance_selectors.fen(
            Issuance.objects.filter(programme=programme, entry_id_ref__isnull=True).aggregate(
                total=Sum("amount")
            )["total"]
        ),
    )
    if programme.status not in (Status.CHOOSING, Status.ISSUING):
        preview.problems.append(_("Only a programme open for choice can be issued."))
    elif programme.status == Status.CHOOSING and timezone.now() < programme.choice_deadline:
        preview.problems.append(
            _("Members may choose until %(deadline)s: issue after the deadline.")
            % {"deadline": timezone.localtime(programme.choice_deadline).strftime("%Y-%m-%d %H:%M")}
        )
    if line is None:
        preview.problems.append(_("The programme has no budget line: edit it before issuing."))
    elif line.year != day.year:
        preview.problems.append(
            _("The budget line is for %(year)s; issuing on %(day)s posts to %(this)s.")
            % {"year": line.year, "day": day.isoformat(), "this": day.year}
        )
    elif preview.budget is not None and preview.cost > preview.budget.remaining:
        preview.over_budget = True
        message = _("Over budget: %(line)s has %(remaining)s left; the programme costs %(total)s.") % {
            "line": line.category,
            "remaining": preview.budget.remaining,
            "total": preview.cost,
        }
        (preview.problems if preview.overspend == "stop" else preview.warnings).append(message)
    if category is None:
        preview.problems.append(
            _("The item's expense category %(code)s is not in the chart.")
            % {"code": programme.item.expense_category_code}
        )
    if over_cap:
        preview.warnings.append(
            _("%(n)s members would pass the yearly cap of %(cap)s: they are listed below and not issued.")
            % {"n": len(over_cap), "cap": preview.cap}
        )
    return preview


# -- issuing -----------------------------------------------------------------------------------------------


def programme_issue(*, actor: Any, programme: Programme) -> Programme:
    """Start (or resume) the issuance: checked like the preview, then run by the task worker."""
    _require_manage(actor, programme.unit)
    preview = programme_preview_issue(programme)
    if not preview.ok:
        raise ValidationError(preview.problems)
    with transaction.atomic():
        started = Programme.objects.filter(
            pk=programme.pk, status__in=[Status.CHOOSING, Status.ISSUING]
        ).update(status=Status.ISSUING)
        if not started:
            raise ValidationError(_("Only a programme open for choice can be issued."))
        audit(
            actor=actor,
            action="welfare.programme.issue_started",
            target=programme,
            changes={"members": preview.to_issue, "over_cap": len(preview.over_cap), "total": preview.total},
        )
        cache.delete(_error_key(programme))
        progress.set_progress(progress_name(programme), 0, preview.to_issue or 1, phase="queued")
        transaction.on_commit(lambda: _enqueue(programme.pk, actor.pk))
    programme.refresh_from_db()
    return programme


def _enqueue(programme_id: int, actor_id: int) -> None:
    from ..tasks import programme_issue_task

    programme_issue_task.enqueue(programme_id, actor_id)


def _voucher_spec(
    programme: Programme, option: ProgrammeOption, merchants: list[Merchant], day: dt.date
) -> Any:
    if option.form != Form.VOUCHER:
        return None
    return issuing.VoucherSpec(
        valid_from=programme.voucher_valid_from or day,
        valid_to=programme.voucher_valid_to or day,
        merchants=merchants,
        goods=option.name,
        allow_partial=programme.allow_partial_redemption,
    )


def _issue_chunk(*, programme_id: int, ids: list[int], actor: Any, day: dt.date, cap: Any) -> tuple[int, int]:
    """Issue one chunk in one transaction; returns (issued, over the cap)."""
    issued = over = 0
    with transaction.atomic():
        # Serialises concurrent runs of one programme, chunk by chunk.
        programme = (
            Programme.objects.select_for_update(of=("self",))
            .select_related("item", "default_option")
            .get(pk=programme_id)
        )
        if programme.status != Status.ISSUING:
            return 0, 0
        options = {option.pk: option for option in programme.options.all()}
        merchants: dict[int, list[Merchant]] = defaultdict(list)
        for through in ProgrammeOption.merchants.through.objects.filter(
            programmeoption__programme=programme
        ).select_related("merchant"):
            merchants[through.programmeoption_id].append(through.merchant)
        rows = list(
            Entitlement.objects.filter(pk__in=ids, status=Entitlement.Status.ELIGIBLE)
            .select_related("person", "unit")
            .order_by("pk")
        )
        # The year-to-date totals are read with the members locked: another issuance (a sub-union's
        # programme, a care visit) to the same member waits, so the cap cannot be passed by two at once.
        member_services.people_lock([row.person_id for row in rows])
        over_years = _over_cap_ids(
            [row.person_id for row in rows], programme=programme, cap=cap, year=day.year
        )
        for entitlement in rows:
            if entitlement.person_id in over_years:
                entitlement.status = Entitlement.Status.OVER_CAP
                entitlement.note = _(
                    "Not issued: %(used)s received this year + %(value)s would pass the yearly cap of %(cap)s."
                ) % {
                    "used": over_years[entitlement.person_id],
                    "value": programme.value_per_member,
                    "cap": cap.cap_per_member_year,
                }
                over += 1
                continue
            option = options.get(entitlement.option_id or 0) or options.get(programme.default_option_id or 0)
            if option is None:
                raise ValidationError(_("The programme has no default option."))
            issuing.issue(
                key=f"programme:{programme.pk}:person:{entitlement.person_id}",
                item=programme.item,
                person=entitlement.person,
                unit=entitlement.unit,
                amount=programme.value_per_member,
                form=option.form,
                day=day,
                actor=actor,
                programme=programme,
                option=option,
                voucher=_voucher_spec(programme, option, merchants.get(option.pk, []), day),
                title=f"{programme.title} · {option.name}",
            )
            entitlement.status = Entitlement.Status.ISSUED
            if entitlement.option_id is None:
                entitlement.note = _("Default option (no choice made).")
            issued += 1
        Entitlement.objects.bulk_update(rows, ["status", "note"])
    return issued, over


def _post(*, programme_id: int, actor: Any, day: dt.date) -> int:
    """Post the cost once per member unit (all units in one transaction), then mark the programme issued.
    Returns how many entries were newly posted."""
    posted = 0
    with transaction.atomic():
        programme = (
            Programme.objects.select_for_update(of=("self",))
            .select_related("item", "unit")
            .get(pk=programme_id)
        )
        if programme.status != Status.ISSUING:
            return 0
        category = finance_selectors.category_by_code(programme.item.expense_category_code)
        if category is None:
            raise ValidationError(
                _("The item's expense category %(code)s is not in the chart.")
                % {"code": programme.item.expense_category_code}
            )
        sums = list(
            Issuance.objects.filter(programme=programme)
            .order_by()
            .values("unit_id", "unit__name")
            .annotate(total=Sum("amount"), n=Count("pk"))
            .order_by("unit__path")
        )
        for row in sums:
            total = finance_selectors.fen(row["total"])
            if total <= 0:
                continue
            posting = finance_services.entry_post(
                actor=actor,
                idempotency_key=f"welfare.programme:{programme.pk}:unit:{row['unit_id']}",
                unit=programme.unit,
                posted_on=day,
                memo=f"{programme.title} · {row['unit__name']}（{row['n']}人）",
                lines=[
                    finance_services.Line(category=category, amount=total),
                    finance_services.Line(account="funds", amount=-total),
                ],
                source_type="welfare.programme",
                source_id=programme.pk,
            )
            posted += int(posting.created)
            Issuance.objects.filter(
                programme=programme, unit_id=row["unit_id"], entry_id_ref__isnull=True
            ).update(entry_id_ref=posting.entry.pk)
        programme.status = Status.ISSUED
        programme.issued_at = timezone.now()
        programme.save(update_fields=["status", "issued_at"])
        counts = dict(
            Entitlement.objects.filter(programme=programme)
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        audit(
            actor=actor,
            action="welfare.programme.issued",
            target=programme,
            changes={
                "issued": counts.get(Entitlement.Status.ISSUED, 0),
                "over_cap": counts.get(Entitlement.Status.OVER_CAP, 0),
                "total": sum((finance_selectors.fen(row["total"]) for row in sums), ZERO),
                "entries": len(sums),
            },
        )
    return posted


def programme_issue_run(*, programme_id: int, actor_id: int | None = None) -> dict[str, int]:
    """The task's work: issue every eligible member in chunks, then post. Safe to run again at any point
    (after a crash, or twice at once): it converges on one issuance per member and one entry per unit."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    day = timezone.localdate()
    name = progress_name(programme_id)
    programme = Programme.objects.select_related("item").get(pk=programme_id)
    if programme.status != Status.ISSUING:
        return {"issued": 0, "over_cap": 0, "posted": 0}
    cap = standard_selectors.group_cap_on(programme.item, day)
    ids = list(
        Entitlement.objects.filter(programme=programme, status=Entitlement.Status.ELIGIBLE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    done_before = (
        Entitlement.objects.filter(programme=programme).exclude(status=Entitlement.Status.ELIGIBLE).count()
    )
    total = done_before + len(ids)
    issued = over = 0
    try:
        preview = programme_preview_issue(programme, day=day)
        if ids and preview.over_budget and preview.overspend == "stop":
            # Nothing is issued that the books would refuse to pay for.
            raise ValidationError(preview.problems)
        progress.set_progress(name, done_before, total, phase="issuing")
        for start in range(0, len(ids), ISSUE_CHUNK):
            chunk = ids[start : start + ISSUE_CHUNK]
            done, stopped = _issue_chunk(programme_id=programme_id, ids=chunk, actor=actor, day=day, cap=cap)
            issued += done
            over += stopped
            progress.set_progress(name, done_before + start + len(chunk), total, phase="issuing")
        progress.set_progress(name, total, total, phase="posting")
        posted = _post(programme_id=programme_id, actor=actor, day=day)
    except ValidationError as error:
        message = "；".join(error.messages)
        cache.set(_error_key(programme_id), message, progress.TTL_SECONDS)
        progress.set_progress(name, done_before + issued + over, total, phase="failed")
        audit(
            actor=actor,
            action="welfare.programme.issue_stopped",
            target=programme,
            changes={"issued": issued, "over_cap": over, "reason": message},
        )
        return {"issued": issued, "over_cap": over, "posted": 0}
    except Exception:
        logger.exception("Issuance of programme %s failed", programme_id)
        cache.set(
            _error_key(programme_id),
            _("An unexpected error stopped the issuance; the administrators can find it in the server log."),
            progress.TTL_SECONDS,
        )
        progress.set_progress(name, done_before + issued + over, total, phase="failed")
        raise
    progress.set_progress(name, total, total, phase="done")
    return {"issued": issued, "over_cap": over, "posted": posted}
