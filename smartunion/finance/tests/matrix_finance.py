"""Permission-matrix helpers for finance (used by tests/test_permission_matrix.py): per side a budget line,
a submitted and an approved spending request with an invoice, filed by a sub-union chair of that unit,
a posted entry, a second line with a pending budget adjustment filed by a union staff member of the unit,
and an allocation (applied by the school union office) that set a third line."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from smartunion.finance import adjustments, allocation, services, spending
from smartunion.finance.models import BudgetLine, Category

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    line = BudgetLine.objects.create(
        year=timezone.localdate().year,
        unit=unit,
        category=Category.objects.get(code="50101"),
        amount="10000.00",
    )
    chair = make_user("subunion_chair", unit, name=f"{side}申请人")
    approver = make_user("union_chair", unit, name=f"{side}审批人")

    def file(title: str) -> Any:
        return spending.spending_request_submit(
            actor=chair,
            budget_line=line,
            title=title,
            purpose="活动经费",
            amount="100.00",
            payee="某商店",
            attachments=[spending.Upload("invoice.png", PNG)],
        )

    submitted = file("待审批")
    approved = file("已审批")
    spending.spending_request_approve(actor=approver, request=approved)
    setattr(world, f"{side}_budget_line", line)
    setattr(world, f"{side}_spending", submitted)
    setattr(world, f"{side}_approved_spending", approved)
    setattr(world, f"{side}_attachment", submitted.attachments.get())
    posting = services.entry_post(
        actor=None,
        idempotency_key=f"matrix:{side}",
        unit=unit,
        posted_on=timezone.localdate(),
        memo="矩阵测试",
        lines=[
            services.Line(category=line.category, amount="10.00"),
            services.Line(account="funds", amount="-10.00"),
        ],
    )
    setattr(world, f"{side}_entry", posting.entry)
    adjusted = BudgetLine.objects.create(
        year=line.year, unit=unit, category=Category.objects.get(code="50201"), amount="5000.00"
    )
    requester = make_user("union_staff", unit, name=f"{side}预算干事")
    setattr(
        world,
        f"{side}_adjustment",
        adjustments.adjustment_request(
            actor=requester, line=adjusted, amount_after="6000.00", reason="活动增加"
        ),
    )
    school = make_user("union_staff", unit.parent, name=f"{side}校工会干事")
    setattr(
        world,
        f"{side}_allocation",
        allocation.allocation_apply(
            actor=school,
            year=line.year,
            category=Category.objects.get(code="50202"),
            counted_on=timezone.localdate(),
            per_member="0",
            fixed_amount="1000.00",
            units=[unit],
        ),
    )
