"""Keywords and rising topics of a set of texts."""

from __future__ import annotations

import pytest

from smartunion.ai.services.keywords import rising_keywords, stop_words, top_keywords, words_of

TEXTS = [
    "老师您好，食堂早餐太贵，希望学校解决这个问题",
    "请问食堂早餐能否提前开放",
    "食堂饭菜口味差，希望改进",
    "实验楼空调坏了，请尽快维修",
    "停车位不足的问题希望学校重视",
]


def test_the_stop_word_list_holds_the_boilerplate() -> None:
    words = stop_words()
    for word in ("老师", "学校", "希望", "问题", "请问", "的"):
        assert word in words


def test_stop_words_are_skipped() -> None:
    found = {word for word, _weight in top_keywords(TEXTS, k=50)}
    for word in ("老师", "学校", "希望", "问题", "请问", "您好"):
        assert word not in found
    assert not words_of("老师您好，请问学校希望的问题") - {"您好"} or "您好" not in stop_words()


def test_frequent_topical_words_rank_first() -> None:
    top = top_keywords(TEXTS, k=3)
    assert top[0][0] == "食堂"
    assert "早餐" in [word for word, _weight in top]
    weights = [weight for _word, weight in top]
    assert weights == sorted(weights, reverse=True) and all(w > 0 for w in weights)
    assert len(top_keywords(TEXTS, k=2)) == 2


def test_numbers_and_single_characters_are_no_keywords() -> None:
    words = words_of("2026年3月 空调 坏 了 12 次，每天七点")
    assert "空调" in words
    assert not {"2026", "12", "坏", "了", "七点", "每天"} & words


def test_empty_input() -> None:
    assert top_keywords([]) == []
    assert top_keywords(["", "  "]) == []
    assert rising_keywords([], ["食堂早餐"]) == []


def test_rising_computes_the_growth_of_shares() -> None:
    # Current period: 4 texts; 空调 in 3 (75 %), 食堂 in 2 (50 %), 停车 in 1.
    current = ["空调坏了", "空调漏水", "空调太吵，食堂太远", "食堂早餐贵，停车位少"]
    # Previous period: 5 texts; 空调 in 1 (20 %), 食堂 in 4 (80 %).
    previous = ["空调不制冷", "食堂早餐", "食堂饭菜", "食堂排队", "食堂卫生"]
    rising = rising_keywords(current, previous, k=10)
    assert rising[0] == {"word": "空调", "current": 0.75, "previous": 0.2, "growth": 0.55}
    words = [row["word"] for row in rising]
    assert "食堂" not in words  # its share fell (80 % → 50 %)
    assert "停车位" not in words  # one text is not a trend (min_count=2)
    assert rising_keywords(current, previous, k=10, min_count=1)[0]["word"] == "空调"
    one = {row["word"]: row for row in rising_keywords(current, previous, k=10, min_count=1)}
    assert one["停车位"] == {"word": "停车位", "current": 0.25, "previous": 0.0, "growth": 0.25}


def test_rising_without_a_previous_period_grows_by_the_whole_share() -> None:
    rising = rising_keywords(["空调坏了", "空调漏水"], [], k=5)
    assert rising[0] == {"word": "空调", "current": 1.0, "previous": 0.0, "growth": 1.0}


@pytest.mark.parametrize("k", [0, -1])
def test_k_zero(k: int) -> None:
    assert top_keywords(TEXTS, k=k) == []
    assert rising_keywords(TEXTS, [], k=k) == []
