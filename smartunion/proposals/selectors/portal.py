"""Reads of the member portal's proposal pages: the representative's workspace (own proposals by status,
待附议 invitations, replies awaiting their rating), the progress view of one proposal, the public board
and the search for co-signers. Every list is a bounded number of queries whatever its length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from smartunion.members.selectors import person_of_user

from ..models import (
    Assignment,
    Attachment,
    Category,
    Evaluation,
    Proposal,
    ProposalEvent,
    Reply,
    Representative,
    Session,
    Signer,
)
from .access import PRE_SUBMISSION, board_queryset, own_queryset, proposal_get_for_portal

Status = Proposal.Status

# The four stages members know (doc 000): 征集 → 交办 → 答复 → 反馈, and the one each status is in
# (the stages before it are done): a proposal accepted awaits 交办, an assigned one awaits its 答复, a
# replied one awaits the 反馈 (rating).
STAGE_OF_STATUS: dict[str, int] = {
    Status.DRAFT: 0,
    Status.SEEKING_COSIGN: 0,
    Status.SUBMITTED: 0,
    Status.MERGED: 0,
    Status.REJECTED: 0,
    Status.WITHDRAWN: 0,
    Status.ACCEPTED: 1,
    Status.ASSIGNED: 2,
    Status.REPLY_SIGNOFF: 2,
    Status.REPLIED: 3,
    Status.UNSATISFIED: 3,
    Status.CLOSED: 3,
}
ENDED_EARLY = (Status.MERGED, Status.REJECTED, Status.WITHDRAWN)

# The workspace's groups of the member's own proposals.
GROUPS = (
    ("drafts", (Status.DRAFT, Status.SEEKING_COSIGN)),
    ("review", (Status.SUBMITTED, Status.ACCEPTED)),
    ("handling", (Status.ASSIGNED, Status.REPLY_SIGNOFF, Status.UNSATISFIED)),
    ("replied", (Status.REPLIED,)),
    ("done", (Status.CLOSED, Status.MERGED, Status.REJECTED, Status.WITHDRAWN)),
)


def person_of(user: Any) -> Any:
    """The member's person record (None for accounts without one): fetch it once per page and pass it."""
    return person_of_user(user) if getattr(user, "is_authenticated", False) else None


# -- the workspace -----------------------------------------------------------------------------------------


def my_proposals(person: Any) -> list[Proposal]:
    """Proposals the member filed or signs (proposer, accepted co-signer, co-proposer), newest first, with
    the count of accepted co-signers. Invitations not yet accepted are listed under 待附议 instead."""
    if person is None:
        return []
    signed = Signer.objects.filter(
        representative__person=person,
        role__in=(Signer.Role.COSIGNER, Signer.Role.CO_PROPOSER),
        status=Signer.Status.ACCEPTED,
    ).values("proposal_id")
    return list(
        Proposal.objects.filter(Q(proposer__person=person) | Q(pk__in=signed))
        .select_related("session__congress", "proposer__person")
        .annotate(
            cosigned=Count(
                "signers",
                filter=Q(signers__role=Signer.Role.COSIGNER, signers__status=Signer.Status.ACCEPTED),
            )
        )
        .order_by("-updated_at", "-pk")
    )


def grouped(proposals: list[Proposal]) -> list[tuple[str, list[Proposal]]]:
    return [(key, [p for p in proposals if p.status in statuses]) for key, statuses in GROUPS]


def invitations_of(person: Any) -> list[Signer]:
    """待附议: invitations to co-sign that await the member's answer (drafts not yet submitted)."""
    if person is None:
        return []
    return list(
        Signer.objects.filter(
            representative__person=person,
            role=Signer.Role.COSIGNER,
            status=Signer.Status.INVITED,
            proposal__status__in=PRE_SUBMISSION,
        )
        .select_related("proposal__proposer__person", "proposal__session")
        .order_by("-invited_at")
    )


def awaiting_evaluation(person: Any) -> list[Proposal]:
    """Proposals whose released reply of the current round awaits the member's rating: as the proposer
    while the proposal is REPLIED, or as a co-signer / co-proposer when the session lets them rate — also
    after the proposer's rating closed it or sent it to the committee, until a new round starts (the same
    rule as ``services.evaluation.evaluation_submit``)."""
    from .evaluation import COSIGNER_RATING_STATUSES

    if person is None:
        return []
    rated = Evaluation.objects.filter(
        proposal=OuterRef("pk"), round=OuterRef("round"), representative__person=person
    )
    released = Reply.objects.filter(
        proposal=OuterRef("pk"), round=OuterRef("round"), status=Reply.Status.RELEASED
    )
    co_signed = Signer.objects.filter(
        representative__person=person,
        role__in=(Signer.Role.COSIGNER, Signer.Role.CO_PROPOSER),
        status=Signer.Status.ACCEPTED,
    ).values("proposal_id")
    return list(
        Proposal.objects.filter(session__control_evaluation=True)
        .filter(
            Q(proposer__person=person, status=Status.REPLIED)
            | Q(pk__in=co_signed, session__cosigners_evaluate=True, status__in=COSIGNER_RATING_STATUSES)
        )
        .filter(Exists(released))
        .exclude(Exists(rated))
        .select_related("session")
        .order_by("replied_at", "pk")
    )


def may_evaluate(person: Any, proposal: Proposal) -> bool:
    """Whether the member's rating of the proposal's current reply is awaited."""
    from .evaluation import COSIGNER_RATING_STATUSES

    if proposal.status not in COSIGNER_RATING_STATUSES:
        return False
    return any(p.pk == proposal.pk for p in awaiting_evaluation(person))


# -- one proposal ------------------------------------------------------------------------------------------


def proposal_for_proposer(*, user: Any, pk: Any) -> Proposal:
    """The member's own proposal as its proposer (the drafting pages); 404 for anyone else's."""
    person = person_of(user)
    if person is None:
        raise Http404
    try:
        return Proposal.objects.select_related(
            "session__congress", "proposer__person", "delegation", "category__parent", "suggested_office"
        ).get(pk=pk, proposer__person=person)
    except (Proposal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def signer_of_user(*, user: Any, pk: Any) -> Signer:
    """The member's own invitation (a co-signer row naming them); 404 for anyone else's."""
    person = person_of(user)
    if person is None:
        raise Http404
    try:
        return Signer.objects.select_related("proposal", "representative__person").get(
            pk=pk, representative__person=person
        )
    except (Signer.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def attachment_for_portal(*, user: Any, pk: Any) -> Attachment:
    """An attachment of a proposal the member may open in the portal; 404 otherwise."""
    try:
        attachment = Attachment.objects.get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
    proposal_get_for_portal(user=user, pk=attachment.proposal_id)
    return attachment


ROLE_ORDER: dict[str, int] = {Signer.Role.PROPOSER: 0, Signer.Role.CO_PROPOSER: 1, Signer.Role.COSIGNER: 2}


def signers_of(proposal: Proposal) -> list[Signer]:
    """The proposer first, then co-proposers (并案), then co-signers in the order they were invited."""
    signers = Signer.objects.filter(proposal=proposal).select_related(
        "representative__person", "representative__delegation"
    )
    return sorted(signers, key=lambda s: (ROLE_ORDER.get(s.role, 9), s.invited_at, s.pk))


def attachments_of(proposal: Proposal) -> list[Attachment]:
    return list(Attachment.objects.filter(proposal=proposal).defer("content").order_by("created_at", "pk"))


# What a member who is not on the proposal reads of its timeline: the stages (``is_public`` means "shown
# to the proposer"; ratings, comments, who co-signed or declined and why it was withdrawn are the
# signers' own).
BOARD_EVENT_KINDS = (
    ProposalEvent.Kind.SUBMITTED,
    ProposalEvent.Kind.CONVERTED,
    ProposalEvent.Kind.ACCEPTED,
    ProposalEvent.Kind.MERGED,
    ProposalEvent.Kind.ASSIGNED,
    ProposalEvent.Kind.REPLIED,
    ProposalEvent.Kind.REHANDLING,
    ProposalEvent.Kind.CLOSED,
)
# Stage events whose text may carry what the committee wrote about a 不满意 rating (the re-handling
# note, the explanation when closing an unsatisfied proposal): shown without it.
BOARD_EVENTS_WITHOUT_TEXT = (ProposalEvent.Kind.REHANDLING, ProposalEvent.Kind.CLOSED)


def is_signatory(person: Any, proposal: Proposal, signers: list[Signer]) -> bool:
    """Whether the member is on the proposal as its proposer or an accepted co-signer / co-proposer
    (``signers`` as read by ``signers_of``): they see its ratings and its whole public timeline."""
    if person is None:
        return False
    return proposal.proposer.person_id == person.pk or any(
        s.representative.person_id == person.pk and s.status == Signer.Status.ACCEPTED for s in signers
    )


def public_events(proposal: Proposal, *, signatory: bool) -> list[ProposalEvent]:
    """The timeline shown in the portal: every public event for the proposal's signatories; for anyone
    else (a reader of the board) only its stages, without the committee's notes on a 不满意."""
    events = ProposalEvent.objects.filter(proposal=proposal, is_public=True)
    if signatory:
        return list(events.order_by("created_at", "pk"))
    rows = list(events.filter(kind__in=BOARD_EVENT_KINDS).order_by("created_at", "pk"))
    for event in rows:
        if event.kind in BOARD_EVENTS_WITHOUT_TEXT:
            event.text = ""  # shown, never saved
    return rows


def released_replies(proposal: Proposal) -> list[Reply]:
    return list(
        Reply.objects.filter(proposal=proposal, status=Reply.Status.RELEASED)
        .select_related("office")
        .prefetch_related(
            Prefetch(
                "evaluations",
                queryset=Evaluation.objects.select_related("representative__person").order_by(
                    "-is_proposer", "pk"
                ),
            )
        )
        .order_by("round")
    )


def lead_offices(proposal: Proposal) -> list[Any]:
    """The current round's lead and assisting offices (for the progress view)."""
    return list(
        Assignment.objects.filter(proposal=proposal, round=proposal.round, status=Assignment.Status.ACTIVE)
        .select_related("office")
        .order_by("role", "pk")
    )


def stages(proposal: Proposal) -> list[dict[str, Any]]:
    """征集 → 交办 → 答复 → 反馈 with how far the proposal has come (done / current / to come)."""
    labels = [_("Collection (征集)"), _("Assignment (交办)"), _("Reply (答复)"), _("Feedback (反馈)")]
    reached = STAGE_OF_STATUS.get(proposal.status, 0)
    finished = proposal.status == Status.CLOSED
    ended = proposal.status in ENDED_EARLY
    return [
        {
            "label": label,
            "done": index < reached or finished,
            "current": index == reached and not finished and not ended,
            "ended": ended and index == 0,
        }
        for index, label in enumerate(labels)
    ]


# -- co-signers ------------------------------------------------------------------------------------------


def representative_search(*, proposal: Proposal, query: str, limit: int = 20) -> list[Representative]:
    """Serving full representatives of the proposal's term (any delegation) by name or staff number,
    excluding the proposer and whoever is already on the proposal."""
    query = (query or "").strip()
    if not query:
        return []
    taken = Signer.objects.filter(proposal=proposal).values("representative_id")
    return list(
        Representative.objects.filter(
            congress_id=proposal.session.congress_id, kind=Representative.Kind.FULL, is_active=True
        )
        .exclude(pk__in=taken)
        .exclude(pk=proposal.proposer_id)
        .filter(
            Q(person__name__icontains=query)
            | Q(person__staff_no__iexact=query)
            | Q(delegation__name__icontains=query)
        )
        .select_related("person", "delegation")
        .order_by("delegation__sort_order", "person__staff_no")[:limit]
    )


def representative_for_invite(*, proposal: Proposal, pk: Any) -> Representative:
    try:
        return Representative.objects.select_related("person", "delegation").get(
            pk=pk, congress_id=proposal.session.congress_id
        )
    except (Representative.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


# -- the public board ------------------------------------------------------------------------------------


def board_sessions() -> list[Session]:
    return list(Session.objects.select_related("congress").order_by("-congress__number", "-number"))


def board_list(
    *, user: Any, session: Session | None = None, query: str = "", status: str = ""
) -> QuerySet[Proposal]:
    """The board: the proposals each member may see (visibility), with the lead office of the current
    round and the released reply of each round attached. Search by number, title or office."""
    proposals = board_queryset(user)
    if session is not None:
        proposals = proposals.filter(session=session)
    if status:
        proposals = proposals.filter(status=status)
    query = (query or "").strip()
    if query:
        proposals = proposals.filter(
            Q(number__icontains=query)
            | Q(title__icontains=query)
            | Q(assignments__office__name__icontains=query, assignments__role="lead")
        ).distinct()
    return proposals.prefetch_related(
        Prefetch(
            "assignments",
            queryset=_assignments_lead(),
            to_attr="lead_assignments",
        ),
        Prefetch(
            "replies",
            queryset=Reply.objects.filter(status=Reply.Status.RELEASED)
            .select_related("office")
            .order_by("round"),
            to_attr="released",
        ),
    ).order_by("-session__congress__number", "-session__number", "number", "pk")


def _assignments_lead() -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(role=Assignment.Role.LEAD).select_related("office").order_by("-round", "pk")
    )


def board_counts(*, user: Any, session: Session | None) -> dict[str, int]:
    proposals = board_queryset(user)
    if session is not None:
        proposals = proposals.filter(session=session)
    rows = proposals.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


# -- choices for the draft form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryGroup:
    name: str
    options: list[tuple[int, str]]


def category_groups() -> list[CategoryGroup]:
    """The two-level taxonomy as groups of choosable subclasses (a major class without subclasses is
    choosable itself)."""
    majors = list(
        Category.objects.filter(parent__isnull=True, is_active=True)
        .prefetch_related(
            Prefetch(
                "children", queryset=Category.objects.filter(is_active=True).order_by("sort_order", "name")
            )
        )
        .order_by("sort_order", "name")
    )
    groups = []
    for major in majors:
        children = list(major.children.all())
        options = [(child.pk, child.name) for child in children] or [(major.pk, major.name)]
        groups.append(CategoryGroup(name=major.name, options=options))
    return groups


# -- similar proposals while writing -----------------------------------------------------------------------


def visible_similar(*, user: Any, found: list[tuple[Proposal, float]]) -> list[tuple[Proposal, float]]:
    """Keep the similar proposals this member may open (on the board for them, or their own)."""
    if not found:
        return []
    ids = [proposal.pk for proposal, _score in found]
    visible = set(board_queryset(user).filter(pk__in=ids).values_list("pk", flat=True))
    visible |= set(own_queryset(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [(proposal, score) for proposal, score in found if proposal.pk in visible]
