"""教代会提案: the staff congress (届, 次), its delegations and representatives, and proposals through
their whole closed loop — 征集 (drafting, 附议) → 审查立案 → 交办 → 办理/答复 → 评价 (→ 重新办理) → 办结 —
with supervision (督办), the year-end 回头看 and the statistics of the annual report.

Rules differ per university (reference/domain.md §1): every threshold, window, deadline and each of the
"五制" controls is a field of the session, not a constant. A proposal's status is the one spine of the
state machine in ``services``; its history is kept as ``ProposalEvent`` rows (the timeline) and audit
entries, and every reply round and every rating is kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartunion.core.models import TimeStampedModel


def _user(label: Any, *, related_name: str = "+") -> Any:
    """The user who took a step (released, confirmed …): empty until it is taken."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


class Congress(TimeStampedModel):
    """A term (届) of the staff congress, e.g. 第五届教职工代表大会 (usually five years)."""

    number = models.PositiveSmallIntegerField(_("term number"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff congress term")
        verbose_name_plural = _("staff congress terms")
        ordering = ["-number"]

    def __str__(self) -> str:
        return self.name


class Session(TimeStampedModel):
    """A meeting (次) of a term, e.g. 第五届教代会第二次会议, with its collection window and its rules."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("congress term"), on_delete=models.PROTECT, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField(_("session number"))
    name = models.CharField(_("name"), max_length=100)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    # 征集: proposals submitted inside the window are proposals; later ones become 意见建议, unless the
    # session accepts proposals between sessions (闭会期间).
    collection_opens = models.DateTimeField(_("collection opens"))
    collection_closes = models.DateTimeField(_("collection closes"))
    accepts_between_sessions = models.BooleanField(_("accept proposals between sessions"), default=False)
    # Rules (reference/domain.md §1.4, §1.5, §1.8, §1.10): defaults are the common practice.
    cosigners_required = models.PositiveSmallIntegerField(_("co-signers required"), default=2)
    title_max_chars = models.PositiveSmallIntegerField(_("title: most characters"), default=60)
    reasons_min_chars = models.PositiveIntegerField(_("reasons: fewest characters"), default=50)
    reasons_max_chars = models.PositiveIntegerField(_("reasons: most characters"), default=3000)
    suggestions_min_chars = models.PositiveIntegerField(_("suggestions: fewest characters"), default=30)
    suggestions_max_chars = models.PositiveIntegerField(_("suggestions: most characters"), default=3000)
    reply_working_days = models.PositiveSmallIntegerField(_("reply due in working days"), default=30)
    return_working_days = models.PositiveSmallIntegerField(
        _("working days an office may return a wrong assignment"), default=5
    )
    warning_working_days = models.PositiveSmallIntegerField(
        _("yellow: working days before the deadline"), default=5
    )
    lock_late_replies = models.BooleanField(_("lock replies after the deadline"), default=False)
    # 督办 reminders (services.supervision): escalation to the head of the lead office and its 分管校领导,
    # and the reminder to rate a released reply, each after this many working days.
    escalate_after_working_days = models.PositiveSmallIntegerField(
        _("escalate: working days overdue"), default=5
    )
    evaluation_reminder_working_days = models.PositiveSmallIntegerField(
        _("rating reminder: working days after the reply"), default=5
    )
    cosigners_evaluate = models.BooleanField(_("co-signers rate the reply too"), default=False)
    max_rehandling_rounds = models.PositiveSmallIntegerField(_("most re-handling rounds"), default=1)
    # "五制": each of the five controls is switchable per session.
    control_leader_signoff = models.BooleanField(
        _("leader instruction and reply sign-off (领导批示/审签)"), default=True
    )
    control_co_handling = models.BooleanField(_("lead and assisting offices (主办/协办)"), default=True)
    control_time_limit = models.BooleanField(_("time limits (限时办结)"), default=True)
    control_supervision = models.BooleanField(_("supervision (督办)"), default=True)
    control_evaluation = models.BooleanField(_("evaluation (满意度测评)"), default=True)
    # The year-end 回头看: open while offices update the implementation status of their proposals.
    followup_open = models.BooleanField(_("year-end follow-up open"), default=False)
    # Numbering counters, moved under a row lock on the session.
    last_proposal_no = models.PositiveIntegerField(default=0, editable=False)
    last_suggestion_no = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("congress session")
        verbose_name_plural = _("congress sessions")
        ordering = ["-congress__number", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "number"], name="session_number_unique"),
            models.CheckConstraint(
                condition=Q(collection_closes__gt=models.F("collection_opens")),
                name="session_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def number_prefix(self) -> str:
        """提案 5-2-001 / 建议 5-2-J001: term and session numbers."""
        return f"{self.congress.number}-{self.number}-"

    def is_collecting(self, at: Any = None) -> bool:
        at = at or timezone.now()
        return self.collection_opens <= at <= self.collection_closes


class Delegation(models.Model):
    """A delegation (代表团) of a term, usually one per college or office."""

    congress = models.ForeignKey(
        Congress, verbose_name=_("congress term"), on_delete=models.CASCADE, related_name="delegations"
    )
    name = models.CharField(_("name"), max_length=100)
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["congress", "name"], name="delegation_name_unique")]

    def __str__(self) -> str:
        return self.name


class Representative(TimeStampedModel):
    """A member who represents a delegation for a term: 正式代表 may propose and co-sign; 列席代表 attend."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full representative (正式代表)")
        OBSERVER = "observer", _("Non-voting attendee (列席代表)")

    congress = models.ForeignKey(
        Congress, verbose_name=_("congress term"), on_delete=models.CASCADE, related_name="representatives"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    delegation = models.ForeignKey(
        Delegation, verbose_name=_("delegation"), on_delete=models.PROTECT, related_name="representatives"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FULL)
    is_delegation_leader = models.BooleanField(_("delegation leader (团长)"), default=False)
    is_active = models.BooleanField(_("serving"), default=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["delegation__sort_order", "person__staff_no"]
        constraints = [
            models.UniqueConstraint(fields=["congress", "person"], name="representative_once_per_term")
        ]

    def __str__(self) -> str:
        return str(self.person)


class CommitteeMember(models.Model):
    """A member of the 提案工作委员会 of a term (its secretariat is the school union)."""

    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair (主任)")
        VICE_CHAIR = "vice_chair", _("Vice chair (副主任)")
        MEMBER = "member", _("Member (委员)")

    congress = models.ForeignKey(
        Congress, verbose_name=_("congress term"), on_delete=models.CASCADE, related_name="committee"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(
        _("position"), max_length=12, choices=Position.choices, default=Position.MEMBER
    )

    class Meta:
        verbose_name = _("proposal committee member")
        verbose_name_plural = _("proposal committee members")
        ordering = ["position", "person__staff_no"]
        constraints = [models.UniqueConstraint(fields=["congress", "person"], name="committee_member_once")]

    def __str__(self) -> str:
        return str(self.person)


class Category(models.Model):
    """Two-level editable taxonomy. The first level carries the class the KPI 内涵建设类占比 counts."""

    class KpiClass(models.TextChoices):
        CORE_DEVELOPMENT = "core", _("Core development (内涵建设)")
        WELFARE = "welfare", _("Staff welfare (民生福利)")
        OTHER = "other", _("Other (其他)")

    name = models.CharField(_("name"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("major class"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Meaningful on the first level; a subclass takes its parent's.
    kpi_class = models.CharField(
        _("statistics class"), max_length=10, choices=KpiClass.choices, default=KpiClass.OTHER
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("proposal category")
        verbose_name_plural = _("proposal categories")
        ordering = ["sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="proposal_category_unique")]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class Proposal(TimeStampedModel):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual proposal (个人提案)")
        COLLECTIVE = "collective", _("Collective proposal (集体提案)")

    class RecordType(models.TextChoices):
        PROPOSAL = "proposal", pgettext_lazy("congress", "Proposal (提案)")
        SUGGESTION = "suggestion", _("Opinion or suggestion (意见建议)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SEEKING_COSIGN = "seeking_cosign", _("Seeking co-signers (寻附议)")
        SUBMITTED = "submitted", _("Submitted, under review (待审查)")
        ACCEPTED = "accepted", _("Accepted, awaiting assignment (待交办)")
        MERGED = "merged", _("Merged into another (并案)")
        REJECTED = "rejected", _("Not accepted (不予立案)")
        WITHDRAWN = "withdrawn", _("Withdrawn (撤回)")
        ASSIGNED = "assigned", _("Being handled (办理中)")
        REPLY_SIGNOFF = "reply_signoff", _("Reply awaiting sign-off (答复待审签)")
        REPLIED = "replied", _("Replied, awaiting evaluation (待评价)")
        UNSATISFIED = "unsatisfied", _("Unsatisfied, under committee review (不满意待复查)")
        CLOSED = "closed", _("Closed (办结)")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("All members")
        REPRESENTATIVES = "representatives", _("Representatives only")
        PRIVATE = "private", _("Not public")

    class Implementation(models.TextChoices):
        A = "A", _("A: solved or mostly solved (已解决/基本解决)")
        B = "B", _("B: being solved or planned (正在解决/列入计划)")
        C = "C", _("C: cannot be solved for now (因条件限制暂不能解决)")

    session = models.ForeignKey(
        Session, verbose_name=_("congress session"), on_delete=models.PROTECT, related_name="proposals"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    record_type = models.CharField(
        _("type"), max_length=12, choices=RecordType.choices, default=RecordType.PROPOSAL
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    # 领衔提案人; for a collective proposal the representative who files it for the delegation.
    proposer = models.ForeignKey(
        Representative, verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="proposals"
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="collective_proposals",
        help_text=_("Set for a collective proposal only."),
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title (案由)"), max_length=200)
    reasons = models.TextField(_("reasons (理由)"), blank=True)
    suggestions = models.TextField(_("suggestions (建议)"), blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    suggested_office = models.ForeignKey(
        "organisations.HandlingOffice",
        verbose_name=_("suggested handling office"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Submitted after the collection window closed: converted to 意见建议 on submission.
    is_late = models.BooleanField(_("submitted late"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = _user(_("decided by"))
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
    )
    # The current handling round (1; 2 after a 重新办理 …) and its deadline.
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    due_date = models.DateField(_("reply due"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    implementation = models.CharField(
        _("implementation status"), max_length=1, choices=Implementation.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    # Draft autosave: the last time the proposer's text was saved (for the "saved at" hint).
    autosaved_at = models.DateTimeField(_("autosaved at"), null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("congress", "proposal")
        verbose_name_plural = pgettext_lazy("congress", "proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], condition=~Q(number=""), name="proposal_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="individual", delegation__isnull=True)
                | Q(kind="collective", delegation__isnull=False),
                name="proposal_collective_has_delegation",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status"], name="proposal_session_status_idx"),
            models.Index(fields=["status", "due_date"], name="proposal_status_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


class Signer(models.Model):
    """Someone whose name is on a proposal: the proposer, a co-signer (附议人, invited and accepting) or a
    co-proposer (a proposer of a proposal merged into this one). Co-signers are locked at submission."""

    class Role(models.TextChoices):
        PROPOSER = "proposer", _("Proposer (提案人)")
        COSIGNER = "cosigner", _("Co-signer (附议人)")
        CO_PROPOSER = "co_proposer", _("Co-proposer (共同提案人)")

    class Status(models.TextChoices):
        INVITED = "invited", pgettext_lazy("congress", "Invited")
        ACCEPTED = "accepted", pgettext_lazy("congress", "Accepted")
        DECLINED = "declined", pgettext_lazy("congress", "Declined")

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="signers",
    )
    representative = models.ForeignKey(
        Representative, verbose_name=_("representative"), on_delete=models.PROTECT, related_name="signatures"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INVITED)
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signer")
        verbose_name_plural = _("signers")
        ordering = ["proposal", "invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "representative"], name="signer_once_per_proposal")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.representative} {self.role}"


class Attachment(models.Model):
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))
    uploaded_by = _user(_("uploaded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """An office's part in one handling round: the lead office (主办) replies; assisting offices (协办)
    give their input (会签) to the lead office. An office may return (退办) a wrong assignment within the
    session's window, which sends the proposal back to the committee."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead office (主办)")
        ASSIST = "assist", _("Assisting office (协办)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Handling")
        RETURNED = "returned", _("Returned to the committee (退办)")
        ENDED = "ended", _("Ended")

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    office = models.ForeignKey(
        "organisations.HandlingOffice",
        verbose_name=_("handling office"),
        on_delete=models.PROTECT,
        related_name="proposal_assignments",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = _user(_("assigned by"))
    # The last day the office may return it (退办), in working days from the assignment.
    return_until = models.DateField(_("may be returned until"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_by = _user(_("returned by"))
    # 协办 input to the lead office (会签).
    input_text = models.TextField(_("input to the lead office"), blank=True)
    input_at = models.DateTimeField(_("input given at"), null=True, blank=True)
    input_by = _user(_("input given by"))

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["proposal", "round", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "round", "office"],
                condition=Q(status="active"),
                name="assignment_office_once_per_round",
            ),
            models.UniqueConstraint(
                fields=["proposal", "round"],
                condition=Q(status="active", role="lead"),
                name="assignment_one_lead_per_round",
            ),
        ]
        indexes = [models.Index(fields=["office", "status"], name="assignment_office_status_idx")]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.office} {self.role}"


class Instruction(models.Model):
    """A school leader's instruction (批示) on a proposal."""

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="instructions",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("school leader"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("instruction"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("leader instruction")
        verbose_name_plural = _("leader instructions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.leader}"


class Reply(TimeStampedModel):
    """The lead office's reply of one round, with the implementation status it reports (A/B/C)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNOFF = "signoff", _("Awaiting the leader's sign-off")
        RELEASED = "released", _("Released")

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="replies",
    )
    round = models.PositiveSmallIntegerField(_("handling round"))
    office = models.ForeignKey(
        "organisations.HandlingOffice",
        verbose_name=_("handling office"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("reply"))
    implementation = models.CharField(
        _("implementation status"), max_length=1, choices=Proposal.Implementation.choices
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_by = _user(_("written by"))
    signoff_by = _user(_("signed off by"))
    signoff_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signoff_note = models.TextField(_("sign-off note"), blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    # Released after the round's deadline (kept: the on-time reply rate reads it).
    is_overdue = models.BooleanField(_("overdue"), default=False)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["proposal", "round"]
        constraints = [models.UniqueConstraint(fields=["proposal", "round"], name="reply_once_per_round")]

    def __str__(self) -> str:
        return f"{self.proposal_id} #{self.round}"


class Evaluation(models.Model):
    """One evaluator's rating of one round's reply on the two dimensions (办理态度, 办理结果)."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied (满意)")
        BASIC = "basic", _("Basically satisfied (基本满意)")
        UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    reply = models.ForeignKey(
        Reply, verbose_name=_("reply"), on_delete=models.CASCADE, related_name="evaluations"
    )
    round = models.PositiveSmallIntegerField(_("handling round"))
    representative = models.ForeignKey(
        Representative, verbose_name=_("evaluator"), on_delete=models.PROTECT, related_name="+"
    )
    # The proposer's rating is the proposal's rating (reference/domain.md §1.9).
    is_proposer = models.BooleanField(_("by the proposer"), default=False)
    attitude = models.CharField(_("handling attitude (办理态度)"), max_length=12, choices=Rating.choices)
    result = models.CharField(_("handling result (办理结果)"), max_length=12, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["proposal", "round", "-is_proposer", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "representative"], name="evaluation_once_per_reply")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} #{self.round} {self.attitude}/{self.result}"


class FollowUp(models.Model):
    """Year-end 回头看: the lead office reports the implementation status now; the committee confirms."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        SENT_BACK = "sent_back", _("Sent back")

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="followups",
    )
    office = models.ForeignKey(
        "organisations.HandlingOffice",
        verbose_name=_("handling office"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_before = models.CharField(
        _("status before"), max_length=1, choices=Proposal.Implementation.choices, blank=True
    )
    status_after = models.CharField(_("status now"), max_length=1, choices=Proposal.Implementation.choices)
    note = models.TextField(_("what has been done"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = _user(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    confirmed_by = _user(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    committee_note = models.TextField(_("committee note"), blank=True)

    class Meta:
        verbose_name = _("year-end follow-up")
        verbose_name_plural = _("year-end follow-ups")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(status="submitted"), name="followup_one_open_per_proposal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.status_before}→{self.status_after}"


class Reminder(models.Model):
    """A deadline reminder or escalation already sent, so the daily job sends each once (and catches up)."""

    class Kind(models.TextChoices):
        RETURN_WINDOW = "return_window", _("Return window ending")
        BEFORE_DUE = "before_due", _("Reply due soon")
        OVERDUE = "overdue", _("Reply overdue")
        ESCALATED = "escalated", _("Escalated to the office head")
        EVALUATION = "evaluation", _("Evaluation awaited")

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    round = models.PositiveSmallIntegerField(_("handling round"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round", "kind"], name="proposal_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} #{self.round} {self.kind}"


class ProposalEvent(models.Model):
    """One line of a proposal's timeline (submitted, 立案, assigned, returned, 督办 note, replied, rated …).
    ``is_public`` lines are shown to the proposer and on the progress view; committee notes are not."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Draft started")
        INVITED = "invited", _("Co-signers invited")
        COSIGNED = "cosigned", _("Co-signed")
        RECONFIRM = "reconfirm", _("Text changed: co-signers asked to confirm again")
        DECLINED = "declined", _("Co-signing declined")
        SUBMITTED = "submitted", pgettext_lazy("congress", "Submitted")
        CONVERTED = "converted", _("Turned into an opinion or suggestion")
        ACCEPTED = "accepted", _("Accepted (立案)")
        MERGED = "merged", _("Merged (并案)")
        REJECTED = "rejected", _("Not accepted (不予立案)")
        WITHDRAWN = "withdrawn", pgettext_lazy("congress", "Withdrawn")
        ASSIGNED = "assigned", _("Assigned (交办)")
        RETURNED = "returned", _("Returned by the office (退办)")
        INSTRUCTION = "instruction", _("Leader instruction (批示)")
        INPUT = "input", _("Assisting office input (会签)")
        REPLY_SUBMITTED = "reply_submitted", _("Reply sent for sign-off")
        REPLY_SENT_BACK = "reply_sent_back", _("Reply sent back by the leader")
        REPLIED = "replied", _("Reply released")
        EVALUATED = "evaluated", _("Rated")
        REHANDLING = "rehandling", _("Re-handling ordered (重新办理)")
        CLOSED = "closed", _("Closed (办结)")
        SUPERVISION = "supervision", _("Supervision note (督办)")
        REMINDED = "reminded", _("Reminder sent")
        ESCALATED = "escalated", _("Escalated to the office head")
        FOLLOWUP = "followup", _("Year-end follow-up (回头看)")
        VISIBILITY = "visibility", _("Visibility changed")

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=pgettext_lazy("congress", "proposal"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    is_public = models.BooleanField(_("shown to the proposer"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["proposal", "created_at"], name="proposal_event_idx")]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.kind}"
