"""Reads of the evaluation part: who may rate a proposal's reply, the reply being rated, the ratings of a
round, the offices of a round and the users to tell (the committee, an office's staff)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from smartunion.accounts import selectors as account_selectors
from smartunion.members.selectors import person_of_user
from smartunion.organisations import selectors as org_selectors
from smartunion.organisations import selectors_offices

from ..models import Assignment, Evaluation, Proposal, Reply, Representative, Signer

Status = Proposal.Status
REVIEW = "proposals.review"
# The proposer rates while the proposal is REPLIED; their rating closes it or sends it to the committee.
# Co-signers (when the session lets them) may still rate the round's released reply after that, until a
# new round starts (the round's reply is then no longer the current one, and the status is ASSIGNED).
COSIGNER_RATING_STATUSES = (Status.REPLIED, Status.UNSATISFIED, Status.CLOSED)


@dataclass(frozen=True)
class Evaluator:
    """The representative rating a reply and whether they are the proposer (whose rating decides)."""

    representative: Representative
    is_proposer: bool


def evaluator_for(*, user: Any, proposal: Proposal) -> Evaluator | None:
    """The user's place among the proposal's evaluators: the proposer always; a co-signer who accepted or
    a co-proposer (of a merged proposal) only when the session lets co-signers rate (None otherwise) —
    the same rule as the portal's list of ratings awaited (``selectors.portal.awaiting_evaluation``)."""
    person = person_of_user(user) if getattr(user, "is_authenticated", False) else None
    if person is None:
        return None
    if proposal.proposer.person_id == person.pk:
        return Evaluator(proposal.proposer, True)
    if not proposal.session.cosigners_evaluate:
        return None
    signer = (
        Signer.objects.filter(
            proposal=proposal,
            representative__person=person,
            role__in=(Signer.Role.COSIGNER, Signer.Role.CO_PROPOSER),
            status=Signer.Status.ACCEPTED,
        )
        .select_related("representative__person")
        .first()
    )
    return Evaluator(signer.representative, False) if signer else None


def is_signer(*, user: Any, proposal: Proposal) -> bool:
    """Whether the user's name is on the proposal at all (as proposer, co-signer or co-proposer)."""
    person = person_of_user(user) if getattr(user, "is_authenticated", False) else None
    if person is None:
        return False
    return (
        proposal.proposer.person_id == person.pk
        or proposal.signers.filter(representative__person=person).exists()
    )


def current_reply(proposal: Proposal) -> Reply | None:
    """The released reply of the proposal's current round (the one to rate), with its office."""
    return (
        Reply.objects.filter(proposal=proposal, round=proposal.round, status=Reply.Status.RELEASED)
        .select_related("office")
        .first()
    )


def released_replies(proposal: Proposal) -> list[Reply]:
    """Every round's released reply with its ratings (the proposer's first), oldest round first."""
    return list(
        Reply.objects.filter(proposal=proposal, status=Reply.Status.RELEASED)
        .select_related("office")
        .prefetch_related("evaluations__representative__person")
        .order_by("round")
    )


def evaluations_of_round(proposal: Proposal, round_no: int | None = None) -> list[Evaluation]:
    return list(
        Evaluation.objects.filter(proposal=proposal, round=round_no or proposal.round)
        .select_related("representative__person")
        .order_by("-is_proposer", "created_at", "id")
    )


def evaluation_due(*, user: Any, proposal: Proposal) -> bool:
    """Whether the user should rate the proposal's reply now (for the portal's evaluation button): the
    proposer while it is REPLIED; a co-signer also after the proposer's rating (see
    ``COSIGNER_RATING_STATUSES``)."""
    if proposal.status not in COSIGNER_RATING_STATUSES or not proposal.session.control_evaluation:
        return False
    evaluator = evaluator_for(user=user, proposal=proposal)
    if evaluator is None or (evaluator.is_proposer and proposal.status != Status.REPLIED):
        return False
    return not Evaluation.objects.filter(
        proposal=proposal, round=proposal.round, representative=evaluator.representative
    ).exists()


def round_assignments(proposal: Proposal, round_no: int | None = None) -> list[Assignment]:
    """The offices of a round that were not returned (lead first)."""
    return list(
        Assignment.objects.filter(proposal=proposal, round=round_no or proposal.round)
        .exclude(status=Assignment.Status.RETURNED)
        .select_related("office")
        .order_by("-role", "id")  # "lead" > "assist"
    )


def round_lead(proposal: Proposal, round_no: int | None = None) -> Assignment | None:
    for assignment in round_assignments(proposal, round_no):
        if assignment.role == Assignment.Role.LEAD:
            return assignment
    return None


def rounds_left(proposal: Proposal) -> int:
    """How many more re-handling rounds the session allows for this proposal."""
    return max(0, proposal.session.max_rehandling_rounds - (proposal.round - 1))


# -- whom to tell -------------------------------------------------------------------------------------


def committee_users() -> list[Any]:
    """The committee and the union office (``proposals.review`` held at the top of the tree): told of
    unsatisfied ratings, overdue replies and follow-up updates."""
    top = org_selectors.top_unit()
    if top is None:
        return []
    return list(account_selectors.users_with_perm_at(code=REVIEW, unit=top))


def office_users(office_ids: Any, *, heads_only: bool = False) -> list[Any]:
    return selectors_offices.office_staff_users(list(office_ids), heads_only=heads_only)


def signer_users(proposal: Proposal, *, evaluators_only: bool = False) -> list[Any]:
    """The accounts of the proposer and the co-signers/co-proposers who accepted (for notices)."""
    signers = Signer.objects.filter(proposal=proposal, status=Signer.Status.ACCEPTED)
    if evaluators_only and not proposal.session.cosigners_evaluate:
        signers = signers.filter(role=Signer.Role.PROPOSER)
    users = [
        signer.representative.person.user
        for signer in signers.select_related("representative__person__user")
        if signer.representative.person.user_id
    ]
    proposer_user = proposal.proposer.person.user if proposal.proposer.person.user_id else None
    if proposer_user is not None and proposer_user not in users:
        users.insert(0, proposer_user)
    return users


def offices_for_choice() -> QuerySet[Any]:
    return selectors_offices.office_list()
