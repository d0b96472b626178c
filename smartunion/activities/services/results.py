"""Results after the event: judges' scores of competition entries, rankings published as Result rows (or
ranks and awards entered by the organiser for 运动会 events), and the summary with photos (宣传)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.core.uploads import MB, check_upload

from ..models import Activity, Photo, Registration, Result, Score
from ..selectors import results as selectors

MAX_SCORE = Decimal("1000")
MAX_PHOTOS = 20
PHOTO_SIGNATURES = {
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def may_manage(user: Any, activity: Activity) -> bool:
    return bool(user.has_unit_perm("activities.manage", activity.organiser_unit))


def is_judge(user: Any, activity: Activity) -> bool:
    return bool(getattr(user, "pk", None)) and activity.judges.filter(pk=user.pk).exists()


def _require_manage(actor: Any, activity: Activity) -> None:
    if not may_manage(actor, activity):
        raise PermissionDenied


def _score_value(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("“%(value)s” is not a score: enter a number.") % {"value": raw}) from None
    if not value.is_finite() or value < 0 or value >= MAX_SCORE:
        raise ValidationError(_("A score is a number from 0 to 999.99."))
    return value.quantize(Decimal("0.01"))


def _entries_of_judge(judge: Any, registration_ids: Sequence[int]) -> set[int]:
    """Of ``registration_ids``, the entries ``judge`` takes part in: as the registered member, or as a
    member of the entry's team."""
    if not registration_ids:
        return set()
    return set(
        Registration.objects.filter(pk__in=registration_ids)
        .filter(Q(person__user=judge) | Q(team__members__person__user=judge))
        .values_list("pk", flat=True)
    )


@transaction.atomic
def scores_save(*, actor: Any, activity: Activity, scores: Mapping[int, Any]) -> int:
    """A judge's scores of entries (registration id → score; blank leaves it unscored). Only the activity's
    judges score, each their own, until results are published. Returns the scores changed."""
    if not is_judge(actor, activity):
        raise PermissionDenied
    if selectors.is_published(activity):
        raise ValidationError(_("The results are published: scores can no longer be changed."))
    entries = {r.pk: r for r in selectors.entries(activity)}
    values: dict[int, Decimal | None] = {}
    errors: list[str] = []
    for registration_id, raw in scores.items():
        if registration_id not in entries:
            errors.append(_("An entry is not a confirmed entry of this competition."))
            continue
        if raw is None or str(raw).strip() == "":
            values[registration_id] = None
            continue
        try:
            values[registration_id] = _score_value(raw)
        except ValidationError as error:
            errors.extend(error.messages)
    scored = [pk for pk, value in values.items() if value is not None]
    for pk in _entries_of_judge(actor, scored):
        team = entries[pk].team
        errors.append(
            _("You take part in the entry of %(name)s: a judge may not score their own entry.")
            % {"name": team.name if team is not None else entries[pk].person.name}
        )
    if errors:
        raise ValidationError(sorted(set(errors)))
    changed = 0
    mine = {s.registration_id: s for s in Score.objects.filter(judge=actor, registration__activity=activity)}
    for registration_id, value in values.items():
        existing = mine.get(registration_id)
        if value is None:
            if existing is not None:
                existing.delete()
                changed += 1
            continue
        if existing is None:
            Score.objects.create(registration_id=registration_id, judge=actor, score=value)
            changed += 1
        elif existing.score != value:
            existing.score = value
            existing.scored_at = timezone.now()
            existing.save(update_fields=["score", "scored_at"])
            changed += 1
    if changed:
        audit(
            actor=actor,
            action="activities.scores.saved",
            target=activity,
            changes={"scores": {str(k): (str(v) if v is not None else None) for k, v in values.items()}},
        )
    return changed


@dataclass(frozen=True)
class Manual:
    """A rank and award entered by the organiser (运动会 events, or awards on top of a ranking)."""

    rank: int | None
    award: str = ""


@transaction.atomic
def results_publish(
    *, actor: Any, activity: Activity, manual: Mapping[int, Manual] | None = None
) -> list[Result]:
    """Publish the results: with judges, the ranking from the mean of their scores (ties share a rank) and
    the awards in ``manual``; without judges, the ranks and awards the organiser entered. Publishing again
    replaces the earlier results."""
    _require_manage(actor, activity)
    manual = dict(manual or {})
    entries = {r.pk: r for r in selectors.entries(activity)}
    unknown = [key for key in manual if key not in entries]
    if unknown:
        raise ValidationError(_("An entry is not a confirmed entry of this activity."))
    rows: list[tuple[int, int | None, str, Decimal | None]] = []
    if selectors.is_scored(activity):
        ranking = selectors.ranking(activity)
        if not any(line.mean is not None for line in ranking):
            raise ValidationError(_("No entry has a score yet: the judges score first."))
        for line in ranking:
            given = manual.get(line.registration.pk)
            rows.append((line.registration.pk, line.rank, given.award.strip() if given else "", line.mean))
    else:
        for registration_id, given in manual.items():
            if given.rank is None and not given.award.strip():
                continue
            if given.rank is not None and given.rank < 1:
                raise ValidationError(_("A rank is 1 or more."))
            rows.append((registration_id, given.rank, given.award.strip()[:100], None))
        if not rows:
            raise ValidationError(_("Enter a rank or an award for at least one entry."))
    Result.objects.filter(registration__activity=activity).delete()
    created = Result.objects.bulk_create(
        [
            Result(registration_id=pk, rank=rank, award=award[:100], score=score)
            for pk, rank, award, score in rows
        ]
    )
    audit(
        actor=actor,
        action="activities.results.published",
        target=activity,
        changes={"results": len(created), "ranked": sum(1 for _pk, rank, _a, _s in rows if rank)},
    )
    return created


@transaction.atomic
def results_withdraw(*, actor: Any, activity: Activity, reason: str) -> int:
    """Take the published results back (to correct them); the judges may score again."""
    _require_manage(actor, activity)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for taking the results back.")]})
    count, _detail = Result.objects.filter(registration__activity=activity).delete()
    if not count:
        raise ValidationError(_("No results are published."))
    audit(actor=actor, action="activities.results.withdrawn", target=activity, changes={"reason": reason})
    return count


def check_photo(name: str, data: bytes) -> str:
    return check_upload(
        name,
        data,
        signatures=PHOTO_SIGNATURES,
        max_bytes=10 * MB,
        not_accepted=_("“%(name)s” is not a photo: upload a JPEG or PNG file."),
        too_large=_(
            "“%(name)s” is %(size).1f MB; the largest photo accepted is %(max)d MB. Send a smaller one."
        ),
    )


@transaction.atomic
def summary_save(
    *, actor: Any, activity: Activity, text: str, photos: Sequence[Upload] = (), caption: str = ""
) -> list[Photo]:
    """Save the short summary (宣传) and add photos (JPEG or PNG, checked by their content)."""
    _require_manage(actor, activity)
    if activity.status in (Activity.Status.DRAFT, Activity.Status.CANCELLED):
        raise ValidationError(_("A summary is written for a published or finished activity."))
    errors: dict[str, list[str]] = {}
    checked: list[tuple[Upload, str]] = []
    if activity.photos.count() + len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(
            _("At most %(count)d photos per activity.") % {"count": MAX_PHOTOS}
        )
    for upload in photos:
        try:
            checked.append((upload, check_photo(upload.name, upload.data)))
        except ValidationError as error:
            errors.setdefault("photos", []).extend(error.messages)
    text = (text or "").strip()
    if len(text) > 5000:
        errors.setdefault("text", []).append(_("Keep the summary under 5,000 characters."))
    if errors:
        raise ValidationError(errors)
    before = activity.summary
    if text != before:
        activity.summary = text
        activity.save(update_fields=["summary", "updated_at"])
    added = [
        Photo.objects.create(
            activity=activity,
            filename=upload.name[:200],
            content_type=content_type,
            size=len(upload.data),
            content=upload.data,
            caption=caption.strip()[:200],
            uploaded_by=actor,
        )
        for upload, content_type in checked
    ]
    if text != before or added:
        audit(
            actor=actor,
            action="activities.summary.saved",
            target=activity,
            changes={"summary_changed": text != before, "photos": [p.filename for p in added]},
        )
    return added


@transaction.atomic
def photo_delete(*, actor: Any, photo: Photo) -> None:
    _require_manage(actor, photo.activity)
    audit(
        actor=actor,
        action="activities.photo.deleted",
        target=photo.activity,
        changes={"photo": photo.filename},
    )
    photo.delete()


def entry_of(activity: Activity, registration_id: int) -> Registration | None:
    return selectors.entries(activity).filter(pk=registration_id).first()
