"""The retention purge: only expired closed files and finished applications go, with everything they hold;
anonymous counts stay; one audit entry with counts only; idempotent; --dry-run deletes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartunion.core import crypto
from smartunion.core.audit import AuditEntry
from smartunion.hardship.models import (
    AssistanceApplication,
    CategoryChange,
    Consent,
    Document,
    HardshipFile,
    HelpMeasure,
    HomeVisit,
    HouseholdMember,
    Objection,
    PurgedCount,
    Review,
    ReviewRound,
)
from smartunion.hardship.services import retention
from smartunion.hardship.services.common import retention_until

from . import factories

pytestmark = pytest.mark.django_db
Status = HardshipFile.Status
AppStatus = AssistanceApplication.Status


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root)


def _full_closed_file(person: Any, actor: Any, *, expired: bool, status: str = Status.EXITED) -> HardshipFile:
    file = factories.make_file(person=person, actor=actor, status=status)
    today = timezone.localdate()
    closed = today.replace(year=today.year - 11) if expired else today
    HardshipFile.objects.filter(pk=file.pk).update(closed_on=closed, retain_until=retention_until(closed))
    HomeVisit.objects.create(file=file, visited_on=closed, visitors="甲", findings="属实", recorded_by=actor)
    Objection.objects.create(file=file, text="异议", raised_by=actor)
    review_round, _created = ReviewRound.objects.get_or_create(
        year=2000,
        defaults={
            "due_on": dt.date(2000, 12, 31),
            "sample_rate": Decimal("0.3"),
            "seed": "s",
            "started_by": actor,
        },
    )
    Review.objects.create(round=review_round, file=file, due_on=closed, result="exit", done_at=timezone.now())
    HelpMeasure.objects.create(
        file=file,
        kind="living",
        description="送温暖",
        responsible="分工会",
        planned_on=closed,
        created_by=actor,
    )
    Document.objects.create(
        file=file,
        kind="income",
        filename="收入.pdf",
        content_type="application/pdf",
        size=4,
        content=crypto.encrypt_bytes(b"%PDF"),
        uploaded_by=actor,
    )
    file.refresh_from_db()
    return file


def _finished_application(
    person: Any, actor: Any, programme: Any, *, status: str, expired: bool
) -> AssistanceApplication:
    application = factories.make_application(
        person=person, actor=actor, programme=programme, status=status, amount="2000"
    )
    moment = timezone.now() - (dt.timedelta(days=365 * 11) if expired else dt.timedelta(days=3))
    if status == AppStatus.PAID:
        AssistanceApplication.objects.filter(pk=application.pk).update(paid_at=moment)
    elif status == AppStatus.REJECTED:
        AssistanceApplication.objects.filter(pk=application.pk).update(rejected_at=moment)
    else:
        AssistanceApplication.objects.filter(pk=application.pk).update(updated_at=moment)
    Document.objects.create(
        application=application,
        kind="medical",
        filename="票据.pdf",
        content_type="application/pdf",
        size=4,
        content=crypto.encrypt_bytes(b"%PDF"),
        uploaded_by=actor,
    )
    return application


def test_purge_deletes_only_expired_rows_and_leaves_counts(staff: Any, make_person: Any) -> None:
    old = _full_closed_file(make_person(), staff, expired=True)
    old_removed = _full_closed_file(make_person(), staff, expired=True, status=Status.REMOVED)
    recent = _full_closed_file(make_person(), staff, expired=False)
    active = factories.make_file(person=make_person(), actor=staff)
    old_consent = old.consent_id
    programme = factories.make_programme(code="linshi")
    person = make_person()
    paid_old = _finished_application(person, staff, programme, status=AppStatus.PAID, expired=True)
    rejected_old = _finished_application(
        make_person(), staff, programme, status=AppStatus.REJECTED, expired=True
    )
    paid_recent = _finished_application(make_person(), staff, programme, status=AppStatus.PAID, expired=False)
    submitted = factories.make_application(person=make_person(), actor=staff, programme=programme)
    year_closed = old.closed_on.year

    result = retention.purge()
    assert (result.files, result.applications) == (2, 2)
    assert result.retention_set == 3  # every finished application now has its date
    remaining = set(HardshipFile.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, active.pk}
    for model in (HouseholdMember, HomeVisit, Objection, Review, HelpMeasure, CategoryChange, Document):
        assert not model.objects.filter(file_id__in=[old.pk, old_removed.pk]).exists(), model
    assert not Consent.objects.filter(pk=old_consent).exists()
    assert (
        HouseholdMember.objects.filter(file=recent).exists() and Document.objects.filter(file=recent).exists()
    )
    assert set(AssistanceApplication.objects.values_list("pk", flat=True)) == {paid_recent.pk, submitted.pk}
    assert not Document.objects.filter(application_id__in=[paid_old.pk, rejected_old.pk]).exists()
    paid_recent.refresh_from_db()
    assert paid_recent.retain_until == retention_until(timezone.localtime(paid_recent.paid_at).date())
    counts = {
        (row.kind, row.closed_year, row.label, row.outcome): (row.count, row.amount)
        for row in PurgedCount.objects.all()
    }
    assert counts[("file", year_closed, "deep", "exited")] == (1, Decimal("0"))
    assert counts[("file", year_closed, "deep", "removed")] == (1, Decimal("0"))
    paid_year = (timezone.localtime(timezone.now() - dt.timedelta(days=365 * 11))).year
    assert counts[("application", paid_year, "linshi", "paid")] == (1, Decimal("2000.00"))
    assert counts[("application", paid_year, "linshi", "rejected")] == (1, Decimal("0"))
    entry = AuditEntry.objects.get(action="hardship.purged")
    assert entry.changes == {"files": 2, "drafts": 0, "applications": 2}

    # Idempotent: nothing more to do, counts unchanged, no second audit entry.
    again = retention.purge()
    assert (again.files, again.applications) == (0, 0)
    assert PurgedCount.objects.get(kind="file", outcome="exited").count == 1
    assert AuditEntry.objects.filter(action="hardship.purged").count() == 1


def test_counts_accumulate_across_runs(staff: Any, make_person: Any) -> None:
    first = _full_closed_file(make_person(), staff, expired=True)
    retention.purge()
    second = _full_closed_file(make_person(), staff, expired=True)
    assert first.closed_on.year == second.closed_on.year
    retention.purge()
    assert PurgedCount.objects.get(kind="file", outcome="exited").count == 2


def test_dry_run_deletes_nothing(staff: Any, make_person: Any) -> None:
    _full_closed_file(make_person(), staff, expired=True)
    programme = factories.make_programme()
    application = _finished_application(
        make_person(), staff, programme, status=AppStatus.WITHDRAWN, expired=True
    )
    out = StringIO()
    call_command("hardship_purge", "--dry-run", stdout=out)
    assert "Would purge 1 files and 1 applications" in out.getvalue()
    assert (
        HardshipFile.objects.count() == 1 and AssistanceApplication.objects.filter(pk=application.pk).exists()
    )
    application.refresh_from_db()
    assert application.retain_until is None
    assert (
        not PurgedCount.objects.exists() and not AuditEntry.objects.filter(action="hardship.purged").exists()
    )
    out = StringIO()
    call_command("hardship_purge", stdout=out)
    assert "Purged 1 files and 1 applications" in out.getvalue()
    assert not HardshipFile.objects.exists()
    assert PurgedCount.objects.get(kind="application").outcome == "withdrawn"


def test_command_as_of_a_date(staff: Any, make_person: Any) -> None:
    recent = _full_closed_file(make_person(), staff, expired=False)
    out = StringIO()
    call_command("hardship_purge", date=(recent.retain_until + dt.timedelta(days=1)).isoformat(), stdout=out)
    assert "Purged 1 files" in out.getvalue()
    assert not HardshipFile.objects.filter(pk=recent.pk).exists()


# -- drafts never submitted ---------------------------------------------------------------------------------


def _draft(person: Any, actor: Any, *, days_untouched: int) -> HardshipFile:
    file = factories.make_file(person=person, actor=actor, status=Status.DRAFT)
    HardshipFile.objects.filter(pk=file.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days_untouched)
    )
    file.refresh_from_db()
    return file


def test_drafts_untouched_for_90_days_are_deleted_and_counted(staff: Any, make_person: Any) -> None:
    stale = _draft(make_person(), staff, days_untouched=91)
    Document.objects.create(
        file=stale,
        kind="income",
        filename="收入.pdf",
        content_type="application/pdf",
        size=4,
        content=crypto.encrypt_bytes(b"%PDF"),
        uploaded_by=staff,
        uploaded_at=timezone.now() - dt.timedelta(days=120),
    )
    fresh = _draft(make_person(), staff, days_untouched=30)
    # Touched through a document uploaded last week: not untouched.
    with_new_document = _draft(make_person(), staff, days_untouched=200)
    Document.objects.create(
        file=with_new_document,
        kind="income",
        filename="新证明.pdf",
        content_type="application/pdf",
        size=4,
        content=crypto.encrypt_bytes(b"%PDF"),
        uploaded_by=staff,
        uploaded_at=timezone.now() - dt.timedelta(days=7),
    )
    # A submitted file untouched as long is not a draft: kept.
    applied = factories.make_file(person=make_person(), actor=staff, status=Status.APPLIED)
    HardshipFile.objects.filter(pk=applied.pk).update(updated_at=timezone.now() - dt.timedelta(days=400))
    changed_year = timezone.localtime(stale.updated_at).year

    dry = retention.purge(dry_run=True)
    assert (dry.files, dry.drafts) == (1, 1) and HardshipFile.objects.filter(pk=stale.pk).exists()

    result = retention.purge()
    assert (result.files, result.drafts, result.applications) == (1, 1, 0)
    assert set(HardshipFile.objects.values_list("pk", flat=True)) == {
        fresh.pk,
        with_new_document.pk,
        applied.pk,
    }
    for model in (HouseholdMember, CategoryChange, Document):
        assert not model.objects.filter(file_id=stale.pk).exists(), model
    row = PurgedCount.objects.get(outcome="draft_expired")
    assert (row.kind, row.closed_year, row.label, row.count) == ("file", changed_year, "deep", 1)
    entry = AuditEntry.objects.get(action="hardship.purged")
    assert entry.changes == {"files": 1, "drafts": 1, "applications": 0}


def test_the_draft_period_is_a_setting(staff: Any, make_person: Any, settings: Any) -> None:
    draft = _draft(make_person(), staff, days_untouched=40)
    assert retention.draft_days() == 90
    assert retention.purge().drafts == 0
    settings.HARDSHIP_DRAFT_DAYS = 30
    assert retention.purge().drafts == 1
    assert not HardshipFile.objects.filter(pk=draft.pk).exists()
