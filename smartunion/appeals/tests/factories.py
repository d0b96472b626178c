"""Building appeals test data directly (fast, no services): offices with staff, a small taxonomy with
descriptions and keywords, members with accounts, and appeals in any status with what that status
implies (routing, deadlines, a reply). Service tests use the services to move on from here."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from smartunion.accounts.models import User
from smartunion.appeals.models import Appeal, Category, Counter, Reply, Routing
from smartunion.members import services as member_services
from smartunion.members.models import Person, StaffCategory
from smartunion.organisations.models import HandlingOffice, OfficeStaff, OrgUnit

Status = Appeal.Status
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_office(
    name: str = "", *, staff: list[User] | None = None, head: User | None = None
) -> HandlingOffice:
    office = HandlingOffice.objects.create(name=name or f"处室{_next()}")
    for user in staff or []:
        OfficeStaff.objects.create(office=office, user=user)
    if head is not None:
        OfficeStaff.objects.create(office=office, user=head, is_head=True)
    return office


def make_category(
    office: HandlingOffice,
    name: str = "",
    *,
    description: str = "",
    keywords: str = "",
    acknowledge_working_days: int = 2,
    reply_working_days: int = 10,
) -> Category:
    return Category.objects.create(
        office=office,
        name=name or f"类别{_next()}",
        description=description,
        keywords=keywords,
        acknowledge_working_days=acknowledge_working_days,
        reply_working_days=reply_working_days,
    )


def make_taxonomy(offices: dict[str, HandlingOffice] | None = None) -> dict[str, Category]:
    """Three offices' categories (后勤 食堂/维修, 人事 职称, 校工会 福利), keyed by category name; offices
    are made unless given (keys 后勤管理处, 人事处, 校工会办公室)."""
    offices = offices or {}
    logistics = offices.get("后勤管理处") or make_office("后勤管理处")
    personnel = offices.get("人事处") or make_office("人事处")
    union = offices.get("校工会办公室") or make_office("校工会办公室")
    return {
        "食堂餐饮": make_category(
            logistics,
            "食堂餐饮",
            description="食堂饭菜质量、价格、卫生和开放时间",
            keywords="食堂 饭菜 窗口 早餐",
        ),
        "维修报修": make_category(
            logistics,
            "维修报修",
            description="房屋、水电、空调、电梯等设施报修",
            keywords="维修 漏水 空调 电梯 停电",
        ),
        "职称评审": make_category(
            personnel, "职称评审", description="职称评审的条件、材料和结果", keywords="职称 评审 副教授 材料"
        ),
        "工会福利": make_category(
            union,
            "工会福利",
            description="工会节日慰问品、生日福利和体检",
            keywords="福利 慰问品 生日 蛋糕券",
        ),
    }


def make_member(unit: OrgUnit, *, name: str = "", user: User | None = None) -> Person:
    n = _next()
    if user is None:
        user = User.objects.create_user(f"A{n:05d}", name or f"教工{n}", "Secret-2026!")
    person = getattr(user, "person", None) if user.pk else None
    if person is not None:
        return person
    return member_services.person_create(
        actor=None,
        staff_no=user.staff_no,
        name=name or user.name or f"教工{n}",
        sex="F",
        category=StaffCategory.objects.get(name="在编"),
        unit=unit,
        user=user,
    )


def make_appeal(
    person: Person,
    *,
    status: str = Status.TRIAGE,
    category: Category | None = None,
    title: str = "",
    body: str = "",
    anonymous: bool = False,
    allow_identity_reveal: bool = False,
    allow_publish: bool = False,
    reply_due: dt.date | None = None,
) -> Appeal:
    """An appeal in ``status``; any status past triage needs ``category`` (its office is the category's).
    Deadlines default to ten days ahead; a replied or closed appeal has its reply."""
    year = timezone.localdate().year
    counter, _created = Counter.objects.get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    now = timezone.now()
    routed = status != Status.TRIAGE and status != Status.WITHDRAWN
    if routed and category is None:
        raise ValueError("an appeal past triage needs a category")
    appeal = Appeal.objects.create(
        number=f"SQ{year}-{counter.last:04d}",
        person=person,
        unit=person.unit,
        title=title or f"诉求{counter.last}",
        body=body or "食堂早餐窗口开得太晚，希望提前到七点。",
        is_anonymous=anonymous,
        allow_identity_reveal=allow_identity_reveal,
        allow_publish=allow_publish,
        status=status,
        office=category.office if routed and category else None,
        category=category if routed else None,
        routing_confirmed=status not in (Status.TRIAGE, Status.ROUTED, Status.WITHDRAWN),
        routed_at=now if routed else None,
        acknowledge_due=timezone.localdate() + dt.timedelta(days=2) if routed else None,
        reply_due=(reply_due or timezone.localdate() + dt.timedelta(days=10)) if routed else None,
        acknowledged_at=now
        if status in (Status.IN_PROGRESS, Status.REPLIED, Status.REOPENED, Status.CLOSED)
        else None,
        replied_at=now if status in (Status.REPLIED, Status.CLOSED) else None,
        closed_at=now if status == Status.CLOSED else None,
    )
    if routed and category is not None:
        Routing.objects.create(
            appeal=appeal, source=Routing.Source.TRIAGE, office=category.office, category=category
        )
    if status in (Status.REPLIED, Status.CLOSED) and category is not None:
        Reply.objects.create(
            appeal=appeal, round=1, office=category.office, text="已安排食堂提前开放早餐窗口。"
        )
    return appeal
