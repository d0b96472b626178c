"""The demo university's activities, made through the activities services where the registration window is
open now (so the demo shows the real engine's results): a 微休养 series in two batches drawn by lottery, a
sub-union's badminton match open first come with a question, a reading salon with unit quotas, a summer
childcare class opening later; and a year of finished activities (a teaching competition with its results,
a welcome day for new staff, sports and lectures) with registrations and check-ins for the statistics;
three clubs with members and plans, and members' ideas with votes."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from smartunion.activities.models import (
    Activity,
    Club,
    ClubMembership,
    ClubPlan,
    Idea,
    IdeaVote,
    Kind,
    Registration,
    Result,
)
from smartunion.activities.services import activities as activity_services
from smartunion.activities.services import registration as engine
from smartunion.demo.hardship import member_login_person
from smartunion.members.models import Membership, Person


def _members(unit_path: str | None = None, limit: int = 200) -> list[Person]:
    people = Person.objects.filter(
        user__isnull=False, membership__status__in=[s.value for s in Membership.IN_SERVICE_STATUSES]
    ).select_related("unit", "membership", "user")
    if unit_path:
        people = people.filter(unit__path__startswith=unit_path)
    return list(people.order_by("staff_no")[:limit])


def _open_activity(*, actor: Any, unit: Any, publish: bool = True, **fields: Any) -> Activity:
    activity = activity_services.activity_create(actor=actor, organiser_unit=unit, **fields)
    if publish:
        activity = activity_services.activity_publish(actor=actor, activity=activity)
    return activity


def _register(activity: Activity, people: list[Person], **extra: Any) -> int:
    done = 0
    for person in people:
        try:
            outcome = engine.register(
                actor=person.user,
                activity=activity,
                person=person,
                idempotency_key=uuid.uuid4().hex,
                **extra,
            )
        except Exception:
            continue
        done += outcome.registration is not None
    return done


def _past(
    *,
    staff: Any,
    unit: Any,
    title: str,
    kind: str,
    days_ago: int,
    people: list[Person],
    rng: random.Random,
    capacity: int | None = None,
    hours: Decimal | None = None,
) -> Activity:
    """A finished activity of the past year, written directly (its registration window is long closed):
    confirmed registrations, most of them checked in."""
    start = timezone.now() - dt.timedelta(days=days_ago)
    activity = Activity.objects.create(
        title=title,
        kind=kind,
        organiser_unit=unit,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        registration_opens_at=start - dt.timedelta(days=14),
        registration_closes_at=start - dt.timedelta(days=3),
        status=Activity.Status.FINISHED,
        capacity=capacity,
        confirmed=len(people),
        created_by=staff,
        location="校工会活动中心",
        hours=hours,
        summary=f"{title}圆满结束，共有{len(people)}名教职工参加。",
    )
    Registration.objects.bulk_create(
        [
            Registration(
                activity=activity,
                person=person,
                unit=person.unit,
                status=Registration.Status.CONFIRMED,
                idempotency_key=uuid.uuid4().hex,
                registered_by=person.user,
                created_at=start - dt.timedelta(days=10),
                confirmed_at=start - dt.timedelta(days=10),
                token=uuid.uuid4().hex[:22],
                checked_in_at=start + dt.timedelta(minutes=rng.randint(-10, 20))
                if rng.random() < 0.85
                else None,
            )
            for person in people
        ]
    )
    return activity


def seed_activities(
    *, staff: Any, approver: Any, chairs: dict[int, Any], root: Any, branches: list[Any], seed: int
) -> dict[str, int]:
    rng = random.Random(seed)
    now = timezone.now()
    member = member_login_person()
    everyone = _members(limit=600)
    counts = {"activities": 0, "registrations": 0}

    # -- open now -----------------------------------------------------------------------------------
    series = _open_activity(
        actor=staff,
        unit=root,
        publish=False,
        title="2027年春季教职工微休养（溧阳）",
        kind=Kind.RETREAT,
        description="两天一晚，含往返交通、住宿和餐食。近三年未参加过疗休养的教职工优先。",
        location="江苏 溧阳",
        starts_at=now + dt.timedelta(days=40),
        ends_at=now + dt.timedelta(days=41),
        registration_opens_at=now - dt.timedelta(days=2),
        registration_closes_at=now + dt.timedelta(days=5),
        cancel_deadline=now + dt.timedelta(days=30),
        allocation=Activity.Allocation.LOTTERY,
        lottery_priority="never_attended",
        lottery_unit_fair=True,
        capacity=60,
        eligibility={"statuses": ["full"], "not_attended_kind": "retreat", "not_attended_years": 1},
    )
    batches = []
    for number, offset in ((1, 40), (2, 54)):
        batch = activity_services.batch_add(
            actor=staff,
            series=series,
            title=f"2027年春季微休养（第{number}批）",
            starts_at=now + dt.timedelta(days=offset),
            ends_at=now + dt.timedelta(days=offset + 1),
            capacity=30,
        )
        batches.append(activity_services.activity_publish(actor=staff, activity=batch))
    activity_services.activity_publish(actor=staff, activity=series)
    counts["registrations"] += _register(batches[0], everyone[:45])
    counts["registrations"] += _register(batches[1], everyone[45:70])

    chair_branch = next((branch for branch in branches if branch.pk in chairs), branches[0])
    chair = chairs.get(chair_branch.pk, staff)
    badminton = _open_activity(
        actor=chair,
        unit=chair_branch,
        title="教职工羽毛球联谊赛",
        kind=Kind.SPORTS,
        description="学院分工会组织的羽毛球联谊赛，现场提供球拍和饮用水。",
        location="体育馆二楼羽毛球场",
        starts_at=now + dt.timedelta(days=6, hours=2),
        ends_at=now + dt.timedelta(days=6, hours=5),
        registration_opens_at=now - dt.timedelta(days=1),
        registration_closes_at=now + dt.timedelta(days=4),
        cancel_deadline=now + dt.timedelta(days=5),
        capacity=24,
        visibility=Activity.Visibility.SUBTREE,
        visibility_unit=chair_branch,
    )
    shirt = activity_services.question_add(
        actor=chair,
        activity=badminton,
        label="文化衫尺码",
        kind="choice",
        choices=["M", "L", "XL"],
        required=True,
    )
    local = [p for p in _members(chair_branch.path, 40) if member is None or p.pk != member.pk]
    if member is not None:
        counts["registrations"] += _register(badminton, [member], answers={str(shirt.pk): "L"})
    counts["registrations"] += _register(badminton, local[:18], answers={str(shirt.pk): "M"})

    salon = _open_activity(
        actor=staff,
        unit=root,
        title="“书香工会”读书沙龙：《置身事内》",
        kind=Kind.LECTURE,
        description="经济学院老师领读，欢迎各分工会推荐教职工参加。",
        location="图书馆报告厅",
        starts_at=now + dt.timedelta(days=9),
        ends_at=now + dt.timedelta(days=9, hours=2),
        registration_opens_at=now - dt.timedelta(hours=6),
        registration_closes_at=now + dt.timedelta(days=7),
        cancel_deadline=now + dt.timedelta(days=8),
        capacity=40,
        quota_release_at=now + dt.timedelta(days=3),
    )
    for branch in branches[:4]:
        activity_services.quota_set(actor=staff, activity=salon, unit=branch, places=5)
    counts["registrations"] += _register(salon, everyone[100:130])

    childcare = _open_activity(
        actor=staff,
        unit=root,
        title="2027年暑期教职工子女托管班",
        kind=Kind.CHILDCARE,
        description="7月上旬至8月中旬，工作日 8:00–17:00，含午餐和午休；由退休教师和志愿者照看。",
        location="附属小学",
        starts_at=now + dt.timedelta(days=220),
        ends_at=now + dt.timedelta(days=260),
        registration_opens_at=now + dt.timedelta(days=180),
        registration_closes_at=now + dt.timedelta(days=200),
        cancel_deadline=now + dt.timedelta(days=210),
        capacity=80,
        participants=Activity.Participants.DEPENDANTS,
        max_quantity=2,
        dependant_min_age=6,
        dependant_max_age=12,
        eligibility={"child_age_min": 6, "child_age_max": 12},
    )
    counts["activities"] += 6  # series, two batches, badminton, salon, childcare
    del childcare

    # -- a year of finished activities ------------------------------------------------------------
    past = [
        ("青年教师教学竞赛（决赛）", Kind.COMPETITION, 40, 12, None),
        ("新教工“认家门”活动", Kind.WELCOME, 75, 30, None),
        ("教职工健身运动会", Kind.GAMES, 120, 120, None),
        ("分工会主席培训班", Kind.TRAINING, 160, 25, Decimal("8.0")),
        ("“三八”插花沙龙", Kind.LECTURE, 260, 35, None),
        ("2026年夏季微休养（第一批）", Kind.RETREAT, 140, 30, None),
    ]
    for title, kind, days_ago, size, hours in past:
        people = rng.sample(everyone, min(size, len(everyone)))
        activity = _past(
            staff=staff,
            unit=root,
            title=title,
            kind=kind,
            days_ago=days_ago,
            people=people,
            rng=rng,
            hours=hours,
        )
        counts["activities"] += 1
        counts["registrations"] += len(people)
        if kind == Kind.COMPETITION:
            for rank, registration in enumerate(activity.registrations.order_by("?")[:6], start=1):
                Result.objects.create(
                    registration=registration,
                    rank=rank,
                    award="一等奖" if rank == 1 else "二等奖" if rank <= 3 else "三等奖",
                    score=Decimal(96 - rank * 2),
                )

    # -- clubs and ideas --------------------------------------------------------------------------
    for name, plan, members in (
        ("羽毛球协会", "校园羽毛球公开赛", everyone[200:240]),
        ("摄影协会", "“美丽校园”摄影展", everyone[240:265]),
        ("太极拳协会", "太极拳展演", everyone[265:285]),
    ):
        club = Club.objects.create(name=name, unit=root, description=f"{name}：每周活动，欢迎教职工加入。")
        ClubMembership.objects.bulk_create(
            [
                ClubMembership(
                    club=club,
                    person=person,
                    role=ClubMembership.Role.OFFICER if index < 2 else ClubMembership.Role.MEMBER,
                )
                for index, person in enumerate(members)
            ]
        )
        ClubPlan.objects.create(club=club, year=now.year, brand_title=plan, supporting_planned=4)
    for title, kind, votes in (
        ("开一期教职工子女编程夏令营", Kind.CHILDCARE, 46),
        ("周末亲子徒步（紫金山）", Kind.FAMILY, 31),
        ("午间瑜伽课", Kind.SPORTS, 27),
        ("退休教职工手机使用培训", Kind.TRAINING, 12),
        ("教工合唱团招新", Kind.CLUB, 9),
    ):
        proposer = rng.choice(everyone)
        idea = Idea.objects.create(title=title, kind=kind, proposer=proposer, unit=proposer.unit)
        voters = rng.sample(everyone, min(votes, len(everyone)))
        IdeaVote.objects.bulk_create(
            [IdeaVote(idea=idea, person=person, unit=person.unit) for person in voters], ignore_conflicts=True
        )
        Idea.objects.filter(pk=idea.pk).update(votes=F("votes") + len(voters))
    return counts
