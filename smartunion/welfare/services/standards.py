"""Writing the benefit standards (慰问标准): items, their effective-dated standards, the yearly caps of a
group (节日慰问 ≤ 2,200 per member in Jiangsu from 2025), and the seeded defaults.

The standards are school-wide rules, so every change needs ``welfare.standards.manage`` at the top of the
tree, and every change is audited.

Effective dates: the standards of one item (and the caps of one group) never overlap. A new standard from
day D ends the one in force on D at D − 1; if a later standard already exists, the new one ends the day
before it (or is refused when the user gave an end date past it). Gaps are allowed: on a day with no
standard the item has no rule and the callers refuse to issue it. To change a rule from a date, add a new
standard; edit one only to correct it (the audit log keeps what it said before).

Forms: a festival benefit may never be given as cash, 购物卡 or 代金券 (全总 2014 八不准, 苏工发〔2025〕8号), so
a festival item's standards may not allow them, and an item with such a standard cannot become a festival.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.finance import selectors as finance_selectors
from smartunion.members.selectors.membership import IN_SERVICE_STATUS_CODES, MEMBER_STATUS_CHOICES

from ..models import (
    FESTIVAL_FORBIDDEN_FORMS,
    CapGroup,
    CareEventType,
    Form,
    GroupCap,
    WelfareItem,
    WelfareStandard,
)
from ..selectors.standards import festival_forms_message

__all__ = [
    "FESTIVAL_GROUP_CODE",
    "festival_forms_message",
    "group_cap_confirm",
    "group_cap_save",
    "item_save",
    "seed_defaults",
    "standard_confirm",
    "standard_save",
]

PERMISSION = "welfare.standards.manage"
FESTIVAL_GROUP_CODE = "festival"
ITEM_CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
ONE_DAY = dt.timedelta(days=1)


def _check_may_manage(actor: Any) -> None:
    if actor is None or not actor.scope_for(PERMISSION).at_top:
        raise PermissionDenied


def _display(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, CapGroup | WelfareItem):
        return str(value)
    if isinstance(value, list):
        return list(value)
    return value


def _changes(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, list[Any]]:
    if old is None:
        return {key: [None, _display(value)] for key, value in new.items() if value not in (None, "", [])}
    return {key: [_display(old[key]), _display(value)] for key, value in new.items() if old.get(key) != value}


# -- standards --------------------------------------------------------------------------------------------


def _standard_errors(
    *,
    item: WelfareItem,
    effective_from: dt.date | None,
    effective_to: dt.date | None,
    amount: Decimal | None,
    cap_per_event: Decimal | None,
    allowed_forms: list[str],
    eligible_statuses: list[str],
    source: str,
    note: str,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if effective_from is None:
        add("effective_from", _("Give the date from which the standard applies."))
    elif effective_to is not None and effective_to < effective_from:
        add("effective_to", _("The end date is before the start date."))
    for name, value in (("amount", amount), ("cap_per_event", cap_per_event)):
        if value is not None and value < 0:
            add(name, _("An amount cannot be negative."))
        elif value is not None and value != value.quantize(Decimal("0.01")):
            add(name, _("Amounts are in yuan with at most two decimals (fen)."))
    if amount is not None and cap_per_event is not None and amount > cap_per_event:
        add(
            "amount",
            _("The standard amount %(amount)s is above the cap per event %(cap)s: lower it or raise the cap.")
            % {"amount": amount, "cap": cap_per_event},
        )
    if not allowed_forms:
        add("allowed_forms", _("Choose at least one form in which the benefit may be given."))
    unknown = [form for form in allowed_forms if form not in Form.values]
    if unknown:
        add("allowed_forms", _("Unknown forms: %(forms)s.") % {"forms": ", ".join(unknown)})
    if item.kind == WelfareItem.Kind.FESTIVAL:
        forbidden = [form for form in allowed_forms if form in FESTIVAL_FORBIDDEN_FORMS]
        if forbidden:
            add("allowed_forms", festival_forms_message(forbidden))
    codes = [code for code, _label in MEMBER_STATUS_CHOICES]
    if not eligible_statuses:
        add("eligible_statuses", _("Choose at least one membership status that may receive the benefit."))
    bad = [status for status in eligible_statuses if status not in codes]
    if bad:
        add(
            "eligible_statuses",
            _("Only members may receive benefits: %(statuses)s is not a member's status.")
            % {"statuses": ", ".join(bad)},
        )
    if len(source) > 300:
        add("source", _("Keep the source under 300 characters."))
    if len(note) > 300:
        add("note", _("Keep the note under 300 characters."))
    return errors


@transaction.atomic
def standard_save(
    *,
    actor: Any,
    item: WelfareItem,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    amount: Decimal | None = None,
    cap_per_event: Decimal | None = None,
    allowed_forms: list[str] | tuple[str, ...] = (),
    eligible_statuses: list[str] | tuple[str, ...] = IN_SERVICE_STATUS_CODES,
    needs_confirmation: bool = False,
    source: str = "",
    note: str = "",
    standard: WelfareStandard | None = None,
) -> WelfareStandard:
    """Add a standard of ``item`` (``standard=None``) or correct one; ValidationError by field, nothing
    written. The standard in force on ``effective_from`` is ended the day before (see the module doc)."""
    _check_may_manage(actor)
    # The item's row is the lock: two offices adding standards to one item at once queue here.
    item = WelfareItem.objects.select_for_update().get(pk=item.pk)
    if standard is not None:
        standard = WelfareStandard.objects.get(pk=standard.pk)
        if standard.item_id != item.pk:
            raise ValidationError(_("This standard belongs to another item."))
    forms = list(dict.fromkeys(allowed_forms))
    statuses = list(dict.fromkeys(eligible_statuses))
    source, note = source.strip(), note.strip()
    errors = _standard_errors(
        item=item,
        effective_from=effective_from,
        effective_to=effective_to,
        amount=amount,
        cap_per_event=cap_per_event,
        allowed_forms=forms,
        eligible_statuses=statuses,
        source=source,
        note=note,
    )
    if errors:
        raise ValidationError(errors)
    others = WelfareStandard.objects.filter(item=item).exclude(pk=standard.pk if standard else 0)
    effective_to, previous = _fit_period(
        others=others,
        effective_from=effective_from,
        effective_to=effective_to,
        label=_("standard"),
    )
    values: dict[str, Any] = {
        "effective_from": effective_from,
        "effective_to": effective_to,
        "amount": amount,
        "cap_per_event": cap_per_event,
        "allowed_forms": forms,
        "eligible_statuses": statuses,
        "needs_confirmation": needs_confirmation,
        "source": source,
        "note": note,
    }
    if previous is not None:
        _end(previous, effective_from - ONE_DAY, actor, "welfare.standard.ended")
    if standard is None:
        created = WelfareStandard.objects.create(item=item, **values)
        audit(
            actor=actor,
            action="welfare.standard.created",
            target=created,
            changes={"item": str(item), **_changes(None, values)},
        )
        return created
    old = {key: getattr(standard, key) for key in values}
    changes = _changes(old, values)
    if changes:
        for key, value in values.items():
            setattr(standard, key, value)
        standard.save(update_fields=list(values))
        audit(actor=actor, action="welfare.standard.changed", target=standard, changes=changes)
    return standard


def _fit_period(
    *, others: Any, effective_from: dt.date, effective_to: dt.date | None, label: str
) -> tuple[dt.date | None, Any]:
    """Fit a period among the others of its item or group: returns the (possibly shortened) end date and
    the record in force on ``effective_from`` that must end the day before; ValidationError on a clash."""
    if others.filter(effective_from=effective_from).exists():
        raise ValidationError(
            {
                "effective_from": _(
                    "Another %(what)s starts on %(date)s: change that one, or pick another date."
                )
                % {"what": label, "date": effective_from.isoformat()}
            }
        )
    following = others.filter(effective_from__gt=effective_from).order_by("effective_from").first()
    if following is not None:
        if effective_to is None:
            effective_to = following.effective_from - ONE_DAY
        elif effective_to >= following.effective_from:
            raise ValidationError(
                {
                    "effective_to": _(
                        "The next %(what)s starts on %(date)s: end this one by %(last)s, or change that one."
                    )
                    % {
                        "what": label,
                        "date": following.effective_from.isoformat(),
                        "last": (following.effective_from - ONE_DAY).isoformat(),
                    }
                }
            )
    previous = (
        others.filter(effective_from__lt=effective_from)
        .order_by("-effective_from")
        .select_for_update()
        .first()
    )
    if previous is not None and (previous.effective_to is None or previous.effective_to >= effective_from):
        return effective_to, previous
    return effective_to, None


def _end(record: Any, last_day: dt.date, actor: Any, action: str) -> None:
    old = record.effective_to
    record.effective_to = last_day
    record.save(update_fields=["effective_to"])
    audit(
        actor=actor,
        action=action,
        target=record,
        changes={"effective_to": [_display(old), last_day.isoformat()]},
    )


def _confirm(actor: Any, record: Any, action: str) -> Any:
    """Clear 待确认 on a locked standard or cap (confirming twice does nothing), audited."""
    _check_may_manage(actor)
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if record.needs_confirmation:
        record.needs_confirmation = False
        record.save(update_fields=["needs_confirmation"])
        audit(actor=actor, action=action, target=record, changes={"needs_confirmation": [True, False]})
    return record


@transaction.atomic
def standard_confirm(*, actor: Any, standard: WelfareStandard) -> WelfareStandard:
    """The union confirms a seeded or provisional standard (clears 待确认); confirming twice does nothing."""
    return _confirm(actor, standard, "welfare.standard.confirmed")  # type: ignore[no-any-return]


# -- yearly caps of a group -------------------------------------------------------------------------------


@transaction.atomic
def group_cap_save(
    *,
    actor: Any,
    group: CapGroup,
    effective_from: dt.date,
    cap_per_member_year: Decimal,
    effective_to: dt.date | None = None,
    needs_confirmation: bool = False,
    source: str = "",
) -> GroupCap:
    """Add a yearly cap per member of a group from a date; the cap in force then ends the day before."""
    _check_may_manage(actor)
    group = CapGroup.objects.select_for_update().get(pk=group.pk)
    source = source.strip()
    errors: dict[str, list[str]] = {}
    if effective_from is None:
        errors["effective_from"] = [_("Give the date from which the cap applies.")]
    elif effective_to is not None and effective_to < effective_from:
        errors["effective_to"] = [_("The end date is before the start date.")]
    if cap_per_member_year is None:
        errors["cap_per_member_year"] = [_("Give the cap per member per year.")]
    elif cap_per_member_year < 0:
        errors["cap_per_member_year"] = [_("An amount cannot be negative.")]
    elif cap_per_member_year != cap_per_member_year.quantize(Decimal("0.01")):
        errors["cap_per_member_year"] = [_("Amounts are in yuan with at most two decimals (fen).")]
    if len(source) > 300:
        errors["source"] = [_("Keep the source under 300 characters.")]
    if errors:
        raise ValidationError(errors)
    effective_to, previous = _fit_period(
        others=GroupCap.objects.filter(group=group),
        effective_from=effective_from,
        effective_to=effective_to,
        label=_("yearly cap"),
    )
    if previous is not None:
        _end(previous, effective_from - ONE_DAY, actor, "welfare.group_cap.ended")
    values = {
        "effective_from": effective_from,
        "effective_to": effective_to,
        "cap_per_member_year": cap_per_member_year,
        "needs_confirmation": needs_confirmation,
        "source": source,
    }
    cap = GroupCap.objects.create(group=group, **values)
    audit(
        actor=actor,
        action="welfare.group_cap.created",
        target=cap,
        changes={"group": str(group), **_changes(None, values)},
    )
    return cap


@transaction.atomic
def group_cap_confirm(*, actor: Any, cap: GroupCap) -> GroupCap:
    return _confirm(actor, cap, "welfare.group_cap.confirmed")  # type: ignore[no-any-return]


# -- items ------------------------------------------------------------------------------------------------


def expense_category_codes() -> dict[str, str]:
    """The expense categories of the finance chart an item's cost may go to: {code: "50203 慰问"}."""
    return {
        row.category.code: f"{row.category.code} {row.category.name}"
        for row in finance_selectors.category_tree()
        if row.category.kind == "expense"
    }


@transaction.atomic
def item_save(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    group: CapGroup | None = None,
    expense_category_code: str = "50203",
    sort_order: int = 0,
    is_active: bool = True,
    item: WelfareItem | None = None,
) -> WelfareItem:
    """Add an item (a festival the union adds, …) or change one; ValidationError by field."""
    _check_may_manage(actor)
    code, name, expense_category_code = code.strip(), name.strip(), expense_category_code.strip()
    if kind == WelfareItem.Kind.FESTIVAL:
        # All festivals count against one yearly cap (Jiangsu: ≤ 2,200 together): a festival the union
        # adds joins the festival group whatever was chosen, so no festival escapes the cap.
        group = CapGroup.objects.filter(code=FESTIVAL_GROUP_CODE).first() or group
    if item is not None:
        item = WelfareItem.objects.select_for_update().get(pk=item.pk)
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not ITEM_CODE.match(code):
        add(
            "code",
            _("A code is 1 to 30 lower-case letters, digits or _, starting with a letter, e.g. dragon_boat."),
        )
    elif WelfareItem.objects.filter(code=code).exclude(pk=item.pk if item else 0).exists():
        add("code", _("The code %(code)s is taken by another item.") % {"code": code})
    if not name:
        add("name", _("Give the item a name."))
    elif len(name) > 50:
        add("name", _("Keep the name under 50 characters."))
    if kind not in WelfareItem.Kind.values:
        add("kind", _("Choose one of the kinds."))
    if expense_category_code not in expense_category_codes():
        add(
            "expense_category_code",
            _("%(code)s is not an expense category of the chart (e.g. 50203 慰问).")
            % {"code": expense_category_code or "—"},
        )
    if sort_order < 0 or sort_order > 32767:
        add("sort_order", _("The order is a number from 0 to 32767."))
    if item is not None and kind == WelfareItem.Kind.FESTIVAL and item.kind != kind:
        clashing = [
            form
            for standard in item.standards.all()
            for form in standard.allowed_forms
            if form in FESTIVAL_FORBIDDEN_FORMS
        ]
        if clashing:
            add("kind", festival_forms_message(sorted(set(clashing))))
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "code": code,
        "name": name,
        "kind": kind,
        "group": group,
        "expense_category_code": expense_category_code,
        "sort_order": sort_order,
        "is_active": is_active,
    }
    if item is None:
        try:
            with transaction.atomic():
                created = WelfareItem.objects.create(**values)
        except IntegrityError:
            raise ValidationError(
                {"code": _("The code %(code)s was taken meanwhile.") % {"code": code}}
            ) from None
        audit(actor=actor, action="welfare.item.created", target=created, changes=_changes(None, values))
        return created
    old = {key: getattr(item, key) for key in values}
    changes = _changes(old, values)
    if changes:
        for key, value in values.items():
            setattr(item, key, value)
        item.save(update_fields=list(values))
        audit(actor=actor, action="welfare.item.changed", target=item, changes=changes)
    return item


# -- the seeded defaults ----------------------------------------------------------------------------------

IN_SERVICE = list(IN_SERVICE_STATUS_CODES)
KIND_AND_VOUCHER = [Form.IN_KIND.value, Form.VOUCHER.value]
CASH_ALLOWED = [Form.IN_KIND.value, Form.VOUCHER.value, Form.CASH.value]
ANHUI_2018 = "安徽2018（feifmx.com/socialgd/10000169/20180428/32358486_2）"
ANHUI_LATER = "安徽后续标准（jiusongjiankang.com/health/news/5142835）"
JIANGDU_2018 = "江都水利工程管理处2018慰问办法（jd.jswater.org.cn）"
NOT_FOUND = "江苏标准未查到"

# The yearly cap of all festivals together (苏工发; reference/domain.md §3.3).
FESTIVAL_CAPS = [
    (
        dt.date(2015, 1, 1),
        dt.date(2017, 12, 31),
        Decimal("1000"),
        "江苏2015：节日慰问每人每年≤1000元，以实物为主（bbs.dy001.cn/thread-130824-1-1）；起止日期按年度近似",
    ),
    (
        dt.date(2018, 1, 1),
        dt.date(2024, 12, 31),
        Decimal("1800"),
        "苏工发〔2018〕13号时期：≤1800元（jd.jswater.org.cn 单位示例；中国江苏网2025-11-06报道）；起始日期按年度近似",
    ),
    (
        dt.date(2025, 1, 1),
        None,
        Decimal("2200"),
        "苏工发〔2025〕8号：≤2200元，可灵活发放（如提货券），不得发放现金、购物卡、代金券"
        "（中国江苏网/交汇点2025-11-06）",
    ),
]

# code, name, kind, in the festival group, expense category, standards:
# [(from, to, amount, cap per event, forms, statuses, to be confirmed, source, note)]
# Every cost goes to 50203 慰问 (the 2017 全总 rules list these as 会员慰问/集体福利); 生活困难 and 意外 go to
# 50202 送温暖, the category of help for members in difficulty (困难帮扶 proper is the hardship module's).
Seed = tuple[str, str, str, bool, str, list[tuple[Any, ...]]]
SINCE_2025 = dt.date(2025, 1, 1)
FESTIVAL_NOTE = "各节日金额由学校在年度上限内自定；参考江都2018：春节800、端午500、中秋500"
ITEMS: list[Seed] = [
    *[
        (
            code,
            name,
            WelfareItem.Kind.FESTIVAL,
            True,
            "50203",
            [
                (
                    SINCE_2025,
                    None,
                    amount,
                    None,
                    KIND_AND_VOUCHER,
                    IN_SERVICE,
                    # The split between festivals is the university's: a figure from the unit example
                    # is to be confirmed; the forms and who receives it are the rules themselves.
                    amount is not None,
                    "全总2017《基层工会经费收支管理办法》法定节日；苏工发〔2025〕8号：不得发放现金、购物卡、代金券",
                    FESTIVAL_NOTE,
                )
            ],
        )
        for code, name, amount in (
            ("new_year", "新年", None),
            ("spring_festival", "春节", Decimal("800")),
            ("qingming", "清明", None),
            ("labour_day", "劳动节", None),
            ("dragon_boat", "端午", Decimal("500")),
            ("mid_autumn", "中秋", Decimal("500")),
            ("national_day", "国庆", None),
        )
    ],
    (
        "birthday",
        "生日",
        WelfareItem.Kind.BIRTHDAY,
        False,
        "50203",
        [
            (
                dt.date(2015, 1, 1),
                dt.date(2024, 12, 31),
                None,
                Decimal("300"),
                [Form.IN_KIND.value, Form.VOUCHER.value],
                IN_SERVICE,
                False,
                "江苏2015：生日慰问≤300元，蛋糕或蛋糕券（bbs.dy001.cn/thread-130824-1-1）",
                "蛋糕或指定蛋糕店蛋糕券",
            ),
            (
                SINCE_2025,
                None,
                None,
                Decimal("300"),
                [Form.IN_KIND.value, Form.VOUCHER.value],
                IN_SERVICE,
                True,
                "苏工发〔2025〕8号要求大幅度提高，新金额未查到；暂沿用2015年≤300元",
                "蛋糕或指定蛋糕店蛋糕券",
            ),
        ],
    ),
    (
        "wedding",
        "结婚",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("1000"),
                KIND_AND_VOUCHER,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}；参考{JIANGDU_2018}≤1000元实物（安徽2018≤600）",
                "一定金额的慰问品（全总2017）",
            )
        ],
    ),
    (
        "childbirth",
        "生育",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("1000"),
                KIND_AND_VOUCHER,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}；参考{JIANGDU_2018}≤1000元实物（{ANHUI_LATER}≤1000）",
                "一定金额的慰问品（全总2017）",
            )
        ],
    ),
    (
        "hospital",
        "生病住院",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("1000"),
                CASH_ALLOWED,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}，参考{ANHUI_2018}：生病住院≤1000元",
                "一定金额的慰问金（全总2017）",
            )
        ],
    ),
    (
        "surgery",
        "手术",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("2000"),
                CASH_ALLOWED,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}，参考{ANHUI_LATER}：手术≤2000元",
                "含重病；校工会慰问",
            )
        ],
    ),
    (
        "death",
        "本人去世",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("2000"),
                CASH_ALLOWED,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}，参考{ANHUI_2018}：会员去世≤2000元",
                "一定金额的慰问金（全总2017）",
            )
        ],
    ),
    (
        "family_death",
        "直系亲属去世",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("1000"),
                CASH_ALLOWED,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}，参考{ANHUI_2018}：直系亲属去世≤1000元",
                "直系亲属：配偶、父母、子女",
            )
        ],
    ),
    (
        "retirement",
        "退休",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("1000"),
                [Form.IN_KIND.value],
                IN_SERVICE,
                True,
                f"{NOT_FOUND}，参考{ANHUI_2018}：退休离岗纪念品≤1000元",
                "退休离岗纪念品",
            )
        ],
    ),
    (
        "children_day",
        "六一",
        WelfareItem.Kind.CHILDREN,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("200"),
                KIND_AND_VOUCHER,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}：苏工发〔2025〕8号允许六一慰问；金额为占位",
                "会员的14周岁及以下子女",
            )
        ],
    ),
    (
        "womens_day",
        "三八",
        WelfareItem.Kind.WOMEN,
        False,
        "50203",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("300"),
                KIND_AND_VOUCHER,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}；参考{JIANGDU_2018}：妇女节≤300元劳动保护用品",
                "女会员",
            )
        ],
    ),
    (
        "hardship",
        "生活困难",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50202",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("1000"),
                CASH_ALLOWED,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}；金额为占位（困难职工帮扶另见帮扶模块）",
                "五必访：生活困难",
            )
        ],
    ),
    (
        "accident",
        "意外",
        WelfareItem.Kind.LIFE_EVENT,
        False,
        "50202",
        [
            (
                SINCE_2025,
                None,
                None,
                Decimal("2000"),
                CASH_ALLOWED,
                IN_SERVICE,
                True,
                f"{NOT_FOUND}，参考{ANHUI_LATER}：因大病/意外致困一次性≤2000元",
                "五必访：发生意外",
            )
        ],
    ),
]

# code, name, item code, who visits, visit within (days). 五必访 per reference/domain.md §3.5 (the default
# list is the union's to edit); 丧 is two types because 本人 and 直系亲属 have different standards.
CARE_EVENT_TYPES = [
    ("hospital", "生病住院", "hospital", CareEventType.Level.SUBUNION, 7),
    ("serious_illness", "重病", "surgery", CareEventType.Level.SCHOOL, 7),
    ("wedding", "结婚", "wedding", CareEventType.Level.SUBUNION, 30),
    ("childbirth", "生育", "childbirth", CareEventType.Level.SUBUNION, 30),
    ("death", "丧（本人去世）", "death", CareEventType.Level.SUBUNION, 3),
    ("family_death", "丧（直系亲属去世）", "family_death", CareEventType.Level.SUBUNION, 7),
    ("retirement", "退休", "retirement", CareEventType.Level.SUBUNION, 30),
    ("hardship", "生活困难", "hardship", CareEventType.Level.SUBUNION, 14),
    ("accident", "意外", "accident", CareEventType.Level.SUBUNION, 7),
]


@transaction.atomic
def seed_defaults() -> bool:
    """Create the seeded group, caps, items, standards and care event types when no item exists (after
    migrate, and again after a flush); never re-adds anything once the union has its own. Returns
    whether it seeded."""
    if WelfareItem.objects.exists():
        return False
    group, _created = CapGroup.objects.get_or_create(code=FESTIVAL_GROUP_CODE, defaults={"name": "节日慰问"})
    if not group.caps.exists():
        for start, end, cap, source in FESTIVAL_CAPS:
            GroupCap.objects.create(
                group=group, effective_from=start, effective_to=end, cap_per_member_year=cap, source=source
            )
    items: dict[str, WelfareItem] = {}
    for order, (code, name, kind, in_group, category, standards) in enumerate(ITEMS):
        items[code] = WelfareItem.objects.create(
            code=code,
            name=name,
            kind=kind,
            group=group if in_group else None,
            expense_category_code=category,
            sort_order=order * 10,
        )
        for start, end, amount, cap, forms, statuses, unconfirmed, source, note in standards:
            WelfareStandard.objects.create(
                item=items[code],
                effective_from=start,
                effective_to=end,
                amount=amount,
                cap_per_event=cap,
                allowed_forms=list(forms),
                eligible_statuses=list(statuses),
                needs_confirmation=unconfirmed,
                source=source,
                note=note,
            )
    for order, (code, name, item_code, level, days) in enumerate(CARE_EVENT_TYPES):
        CareEventType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "item": items[item_code],
                "responsible": level,
                "visit_within_days": days,
                "sort_order": order * 10,
            },
        )
    return True
