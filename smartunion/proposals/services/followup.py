"""The year-end 回头看 (reference/domain.md §1.3 step 12, §1.9): the committee opens it for a session; the
lead office of each replied or closed proposal reports what has been done since and the implementation
status now (A/B/C); the committee confirms (the proposal's status changes) or sends it back with a note."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.organisations import selectors_offices

from ..models import Assignment, FollowUp, Proposal, ProposalEvent, Session
from ..selectors import evaluation as eval_selectors
from . import common

Status = Proposal.Status
# The proposals a 回头看 covers: the office has answered.
COVERED = (Status.REPLIED, Status.CLOSED)
CONFIRM, SEND_BACK = "confirm", "send_back"


def _session_lock(session: Session) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("congress").get(pk=session.pk)


def _covered_lead_office_ids(session: Session) -> set[int]:
    """The lead offices of the session's replied or closed proposals (of each one's current round)."""
    rows = Assignment.objects.filter(
        proposal__session=session, proposal__status__in=COVERED, role=Assignment.Role.LEAD
    ).exclude(status=Assignment.Status.RETURNED)
    return {
        office_id
        for office_id, round_no, current in rows.values_list("office_id", "round", "proposal__round")
        if round_no == current
    }


@transaction.atomic
def followup_open(*, actor: Any, session: Session) -> Session:
    """Open the 回头看 of a session: the lead offices of its answered proposals are told to report."""
    locked = _session_lock(session)
    if locked.followup_open:
        raise ValidationError(
            _("The year-end follow-up (回头看) of this session is already open."), code="open"
        )
    locked.followup_open = True
    locked.save(update_fields=["followup_open", "updated_at"])
    audit(
        actor=actor,
        action="proposals.followup.opened",
        target=locked,
        changes={"followup_open": [False, True]},
    )
    common.notify(
        eval_selectors.office_users(_covered_lead_office_ids(locked)),
        kind="proposals.followup",
        title=_("Year-end follow-up (回头看) of %(session)s is open") % {"session": locked.name},
        body=_(
            "Report what has been done on each proposal your office answered, and its implementation status now."
        ),
        link=reverse("proposals:office_followup_list"),
    )
    return locked


@transaction.atomic
def followup_close(*, actor: Any, session: Session) -> Session:
    """Close the 回头看: offices can no longer report (updates awaiting confirmation can still be decided)."""
    locked = _session_lock(session)
    if not locked.followup_open:
        raise ValidationError(
            _("The year-end follow-up (回头看) of this session is not open."), code="closed"
        )
    locked.followup_open = False
    locked.save(update_fields=["followup_open", "updated_at"])
    audit(
        actor=actor,
        action="proposals.followup.closed",
        target=locked,
        changes={"followup_open": [True, False]},
    )
    return locked


def may_report(user: Any, proposal: Proposal) -> bool:
    """Whether the user works for the lead office of the proposal's current round."""
    lead = eval_selectors.round_lead(proposal)
    return lead is not None and lead.office_id in selectors_offices.office_ids_of_user(user)


@transaction.atomic
def followup_submit(*, actor: Any, proposal: Proposal, status_after: str, note: str) -> FollowUp:
    """The lead office reports the implementation status now and what has been done (while the session's
    回头看 is open; one report awaiting confirmation at a time)."""
    locked = common.proposal_lock(proposal.pk)
    if not locked.session.followup_open:
        raise ValidationError(
            _("The year-end follow-up (回头看) of this session is not open: the committee opens it."),
            code="closed",
        )
    common.require_status(locked, *COVERED)
    lead = eval_selectors.round_lead(locked)
    if lead is None or lead.office_id not in selectors_offices.office_ids_of_user(actor):
        raise ValidationError(
            _("Only the lead office (主办) of the proposal reports its follow-up."), code="not_lead"
        )
    if status_after not in Proposal.Implementation.values:
        raise ValidationError({"status_after": _("Choose the implementation status now: A, B or C.")})
    note = common.require_text(
        note, field="note", message=_("Write what has been done since the reply (落实情况).")
    )
    if FollowUp.objects.filter(proposal=locked, status=FollowUp.Status.SUBMITTED).exists():
        raise ValidationError(
            _("A follow-up of this proposal is already awaiting the committee's confirmation."),
            code="pending",
        )
    try:
        with transaction.atomic():
            followup = FollowUp.objects.create(
                proposal=locked,
                office=lead.office,
                status_before=locked.implementation,
                status_after=status_after,
                note=note,
                submitted_by=actor,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("A follow-up of this proposal is already awaiting the committee's confirmation."),
            code="pending",
        ) from error
    text = _("%(office)s reports %(before)s → %(after)s: %(note)s") % {
        "office": lead.office.name,
        "before": locked.implementation or "—",
        "after": status_after,
        "note": note,
    }
    common.event_add(locked, ProposalEvent.Kind.FOLLOWUP, actor=actor, text=text, is_public=False)
    audit(
        actor=actor,
        action="proposals.followup.submitted",
        target=locked,
        changes={"implementation": [locked.implementation, status_after], "note": note},
    )
    common.notify(
        eval_selectors.committee_users(),
        kind="proposals.followup",
        title=_("Follow-up (回头看) of proposal %(number)s to confirm") % {"number": locked.number},
        body=text,
        link=reverse("proposals:followup_list") + f"?session={locked.session_id}",
    )
    return followup


@transaction.atomic
def followup_decide(*, actor: Any, followup: FollowUp, decision: str, note: str = "") -> FollowUp:
    """Confirm the office's report (the proposal's implementation status becomes the reported one) or send
    it back with a note saying what is missing."""
    locked_proposal = common.proposal_lock(followup.proposal_id)
    locked = FollowUp.objects.select_for_update(of=("self",)).select_related("office").get(pk=followup.pk)
    if locked.status != FollowUp.Status.SUBMITTED:
        raise ValidationError(
            _("This follow-up is already “%(status)s”.") % {"status": locked.get_status_display()},
            code="status",
        )
    note = (note or "").strip()
    now = timezone.now()
    if decision == CONFIRM:
        before = locked_proposal.implementation
        locked.status = FollowUp.Status.CONFIRMED
        locked.confirmed_by = actor
        locked.confirmed_at = now
        locked.committee_note = note
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "committee_note"])
        locked_proposal.implementation = locked.status_after
        locked_proposal.save(update_fields=["implementation", "updated_at"])
        text = _("Implementation status confirmed: %(before)s → %(after)s. %(note)s") % {
            "before": before or "—",
            "after": locked.status_after,
            "note": locked.note,
        }
        common.event_add(locked_proposal, ProposalEvent.Kind.FOLLOWUP, actor=actor, text=text.strip())
        audit(
            actor=actor,
            action="proposals.followup.confirmed",
            target=locked_proposal,
            changes={"implementation": [before, locked.status_after], "note": note},
        )
        common.notify(
            eval_selectors.signer_users(locked_proposal),
            kind="proposals.followup",
            title=_("Follow-up (回头看) of your proposal %(number)s") % {"number": locked_proposal.number},
            body=text,
            link=common.portal_link(locked_proposal),
        )
    elif decision == SEND_BACK:
        note = common.require_text(
            note,
            field="note",
            message=_("Write what the office should add or correct before it reports again."),
        )
        locked.status = FollowUp.Status.SENT_BACK
        locked.confirmed_by = actor
        locked.confirmed_at = now
        locked.committee_note = note
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at", "committee_note"])
        common.event_add(
            locked_proposal,
            ProposalEvent.Kind.FOLLOWUP,
            actor=actor,
            text=_("Follow-up sent back: %(note)s") % {"note": note},
            is_public=False,
        )
        audit(
            actor=actor, action="proposals.followup.sent_back", target=locked_proposal, changes={"note": note}
        )
        common.notify(
            eval_selectors.office_users([locked.office_id]),
            kind="proposals.followup",
            title=_("Follow-up (回头看) of proposal %(number)s sent back")
            % {"number": locked_proposal.number},
            body=note,
            link=reverse("proposals:office_followup", kwargs={"pk": locked_proposal.pk}),
        )
    else:
        raise ValidationError({"decision": _("Choose to confirm the follow-up or to send it back.")})
    return locked
