"""Who may see which proposal, and the one place that answers 404 for the rest.

- the console (committee, union office, union chair, leaders): ``proposals.view`` — every proposal
  that has left the draft stage (drafts are the proposer's own);
- a handling office's staff (``proposals.handle``): proposals assigned to one of their offices, in any
  round, still active or not (a returned assignment stays readable to the office that returned it);
- a school leader (``proposals.lead``): proposals whose lead office they supervise;
- the portal: a representative's own proposals (as proposer, accepted co-signer or co-proposer, and as
  an invitee while the draft seeks co-signers), and the public board for everyone else according to each
  proposal's visibility.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from smartunion.members.selectors import person_of_user
from smartunion.organisations import selectors_offices

from ..models import Assignment, Proposal, Representative, Session, Signer

Status = Proposal.Status
# Statuses that are still private to the proposer and the invited co-signers.
PRE_SUBMISSION = (Status.DRAFT, Status.SEEKING_COSIGN)
# Statuses shown on the public board (decided and past).
ON_BOARD = (
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.REPLY_SIGNOFF,
    Status.REPLIED,
    Status.UNSATISFIED,
    Status.CLOSED,
)


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "session__congress", "proposer__person", "delegation", "category__parent", "suggested_office"
    )


def _get(queryset: QuerySet[Proposal], pk: Any) -> Proposal:
    try:
        return queryset.get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


# -- representatives --------------------------------------------------------------------------------


def representative_of_user(user: Any, session: Session | None = None) -> Representative | None:
    """The user's serving representative record for the session's term (the current term when no session
    is given), or None for everyone else."""
    person = person_of_user(user) if getattr(user, "is_authenticated", False) else None
    if person is None:
        return None
    reps = Representative.objects.filter(person=person, is_active=True).select_related(
        "delegation", "congress", "person"
    )
    if session is not None:
        reps = reps.filter(congress_id=session.congress_id)
    return reps.order_by("-congress__number").first()


def may_propose(representative: Representative | None) -> bool:
    """Only serving full representatives (正式代表) propose and co-sign."""
    return (
        representative is not None
        and representative.is_active
        and representative.kind == Representative.Kind.FULL
    )


def current_session() -> Session | None:
    """The session proposals are collected for now: the latest one whose window has opened."""
    from django.utils import timezone

    return (
        Session.objects.select_related("congress")
        .filter(collection_opens__lte=timezone.now())
        .order_by("-collection_opens")
        .first()
    )


# -- console ------------------------------------------------------------------------------------------


def console_queryset(user: Any) -> QuerySet[Proposal]:
    """Proposals that were submitted: a draft stays the proposer's own even after it is withdrawn
    (WITHDRAWN with no ``submitted_at``), so the committee never reads text that was not sent to it."""
    if not user.has_unit_perm("proposals.view"):
        return Proposal.objects.none()
    return _base().exclude(status__in=PRE_SUBMISSION).filter(submitted_at__isnull=False)


def proposal_get_for_console(*, user: Any, pk: Any) -> Proposal:
    return _get(console_queryset(user), pk)


# -- handling offices ---------------------------------------------------------------------------------


def office_queryset(user: Any) -> QuerySet[Proposal]:
    """Proposals assigned (in any round) to an office the user works for."""
    if not user.has_unit_perm("proposals.handle"):
        return Proposal.objects.none()
    office_ids = selectors_offices.office_ids_of_user(user)
    if not office_ids:
        return Proposal.objects.none()
    assigned = Assignment.objects.filter(office_id__in=office_ids).values("proposal_id")
    return _base().filter(pk__in=assigned)


def proposal_get_for_office(*, user: Any, pk: Any) -> Proposal:
    return _get(office_queryset(user), pk)


def assignment_of_user(user: Any, proposal: Proposal) -> Assignment | None:
    """The user's office's active assignment in the proposal's current round (None when it has none)."""
    office_ids = selectors_offices.office_ids_of_user(user)
    return (
        Assignment.objects.filter(
            proposal=proposal,
            round=proposal.round,
            office_id__in=office_ids,
            status=Assignment.Status.ACTIVE,
        )
        .select_related("office")
        .order_by("role")  # "assist" < "lead": an office holding both acts as lead below
        .last()
    )


# -- school leaders -----------------------------------------------------------------------------------


def leader_queryset(user: Any) -> QuerySet[Proposal]:
    """Proposals whose current lead office the leader supervises."""
    if not user.has_unit_perm("proposals.lead"):
        return Proposal.objects.none()
    office_ids = selectors_offices.office_ids_supervised_by(user)
    if not office_ids:
        return Proposal.objects.none()
    led = Assignment.objects.filter(office_id__in=office_ids, role=Assignment.Role.LEAD).values("proposal_id")
    return _base().filter(pk__in=led)


def proposal_get_for_leader(*, user: Any, pk: Any) -> Proposal:
    return _get(leader_queryset(user), pk)


# -- portal -------------------------------------------------------------------------------------------


def own_queryset(user: Any) -> QuerySet[Proposal]:
    """Proposals the user's name is on, in any term: as proposer, as an accepted co-signer or
    co-proposer, and — only while the draft still seeks co-signers — as an invitee who has not answered
    or has declined (they may change their mind until the submission). Once submitted, an invitee who
    declined has no more access than any other member (the board, as the visibility allows)."""
    person = person_of_user(user) if getattr(user, "is_authenticated", False) else None
    if person is None:
        return Proposal.objects.none()
    signed = Signer.objects.filter(representative__person=person).filter(
        Q(status=Signer.Status.ACCEPTED)
        | Q(
            status__in=(Signer.Status.INVITED, Signer.Status.DECLINED),
            proposal__status__in=PRE_SUBMISSION,
        )
    )
    return _base().filter(Q(proposer__person=person) | Q(pk__in=signed.values("proposal_id")))


def board_queryset(user: Any) -> QuerySet[Proposal]:
    """The public board: decided proposals, as each one's visibility allows for this user."""
    visible = Q(visibility=Proposal.Visibility.PUBLIC)
    person = person_of_user(user) if getattr(user, "is_authenticated", False) else None
    if person is not None:
        terms = Representative.objects.filter(person=person, is_active=True).values("congress_id")
        visible |= Q(visibility=Proposal.Visibility.REPRESENTATIVES, session__congress_id__in=terms)
    return _base().filter(visible, status__in=ON_BOARD)


def proposal_get_for_portal(*, user: Any, pk: Any) -> Proposal:
    """A proposal the member may open in the portal: their own, or one on the board for them."""
    try:
        return _get(own_queryset(user), pk)
    except Http404:
        return _get(board_queryset(user), pk)
