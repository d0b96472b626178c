"""Similar proposals: TF-IDF over jieba words and character bigrams, cosine similarity, over submitted
proposals of every session, cached by the state of the candidates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from smartunion.proposals.models import Proposal
from smartunion.proposals.services import similarity
from smartunion.proposals.services.similarity import similar_proposals, tokenize

from . import factories

pytestmark = pytest.mark.django_db
Status = Proposal.Status


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


PARKING = "关于增设东区教工停车位的提案"
CANTEEN = "关于改善第二食堂饭菜质量和价格的提案"
LIBRARY = "关于延长图书馆周末开放时间的建议"


def _make(
    session: Any, proposer: Any, *, reasons: str = "", suggestions: str = "", **kwargs: Any
) -> Proposal:
    proposal = factories.make_proposal(session, proposer, **kwargs)
    if reasons or suggestions:
        Proposal.objects.filter(pk=proposal.pk).update(reasons=reasons, suggestions=suggestions)
        proposal.refresh_from_db()
    return proposal


@pytest.fixture
def corpus(congress: Any) -> dict[str, Proposal]:
    past = factories.make_session(number=1, closed=True)
    make = _make
    return {
        "parking": make(
            past,
            congress.rep1,
            status=Status.CLOSED,
            lead=congress.logistics,
            title=PARKING,
        ),
        "canteen": make(
            congress.session,
            congress.rep2,
            status=Status.SUBMITTED,
            title=CANTEEN,
            reasons="第二食堂饭菜品种单一、价格偏高，教职工就餐满意度低，中午排队时间长。",
            suggestions="引入竞争机制，增加窗口和菜品，公开价格，定期开展满意度调查。",
        ),
        "library": make(
            congress.session,
            congress.rep3,
            status=Status.ACCEPTED,
            title=LIBRARY,
            reasons="图书馆周末下午五点闭馆，教师周末科研查阅资料不便。",
            suggestions="周末开放时间延长至晚上十点，增加自习座位。",
        ),
        "draft": make(
            congress.session, congress.rep4, status=Status.DRAFT, title="关于东区停车难的提案（草稿）"
        ),
    }


def test_tokenize_gives_words_and_bigrams() -> None:
    tokens = tokenize("增设停车位，方便教职工。")
    assert "停车位" in tokens or "停车" in tokens
    assert "2:停车" in tokens and "2:车位" in tokens
    assert "，" not in tokens and "的" not in tokens


def test_similar_finds_the_same_subject_across_sessions(corpus: dict[str, Proposal]) -> None:
    found = similar_proposals(text="东区停车位不足，建议增建立体停车场，规范停车管理")
    assert found, "the parking proposal is found"
    best, score = found[0]
    assert best == corpus["parking"]
    assert 0.2 <= score <= 1.0
    assert corpus["canteen"] not in [p for p, _ in found]


def test_drafts_are_never_candidates(corpus: dict[str, Proposal]) -> None:
    found = [p for p, _ in similar_proposals(text="关于东区停车难的提案（草稿）", min_score=0.0, limit=50)]
    assert corpus["draft"] not in found
    assert Proposal.objects.filter(status=Status.SEEKING_COSIGN).count() == 0 or all(
        p.status not in (Status.DRAFT, Status.SEEKING_COSIGN) for p in found
    )


def test_exclude_limit_and_threshold(corpus: dict[str, Proposal]) -> None:
    text = corpus["canteen"].title + corpus["canteen"].reasons
    assert similar_proposals(text=text)[0][0] == corpus["canteen"]
    assert corpus["canteen"] not in [
        p for p, _ in similar_proposals(text=text, exclude_pk=corpus["canteen"].pk)
    ]
    assert len(similar_proposals(text=text, limit=1, min_score=0.0)) == 1
    assert similar_proposals(text=text, min_score=1.01) == []
    scores = [score for _, score in similar_proposals(text=text, limit=10, min_score=0.0)]
    assert scores == sorted(scores, reverse=True)


def test_empty_text_or_corpus(congress: Any) -> None:
    assert similar_proposals(text="") == []
    assert similar_proposals(text="，。！") == []
    assert similar_proposals(text="停车位") == []  # no candidates at all


def test_fitted_matrix_is_cached_and_refreshed_on_change(
    corpus: dict[str, Proposal], django_assert_max_num_queries: Any, congress: Any
) -> None:
    similar_proposals(text="停车位")
    with django_assert_max_num_queries(2):  # the state aggregate + the hits; the matrix comes from the cache
        similar_proposals(text="食堂饭菜价格")
    # A new candidate changes the key: it is found at once.
    new = factories.make_proposal(
        congress.session, congress.rep4, status=Status.SUBMITTED, title="关于食堂增设清真窗口的提案"
    )
    assert new in [p for p, _ in similar_proposals(text="食堂清真窗口", min_score=0.1)]


def test_no_module_state(corpus: dict[str, Proposal]) -> None:
    """Nothing is kept in the module between calls: only Django's cache (shared by processes)."""
    similar_proposals(text="停车位")
    module_state = {
        name: value
        for name, value in vars(similarity).items()
        if not name.startswith("__") and isinstance(value, dict | list | set)
    }
    assert module_state == {}


def test_a_draft_withdrawn_before_submission_is_no_candidate(congress: Any) -> None:
    withdrawn = factories.make_proposal(
        congress.session, congress.rep1, status=Status.WITHDRAWN, title=PARKING
    )
    Proposal.objects.filter(pk=withdrawn.pk).update(submitted_at=None)  # withdrawn while a draft
    submitted = _make(congress.session, congress.rep2, status=Status.SUBMITTED, title=PARKING)
    found = [p for p, _ in similar_proposals(text=PARKING, min_score=0.0, limit=10)]
    assert found == [submitted]
