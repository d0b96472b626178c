from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("Audit entries cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")

    def for_object(self, obj: models.Model) -> AuditEntryQuerySet:
        return self.filter(target_type=ContentType.objects.get_for_model(obj), target_id=str(obj.pk))


class AuditEntry(models.Model):
    """One append-only line of the audit trail: who did what to which object, when, before/after.

    On PostgreSQL a trigger also refuses UPDATE and DELETE (migration 0002), so not even a raw SQL
    statement from the application's connection can rewrite history.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    unit = models.ForeignKey(
        settings.UNIT_MODEL,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    sensitive = models.BooleanField(_("sensitive data access"), default=False, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()
    UNIT_MERGE_POLICY = "keep"  # history stays attached to the unit it happened in

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit entries cannot be deleted.")


class ImportJob(models.Model):
    """An Excel file on its way in: uploaded, previewed row by row, then applied (or not)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        PREVIEWING = "previewing", _("Checking")
        PREVIEWED = "previewed", _("Ready to confirm")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("import kind"), max_length=80, db_index=True)
    filename = models.CharField(_("file name"), max_length=255)
    # The uploaded workbook, encrypted (it usually holds personal data); cleared once applied.
    content = models.BinaryField(_("content"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    # {"<column index>": {"header": "...", "field": "name" | ""}}
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # What the importer found about the database as a whole (see Importer.findings); informs, writes nothing.
    findings = models.JSONField(_("findings"), default=list, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)
    previewed_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("files erased at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class ImportRow(models.Model):
    """The result of one source row: its normalised values, its messages and what applying does."""

    class Status(models.TextChoices):
        OK = "ok", _("OK")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")
        SKIPPED = "skipped", _("Skipped")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    action = models.CharField(_("action"), max_length=20, blank=True)
    classification = models.CharField(_("classification"), max_length=30, blank=True)
    key = models.CharField(_("key"), max_length=200, blank=True)
    values = models.JSONField(_("values"), default=dict, encoder=DjangoJSONEncoder)  # sensitive values masked
    changes = models.JSONField(_("changes"), default=dict, encoder=DjangoJSONEncoder)
    messages = models.JSONField(_("messages"), default=list)
    notes = models.JSONField(_("notes"), default=list, blank=True)  # information, not problems
    raw = EncryptedTextField(
        _("original cells"), blank=True
    )  # JSON of the source cells, for the error report

    class Meta:
        ordering = ["row_number"]
        constraints = [models.UniqueConstraint(fields=["job", "row_number"], name="import_row_unique")]
        indexes = [
            models.Index(fields=["job", "status"], name="import_row_status_idx"),
            models.Index(fields=["job", "classification"], name="import_row_class_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.row_number}"


class ImportColumnMapping(models.Model):
    """A header spelling an office taught the importer ("人员编号" means 工号), kept per import kind."""

    kind = models.CharField(_("import kind"), max_length=80)
    header = models.CharField(_("column header"), max_length=100)
    field = models.CharField(_("field"), max_length=80, blank=True)  # "" = ignore this column
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [models.UniqueConstraint(fields=["kind", "header"], name="import_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.header} → {self.field or '-'}"


class CalendarDay(models.Model):
    """An exception to the Monday–Friday working week: a public holiday on a weekday (is_workday False)
    or a make-up working day (调休) on a weekend (is_workday True). The State Council publishes these
    each year; the union office enters them. Deadlines counted in working days (proposal replies, appeal
    SLAs) read this table through ``smartunion.core.workdays``."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
