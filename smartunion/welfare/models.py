"""Welfare and care: the benefit standards (慰问标准) as effective-dated rules, festival programmes with
member choice, what was issued to whom, 提货券 vouchers and their redemption by merchants, and care
visits (五必访).

Every benefit that reaches a member is one ``Issuance`` with a unique ``key`` naming why it was given
(``programme:12:person:7``, ``birthday:2026:person:7``, ``care:31``), so no run, retry or race issues it
twice. The year-to-date totals that the caps are checked against are sums of issuances.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Form(models.TextChoices):
    """How a benefit is given. The 八不准 forbid cash, 购物卡 and 代金券 for festival benefits."""

    IN_KIND = "in_kind", _("In kind (实物)")
    VOUCHER = "voucher", _("Goods voucher (提货券)")
    CASH = "cash", _("Cash (慰问金)")
    SHOPPING_CARD = "shopping_card", _("Shopping card (购物卡)")
    CASH_COUPON = "cash_coupon", _("Cash coupon (代金券)")


# Never allowed for a festival benefit (全总 2014 "八不准"; 苏工发〔2025〕8号).
FESTIVAL_FORBIDDEN_FORMS = (Form.CASH, Form.SHOPPING_CARD, Form.CASH_COUPON)


class CapGroup(models.Model):
    """Items whose benefits count against one yearly cap per member, e.g. 节日慰问 (all festivals)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("cap group")
        verbose_name_plural = _("cap groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GroupCap(models.Model):
    """The yearly cap per member of a group, effective-dated (Jiangsu: festivals ≤ 2,200 from 2025)."""

    group = models.ForeignKey(
        CapGroup, verbose_name=_("cap group"), on_delete=models.CASCADE, related_name="caps"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    cap_per_member_year = models.DecimalField(_("cap per member per year"), max_digits=12, decimal_places=2)
    needs_confirmation = models.BooleanField(_("to be confirmed (待确认)"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("yearly cap")
        verbose_name_plural = _("yearly caps")
        ordering = ["group", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["group", "effective_from"], name="welfare_group_cap_from_unique"),
            models.CheckConstraint(
                condition=Q(cap_per_member_year__gte=0), name="welfare_group_cap_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} ≤ {self.cap_per_member_year} ({self.effective_from})"


class WelfareItem(models.Model):
    """One kind of benefit (慰问项目): 春节, 生日, 生病住院 … Its amounts and rules live in its standards."""

    class Kind(models.TextChoices):
        FESTIVAL = "festival", _("Festival")
        BIRTHDAY = "birthday", _("Birthday")
        LIFE_EVENT = "life_event", _("Life event (care visit)")
        CHILDREN = "children", _("Children (六一)")
        WOMEN = "women", _("Women members (三八)")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    group = models.ForeignKey(
        CapGroup,
        verbose_name=_("cap group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    # Where its cost is posted in the books (an expense category code of the finance chart, e.g. 50203 慰问).
    expense_category_code = models.CharField(_("expense category code"), max_length=20, default="50203")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("welfare item")
        verbose_name_plural = _("welfare items")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class WelfareStandard(models.Model):
    """The rule of an item from a date (慰问标准): amount per event, cap per event, allowed forms, who may
    receive it. A standard the union has not confirmed yet is shown as 待确认."""

    item = models.ForeignKey(
        WelfareItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="standards"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    amount = models.DecimalField(_("standard amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    cap_per_event = models.DecimalField(
        _("cap per event"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    allowed_forms = models.JSONField(_("allowed forms"), default=list)
    eligible_statuses = models.JSONField(_("eligible membership statuses"), default=list)
    needs_confirmation = models.BooleanField(_("to be confirmed (待确认)"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("welfare standard")
        verbose_name_plural = _("welfare standards")
        ordering = ["item", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["item", "effective_from"], name="welfare_standard_from_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="welfare_standard_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.effective_from})"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class Merchant(models.Model):
    """A shop that redeems 提货券 vouchers; its accounts see one scan-and-redeem page."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("cashier accounts"), blank=True, related_name="merchants"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """A festival (or other) benefit for many members (e.g. 2026年端午节福利): a value per member, goods
    options to choose from until a deadline (else the default), an eligibility snapshot, then issuance."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CHOOSING = "choosing", _("Open for choice")
        ISSUING = "issuing", _("Issuing")
        ISSUED = "issued", _("Issued")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=100)
    item = models.ForeignKey(
        WelfareItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="programmes"
    )
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    value_per_member = models.DecimalField(_("value per member"), max_digits=12, decimal_places=2)
    eligible_statuses = models.JSONField(_("eligible membership statuses"), default=list)
    units: models.ManyToManyField = models.ManyToManyField(  # type: ignore[type-arg]
        settings.UNIT_MODEL, verbose_name=_("for the units"), blank=True, related_name="+"
    )
    counted_on = models.DateField(_("members counted on"))
    choice_deadline = models.DateTimeField(_("choice deadline"))
    default_option = models.ForeignKey(
        "ProgrammeOption",
        verbose_name=_("default option"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    budget_line = models.ForeignKey(
        "finance.BudgetLine",
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    voucher_valid_from = models.DateField(_("vouchers valid from"), null=True, blank=True)
    voucher_valid_to = models.DateField(_("vouchers valid until"), null=True, blank=True)
    allow_partial_redemption = models.BooleanField(_("vouchers may be redeemed in parts"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)

    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("benefit programme")
        verbose_name_plural = _("benefit programmes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_per_member__gt=0), name="welfare_programme_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProgrammeOption(models.Model):
    """One thing a member may choose (点单式): a gift box, a 提货券 of a merchant …"""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="options"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.VOUCHER)
    merchants = models.ManyToManyField(
        Merchant, verbose_name=_("valid at"), blank=True, related_name="options"
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["programme", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class Entitlement(models.Model):
    """A member in a programme's eligibility snapshot, with their choice and what became of it."""

    class Status(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        OVER_CAP = "over_cap", _("Over the yearly cap")
        ISSUED = "issued", _("Issued")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="entitlements"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    option = models.ForeignKey(
        ProgrammeOption,
        verbose_name=_("chosen option"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ELIGIBLE)
    note = models.CharField(_("note"), max_length=300, blank=True)

    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("entitlement")
        verbose_name_plural = _("entitlements")
        ordering = ["programme", "unit__path", "person__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="welfare_entitlement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.person_id}"


class Issuance(models.Model):
    """A benefit given to a member: once per ``key`` (the database refuses a second)."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    item = models.ForeignKey(
        WelfareItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="issuances"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issuances",
    )
    option = models.ForeignKey(
        ProgrammeOption,
        verbose_name=_("option"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    form = models.CharField(_("form"), max_length=20, choices=Form.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    year = models.PositiveIntegerField(_("year"), db_index=True)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The finance entry that carries its cost (a programme posts one entry per unit, not per member).
    entry_id_ref = models.PositiveBigIntegerField(_("finance entry"), null=True, blank=True)

    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("issued benefit")
        verbose_name_plural = _("issued benefits")
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["person", "year"], name="welfare_issuance_person_year")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="welfare_issuance_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.person_id}: {self.amount}"


class Voucher(models.Model):
    """A 提货券: an unguessable code shown as a QR on the member's phone, redeemable at its merchants."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("voucher state", "Valid")
        REDEEMED = "redeemed", pgettext_lazy("voucher state", "Redeemed")
        EXPIRED = "expired", pgettext_lazy("voucher state", "Expired")
        VOID = "void", pgettext_lazy("voucher state", "Void")

    issuance = models.OneToOneField(
        Issuance, verbose_name=_("issued benefit"), on_delete=models.PROTECT, related_name="voucher"
    )
    code = models.CharField(_("code"), max_length=32, unique=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    goods = models.CharField(_("goods"), max_length=200, blank=True)
    merchants = models.ManyToManyField(Merchant, verbose_name=_("valid at"), related_name="vouchers")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    allow_partial = models.BooleanField(_("may be redeemed in parts"), default=False)
    redeemed_amount = models.DecimalField(_("redeemed"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-valid_to", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(redeemed_amount__gte=0) & Q(redeemed_amount__lte=models.F("value")),
                name="welfare_voucher_redeemed_within_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code[:4]}… {self.value}"

    @property
    def balance(self):  # type: ignore[no-untyped-def]
        return self.value - self.redeemed_amount


class Settlement(models.Model):
    """A merchant's redemptions of a period settled and posted to the books (结算)."""

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="settlements"
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2)
    count = models.PositiveIntegerField(_("redemptions"))
    entry_id_ref = models.PositiveBigIntegerField(_("finance entry"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("settled by"), on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(_("settled at"), default=timezone.now)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-settled_at"]

    def __str__(self) -> str:
        return f"{self.merchant} {self.period_from}–{self.period_to}: {self.total}"


class Redemption(models.Model):
    """One redemption of (part of) a voucher at a merchant by a cashier."""

    voucher = models.ForeignKey(
        Voucher, verbose_name=_("voucher"), on_delete=models.PROTECT, related_name="redemptions"
    )
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="redemptions"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    redeemed_at = models.DateTimeField(_("redeemed at"), default=timezone.now)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("cashier"), on_delete=models.PROTECT, related_name="+"
    )
    settlement = models.ForeignKey(
        Settlement,
        verbose_name=_("settlement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redemptions",
    )

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-redeemed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="welfare_redemption_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} @ {self.merchant_id}: {self.amount}"


class CareEventType(models.Model):
    """A kind of event that calls for a care visit (五必访): 生病住院, 结婚, 生育, 丧, 退休, 生活困难, 意外 …"""

    class Level(models.TextChoices):
        SUBUNION = "subunion", _("Sub-union visits")
        SCHOOL = "school", _("School union visits")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    item = models.ForeignKey(
        WelfareItem,
        verbose_name=_("benefit item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible = models.CharField(
        _("who visits"), max_length=10, choices=Level.choices, default=Level.SUBUNION
    )
    visit_within_days = models.PositiveSmallIntegerField(_("visit within (days)"), default=7)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("care event type")
        verbose_name_plural = _("care event types")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class CareEvent(models.Model):
    """An event reported for a member (by the member, for a family member, or by an officer), routed for
    approval with the suggested amount, then visited and paid."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        APPROVED = "approved", _("Approved, to visit")
        VISITED = "visited", _("Visited")
        REJECTED = "rejected", _("Not approved")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        settings.UNIT_MODEL, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    event_type = models.ForeignKey(
        CareEventType, verbose_name=_("event"), on_delete=models.PROTECT, related_name="events"
    )
    occurred_on = models.DateField(_("date of the event"))
    description = models.TextField(_("description"), max_length=2000, blank=True)
    responsible = models.CharField(_("who visits"), max_length=10, choices=CareEventType.Level.choices)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REPORTED)
    suggested_amount = models.DecimalField(
        _("suggested amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("care event")
        verbose_name_plural = _("care events")
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["unit", "status"], name="welfare_care_unit_status")]

    def __str__(self) -> str:
        return f"{self.event_type}: {self.person_id}"


class CareVisit(models.Model):
    """The visit made for an event: when, who went (usually two or more), what was said and given."""

    event = models.OneToOneField(
        CareEvent, verbose_name=_("event"), on_delete=models.PROTECT, related_name="visit"
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visitors"), max_length=300)
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    issuance = models.OneToOneField(
        Issuance,
        verbose_name=_("payment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_visit",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_on"]

    def __str__(self) -> str:
        return f"{self.event} ({self.visited_on})"


class CareVisitPhoto(models.Model):
    """A photo of a visit (JPEG or PNG), kept in the database like the finance invoices."""

    visit = models.ForeignKey(
        CareVisit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos"
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class BirthdayRun(models.Model):
    """A month's birthday benefits have been issued (the scheduled job catches up on missed months)."""

    month = models.DateField(_("month"), unique=True)
    issued = models.PositiveIntegerField(_("issued"), default=0)
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)

    class Meta:
        verbose_name = _("birthday run")
        verbose_name_plural = _("birthday runs")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.issued}"
