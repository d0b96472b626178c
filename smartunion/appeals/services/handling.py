"""The handling office's writes: acknowledging a routed appeal (受理) and replying to it (答复).

Only the staff of the appeal's office act on it. Acknowledging confirms the routing (the office accepts it
as its own: the router learns from it); a reply to a routed appeal acknowledges it on the way. A reply is
one per round (round 2 after the member reopened the appeal) and is marked late when given after the
reply deadline. The member is told by name — it is their own appeal; what goes to anybody else never
names the submitter of an anonymous appeal. An office that finds the appeal is not its own passes it back
with ``services.routing.pass_back`` (the triage part)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.notifications import services as notification_services
from smartunion.organisations import selectors_offices

from ..models import Appeal, Event, Reply
from . import routing

Status = Appeal.Status
REPLY_MAX_LENGTH = 5000
REPLYABLE = (Status.ROUTED, Status.IN_PROGRESS, Status.REOPENED)


def appeal_lock(pk: int) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("office", "person").get(pk=pk)


def require_office_staff(actor: Any, appeal: Appeal) -> None:
    if appeal.office_id is None or appeal.office_id not in selectors_offices.office_ids_of_user(actor):
        raise ValidationError(
            _("Only the staff of the office the appeal is routed to may handle it."), code="office"
        )


def require_status(appeal: Appeal, *allowed: str) -> None:
    if appeal.status not in allowed:
        raise ValidationError(
            _("This cannot be done while the appeal is “%(status)s”.")
            % {"status": appeal.get_status_display()},
            code="status",
        )


def audit_appeal(*, actor: Any, action: str, appeal: Appeal, changes: dict[str, Any]) -> None:
    """Never filed under the submitter's unit of an anonymous appeal (``routing.audit_unit``): the unit's
    officers reading their unit's audit log must not learn who appealed."""
    audit(actor=actor, action=action, target=appeal, changes=changes, unit=routing.audit_unit(appeal))


def portal_link(appeal: Appeal) -> str:
    """The member's page of the appeal (the portal part's URL), or the portal's list."""
    for name in ("appeals:portal_detail", "appeals:my_detail"):
        try:
            return reverse(name, kwargs={"pk": appeal.pk})
        except NoReverseMatch:
            continue
    return ""


def office_link(appeal: Appeal) -> str:
    return reverse("appeals:office_detail", kwargs={"pk": appeal.pk})


def notify_after_commit(users: list[Any], *, kind: str, title: str, body: str = "", link: str = "") -> None:
    recipients = list({user.pk: user for user in users if user is not None and user.pk}.values())
    if not recipients:
        return
    transaction.on_commit(
        lambda: notification_services.notify(
            recipients=recipients, kind=kind, title=title, body=body, link=link
        )
    )


def _member_user(appeal: Appeal) -> Any:
    person = appeal.person
    return person.user if person.user_id else None


def _acknowledge(locked: Appeal, actor: Any) -> bool:
    """Mark the appeal acknowledged (saved by the caller); whether this confirmed its routing now (an
    automatic routing, which the router learns from)."""
    newly_confirmed = not locked.routing_confirmed
    locked.status = Status.IN_PROGRESS
    locked.acknowledged_at = timezone.now()
    locked.routing_confirmed = True
    Event.objects.create(appeal=locked, kind=Event.Kind.ACKNOWLEDGED, actor=actor, office=locked.office)
    return newly_confirmed


@transaction.atomic
def acknowledge(*, actor: Any, appeal: Appeal) -> Appeal:
    """The office accepts the routed appeal (受理): it is now being handled, and the routing is confirmed."""
    locked = appeal_lock(appeal.pk)
    require_office_staff(actor, locked)
    require_status(locked, Status.ROUTED)
    today = timezone.localdate()
    late = bool(locked.acknowledge_due and today > locked.acknowledge_due)
    newly_confirmed = _acknowledge(locked, actor)
    locked.save(update_fields=["status", "acknowledged_at", "routing_confirmed", "updated_at"])
    if newly_confirmed:
        routing.maybe_request_retrain()
    audit_appeal(
        actor=actor,
        action="appeals.appeal.acknowledged",
        appeal=locked,
        changes={"status": [Status.ROUTED, Status.IN_PROGRESS], "office": locked.office.name, "late": late},
    )
    notify_after_commit(
        [_member_user(locked)],
        kind="appeals.acknowledged",
        title=_("Your appeal %(number)s is being handled by %(office)s")
        % {"number": locked.number, "office": locked.office.name},
        body=locked.title,
        link=portal_link(locked),
    )
    return locked


@transaction.atomic
def reply(*, actor: Any, appeal: Appeal, text: str) -> Reply:
    """The office's answer for the current round; the member is told and asked to rate it."""
    locked = appeal_lock(appeal.pk)
    require_office_staff(actor, locked)
    require_status(locked, *REPLYABLE)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the reply to the member.")})
    if len(text) > REPLY_MAX_LENGTH:
        raise ValidationError(
            {"text": _("The reply is too long: at most %(max)s characters.") % {"max": REPLY_MAX_LENGTH}}
        )
    before = locked.status
    fields = ["status", "replied_at", "updated_at"]
    newly_confirmed = False
    if before == Status.ROUTED:
        newly_confirmed = _acknowledge(locked, actor)
        fields += ["acknowledged_at", "routing_confirmed"]
    round_no = locked.reopen_count + 1
    if Reply.objects.filter(appeal=locked, round=round_no).exists():
        raise ValidationError(_("This round of the appeal has been answered already."), code="replied")
    now = timezone.now()
    today = timezone.localdate()
    is_overdue = bool(locked.reply_due and today > locked.reply_due)
    answer = Reply.objects.create(
        appeal=locked, round=round_no, office=locked.office, text=text, is_overdue=is_overdue, by=actor
    )
    locked.status = Status.REPLIED
    locked.replied_at = now
    locked.save(update_fields=fields)
    if newly_confirmed:
        routing.maybe_request_retrain()
    Event.objects.create(
        appeal=locked,
        kind=Event.Kind.REPLIED,
        actor=actor,
        office=locked.office,
        note=_("Round %(round)s, after the deadline") % {"round": round_no} if is_overdue else "",
    )
    audit_appeal(
        actor=actor,
        action="appeals.appeal.replied",
        appeal=locked,
        changes={
            "status": [before, Status.REPLIED],
            "round": round_no,
            "office": locked.office.name,
            "overdue": is_overdue,
        },
    )
    person = locked.person
    notify_after_commit(
        [_member_user(locked)],
        kind="appeals.replied",
        title=_("%(name)s, %(office)s replied to your appeal %(number)s")
        % {"name": person.name, "office": locked.office.name, "number": locked.number},
        body=_("Please read the reply and rate it (满意 / 基本满意 / 不满意)."),
        link=portal_link(locked),
    )
    return answer
