"""The demo university's hardship assistance, made through the hardship services: the 低保 standards of 南通市
and 徐州市 (demo values, to be checked against the 民政 announcements), about 25 hardship files at every
step of the procedure in several sub-unions (the demo chair's first), objections to the notices, help
measures, and assistance applications (临时补助, 爱心扶助金) at every step — a few paid, one of them to the
demo member, who sees it on the phone."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from smartunion.accounts import roles as role_codes
from smartunion.accounts.models import RoleAssignment
from smartunion.demo.finance import invoice_png
from smartunion.hardship.models import AssistanceProgramme, Consent, HardshipFile
from smartunion.hardship.services import assistance, common, dibao, lifecycle, measures
from smartunion.hardship.services import files as file_services
from smartunion.members.models import Membership, Person

DIBAO_NOTE = "演示数值，请按民政部门公布的最低生活保障标准核对后修改"
DIBAO = {
    ("南通市", 2025): "1010.00",
    ("南通市", 2026): "1050.00",
    ("徐州市", 2025): "900.00",
    ("徐州市", 2026): "940.00",
}
OFFICER_ROLES = [
    role_codes.SUBUNION_CHAIR,
    role_codes.SUBUNION_COMMITTEE,
    role_codes.UNION_STAFF,
    role_codes.UNION_CHAIR,
    role_codes.HANDLING_OFFICE,
    role_codes.AUDITOR,
    role_codes.SYSADMIN,
]

# (cause, circumstances, housing, medical, schooling, accident, household: [(relation, birth year offset
# from the member, occupation, income, health)]) — families whose figures give each category.
FAMILIES: list[dict[str, Any]] = [
    {
        "cause": HardshipFile.Cause.ILLNESS,
        "detail": "配偶患尿毒症，每周血液透析三次，无法工作。",
        "housing": HardshipFile.Housing.RENTED,
        "medical": "46000",
        "members": [("spouse", 2, "unable", "0", "尿毒症，长期透析"), ("child", -28, "student", "0", "")],
        "income": "52000",
    },
    {
        "cause": HardshipFile.Cause.SCHOOLING,
        "detail": "两个孩子分别读大学和高中，配偶下岗后打零工。",
        "housing": HardshipFile.Housing.OWNED,
        "schooling": "32000",
        "members": [
            ("spouse", -1, "unemployed", "14000", ""),
            ("child", -26, "student", "0", ""),
            ("child", -30, "student", "0", ""),
        ],
        "income": "68000",
    },
    {
        "cause": HardshipFile.Cause.ACCIDENT,
        "detail": "今年夏天住房遭遇火灾，家具家电全部损毁，本人手部烧伤住院。",
        "housing": HardshipFile.Housing.LODGING,
        "medical": "18000",
        "accident": "76000",
        "members": [("spouse", 1, "employed", "30000", "")],
        "income": "58000",
    },
    {
        "cause": HardshipFile.Cause.DISABILITY,
        "detail": "孩子先天性脑瘫，需长期康复训练。",
        "housing": HardshipFile.Housing.PUBLIC_RENTAL,
        "medical": "28000",
        "members": [
            ("spouse", 0, "unable", "0", "照顾孩子，无法工作"),
            ("child", -33, "preschool", "0", "脑瘫，康复训练中"),
        ],
        "income": "61000",
    },
    {
        "cause": HardshipFile.Cause.ILLNESS,
        "detail": "本人乳腺癌术后化疗，自付费用较高。",
        "housing": HardshipFile.Housing.OWNED,
        "medical": "39000",
        "members": [("spouse", 3, "retired", "26000", ""), ("parent", 28, "retired", "9000", "高血压")],
        "income": "48000",
    },
    {
        "cause": HardshipFile.Cause.UNEMPLOYMENT,
        "detail": "配偶所在企业破产失业，父亲卧床需人照料。",
        "housing": HardshipFile.Housing.RENTED,
        "medical": "12000",
        "members": [("spouse", -2, "unemployed", "0", ""), ("parent", 30, "unable", "6000", "脑梗后卧床")],
        "income": "45000",
    },
]

# The procedure's statuses, in the order files are made for each sub-union (the demo chair's unit first).
PLAN = [
    [
        "active",
        "notice",
        "exited",
        "rejected",
        "withdrawn",
        "applied",
        "visited",
        "draft",
        "active",
        "active",
        "notice",
    ],
    ["active", "active", "notice", "applied"],
    ["active", "visited", "notice"],
    ["active", "applied", "removed"],
    ["active", "draft"],
    ["active", "notice"],
]


def _year_born(person: Person, offset: int) -> int:
    base = person.birth_date.year if person.birth_date else 1980
    return min(base - offset, timezone.localdate().year)


def _candidates(branch: Any, exclude: set[int]) -> QuerySet[Person]:
    officers = RoleAssignment.objects.filter(role__code__in=OFFICER_ROLES).values("user_id")
    return (
        Person.objects.filter(
            unit__path__startswith=branch.path,
            membership__status=Membership.Status.FULL,
            is_active=True,
            user__isnull=False,
        )
        .exclude(user_id__in=officers)
        .exclude(pk__in=exclude)
        .select_related("unit", "user")
        .order_by("staff_no")
    )


def member_login_person() -> Person | None:
    """The demo member login (as seed_demo prints it): the first plain member of unit 01."""
    officers = RoleAssignment.objects.exclude(role__code=role_codes.MEMBER).values("user_id")
    assignment = (
        RoleAssignment.objects.filter(role__code=role_codes.MEMBER, revoked_at__isnull=True, unit__code="01")
        .exclude(user_id__in=officers)
        .order_by("unit__code", "user__staff_no")
        .first()
    )
    return Person.objects.filter(user_id=assignment.user_id).first() if assignment else None


GIVEN = ["建国", "秀英", "子涵", "浩然", "桂兰", "志强", "雨桐", "国华"]
SURNAMES = ["李", "张", "刘", "陈", "杨", "黄"]


def _relative_name(person: Person, relation: str, number: int) -> str:
    given = GIVEN[(person.pk + number) % len(GIVEN)]
    if relation == "child":
        return f"{person.name[0]}{given}"
    return f"{SURNAMES[(person.pk + number) % len(SURNAMES)]}{given}"


def _file(*, chair: Any, person: Person, family: dict[str, Any], city: str, year: int) -> HardshipFile:
    file = file_services.file_create(
        actor=chair,
        person=person,
        city=city,
        year=year,
        cause=family["cause"],
        housing=family["housing"],
        cause_detail=family["detail"],
        medical_expense=family.get("medical"),
        schooling_expense=family.get("schooling"),
        accident_costs=family.get("accident"),
        on_behalf=True,
    )
    file_services.household_add(
        actor=chair,
        file=file,
        relation="self",
        name=person.name,
        birth_year=_year_born(person, 0),
        occupation="employed",
        annual_income=family["income"],
    )
    for number, (relation, offset, occupation, income, health) in enumerate(family["members"], start=1):
        file_services.household_add(
            actor=chair,
            file=file,
            relation=relation,
            name=_relative_name(person, relation, number),
            birth_year=_year_born(person, offset),
            occupation=occupation,
            annual_income=income,
            health=health,
        )
    return file


def _advance(
    *, file: HardshipFile, status: str, chair: Any, staff: Any, objector: Any, number: int
) -> HardshipFile:
    today = timezone.localdate()
    if status == "draft":
        return file
    common.document_add(
        actor=chair,
        kind="medical" if file.cause != "schooling" else "schooling",
        name="证明材料.png",
        data=invoice_png(),
        file=file,
    )
    file = file_services.file_submit(
        actor=chair, file=file, consent_method=Consent.Method.PAPER, guardian_consent=True
    )
    if status == "applied":
        return file
    if status == "withdrawn":
        return file_services.file_withdraw(actor=chair, file=file, reason="本人表示家庭情况已好转，申请撤回")
    file_services.visit_record(
        actor=chair,
        file=file,
        visited_on=today - dt.timedelta(days=2 + number % 5),
        visitors=f"{chair.display_name}、工会小组长",
        findings="入户核实家庭成员、收入和医疗票据，情况属实。",
        figures_confirmed=True,
    )
    if status == "visited":
        return file
    if status == "rejected":
        return file_services.unit_review(
            actor=chair, file=file, approve=False, note="经评议，家庭人均收入高于认定标准。"
        )
    file = file_services.unit_review(actor=chair, file=file, approve=True, note="分工会评议通过，同意公示。")
    if status == "notice":
        if objector is not None and number % 3 != 2:
            objection = file_services.objection_raise(
                actor=objector, file=file, text="听说其家中另有商铺出租收入，请核实。"
            )
            if number % 2 == 0:
                file_services.objection_resolve(
                    actor=chair,
                    objection=objection,
                    upheld=False,
                    resolution="经入户核实，商铺系亲属所有，异议不成立。",
                )
        return file
    # The notice ran its days some weeks ago (the demo moves its dates back), then the school approved.
    ended = today - dt.timedelta(days=20 + number)
    HardshipFile.objects.filter(pk=file.pk).update(
        notice_starts_on=ended - dt.timedelta(days=5), notice_ends_on=ended
    )
    file.refresh_from_db()
    file = file_services.file_approve(actor=staff, file=file)
    measures.measure_add(
        actor=chair,
        file=file,
        kind="festival" if number % 2 else "medical",
        description="春节送温暖走访慰问" if number % 2 else "协助申请大病医疗互助补助",
        responsible=chair.display_name,
        planned_on=today + dt.timedelta(days=30 + number),
    )
    if status == "exited":
        return lifecycle.file_exit(
            actor=staff, file=file, reason="配偶重新就业，家庭人均收入已高于认定标准。"
        )
    if status == "removed":
        return lifecycle.file_remove(actor=staff, file=file, reason="已调离学校。", kind="left")
    return file


def _programme(code: str) -> AssistanceProgramme:
    programme = AssistanceProgramme.objects.filter(code=code).first()
    if programme is None:
        from smartunion.hardship.defaults import seed_programmes

        seed_programmes()
        programme = AssistanceProgramme.objects.get(code=code)
    return programme


def _application(
    *, person: Person, actor: Any, programme: AssistanceProgramme, value: str, reason: str, own: bool = False
) -> Any:
    return assistance.application_submit(
        actor=actor,
        person=person,
        programme=programme,
        condition_value=value,
        reason=reason,
        bank_account="6217 0000 1234 5678 901",
        on_behalf=not own,
        consent_method=Consent.Method.ONLINE if own else Consent.Method.PAPER,
    )


def _take(application: Any, *, status: str, chair: Any, staff: Any, approver: Any) -> Any:
    if status == "submitted":
        return application
    if status == "rejected":
        return assistance.application_review(
            actor=chair,
            application=application,
            approve=False,
            note="材料不全：缺少医保结算单，请补齐后重新申请。",
        )
    application = assistance.application_review(
        actor=chair, application=application, approve=True, note="情况属实，同意上报。"
    )
    if status == "unit_approved":
        return application
    decider = staff if application.tier == "staff" else approver
    application = assistance.application_approve(actor=decider, application=application)
    if status == "approved":
        return application
    assistance.application_pay(actor=staff, application=application)
    return application


def seed_hardship(
    *, staff: Any, approver: Any, chairs: dict[int, Any], root: Any, branches: list[Any], seed: int
) -> dict[str, int]:
    rng = random.Random(seed)
    today = timezone.localdate()
    counts = {"files": 0, "applications": 0}
    for (city, year), amount in DIBAO.items():
        dibao.dibao_save(actor=staff, city=city, year=year, monthly_amount=amount, note=DIBAO_NOTE)

    member = member_login_person()
    used: set[int] = {member.pk} if member else set()
    with_chair = [branch for branch in branches if branch.pk in chairs]
    # The demo member's sub-union first (its chair is the demo chair login), then the others.
    if member is not None:
        with_chair.sort(key=lambda branch: not member.unit.path.startswith(branch.path))
    objectors = list(_candidates(with_chair[-1], used)[:3]) if with_chair else []
    carried: list[str] = []  # statuses a small sub-union had no people for go to the next one
    for branch, planned in zip(with_chair, PLAN, strict=False):
        chair = chairs[branch.pk]
        statuses = [*carried, *planned]
        people = list(_candidates(branch, used)[: len(statuses)])
        carried = statuses[len(people) :]
        for person, status in zip(people, statuses, strict=False):
            used.add(person.pk)
            number = counts["files"]
            family = FAMILIES[(number + rng.randrange(2)) % len(FAMILIES)]
            city = "徐州市" if number % 7 == 3 else "南通市"
            file = _file(chair=chair, person=person, family=family, city=city, year=today.year)
            objector = objectors[number % len(objectors)].user if objectors else None
            _advance(file=file, status=status, chair=chair, staff=staff, objector=objector, number=number)
            counts["files"] += 1

    # Assistance: 临时补助 and 爱心扶助金 at every step, a few paid (the demo member's among them).
    temporary, love = _programme("temporary_aid"), _programme("love_fund")
    plan = [
        ("paid", temporary, "12800"),
        ("paid", love, "86000"),
        ("paid", temporary, "26500"),
        ("approved", temporary, "8800"),
        ("approved", love, "42000"),
        ("unit_approved", temporary, "31000"),
        ("unit_approved", temporary, "56000"),
        ("submitted", temporary, "15000"),
        ("submitted", love, "64000"),
        ("submitted", temporary, "9600"),
        ("rejected", temporary, "7200"),
    ]
    reasons = {
        temporary.pk: "本人腰椎手术住院，医保报销后自付费用较高，生活暂时困难。",
        love.pk: "确诊肺癌，化疗和靶向药费用高，家庭负担沉重。",
    }
    for number, (status, programme, value) in enumerate(plan):
        # Mostly the first three sub-unions (the demo chair's first); the next ones when they run out.
        rotation = with_chair[number % 3 :] + with_chair[: number % 3] if len(with_chair) > 3 else with_chair
        found = next(
            ((branch, person) for branch in rotation for person in _candidates(branch, used)[:1]), None
        )
        if found is None:
            break
        branch, person = found
        chair = chairs[branch.pk]
        used.add(person.pk)
        application = _application(
            person=person, actor=chair, programme=programme, value=value, reason=reasons[programme.pk]
        )
        _take(application, status=status, chair=chair, staff=staff, approver=approver)
        counts["applications"] += 1
    if member is not None:
        member_branch = next(
            (b for b in branches if member.unit.path.startswith(b.path) and b.pk in chairs), None
        )
        if member_branch is not None:
            application = _application(
                person=member,
                actor=member.user,
                programme=temporary,
                value="18600",
                reason="母亲突发脑梗住院，本人承担的自付医疗费用较高。",
                own=True,
            )
            _take(application, status="paid", chair=chairs[member_branch.pk], staff=staff, approver=approver)
            counts["applications"] += 1
    return counts
