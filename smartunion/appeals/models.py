"""诉求 / 意见反馈: any member's appeal to the school, routed to a handling office (the same offices as the
proposals, ``organisations.HandlingOffice``) and a category of an editable taxonomy, acknowledged and
answered within the category's working-day SLA, rated by the member and reopened once if unsatisfied;
closed appeals the member agreed to publish become anonymised questions and answers (常见问题).

Anonymity: an anonymous appeal keeps its ``person`` (the member must see it under 我的诉求 and be
notified), but every page, export, notification and API answer for anyone else shows it as anonymous —
except to the holders of ``appeals.identity.reveal``, and only when the member allowed it; each reveal is
audited with its reason. Routing: the AI router's suggestion (``ai``) routes automatically above the
configured confidence; below it the appeal waits in the union office's triage queue with the suggestions
pre-filled. Every routing decision is kept (``Routing``): confirmed ones and misroute corrections are what
the router learns from.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartunion.core.models import TimeStampedModel


def _user(label: Any) -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


def _office(label: Any, **kwargs: Any) -> Any:
    return models.ForeignKey(
        "organisations.HandlingOffice",
        verbose_name=label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        **kwargs,
    )


class Category(TimeStampedModel):
    """A second-level category of the appeals taxonomy, under the office that answers it. Its
    description and keywords are the router's cold start; its SLA sets the appeal's deadlines."""

    office = models.ForeignKey(
        "organisations.HandlingOffice",
        verbose_name=_("handling office"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by spaces or commas.")
    )
    acknowledge_working_days = models.PositiveSmallIntegerField(
        _("acknowledge within (working days)"), default=2
    )
    reply_working_days = models.PositiveSmallIntegerField(_("reply within (working days)"), default=10)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        ordering = ["office__sort_order", "office_id", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="appeals_category_unique_per_office"),
        ]

    def __str__(self) -> str:
        return self.name


class Settings(models.Model):
    """The appeals channel's school-wide settings (one row, ``pk=1``)."""

    auto_route_confidence = models.FloatField(
        _("route automatically at or above this confidence"),
        default=0.6,
        help_text=_("Between 0 and 1. Below it, appeals wait in the triage queue with the suggestions."),
    )
    escalate_after_working_days = models.PositiveSmallIntegerField(
        _("escalate to the union office after the reply deadline by (working days)"), default=2
    )
    retrain_every_confirmed = models.PositiveSmallIntegerField(
        _("retrain the router after this many newly confirmed routings"), default=50
    )

    class Meta:
        verbose_name = _("appeals settings")
        verbose_name_plural = _("appeals settings")

    def __str__(self) -> str:
        return str(_("appeals settings"))


class Appeal(TimeStampedModel):
    class Status(models.TextChoices):
        TRIAGE = "triage", _("Waiting for triage")
        ROUTED = "routed", _("Routed, to be acknowledged")
        IN_PROGRESS = "in_progress", _("Being handled")
        REPLIED = "replied", pgettext_lazy("appeal", "Replied")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", pgettext_lazy("appeal", "Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("appeal", "Withdrawn")

    OPEN_STATUSES = (Status.TRIAGE, Status.ROUTED, Status.IN_PROGRESS, Status.REOPENED)

    number = models.CharField(_("number"), max_length=20, unique=True)
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The member's unit when the appeal was submitted (for the trends)."),
    )
    title = models.CharField(_("subject"), max_length=80)
    body = models.TextField(_("details"))
    suggested_category = models.ForeignKey(
        Category,
        verbose_name=_("category chosen by the member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    allow_identity_reveal = models.BooleanField(
        _("the union office may see who I am if needed"), default=False
    )
    allow_publish = models.BooleanField(
        _("may be published anonymously as a question and answer"), default=False
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.TRIAGE)
    office = _office(_("handling office"), related_name="+")
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The router's view at submission: [{"category": pk, "office": pk, "confidence": 0.81}, ...] best first.
    suggestions = models.JSONField(_("router suggestions"), default=list, blank=True)
    router_version = models.PositiveIntegerField(_("router version"), null=True, blank=True)
    routing_confirmed = models.BooleanField(
        _("routing confirmed"),
        default=False,
        help_text=_("Confirmed by triage or by the office's acknowledgement: the router learns from it."),
    )
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    acknowledge_due = models.DateField(_("acknowledge by"), null=True, blank=True)
    reply_due = models.DateField(_("reply by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # 常见问题: the anonymised question and answer the union office publishes (with the member's consent).
    faq_question = models.TextField(_("published question"), blank=True)
    faq_answer = models.TextField(_("published answer"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "office"], name="appeals_status_office"),
            models.Index(fields=["created_at"], name="appeals_created"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Attachment(models.Model):
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Routing(models.Model):
    """One routing decision: the router's automatic one, the triage officer's, an office passing the
    appeal back as misrouted (with the office it names), or the union office re-routing it."""

    class Source(models.TextChoices):
        AUTO = "auto", _("Routed automatically")
        TRIAGE = "triage", _("Routed by the union office")
        MISROUTED = "misrouted", _("Passed back as misrouted")
        REROUTED = "rerouted", _("Re-routed by the union office")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="routings"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    office = _office(_("handling office"), related_name="+")
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = _user(_("by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.source}"


class Reply(models.Model):
    """The office's answer in one round (round 2 after a reopening)."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="replies"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    office = _office(_("handling office"), related_name="+")
    text = models.TextField(_("reply"))
    is_overdue = models.BooleanField(_("after the deadline"), default=False)
    by = _user(_("replied by"))
    created_at = models.DateTimeField(_("replied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal reply")
        verbose_name_plural = _("appeal replies")
        ordering = ["round", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="appeals_one_reply_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} #{self.round}"


class Rating(models.Model):
    class Score(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied (满意)")
        BASICALLY = "basically", _("Basically satisfied (基本满意)")
        UNSATISFIED = "unsatisfied", _("Unsatisfied (不满意)")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="ratings"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    score = models.CharField(_("rating"), max_length=20, choices=Score.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal rating")
        verbose_name_plural = _("appeal ratings")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="appeals_one_rating_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} #{self.round} {self.score}"


class Event(models.Model):
    """The appeal's timeline. ``actor`` is never shown to an office for the member's own steps of an
    anonymous appeal (the views show "the member")."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("appeal", "Submitted")
        ROUTED = "routed", _("Routed")
        MISROUTED = "misrouted", _("Passed back as misrouted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REPLIED = "replied", pgettext_lazy("appeal", "Replied")
        RATED = "rated", _("Rated")
        REOPENED = "reopened", _("Reopened")
        CLOSED = "closed", pgettext_lazy("appeal", "Closed")
        WITHDRAWN = "withdrawn", pgettext_lazy("appeal", "Withdrawn")
        REMINDED = "reminded", _("Reminder sent")
        ESCALATED = "escalated", _("Escalated to the union office")
        PUBLISHED = "published", _("Published as a question and answer")
        NOTE = "note", _("Note")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = _user(_("by"))
    by_member = models.BooleanField(_("by the member"), default=False)
    office = _office(_("handling office"), related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"


class Reminder(models.Model):
    """A reminder or escalation already sent, so the daily command never sends it twice."""

    class Kind(models.TextChoices):
        ACKNOWLEDGE_DUE = "ack_due", _("Acknowledgement due")
        REPLY_SOON = "reply_soon", _("Reply due soon")
        REPLY_OVERDUE = "reply_overdue", _("Reply overdue")
        ESCALATED = "escalated", _("Escalated to the union office")
        RATE = "rate", _("Rating reminder")

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("appeal reminder")
        verbose_name_plural = _("appeal reminders")
        constraints = [
            models.UniqueConstraint(fields=["appeal", "kind", "round"], name="appeals_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind}"


class Counter(models.Model):
    """The last number given per year (SQ2026-0001), incremented under a row lock."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("appeal number counter")
        verbose_name_plural = _("appeal number counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
