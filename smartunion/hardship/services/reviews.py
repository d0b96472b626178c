"""动态管理: the annual review of every active file, its system-drawn spot checks, and the reminders.

* ``round_start`` (``hardship.reviews.manage`` at the top of the tree): one round per year; a Review for
  every active file, due on the round's date; ``ceil(share × n)`` files drawn for a spot check (share =
  ``HARDSHIP_SPOT_CHECK_SHARE``, never below 30 %) with ``random.Random(seed)`` over the files sorted by
  pk — the seed is stored, so anyone can redraw the same sample.
* ``review_record`` (``hardship.files.manage`` at the file's unit): continue / category changed / exit.
  A spot check needs a home visit made on or after the day the round started (the application's own visit,
  or any earlier one of the year, does not count). Setting a category by hand is an override: it needs
  ``hardship.files.approve`` at the top of the tree, like ``files.category_override``. An officer never
  records the review of their own file.
* ``reminders_send``: a standalone review for each active file whose ``review_due_on`` comes within 30
  days (files approved after the round), and a reminder to the responsible officers, at most once per 7
  days per review.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts.selectors import users_with_perm_at
from smartunion.core.audit import audit
from smartunion.hardship.models import Category, CategoryChange, HardshipFile, HomeVisit, Review, ReviewRound
from smartunion.notifications.services import notify

from . import lifecycle
from .common import file_recompute
from .files import is_member

Status = HardshipFile.Status
Result = Review.Result
MIN_SHARE = Decimal("0.30")
DUE_WINDOW_DAYS = 30
REMIND_EVERY = dt.timedelta(days=7)
MANAGE = "hardship.files.manage"
APPROVE = "hardship.files.approve"
ROUNDS = "hardship.reviews.manage"


def spot_check_share() -> Decimal:
    """The configured share, never below 30 % (domain.md §4: at least 30 % verified at home)."""
    try:
        share = Decimal(str(settings.HARDSHIP_SPOT_CHECK_SHARE))
    except ArithmeticError:  # a bad setting falls back to the minimum
        share = MIN_SHARE
    return min(max(share, MIN_SHARE), Decimal("1"))


def draw_sample(pks: Sequence[int], *, share: Decimal, seed: str) -> list[int]:
    """The spot-check sample: ``ceil(share × n)`` of ``pks`` (sorted first), drawn with ``seed``."""
    ordered = sorted(pks)
    if not ordered:
        return []
    size = min(len(ordered), math.ceil(share * len(ordered)))
    return sorted(random.Random(seed).sample(ordered, size))


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


# -- the round --------------------------------------------------------------------------------------


def may_start_round(user: Any) -> bool:
    """The round reviews every active file of the school: the permission held at the top of the tree."""
    return bool(getattr(user, "pk", None)) and bool(user.scope_for(ROUNDS).at_top)


@transaction.atomic
def round_start(*, actor: Any, year: int, due_on: dt.date, seed: str | None = None) -> ReviewRound:
    if not may_start_round(actor):
        raise PermissionDenied
    today = timezone.localdate()
    if not (today.year - 1 <= int(year) <= today.year + 1):
        raise ValidationError({"year": _("Start the review of this year, last year or next year.")})
    if due_on < today:
        raise ValidationError({"due_on": _("The reviews cannot be due in the past.")})
    if ReviewRound.objects.filter(year=year).exists():
        raise ValidationError(
            {
                "year": _("The review of %(year)s has already been started: there is one round per year.")
                % {"year": year}
            }
        )
    files = list(
        HardshipFile.objects.select_for_update(of=("self",)).filter(status=Status.ACTIVE).order_by("pk")
    )
    if not files:
        raise ValidationError(_("There is no active file to review."))
    seed = (seed or "").strip() or secrets.token_hex(8)
    share = spot_check_share()
    sample = set(draw_sample([file.pk for file in files], share=share, seed=seed))
    review_round = ReviewRound.objects.create(
        year=year, due_on=due_on, sample_rate=share, seed=seed, started_by=actor, started_at=timezone.now()
    )
    # A file with an open standalone review takes it into the round instead of getting a second one.
    open_reviews = {
        review.file_id: review
        for review in Review.objects.select_for_update(of=("self",)).filter(
            round__isnull=True, done_at__isnull=True, file__in=files
        )
    }
    new = []
    for file in files:
        existing = open_reviews.get(file.pk)
        if existing is not None:
            existing.round = review_round
            existing.due_on = due_on
            existing.spot_check = file.pk in sample
            existing.save(update_fields=["round", "due_on", "spot_check"])
        else:
            new.append(Review(round=review_round, file=file, due_on=due_on, spot_check=file.pk in sample))
    Review.objects.bulk_create(new)
    audit(
        actor=actor,
        action="hardship.review_round.started",
        target=review_round,
        changes={"year": year, "files": len(files), "spot_checks": len(sample), "share": str(share)},
    )
    return review_round


# -- one review ----------------------------------------------------------------------------------------


def may_record(user: Any, review: Review) -> bool:
    return bool(user.has_unit_perm(MANAGE, review.file.unit))


def visit_since(review: Review) -> dt.date:
    """The first day a spot check's home visit may be of: the day the round started. (A review outside a
    round — never drawn for a spot check by the system — counts visits from the file's approval on.)"""
    if review.round is not None:
        return timezone.localtime(review.round.started_at).date()
    approved_at = getattr(review.file, "approved_at", None)
    if approved_at is not None:
        return timezone.localtime(approved_at).date()
    return review.due_on.replace(month=1, day=1)


def visits_for(review: Review) -> Any:
    """The home visits that count for the review's spot check (newest first)."""
    return HomeVisit.objects.filter(file_id=review.file_id, visited_on__gte=visit_since(review)).order_by(
        "-visited_on", "-pk"
    )


def has_visit_for(review: Review) -> bool:
    return visits_for(review).exists()


def may_set_category(user: Any) -> bool:
    """Setting a category by hand is an override: the school union's approvers (at the top of the tree)."""
    return bool(getattr(user, "pk", None)) and bool(user.scope_for(APPROVE).at_top)


@transaction.atomic
def review_record(
    *, actor: Any, review: Review, result: str, note: str, category: str | None = None
) -> Review:
    review = (
        Review.objects.select_for_update(of=("self",)).select_related("round", "file__unit").get(pk=review.pk)
    )
    file = lifecycle.lock_file(review.file)
    review.file = file
    if not may_record(actor, review):
        raise PermissionDenied
    if is_member(actor, file):
        raise ValidationError(_("Another officer records this for your own file."))
    if review.done_at is not None:
        raise ValidationError(_("This review has already been recorded."))
    if file.status != Status.ACTIVE:
        raise ValidationError(
            _("This file is %(status)s: only an active file is reviewed.")
            % {"status": file.get_status_display()}
        )
    if result not in Result.values:
        raise ValidationError({"result": _("Choose the result of the review.")})
    note = (note or "").strip()
    if review.spot_check and not has_visit_for(review):
        raise ValidationError(
            _(
                "This file was drawn for a spot check: record a home visit made on or after %(date)s (the "
                "start of the review) before recording the review."
            )
            % {"date": visit_since(review).isoformat()}
        )
    if result == Result.CATEGORY_CHANGED:
        _change_category(actor=actor, file=file, note=note, category=category or "")
    elif result == Result.EXIT:
        if not note:
            raise ValidationError({"note": _("Give the reason why the family is out of hardship.")})
        if not lifecycle.may_close(actor, file):
            raise ValidationError(
                _(
                    "Only the school union closes a file: record the review as “stays in the file” and ask "
                    "the school union's hardship staff to close it, or let them record this review."
                )
            )
        lifecycle.close_file(actor=actor, file=file, status=Status.EXITED, reason=note)
        audit(actor=actor, action="hardship.file.exited", target=file, changes={"status": Status.EXITED})
    now = timezone.now()
    review.done_at = now
    review.result = result
    review.note = note
    review.reviewed_by = actor
    review.save(update_fields=["done_at", "result", "note", "reviewed_by"])
    if result != Result.EXIT:
        file.review_due_on = one_year_after(timezone.localdate())
        file.save(update_fields=["review_due_on", "updated_at"])
    else:
        lifecycle._notify_member(
            file,
            _("Your hardship file is closed: out of hardship"),
            _(
                "The union has closed your hardship file %(number)s after its annual review: your family is "
                "no longer in hardship."
            )
            % {"number": file.number},
        )
    audit(
        actor=actor,
        action="hardship.review.recorded",
        target=file,
        changes={"result": result, "spot_check": review.spot_check, "review": review.pk},
    )
    return review


def _change_category(*, actor: Any, file: HardshipFile, note: str, category: str) -> None:
    if category:
        if category not in Category.values:
            raise ValidationError({"category": _("Choose one of the categories.")})
        if not may_set_category(actor):
            raise ValidationError(
                {
                    "category": _(
                        "Only the school union's approvers set a category by hand: leave the category empty "
                        "to take it from the updated figures, or ask them to record this review."
                    )
                }
            )
        if category == file.category:
            raise ValidationError(
                {"category": _("The file is already in this category: choose “stays in the file”.")}
            )
        if not note:
            raise ValidationError({"note": _("Give the reason for setting the category by hand.")})
        file.category_override = category
        file.override_reason = note
        file.save(update_fields=["category_override", "override_reason", "updated_at"])
        file_recompute(file=file, actor=actor, source=CategoryChange.Source.REVIEW, reason=note)
        return
    old = file.category
    file_recompute(file=file, actor=actor, source=CategoryChange.Source.REVIEW, reason=note)
    if file.category == old:
        raise ValidationError(
            {
                "category": _(
                    "The figures on the file still give %(category)s: update the family's figures first, or "
                    "choose the new category (with the reason in the note)."
                )
                % {"category": file.get_category_display() or "—"}
            }
        )


# -- standalone reviews and reminders ------------------------------------------------------------------


def reviews_open_due(*, today: dt.date | None = None) -> int:
    """A review for each active file whose annual review comes within 30 days and has none open."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_WINDOW_DAYS)
    files = HardshipFile.objects.filter(status=Status.ACTIVE, review_due_on__lte=horizon).exclude(
        pk__in=Review.objects.filter(done_at__isnull=True).values("file_id")
    )
    created = Review.objects.bulk_create(
        [Review(file=file, due_on=file.review_due_on) for file in files if file.review_due_on is not None]
    )
    return len(created)


def reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Open reviews due within 30 days (or overdue), not reminded in the last 7 days: one notification per
    unit to its responsible officers (``hardship.files.manage`` there), then ``reminded_at`` is set."""
    today = today or timezone.localdate()
    now = timezone.now()
    created = reviews_open_due(today=today)
    due = (
        Review.objects.filter(
            done_at__isnull=True,
            file__status=Status.ACTIVE,
            due_on__lte=today + dt.timedelta(days=DUE_WINDOW_DAYS),
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - REMIND_EVERY))
        .select_related("file__unit")
        .order_by("due_on", "pk")
    )
    by_unit: dict[int, list[Review]] = defaultdict(list)
    units: dict[int, Any] = {}
    for review in due:
        by_unit[review.file.unit_id].append(review)
        units[review.file.unit_id] = review.file.unit
    notified = 0
    link = reverse("hardship:review_list")
    for unit_id, reviews in by_unit.items():
        with transaction.atomic():
            overdue = sum(1 for review in reviews if review.due_on < today)
            officers = list(users_with_perm_at(code=MANAGE, unit=units[unit_id]))
            notify(
                recipients=officers,
                kind="hardship.review.due",
                title=_("%(count)s hardship file reviews are due (%(unit)s)")
                % {"count": len(reviews), "unit": units[unit_id].name},
                body=_(
                    "%(due)s due within %(days)s days, %(overdue)s overdue. Record them in the review queue."
                )
                % {"due": len(reviews) - overdue, "days": DUE_WINDOW_DAYS, "overdue": overdue},
                link=f"{link}?tab=overdue" if overdue else link,
            )
            Review.objects.filter(pk__in=[review.pk for review in reviews]).update(reminded_at=now)
            notified += len(officers)
    counts = {"created": created, "reminded": sum(len(r) for r in by_unit.values()), "notified": notified}
    if counts["created"] or counts["reminded"]:
        audit(actor=None, action="hardship.review.reminded", changes=counts)
    return counts
