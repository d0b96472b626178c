"""The demo university's books, made through the finance services so every figure has its entries, its
audit trail and its hash chain: last year opened, funded, spent and closed (its closing balances carried
into this year), this year's budgets allocated by formula, 拨缴经费 and 会费 income month by month, and
spending requests at every step of their approval, with a budget adjustment awaiting approval."""

from __future__ import annotations

import datetime as dt
import random
import struct
import zlib
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from smartunion.finance import adjustments, allocation, income, spending, years
from smartunion.finance.models import BudgetLine, Category
from smartunion.members.models import Person
from smartunion.members.services import dues as dues_services

# (category code, per member, fixed per 分工会) — the school's formula for each sub-union budget
FORMULAS = [("50101", "60.00", "3000.00"), ("50203", "450.00", "2000.00"), ("50103", "0.00", "2000.00")]
# the school union's own lines (校工会本级)
SCHOOL_BUDGET = [("50102", "600000.00"), ("50201", "150000.00"), ("50202", "120000.00"), ("503", "80000.00")]
REQUESTS = [
    ("50101", "教职工羽毛球比赛场地及奖品", "学校体育馆", "2860.00"),
    ("50101", "迎新春趣味运动会", "江海体育用品商店", "4180.00"),
    ("50203", "生病住院教职工慰问", "江海大学附属医院超市", "1200.00"),
    ("50103", "分工会委员业务培训", "江海市职工培训中心", "1650.00"),
    ("50101", "读书沙龙图书采购", "新华书店", "960.00"),
]


def invoice_png() -> bytes:
    """A small PNG standing in for a scanned invoice (the demo ships no files)."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    raw = b"".join(b"\x00" + b"\xf5\xf0\xe6" * 8 for _row in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _payroll(rng: random.Random) -> Decimal:
    """A month's payroll: the staff's post and grade salaries with allowances (about 2.6 times)."""
    base = Person.objects.filter(is_active=True).aggregate(total=Sum("post_salary") + Sum("grade_salary"))[
        "total"
    ] or Decimal("0")
    factor = Decimal("2.6") + Decimal(rng.randint(-5, 5)) / Decimal("100")
    return (base * factor).quantize(Decimal("0.01"))


def _budget(year: int, *, staff: Any, root: Any, branches: list[Any], counted_on: dt.date) -> None:
    for code, per_member, fixed in FORMULAS:
        allocation.allocation_apply(
            actor=staff,
            year=year,
            category=Category.objects.get(code=code),
            counted_on=counted_on,
            per_member=per_member,
            fixed_amount=fixed,
            units=branches,
            note=f"{year}年工会经费预算（校工会委员会审议通过）",
        )
    for code, amount in SCHOOL_BUDGET:
        BudgetLine.objects.get_or_create(
            year=year, unit=root, category=Category.objects.get(code=code), defaults={"amount": amount}
        )


def _request(actor: Any, line: BudgetLine, title: str, payee: str, amount: str) -> Any:
    # A small demo university has small budgets: never ask for more than half a line.
    value = min(Decimal(amount), (line.amount / 2).quantize(Decimal("10")))
    return spending.spending_request_submit(
        actor=actor,
        budget_line=line,
        title=title,
        purpose=f"{line.unit.name}{title}，按校工会经费管理办法列支。",
        amount=value,
        payee=payee,
        attachments=[spending.Upload("发票.png", invoice_png())],
    )


def seed_finance(
    *, staff: Any, approver: Any, chairs: dict[int, Any], root: Any, branches: list[Any], seed: int
) -> dict[str, int]:
    """Fill the books. ``chairs`` maps a 分工会's id to its chair (the requester); ``staff`` is the union
    office's 干事 (posts, allocates) and ``approver`` the union chair (approves)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    this_year, last_year = today.year, today.year - 1
    with_chair = [branch for branch in branches if branch.pk in chairs]
    counts = {"requests": 0, "months": 0}

    # Last year: balances carried in from the paper books, a year of income and spending, then closed.
    for unit, amount in [(root, "1286000.00")] + [
        (branch, f"{rng.randint(12, 60) * 1000}.00") for branch in branches
    ]:
        years.opening_balance_record(
            actor=staff, unit=unit, year=last_year, amount=amount, note="启用系统前的账面结余（手工账）"
        )
    _budget(last_year, staff=staff, root=root, branches=branches, counted_on=dt.date(last_year, 1, 1))
    for month in range(1, 13):
        income.allocation_income_record(
            actor=staff, month=dt.date(last_year, month, 1), payroll_total=_payroll(rng)
        )
    for number, branch in enumerate(with_chair[:8]):
        code, title, payee, amount = REQUESTS[number % len(REQUESTS)]
        line = BudgetLine.objects.get(year=last_year, unit=branch, category__code=code)
        request = _request(chairs[branch.pk], line, title, payee, amount)
        spending.spending_request_approve(actor=approver, request=request)
        spending.spending_request_pay(actor=staff, request=request)
        counts["requests"] += 1
    years.year_close(actor=staff, year=last_year)

    # This year: budgets by formula, income month by month, requests at every step.
    _budget(this_year, staff=staff, root=root, branches=branches, counted_on=dt.date(this_year, 1, 1))
    for month in range(1, today.month):
        first = dt.date(this_year, month, 1)
        income.allocation_income_record(actor=staff, month=first, payroll_total=_payroll(rng))
        counts["months"] += 1
        if month < today.month - 1:  # last month's dues are left for the office to record on the demo
            dues_services.dues_month_record(actor=staff, month=first)
            income.dues_income_record(actor=staff, month=first)
    steps = ["paid", "paid", "approved", "submitted", "rejected", "paid", "submitted", "paid"]
    for number, branch in enumerate(with_chair[:16]):
        code, title, payee, amount = REQUESTS[number % len(REQUESTS)]
        line = BudgetLine.objects.get(year=this_year, unit=branch, category__code=code)
        request = _request(chairs[branch.pk], line, title, payee, amount)
        step = steps[number % len(steps)]
        if step == "rejected":
            spending.spending_request_reject(
                actor=approver, request=request, reason="发票抬头与单位名称不符，请重新开具。"
            )
        elif step in ("approved", "paid"):
            spending.spending_request_approve(actor=approver, request=request)
            if step == "paid":
                spending.spending_request_pay(actor=staff, request=request)
        counts["requests"] += 1
    if with_chair:
        line = BudgetLine.objects.get(year=this_year, unit=with_chair[0], category__code="50101")
        adjustments.adjustment_request(
            actor=staff,
            line=line,
            amount_after=line.amount + Decimal("5000.00"),
            reason="承办全校教职工运动会分赛场，经费不足，申请追加预算。",
        )
    return counts
