"""Results services: only judges score (their own, until published), the ranking (mean, ties share a rank),
publishing and taking back, ranks and awards entered by the organiser, the summary and its photos."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smartunion.activities.models import Activity, Kind, Photo, Registration, Result, Score
from smartunion.activities.selectors import results as selectors
from smartunion.activities.services import results as services
from smartunion.core.models import AuditEntry

from .checkin_support import register, running_activity

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


@pytest.fixture
def contest(tree: Any, make_user: Any, make_person: Any) -> Any:
    organiser = make_user("union_staff", tree.root, name="赛事组织者")
    activity = running_activity(
        unit=tree.root, actor=organiser, kind=Kind.COMPETITION, title="青年教师教学竞赛"
    )
    judges = [make_user(name=f"评委{n}") for n in range(1, 4)]
    activity.judges.add(*judges)
    entries = [
        register(activity, make_person(tree.a, name=name), by=organiser) for name in ("甲", "乙", "丙", "丁")
    ]
    return organiser, activity, judges, entries


def _score(activity: Activity, judge: Any, values: dict[Registration, str]) -> None:
    services.scores_save(actor=judge, activity=activity, scores={r.pk: v for r, v in values.items()})


def test_only_judges_score_and_each_their_own(contest: Any, make_user: Any) -> None:
    organiser, activity, judges, entries = contest
    for outsider in (organiser, make_user()):
        with pytest.raises(PermissionDenied):
            services.scores_save(actor=outsider, activity=activity, scores={entries[0].pk: "90"})
    _score(activity, judges[0], {entries[0]: "90", entries[1]: "85.5"})
    _score(activity, judges[1], {entries[0]: "80"})
    assert selectors.scores_of_judge(activity, judges[0]) == {
        entries[0].pk: Decimal("90.00"),
        entries[1].pk: Decimal("85.50"),
    }
    assert selectors.scores_of_judge(activity, judges[1]) == {entries[0].pk: Decimal("80.00")}
    # A judge changes a score, and clears one.
    assert (
        services.scores_save(
            actor=judges[0], activity=activity, scores={entries[0].pk: "92", entries[1].pk: ""}
        )
        == 2
    )
    assert selectors.scores_of_judge(activity, judges[0]) == {entries[0].pk: Decimal("92.00")}
    assert Score.objects.filter(judge=judges[1]).get().score == Decimal("80.00")  # untouched
    assert AuditEntry.objects.filter(action="activities.scores.saved").count() == 3


@pytest.mark.parametrize("bad", ["abc", "-1", "1000", "NaN"])
def test_bad_scores_are_refused_and_nothing_is_written(contest: Any, bad: str) -> None:
    _organiser, activity, judges, entries = contest
    with pytest.raises(ValidationError):
        services.scores_save(
            actor=judges[0], activity=activity, scores={entries[0].pk: "90", entries[1].pk: bad}
        )
    assert not Score.objects.exists()


def test_scores_of_entries_not_confirmed_or_elsewhere_are_refused(
    contest: Any, tree: Any, make_person: Any
) -> None:
    organiser, activity, judges, _entries = contest
    waiting = register(activity, make_person(tree.a), by=organiser, status=Registration.Status.WAITLISTED)
    with pytest.raises(ValidationError, match="not a confirmed entry"):
        services.scores_save(actor=judges[0], activity=activity, scores={waiting.pk: "90"})
    assert not Score.objects.exists()


def test_ranking_is_the_mean_and_ties_share_a_rank(contest: Any) -> None:
    _organiser, activity, judges, (a, b, c, d) = contest
    _score(activity, judges[0], {a: "90", b: "88", c: "88", d: "70"})
    _score(activity, judges[1], {a: "92", b: "90", c: "90"})
    _score(activity, judges[2], {a: "91", b: "89", c: "89"})
    ranking = selectors.ranking(activity)
    assert [(line.registration.person.name, line.rank, line.mean) for line in ranking] == [
        ("甲", 1, Decimal("91.00")),
        ("乙", 2, Decimal("89.00")),
        ("丙", 2, Decimal("89.00")),
        ("丁", 4, Decimal("70.00")),
    ]


def test_unscored_entries_come_last_without_a_rank(contest: Any) -> None:
    _organiser, activity, judges, (a, b, _c, _d) = contest
    _score(activity, judges[0], {b: "60"})
    ranking = selectors.ranking(activity)
    assert (ranking[0].registration, ranking[0].rank) == (b, 1)
    assert all(line.rank is None and line.mean is None for line in ranking[1:])
    assert a in [line.registration for line in ranking[1:]]


def test_publish_writes_results_with_awards_and_locks_the_scores(contest: Any) -> None:
    organiser, activity, judges, (a, b, c, d) = contest
    with pytest.raises(ValidationError, match="No entry has a score"):
        services.results_publish(actor=organiser, activity=activity)
    _score(activity, judges[0], {a: "95", b: "90", c: "90", d: "80"})
    with pytest.raises(PermissionDenied):
        services.results_publish(actor=judges[0], activity=activity)
    services.results_publish(
        actor=organiser,
        activity=activity,
        manual={
            a.pk: services.Manual(rank=None, award="一等奖"),
            b.pk: services.Manual(rank=None, award="二等奖"),
        },
    )
    assert selectors.is_published(activity)
    first = selectors.result_of(a)
    assert first is not None
    assert (first.rank, first.award, first.score) == (1, "一等奖", Decimal("95.00"))
    third = selectors.result_of(c)
    assert third is not None and third.rank == 2 and third.award == ""
    with pytest.raises(ValidationError, match="published"):
        _score(activity, judges[0], {a: "10"})
    assert Score.objects.get(registration=a, judge=judges[0]).score == Decimal("95.00")
    # Taking back needs a reason, then the judges may score again and publishing replaces the results.
    with pytest.raises(ValidationError):
        services.results_withdraw(actor=organiser, activity=activity, reason=" ")
    assert services.results_withdraw(actor=organiser, activity=activity, reason="评分录入有误") == 4
    assert selectors.result_of(a) is None
    _score(activity, judges[0], {d: "99"})
    services.results_publish(actor=organiser, activity=activity)
    winner = selectors.result_of(d)
    assert winner is not None and winner.rank == 1
    assert Result.objects.count() == 4
    assert AuditEntry.objects.filter(action="activities.results.published").count() == 2
    assert AuditEntry.objects.filter(action="activities.results.withdrawn").count() == 1


def test_the_organiser_enters_ranks_and_awards_for_sports_events(
    tree: Any, make_user: Any, make_person: Any
) -> None:
    organiser = make_user("subunion_chair", tree.a)
    games = running_activity(unit=tree.a, actor=organiser, kind=Kind.GAMES, title="健身运动会 拔河")
    a, b, c = (register(games, make_person(tree.a), by=organiser) for _ in range(3))
    with pytest.raises(ValidationError, match="at least one entry"):
        services.results_publish(actor=organiser, activity=games, manual={})
    with pytest.raises(ValidationError, match="1 or more"):
        services.results_publish(actor=organiser, activity=games, manual={a.pk: services.Manual(rank=0)})
    services.results_publish(
        actor=organiser,
        activity=games,
        manual={
            a.pk: services.Manual(rank=1, award="冠军"),
            b.pk: services.Manual(rank=2, award="亚军"),
            c.pk: services.Manual(rank=None, award=""),
        },
    )
    assert [(r.registration, r.rank, r.award) for r in selectors.published(games)] == [
        (a, 1, "冠军"),
        (b, 2, "亚军"),
    ]
    assert selectors.result_of(c) is None
    other = make_user("subunion_chair", tree.b)
    with pytest.raises(PermissionDenied):
        services.results_publish(actor=other, activity=games, manual={a.pk: services.Manual(rank=1)})


def test_summary_with_photos_checked_by_content(contest: Any) -> None:
    organiser, activity, judges, _entries = contest
    assert selectors.summary_of(activity) is None
    added = services.summary_save(
        actor=organiser,
        activity=activity,
        text="32 位青年教师参赛，评出一等奖 3 名。",
        photos=[services.Upload("颁奖.png", PNG), services.Upload("现场.JPG", JPEG)],
        caption="颁奖现场",
    )
    assert [(p.filename, p.content_type, p.caption) for p in added] == [
        ("颁奖.png", "image/png", "颁奖现场"),
        ("现场.JPG", "image/jpeg", "颁奖现场"),
    ]
    summary = selectors.summary_of(activity)
    assert summary is not None and summary.text.startswith("32 位") and len(summary.photos) == 2
    for name, data, message in (
        ("病毒.exe", b"MZ" + b"\x00" * 10, "not a photo"),
        ("假照片.png", b"GIF89a" + b"\x00" * 10, "its content is not"),
        ("空.jpg", b"", "is empty"),
    ):
        with pytest.raises(ValidationError) as error:
            services.summary_save(
                actor=organiser, activity=activity, text="改过", photos=[services.Upload(name, data)]
            )
        assert message in str(error.value.message_dict["photos"])
    activity.refresh_from_db()
    assert activity.summary.startswith("32 位")  # nothing half-applied
    assert Photo.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.summary_save(actor=judges[0], activity=activity, text="评委写的")
    services.photo_delete(actor=organiser, photo=added[0])
    assert Photo.objects.count() == 1
    assert AuditEntry.objects.filter(action="activities.photo.deleted").count() == 1


def test_no_summary_for_a_draft(tree: Any, make_user: Any) -> None:
    organiser = make_user("subunion_chair", tree.a)
    draft = running_activity(unit=tree.a, actor=organiser, status=Activity.Status.DRAFT)
    with pytest.raises(ValidationError, match="published or finished"):
        services.summary_save(actor=organiser, activity=draft, text="还没办")
