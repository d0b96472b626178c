"""Giving a benefit to a member: one ``Issuance`` per key (a second call with the same key returns the
first and issues nothing), its 提货券 when the form is a voucher, and the line in the member service ledger.

The callers (programmes, birthdays, care visits) check eligibility and caps and post the cost to finance;
this module only records what was given, the same way for all of them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from smartunion.members.services import service_records

from ..models import Form, Issuance, Merchant, Programme, ProgrammeOption, Voucher, WelfareItem

# 20 characters from a 31-letter alphabet without look-alikes (0/O, 1/I/L): about 99 bits, typed at a counter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20


def new_voucher_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass
class VoucherSpec:
    """What the 提货券 of an issuance is: its value (or goods), where and until when it is valid."""

    valid_from: dt.date
    valid_to: dt.date
    merchants: list[Merchant] = field(default_factory=list)
    goods: str = ""
    allow_partial: bool = False


@dataclass
class Issued:
    issuance: Issuance
    created: bool  # False: the key was issued before; nothing new was written


def issue(
    *,
    key: str,
    item: WelfareItem,
    person: Any,
    unit: Any,
    amount: Decimal,
    form: str,
    day: dt.date,
    actor: Any = None,
    programme: Programme | None = None,
    option: ProgrammeOption | None = None,
    voucher: VoucherSpec | None = None,
    title: str = "",
) -> Issued:
    """Issue once per ``key``; a voucher form needs a ``VoucherSpec``."""
    existing = Issuance.objects.filter(key=key).first()
    if existing is not None:
        return Issued(issuance=existing, created=False)
    if form == Form.VOUCHER and voucher is None:
        raise ValueError("A voucher benefit needs its voucher (VoucherSpec).")
    try:
        with transaction.atomic():
            issuance = Issuance.objects.create(
                key=key,
                item=item,
                person=person,
                unit=unit,
                programme=programme,
                option=option,
                form=form,
                amount=amount,
                year=day.year,
                issued_on=day,
                issued_at=timezone.now(),
                issued_by=actor if getattr(actor, "pk", None) else None,
            )
            if form == Form.VOUCHER and voucher is not None:
                created = Voucher.objects.create(
                    issuance=issuance,
                    code=new_voucher_code(),
                    value=amount,
                    goods=voucher.goods[:200],
                    valid_from=voucher.valid_from,
                    valid_to=voucher.valid_to,
                    allow_partial=voucher.allow_partial,
                )
                if voucher.merchants:
                    created.merchants.set(voucher.merchants)
            service_records.service_record_add(
                person=person,
                unit=unit,
                kind="welfare.issued",
                title=title or str(programme or item),
                key=f"welfare.{key}",
                occurred_at=issuance.issued_at,
                amount=amount,
                link=reverse("welfare:my_benefits"),
            )
    except IntegrityError:
        winner = Issuance.objects.filter(key=key).first()
        if winner is None:
            raise
        return Issued(issuance=winner, created=False)
    return Issued(issuance=issuance, created=True)
