"""Writes owned by core: the lifecycle of an Excel import job."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto, progress
from .audit import audit
from .excel.importing import Importer, MissingColumnsError, Outcome, get_importer, run_import
from .excel.reader import ImportFileError, check_upload
from .models import ImportColumnMapping, ImportJob, ImportRow
from .normalise import header_key

ROW_BATCH = 1000
logger = logging.getLogger(__name__)


def import_max_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024


def saved_mapping(kind: str) -> dict[str, str]:
    return dict(ImportColumnMapping.objects.filter(kind=kind).values_list("header", "field"))


def import_job_create(*, user: Any, kind: str, filename: str, data: bytes) -> ImportJob:
    """Check the upload and queue its preview. Raises ImportFileError with a message for the user."""
    importer = get_importer(kind)
    if not user.has_unit_perm(importer.permission):
        raise PermissionDenied
    check_upload(filename, data, import_max_bytes())
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=kind,
            filename=filename[:255],
            content=crypto.encrypt_bytes(data),
            size=len(data),
            created_by=user,
        )
        audit(actor=user, action="core.import.uploaded", target=job, changes={"kind": kind, "file": filename})
        transaction.on_commit(lambda: _enqueue_preview(job))
    return job


def _enqueue_preview(job: ImportJob) -> None:
    from .tasks import import_preview_task

    import_preview_task.enqueue(str(job.pk))


def _store_outcome(job: ImportJob, importer: Importer, outcome: Outcome) -> None:
    job.rows.all().delete()
    batch: list[ImportRow] = []
    for row in outcome.rows:
        batch.append(
            ImportRow(
                job=job,
                row_number=row.number,
                status=row.status,
                action=row.action,
                classification=row.classification[:30],
                key=row.key[:200],
                values=importer.masked(row.values),
                changes=row.changes,
                messages=row.messages,
                notes=row.notes,
                raw=json.dumps([_jsonable(cell) for cell in row.cells], ensure_ascii=False)
                if row.errors
                else "",
            )
        )
        if len(batch) >= ROW_BATCH:
            ImportRow.objects.bulk_create(batch)
            batch = []
    for number, reason in outcome.skipped:
        batch.append(
            ImportRow(job=job, row_number=number, status=ImportRow.Status.SKIPPED, messages=[reason])
        )
    ImportRow.objects.bulk_create(batch)
    job.sheet_name = outcome.sheet_name[:100]
    job.header_row = outcome.header_row
    job.columns = {str(index): col for index, col in outcome.columns.items()}
    job.counts = outcome.counts
    job.findings = outcome.findings


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)


def _job_progress(job: ImportJob, phase: str) -> Any:
    def report(done: int, total: int) -> None:
        progress.set_progress(f"import:{job.pk}", done, total, phase=phase)

    return report


def import_job_preview(*, job_id: str) -> ImportJob:
    """Read and check the file (run by the task worker); the result is the preview."""
    updated = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.UPLOADED, ImportJob.Status.PREVIEWED, ImportJob.Status.FAILED]
    ).update(status=ImportJob.Status.PREVIEWING, error="")
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not updated:
        return job
    importer = get_importer(job.kind)(user=job.created_by)
    try:
        outcome = run_import(
            importer,
            crypto.decrypt_bytes(bytes(job.content or b"")),
            saved_mapping=saved_mapping(job.kind),
            progress=_job_progress(job, "preview"),
        )
    except ImportFileError as exc:
        job.status = ImportJob.Status.FAILED
        job.error = str(exc)
        # With a header but required columns missing, keep the columns found: the mapping form needs them.
        found = exc if isinstance(exc, MissingColumnsError) else None
        job.columns = {str(index): col for index, col in found.columns.items()} if found else {}
        job.sheet_name = found.sheet_name[:100] if found else ""
        job.header_row = found.header_row if found else None
        job.counts = {}  # a failed re-check must not leave the previous check's rows on show
        job.findings = []
        job.rows.all().delete()
        job.save(
            update_fields=["status", "error", "columns", "sheet_name", "header_row", "counts", "findings"]
        )
        return job
    except Exception:
        # Whatever else went wrong, the job must not stay "checking" for ever: it fails with a message
        # and can be checked again (the error itself goes to the server log).
        logger.exception("Preview of import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED,
            error=_(
                "The file could not be checked because of an unexpected error; the administrators can find it in the server log. Try again, or upload the file again."
            ),
        )
        job.refresh_from_db()
        return job
    with transaction.atomic():
        _store_outcome(job, importer, outcome)
        job.status = ImportJob.Status.PREVIEWED
        job.previewed_at = timezone.now()
        job.save(
            update_fields=[
                "status",
                "previewed_at",
                "sheet_name",
                "header_row",
                "columns",
                "counts",
                "findings",
                "error",
            ]
        )
    progress.clear_progress(f"import:{job.pk}")
    return job


def import_job_remap(*, job: ImportJob, user: Any, mapping: dict[str, str]) -> ImportJob:
    """Save which field each column feeds (remembered for this kind of import) and check again.

    ``mapping`` is {column index: field name or "" to ignore the column}.
    """
    importer = get_importer(job.kind)
    if job.status not in {ImportJob.Status.PREVIEWED, ImportJob.Status.FAILED} or not job.content:
        raise ValidationError(_("This import can no longer be changed."))
    known = {f.name for f in importer.fields}
    chosen = [name for name in mapping.values() if name]
    unknown = set(chosen) - known
    if unknown:
        raise ValidationError(_("Unknown field: %(fields)s.") % {"fields": "、".join(sorted(unknown))})
    twice = {name for name in chosen if chosen.count(name) > 1}
    if twice:
        labels = "、".join(str(importer.field(name).label) for name in sorted(twice))
        raise ValidationError(_("Each field can come from one column only: %(fields)s.") % {"fields": labels})
    with transaction.atomic():
        saved = {}
        for index, field_name in mapping.items():
            column = job.columns.get(str(index))
            if not column:
                continue
            key = header_key(column["header"])
            ImportColumnMapping.objects.update_or_create(
                kind=job.kind, header=key, defaults={"field": field_name}
            )
            saved[column["header"]] = field_name
        audit(actor=user, action="core.import.mapping_saved", target=job, changes={"mapping": saved})
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.UPLOADED)
        transaction.on_commit(lambda: _enqueue_preview(job))
    job.refresh_from_db()
    return job


def import_job_apply(*, job: ImportJob, user: Any) -> ImportJob:
    """Confirm a checked import; the rows are written by the task worker in one transaction."""
    importer = get_importer(job.kind)
    if not user.has_unit_perm(importer.permission):
        raise PermissionDenied
    if job.status != ImportJob.Status.PREVIEWED:
        raise ValidationError(
            _("Only a checked import can be confirmed (this one is “%(status)s”).")
            % {"status": job.get_status_display()}
        )
    if not (job.counts.get("create") or job.counts.get("update")):
        raise ValidationError(_("There is nothing to import: every row is unchanged, skipped or rejected."))
    with transaction.atomic():
        # The conditional update makes a double click (or two officers) start only one apply.
        started = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEWED).update(
            status=ImportJob.Status.APPLYING, applied_by=user
        )
        if not started:
            raise ValidationError(_("This import is already being applied."))
        transaction.on_commit(lambda: _enqueue_apply(job))
    job.refresh_from_db()
    return job


def _enqueue_apply(job: ImportJob) -> None:
    from .tasks import import_apply_task

    import_apply_task.enqueue(str(job.pk))


def import_job_run_apply(*, job_id: str) -> ImportJob:
    job = ImportJob.objects.select_related("applied_by").get(pk=job_id)
    if job.status != ImportJob.Status.APPLYING:
        return job
    user = job.applied_by
    importer = get_importer(job.kind)(user=user)
    # The columns as they were when the user looked at the preview, not as someone may have remapped the
    # kind since: what was confirmed is what gets written.
    previewed_mapping: dict[str, str] = {}
    for col in job.columns.values():
        key = header_key(col["header"])
        if col["field"] or key not in previewed_mapping:  # two "姓名" columns: the one that fed a field wins
            previewed_mapping[key] = col["field"]
    try:
        # The rows, the stored outcome and the job's new status commit together or not at all: a job
        # can never be left "importing" with its rows written.
        with transaction.atomic():
            outcome = run_import(
                importer,
                crypto.decrypt_bytes(bytes(job.content or b"")),
                saved_mapping=previewed_mapping,
                apply=True,
                progress=_job_progress(job, "apply"),
            )
            _store_outcome(job, importer, outcome)
            job.status = ImportJob.Status.APPLIED
            job.applied_at = timezone.now()
            job.content = None  # minimisation: the workbook is no longer needed once applied
            job.save(
                update_fields=[
                    "status",
                    "applied_at",
                    "content",
                    "sheet_name",
                    "header_row",
                    "columns",
                    "counts",
                    "findings",
                ]
            )
            audit(
                actor=user, action="core.import.applied", target=job, changes={"kind": job.kind, **job.counts}
            )
    except Exception as exc:
        # Whatever went wrong, the transaction rolled back: say so, and keep the job out of "importing".
        if isinstance(exc, ValidationError):
            message = "; ".join(exc.messages)
        elif isinstance(exc, ImportFileError | PermissionDenied):
            message = str(exc)
        else:
            logger.exception("Import %s failed", job.pk)
            message = _("an unexpected error occurred; the administrators can find it in the server log")
        job.refresh_from_db()  # the in-memory copy may hold the rolled-back outcome
        job.status = ImportJob.Status.FAILED
        job.error = _("Nothing was imported: %(error)s") % {"error": message or _("permission denied")}
        job.save(update_fields=["status", "error"])
        return job
    progress.clear_progress(f"import:{job.pk}")
    return job


def import_files_purge(*, older_than_days: int) -> int:
    """Erase the uploaded workbooks and original cells of imports older than the retention period (the
    results — counts, statuses, masked values, messages — stay). Idempotent: run it daily from cron."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    old = ImportJob.objects.filter(created_at__lt=cutoff, purged_at__isnull=True)
    with transaction.atomic():
        jobs = list(old.select_for_update().values_list("pk", flat=True))
        ImportRow.objects.filter(job__in=jobs).update(raw="")
        ImportJob.objects.filter(pk__in=jobs).update(content=None, purged_at=timezone.now())
    if jobs:
        audit(actor=None, action="core.import.purged", changes={"jobs": len(jobs), "days": older_than_days})
    return len(jobs)
