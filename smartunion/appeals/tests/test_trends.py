"""The trends figures on constructed appeals: counts per month, per unit (with the anonymity threshold),
keywords and rising topics, and each office's on-time and satisfaction rates."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from smartunion.appeals.models import Appeal, Rating
from smartunion.appeals.selectors import trends as selectors

from . import factories

pytestmark = pytest.mark.django_db
Status = Appeal.Status
TODAY = dt.date(2026, 3, 16)


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def put(appeal: Appeal, **fields: Any) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(**fields)
    appeal.refresh_from_db()
    return appeal


@pytest.fixture
def stage(tree: SimpleNamespace) -> SimpleNamespace:
    taxonomy = factories.make_taxonomy()
    member_a = factories.make_member(tree.a)
    member_b = factories.make_member(tree.b)
    canteen, repair = taxonomy["食堂餐饮"], taxonomy["维修报修"]
    # January 2026: two canteen appeals of unit A. One acknowledged and answered on time, the other late.
    on_time = put(
        factories.make_appeal(member_a, status=Status.CLOSED, category=canteen, title="食堂早餐太贵"),
        created_at=at(2026, 1, 5),
        acknowledge_due=dt.date(2026, 1, 7),
        acknowledged_at=at(2026, 1, 7, 18),
        reply_due=dt.date(2026, 1, 19),
        replied_at=at(2026, 1, 12),
    )
    late = put(
        factories.make_appeal(member_a, status=Status.REPLIED, category=canteen, title="食堂饭菜变少"),
        created_at=at(2026, 1, 20),
        acknowledge_due=dt.date(2026, 1, 22),
        acknowledged_at=at(2026, 1, 26),
        reply_due=dt.date(2026, 2, 3),
        replied_at=at(2026, 2, 10),
    )
    # March 2026: a repair appeal still unacknowledged past its deadline (late already, not replied yet) …
    waiting = put(
        factories.make_appeal(member_a, status=Status.ROUTED, category=repair, title="空调坏了"),
        created_at=at(2026, 3, 2),
        acknowledge_due=dt.date(2026, 3, 4),
        reply_due=dt.date(2026, 3, 30),
    )
    # … and appeals of unit A and B waiting for triage (no office).
    for i in range(2):
        put(
            factories.make_appeal(member_a, title=f"空调漏水{i}", body="办公室空调漏水"),
            created_at=at(2026, 3, 9),
        )
    for i in range(4):
        put(
            factories.make_appeal(member_b, title=f"宿舍空调{i}", body="宿舍空调不制冷"),
            created_at=at(2026, 3, 10),
        )
    # Ratings: the first appeal was rated 不满意, reopened and then rated 基本满意 (its latest); the other 不满意.
    Rating.objects.create(appeal=on_time, round=1, score=Rating.Score.UNSATISFIED)
    Rating.objects.create(appeal=on_time, round=2, score=Rating.Score.BASICALLY)
    Rating.objects.create(appeal=late, round=1, score=Rating.Score.UNSATISFIED)
    # The previous period (Apr–Sep 2025): canteen topics; and one appeal long before, counted nowhere.
    for i in range(3):
        put(
            factories.make_appeal(member_a, title=f"食堂排队{i}", body="食堂午餐排队太长"),
            created_at=at(2025, 6, 3),
        )
    put(factories.make_appeal(member_a, title="很久以前", body="空调"), created_at=at(2024, 1, 3))
    return SimpleNamespace(
        taxonomy=taxonomy, a=member_a, b=member_b, on_time=on_time, late=late, waiting=waiting
    )


def test_counts_per_month_category_and_office(stage: SimpleNamespace) -> None:
    data = selectors.trends(months=6, today=TODAY)
    assert [m.isoformat() for m in data.months] == [
        "2025-10-01",
        "2025-11-01",
        "2025-12-01",
        "2026-01-01",
        "2026-02-01",
        "2026-03-01",
    ]
    assert data.total == 9 and data.previous_total == 3
    assert data.per_month == [0, 0, 0, 2, 0, 7]
    by_category = {s.name: s.counts for s in data.by_category}
    assert by_category["食堂餐饮"] == [0, 0, 0, 2, 0, 0]
    assert by_category["维修报修"] == [0, 0, 0, 0, 0, 1]
    assert by_category["Not routed yet"] == [0, 0, 0, 0, 0, 6]
    assert data.by_category[-1].key is None  # "not routed yet" comes last
    by_office = {s.name: s.total for s in data.by_office}
    assert by_office == {"后勤管理处": 3, "Not routed yet": 6}


def test_twelve_months_reach_the_previous_period(stage: SimpleNamespace) -> None:
    data = selectors.trends(months=12, today=TODAY)
    assert data.months[0] == dt.date(2025, 4, 1)
    assert data.total == 12 and data.previous_total == 0
    assert data.per_month[2] == 3  # June 2025


def test_an_unknown_period_falls_back_to_six_months(stage: SimpleNamespace) -> None:
    assert len(selectors.trends(months=7, today=TODAY).months) == 6


def test_office_on_time_and_satisfaction_rates(stage: SimpleNamespace) -> None:
    data = selectors.trends(months=6, today=TODAY)
    [office] = data.offices
    assert office.name == "后勤管理处" and office.count == 3
    # Acknowledged: on time (same day), late, and one still waiting past its deadline → 1 / 3.
    assert (office.acknowledged.numerator, office.acknowledged.denominator) == (1, 3)
    assert str(office.acknowledged) == "33.3%"
    # Replied: on time and late; the waiting one's reply deadline has not passed → 1 / 2.
    assert (office.replied.numerator, office.replied.denominator) == (1, 2)
    # Satisfaction: latest ratings 基本满意 and 不满意 → 1 / 2.
    assert (office.satisfaction.numerator, office.satisfaction.denominator) == (1, 2)
    assert office.satisfaction.percent == 50.0


def test_an_unrated_office_shows_a_dash(stage: SimpleNamespace) -> None:
    Rating.objects.all().delete()
    [office] = selectors.trends(months=6, today=TODAY).offices
    assert office.satisfaction.denominator == 0 and str(office.satisfaction) == "—"


def test_a_unit_is_shown_only_from_five_appeals(stage: SimpleNamespace, tree: SimpleNamespace) -> None:
    data = selectors.trends(months=6, today=TODAY)
    # Unit A: 5 appeals in the period; unit B: 4 — not shown, counted only as "fewer".
    assert [(u.name, u.count) for u in data.units] == [("机械工程学院", 5)]
    assert data.hidden_units == 1 and data.hidden_appeals == 4
    unit_words = [word for word, _weight in data.units[0].keywords]
    assert "食堂" in unit_words and "空调" in unit_words and "七点" not in unit_words
    put(factories.make_appeal(stage.b, title="宿舍空调", body="宿舍空调不制冷"), created_at=at(2026, 3, 11))
    data = selectors.trends(months=6, today=TODAY)
    assert sorted((u.name, u.count) for u in data.units) == [("外国语学院", 5), ("机械工程学院", 5)]
    assert data.hidden_units == 0


def test_anonymous_appeals_are_left_out_of_the_units(stage: SimpleNamespace) -> None:
    # Five anonymous appeals of unit B (which has four named ones) and one of unit A, all about parking.
    for member in [stage.b] * 5 + [stage.a]:
        put(
            factories.make_appeal(member, title="停车位不够", body="停车位太少，停车难", anonymous=True),
            created_at=at(2026, 3, 12),
        )
    data = selectors.trends(months=6, today=TODAY)
    # Unit B stays below the threshold and unit A keeps its five named appeals and their keywords only …
    assert [(u.name, u.count) for u in data.units] == [("机械工程学院", 5)]
    assert data.hidden_units == 1 and data.hidden_appeals == 4
    assert "停车位" not in [word for word, _weight in data.units[0].keywords]
    # … while the anonymous appeals still count per month, category and office, and in the keywords.
    assert data.total == 15 and data.per_month[-1] == 13
    assert {s.name: s.total for s in data.by_category}["Not routed yet"] == 12
    assert "停车位" in [word for word, _weight in data.keywords]


def test_keywords_and_rising_topics(stage: SimpleNamespace) -> None:
    data = selectors.trends(months=6, today=TODAY)
    assert data.keywords[0][0] == "空调"  # 7 of the 9 appeals
    march = dict(data.keywords_by_month)[dt.date(2026, 3, 1)]
    assert march[0][0] == "空调"
    assert dict(data.keywords_by_month)[dt.date(2025, 12, 1)] == []
    rising = {row["word"]: row for row in data.rising}
    assert rising["空调"]["previous"] == 0.0 and rising["空调"]["current"] == pytest.approx(7 / 9, abs=1e-4)
    assert "食堂" not in rising  # 3 of 3 before, 2 of 9 now
    assert "空调" in data.rising_words


def test_office_names_and_generic_words_are_no_keywords(stage: SimpleNamespace) -> None:
    office = stage.taxonomy["职称评审"].office  # 人事处
    office.short_name = "人事"
    office.save(update_fields=["short_name"])
    for i in range(3):
        put(
            factories.make_appeal(
                stage.b, title=f"职称评审{i}", body="希望人事处增加职称评审名额，提前安排答辩，统一评审标准"
            ),
            created_at=at(2026, 3, 12),
        )
    data = selectors.trends(months=6, today=TODAY)
    words = [word for word, _weight in data.keywords]
    assert "职称" in words and "评审" in words
    rising = [row["word"] for row in data.rising]
    shown = {*words, *rising, *(w for _m, month in data.keywords_by_month for w, _weight in month)}
    for word in ("人事处", "人事", "后勤管理处", "增加", "标准", "提前", "安排"):
        assert word not in shown, word
    # Up to the usual number of keywords still (the excluded words do not leave gaps).
    assert len(data.keywords) == min(selectors.TOP_KEYWORDS, len(set(words)))


def test_keywords_are_cached_until_an_appeal_changes(stage: SimpleNamespace, monkeypatch: Any) -> None:
    selectors.trends(months=6, today=TODAY)
    calls = {"n": 0}
    real = selectors.top_keywords

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "top_keywords", counting)
    selectors.trends(months=6, today=TODAY)
    assert calls["n"] == 0
    put(stage.waiting, body="空调坏了，办公室很热，请尽快维修")
    selectors.trends(months=6, today=TODAY)
    assert calls["n"] > 0


def test_no_appeals(db: Any) -> None:
    data = selectors.trends(months=6, today=TODAY)
    assert data.total == 0 and data.per_month == [0] * 6
    assert data.by_category == [] and data.units == [] and data.offices == []
    assert data.keywords == [] and data.rising == []


def test_two_queries_whatever_the_number_of_appeals(
    stage: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):  # the appeals, their ratings, the offices' names
        selectors.trends(months=6, today=TODAY)
