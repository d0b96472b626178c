"""Keywords and rising topics of a set of texts (诉求 of a month, of a unit …), for the trends.

TF-IDF in jieba's sense: a word's weight is the share of the texts that mention it (how widespread the
topic is, so one long letter cannot dominate) times its inverse document frequency in jieba's general
corpus (``jieba.analyse``'s IDF table, shipped with jieba: common words weigh little, topical ones much).
Stop words — function words and the boilerplate of letters to the union (老师, 学校, 希望, 问题, 请问 …) —
are dropped; the list is ``ai/data/stopwords_zh.txt`` in the repository, editable.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from smartunion.ai.text import jieba_tokenize

STOPWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "stopwords_zh.txt"
# Numbers, dates and times (2026年, 七点, 三楼 is kept: 楼 is no unit of time) say nothing of a topic.
_NUMBER = re.compile(r"^[0-9０-９.,，:：%％零〇一二两三四五六七八九十百千万半年月日号点分秒周天个次]+$")


@functools.cache
def stop_words() -> frozenset[str]:
    """The repository's stop-word list (read once per process; immutable)."""
    lines = STOPWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table and its median (for words it does not know). Loaded once; never written."""
    import jieba.analyse

    extractor = jieba.analyse.default_tfidf
    return extractor.idf_freq, extractor.median_idf


def words_of(text: str) -> set[str]:
    """The distinct keyword candidates of one text: jieba words of two characters or more, neither
    stop words nor numbers."""
    stop = stop_words()
    found = set()
    for token in jieba_tokenize(text or ""):
        word = token.strip().lower()
        if len(word) < 2 or word in stop or _NUMBER.match(word):
            continue
        found.add(word)
    return found


def _document_frequencies(texts: Iterable[str]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    n = 0
    for text in texts:
        if not text or not text.strip():
            continue
        n += 1
        counts.update(words_of(text))
    return counts, n


def top_keywords(texts: Sequence[str], *, k: int = 10) -> list[tuple[str, float]]:
    """The ``k`` most characteristic words of ``texts``, best first, as (word, weight): share of the
    texts mentioning the word × the word's IDF. Ties go to the more frequent, then alphabetical word."""
    counts, n = _document_frequencies(texts)
    if not n or k <= 0:
        return []
    idf, median = _idf()
    scored = [(word, (count / n) * idf.get(word, median), count) for word, count in counts.items()]
    scored.sort(key=lambda item: (-item[1], -item[2], item[0]))
    return [(word, round(weight, 4)) for word, weight, _count in scored[:k]]


def rising_keywords(
    current: Sequence[str], previous: Sequence[str], *, k: int = 10, min_count: int = 2
) -> list[dict[str, Any]]:
    """Topics whose share grew most from the previous period to the current one, best first: each
    {"word", "current", "previous", "growth"} where current/previous are the shares (0..1) of each
    period's texts that mention the word and growth is their difference (percentage points / 100).
    A word must be mentioned by at least ``min_count`` current texts (one letter is not a trend); a
    word absent before grows by its whole current share."""
    now, n_now = _document_frequencies(current)
    before, n_before = _document_frequencies(previous)
    if not n_now or k <= 0:
        return []
    idf, median = _idf()
    rows: list[dict[str, Any]] = []
    ranks: dict[str, tuple[float, float, str]] = {}
    for word, count in now.items():
        if count < min_count:
            continue
        share = count / n_now
        share_before = (before.get(word, 0) / n_before) if n_before else 0.0
        growth = share - share_before
        if growth <= 0:
            continue
        rows.append(
            {
                "word": word,
                "current": round(share, 4),
                "previous": round(share_before, 4),
                "growth": round(growth, 4),
            }
        )
        ranks[word] = (-growth, -idf.get(word, median), word)
    rows.sort(key=lambda row: ranks[row["word"]])
    return rows[:k]
