"""The union's books: the chart of categories, fiscal years, budget lines and the append-only ledger.

Entries and their lines are never updated or deleted: a correction is a reversal plus a new entry. The
models refuse it, and on PostgreSQL triggers refuse it too (migration 0002), and a deferred constraint
trigger checks at commit that every entry's lines sum to zero. Entries are hash-chained (``ChainHead``
holds the end of the chain and is the lock that serialises postings); ``finance_verify`` recomputes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """One category of the chart (收支科目), in a tree, effective-dated, with its overspend rule."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")
        # Where opening balances are carried in from before the books (上年结余); never budgeted.
        NET_ASSETS = "net_assets", _("Net assets")

    class Overspend(models.TextChoices):
        STOP = "stop", _("Stop: refuse spending beyond the budget")
        WARN = "warn", _("Warn: allow spending beyond the budget with a warning")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    overspend = models.CharField(
        _("overspend control"), max_length=10, choices=Overspend.choices, default=Overspend.STOP
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="finance_category_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class FiscalYear(models.Model):
    """A year of the books; once closed it accepts no postings."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class BudgetLine(models.Model):
    """The budget of one unit for one category in one year (spent is computed from the ledger)."""

    year = models.PositiveIntegerField(_("year"))
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="budget_lines"
    )
    amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2)

    UNIT_MERGE_POLICY = "keep"  # a merged unit's budgets are its history

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["year", "unit", "category__code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "category"], name="finance_budget_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="finance_budget_line_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit} {self.category}: {self.amount}"


class LedgerIsAppendOnly(Exception):
    """Raised on any attempt to change or remove a posted entry or one of its lines."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise LedgerIsAppendOnly("Posted entries cannot be changed; post a reversal.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("Posted entries cannot be deleted; post a reversal.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerIsAppendOnly("Posted entries cannot be changed; post a reversal.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerIsAppendOnly("Posted entries cannot be deleted; post a reversal.")


class ChainHead(models.Model):
    """One row: the last entry's sequence number and hash. Locking it serialises postings."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("chain head")
        verbose_name_plural = _("chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class Entry(AppendOnlyModel):
    """One journal entry (记账凭证): balanced lines, posted once, hash-chained to the previous one."""

    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    posted_on = models.DateField(_("date"), db_index=True)
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(_("memo"), max_length=200)
    source_type = models.CharField(_("source"), max_length=100, blank=True)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("reversal of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()
    UNIT_MERGE_POLICY = "keep"  # the books of a merged unit stay its books

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["seq"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="finance_entry_source_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.posted_on} {self.memo}"


class EntryLine(AppendOnlyModel):
    """One line of an entry: debit positive, credit negative, on a category or on the unit's funds."""

    class Account(models.TextChoices):
        CATEGORY = "category", _("Category")
        FUNDS = "funds", _("Funds (cash and bank)")

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="lines")
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.CharField(_("ledger account"), max_length=10, choices=Account.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entry_lines",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    objects = AppendOnlyQuerySet.as_manager()
    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("entry line")
        verbose_name_plural = _("entry lines")
        ordering = ["entry", "id"]
        indexes = [models.Index(fields=["unit", "category"], name="finance_line_unit_cat_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="finance_line_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(account="category", category__isnull=False)
                | Q(account="funds", category__isnull=True),
                name="finance_line_account_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.account} {self.category_id or ''} {self.amount}"


class SpendingRequest(models.Model):
    """A unit's request to spend against one of its budget lines (支出申请): submitted, approved (the
    amount is then committed against the line), paid (posted to the books, the commitment released)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved, awaiting payment")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="spending_requests"
    )
    title = models.CharField(_("title"), max_length=100)
    purpose = models.TextField(_("purpose"), max_length=2000)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    payee = models.CharField(_("payee"), max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first approver"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_approved_at = models.DateTimeField(_("first approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_warning = models.TextField(_("approval warning"), blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    entry = models.ForeignKey(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    UNIT_MERGE_POLICY = "keep"  # a merged unit's requests are its history

    class Meta:
        verbose_name = _("spending request")
        verbose_name_plural = _("spending requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["budget_line", "status"], name="finance_spending_line_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_spending_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.amount})"


class SpendingAttachment(models.Model):
    """An invoice or receipt of a spending request (JPEG, PNG or PDF), kept in the database."""

    request = models.ForeignKey(
        SpendingRequest,
        verbose_name=_("spending request"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class BudgetAllocation(models.Model):
    """One application of the allocation formula (经费分配): for a year and an expense category, each chosen
    unit's budget becomes a per-member amount × its member count on a date, plus a fixed amount. The rows
    keep what was computed and what each line held before, so the allocation explains itself later."""

    year = models.PositiveIntegerField(_("year"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="allocations"
    )
    counted_on = models.DateField(_("members counted on"))
    per_member = models.DecimalField(_("amount per member"), max_digits=10, decimal_places=2)
    fixed_amount = models.DecimalField(_("fixed amount per unit"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)

    class Meta:
        verbose_name = _("budget allocation")
        verbose_name_plural = _("budget allocations")
        ordering = ["-applied_at"]
        constraints = [
            models.CheckConstraint(condition=Q(per_member__gte=0), name="finance_allocation_per_member"),
            models.CheckConstraint(condition=Q(fixed_amount__gte=0), name="finance_allocation_fixed"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.category}"


class BudgetAllocationRow(models.Model):
    """One unit's share of an allocation: its member count, the computed budget and the amount before."""

    allocation = models.ForeignKey(
        BudgetAllocation, verbose_name=_("allocation"), on_delete=models.CASCADE, related_name="rows"
    )
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.PositiveIntegerField(_("members"))
    amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2)
    previous_amount = models.DecimalField(
        _("budget before"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="+"
    )

    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("allocation row")
        verbose_name_plural = _("allocation rows")
        ordering = ["allocation", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "unit"], name="finance_allocation_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.amount}"


class BudgetAdjustment(models.Model):
    """A change of a budget line's amount (预算调整), requested with a reason and applied only when someone
    other than the requester approves it; the list of a line's adjustments is its history."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")  # withdrawn by the requester (已撤回)

    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="adjustments"
    )
    amount_before = models.DecimalField(_("budget before"), max_digits=12, decimal_places=2)
    amount_after = models.DecimalField(_("budget after"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("budget adjustment")
        verbose_name_plural = _("budget adjustments")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_after__gte=0), name="finance_adjustment_not_negative"),
            # One open request per line: two pending changes of one amount would contradict each other.
            models.UniqueConstraint(
                fields=["budget_line"],
                condition=Q(status="pending"),
                name="finance_adjustment_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget_line}: {self.amount_before} → {self.amount_after}"


class FundsAllocationIncome(models.Model):
    """A month's 拨缴经费: the school pays 2 % of its payroll to the unions; the union keeps its share
    (typically 60 %) and the rest goes to the higher-level union. Only the kept share is posted as income."""

    month = models.DateField(_("month"), unique=True)  # the first day of the month
    payroll_total = models.DecimalField(_("payroll total"), max_digits=14, decimal_places=2)
    rate = models.DecimalField(_("allocation rate"), max_digits=5, decimal_places=4)
    retained_share = models.DecimalField(_("share kept"), max_digits=5, decimal_places=4)
    allocation = models.DecimalField(_("allocation (2%)"), max_digits=14, decimal_places=2)
    retained = models.DecimalField(_("kept by the union"), max_digits=14, decimal_places=2)
    upward = models.DecimalField(_("to the higher-level union"), max_digits=14, decimal_places=2)
    entry = models.OneToOneField(
        Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="funds_allocation"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("allocated funds income")
        verbose_name_plural = _("allocated funds income")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(payroll_total__gt=0), name="finance_allocation_payroll_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.retained}"


class YearBalance(models.Model):
    """A unit's funds in a closed year: opening, income, expense and closing, frozen when the year closes;
    the closing balance is the next year's opening balance."""

    year = models.PositiveIntegerField(_("year"))
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    opening = models.DecimalField(_("opening balance"), max_digits=14, decimal_places=2)
    income = models.DecimalField(_("income"), max_digits=14, decimal_places=2)
    expense = models.DecimalField(_("expense"), max_digits=14, decimal_places=2)
    closing = models.DecimalField(_("closing balance"), max_digits=14, decimal_places=2)

    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("year balance")
        verbose_name_plural = _("year balances")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="finance_year_balance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit}: {self.closing}"
