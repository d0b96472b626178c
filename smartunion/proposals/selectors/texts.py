"""The texts of answered proposals, for other apps' similar cases (the appeals console shows a proposal of
the staff congress next to an appeal on the same subject, with the office's answer to reuse).

Only proposals every member may read on the board (public visibility, decided and on the board) with a
released reply: a draft, a private proposal or an unreleased reply never leaves this app this way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from ..models import Proposal, Reply
from .access import ON_BOARD


@dataclass(frozen=True)
class ProposalText:
    pk: int
    number: str
    title: str
    text: str  # 案由, 理由 and 建议
    reply: str  # the last released reply


def answered_public_texts() -> list[ProposalText]:
    """Public proposals on the board with a released reply, each with the last released reply (of the
    latest round), oldest first. Two queries whatever the number of proposals."""
    proposals = (
        Proposal.objects.filter(
            visibility=Proposal.Visibility.PUBLIC,
            status__in=ON_BOARD,
            replies__status=Reply.Status.RELEASED,
        )
        .distinct()
        .only("pk", "number", "title", "reasons", "suggestions")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Reply.objects.filter(status=Reply.Status.RELEASED)
                .only("pk", "proposal_id", "round", "body")
                .order_by("round", "pk"),
                to_attr="released",
            )
        )
        .order_by("pk")
    )
    return [
        ProposalText(
            pk=proposal.pk,
            number=proposal.number,
            title=proposal.title,
            text="\n".join(part for part in (proposal.title, proposal.reasons, proposal.suggestions) if part),
            reply=proposal.released[-1].body,
        )
        for proposal in proposals
        if proposal.released
    ]
