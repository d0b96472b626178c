"""提货券 at the counter and in the books: redeeming a voucher (once, or in parts where the programme allows
it), expiring the ones past their date, the merchants and their cashier accounts, and settling a
merchant's redemptions of a period (结算).

Redemption is a conditional UPDATE of the voucher row (``status`` still valid, ``redeemed_amount`` still
what the cashier saw): two cashiers scanning the same QR at the same moment cannot both succeed — on
PostgreSQL the second UPDATE waits for the first and then matches no row, on SQLite the IMMEDIATE
transactions queue. The loser is told the voucher was just redeemed.

The accounting (who posts what):

* A voucher's cost is an expense of the unit that issued it. A programme that posts its cost when it
  issues (one entry per unit, ``Issuance.entry_id_ref`` set) has expensed the voucher already: settling
  its redemptions pays money already spent and posts nothing more.
* A redemption whose voucher was issued without a posting (``entry_id_ref`` empty) is expensed when it is
  settled: the settlement posts, per issuing unit, Dr the item's expense category / Cr the unit's funds
  for the redeemed amount, with the key ``welfare.settlement:<pk>:unit:<unit pk>`` (a retry posts
  nothing twice). What a member never redeemed costs nothing.
* So for every settled redemption the books carry its cost exactly once, and the reconciliation report
  shows both halves (posted at issuance, posted at settlement). The unredeemed value of an expired voucher
  that was expensed at issuance is shown on the report as the figure to reverse; reversing it is the
  office's decision (``finance.services.entry_reverse`` of the programme's entry and a new posting).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.accounts import services as account_services
from smartunion.core.audit import audit
from smartunion.core.normalise import clean_text
from smartunion.finance import selectors as finance_selectors
from smartunion.finance import services as finance_services
from smartunion.members import selectors as member_selectors
from smartunion.members.services import service_records
from smartunion.notifications.services import notify
from smartunion.organisations import selectors as org_selectors

from ..models import Merchant, Redemption, Settlement, Voucher

__all__ = [
    "MERCHANT_ROLE",
    "merchant_save",
    "merchant_user_add",
    "merchant_user_remove",
    "normalise_code",
    "settlement_create",
    "voucher_redeem",
    "vouchers_expire",
]

CENT = Decimal("0.01")
MERCHANT_ROLE = "merchant"
Status = Voucher.Status
SETTLEMENT_SOURCE = "welfare.settlement"

_CODE_JUNK = re.compile(r"[\s\-_—–·.]+")


def normalise_code(raw: Any) -> str:
    """What a cashier typed or scanned → the stored code: upper case, without spaces and dashes. A scanned
    address of the check page (``…/merchant/check/?code=…``) gives its code."""
    text = str(raw or "").strip()
    if "code=" in text:
        text = text.split("code=", 1)[1].split("&", 1)[0]
    return _CODE_JUNK.sub("", text).upper()[:64]


def not_here_message(code: str) -> str:
    # One answer for an unknown code and for a voucher of another shop: a counter cannot probe codes.
    return _(
        "No voucher with the code %(code)s is valid at your shop. Check the code; the member's voucher "
        "lists the shops where it is valid."
    ) % {"code": grouped(code) if code else "—"}


def grouped(code: str) -> str:
    """ABCD EFGH … — the code in groups of four, for reading aloud and typing."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _amount(raw: Any) -> Decimal:
    try:
        amount = Decimal(str(raw).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("Enter the amount in yuan, e.g. 25.50.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("Enter the amount in yuan with at most two decimals.")})
    return amount.quantize(CENT)


def merchants_of(user: Any) -> list[Merchant]:
    """The active merchants whose cashier the user is."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Merchant.objects.filter(users=user, is_active=True).order_by("name"))


def _mark_expired(voucher: Voucher) -> None:
    """Record what the date already says (its own small transaction: the refusal that follows must not
    roll it back)."""
    with transaction.atomic():
        if Voucher.objects.filter(pk=voucher.pk, status=Status.ACTIVE).update(status=Status.EXPIRED):
            audit(
                actor=None,
                action="welfare.voucher.expired",
                target=voucher,
                unit=voucher.issuance.unit,
                changes={"status": [Status.ACTIVE, Status.EXPIRED], "valid_to": voucher.valid_to},
            )


def _redeemed_message(voucher: Voucher) -> str:
    last = voucher.redemptions.select_related("merchant").order_by("-redeemed_at").first()
    if last is None:
        return _("This voucher has been redeemed.")
    return _("This voucher was already redeemed on %(when)s at %(merchant)s.") % {
        "when": timezone.localtime(last.redeemed_at).strftime("%Y-%m-%d %H:%M"),
        "merchant": last.merchant.name,
    }


def voucher_refusal(voucher: Voucher, *, today: dt.date | None = None) -> str:
    """Why the voucher cannot be redeemed today, or "" when it can (the check page shows the same)."""
    today = today or timezone.localdate()
    if voucher.status == Status.VOID:
        return _("This voucher was cancelled by the union office and cannot be redeemed.")
    if voucher.status == Status.REDEEMED:
        return _redeemed_message(voucher)
    if voucher.status == Status.EXPIRED or voucher.valid_to < today:
        return _("This voucher expired on %(day)s.") % {"day": voucher.valid_to.isoformat()}
    if voucher.valid_from > today:
        return _("This voucher is valid from %(day)s; it cannot be redeemed yet.") % {
            "day": voucher.valid_from.isoformat()
        }
    return ""


def voucher_redeem(
    *,
    actor: Any,
    code: str,
    amount: Any = None,
    seen_redeemed: Any = None,
    merchant: Merchant | None = None,
) -> Redemption:
    """Redeem the voucher with ``code`` at the actor's merchant: in full (``amount`` None), or ``amount``
    yuan of it when the voucher may be redeemed in parts. ``seen_redeemed`` is what the check page showed as
    already redeemed: a second submit of the same page (or a redemption by another counter meanwhile) is
    refused instead of redeeming twice."""
    if not actor.has_unit_perm("welfare.redeem"):
        raise PermissionDenied
    normalised = normalise_code(code)
    if not normalised:
        raise ValidationError({"code": _("Enter the voucher code, or scan the member's QR code.")})
    counters = merchants_of(actor)
    if merchant is not None:
        counters = [m for m in counters if m.pk == merchant.pk]
    voucher = (
        Voucher.objects.select_related("issuance__person__user", "issuance__unit", "issuance__item")
        .filter(code=normalised, merchants__in=counters)
        .first()
        if counters
        else None
    )
    if voucher is None:
        raise ValidationError({"code": not_here_message(normalised)})
    at = next(m for m in counters if voucher.merchants.filter(pk=m.pk).exists())
    today = timezone.localdate()
    refusal = voucher_refusal(voucher, today=today)
    if refusal:
        if voucher.status == Status.ACTIVE and voucher.valid_to < today:
            _mark_expired(voucher)
        raise ValidationError({"code": refusal})
    balance = voucher.value - voucher.redeemed_amount
    if amount in (None, ""):
        value = balance
    else:
        value = _amount(amount)
        if value <= 0:
            raise ValidationError({"amount": _("The amount must be more than zero.")})
        if value > balance:
            raise ValidationError(
                {"amount": _("Only %(balance)s yuan is left on this voucher.") % {"balance": balance}}
            )
        if not voucher.allow_partial and value != balance:
            raise ValidationError(
                {
                    "amount": _("This voucher is redeemed in full only: %(balance)s yuan.")
                    % {"balance": balance}
                }
            )
    if seen_redeemed not in (None, "") and _amount(seen_redeemed) != voucher.redeemed_amount:
        raise ValidationError(
            {
                "code": _(
                    "This voucher was redeemed meanwhile (another counter, or a second click). Check it again."
                )
            }
        )
    with transaction.atomic():
        after = voucher.redeemed_amount + value
        updated = Voucher.objects.filter(
            pk=voucher.pk,
            status=Status.ACTIVE,
            redeemed_amount=voucher.redeemed_amount,
            valid_from__lte=today,
            valid_to__gte=today,
        ).update(redeemed_amount=after, status=Status.REDEEMED if after == voucher.value else Status.ACTIVE)
        if updated != 1:
            voucher.refresh_from_db()
            raise ValidationError(
                {
                    "code": voucher_refusal(voucher, today=today)
                    or _("This voucher was redeemed meanwhile by another counter. Check it again.")
                }
            )
        redemption = Redemption.objects.create(
            voucher=voucher, merchant=at, amount=value, redeemed_at=timezone.now(), redeemed_by=actor
        )
        issuance = voucher.issuance
        person = issuance.person
        link = reverse("welfare:my_voucher", args=[voucher.pk])
        service_records.service_record_add(
            person=person,
            unit=issuance.unit,
            kind="welfare.redeemed",
            title=_("提货券 redeemed at %(merchant)s") % {"merchant": at.name},
            key=f"welfare.redemption:{redemption.pk}",
            occurred_at=redemption.redeemed_at,
            amount=value,
            link=link,
        )
        audit(
            actor=actor,
            action="welfare.voucher.redeemed",
            target=voucher,
            unit=issuance.unit,
            changes={
                "merchant": at.name,
                "amount": value,
                "redeemed": [voucher.redeemed_amount, after],
                "redemption": redemption.pk,
            },
        )
        if person.user_id is not None:
            notify(
                recipients=[person.user],
                kind="welfare.voucher.redeemed",
                title=_("Your 提货券 was redeemed at %(merchant)s") % {"merchant": at.name},
                body=_("%(amount)s yuan redeemed; %(balance)s yuan left.")
                % {"amount": value, "balance": voucher.value - after},
                link=link,
            )
    voucher.redeemed_amount = after
    voucher.status = Status.REDEEMED if after == voucher.value else Status.ACTIVE
    return redemption


def vouchers_expire(*, today: dt.date | None = None) -> int:
    """Mark the valid vouchers past their date as expired; how many. Idempotent (a second run finds none);
    pages derive the same state from the date, so nothing reads stale when this did not run."""
    today = today or timezone.localdate()
    with transaction.atomic():
        count = Voucher.objects.filter(status=Status.ACTIVE, valid_to__lt=today).update(status=Status.EXPIRED)
        if count:
            audit(
                actor=None,
                action="welfare.voucher.expired",
                changes={"count": count, "before": today.isoformat()},
            )
    return count


# -- merchants -----------------------------------------------------------------------------------------


def _require_office(actor: Any) -> None:
    """Merchants serve the whole school: managing them is the school union office's."""
    if actor is None or not actor.scope_for("welfare.merchants.manage").at_top:
        raise PermissionDenied


@transaction.atomic
def merchant_save(
    *,
    actor: Any,
    merchant: Merchant | None = None,
    name: str,
    contact: str = "",
    address: str = "",
    is_active: bool = True,
) -> Merchant:
    _require_office(actor)
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Enter the shop's name.")})
    clash = Merchant.objects.filter(name=name)
    if merchant is not None:
        clash = clash.exclude(pk=merchant.pk)
    if clash.exists():
        raise ValidationError({"name": _("A merchant named %(name)s exists already.") % {"name": name}})
    values = {
        "name": name,
        "contact": clean_text(contact),
        "address": clean_text(address),
        "is_active": is_active,
    }
    if merchant is None:
        try:
            with transaction.atomic():
                merchant = Merchant.objects.create(**values)
        except IntegrityError:
            raise ValidationError(
                {"name": _("A merchant named %(name)s exists already.") % {"name": name}}
            ) from None
        audit(actor=actor, action="welfare.merchant.created", target=merchant, changes=values)
        return merchant
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    changes = {k: [getattr(merchant, k), v] for k, v in values.items() if getattr(merchant, k) != v}
    if changes:
        for key, value in values.items():
            setattr(merchant, key, value)
        merchant.save(update_fields=list(values))
        audit(actor=actor, action="welfare.merchant.updated", target=merchant, changes=changes)
    return merchant


def _top_unit(actor: Any) -> Any:
    for path in sorted(actor.scope_for("welfare.merchants.manage").paths):
        if path.count("/") == 1:
            return org_selectors.unit_by_path(path)
    return org_selectors.top_unit()


@transaction.atomic
def merchant_user_add(
    *, actor: Any, merchant: Merchant, staff_no: str, name: str = "", mobile: str = ""
) -> tuple[Any, str]:
    """Give the merchant a cashier account: a new account (its initial password is returned, to be handed
    over once) or an existing one found by its login. The account holds the 商户 role at the top unit."""
    _require_office(actor)
    login = clean_text(staff_no).replace(" ", "")
    if not login:
        raise ValidationError({"staff_no": _("Enter the login of the cashier account, e.g. SH-0001.")})
    user = account_selectors.user_by_staff_no(login)
    initial = ""
    if user is None:
        if not clean_text(name):
            raise ValidationError({"name": _("Enter the cashier's name for the new account.")})
        # The office acts here through its own permission; the accounts service runs as the system, since
        # the office does not itself hold the merchant's 核销 permission it hands out.
        user, initial = account_services.user_create(actor=None, staff_no=login, name=name, mobile=mobile)
    elif merchant.users.filter(pk=user.pk).exists():
        raise ValidationError(
            {
                "staff_no": _("%(user)s is already a cashier of %(merchant)s.")
                % {"user": user, "merchant": merchant}
            }
        )
    if not user.is_active:
        raise ValidationError({"staff_no": _("The account %(login)s is deactivated.") % {"login": login}})
    if not user.has_unit_perm("welfare.redeem"):
        role = account_selectors.roles_with_permissions().get(code=MERCHANT_ROLE)
        account_services.role_assign(actor=None, user=user, role=role, unit=_top_unit(actor))
    merchant.users.add(user)
    audit(
        actor=actor,
        action="welfare.merchant.cashier_added",
        target=merchant,
        changes={"cashier": f"{user.staff_no} {user.name}", "new_account": bool(initial)},
    )
    return user, initial


@transaction.atomic
def merchant_user_remove(*, actor: Any, merchant: Merchant, user: Any) -> None:
    """Take a cashier off a merchant; an account that then serves no merchant is deactivated."""
    _require_office(actor)
    if not merchant.users.filter(pk=user.pk).exists():
        raise ValidationError(
            _("%(user)s is not a cashier of %(merchant)s.") % {"user": user, "merchant": merchant}
        )
    merchant.users.remove(user)
    audit(
        actor=actor,
        action="welfare.merchant.cashier_removed",
        target=merchant,
        changes={"cashier": f"{user.staff_no} {user.name}"},
    )
    # A member's own account (a staff member serving at the counter) keeps working for the portal: only an
    # account made for the counter, with no person behind it, is deactivated.
    if (
        not user.merchants.exists()
        and not user.has_unit_perm("core.console")
        and member_selectors.person_of_user(user) is None
    ):
        account_services.user_set_active(actor=None, user=user, active=False)


# -- settlement ----------------------------------------------------------------------------------------

EXPENSED_BY_SOURCE = ("programme:", "birthday:", "care:")


def _expensed_by_its_source(issuance: Any) -> bool:
    return bool(issuance.programme_id) or issuance.key.startswith(EXPENSED_BY_SOURCE)


def _category(code: str) -> Any:
    category = finance_selectors.category_by_code(code)
    if category is None:
        raise ValidationError(
            _("The expense category %(code)s is not in the chart of categories: add it, or change the item.")
            % {"code": code}
        )
    return category


def settlement_create(
    *, actor: Any, merchant: Merchant, period_from: dt.date, period_to: dt.date
) -> Settlement:
    """Settle every redemption of the merchant in the period not settled before: one settlement, the
    redemptions linked to it, and the expense of those not expensed at issuance posted (see above)."""
    _require_office(actor)
    if period_from > period_to:
        raise ValidationError({"period_to": _("The end of the period is before its start.")})
    if period_to > timezone.localdate():
        raise ValidationError(
            {"period_to": _("A period can be settled once it is over: end it today at the latest.")}
        )
    with transaction.atomic():
        # One settlement of a merchant at a time: a double click or two officers settle once.
        Merchant.objects.select_for_update().get(pk=merchant.pk)
        redemptions = list(
            Redemption.objects.select_for_update(of=("self",))
            .select_related("voucher__issuance__item", "voucher__issuance__unit")
            .filter(
                merchant=merchant,
                settlement__isnull=True,
                redeemed_at__date__gte=period_from,
                redeemed_at__date__lte=period_to,
            )
            .order_by("pk")
        )
        if not redemptions:
            raise ValidationError(
                _("%(merchant)s has no unsettled redemptions from %(start)s to %(end)s.")
                % {"merchant": merchant.name, "start": period_from, "end": period_to}
            )
        total = sum((r.amount for r in redemptions), Decimal("0.00"))
        settlement = Settlement.objects.create(
            merchant=merchant,
            period_from=period_from,
            period_to=period_to,
            total=total,
            count=len(redemptions),
            settled_by=actor,
            settled_at=timezone.now(),
        )
        Redemption.objects.filter(pk__in=[r.pk for r in redemptions]).update(settlement=settlement)
        to_expense: dict[Any, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        units: dict[int, Any] = {}
        for redemption in redemptions:
            issuance = redemption.voucher.issuance
            # Programmes, birthdays and care visits expense what they issue themselves (a programme only
            # when its run completes): only a voucher issued outside them is expensed at settlement.
            if issuance.entry_id_ref is None and not _expensed_by_its_source(issuance):
                units[issuance.unit_id] = issuance.unit
                to_expense[issuance.unit_id][issuance.item.expense_category_code] += redemption.amount
        entry_ids = []
        for unit_id, by_code in sorted(to_expense.items()):
            unit_total = sum(by_code.values(), Decimal("0.00"))
            lines = [
                finance_services.Line(category=_category(code), amount=amount)
                for code, amount in sorted(by_code.items())
            ]
            lines.append(finance_services.Line(account="funds", amount=-unit_total))
            posting = finance_services.entry_post(
                actor=actor,
                idempotency_key=f"{SETTLEMENT_SOURCE}:{settlement.pk}:unit:{unit_id}",
                unit=units[unit_id],
                posted_on=timezone.localdate(),
                memo=_("提货券 settlement %(merchant)s %(start)s–%(end)s")
                % {"merchant": merchant.name, "start": period_from, "end": period_to},
                lines=lines,
                source_type=SETTLEMENT_SOURCE,
                source_id=settlement.pk,
            )
            entry_ids.append(posting.entry.pk)
        if entry_ids:
            settlement.entry_id_ref = entry_ids[0]
            settlement.save(update_fields=["entry_id_ref"])
        audit(
            actor=actor,
            action="welfare.settlement.created",
            target=settlement,
            unit=_top_unit(actor),
            changes={
                "merchant": merchant.name,
                "period": [period_from, period_to],
                "count": len(redemptions),
                "total": total,
                "entries": entry_ids,
            },
        )
    return settlement
