"""Reads of the annual review: the queue of the user's scope (open, overdue, spot checks, done this year),
the files not reviewed for 12 months, and the rounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from smartunion.hardship.models import HardshipFile, HomeVisit, Review, ReviewRound

VIEW = "hardship.files.view"
TABS = ("open", "overdue", "spot", "done")
STALE_DAYS = 365


def _base(user: Any, perm: str = VIEW) -> QuerySet[Review]:
    reviews = Review.objects.select_related("file__person", "file__unit", "round", "reviewed_by")
    return user.scope_for(perm).filter(reviews, "file__unit")


def _open_q() -> Q:
    return Q(done_at__isnull=True, file__status=HardshipFile.Status.ACTIVE)


def reviews_for_user(*, user: Any, tab: str = "open", today: dt.date | None = None) -> QuerySet[Review]:
    today = today or timezone.localdate()
    reviews = _base(user)
    if tab == "overdue":
        return reviews.filter(_open_q(), due_on__lt=today).order_by("due_on", "pk")
    if tab == "spot":
        return reviews.filter(_open_q(), spot_check=True).order_by("due_on", "pk")
    if tab == "done":
        return reviews.filter(done_at__year=today.year).order_by("-done_at", "-pk")
    return reviews.filter(_open_q()).order_by("due_on", "pk")


def review_counts(*, user: Any, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    counts = _base(user).aggregate(
        open=Count("pk", filter=_open_q()),
        overdue=Count("pk", filter=_open_q() & Q(due_on__lt=today)),
        spot=Count("pk", filter=_open_q() & Q(spot_check=True)),
        done=Count("pk", filter=Q(done_at__year=today.year)),
    )
    return {key: value or 0 for key, value in counts.items()}


def review_get_for_user(*, user: Any, pk: Any, perm: str = VIEW) -> Review:
    try:
        return _base(user, perm).get(pk=pk)
    except (Review.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def stale_files(*, user: Any, today: dt.date | None = None) -> QuerySet[HardshipFile]:
    """Active files of the scope with no review recorded in the last 12 months (counting from their
    approval when they were never reviewed)."""
    today = today or timezone.localdate()
    limit = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=STALE_DAYS), dt.time.min))
    files = user.scope_for(VIEW).filter(
        HardshipFile.objects.select_related("person", "unit").filter(status=HardshipFile.Status.ACTIVE),
        "unit",
    )
    files = files.annotate(last_review=Max("reviews__done_at", filter=Q(reviews__done_at__isnull=False)))
    return files.filter(
        Q(last_review__lt=limit) | Q(last_review__isnull=True, approved_at__lt=limit)
    ).order_by("review_due_on", "pk")


def rounds() -> QuerySet[ReviewRound]:
    return ReviewRound.objects.select_related("started_by").annotate(
        total=Count("reviews"),
        spot=Count("reviews", filter=Q(reviews__spot_check=True)),
        done=Count("reviews", filter=Q(reviews__done_at__isnull=False)),
    )


def round_of_year(year: int) -> ReviewRound | None:
    return rounds().filter(year=year).first()


def reviews_of_file(file: HardshipFile) -> list[Review]:
    return list(
        Review.objects.filter(file=file).select_related("round", "reviewed_by").order_by("-due_on", "-pk")
    )


def visits_in_year(file: HardshipFile, year: int) -> list[HomeVisit]:
    return list(HomeVisit.objects.filter(file=file, visited_on__year=year).order_by("-visited_on"))


def active_file_count() -> int:
    """Active files of the whole school (the round reviews them all)."""
    return HardshipFile.objects.filter(status=HardshipFile.Status.ACTIVE).count()
