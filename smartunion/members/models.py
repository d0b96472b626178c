"""People as HR knows them (工号, 姓名, 身份证号 …) and their membership of the union: status and its
timeline, applications, transfers, family members, dues and correction requests.

HR owns ``Person`` (the roster sync writes it); the union owns everything else here."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartunion.core.fields import EncryptedTextField
from smartunion.core.masking import mask_day, mask_phone
from smartunion.core.models import TimeStampedModel


class StaffCategory(models.Model):
    """人员类别 (在编, 人事代理, 合同制, 劳务派遣, 退休 …), an editable list."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    is_retired = models.BooleanField(_("retired staff"), default=False)
    # Counted in the 入会率 denominator and may apply to join (retirees who never joined generally may not).
    is_eligible = models.BooleanField(_("eligible to join"), default=True)
    # What an approved application makes them: 正式会员, or 临时会员 for short-contract staff (some schools).
    member_type = models.CharField(
        _("membership on joining"),
        max_length=20,
        choices=[("full", _("Full member")), ("temporary", _("Temporary member"))],
        default="full",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("staff category")
        verbose_name_plural = _("staff categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    # The audit log is read widely: these are recorded masked (the ID number by the services themselves).
    AUDIT_MASKS = {"mobile": mask_phone, "birth_date": mask_day}

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class PostType(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional and technical post")
        MANAGEMENT = "management", _("Management post")
        SUPPORT = "support", _("Skilled support post")
        OTHER = "other", _("Other")

    staff_no = models.CharField(_("staff number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    # Pinyin initials of the name ("zs" for 张三), kept by the services so officers can type them in search.
    name_initials = models.CharField(_("name initials"), max_length=50, blank=True, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # 身份证号: sensitive personal information — encrypted at rest, found through its keyed hash.
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    category = models.ForeignKey(StaffCategory, verbose_name=_("staff category"), on_delete=models.PROTECT)
    post_type = models.CharField(_("post type"), max_length=20, choices=PostType.choices, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    post_salary = models.DecimalField(_("post salary"), max_digits=12, decimal_places=2, default=Decimal("0"))
    grade_salary = models.DecimalField(
        _("grade salary"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    # On the school's books. A person absent from an HR roster is only ever marked as left by a person's
    # decision (services.person_mark_left), never by the import.
    is_active = models.BooleanField(_("on the staff"), default=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["staff_no"]
        indexes = [models.Index(fields=["unit", "staff_no"], name="person_unit_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"


class Membership(TimeStampedModel):
    """One per person (created with the person as 非会员). Only ``membership`` services change ``status``;
    each change writes a :class:`MembershipEvent` and an audit entry."""

    class Status(models.TextChoices):
        NONE = "none", _("Not a member")
        APPLYING = "applying", _("Applying")
        FULL = "full", _("Full member")
        TEMPORARY = "temporary", _("Temporary member")
        RETAINED = "retained", _("Membership retained")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        LAPSED = "lapsed", _("Lapsed")
        EXPELLED = "expelled", _("Expelled")

    class RetainedReason(models.TextChoices):
        RETIRED = "retired", _("Retired")
        LONG_ABSENCE = "long_absence", _("Long absence (study, military service, abroad)")
        UNEMPLOYED = "unemployed", _("Unemployed")

    # Counted as members (入会率 numerator, member lists); PAYING also owe dues.
    MEMBER_STATUSES = (Status.FULL, Status.TEMPORARY, Status.RETAINED)
    IN_SERVICE_STATUSES = (Status.FULL, Status.TEMPORARY)
    PAYING_STATUSES = (Status.FULL, Status.TEMPORARY)
    # From these one may (re-)apply: 一次入会 — a member who left can join again by a new application.
    MAY_APPLY_STATUSES = (Status.NONE, Status.TRANSFERRED_OUT, Status.WITHDRAWN, Status.LAPSED)

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="membership"
    )
    status = models.CharField(
        _("membership status"), max_length=20, choices=Status.choices, default=Status.NONE
    )
    # The 分工会 or 小组 the membership belongs to; follows the person's unit (会籍接转 within the school).
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("union unit"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    status_since = models.DateField(_("status since"), null=True, blank=True)
    retained_reason = models.CharField(
        _("reason membership is retained"), max_length=20, choices=RetainedReason.choices, blank=True
    )
    card_no = models.CharField(_("member card number"), max_length=20, unique=True, null=True, blank=True)
    # 教代会代表 and other representative roles: filled by the proposals module.
    is_representative = models.BooleanField(_("congress representative"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        indexes = [models.Index(fields=["status", "unit"], name="membership_status_unit_idx")]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_status_display()}"

    @property
    def is_member(self) -> bool:
        return self.status in self.MEMBER_STATUSES


class MembershipEvent(models.Model):
    """One line of a membership's timeline (joined, moved, retained, transferred out …)."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Applied to join")
        UNIT_REVIEWED = "unit_reviewed", _("Sub-union reviewed the application")
        APPROVED = "approved", _("Joined (application approved)")
        REJECTED = "rejected", _("Application rejected")
        CANCELLED = "cancelled", _("Application withdrawn by the applicant")
        ENROLLED = "enrolled", _("Joined at a joining ceremony")
        TRANSFERRED_IN = "transferred_in", _("Transferred in from another union")
        MOVED = "moved", _("Moved to another unit within the school")
        RETAINED = "retained", _("Membership retained")
        RESUMED = "resumed", _("Back in service: membership resumed")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        WITHDRAWN = "withdrawn", _("Withdrew from the union")
        LAPSE_PROPOSED = "lapse_proposed", _("Proposed for lapse (6 months without dues or participation)")
        LAPSE_DISMISSED = "lapse_dismissed", _("Lapse proposal dismissed")
        LAPSED = "lapsed", _("Membership lapsed")
        EXPELLED = "expelled", _("Expelled")
        CARD_ISSUED = "card_issued", _("Member card issued")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Membership.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Membership.Status.choices, blank=True)
    from_unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("from unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("to unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True
    )  # letter, certificate, decision no.
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["membership", "occurred_on"], name="membership_event_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


class MembershipApplication(TimeStampedModel):
    """入会申请: the applicant's 申请书, reviewed by the 分工会 then approved by the 校工会 (or in one step)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting sub-union review")
        UNIT_APPROVED = "unit_approved", _("Awaiting school union approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Withdrawn by the applicant")

    OPEN_STATUSES = (Status.SUBMITTED, Status.UNIT_APPROVED)

    class PoliticalStatus(models.TextChoices):
        CPC = "cpc", _("CPC member")
        CYL = "cyl", _("Communist Youth League member")
        DEMOCRATIC_PARTY = "democratic", _("Democratic party member")
        MASSES = "masses", _("Ordinary citizen")

    person = models.ForeignKey(
        Person, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("sub-union"),
        on_delete=models.PROTECT,
        related_name="membership_applications",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    previous_status = models.CharField(max_length=20, choices=Membership.Status.choices, editable=False)
    # 申请书
    political_status = models.CharField(_("political status"), max_length=20, choices=PoliticalStatus.choices)
    education = models.CharField(_("education"), max_length=30, blank=True)
    statement = models.TextField(_("application statement"))
    charter_consent_at = models.DateTimeField(_("accepted the union charter at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    unit_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    unit_comment = models.CharField(_("sub-union opinion"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["submitted", "unit_approved"]),
                name="membership_application_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()}"


class JoiningCeremony(TimeStampedModel):
    """入职入会仪式: new staff of a unit enrolled together, with the school union's approval recorded."""

    UNIT_MERGE_POLICY = "keep"

    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=100)
    approval_ref = models.CharField(_("approval"), max_length=100)  # e.g. 校工会委员会 2026-09-10 会议
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,  # None: recorded by the system (a data migration from a former system)
        related_name="+",
    )
    people = models.ManyToManyField(Person, verbose_name=_("new members"), related_name="+")

    class Meta:
        verbose_name = _("joining ceremony")
        verbose_name_plural = _("joining ceremonies")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class MembershipTransfer(TimeStampedModel):
    """会籍接转 with another employer: a 转会证明 issued (out) or a 介绍信 received (in)."""

    class Direction(models.TextChoices):
        OUT = "out", _("Transfer out")
        IN = "in", _("Transfer in")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    transferred_on = models.DateField(_("date"))
    counterpart = models.CharField(_("other union organisation"), max_length=100)
    letter_no = models.CharField(_("letter or certificate number"), max_length=50)
    original_joined_on = models.DateField(_("originally joined on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,  # None: recorded by the system
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership transfer")
        verbose_name_plural = _("membership transfers")
        ordering = ["-transferred_on", "-id"]
        constraints = [
            # Letter numbers are unique per issuing union, not across every union in the country.
            models.UniqueConstraint(
                fields=["direction", "counterpart", "letter_no"], name="membership_transfer_letter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.letter_no}"


class LapseProposal(models.Model):
    """自动退会 is only ever proposed by the system and confirmed (or dismissed) by a person."""

    class Status(models.TextChoices):
        OPEN = "open", _("Awaiting decision")
        CONFIRMED = "confirmed", _("Confirmed: membership lapsed")
        DISMISSED = "dismissed", _("Dismissed")

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="lapse_proposals")
    proposed_on = models.DateField(_("proposed on"))
    last_dues_month = models.DateField(_("last dues paid for"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("lapse proposal")
        verbose_name_plural = _("lapse proposals")
        ordering = ["-proposed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"], condition=models.Q(status="open"), name="lapse_proposal_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership.person} {self.get_status_display()}"


class FamilyMember(TimeStampedModel):
    """配偶, 子女, 父母 of a member — for childcare activities, 六一 benefits and hardship files.

    Children's data is sensitive personal information (PIPL art. 28, 31): a child under 14 is recorded only
    with the guardian's consent, and the consent itself is recorded."""

    AUDIT_MASKS = {"birth_date": mask_day}

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")

    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.CASCADE, related_name="family"
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Person.Sex.choices)
    birth_date = models.DateField(_("birth date"))
    school = EncryptedTextField(_("school or kindergarten"), blank=True)
    guardian_consent_at = models.DateTimeField(_("guardian consent given at"), null=True, blank=True)
    guardian_consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent given by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["relation", "birth_date"]
        indexes = [models.Index(fields=["relation", "birth_date"], name="family_relation_birth_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"


class DuesRule(models.Model):
    """会费 rule, effective from a date: base = the configured salary items, the remainder under
    ``base_step`` ignored, × ``rate``, rounded to ``precision``; split between school and sub-union."""

    class Rounding(models.TextChoices):
        HALF_UP = "half_up", _("Round half up")
        DOWN = "down", _("Round down")
        UP = "up", _("Round up")

    BASE_ITEMS = {"post_salary": _("Post salary"), "grade_salary": _("Grade salary")}

    effective_from = models.DateField(_("effective from"), unique=True)
    base_items = models.JSONField(_("base salary items"), default=list)
    base_step = models.DecimalField(
        _("ignore base remainder under (yuan)"), max_digits=8, decimal_places=2, default=Decimal("10")
    )
    rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4, default=Decimal("0.0050"))
    precision = models.DecimalField(
        _("round to (yuan)"), max_digits=4, decimal_places=2, default=Decimal("0.10")
    )
    rounding = models.CharField(
        _("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.HALF_UP
    )
    school_share = models.DecimalField(
        _("school union share"), max_digits=5, decimal_places=4, default=Decimal("0.5000")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues rule")
        verbose_name_plural = _("dues rules")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from} {self.rate}"


class DuesMonth(models.Model):
    """A month whose dues were deducted by payroll (代扣): the sheet as sent, frozen line by line."""

    month = models.DateField(_("month"), unique=True)  # the first day of the month
    rule = models.ForeignKey(
        DuesRule, verbose_name=_("dues rule"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues month")
        verbose_name_plural = _("dues months")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class DuesCharge(models.Model):
    """One member's dues for a recorded month. ``paid`` is cleared when payroll could not deduct them."""

    UNIT_MERGE_POLICY = "keep"  # the unit as it was that month

    dues_month = models.ForeignKey(DuesMonth, on_delete=models.CASCADE, related_name="charges")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="dues")
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    # The salary items as they were that month, so the frozen sheet reads as it was sent to payroll.
    post_salary = models.DecimalField(_("post salary"), max_digits=12, decimal_places=2, default=Decimal("0"))
    grade_salary = models.DecimalField(
        _("grade salary"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    base = models.DecimalField(_("base"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("dues"), max_digits=12, decimal_places=2)
    school_part = models.DecimalField(_("school union part"), max_digits=12, decimal_places=2)
    unit_part = models.DecimalField(_("sub-union part"), max_digits=12, decimal_places=2)
    paid = models.BooleanField(_("deducted"), default=True)

    class Meta:
        verbose_name = _("dues charge")
        verbose_name_plural = _("dues charges")
        constraints = [
            models.UniqueConstraint(fields=["dues_month", "membership"], name="dues_charge_unique")
        ]
        indexes = [models.Index(fields=["membership", "dues_month"], name="dues_charge_member_idx")]

    def __str__(self) -> str:
        return f"{self.dues_month} {self.membership.person} {self.amount}"


class CorrectionRequest(TimeStampedModel):
    """A member asks the union office to correct HR-owned data about them (HR keeps the master copy)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Corrected")
        DECLINED = "declined", _("Declined")

    FIELDS = {
        "name": _("Name"),
        "sex": _("Sex"),
        "birth_date": _("Birth date"),
        "id_number": _("ID number"),
        "mobile": _("Mobile number"),
        "category": _("Staff category"),
        "post_type": _("Post type"),
        "hire_date": _("Hire date"),
        "unit": _("Unit"),
        "salary": _("Post and grade salary"),
    }

    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.CASCADE, related_name="corrections"
    )
    field = models.CharField(_("what is wrong"), max_length=20, choices=list(FIELDS.items()))
    # May be an ID or mobile number: encrypted at rest like the Person fields it corrects.
    requested_value = EncryptedTextField(_("correct value"))
    reason = models.CharField(_("explanation"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    response = models.CharField(_("reply"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} {self.get_field_display()}"


class ServiceRecord(models.Model):
    """The member service ledger (服务全周期台账): one line for every service a member received from any
    module — a benefit issued, a voucher redeemed, a care visit, an activity attended, assistance paid, an
    appeal answered — readable by the member, their unit's officers and the dashboards. ``key`` names the
    source, so recording the same service again changes nothing."""

    person = models.ForeignKey(
        Person, verbose_name=_("member"), on_delete=models.CASCADE, related_name="services"
    )
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40)  # "welfare.issued", "welfare.visit", …
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(_("key"), max_length=150, unique=True)

    UNIT_MERGE_POLICY = "keep"

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["person", "-occurred_at"], name="service_person_when_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.title}"
