"""Similar cases: TF-IDF cosine over jieba words and character bigrams, cached by the documents."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from smartunion.ai.services import similarity
from smartunion.ai.services.similarity import rank_similar

DOCS = [
    ("canteen", "食堂早餐窗口开得太晚，希望提前到七点开放早餐窗口"),
    ("aircon", "实验楼三楼空调坏了一周，夏天上课太热，请尽快维修空调"),
    ("title", "职称评审的材料要求不清楚，副教授评审条件希望公开"),
    ("parking", "东区教工宿舍停车位不足，晚上车辆乱停"),
    ("gift", "工会中秋慰问品能否改成可选的提货券"),
]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def test_the_obvious_duplicate_ranks_first() -> None:
    ranked = rank_similar("三楼的空调坏了，上课太热，请维修", DOCS)
    assert ranked[0][0] == "aircon"
    score = ranked[0][1]
    assert 0 < score <= 1
    assert all(0 < s <= 1 for _key, s in ranked)
    assert [s for _key, s in ranked] == sorted((s for _key, s in ranked), reverse=True)


def test_an_identical_text_scores_one() -> None:
    ranked = rank_similar(DOCS[0][1], DOCS, limit=1)
    assert ranked == [("canteen", pytest.approx(1.0, abs=1e-3))]


def test_empty_documents_and_queries_are_ignored() -> None:
    docs = [("blank", ""), ("spaces", "   "), ("punct", "，。！"), *DOCS]
    ranked = rank_similar("食堂早餐", docs, limit=10, min_score=0.0)
    keys = [key for key, _score in ranked]
    assert "blank" not in keys and "spaces" not in keys and "punct" not in keys
    assert keys[0] == "canteen"
    assert rank_similar("", DOCS) == []
    assert rank_similar("   ", DOCS) == []
    assert rank_similar("食堂", []) == []
    assert rank_similar("食堂", [("a", ""), ("b", " ")]) == []


def test_limit_and_min_score() -> None:
    everything = rank_similar("空调 食堂 职称 停车 慰问品", DOCS, limit=10, min_score=0.0)
    assert len(everything) == 5
    assert len(rank_similar("空调 食堂 职称 停车 慰问品", DOCS, limit=2, min_score=0.0)) == 2
    assert rank_similar("空调 食堂", DOCS, limit=0) == []
    strict = rank_similar("空调 食堂 职称 停车 慰问品", DOCS, limit=10, min_score=0.99)
    assert strict == []
    # An unrelated text matches nothing above the default floor.
    assert rank_similar("天气预报说明天下雪", DOCS) == []


def test_the_fitted_matrix_is_cached_by_the_documents(monkeypatch: Any) -> None:
    calls = {"n": 0}
    real = similarity.tokenize

    def counting(text: str) -> list[str]:
        calls["n"] += 1
        return real(text)

    monkeypatch.setattr(similarity, "tokenize", counting)
    rank_similar("空调维修", DOCS)
    first = calls["n"]
    assert first == len(DOCS) + 1  # every document, then the query
    rank_similar("食堂早餐", DOCS)
    assert calls["n"] == first + 1  # only the query: the matrix came from the cache
    # A changed document (its length) refits.
    changed = [*DOCS[:-1], ("gift", DOCS[-1][1] + "，并增加生日蛋糕券")]
    assert rank_similar("生日蛋糕券", changed)[0][0] == "gift"
    assert calls["n"] == first + 1 + len(DOCS) + 1


def test_keys_may_be_any_hashable() -> None:
    docs = [(("appeal", 1), "食堂饭菜太咸"), (("proposal", 1), "食堂饭菜价格偏高")]
    ranked = rank_similar("食堂饭菜太咸了", docs)
    assert ranked[0][0] == ("appeal", 1)
