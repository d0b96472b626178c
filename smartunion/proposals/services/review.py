"""The committee's review (审查立案) of a submitted proposal: 立案, 并案 into another proposal, 转为意见建议,
不予立案 with a written reason; and who may read it on the public board (visibility).

Numbers are given when a proposal is accepted: 提案 5-2-001, 意见建议 5-2-J001 (a late submission, already
a suggestion, keeps its type). Every decision is on the timeline, in the audit log and told to the
proposer and the co-signers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.members.selectors import people as people_selectors
from smartunion.organisations import selectors as org_selectors

from ..models import Category, Proposal, ProposalEvent, Signer
from . import common

Status = Proposal.Status
Kind = ProposalEvent.Kind
# 并案: a kept proposal must be a live one (submitted and not itself merged, rejected or withdrawn).
MERGE_TARGET_STATUSES = (
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.REPLY_SIGNOFF,
    Status.REPLIED,
    Status.UNSATISFIED,
    Status.CLOSED,
)
MERGEABLE_STATUSES = (Status.SUBMITTED, Status.ACCEPTED)


# -- whom to tell ------------------------------------------------------------------------------------


def signer_users(proposal: Proposal) -> list[Any]:
    """The accounts of everyone whose name stands on the proposal: the proposer, the accepted co-signers
    and the co-proposers (people without an account are left out)."""
    person_ids = set(
        Signer.objects.filter(proposal=proposal, status=Signer.Status.ACCEPTED).values_list(
            "representative__person_id", flat=True
        )
    )
    person_ids.add(proposal.proposer.person_id)
    return people_selectors.users_of_people(person_ids)


def committee_users() -> list[Any]:
    """The 提案工作委员会 and the union office: whoever holds ``proposals.review`` at the top of the tree
    (proposals are school-wide, so the committee's roles are held there)."""
    top = org_selectors.top_unit()
    if top is None:
        return []
    return list(account_selectors.users_with_perm_at(code="proposals.review", unit=top))


def _notify_signers(proposal: Proposal, *, title: str, body: str = "") -> None:
    common.notify(
        signer_users(proposal),
        kind="proposals.decision",
        title=title,
        body=body,
        link=common.portal_link(proposal),
    )


def _label(proposal: Proposal) -> str:
    return f"{proposal.number} {proposal.title}" if proposal.number else proposal.title


def _decide(proposal: Proposal, *, actor: Any, status: str, reason: str = "") -> list[str]:
    proposal.status = status
    proposal.decided_at = timezone.now()
    proposal.decided_by = actor if getattr(actor, "pk", None) else None
    proposal.decision_reason = reason
    return ["status", "decided_at", "decided_by", "decision_reason", "updated_at"]


def _category(value: Category | int | str | None) -> Category | None:
    """A category chosen by the committee: an active one, given as an object or a primary key."""
    if value in (None, ""):
        return None
    try:
        pk = value.pk if isinstance(value, Category) else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        pk = None
    category = Category.objects.filter(pk=pk, is_active=True).select_related("parent").first() if pk else None
    if category is None:
        raise ValidationError({"category": _("Choose a category that is in use.")})
    return category


# -- 立案 ----------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_accept(
    *, actor: Any, proposal: Proposal, category: Category | int | str | None = None
) -> Proposal:
    """立案: SUBMITTED → ACCEPTED with the session's next number; the committee may re-classify the
    category. A late submission (already an 意见建议) is accepted as one, with a J number."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.SUBMITTED)
    chosen = _category(category)
    before = {"status": proposal.get_status_display(), "category": str(proposal.category or "")}
    if chosen is not None:
        proposal.category = chosen
    if proposal.category_id is None:
        raise ValidationError({"category": _("Choose the proposal's category before 立案.")})
    proposal.number = common.next_number(proposal.session, proposal.record_type)
    fields = _decide(proposal, actor=actor, status=Status.ACCEPTED)
    proposal.save(update_fields=[*fields, "number", "category"])
    suggestion = proposal.record_type == Proposal.RecordType.SUGGESTION
    common.event_add(
        proposal,
        Kind.ACCEPTED,
        actor=actor,
        text=(
            _("Accepted as an opinion or suggestion (意见建议) No. %(number)s.")
            if suggestion
            else _("Accepted (立案) as proposal No. %(number)s.")
        )
        % {"number": proposal.number},
    )
    audit(
        actor=actor,
        action="proposals.proposal.accepted",
        target=proposal,
        changes={
            "status": [before["status"], proposal.get_status_display()],
            "number": proposal.number,
            "record_type": proposal.get_record_type_display(),
            **({"category": [before["category"], str(proposal.category)]} if chosen is not None else {}),
        },
    )
    _notify_signers(
        proposal,
        title=_("Your proposal “%(title)s” was accepted (立案) as No. %(number)s")
        % {"title": proposal.title, "number": proposal.number},
    )
    return proposal


@transaction.atomic
def proposal_convert(*, actor: Any, proposal: Proposal, reason: str = "") -> Proposal:
    """转为意见建议: SUBMITTED → ACCEPTED as an opinion or suggestion, numbered J…; it is answered by an
    office like a proposal but does not count as one in the congress's figures."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.SUBMITTED)
    reason = (reason or "").strip()
    before = proposal.get_record_type_display()
    proposal.record_type = Proposal.RecordType.SUGGESTION
    proposal.number = common.next_number(proposal.session, Proposal.RecordType.SUGGESTION)
    fields = _decide(proposal, actor=actor, status=Status.ACCEPTED, reason=reason)
    proposal.save(update_fields=[*fields, "number", "record_type"])
    text = _("Turned into an opinion or suggestion (意见建议) No. %(number)s.") % {"number": proposal.number}
    common.event_add(proposal, Kind.CONVERTED, actor=actor, text=f"{text} {reason}".strip())
    audit(
        actor=actor,
        action="proposals.proposal.converted",
        target=proposal,
        changes={
            "status": [str(Status.SUBMITTED.label), proposal.get_status_display()],
            "record_type": [before, proposal.get_record_type_display()],
            "number": proposal.number,
            **({"decision_reason": reason} if reason else {}),
        },
    )
    _notify_signers(
        proposal,
        title=_(
            "Your proposal “%(title)s” will be answered as an opinion or suggestion (意见建议) No. %(number)s"
        )
        % {"title": proposal.title, "number": proposal.number},
        body=reason,
    )
    return proposal


@transaction.atomic
def proposal_reject(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """不予立案: SUBMITTED → REJECTED with a written reason, which the proposer reads."""
    reason = common.require_text(
        reason,
        field="reason",
        message=_("Write the reason for not accepting the proposal: the proposer reads it."),
    )
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, Status.SUBMITTED)
    fields = _decide(proposal, actor=actor, status=Status.REJECTED, reason=reason)
    proposal.save(update_fields=fields)
    common.event_add(proposal, Kind.REJECTED, actor=actor, text=reason)
    audit(
        actor=actor,
        action="proposals.proposal.rejected",
        target=proposal,
        changes={
            "status": [str(Status.SUBMITTED.label), proposal.get_status_display()],
            "decision_reason": reason,
        },
    )
    _notify_signers(
        proposal,
        title=_("Your proposal “%(title)s” was not accepted (不予立案)") % {"title": proposal.title},
        body=reason,
    )
    return proposal


# -- 并案 ----------------------------------------------------------------------------------------------


def _lock_pair(first: int, second: int) -> tuple[Proposal, Proposal]:
    """Both proposals locked, always in the same order (lower id first), so two opposite merges wait for
    each other instead of deadlocking."""
    low, high = sorted((first, second))
    locked = {low: common.proposal_lock(low), high: common.proposal_lock(high)}
    return locked[first], locked[second]


def _target_pk(target: Proposal | int | str | None) -> int:
    if isinstance(target, Proposal):
        return target.pk
    try:
        return int(target)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError({"target": _("Choose the proposal to merge this one into.")}) from None


def _add_co_proposers(target: Proposal, representative_ids: Iterable[int]) -> list[int]:
    """The merged proposal's people become co-proposers (共同提案人) of the kept one; a name already on it
    is not added twice (one who had declined there becomes a co-proposer)."""
    existing = {signer.representative_id: signer for signer in Signer.objects.filter(proposal=target)}
    now = timezone.now()
    added = []
    for rep_id in dict.fromkeys(representative_ids):
        signer = existing.get(rep_id)
        if signer is None:
            Signer.objects.create(
                proposal=target,
                representative_id=rep_id,
                role=Signer.Role.CO_PROPOSER,
                status=Signer.Status.ACCEPTED,
                invited_at=now,
                responded_at=now,
            )
            added.append(rep_id)
        elif signer.status != Signer.Status.ACCEPTED:
            signer.role = Signer.Role.CO_PROPOSER
            signer.status = Signer.Status.ACCEPTED
            signer.responded_at = now
            signer.save(update_fields=["role", "status", "responded_at"])
            added.append(rep_id)
    return added


@transaction.atomic
def proposal_merge(
    *, actor: Any, proposal: Proposal, target: Proposal | int | str | None, reason: str = ""
) -> Proposal:
    """并案: a SUBMITTED or ACCEPTED proposal → MERGED into a kept proposal of the same session; its
    proposer and co-signers become co-proposers of the kept one."""
    target_pk = _target_pk(target)
    if target_pk == proposal.pk:
        raise ValidationError({"target": _("A proposal cannot be merged into itself: choose another one.")})
    try:
        proposal, kept = _lock_pair(proposal.pk, target_pk)
    except Proposal.DoesNotExist:
        raise ValidationError(
            {"target": _("There is no such proposal to merge into: choose one from the list.")}
        ) from None
    common.require_status(proposal, *MERGEABLE_STATUSES)
    if kept.session_id != proposal.session_id:
        raise ValidationError(
            {
                "target": _("Only proposals of the same session can be merged: choose one of %(session)s.")
                % {"session": proposal.session.name}
            }
        )
    if kept.status not in MERGE_TARGET_STATUSES:
        raise ValidationError(
            {
                "target": _("“%(title)s” is “%(status)s”: merge into a proposal that is still valid.")
                % {"title": _label(kept), "status": kept.get_status_display()}
            }
        )
    reason = (reason or "").strip()
    before = proposal.get_status_display()
    fields = _decide(proposal, actor=actor, status=Status.MERGED, reason=reason)
    proposal.merged_into = kept
    proposal.save(update_fields=[*fields, "merged_into"])
    people = Signer.objects.filter(proposal=proposal, status=Signer.Status.ACCEPTED).values_list(
        "representative_id", flat=True
    )
    added = _add_co_proposers(kept, [proposal.proposer_id, *people])
    kept.save(update_fields=["updated_at"])
    common.event_add(
        proposal,
        Kind.MERGED,
        actor=actor,
        text=(
            _("Merged (并案) into “%(title)s”.") % {"title": _label(kept)} + (f" {reason}" if reason else "")
        ),
    )
    common.event_add(
        kept,
        Kind.MERGED,
        actor=actor,
        text=_("“%(title)s” was merged into this proposal; its proposers are co-proposers now.")
        % {"title": _label(proposal)},
    )
    audit(
        actor=actor,
        action="proposals.proposal.merged",
        target=proposal,
        changes={
            "status": [before, proposal.get_status_display()],
            "merged_into": _label(kept),
            "co_proposers_added": len(added),
            **({"decision_reason": reason} if reason else {}),
        },
    )
    _notify_signers(
        proposal,
        title=_("Your proposal “%(title)s” was merged (并案) into “%(kept)s”; you are a co-proposer of it")
        % {"title": proposal.title, "kept": _label(kept)},
        body=reason,
    )
    return proposal


def merge_targets(proposal: Proposal) -> list[Proposal]:
    """The proposals this one may be merged into: live proposals of its session, by number."""
    return list(
        Proposal.objects.filter(session_id=proposal.session_id, status__in=MERGE_TARGET_STATUSES)
        .exclude(pk=proposal.pk)
        .only("pk", "number", "title", "status")
        .order_by("number", "pk")
    )


# -- visibility ----------------------------------------------------------------------------------------


@transaction.atomic
def proposal_visibility_set(*, actor: Any, proposal: Proposal, visibility: str) -> Proposal:
    """Who reads the proposal on the public board: all members, representatives only, or nobody."""
    if visibility not in Proposal.Visibility.values:
        raise ValidationError(
            {"visibility": _("Choose who may read the proposal: one of the listed options.")}
        )
    proposal = common.proposal_lock(proposal.pk)
    if proposal.status in (Status.DRAFT, Status.SEEKING_COSIGN):
        raise ValidationError(_("The visibility is set after the proposal is submitted."), code="status")
    if proposal.visibility == visibility:
        return proposal
    before = proposal.get_visibility_display()
    proposal.visibility = visibility
    proposal.save(update_fields=["visibility", "updated_at"])
    common.event_add(
        proposal,
        Kind.VISIBILITY,
        actor=actor,
        text=_("Visibility: %(before)s → %(after)s.")
        % {"before": before, "after": proposal.get_visibility_display()},
        is_public=False,
    )
    audit(
        actor=actor,
        action="proposals.proposal.visibility_set",
        target=proposal,
        changes={"visibility": [before, proposal.get_visibility_display()]},
    )
    return proposal
