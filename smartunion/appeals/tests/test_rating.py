"""Rating the reply: only a replied appeal, only the member's own, once per round; 不满意 needs a comment
and may reopen the appeal once (round 2, new deadlines, the office told without the member's name);
a second 不满意 closes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.appeals.models import Appeal, Rating, Reply
from smartunion.appeals.services import submission
from smartunion.core.models import AuditEntry
from smartunion.core.workdays import add_working_days
from smartunion.notifications.models import Notification

from . import factories

pytestmark = pytest.mark.django_db
Status = Appeal.Status
Score = Rating.Score


@pytest.fixture
def staff(make_user: Any) -> Any:
    return make_user(name="后勤经办")


@pytest.fixture
def category(staff: Any) -> Any:
    office = factories.make_office("后勤管理处", staff=[staff])
    return factories.make_category(office, "食堂餐饮", acknowledge_working_days=2, reply_working_days=5)


@pytest.fixture
def member(tree: Any) -> Any:
    return factories.make_member(tree.a, name="李老师")


def _replied(member: Any, category: Any, **kwargs: Any) -> Appeal:
    return factories.make_appeal(member, status=Status.REPLIED, category=category, **kwargs)


@pytest.mark.parametrize("score", [Score.SATISFIED, Score.BASICALLY])
def test_satisfied_or_basically_closes(member: Any, category: Any, score: str) -> None:
    appeal = submission.rate(user=member.user, appeal=_replied(member, category), score=score, comment="")
    assert appeal.status == Status.CLOSED
    assert appeal.closed_at is not None
    rating = Rating.objects.get(appeal=appeal)
    assert (rating.round, rating.score) == (1, score)
    kinds = list(appeal.events.values_list("kind", "by_member"))
    assert ("rated", True) in kinds and ("closed", True) in kinds
    assert AuditEntry.objects.filter(action="appeals.appeal.rated", target_id=str(appeal.pk)).exists()


def test_unsatisfied_needs_a_comment(member: Any, category: Any) -> None:
    appeal = _replied(member, category)
    with pytest.raises(ValidationError) as caught:
        submission.rate(user=member.user, appeal=appeal, score=Score.UNSATISFIED, comment="  ", reopen=True)
    assert "comment" in caught.value.message_dict
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED
    assert not Rating.objects.exists()


def test_an_unknown_score_is_refused(member: Any, category: Any) -> None:
    with pytest.raises(ValidationError):
        submission.rate(user=member.user, appeal=_replied(member, category), score="great", comment="")


def test_unsatisfied_without_reopening_closes(member: Any, category: Any) -> None:
    appeal = submission.rate(
        user=member.user,
        appeal=_replied(member, category),
        score=Score.UNSATISFIED,
        comment="没解决",
        reopen=False,
    )
    assert appeal.status == Status.CLOSED
    assert appeal.reopen_count == 0


def test_unsatisfied_reopens_once_with_new_deadlines_and_tells_the_office(
    member: Any, category: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    appeal = _replied(member, category, anonymous=True)
    Appeal.objects.filter(pk=appeal.pk).update(acknowledge_due=timezone.localdate() - dt.timedelta(days=20))
    appeal.refresh_from_db()
    first_round = (appeal.acknowledge_due, appeal.acknowledged_at)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = submission.rate(
            user=member.user, appeal=appeal, score=Score.UNSATISFIED, comment="窗口还是七点半开", reopen=True
        )
    today = timezone.localdate()
    assert appeal.status == Status.REOPENED
    assert appeal.reopen_count == 1
    assert submission.current_round(appeal) == 2
    assert appeal.reply_due == add_working_days(today, 5)
    # Round 2 needs no acknowledgement: its date and time stay the first round's, matching each other.
    appeal.refresh_from_db()
    assert (appeal.acknowledge_due, appeal.acknowledged_at) == first_round
    reopened = appeal.events.get(kind="reopened")
    assert reopened.by_member and reopened.actor is None and reopened.note == "窗口还是七点半开"
    notification = Notification.objects.get(recipient=staff, kind="appeals.reopened")
    assert appeal.number in notification.title
    text = notification.title + notification.body
    assert "李老师" not in text and member.user.staff_no not in text
    entry = AuditEntry.objects.get(action="appeals.appeal.reopened", target_id=str(appeal.pk))
    assert entry.actor is None and entry.unit_id is None


def test_second_unsatisfied_closes_even_when_asking_to_reopen(member: Any, category: Any) -> None:
    appeal = submission.rate(
        user=member.user,
        appeal=_replied(member, category),
        score=Score.UNSATISFIED,
        comment="没解决",
        reopen=True,
    )
    # The office answers round 2.
    Reply.objects.create(appeal=appeal, round=2, office=category.office, text="已调整开放时间。")
    Appeal.objects.filter(pk=appeal.pk).update(status=Status.REPLIED, replied_at=timezone.now())
    appeal.refresh_from_db()
    assert not submission.may_reopen(appeal)
    appeal = submission.rate(
        user=member.user, appeal=appeal, score=Score.UNSATISFIED, comment="还是不行", reopen=True
    )
    assert appeal.status == Status.CLOSED
    assert appeal.reopen_count == 1
    assert list(Rating.objects.filter(appeal=appeal).values_list("round", "score")) == [
        (1, Score.UNSATISFIED),
        (2, Score.UNSATISFIED),
    ]


@pytest.mark.parametrize(
    "status",
    [Status.TRIAGE, Status.ROUTED, Status.IN_PROGRESS, Status.REOPENED, Status.CLOSED, Status.WITHDRAWN],
)
def test_only_a_replied_appeal_is_rated(member: Any, category: Any, status: str) -> None:
    appeal = factories.make_appeal(
        member, status=status, category=None if status in (Status.TRIAGE, Status.WITHDRAWN) else category
    )
    with pytest.raises(ValidationError, match="no reply to rate"):
        submission.rate(user=member.user, appeal=appeal, score=Score.SATISFIED, comment="")
    assert not Rating.objects.exists()


def test_once_per_round(member: Any, category: Any) -> None:
    appeal = _replied(member, category)
    Rating.objects.create(appeal=appeal, round=1, score=Score.SATISFIED)
    with pytest.raises(ValidationError, match="already rated"):
        submission.rate(user=member.user, appeal=appeal, score=Score.BASICALLY, comment="")
    assert Rating.objects.count() == 1


def test_only_the_submitter_rates(member: Any, category: Any, tree: Any) -> None:
    appeal = _replied(member, category)
    other = factories.make_member(tree.b)
    with pytest.raises(ValidationError, match="Only the member who submitted"):
        submission.rate(user=other.user, appeal=appeal, score=Score.SATISFIED, comment="")
    appeal.refresh_from_db()
    assert appeal.status == Status.REPLIED
    assert not Rating.objects.exists()
