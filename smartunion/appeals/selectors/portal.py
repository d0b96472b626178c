"""Reads of the member portal's appeal pages: 我的诉求 with its status chips, one of the member's own
appeals with its timeline and replies, the replies awaiting the member's rating, the categories to choose
from, the router's suggestion while writing and the published questions and answers (常见问题).

Every appeal read here is the logged-in member's own: anyone else's answers 404. The 常见问题 pages show
only the anonymised question and answer the union office published, never the appeal behind them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from smartunion.members.selectors import person_of_user

from ..models import Appeal, Attachment, Category, Event, Rating, Reply
from .suggestions import is_shown

logger = logging.getLogger(__name__)

Status = Appeal.Status
EventKind = Event.Kind

# 我的诉求's chips: key → the statuses it lists (None: all).
CHIPS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "open": (Status.TRIAGE, Status.ROUTED, Status.IN_PROGRESS, Status.REOPENED),
    "replied": (Status.REPLIED,),
    "done": (Status.CLOSED, Status.WITHDRAWN),
}
# The steps of the timeline a member sees (internal ones — a misroute, a reminder, a note — are the
# union's business; the routing that follows a misroute shows as "routed" again).
MEMBER_EVENTS = (
    EventKind.SUBMITTED,
    EventKind.ROUTED,
    EventKind.ACKNOWLEDGED,
    EventKind.REPLIED,
    EventKind.RATED,
    EventKind.REOPENED,
    EventKind.CLOSED,
    EventKind.WITHDRAWN,
    EventKind.ESCALATED,
    EventKind.PUBLISHED,
)
# Notes the member may read again: their own (why they withdrew or reopened, their rating).
MEMBER_NOTES = (EventKind.RATED, EventKind.REOPENED, EventKind.WITHDRAWN)


def person_of(user: Any) -> Any:
    return person_of_user(user) if getattr(user, "is_authenticated", False) else None


def _own(user: Any) -> QuerySet[Appeal]:
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    return Appeal.objects.filter(person__user=user)


def _rated_this_round() -> Exists:
    """The appeal's current round (reopenings + 1) has the member's rating."""
    return Exists(Rating.objects.filter(appeal=OuterRef("pk"), round=OuterRef("reopen_count") + 1))


# -- 我的诉求 --------------------------------------------------------------------------------------------


def chip_counts(person: Any) -> dict[str, int]:
    if person is None:
        return dict.fromkeys(CHIPS, 0)
    counts = dict(
        Appeal.objects.filter(person=person).order_by().values_list("status").annotate(n=Count("id"))
    )
    return {
        key: sum(n for status, n in counts.items() if statuses is None or status in statuses)
        for key, statuses in CHIPS.items()
    }


def my_appeals(person: Any, chip: str = "all") -> QuerySet[Appeal]:
    """The member's appeals, newest first, with their office and category (one query per page)."""
    if person is None:
        return Appeal.objects.none()
    appeals = Appeal.objects.filter(person=person).select_related("office", "category")
    statuses = CHIPS.get(chip)
    if statuses is not None:
        appeals = appeals.filter(status__in=statuses)
    return appeals.order_by("-created_at", "-pk")


def awaiting_rating(person: Any) -> list[Appeal]:
    """Replied appeals whose current reply the member has not rated yet, oldest reply first."""
    if person is None:
        return []
    return list(
        Appeal.objects.filter(person=person, status=Status.REPLIED)
        .exclude(_rated_this_round())
        .select_related("office")
        .order_by("replied_at", "pk")
    )


# -- one appeal --------------------------------------------------------------------------------------------


def appeal_for_member(*, user: Any, pk: Any) -> Appeal:
    """One of the member's own appeals (anyone else's: 404)."""
    try:
        return (
            _own(user)
            .select_related("office", "category", "suggested_category", "person")
            .prefetch_related(
                Prefetch("replies", queryset=Reply.objects.select_related("office").order_by("round", "pk")),
                Prefetch("ratings", queryset=Rating.objects.order_by("round", "pk")),
                Prefetch("attachments", queryset=Attachment.objects.defer("content").order_by("pk")),
            )
            .get(pk=pk)
        )
    except (Appeal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def attachment_for_member(*, user: Any, appeal_pk: Any, pk: Any) -> Attachment:
    try:
        return Attachment.objects.get(pk=pk, appeal_id=appeal_pk, appeal__in=_own(user))
    except (Attachment.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


@dataclass(frozen=True)
class Step:
    kind: str
    label: str
    at: Any
    office: str
    note: str
    by_member: bool


def member_timeline(appeal: Appeal) -> list[Step]:
    """The appeal's steps as the member sees them: who of the office acted is not named, the office is."""
    events = (
        Event.objects.filter(appeal=appeal, kind__in=MEMBER_EVENTS)
        .select_related("office")
        .order_by("created_at", "pk")
    )
    return [
        Step(
            kind=event.kind,
            label=event.get_kind_display(),
            at=event.created_at,
            office=event.office.name if event.office_id and not event.by_member else "",
            note=event.note if event.kind in MEMBER_NOTES else "",
            by_member=event.by_member,
        )
        for event in events
    ]


def rating_of_round(appeal: Appeal, round_: int) -> Rating | None:
    return next((r for r in appeal.ratings.all() if r.round == round_), None)


# -- writing a new appeal ----------------------------------------------------------------------------------


def active_categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(is_active=True, office__is_active=True)
        .select_related("office")
        .order_by("office__sort_order", "office__name", "sort_order", "name")
    )


def category_groups() -> list[tuple[str, list[tuple[int, str]]]]:
    """The categories in use, grouped by their office (for a select with optgroups)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for category in active_categories():
        groups.setdefault(category.office.name, []).append((category.pk, category.name))
    return list(groups.items())


def route_suggestions(text: str, *, k: int = 3) -> list[dict[str, Any]]:
    """The router's best categories for what the member typed: [{category, office, confidence}], only
    categories still in use and at least 5 % likely; empty when the router cannot answer (never an error
    while typing)."""
    try:
        from smartunion.ai.services import routing as ai_routing

        prediction = ai_routing.suggest("appeals", text, k=k)
    except Exception:  # a missing or failing router must not break the page
        logger.exception("The appeals router could not suggest a category")
        return []
    pks = []
    for suggestion in prediction.suggestions:
        try:
            pks.append(int(suggestion.label))
        except (TypeError, ValueError):
            continue
    categories = {c.pk: c for c in active_categories().filter(pk__in=pks)}
    return [
        {
            "category": categories[int(s.label)],
            "office": categories[int(s.label)].office,
            "confidence": s.confidence,
        }
        for s in prediction.suggestions
        if str(s.label).isdigit() and int(s.label) in categories and is_shown(s.confidence)
    ]


# -- 常见问题 ------------------------------------------------------------------------------------------------


def _published() -> QuerySet[Appeal]:
    return Appeal.objects.filter(published_at__isnull=False).exclude(faq_question="")


def faq_list(*, query: str = "", category: int | None = None) -> QuerySet[Appeal]:
    """Published questions and answers, newest first; only their anonymised text and category are read."""
    faqs = (
        _published()
        .select_related("category")
        .only("pk", "faq_question", "faq_answer", "published_at", "category__name", "category__id")
    )
    if category:
        faqs = faqs.filter(category_id=category)
    for word in query.split()[:5]:
        faqs = faqs.filter(Q(faq_question__icontains=word) | Q(faq_answer__icontains=word))
    return faqs.order_by("-published_at", "-pk")


def faq_categories() -> list[Category]:
    """The categories that have published questions (the chips of the 常见问题 page)."""
    ids = _published().exclude(category=None).values("category_id")
    return list(Category.objects.filter(pk__in=ids).order_by("office__sort_order", "sort_order", "name"))


def faq_get(pk: Any) -> Appeal:
    try:
        return (
            _published()
            .select_related("category")
            .only("pk", "faq_question", "faq_answer", "published_at", "category__name", "category__id")
            .get(pk=pk)
        )
    except (Appeal.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def similar_faqs(text: str, *, limit: int = 3) -> list[tuple[Appeal, float]]:
    """Published questions like the text being written (the member may find the answer already)."""
    documents = [
        (pk, f"{question}\n{answer}")
        for pk, question, answer in _published().values_list("pk", "faq_question", "faq_answer")[:3000]
    ]
    if not documents or not text.strip():
        return []
    try:
        from smartunion.ai.services.similarity import rank_similar

        ranked = rank_similar(text, documents, limit=limit)
    except Exception:
        logger.exception("Similar questions could not be ranked")
        return []
    faqs = {faq.pk: faq for faq in faq_list().filter(pk__in=[pk for pk, _score in ranked])}
    return [(faqs[pk], score) for pk, score in ranked if pk in faqs]
