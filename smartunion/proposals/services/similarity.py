"""Similar proposals (相似提案): TF-IDF over jieba words and character bigrams, cosine similarity.

Shown to the proposer while writing (the portal) and to the committee while reviewing (the console), so
that a duplicate is noticed before it is filed or 立案'd. Fully offline: jieba ships its dictionary and
scikit-learn fits the vectoriser here; no model is downloaded.

The fitted vectoriser and the document matrix are kept in Django's cache (shared by every process when
the cache is Redis), keyed by the number of candidate proposals, their highest id and their last update
time: any change to a candidate refits on the next call, and nothing lives in module state that another
process would need. Segmenting is the slow part (jieba), so each candidate's tokens are cached too, under
its id and update time: a refit after one proposal changed segments that one text and refits the
vectoriser on the cached tokens (well under a second for thousands of proposals). A query then costs one
aggregate, one cache read and one fetch of the hits.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

import jieba
import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from sklearn.feature_extraction.text import TfidfVectorizer

from ..models import Proposal

jieba.setLogLevel(logging.WARNING)

Status = Proposal.Status
# Drafts and proposals still seeking co-signers are private to their authors: never candidates (nor a
# draft withdrawn before it was submitted).
EXCLUDED_STATUSES = (Status.DRAFT, Status.SEEKING_COSIGN)
CACHE_PREFIX = "proposals:similarity:v1"
CACHE_SECONDS = 24 * 3600
TOKENS_CACHE_SECONDS = 30 * 24 * 3600

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Function words that say nothing about a proposal's subject.
_STOPWORDS = frozenset(
    {
        *("的", "了", "和", "与", "及", "或", "是", "在", "对", "为", "把", "被", "将", "等", "也", "都"),
        *("就", "而", "并", "且", "以", "于", "从", "向", "让", "使", "其", "之", "这", "那", "有", "我"),
        *("我们", "学校", "建议", "提案", "关于", "进一步", "加强", "问题", "情况", "工作", "相关", "进行"),
        *("一些", "可以", "需要", "希望"),
    }
)


def tokenize(text: str) -> list[str]:
    """jieba words (lower-cased, punctuation and function words dropped) plus the character bigrams of
    every Chinese run, which catch the same subject written with different word boundaries."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    tokens = [
        word
        for word in (piece.strip() for piece in jieba.lcut(text))
        if word and _WORDLIKE.search(word) and word not in _STOPWORDS
    ]
    for run in _CJK_RUN.findall(text):
        tokens.extend("2:" + run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def document_of(proposal: Any) -> str:
    """The text a proposal is compared by: the title (counted twice: it names the subject), the reasons
    and the suggestions."""
    return " ".join(
        [proposal.title or "", proposal.title or "", proposal.reasons or "", proposal.suggestions or ""]
    )


def _candidates() -> QuerySet[Proposal]:
    """Proposals that were submitted (a draft withdrawn before submission never was)."""
    return Proposal.objects.filter(submitted_at__isnull=False).exclude(status__in=EXCLUDED_STATUSES)


def analyse(document: str | list[str]) -> list[str]:
    """The vectoriser's tokenizer: candidates arrive already tokenised (from the cache), queries as text."""
    return document if isinstance(document, list) else tokenize(document)


def _token_lists(rows: list[tuple[Any, ...]]) -> list[list[str]]:
    """The tokens of every candidate, each cached under its id and last update, so that a refit after
    one proposal changed segments that one text only."""
    keys = [f"{CACHE_PREFIX}:tokens:{pk}:{updated.timestamp():.6f}" for pk, updated, *_ in rows]
    cached = cache.get_many(keys)
    fresh: dict[str, list[str]] = {}
    lists = []
    for key, (_pk, _updated, title, reasons, suggestions) in zip(keys, rows, strict=True):
        tokens = cached.get(key)
        if tokens is None:
            tokens = fresh[key] = tokenize(f"{title} {title} {reasons} {suggestions}")
        lists.append(tokens)
    if fresh:
        cache.set_many(fresh, TOKENS_CACHE_SECONDS)
    return lists


def _fitted() -> tuple[list[int], Any, Any] | None:
    """(proposal ids, vectoriser, L2-normalised TF-IDF matrix) of every candidate, from the cache or
    fitted now; None when there is nothing to compare with."""
    state = _candidates().aggregate(count=Count("id"), top=Max("id"), last=Max("updated_at"))
    if not state["count"]:
        return None
    last = state["last"].timestamp() if state["last"] else 0
    key = f"{CACHE_PREFIX}:matrix:{state['count']}:{state['top']}:{last:.6f}"
    fitted = cache.get(key)
    if fitted is not None:
        return fitted  # type: ignore[no-any-return]
    rows = list(
        _candidates().order_by("pk").values_list("pk", "updated_at", "title", "reasons", "suggestions")
    )
    vectorizer = TfidfVectorizer(
        tokenizer=analyse, token_pattern=None, lowercase=False, sublinear_tf=True, dtype=np.float32
    )
    try:
        matrix = vectorizer.fit_transform(_token_lists(rows))
    except ValueError:  # every candidate is empty of words: nothing to compare
        return None
    fitted = ([row[0] for row in rows], vectorizer, matrix)
    cache.set(key, fitted, CACHE_SECONDS)
    return fitted


def similar_proposals(
    *, text: str, exclude_pk: int | None = None, limit: int = 5, min_score: float = 0.2
) -> list[tuple[Proposal, float]]:
    """The submitted proposals (of every session, any status past 寻附议) most similar to ``text``, best
    first, as (proposal, cosine similarity in 0..1) with a score of at least ``min_score``. The caller
    filters what its user may see (the portal keeps only the board's and the user's own)."""
    if not text or not tokenize(text) or limit <= 0:
        return []
    fitted = _fitted()
    if fitted is None:
        return []
    ids, vectorizer, matrix = fitted
    query = vectorizer.transform([text])
    if not query.nnz:
        return []
    scores = (matrix @ query.T).toarray().ravel()
    ranked = sorted(
        (
            (float(score), pk)
            for pk, score in zip(ids, scores, strict=True)
            if score >= min_score and pk != exclude_pk
        ),
        reverse=True,
    )[:limit]
    if not ranked:
        return []
    proposals = Proposal.objects.select_related(
        "session__congress", "proposer__person", "category__parent", "suggested_office"
    ).in_bulk([pk for _, pk in ranked])
    return [(proposals[pk], round(score, 4)) for score, pk in ranked if pk in proposals]
