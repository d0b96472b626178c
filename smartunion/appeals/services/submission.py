"""The member's side of an appeal: submitting it (numbered SQ2026-0001 per year, attachments checked,
routed at once by the router), withdrawing it before the office acknowledges it, and rating the reply
(满意 / 基本满意 / 不满意) — an unsatisfied member may reopen it once for a second round.

Anonymity: the member's own steps of an anonymous appeal are recorded without naming them — the events
have no actor (``by_member`` says whose step it was) and the audit entries name "an anonymous member",
no unit and no client address, so neither the timeline nor the audit log tells anyone who submitted it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.audit import audit
from smartunion.core.uploads import MB, check_upload
from smartunion.members.selectors import person_of_user
from smartunion.notifications import services as notifications
from smartunion.organisations import selectors_offices

from ..models import Appeal, Attachment, Category, Counter, Event, Rating

Status = Appeal.Status
Score = Rating.Score
EventKind = Event.Kind

TITLE_MAX_CHARS = 80
BODY_MIN_CHARS = 10
BODY_MAX_CHARS = 3000
ATTACHMENT_MAX_BYTES = 10 * MB
ATTACHMENTS_PER_APPEAL = 5
ATTACHMENT_SIGNATURES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
# The member may withdraw until the office acknowledges the appeal.
WITHDRAWABLE = (Status.TRIAGE, Status.ROUTED)
MAX_REOPENINGS = 1


class _AnonymousMember:
    """The audit log's actor for an anonymous member's own steps: no account, no name."""

    pk = None
    audit_label = gettext_lazy("an anonymous member")


class _NoUnit:
    """Keeps the member's unit out of the audit entry of an anonymous appeal."""

    pk = None


def _audit(user: Any, action: str, appeal: Appeal, changes: dict[str, Any] | None = None) -> None:
    if appeal.is_anonymous:
        # No client address either: it could be matched with the member's login attempts.
        audit(
            actor=_AnonymousMember(),
            action=action,
            target=appeal,
            changes=changes,
            unit=_NoUnit(),
            record_ip=False,
        )
    else:
        audit(actor=user, action=action, target=appeal, changes=changes)


def _event(appeal: Appeal, user: Any, kind: str, note: str = "") -> Event:
    return Event.objects.create(
        appeal=appeal,
        kind=kind,
        actor=None if appeal.is_anonymous else user,
        by_member=True,
        office=appeal.office,
        note=note,
    )


# -- numbering ---------------------------------------------------------------------------------------------


def next_number(year: int) -> str:
    """The next SQ<year>-NNNN, from the year's counter under a row lock (call inside a transaction): two
    submissions at the same moment wait for each other and never get the same number."""
    Counter.objects.get_or_create(year=year)  # a concurrent creation is caught and re-read by get_or_create
    counter = Counter.objects.select_for_update(of=("self",)).get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"SQ{year}-{counter.last:04d}"


# -- checks ------------------------------------------------------------------------------------------------


def check_attachment(name: str, data: bytes) -> str:
    return check_upload(
        name,
        data,
        signatures=ATTACHMENT_SIGNATURES,
        max_bytes=ATTACHMENT_MAX_BYTES,
        not_accepted=_("“%(name)s” is not accepted: attach a photo (JPEG or PNG) or a PDF file."),
        too_large=_("“%(name)s” is %(size).1f MB; an attachment may be at most %(max)d MB."),
    )


def _read_files(files: Iterable[Any]) -> list[tuple[str, bytes]]:
    """(name, bytes) pairs from uploaded files or from pairs already read."""
    read = []
    for item in files:
        if isinstance(item, tuple):
            name, data = item
        else:
            name, data = item.name, item.read()
        name = (name or "").strip().replace("/", "_").replace("\\", "_")[-200:] or "attachment"
        read.append((name, bytes(data)))
    return read


def _check_text(title: str, body: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        errors["title"] = _("Write a subject: one line saying what the appeal is about.")
    elif len(title) > TITLE_MAX_CHARS:
        errors["title"] = _("The subject is %(count)d characters long; keep it to %(max)d at most.") % {
            "count": len(title),
            "max": TITLE_MAX_CHARS,
        }
    if len(body) < BODY_MIN_CHARS:
        errors["body"] = _(
            "Describe the matter in at least %(min)d characters: what happened, where and what you ask for."
        ) % {"min": BODY_MIN_CHARS}
    elif len(body) > BODY_MAX_CHARS:
        errors["body"] = _("The details are %(count)d characters long; shorten them to %(max)d at most.") % {
            "count": len(body),
            "max": BODY_MAX_CHARS,
        }
    if errors:
        raise ValidationError(errors)
    return title, body


def _check_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    if len(files) > ATTACHMENTS_PER_APPEAL:
        raise ValidationError(
            {
                "attachments": _("Attach %(max)d files at most (you chose %(count)d).")
                % {"max": ATTACHMENTS_PER_APPEAL, "count": len(files)}
            }
        )
    checked = []
    for name, data in files:
        try:
            checked.append((name, data, check_attachment(name, data)))
        except ValidationError as error:
            raise ValidationError({"attachments": error.messages}) from error
    return checked


# -- submission --------------------------------------------------------------------------------------------


@transaction.atomic
def submit(
    *,
    user: Any,
    title: str,
    body: str,
    category: Category | None = None,
    is_anonymous: bool,
    allow_identity_reveal: bool,
    allow_publish: bool,
    files: Iterable[Any] = (),
) -> Appeal:
    """File the member's appeal and hand it to the router (auto-routed, or waiting in the triage queue)."""
    person = person_of_user(user)
    if person is None:
        raise ValidationError(
            _("Your account is not linked to a staff record: ask the union office to link it first.")
        )
    title, body = _check_text(title, body)
    if allow_identity_reveal and not is_anonymous:
        raise ValidationError(
            {
                "allow_identity_reveal": _(
                    "Only an anonymous appeal asks whether the union office may see who you are."
                )
            }
        )
    if category is not None:
        category = Category.objects.filter(pk=category.pk).select_related("office").first()
        if category is None or not category.is_active or not category.office.is_active:
            raise ValidationError(
                {"category": _("That category is no longer in use: choose another or leave it empty.")}
            )
    checked = _check_files(_read_files(files))
    now = timezone.now()
    appeal = Appeal.objects.create(
        number=next_number(timezone.localdate().year),
        person=person,
        unit=person.unit,
        title=title,
        body=body,
        suggested_category=category,
        is_anonymous=is_anonymous,
        allow_identity_reveal=allow_identity_reveal,
        allow_publish=allow_publish,
        status=Status.TRIAGE,
    )
    Attachment.objects.bulk_create(
        [
            Attachment(appeal=appeal, name=name, content_type=content_type, size=len(data), content=data)
            for name, data, content_type in checked
        ]
    )
    _event(appeal, user, EventKind.SUBMITTED)
    _audit(
        user,
        "appeals.appeal.submitted",
        appeal,
        {
            "anonymous": is_anonymous,
            "allow_identity_reveal": allow_identity_reveal,
            "allow_publish": allow_publish,
            "attachments": len(checked),
            "submitted_at": now,
        },
    )
    _route(appeal)
    appeal.refresh_from_db()
    return appeal


def _route(appeal: Appeal) -> None:
    """The router's turn (the triage part's ``route_new``), in the same transaction."""
    try:
        from .routing import route_new
    except ImportError:  # the triage part is not installed yet: the appeal waits in the triage queue
        return
    route_new(appeal=appeal)


# -- withdrawal --------------------------------------------------------------------------------------------


def _lock_own(user: Any, appeal: Appeal) -> Appeal:
    locked = (
        Appeal.objects.select_for_update(of=("self",)).select_related("person", "office").get(pk=appeal.pk)
    )
    if locked.person.user_id is None or locked.person.user_id != getattr(user, "pk", None):
        raise ValidationError(_("Only the member who submitted this appeal can do this."))
    return locked


def may_withdraw(appeal: Appeal) -> bool:
    return appeal.status in WITHDRAWABLE and appeal.acknowledged_at is None


@transaction.atomic
def withdraw(*, user: Any, appeal: Appeal, reason: str = "") -> Appeal:
    appeal = _lock_own(user, appeal)
    if not may_withdraw(appeal):
        raise ValidationError(
            _(
                "The office has already taken this appeal up; it can no longer be withdrawn (you may rate the reply)."
            )
            if appeal.status in Appeal.OPEN_STATUSES or appeal.status == Status.REPLIED
            else _("This appeal is already %(status)s.") % {"status": appeal.get_status_display()}
        )
    before = appeal.get_status_display()
    was_routed = appeal.status == Status.ROUTED
    appeal.status = Status.WITHDRAWN
    appeal.closed_at = timezone.now()
    appeal.save(update_fields=["status", "closed_at", "updated_at"])
    reason = (reason or "").strip()[:1000]
    _event(appeal, user, EventKind.WITHDRAWN, reason)
    _audit(user, "appeals.appeal.withdrawn", appeal, {"status": [before, appeal.get_status_display()]})
    if was_routed:
        _notify_withdrawn(appeal, reason)
    return appeal


# -- rating and reopening ----------------------------------------------------------------------------------


def current_round(appeal: Appeal) -> int:
    return appeal.reopen_count + 1


def may_rate(appeal: Appeal) -> bool:
    """The reply of the current round awaits the member's rating."""
    return appeal.status == Status.REPLIED


def may_reopen(appeal: Appeal) -> bool:
    return appeal.reopen_count < MAX_REOPENINGS


@transaction.atomic
def rate(*, user: Any, appeal: Appeal, score: str, comment: str = "", reopen: bool = False) -> Appeal:
    """满意 and 基本满意 close the appeal; 不满意 (with a comment saying why) reopens it for a second round
    when the member asks and it has not been reopened before, otherwise closes it."""
    appeal = _lock_own(user, appeal)
    comment = (comment or "").strip()[:2000]
    if score not in Score.values:
        raise ValidationError({"score": _("Choose how satisfied you are with the reply.")})
    if not may_rate(appeal):
        raise ValidationError(_("There is no reply to rate on this appeal now."))
    round_ = current_round(appeal)
    if Rating.objects.filter(appeal=appeal, round=round_).exists():
        raise ValidationError(_("You have already rated this reply."))
    if score == Score.UNSATISFIED and not comment:
        raise ValidationError(
            {
                "comment": _(
                    "Say what is still wrong, so that the office knows what to do (needed for 不满意)."
                )
            }
        )
    before = appeal.get_status_display()
    rating = Rating.objects.create(appeal=appeal, round=round_, score=score, comment=comment)
    _event(appeal, user, EventKind.RATED, rating.get_score_display())
    now = timezone.now()
    if score == Score.UNSATISFIED and reopen and may_reopen(appeal):
        appeal.status = Status.REOPENED
        appeal.reopen_count += 1
        appeal.escalated_at = None
        _set_reply_due(appeal, timezone.localdate())
        appeal.save(update_fields=["status", "reopen_count", "escalated_at", "reply_due", "updated_at"])
        _event(appeal, user, EventKind.REOPENED, comment)
        _audit(
            user,
            "appeals.appeal.reopened",
            appeal,
            {"score": rating.get_score_display(), "status": [before, appeal.get_status_display()]},
        )
        _notify_reopened(appeal, comment)
    else:
        appeal.status = Status.CLOSED
        appeal.closed_at = now
        appeal.save(update_fields=["status", "closed_at", "updated_at"])
        _event(appeal, user, EventKind.CLOSED)
        _audit(
            user,
            "appeals.appeal.rated",
            appeal,
            {"score": rating.get_score_display(), "status": [before, appeal.get_status_display()]},
        )
    return appeal


def _set_reply_due(appeal: Appeal, from_date: dt.date) -> None:
    """The second round's reply date (the category's SLA in working days from ``from_date``). The office
    does not acknowledge a reopened appeal again: the acknowledgement date and time stay the first
    round's."""
    from .routing import set_deadlines

    set_deadlines(appeal, from_date, reply_only=True)


def _office_url(appeal: Appeal) -> str:
    try:
        return reverse("appeals:office_detail", kwargs={"pk": appeal.pk})
    except NoReverseMatch:
        return ""


def _notify_withdrawn(appeal: Appeal, reason: str) -> None:
    """The office the appeal was routed to need not acknowledge it any more; the message names no
    member (the withdrawn appeal leaves the office's pages)."""
    if appeal.office_id is None:
        return
    recipients = selectors_offices.office_staff_users([appeal.office_id])
    title = _("Appeal %(number)s was withdrawn by the member") % {"number": appeal.number}
    body = _("Your office no longer needs to handle “%(title)s”.") % {"title": appeal.title}
    if reason:
        body += " " + _("The member's reason: %(reason)s") % {"reason": reason}
    transaction.on_commit(
        lambda: notifications.notify(recipients=recipients, kind="appeals.withdrawn", title=title, body=body)
    )


def _notify_reopened(appeal: Appeal, comment: str) -> None:
    """Tell the office's staff; the message never names the member (anonymous or not, the office reads
    the appeal itself for that)."""
    if appeal.office_id is None:
        return
    recipients = selectors_offices.office_staff_users([appeal.office_id])
    title = _("Appeal %(number)s reopened: the member is not satisfied with the reply") % {
        "number": appeal.number
    }
    body = _("“%(title)s” needs a second reply by %(date)s. The member's comment: %(comment)s") % {
        "title": appeal.title,
        "date": appeal.reply_due.isoformat() if appeal.reply_due else "—",
        "comment": comment,
    }
    link = _office_url(appeal)
    transaction.on_commit(
        lambda: notifications.notify(
            recipients=recipients, kind="appeals.reopened", title=title, body=body, link=link
        )
    )
