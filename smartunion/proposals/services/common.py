"""What every proposal service shares: locking a proposal, refusing a step its status does not allow (in
words the user understands), the timeline, numbering and notifications after commit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from smartunion.notifications import services as notification_services

from ..models import Proposal, ProposalEvent, Session

Status = Proposal.Status


def proposal_lock(pk: int) -> Proposal:
    """The proposal, row-locked until the end of the transaction: two officers acting on one proposal at
    once are served one after the other, and the second sees the first one's status."""
    return Proposal.objects.select_for_update(of=("self",)).select_related("session__congress").get(pk=pk)


def require_status(proposal: Proposal, *allowed: str) -> None:
    """Refuse a step that the proposal's status does not allow, naming the status it is in."""
    if proposal.status not in allowed:
        raise ValidationError(
            _("This cannot be done while the proposal is “%(status)s”.")
            % {"status": proposal.get_status_display()},
            code="status",
        )


def require_text(value: str, *, field: str, message: str) -> str:
    """A required free text (a reason, a reply): stripped, or ValidationError naming the field."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def event_add(
    proposal: Proposal, kind: str, *, actor: Any = None, text: str = "", is_public: bool = True
) -> ProposalEvent:
    return ProposalEvent.objects.create(
        proposal=proposal,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        text=text,
        is_public=is_public,
    )


def next_number(session: Session, record_type: str) -> str:
    """The next number of the session: 提案 5-2-001, 意见建议 5-2-J001. Must run inside the caller's
    transaction; the session row is locked so two decisions never take one number."""
    locked = Session.objects.select_for_update(of=("self",)).select_related("congress").get(pk=session.pk)
    if record_type == Proposal.RecordType.SUGGESTION:
        locked.last_suggestion_no += 1
        locked.save(update_fields=["last_suggestion_no"])
        return f"{locked.number_prefix}J{locked.last_suggestion_no:03d}"
    locked.last_proposal_no += 1
    locked.save(update_fields=["last_proposal_no"])
    return f"{locked.number_prefix}{locked.last_proposal_no:03d}"


def notify(users: Iterable[Any], *, kind: str, title: str, body: str = "", link: str = "") -> None:
    """In-app messages in the caller's transaction (they roll back with it); outside channels (email,
    企业微信) go after commit through the notifications app. Each user once."""
    recipients = list({user.pk: user for user in users if user is not None and user.pk}.values())
    notification_services.notify(recipients=recipients, kind=kind, title=title, body=body, link=link)


def portal_link(proposal: Proposal) -> str:
    return reverse("proposals:portal_detail", kwargs={"pk": proposal.pk})


def office_link(proposal: Proposal) -> str:
    return reverse("proposals:office_detail", kwargs={"pk": proposal.pk})


def console_link(proposal: Proposal) -> str:
    return reverse("proposals:console_detail", kwargs={"pk": proposal.pk})
