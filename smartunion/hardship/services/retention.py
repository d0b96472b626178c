"""The retention purge (PIPL art. 19, 47): closed files and finished applications past their
``retain_until`` are deleted with everything they hold; only anonymous counts (PurgedCount: kind, year
closed, category or programme, final status, count, amount paid) are kept. One audit entry per run, with
the counts only. Idempotent; ``dry_run`` counts without deleting.

Drafts never submitted are not kept either: a draft not changed for ``HARDSHIP_DRAFT_DAYS`` (90) days — its
figures, household or documents — is deleted the same way and counted with the outcome "draft_expired"
(the year is that of its last change). The member is told so on the application page.

Run daily from cron (docs/admin.md): ``manage.py hardship_purge``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smartunion.core.audit import audit
from smartunion.hardship.models import (
    AssistanceApplication,
    Consent,
    Document,
    HardshipFile,
    PurgedCount,
    Review,
)

from .common import retention_until

AppStatus = AssistanceApplication.Status
FINISHED = (AppStatus.PAID, AppStatus.REJECTED, AppStatus.WITHDRAWN)
Key = tuple[str, int, str, str]  # kind, closed year, label, outcome
DRAFT_EXPIRED = "draft_expired"
DEFAULT_DRAFT_DAYS = 90


def draft_days() -> int:
    """How long an untouched draft is kept (``HARDSHIP_DRAFT_DAYS``, 90 by default)."""
    return int(getattr(settings, "HARDSHIP_DRAFT_DAYS", DEFAULT_DRAFT_DAYS))


@dataclass
class PurgeResult:
    files: int = 0  # every file deleted, expired drafts included
    drafts: int = 0  # of which drafts not changed for draft_days()
    applications: int = 0
    retention_set: int = 0
    counts: dict[Key, list[Any]] = field(default_factory=dict)


def closing_date(application: AssistanceApplication) -> dt.date:
    """When an application was finished: paid, rejected, or (withdrawn) last changed."""
    moment = application.paid_at or application.rejected_at or application.updated_at
    return timezone.localtime(moment).date()


def set_application_retention(*, dry_run: bool = False) -> int:
    """Give every finished application without one its ``retain_until`` (closing date + retention)."""
    pending = AssistanceApplication.objects.filter(status__in=FINISHED, retain_until__isnull=True)
    count = 0
    for application in pending.only("pk", "paid_at", "rejected_at", "updated_at", "status"):
        if not dry_run:
            AssistanceApplication.objects.filter(pk=application.pk).update(
                retain_until=retention_until(closing_date(application))
            )
        count += 1
    return count


def _expired_applications(today: dt.date, dry_run: bool) -> list[AssistanceApplication]:
    applications = AssistanceApplication.objects.filter(status__in=FINISHED).select_related("programme")
    if dry_run:
        # Nothing was written: work out the date the real run would set.
        return [
            a
            for a in applications.filter(retain_until__isnull=True).only(
                "pk", "paid_at", "rejected_at", "updated_at", "status", "programme__code", "approved_amount"
            )
            if retention_until(closing_date(a)) < today
        ] + list(applications.filter(retain_until__lt=today))
    return list(applications.filter(retain_until__lt=today))


def _add(counts: dict[Key, list[Any]], key: Key, amount: Decimal) -> None:
    entry = counts.setdefault(key, [0, Decimal("0")])
    entry[0] += 1
    entry[1] += amount


def _delete_unused_consents(ids: set[int]) -> None:
    used_by_files = HardshipFile.objects.filter(consent_id__in=ids).values_list("consent_id", flat=True)
    used_by_apps = AssistanceApplication.objects.filter(consent_id__in=ids).values_list(
        "consent_id", flat=True
    )
    unused = ids - set(used_by_files) - set(used_by_apps)
    if unused:
        Consent.objects.filter(pk__in=unused).delete()


def _expired_drafts(today: dt.date) -> list[HardshipFile]:
    """Drafts whose last change — the file (its figures and, through the recomputation, its household) or a
    document uploaded to it — is older than ``draft_days()`` days."""
    cutoff_day = today - dt.timedelta(days=draft_days())
    cutoff = timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))
    return list(
        HardshipFile.objects.select_for_update(of=("self",))
        .filter(status=HardshipFile.Status.DRAFT, updated_at__lt=cutoff)
        .exclude(
            pk__in=Document.objects.filter(file__isnull=False, uploaded_at__gte=cutoff).values("file_id")
        )
        .order_by("pk")
    )


@transaction.atomic
def purge(*, today: dt.date | None = None, dry_run: bool = False) -> PurgeResult:
    today = today or timezone.localdate()
    result = PurgeResult()
    result.retention_set = set_application_retention(dry_run=dry_run)
    counts: dict[Key, list[Any]] = defaultdict(lambda: [0, Decimal("0")])

    files = list(
        HardshipFile.objects.select_for_update(of=("self",))
        .filter(status__in=HardshipFile.CLOSED_STATUSES, retain_until__lt=today)
        .order_by("pk")
    )
    for file in files:
        closed = file.closed_on or file.retain_until or today
        _add(counts, (PurgedCount.Kind.FILE, closed.year, file.category or "", file.status), Decimal("0"))
    drafts = _expired_drafts(today)
    for file in drafts:
        changed = timezone.localtime(file.updated_at).date()
        _add(counts, (PurgedCount.Kind.FILE, changed.year, file.category or "", DRAFT_EXPIRED), Decimal("0"))
    files += drafts
    applications = _expired_applications(today, dry_run)
    for application in applications:
        paid = Decimal("0")
        if application.status == AppStatus.PAID:
            paid = application.approved_amount or Decimal("0")
        _add(
            counts,
            (
                PurgedCount.Kind.APPLICATION,
                closing_date(application).year,
                application.programme.code,
                application.status,
            ),
            paid,
        )
    result.files = len(files)
    result.drafts = len(drafts)
    result.applications = len(applications)
    result.counts = dict(counts)
    if dry_run or not (files or applications):
        return result

    for (kind, year, label, outcome), (count, amount) in counts.items():
        row, _created = PurgedCount.objects.get_or_create(
            kind=kind, closed_year=year, label=label[:40], outcome=outcome
        )
        PurgedCount.objects.filter(pk=row.pk).update(count=F("count") + count, amount=F("amount") + amount)

    consent_ids: set[int] = set()
    file_ids = [file.pk for file in files]
    consent_ids |= {file.consent_id for file in files if file.consent_id}
    # Reviews point at their round (PROTECT), documents would cascade anyway: delete explicitly, then the
    # files (household, visits, objections, measures and category history cascade).
    Review.objects.filter(file_id__in=file_ids).delete()
    Document.objects.filter(file_id__in=file_ids).delete()
    HardshipFile.objects.filter(pk__in=file_ids).delete()
    app_ids = [application.pk for application in applications]
    consent_ids |= {application.consent_id for application in applications}
    Document.objects.filter(application_id__in=app_ids).delete()
    AssistanceApplication.objects.filter(pk__in=app_ids).delete()
    _delete_unused_consents(consent_ids)
    audit(
        actor=None,
        action="hardship.purged",
        changes={"files": result.files, "drafts": result.drafts, "applications": result.applications},
    )
    return result
