"""Reads for results: the entries of a competition, a judge's own scores, the ranking (mean of the judges'
scores, ties share a rank), the published result of a registration and the activity's summary with photos.

``result_of(registration)`` and ``summary_of(activity)`` are what the member portal shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ..models import Activity, Kind, Photo, Registration, Result, Score
from .checkin import activity_get_for_user


def entries(activity: Activity) -> QuerySet[Registration]:
    """The confirmed entries (a team's captain's registration stands for the team)."""
    return (
        Registration.objects.filter(activity=activity, status=Registration.Status.CONFIRMED)
        .select_related("person", "unit", "team")
        .order_by("unit__path", "person__staff_no", "pk")
    )


def is_scored(activity: Activity) -> bool:
    """Judged by scores (a competition with judges); otherwise the organiser enters ranks and awards."""
    return activity.judges.exists()


def is_published(activity: Activity) -> bool:
    return Result.objects.filter(registration__activity=activity).exists()


def expects_results(activity: Activity) -> bool:
    return activity.kind in (Kind.COMPETITION, Kind.GAMES, Kind.SPORTS) or is_scored(activity)


def to_score(user: Any) -> list[Activity]:
    """The competitions the user judges whose results are not published yet (not cancelled), soonest first:
    the console shows them so a judge finds the results page."""
    if not getattr(user, "pk", None):
        return []
    return list(
        Activity.objects.filter(judges=user)
        .exclude(status=Activity.Status.CANCELLED)
        .exclude(registrations__result__isnull=False)
        .select_related("organiser_unit")
        .order_by("starts_at")
        .distinct()[:50]
    )


def scores_of_judge(activity: Activity, judge: Any) -> dict[int, Decimal]:
    return {
        s.registration_id: s.score for s in Score.objects.filter(registration__activity=activity, judge=judge)
    }


@dataclass
class RankLine:
    registration: Registration
    scores: list[Decimal] = field(default_factory=list)
    mean: Decimal | None = None
    rank: int | None = None

    @property
    def label(self) -> str:
        team = self.registration.team
        return f"{team.name}（{self.registration.person.name}）" if team else self.registration.person.name


def ranking(activity: Activity) -> list[RankLine]:
    """Entries by the mean of their judges' scores, highest first; equal means share a rank (1, 2, 2, 4);
    entries not yet scored come last without a rank."""
    lines = {r.pk: RankLine(r) for r in entries(activity)}
    for score in Score.objects.filter(registration__in=list(lines)).order_by("judge_id"):
        lines[score.registration_id].scores.append(score.score)
    for line in lines.values():
        if line.scores:
            line.mean = (sum(line.scores, Decimal("0")) / len(line.scores)).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
    scored = sorted(
        (line for line in lines.values() if line.mean is not None),
        key=lambda line: (-(line.mean or 0), line.registration.person.staff_no),
    )
    previous: Decimal | None = None
    for position, line in enumerate(scored, start=1):
        line.rank = scored[position - 2].rank if previous == line.mean and position > 1 else position
        previous = line.mean
    unscored = [line for line in lines.values() if line.mean is None]
    return scored + unscored


def published(activity: Activity) -> list[Result]:
    return list(
        Result.objects.filter(registration__activity=activity)
        .select_related("registration__person", "registration__unit", "registration__team")
        .order_by("rank", "registration__person__staff_no")
    )


def result_of(registration: Registration) -> Result | None:
    """The member's published result (rank, award, final score), or None."""
    return Result.objects.filter(registration=registration).first()


@dataclass(frozen=True)
class Summary:
    text: str
    photos: list[Photo]


def photos_of(activity: Activity) -> list[Photo]:
    return list(activity.photos.defer("content").order_by("id"))


def summary_of(activity: Activity) -> Summary | None:
    """The summary (宣传) with its photos (link each with ``{% url 'activities:photo' photo.pk %}``), or
    None when there is nothing to show."""
    photos = photos_of(activity)
    if not activity.summary and not photos:
        return None
    return Summary(text=activity.summary, photos=photos)


def photo_get(pk: int) -> Photo:
    return get_object_or_404(Photo.objects.select_related("activity__organiser_unit"), pk=pk)


def activity_for_results(*, user: Any, pk: int) -> Activity:
    """The activity for its results page: its judges see it (to score) wherever it is organised; officers
    with activities.view inside their scope (404 outside); anyone else is refused (403)."""
    activity = Activity.objects.select_related("organiser_unit").filter(pk=pk).first()
    if activity is not None and activity.judges.filter(pk=user.pk).exists():
        return activity
    if not user.has_unit_perm("activities.view"):
        raise PermissionDenied
    return activity_get_for_user(user=user, pk=pk, perm="activities.view")
