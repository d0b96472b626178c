"""Reads owned by core: the audit log and import jobs, always limited to what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import AuditEntry, ImportJob, ImportRow


def audit_list_for_user(
    *,
    user: Any,
    actor: str = "",
    action: str = "",
    target_type: int | None = None,
    target_id: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    sensitive_only: bool = False,
) -> QuerySet[AuditEntry]:
    """Entries in the user's audit scope. Entries tied to no unit (system-wide ones) are visible only to
    holders of the permission at the top of the tree."""
    scope = user.scope_for("core.audit.view")
    entries = AuditEntry.objects.select_related("target_type", "unit")
    if scope.is_empty:
        return entries.none()
    if scope.at_top:
        entries = entries.filter(Q(unit__isnull=True) | scope.q("unit"))
    else:
        entries = entries.filter(scope.q("unit"))
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if action:
        entries = entries.filter(action__startswith=action)
    if target_type:
        entries = entries.filter(target_type_id=target_type)
    if target_id:
        entries = entries.filter(Q(target_id=target_id) | Q(target_label__icontains=target_id))
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    if sensitive_only:
        entries = entries.filter(sensitive=True)
    return entries


def import_jobs_for_user(*, user: Any) -> QuerySet[ImportJob]:
    """Import files hold personal data: each user sees the imports they uploaded."""
    return ImportJob.objects.filter(created_by=user).defer("content")


def import_job_get_for_user(*, user: Any, pk: Any) -> ImportJob:
    try:
        return import_jobs_for_user(user=user).get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError):
        raise Http404 from None


def import_rows(*, job: ImportJob, status: str = "", classification: str = "") -> QuerySet[ImportRow]:
    rows = job.rows.defer("raw")
    if status:
        rows = rows.filter(status=status)
    if classification:
        rows = rows.filter(classification=classification)
    return rows


def import_finding(*, job: ImportJob, code: str) -> dict[str, Any] | None:
    """One of the findings stored with the job (see Importer.findings), by its code."""
    for finding in job.findings or []:
        if isinstance(finding, dict) and finding.get("code") == code:
            return finding
    return None
