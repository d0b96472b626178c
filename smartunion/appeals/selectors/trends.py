"""Trends of the appeals (诉求趋势) for the union office: what members raise, month by month and unit by
unit, which topics are rising, and how each handling office performs.

Definitions (shown on the page too):
* the period is the last 6 or 12 calendar months, this month included; appeals count by the month they
  were submitted (Asia/Shanghai); withdrawn appeals count (they still say what members raise);
* keywords: jieba TF-IDF of the appeals' subjects and details (``ai.services.keywords``) with the
  repository's stop words; the handling offices' names and short names (and their words: 人事处, 后勤)
  are left out, as the figures by office already show them; rising topics: keywords whose share of the
  appeals grew most against the previous period of the same length;
* per unit: the member's unit when the appeal was submitted (``Appeal.unit``), anonymous appeals left
  out (a unit's keywords would tell what its anonymous members raised; they still count per month,
  category and office). A unit is shown only with at least ``UNIT_MIN_APPEALS`` appeals in the period:
  smaller counts (and their keywords) could point to a member;
* per office (the office the appeal is routed to now): acknowledged on time = acknowledged by the
  acknowledgement deadline / (acknowledged + still unacknowledged past it); replied on time likewise
  with the reply deadline; satisfaction = (满意 + 基本满意) / rated appeals, an appeal's rating being its
  latest one (after a reopening, the second).

Three queries whatever the number of appeals (the appeals of both periods, their ratings, the offices'
names). Keywords are the
slow part (segmenting every text), so they are kept in Django's cache under a hash of the appeals'
ids and text lengths and the period: the page recomputes them only when an appeal came or changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.ai.services.keywords import rising_keywords, top_keywords, words_of
from smartunion.organisations import selectors_offices

from ..models import Appeal, Rating

PERIODS = (6, 12)
DEFAULT_PERIOD = 6
UNIT_MIN_APPEALS = 5
MONTH_KEYWORDS = 8
UNIT_KEYWORDS = 6
TOP_KEYWORDS = 20
RISING_KEYWORDS = 10
CACHE_PREFIX = "appeals:trends:v3"
CACHE_SECONDS = 24 * 3600
SATISFIED = (Rating.Score.SATISFIED, Rating.Score.BASICALLY)
OPEN = tuple(Appeal.OPEN_STATUSES)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    def __str__(self) -> str:
        percent = self.percent
        return "—" if percent is None else f"{percent:.1f}%"


@dataclass
class Series:
    """Counts of one category or office, one per month of the period."""

    key: Any
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class UnitRow:
    unit_id: int
    name: str
    count: int
    keywords: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class OfficeRow:
    office_id: int
    name: str
    count: int
    acknowledged: Rate
    replied: Rate
    satisfaction: Rate


@dataclass
class Trends:
    months: list[dt.date]  # first day of each month of the period, oldest first
    start: dt.date
    today: dt.date
    previous_start: dt.date
    total: int
    previous_total: int
    per_month: list[int]
    by_category: list[Series]
    by_office: list[Series]
    units: list[UnitRow]
    hidden_units: int  # units with appeals but below the threshold
    hidden_appeals: int  # their appeals together
    keywords: list[tuple[str, float]]
    keywords_by_month: list[tuple[dt.date, list[tuple[str, float]]]]
    rising: list[dict[str, Any]]
    offices: list[OfficeRow]
    unit_threshold: int = UNIT_MIN_APPEALS

    @property
    def rising_words(self) -> set[str]:
        return {row["word"] for row in self.rising}


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + (day.month - 1) - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _text(row: dict[str, Any]) -> str:
    return f"{row['title']}\n{row['body']}"


def _unit_name(row: dict[str, Any]) -> str:
    """A group's name alone is ambiguous (every college has a 第一工会小组): below the second level the
    parent's name comes first."""
    name = row["unit__name"] or ""
    if row["unit__parent__parent_id"] and row["unit__parent__name"]:
        return f"{row['unit__parent__name']} / {name}"
    return name


def _on_time(rows: list[dict[str, Any]], due_field: str, done_field: str, today: dt.date) -> Rate:
    on_time = counted = 0
    for row in rows:
        due = row[due_field]
        if due is None:
            continue
        done = _local_date(row[done_field])
        if done is not None:
            counted += 1
            on_time += done <= due
        elif row["status"] in OPEN and due < today:
            counted += 1  # still waiting past its deadline: late already
    return Rate(on_time, counted)


def office_words() -> frozenset[str]:
    """The words that name a handling office (its name, short name and their jieba words, lower case):
    not topics, so never keywords."""
    words: set[str] = set()
    for name, short_name in selectors_offices.office_list(active_only=False).values_list(
        "name", "short_name"
    ):
        for text in (name, short_name):
            text = (text or "").strip().lower()
            if text:
                words.add(text)
                words.update(words_of(text))
    return frozenset(words)


def _without(rows: list[Any], excluded: frozenset[str], k: int, word: Any) -> list[Any]:
    return [row for row in rows if word(row) not in excluded][:k]


def _keywords(
    current: list[dict[str, Any]],
    previous: list[dict[str, Any]],
    months: list[dt.date],
    month_of: dict[int, dt.date],
    shown_units: list[int],
) -> dict[str, Any]:
    """The keyword figures, from the cache when the appeals have not changed."""
    digest = hashlib.sha256()
    for row in (*current, None, *previous):
        digest.update(
            b"|"
            if row is None
            else f"{row['pk']}:{len(row['title'])}:{len(row['body'])}:{row['is_anonymous']:d};".encode()
        )
    digest.update(",".join(m.isoformat() for m in months).encode())
    digest.update(",".join(map(str, shown_units)).encode())
    excluded = office_words()
    digest.update(",".join(sorted(excluded)).encode())
    key = f"{CACHE_PREFIX}:{digest.hexdigest()}"
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    texts_by_month: dict[dt.date, list[str]] = defaultdict(list)
    texts_by_unit: dict[int, list[str]] = defaultdict(list)
    for row in current:
        texts_by_month[month_of[row["pk"]]].append(_text(row))
        if not row["is_anonymous"]:
            texts_by_unit[row["unit_id"]].append(_text(row))
    current_texts = [_text(row) for row in current]
    # A word's rank does not depend on the other words: asking for as many more as there are excluded
    # words and dropping those gives the best k of the rest.
    extra = len(excluded)

    def top(texts: list[str], k: int) -> list[tuple[str, float]]:
        return _without(top_keywords(texts, k=k + extra), excluded, k, lambda row: row[0])

    rising = rising_keywords(current_texts, [_text(row) for row in previous], k=RISING_KEYWORDS + extra)
    result = {
        "overall": top(current_texts, TOP_KEYWORDS),
        "by_month": {month: top(texts_by_month[month], MONTH_KEYWORDS) for month in months},
        "by_unit": {unit: top(texts_by_unit[unit], UNIT_KEYWORDS) for unit in shown_units},
        "rising": _without(rising, excluded, RISING_KEYWORDS, lambda row: row["word"]),
    }
    cache.set(key, result, CACHE_SECONDS)
    return result


def trends(*, months: int = DEFAULT_PERIOD, today: dt.date | None = None) -> Trends:
    """The trends of the last ``months`` calendar months (6 or 12) up to ``today``."""
    if months not in PERIODS:
        months = DEFAULT_PERIOD
    today = today or timezone.localdate()
    start = _month_start(today, months - 1)
    previous_start = _month_start(today, 2 * months - 1)
    month_list = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    end = _aware(_month_start(today, -1))
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Appeal.objects.filter(created_at__gte=_aware(previous_start), created_at__lt=end)
        .order_by("pk")
        .values(
            "pk",
            "created_at",
            "title",
            "body",
            "status",
            "is_anonymous",
            "unit_id",
            "unit__name",
            "unit__parent__name",
            "unit__parent__parent_id",
            "category_id",
            "category__name",
            "office_id",
            "office__name",
            "acknowledge_due",
            "acknowledged_at",
            "reply_due",
            "replied_at",
        )
    ]
    month_of: dict[int, dt.date] = {}
    current: list[dict[str, Any]] = []
    previous: list[dict[str, Any]] = []
    for row in rows:
        day = _local_date(row["created_at"])
        assert day is not None
        if day >= start:
            month_of[row["pk"]] = _month_start(day)
            current.append(row)
        else:
            previous.append(row)
    index = {month: i for i, month in enumerate(month_list)}

    per_month = [0] * months
    categories: dict[Any, Series] = {}
    offices_series: dict[Any, Series] = {}
    unit_counts: Counter[int] = Counter()
    unit_names: dict[int, str] = {}
    for row in current:
        i = index[month_of[row["pk"]]]
        per_month[i] += 1
        category = categories.setdefault(
            row["category_id"],
            Series(row["category_id"], row["category__name"] or _("Not routed yet"), [0] * months),
        )
        category.counts[i] += 1
        office = offices_series.setdefault(
            row["office_id"],
            Series(row["office_id"], row["office__name"] or _("Not routed yet"), [0] * months),
        )
        office.counts[i] += 1
        if row["unit_id"] is not None and not row["is_anonymous"]:
            unit_counts[row["unit_id"]] += 1
            unit_names[row["unit_id"]] = _unit_name(row)

    shown = sorted(
        (unit for unit, count in unit_counts.items() if count >= UNIT_MIN_APPEALS),
        key=lambda unit: (-unit_counts[unit], unit_names[unit]),
    )
    hidden = [unit for unit in unit_counts if unit_counts[unit] < UNIT_MIN_APPEALS]
    words = _keywords(current, previous, month_list, month_of, shown)

    # Per office: the appeals of the period routed to it now, with their latest ratings.
    latest: dict[int, tuple[int, str]] = {}
    if current:
        for rating in (
            Rating.objects.filter(appeal__created_at__gte=_aware(start), appeal__created_at__lt=end)
            .order_by()
            .values("appeal_id", "round", "score")
        ):
            known = latest.get(rating["appeal_id"])
            if known is None or rating["round"] > known[0]:
                latest[rating["appeal_id"]] = (rating["round"], rating["score"])
    by_office: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in current:
        if row["office_id"] is not None:
            by_office[row["office_id"]].append(row)
    office_rows = []
    for office_id, office_appeals in by_office.items():
        scores = [latest[row["pk"]][1] for row in office_appeals if row["pk"] in latest]
        office_rows.append(
            OfficeRow(
                office_id=office_id,
                name=office_appeals[0]["office__name"],
                count=len(office_appeals),
                acknowledged=_on_time(office_appeals, "acknowledge_due", "acknowledged_at", today),
                replied=_on_time(office_appeals, "reply_due", "replied_at", today),
                satisfaction=Rate(sum(score in SATISFIED for score in scores), len(scores)),
            )
        )
    office_rows.sort(key=lambda row: (-row.count, row.name))

    def ordered(series: dict[Any, Series]) -> list[Series]:
        # Most appeals first; "not routed yet" last.
        return sorted(series.values(), key=lambda s: (s.key is None, -s.total, s.name))

    return Trends(
        months=month_list,
        start=start,
        today=today,
        previous_start=previous_start,
        total=len(current),
        previous_total=len(previous),
        per_month=per_month,
        by_category=ordered(categories),
        by_office=ordered(offices_series),
        units=[
            UnitRow(unit, unit_names[unit], unit_counts[unit], words["by_unit"].get(unit, []))
            for unit in shown
        ],
        hidden_units=len(hidden),
        hidden_appeals=sum(unit_counts[unit] for unit in hidden),
        keywords=words["overall"],
        keywords_by_month=[(month, words["by_month"].get(month, [])) for month in month_list],
        rising=words["rising"],
        offices=office_rows,
    )
