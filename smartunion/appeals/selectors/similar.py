"""Similar cases (相似案例) for an appeal: past appeals that were answered and proposals of the staff
congress with a released reply, most similar first, each with its answer — for spotting a duplicate and
for reusing an answer (the triage and office detail pages show them, ``appeals/console/_similar.html``).

Anonymised by construction: a past appeal is shown by its number, subject and the office's reply only —
never who submitted it, nor its unit or details. A proposal only when every member may read it on the
board (public, with a released reply).

Scoped by the viewer: the union office (``viewer_office_ids=None``) sees every answered appeal; a handling
office sees the answered appeals of its own offices, and of the other offices only those published as
questions and answers (常见问题) — by their published question and answer, never the raw subject and reply.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch, Q
from django.urls import reverse

from smartunion.ai.services.similarity import rank_similar
from smartunion.proposals.selectors.texts import answered_public_texts

from ..models import Appeal, Reply

ANSWERED = (Appeal.Status.REPLIED, Appeal.Status.CLOSED)
MIN_SCORE = 0.15


def _published(appeal: Appeal, viewer_office_ids: set[int] | None) -> bool:
    """Whether the viewer sees ``appeal`` only as its published question and answer."""
    return viewer_office_ids is not None and appeal.office_id not in viewer_office_ids


def _answered_appeals(viewer_office_ids: set[int] | None) -> list[Appeal]:
    answered = Q(status__in=ANSWERED)
    if viewer_office_ids is not None:
        published = Q(published_at__isnull=False) & ~Q(faq_question="") & ~Q(faq_answer="")
        answered = (answered & Q(office_id__in=viewer_office_ids)) | published
    return list(
        Appeal.objects.filter(answered)
        .only("pk", "number", "title", "body", "office_id", "faq_question", "faq_answer")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Reply.objects.only("pk", "appeal_id", "round", "text").order_by("round", "pk"),
                to_attr="answers",
            )
        )
        .order_by("pk")
    )


def similar_cases(
    *,
    text: str,
    exclude_pk: int | None = None,
    limit: int = 5,
    viewer_office_ids: set[int] | None = None,
) -> list[dict[str, Any]]:
    """The answered appeals and proposals most similar to ``text`` (an appeal's subject and details),
    best first: each {"kind": "appeal"|"proposal", "title", "number", "score" (0..1], "reply", "url"}
    (``url`` is the proposal's page on the board; None for an appeal). ``exclude_pk`` leaves out the
    appeal being looked at. ``viewer_office_ids``: None for the union office (every answered appeal);
    a handling office's ids limit the appeals to its own and the published questions and answers."""
    if not text or not text.strip() or limit <= 0:
        return []
    # ``answers``: the replies prefetched oldest round first (an appeal without one has nothing to reuse);
    # an appeal seen as a published question and answer has its published answer instead.
    appeals: dict[int, Any] = {
        a.pk: a
        for a in _answered_appeals(viewer_office_ids)
        if _published(a, viewer_office_ids) or a.answers  # type: ignore[attr-defined]
    }
    proposals = {proposal.pk: proposal for proposal in answered_public_texts()}
    documents: list[tuple[tuple[str, int], str]] = [
        (
            ("appeal", pk),
            f"{appeal.faq_question}\n{appeal.faq_question}\n{appeal.faq_answer}"
            if _published(appeal, viewer_office_ids)
            else f"{appeal.title}\n{appeal.title}\n{appeal.body}",
        )
        for pk, appeal in appeals.items()
        if pk != exclude_pk
    ]
    documents += [(("proposal", pk), proposal.text) for pk, proposal in proposals.items()]
    items: list[dict[str, Any]] = []
    for key, score in rank_similar(text, documents, limit=limit, min_score=MIN_SCORE):
        kind, pk = cast(tuple[str, int], key)
        if kind == "appeal":
            appeal = appeals[pk]
            published = _published(appeal, viewer_office_ids)
            items.append(
                {
                    "kind": "appeal",
                    "title": appeal.faq_question if published else appeal.title,
                    "number": appeal.number,
                    "score": score,
                    "reply": appeal.faq_answer if published else appeal.answers[-1].text,
                    "url": None,
                }
            )
        else:
            proposal = proposals[pk]
            items.append(
                {
                    "kind": "proposal",
                    "title": proposal.title,
                    "number": proposal.number,
                    "score": score,
                    "reply": proposal.reply,
                    "url": reverse("proposals:portal_detail", kwargs={"pk": pk}),
                }
            )
    return items
