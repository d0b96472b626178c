"""困难职工帮扶: hardship files (一户一档), their procedure and dynamic management, and the assistance
programmes (临时补助, 爱心扶助金 …) with their applications.

This module holds the most sensitive data in the product (PIPL 敏感个人信息): every family financial and
health field is encrypted at rest (``EncryptedTextField`` / ``EncryptedDecimalField``), lists show only
masked values or categories, and every view of the full figures or of a document is audit-logged by the
services. Plain columns are only what filters and aggregate counts need (status, category, cause, unit).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartunion.core.fields import EncryptedDecimalField, EncryptedTextField
from smartunion.core.models import TimeStampedModel


def _officer(label: Any) -> Any:
    """The officer who took a step of a procedure (reviewed, approved, resolved …): empty until it is taken."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class DibaoStandard(models.Model):
    """The local minimum living standard (最低生活保障标准, 低保) per city and year, set by 民政."""

    city = models.CharField(_("city"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year"))
    monthly_amount = models.DecimalField(_("monthly amount per person"), max_digits=10, decimal_places=2)
    note = models.CharField(_("source"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("minimum living standard")
        verbose_name_plural = _("minimum living standards")
        ordering = ["city", "-year"]
        constraints = [models.UniqueConstraint(fields=["city", "year"], name="dibao_city_year_unique")]

    def __str__(self) -> str:
        return f"{self.city} {self.year}"


class Consent(models.Model):
    """The separate, explicit consent (PIPL art. 29–31) given with a hardship application or an assistance
    application: the notice exactly as shown (what is collected, why, how long kept), who gave it and how.
    An officer applying on a member's behalf records the member's signed paper form (method "paper")."""

    class Purpose(models.TextChoices):
        HARDSHIP_FILE = "hardship_file", _("Hardship file")
        ASSISTANCE = "assistance", _("Assistance application")

    class Method(models.TextChoices):
        ONLINE = "online", _("Given online by the member")
        PAPER = "paper", _("Signed paper form, recorded by an officer")

    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    notice_version = models.CharField(_("notice version"), max_length=20)
    notice_text = models.TextField(_("notice shown"))
    method = models.CharField(_("how given"), max_length=10, choices=Method.choices)
    # Children under 14 in the family: their data needs the guardian's consent (PIPL art. 31).
    guardian_consent = models.BooleanField(_("guardian's consent for minors"), default=False)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.given_at:%Y-%m-%d}"


class Category(models.TextChoices):
    """The three national categories (domain.md §4.1) and "none" when the figures meet none of them."""

    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    ACCIDENT = "accident", _("意外致困")
    NONE = "none", _("Not in hardship by the standard")


class HardshipFile(TimeStampedModel):
    """困难职工档案: one file per family (一户一档)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPLIED = "applied", _("Awaiting the home visit")
        VISITED = "visited", _("Awaiting the sub-union's review")
        NOTICE = "notice", _("Public notice (公示)")
        ACTIVE = "active", _("Active (在档)")
        EXITED = "exited", _("Out of hardship (已脱困)")
        REMOVED = "removed", _("Removed (退档)")
        REJECTED = "rejected", _("Not approved")
        WITHDRAWN = "withdrawn", pgettext_lazy("application", "Withdrawn")

    OPEN_STATUSES = (Status.DRAFT, Status.APPLIED, Status.VISITED, Status.NOTICE)
    CLOSED_STATUSES = (Status.EXITED, Status.REMOVED, Status.REJECTED, Status.WITHDRAWN)

    class Cause(models.TextChoices):
        ILLNESS = "illness", _("Illness")
        SCHOOLING = "schooling", _("Children's schooling")
        ACCIDENT = "accident", _("Accident or disaster")
        DISABILITY = "disability", _("Disability")
        UNEMPLOYMENT = "unemployment", _("Family member out of work")
        OTHER = "other", _("Other")

    class Housing(models.TextChoices):
        OWNED = "owned", _("Own home")
        RENTED = "rented", _("Rented")
        PUBLIC_RENTAL = "public_rental", _("Public rental housing")
        LODGING = "lodging", _("Living with relatives")
        OTHER = "other", _("Other")

    number = models.CharField(_("file number"), max_length=20, unique=True, null=True, blank=True)
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    # The responsible unit (the member's sub-union when the file was opened): the scope of every page.
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    city = models.CharField(_("city (for the 低保 standard)"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year of the figures"))
    cause = models.CharField(_("main cause of hardship"), max_length=20, choices=Cause.choices)
    cause_detail = EncryptedTextField(_("circumstances"), blank=True)
    housing = models.CharField(_("housing"), max_length=20, choices=Housing.choices)
    housing_detail = EncryptedTextField(_("housing details"), blank=True)
    # Rigid expenses of the year (刚性支出), and the year's costs or losses of a sudden event (意外致困).
    medical_expense = EncryptedDecimalField(_("self-paid medical costs of the year"), blank=True, null=True)
    schooling_expense = EncryptedDecimalField(_("schooling costs of the year"), blank=True, null=True)
    other_rigid_expense = EncryptedDecimalField(_("other rigid expenses of the year"), blank=True, null=True)
    accident_costs = EncryptedDecimalField(_("costs and losses of a sudden event"), blank=True, null=True)
    # The category: computed from the figures (services.category), optionally overridden with a reason.
    computed_category = models.CharField(
        _("computed category"), max_length=10, choices=Category.choices, blank=True
    )
    category_override = models.CharField(
        _("category set by an officer"), max_length=10, choices=Category.choices, blank=True
    )
    override_reason = EncryptedTextField(_("reason for the override"), blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True)
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf = models.BooleanField(_("applied by an officer on the member's behalf"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    unit_reviewed_by = _officer(_("reviewed by"))
    unit_reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    unit_review_note = EncryptedTextField(_("review minutes"), blank=True)
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("objections until"), null=True, blank=True)
    approved_by = _officer(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    review_due_on = models.DateField(_("annual review due"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = EncryptedTextField(_("reason for closing"), blank=True)
    # Closed files are kept this long (HARDSHIP_RETENTION_YEARS), then purged to anonymous counts.
    retain_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="hardship_file_unit_status_idx"),
            models.Index(fields=["status", "review_due_on"], name="hardship_file_review_idx"),
        ]
        constraints = [
            # One file per family: a member has at most one file that is open or active.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=["draft", "applied", "visited", "notice", "active"]),
                name="hardship_file_one_current_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.number or _("Draft hardship file %(pk)s") % {"pk": self.pk}

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES


class HouseholdMember(models.Model):
    """A member of the household living together (家庭共同生活人口), the applicant included."""

    class Relation(models.TextChoices):
        SELF = "self", _("The member")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        OTHER = "other", _("Other relative")

    class Occupation(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        RETIRED = "retired", _("Retired")
        UNEMPLOYED = "unemployed", _("Out of work")
        STUDENT = "student", _("Student")
        PRESCHOOL = "preschool", _("Pre-school child")
        UNABLE = "unable", _("Unable to work")
        OTHER = "other", _("Other")

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="household"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=50)
    # The year only (minimum necessary): enough for "minor" and for schooling.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    occupation = models.CharField(_("occupation"), max_length=12, choices=Occupation.choices)
    annual_income = EncryptedDecimalField(_("disposable income of the year"))
    health = EncryptedTextField(_("health or disability"), blank=True)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"


class HomeVisit(models.Model):
    """入户走访: the home visit that verifies a first application (and the spot checks of the review)."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visitors"), max_length=300)
    findings = EncryptedTextField(_("findings"))
    figures_confirmed = models.BooleanField(_("figures confirmed on the visit"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.file} {self.visited_on}"


class Objection(models.Model):
    """An objection raised during the 公示 period (by a member online, or recorded by an officer)."""

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="objections"
    )
    text = EncryptedTextField(_("objection"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)
    resolution = EncryptedTextField(_("resolution"), blank=True)
    resolved_by = _officer(_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"{self.file} {self.raised_at:%Y-%m-%d}"


class CategoryChange(models.Model):
    """The history of a file's category: every computation that changed it, every override, every review."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed from the figures")
        OVERRIDE = "override", _("Set by an officer")
        REVIEW = "review", _("Annual review")
        CIRCUMSTANCES = "circumstances", _("Change in circumstances")

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="category_changes"
    )
    source = models.CharField(_("source"), max_length=15, choices=Source.choices)
    old_category = models.CharField(_("category before"), max_length=10, choices=Category.choices, blank=True)
    new_category = models.CharField(_("category after"), max_length=10, choices=Category.choices, blank=True)
    reason = EncryptedTextField(_("reason"), blank=True)
    changed_by = _officer(_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("category change")
        verbose_name_plural = _("category changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file} {self.old_category}→{self.new_category}"


class ReviewRound(models.Model):
    """The year's concentrated review (集中复核) of every active file, with its system-drawn spot checks."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    due_on = models.DateField(_("reviews due on"))
    sample_rate = models.DecimalField(_("spot-check share"), max_digits=4, decimal_places=2)
    seed = models.CharField(_("sampling seed"), max_length=40)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Review(models.Model):
    """One file's review in a round (or a review for a change in circumstances)."""

    class Result(models.TextChoices):
        CONTINUE = "continue", _("Stays in the file, same category")
        CATEGORY_CHANGED = "category_changed", _("Stays in the file, category changed")
        EXIT = "exit", _("Out of hardship (脱困)")

    round = models.ForeignKey(
        ReviewRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="reviews",
        null=True,
        blank=True,
    )
    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="reviews"
    )
    due_on = models.DateField(_("due on"))
    spot_check = models.BooleanField(_("spot check (verified at home)"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    reviewed_by = _officer(_("reviewed by"))
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "file"],
                condition=Q(round__isnull=False),
                name="hardship_review_once_per_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file} {self.due_on}"


class AssistanceProgramme(models.Model):
    """A programme of assistance the union defines: 临时补助, 爱心扶助金, 重大疾病补助 …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("who it is for"), blank=True)
    # What the amount bands are measured on, e.g. "本年度自付医疗费用（元）".
    condition_label = models.CharField(_("what the bands measure"), max_length=100)
    expense_category_code = models.CharField(_("expense category"), max_length=20, default="50201")
    documents_hint = models.CharField(_("documents to attach"), max_length=300, blank=True)
    is_active = models.BooleanField(_("open for applications"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("assistance programme")
        verbose_name_plural = _("assistance programmes")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ProgrammeRule(models.Model):
    """The rules of a programme from a date: limits, the spouse rule, the approval tier and the bands."""

    programme = models.ForeignKey(
        AssistanceProgramme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="rules"
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    yearly_limit_count = models.PositiveSmallIntegerField(
        _("times per person per year"), null=True, blank=True
    )
    yearly_limit_amount = models.DecimalField(
        _("amount per person per year"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    one_spouse_only = models.BooleanField(_("only one spouse may receive in a year"), default=True)
    # Amounts up to this are approved by the union office's staff; above it by the union chair (or committee).
    staff_approval_limit = models.DecimalField(_("staff may approve up to"), max_digits=12, decimal_places=2)
    created_by = _officer(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("programme rule")
        verbose_name_plural = _("programme rules")
        ordering = ["programme", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "effective_from"], name="programme_rule_from_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.effective_from}"


class AmountBand(models.Model):
    """Condition value in [lower, upper) → amount. ``upper`` empty: no upper bound."""

    rule = models.ForeignKey(
        ProgrammeRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="bands"
    )
    lower = models.DecimalField(_("from (inclusive)"), max_digits=12, decimal_places=2)
    upper = models.DecimalField(_("below"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("amount band")
        verbose_name_plural = _("amount bands")
        ordering = ["rule", "lower"]

    def __str__(self) -> str:
        return f"{self.lower}–{self.upper or '∞'}: {self.amount}"


class AssistanceApplication(TimeStampedModel):
    """An application for assistance: 分工会 initial review → approval by amount tier → payment."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting the sub-union's review")
        UNIT_APPROVED = "unit_approved", _("Awaiting approval")
        APPROVED = "approved", _("Approved, awaiting payment")
        # "Paid" of an assistance (发放), not finance's payment (已付款): its own msgid context.
        PAID = "paid", pgettext_lazy("assistance", "Paid")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("application", "Withdrawn")

    class Tier(models.TextChoices):
        STAFF = "staff", _("Union office")
        CHAIR = "chair", _("Union chair or committee")

    number = models.CharField(_("application number"), max_length=20, unique=True)
    programme = models.ForeignKey(
        AssistanceProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    rule = models.ForeignKey(
        ProgrammeRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    # The spouse when both work at the school (the "only one spouse may receive" rule).
    spouse = models.ForeignKey(
        "members.Person",
        verbose_name=_("spouse on the staff"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hardship_file = models.ForeignKey(
        HardshipFile,
        verbose_name=_("hardship file"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    condition_value = EncryptedDecimalField(_("measured value"))
    reason = EncryptedTextField(_("circumstances"))
    bank_account = EncryptedTextField(_("bank account for the payment"), blank=True)
    band_amount = models.DecimalField(_("standard amount"), max_digits=12, decimal_places=2)
    approved_amount = models.DecimalField(
        _("approved amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    tier = models.CharField(_("approved by"), max_length=10, choices=Tier.choices)
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    on_behalf = models.BooleanField(_("applied by an officer on the member's behalf"), default=False)
    unit_reviewed_by = _officer(_("reviewed by"))
    unit_reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    unit_review_note = EncryptedTextField(_("review note"), blank=True)
    approved_by = _officer(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decision_note = EncryptedTextField(_("decision note"), blank=True)
    rejected_by = _officer(_("rejected by"))
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    # Seen by the case handlers and the member only (it often repeats the circumstances): encrypted.
    reject_reason = EncryptedTextField(_("reason for rejection"), blank=True)
    paid_by = _officer(_("paid by"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    entry_id_ref = models.PositiveBigIntegerField(_("finance entry"), null=True, blank=True)
    retain_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("assistance application")
        verbose_name_plural = _("assistance applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="assist_app_unit_status_idx"),
            models.Index(fields=["person", "programme", "year"], name="assist_app_person_year_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class Document(models.Model):
    """A supporting document (收入证明, 诊断证明, 票据 …) of a file or an application. The content is
    encrypted at rest (Fernet) and served only through the document view, which logs every download."""

    class Kind(models.TextChoices):
        INCOME = "income", _("Income certificate")
        MEDICAL = "medical", _("Diagnosis or medical bills")
        SCHOOLING = "schooling", _("Tuition receipts")
        DIBAO = "dibao", _("低保 certificate")
        ID = "id", _("ID or household register")
        ACCIDENT = "accident", _("Accident or loss evidence")
        OTHER = "other", _("Other")

    file = models.ForeignKey(
        HardshipFile,
        verbose_name=_("file"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    application = models.ForeignKey(
        AssistanceApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("encrypted content"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file__isnull=False) & Q(application__isnull=True))
                | (Q(file__isnull=True) & Q(application__isnull=False)),
                name="hardship_document_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.filename


class HelpMeasure(models.Model):
    """帮扶措施: one measure of the file's personalised help plan — what, by whom, when — linked to the care
    visit (welfare) or the assistance payment that carried it out."""

    class Kind(models.TextChoices):
        LIVING = "living", _("Living assistance")
        MEDICAL = "medical", _("Medical assistance")
        EDUCATION = "education", _("Help with schooling")
        EMPLOYMENT = "employment", _("Help finding work")
        FESTIVAL = "festival", _("Festival visit (送温暖)")
        CARE = "care", _("Care and counselling")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    file = models.ForeignKey(
        HardshipFile, verbose_name=_("file"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = EncryptedTextField(_("what help"))
    responsible = models.CharField(_("by whom"), max_length=100)
    planned_on = models.DateField(_("when"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    care_event = models.ForeignKey(
        "welfare.CareEvent",
        verbose_name=_("care visit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    application = models.ForeignKey(
        AssistanceApplication,
        verbose_name=_("assistance payment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("help measure")
        verbose_name_plural = _("help measures")
        ordering = ["planned_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.planned_on}"


class PurgedCount(models.Model):
    """What is left of purged files and applications: anonymous counts by year, kind and outcome."""

    class Kind(models.TextChoices):
        FILE = "file", _("Hardship file")
        APPLICATION = "application", _("Assistance application")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    closed_year = models.PositiveSmallIntegerField(_("year closed"))
    # The file's category or the application's programme code.
    label = models.CharField(_("category or programme"), max_length=40, blank=True)
    outcome = models.CharField(_("final status"), max_length=15)
    count = models.PositiveIntegerField(_("count"), default=0)
    amount = models.DecimalField(_("amount paid"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("purged count")
        verbose_name_plural = _("purged counts")
        ordering = ["-closed_year", "kind", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "closed_year", "label", "outcome"], name="hardship_purged_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.closed_year} {self.label} {self.outcome}: {self.count}"
