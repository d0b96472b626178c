"""Similar cases (相似案例): TF-IDF over jieba words and character bigrams, cosine similarity.

``rank_similar`` compares a query with any documents the caller gives (past appeals with their replies,
proposals of the staff congress …), so it knows nothing of the apps that own them (``ai`` imports no
domain app). Fully offline: jieba ships its dictionary and scikit-learn fits the vectoriser here.

Fitting is the slow part (segmenting every document), so the fitted vectoriser and the L2-normalised
document matrix are kept in Django's cache (shared by every process when the cache is Redis), keyed by a
hash of the documents' keys and text lengths: an unchanged set of documents is never refitted, and a new,
removed or edited document (its length changes) refits on the next call. Nothing lives in module state.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from django.core.cache import cache
from sklearn.feature_extraction.text import TfidfVectorizer

from smartunion.ai.text import jieba_tokenize

CACHE_PREFIX = "ai:similarity:v1"
CACHE_SECONDS = 24 * 3600

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORDLIKE = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Function words that say nothing about a case's subject (kept short: TF-IDF discounts the rest).
_STOPWORDS = frozenset(
    {
        *("的", "了", "和", "与", "及", "或", "是", "在", "对", "为", "把", "被", "将", "等", "也", "都"),
        *("就", "而", "并", "且", "以", "于", "从", "向", "让", "使", "其", "之", "这", "那", "有", "我"),
        *("我们", "你们", "请问", "希望", "能否", "可以", "是否", "一下", "什么", "怎么", "如何"),
    }
)


def tokenize(text: str) -> list[str]:
    """jieba words (lower-cased, punctuation and function words dropped) plus the character bigrams of
    every Chinese run, which catch the same subject written with different word boundaries (空调坏了 /
    空调 坏 了). Module-level so that the fitted vectoriser pickles into the cache."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    tokens = [
        word
        for word in (piece.strip() for piece in jieba_tokenize(text))
        if word and _WORDLIKE.search(word) and word not in _STOPWORDS
    ]
    for run in _CJK_RUN.findall(text):
        tokens.extend("2:" + run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def _cache_key(documents: Sequence[tuple[Hashable, str]]) -> str:
    digest = hashlib.sha256()
    for key, text in documents:
        digest.update(repr(key).encode())
        digest.update(b"\x1f")
        digest.update(str(len(text)).encode())
        digest.update(b"\x1e")
    return f"{CACHE_PREFIX}:{len(documents)}:{digest.hexdigest()}"


def _fitted(documents: Sequence[tuple[Hashable, str]]) -> tuple[list[Hashable], Any, Any] | None:
    """(keys, vectoriser, matrix) of the documents that have words, from the cache or fitted now; None
    when no document has any word to compare by."""
    key = _cache_key(documents)
    fitted = cache.get(key)
    if fitted is not None:
        return fitted if fitted != "empty" else None  # type: ignore[no-any-return]
    keys: list[Hashable] = []
    token_lists: list[list[str]] = []
    for doc_key, text in documents:
        tokens = tokenize(text) if text and text.strip() else []
        if tokens:  # an empty document can never be similar: leave it out of the matrix
            keys.append(doc_key)
            token_lists.append(tokens)
    if not token_lists:
        cache.set(key, "empty", CACHE_SECONDS)
        return None
    vectorizer = TfidfVectorizer(
        analyzer=_identity, lowercase=False, sublinear_tf=True, dtype=np.float32, norm="l2"
    )
    matrix = vectorizer.fit_transform(token_lists)
    fitted = (keys, vectorizer, matrix)
    cache.set(key, fitted, CACHE_SECONDS)
    return fitted


def _identity(tokens: list[str]) -> list[str]:
    """The vectoriser's analyser: documents arrive already tokenised (module-level so it pickles)."""
    return tokens


def rank_similar(
    query: str,
    documents: Sequence[tuple[Hashable, str]],
    *,
    limit: int = 5,
    min_score: float = 0.1,
) -> list[tuple[Hashable, float]]:
    """The documents most similar to ``query``, best first, as (key, cosine similarity in (0, 1]) with
    a score of at least ``min_score`` (and above 0). Empty documents and an empty query match nothing."""
    if limit <= 0 or not documents or not query or not query.strip():
        return []
    query_tokens = tokenize(query)
    if not query_tokens:
        return []
    fitted = _fitted(documents)
    if fitted is None:
        return []
    keys, vectorizer, matrix = fitted
    vector = vectorizer.transform([query_tokens])
    if not vector.nnz:
        return []
    scores = (matrix @ vector.T).toarray().ravel()
    floor = max(min_score, 1e-9)
    order = np.argsort(-scores, kind="stable")
    ranked: list[tuple[Hashable, float]] = []
    for index in order:
        score = float(scores[index])
        if score < floor:
            break
        ranked.append((keys[index], round(min(score, 1.0), 4)))
        if len(ranked) >= limit:
            break
    return ranked
