"""The AI module's own data: versions of the fitted routers with their evaluation, and the "适合我"
recommendations shown to members with whether they were taken up.

A router is named ("appeals") and registered by the app whose data trains it (``ai.registry``), so this
app never reads that app's models: the owner hands over labelled texts and the taxonomy's descriptions.
Each fitted version keeps its pickled pipeline in the database (every worker loads the same bytes), the
library versions it was fitted with, and its held-out evaluation; only one version per router is active.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartunion.core.models import TimeStampedModel


class RouterModel(TimeStampedModel):
    class Kind(models.TextChoices):
        ZERO_SHOT = "zero_shot", _("Cold start (taxonomy descriptions and keywords only)")
        SUPERVISED = "supervised", _("Learned from confirmed routings")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        ACTIVE = "active", _("In use")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Not promoted")

    router = models.CharField(_("router"), max_length=50)
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    labels = models.JSONField(_("labels"), default=list)
    examples = models.PositiveIntegerField(_("labelled examples"), default=0)
    # {"accuracy", "macro_f1", "top3_accuracy", "holdout": n, "baseline_macro_f1": active model's score on
    # the same held-out texts (None when there was none), ...}
    metrics = models.JSONField(_("evaluation"), default=dict)
    fit_seconds = models.FloatField(_("fit seconds"), default=0)
    pipeline = models.BinaryField(_("fitted pipeline"))
    # What the stored pipeline was fitted on: the 8-byte blake2b digests of its confirmed (text, label)
    # examples, concatenated (``services.training.example_digest``) — so that a later candidate is compared
    # with it only on examples it has not seen. Empty for the cold start and for versions without a pipeline.
    training_digests = models.BinaryField(_("training examples (digests)"), default=b"", blank=True)
    sklearn_version = models.CharField(_("scikit-learn version"), max_length=20)
    jieba_version = models.CharField(_("jieba version"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("router model")
        verbose_name_plural = _("router models")
        ordering = ["router", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["router", "version"], name="ai_router_version_unique"),
            models.UniqueConstraint(
                fields=["router"], condition=Q(status="active"), name="ai_one_active_model_per_router"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.router} v{self.version}"


class Recommendation(models.Model):
    """One item recommended to one member ("适合我"), first and last shown, and when it was taken up
    (registered, chosen, applied for) — the figure the recommender is measured by."""

    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Activity")
        BENEFIT = "benefit", _("Benefit to choose")
        ASSISTANCE = "assistance", _("Assistance programme")

    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    item_id = models.PositiveIntegerField(_("item"))
    title = models.CharField(_("title"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300)
    score = models.FloatField(_("score"), default=0)
    first_shown_at = models.DateTimeField(_("first shown at"), auto_now_add=True)
    last_shown_at = models.DateTimeField(_("last shown at"), auto_now=True)
    times_shown = models.PositiveIntegerField(_("times shown"), default=1)
    taken_up_at = models.DateTimeField(_("taken up at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-last_shown_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "item_id"], name="ai_recommendation_unique"),
        ]

    def __str__(self) -> str:
        return self.title
