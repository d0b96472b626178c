"""The demo university's staff congress (教代会提案), written through the proposals services as it happened.

* The working-day calendar: the State Council's holidays and make-up working days of 2025 and 2026.
* Fourteen handling offices (承办单位) with their duties, one or two staff each (the 承办部门 login of 后勤管理处
  heads its office) and three 分管校领导; a 提案工作委员会 login; 第五届教职工代表大会 with a delegation per unit,
  about six representatives each (the member login among them), and its committee of seven.
* 第五届教代会第一次会议 (last year): about sixty proposals through the whole loop — 立案, 并案, 意见建议, 不予立案,
  a withdrawal, a late submission, 退办, 会签, 批示, replies A/B/C signed off by the leaders (one sent back),
  two late replies, ratings (a few 不满意: two re-handled, one closed with an explanation) and the 回头看.
* 第五届教代会第二次会议 (now): collection open, and proposals at every step — drafts, 寻附议 with invitations to
  the member login, awaiting review (near-duplicates for 并案), assigned with green, yellow and red deadlines,
  awaiting the leader's sign-off, replies awaiting the member login's rating, one 不满意 awaiting review.

The services take the time from ``timezone.now()``. To write a year of history through them, each step runs
at its moment: a clock patched in for the seeding only (``proposal_story.history``), the steps of every
proposal's story sorted by time (``Demo.run``), so every timeline line, deadline, overdue flag,
notification and audit entry carries the date it would have had. Last year's co-signing alone is written
in bulk (``Story.cosigned``), for speed. The same seed gives the same congress (relative to the day it is
seeded, like the other demo modules: the second session's collection window is open around today)."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.accounts import roles as role_codes
from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, RoleAssignment, User
from smartunion.core import services_calendar
from smartunion.demo import proposal_texts as texts
from smartunion.demo.generators import REFERENCE_DATE
from smartunion.demo.hardship import member_login_person
from smartunion.demo.proposal_plans import S1_PLAN, S2_PLAN
from smartunion.demo.proposal_story import Clock, Days, Step, Story, at, history
from smartunion.members.models import Membership, Person
from smartunion.notifications.models import Notification
from smartunion.organisations import services_offices
from smartunion.organisations.models import HandlingOffice, OrgUnit
from smartunion.proposals.models import Category, CommitteeMember, Congress, Proposal, Representative, Session
from smartunion.proposals.services import congress as congress_services
from smartunion.proposals.services import followup, supervision

SATISFIED, BASIC, UNSATISFIED = "satisfied", "basic", "unsatisfied"
DELEGATION_SIZE = 6
# Ratings of the proposals rated content (the proposer's 办理态度, 办理结果) and how often.
CONTENT_RATINGS = [
    ((SATISFIED, SATISFIED), 55),
    ((SATISFIED, BASIC), 22),
    ((BASIC, BASIC), 10),
    ((BASIC, SATISFIED), 6),
]
# 回头看 reports that say the work goes on (B stays B).
FOLLOWUP_STILL_B = {"doctoral_programmes"}
# Offices with more staff.
BIG_OFFICES = {"后勤管理处", "人事处", "教务处", "财务处"}


# -- the congress -----------------------------------------------------------------------------------------


def _user(person: Person) -> User:
    assert person.user is not None  # every demo person has an account
    return person.user


class Demo:
    days: Days  # read once the calendar is seeded

    def __init__(
        self, *, staff: Any, approver: Any, root: OrgUnit, branches: list[OrgUnit], seed: int
    ) -> None:
        self.rng = random.Random(seed)
        self.staff = staff
        self.approver = approver
        self.root = root
        self.branches = branches
        self.clock = Clock(timezone.now)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.year = self.today.year - 1  # the first session's year
        self.steps: list[Step] = []
        self.offices: dict[str, HandlingOffice] = {}
        self.office_users: dict[str, list[Any]] = {}
        self.leader_of: dict[str, Any] = {}
        self.committee: Any = staff
        self.categories: dict[str, Category] = {}
        self.member: Representative | None = None

    def schedule(self, moment: dt.datetime, action: Callable[[], object]) -> None:
        self.steps.append(Step(moment, len(self.steps), action))

    def set_clock(self, moment: dt.datetime) -> None:
        self.clock.moment = min(moment, self.now - dt.timedelta(minutes=1))

    # -- set-up ---------------------------------------------------------------------------------------
    def seed_calendar(self) -> int:
        added = 0
        for name, start, end in texts.HOLIDAYS:
            self.set_clock(at(dt.date(start.year - 1, 11, 15), 10))
            try:
                services_calendar.calendar_holiday_add(actor=self.staff, start=start, end=end, name=name)
                added += 1
            except ValidationError:  # the union office has entered it already
                pass
        for name, day in texts.MAKEUP_WORKDAYS:
            self.set_clock(at(dt.date(day.year - 1, 11, 15), 10, 30))
            try:
                services_calendar.calendar_workday_add(actor=self.staff, day=day, name=name)
                added += 1
            except ValidationError:
                pass
        return added

    def eligible(self) -> Any:
        """In-service full members with an account: who can represent, handle and lead."""
        return (
            Person.objects.filter(
                is_active=True,
                user__isnull=False,
                membership__status=Membership.Status.FULL,
                category__is_retired=False,
            )
            .select_related("user", "unit")
            .order_by("staff_no")
        )

    def seed_offices(self, start: dt.date) -> None:
        self.set_clock(at(dt.date(self.year - 1, 12, 10), 10))
        roles = {role.code: role for role in Role.objects.all()}
        member_person = member_login_person()
        busy = set(
            RoleAssignment.objects.exclude(role__code=role_codes.MEMBER).values_list("user_id", flat=True)
        )
        if member_person is not None and member_person.user_id is not None:
            busy.add(member_person.user_id)
        everyone = list(self.eligible())
        units = {unit.name: unit for unit in OrgUnit.objects.filter(name__in={o[2] for o in texts.OFFICES})}

        def free(path: str | None, count: int) -> list[Person]:
            pool = [
                p
                for p in everyone
                if p.user_id not in busy and (path is None or p.unit.path.startswith(path))
            ]
            picked = self.rng.sample(pool, min(count, len(pool)))
            busy.update(p.user_id for p in picked)
            return sorted(picked, key=lambda p: p.staff_no)

        # 分管校领导: people of 机关 in their late forties or fifties; the first is the demo login.
        offices_unit = next((b for b in self.branches if b.name == "机关"), self.root)
        seniors = [
            p
            for p in everyone
            if p.unit.path.startswith(offices_unit.path)
            and p.user_id not in busy
            and p.birth_date is not None
            and 46 <= (REFERENCE_DATE - p.birth_date).days // 365 <= 58
        ]
        leaders = sorted(self.rng.sample(seniors, min(3, len(seniors))), key=lambda p: p.staff_no)
        busy.update(p.user_id for p in leaders)
        leaders += free(None, 3 - len(leaders))
        for person in leaders:
            account_services.role_assign(
                actor=None,
                user=_user(person),
                role=roles[role_codes.SCHOOL_LEADER],
                unit=self.root,
                valid_from=start,
            )
        # The handling office login (appointed with the officers) heads 后勤管理处.
        logistics_login = [
            assignment.user
            for assignment in RoleAssignment.objects.filter(
                role__code=role_codes.HANDLING_OFFICE, revoked_at__isnull=True
            )
            .select_related("user")
            .order_by("pk")
        ]
        for order, (name, short, unit_name, duties, leader_index) in enumerate(texts.OFFICES, start=1):
            unit = units.get(unit_name)
            leader = leaders[leader_index].user if leader_index < len(leaders) else None
            office = services_offices.office_create(
                actor=self.staff,
                name=name,
                short_name=short,
                unit=unit,
                leader=leader,
                duties=duties,
                sort_order=order * 10,
            )
            self.offices[name] = office
            self.leader_of[name] = leader
            count = 2 if name in BIG_OFFICES or self.rng.random() < 0.4 else 1
            users = logistics_login[:1] if name == "后勤管理处" else []
            people = free(unit.path if unit is not None else offices_unit.path, count - len(users))
            if len(people) + len(users) < count:
                people += free(None, count - len(users) - len(people))
            for person in people:
                account_services.role_assign(
                    actor=None,
                    user=_user(person),
                    role=roles[role_codes.HANDLING_OFFICE],
                    unit=person.unit,
                    valid_from=start,
                )
            users += [_user(person) for person in people]
            for number, user in enumerate(users):
                services_offices.office_staff_add(
                    actor=self.staff, office=office, user=user, is_head=number == 0
                )
            self.office_users[name] = users

    def seed_congress(self, start: dt.date) -> tuple[Congress, list[Representative]]:
        began = dt.date(self.year - 1, 12, 20)
        self.set_clock(at(began, 10))
        congress = congress_services.congress_create(actor=self.staff, number=5, start_date=began)
        member_person = member_login_person()
        office_people = set(
            RoleAssignment.objects.filter(
                role__code__in=[role_codes.HANDLING_OFFICE, role_codes.SCHOOL_LEADER]
            ).values_list("user_id", flat=True)
        )
        chairs = {
            assignment.unit_id: assignment.user_id
            for assignment in RoleAssignment.objects.filter(
                role__code=role_codes.SUBUNION_CHAIR, revoked_at__isnull=True
            ).order_by("-user__staff_no")
        }
        everyone = list(self.eligible())
        reps: list[Representative] = []
        for order, branch in enumerate(self.branches, start=1):
            delegation = congress_services.delegation_create(
                actor=self.staff,
                congress=congress,
                name=f"{branch.name}代表团",
                unit=branch,
                sort_order=order * 10,
            )
            people = [
                p for p in everyone if p.unit.path.startswith(branch.path) and p.user_id not in office_people
            ]
            head = next((p for p in people if p.user_id == chairs.get(branch.pk)), None)
            pool = [p for p in people if p is not head and p != member_person]
            picked = self.rng.sample(pool, min(len(pool), DELEGATION_SIZE - 1 if head else DELEGATION_SIZE))
            if member_person is not None and member_person in people:
                picked = [member_person, *picked[1:]]
            picked.sort(key=lambda p: p.staff_no)
            if head is None:
                head = next((p for p in picked if p != member_person), None)
                picked = [p for p in picked if p is not head]
            if head is None:
                continue
            members = [(head, Representative.Kind.FULL, True)] + [
                (
                    person,
                    Representative.Kind.OBSERVER
                    if order % 5 == 4 and number == len(picked) - 1 and len(picked) >= 3
                    else Representative.Kind.FULL,
                    False,
                )
                for number, person in enumerate(picked)
            ]
            for person, kind, leads in members:
                rep = congress_services.representative_add(
                    actor=self.staff,
                    congress=congress,
                    person=person,
                    delegation=delegation,
                    kind=kind,
                    is_delegation_leader=leads,
                )
                rep.person = person  # with its user, for the stories
                reps.append(rep)
                if person == member_person:
                    self.member = rep
        return congress, reps

    def seed_committee(self, congress: Congress, reps: list[Representative], start: dt.date) -> list[Person]:
        """提案工作委员会: the union chair chairs it; a representative of 经管学院 (the committee login) and
        five other representatives of different delegations."""
        self.set_clock(at(congress.start_date, 15))
        plain = [
            rep
            for rep in reps
            if rep.kind == Representative.Kind.FULL and not rep.is_delegation_leader and rep != self.member
        ]
        economists = [rep for rep in plain if rep.delegation.name.startswith("经济与管理学院")]
        login = (economists or plain)[0]
        account_services.role_assign(
            actor=None,
            user=_user(login.person),
            role=Role.objects.get(code=role_codes.PROPOSAL_COMMITTEE),
            unit=self.root,
            valid_from=start,
        )
        self.committee = login.person.user
        others: list[Representative] = []
        seen = {login.delegation_id}
        for rep in self.rng.sample(plain, len(plain)):
            if rep.delegation_id not in seen and len(others) < 5:
                others.append(rep)
                seen.add(rep.delegation_id)
        chair = Person.objects.filter(user=self.approver).first() if self.approver else None
        Position = CommitteeMember.Position
        seats = [(login.person, Position.VICE_CHAIR)] + [
            (rep.person, Position.VICE_CHAIR if number == 0 else Position.MEMBER)
            for number, rep in enumerate(others)
        ]
        if chair is not None and chair not in [person for person, _ in seats]:
            seats.insert(0, (chair, Position.CHAIR))
        else:
            seats[0] = (login.person, Position.CHAIR)
        for person, position in seats[:7]:
            congress_services.committee_add(
                actor=self.staff, congress=congress, person=person, position=position
            )
        return [person for person, _ in seats[:7]]

    # -- the two sessions -------------------------------------------------------------------------------
    def plan(
        self, congress: Congress, reps: list[Representative], committee: list[Person]
    ) -> dict[str, Session]:
        full = [rep for rep in reps if rep.kind == Representative.Kind.FULL]
        on_committee = {person.pk for person in committee}
        self.proposers = [rep for rep in full if rep != self.member and rep.person_id not in on_committee]
        self.rng.shuffle(self.proposers)
        self.heads = [rep for rep in full if rep.is_delegation_leader and rep != self.member]
        self.cosigners = [rep for rep in full if rep.person_id not in on_committee]
        self.turn = 0
        self.set_clock(at(dt.date(self.year, 1, 3), 10))
        first = congress_services.session_create(
            actor=self.staff,
            congress=congress,
            number=1,
            meeting_date=dt.date(self.year, 3, 20),
            collection_opens=at(dt.date(self.year, 1, 6), 8),
            collection_closes=at(dt.date(self.year, 3, 6), 18),
        )
        opens = self.today - dt.timedelta(days=80)
        self.set_clock(at(opens - dt.timedelta(days=5), 10))
        second = congress_services.session_create(
            actor=self.staff,
            congress=congress,
            number=2,
            meeting_date=self.today + dt.timedelta(days=49),
            collection_opens=at(opens, 8),
            collection_closes=at(self.today + dt.timedelta(days=35), 18),
        )
        self.plan_first(first)
        self.plan_second(second)
        return {"first": first, "second": second}

    def next_proposer(self) -> Representative:
        rep = self.proposers[self.turn % len(self.proposers)]
        self.turn += 1
        return rep

    def pick_cosigners(
        self, proposer: Representative, count: int, *, member: bool = False
    ) -> list[Representative]:
        pool = [rep for rep in self.cosigners if rep != proposer and rep != self.member]
        picked = self.rng.sample(pool, min(count, len(pool)))
        if member and self.member is not None and self.member != proposer:
            picked = [self.member, *picked[: count - 1]]
        return picked

    def story(self, session: Session, key: str, variant: int, who: str | None, **extra: Any) -> Story:
        if who == "member" and self.member is not None:
            proposer = self.member
        elif who == "head" and self.heads:
            proposer = self.heads[self.turn % len(self.heads)]
            self.turn += 1
        else:
            proposer = self.next_proposer()
        if key in texts.TEMPLATE_BY_KEY:
            return Story(
                self,
                session=session,
                proposer=proposer,
                template=texts.TEMPLATE_BY_KEY[key],
                variant=variant,
                collective=who == "head",
                **extra,
            )
        unfit = next(u for u in texts.UNFIT if u.key == key)
        return Story(self, session=session, proposer=proposer, unfit=unfit)

    def rating(self) -> tuple[str, str, str]:
        ((attitude, result),) = self.rng.choices(
            [pair for pair, _ in CONTENT_RATINGS], [weight for _, weight in CONTENT_RATINGS]
        )
        comments = texts.SATISFIED_COMMENTS if result == SATISFIED else texts.BASIC_COMMENTS
        return attitude, result, self.rng.choice(comments)

    def evening(self, day: dt.date) -> dt.datetime:
        return at(day, 19 + self.rng.randrange(3), self.rng.randrange(60))

    def plan_first(self, session: Session) -> None:
        """第一次会议: every proposal handled to its end, then the year-end 回头看."""
        days, rng, year = self.days, self.rng, self.year
        reviews = [days.on_or_after(dt.date(year, 3, 10))]
        reviews += [days.add(reviews[0], 1), days.add(reviews[0], 2)]
        meeting = days.on_or_after(dt.date(year, 3, 27))  # 提案交办会
        kept: dict[str, Story] = {}
        followups: list[tuple[Story, bool]] = []
        for number, (key, variant, who, outcome, flags) in enumerate(S1_PLAN):
            story = self.story(session, key, variant, who)
            drafted = self.evening(dt.date(year, 1, 6) + dt.timedelta(days=rng.randrange(0, 48)))
            if outcome == "late":
                story.late = True
                drafted = self.evening(dt.date(year, 3, 3))
                submitted = at(dt.date(year, 3, 8), 10, 12)
            else:
                submitted = min(
                    drafted + dt.timedelta(days=rng.randint(3, 6), hours=1), at(dt.date(year, 3, 5), 21)
                )
            decline = 1 if rng.random() < 0.12 else 0
            cosigners = self.pick_cosigners(story.proposer, 2 + decline, member="with_member" in flags)
            story.collect(
                drafted,
                submitted,
                cosigners=cosigners,
                accept=len(cosigners) - decline,
                decline=decline,
                quiet=True,
            )
            review_day = reviews[number % 3]
            decided = at(review_day, 9, 0) + dt.timedelta(minutes=7 * (number // 3))
            if outcome == "withdrawn":
                story.withdraw(at(dt.date(year, 3, 7), 9, 20), texts.WITHDRAW_REASONS[0])
                continue
            if outcome == "rejected":
                story.reject(decided)
                continue
            if outcome == "merged":
                story.merge_into(at(reviews[2], 15, number % 60), kept[key])
                continue
            kept.setdefault(key, story)
            story.accept(decided)
            if "reps_only" in flags:
                story.visibility(decided + dt.timedelta(minutes=3), Proposal.Visibility.REPRESENTATIVES)
            assigned = meeting if rng.random() < 0.8 else days.add(meeting, 2)
            if "returned" in flags:
                story.assign(assigned, lead="保卫处", assists=("资产与实验室管理处",))
                story.give_back(days.add(assigned, 2))
                assigned = days.add(assigned, 4)
                story.assign(assigned, lead="资产与实验室管理处", assists=("保卫处",))
            else:
                story.assign(assigned)
            if "instruct" in flags:
                story.instruct(days.add(assigned, 1))
            if story.assists:
                story.inputs(days.add(assigned, rng.randint(3, 8)))
            assert story.due is not None and story.template is not None
            if "overdue" in flags:
                release = days.add(story.due, rng.randint(3, 4))
                story.supervise(days.add(story.due, 1))
            else:
                release = days.back(story.due, rng.randint(1, 10))
            story.answer(release, story.template.implementation, sent_back="sent_back" in flags)
            rated = release + dt.timedelta(days=rng.randint(1, 9))
            if outcome == "unrated":
                story.close_unrated(days.on_or_after(release + dt.timedelta(days=35)))
            elif outcome in ("rehandled", "closed_unsat"):
                comment = texts.UNSATISFIED_COMMENTS.get(key, texts.UNSATISFIED_DEFAULT)
                attitude = UNSATISFIED if key == "youth_housing" else BASIC
                story.rate(self.evening(rated), attitude, UNSATISFIED, comment)
                if outcome == "closed_unsat":
                    story.close_unsatisfied(
                        days.on_or_after(rated + dt.timedelta(days=5)), texts.UNSATISFIED_CLOSE_NOTE, "B"
                    )
                else:
                    story.rehandle(days.on_or_after(rated + dt.timedelta(days=4)))
                    assert story.due is not None
                    second = days.back(story.due, rng.randint(4, 8))
                    story.answer(second, "A" if key == "canteen" else "B", second_round=True)
                    story.rate(
                        self.evening(second + dt.timedelta(days=4)), SATISFIED, BASIC, texts.BASIC_COMMENTS[0]
                    )
            elif who == "member":
                story.rate(self.evening(rated), SATISFIED, SATISFIED, texts.SATISFIED_COMMENTS[0])
            else:
                story.rate(self.evening(rated), *self.rating())
            if "followup" in flags or "followup_sent_back" in flags:
                followups.append((story, "followup_sent_back" in flags))
        # The year-end 回头看.
        opened = days.on_or_after(dt.date(year, 12, 1))
        self.schedule(at(opened, 9), lambda: followup.followup_open(actor=self.committee, session=session))
        for number, (story, sent_back) in enumerate(followups):
            assert story.template is not None
            note = story.template.done or story.template.reply
            if sent_back:
                story.report(days.add(opened, 1), "A", note)
                story.decide_followup(days.add(opened, 3), confirm=False)
                story.report(days.add(opened, 5), "A", note)
                story.decide_followup(days.add(opened, 9), confirm=True)
            else:
                still = "B" if story.template.key in FOLLOWUP_STILL_B else "A"
                story.report(days.add(opened, 1 + number % 5), still, note)
                story.decide_followup(days.add(opened, 8 + number % 3), confirm=True)
        self.schedule(
            at(days.add(opened, 14), 17),
            lambda: followup.followup_close(actor=self.committee, session=session),
        )

    def plan_second(self, session: Session) -> None:
        """第二次会议: collection open now, proposals at every step (see ``S2_PLAN``)."""
        days, rng, today = self.days, self.rng, self.today
        opens = session.collection_opens + dt.timedelta(hours=1)
        kept: dict[str, Story] = {}
        first_assigned = today
        for key, variant, who, stage, options in S2_PLAN:
            story = self.story(session, key, variant, who, recurring=bool(options.get("recurring")))
            if stage == "draft":
                story.draft(
                    self.evening(today - dt.timedelta(days=options.get("day", 3))),
                    complete=not options.get("partial"),
                )
                continue
            if stage == "seeking":
                invited = self.pick_cosigners(story.proposer, 3)
                if who != "member":
                    invited = [rep for rep in invited if rep != self.member]
                    invited = [self.member, *invited][:3] if self.member is not None else invited
                drafted = self.evening(today - dt.timedelta(days=options.get("day", 5)))
                # The member login's invitation stays open; the others accept or decline as given.
                answered = [rep for rep in invited if rep != self.member]
                ordered = answered + [rep for rep in invited if rep == self.member]
                story.collect(
                    drafted,
                    None,
                    cosigners=ordered,
                    accept=options.get("accept", 1),
                    decline=options.get("decline", 0),
                )
                continue
            if stage in ("submitted", "accepted", "returned", "rejected", "withdrawn", "merged"):
                submitted = at(today - dt.timedelta(days=options.get("day", 6)), 21, rng.randrange(60))
                drafted = max(submitted - dt.timedelta(days=rng.randint(3, 5), hours=1), opens)
                story.collect(drafted, submitted, cosigners=self.pick_cosigners(story.proposer, 2), accept=2)
                if stage == "accepted":
                    story.accept(at(days.back(today, options.get("decided", 2)), 10, rng.randrange(60)))
                elif stage == "returned":
                    accepted = days.add(submitted.date(), 1)
                    story.accept(at(accepted, 10))
                    story.assign(days.add(accepted, 1), lead="人事处", assists=("后勤管理处",))
                    story.give_back(days.add(accepted, 3))
                elif stage == "rejected":
                    story.reject(at(days.add(submitted.date(), 3), 11))
                elif stage == "withdrawn":
                    story.withdraw(
                        at(submitted.date() + dt.timedelta(days=2), 12, 5), texts.WITHDRAW_REASONS[1]
                    )
                elif stage == "merged":
                    target = kept[key]
                    assert target.decided is not None
                    merged = max(
                        target.decided + dt.timedelta(minutes=20), submitted + dt.timedelta(hours=13)
                    )
                    story.merge_into(merged, target)
                continue
            # From here on the proposal is assigned: when depends on the deadline colour wanted.
            if "due" in options:
                offset = options["due"]
                due = days.add(today, offset) if offset > 0 else days.back(today, -offset)
                assigned = days.back(due, session.reply_working_days)
            else:
                assigned = days.back(today, options["ago"])
            first_assigned = min(first_assigned, assigned)
            decided = days.back(assigned, rng.randint(1, 2))
            submitted = at(decided - dt.timedelta(days=rng.randint(2, 4)), 21, rng.randrange(60))
            submitted = max(submitted, opens + dt.timedelta(hours=12))
            assert submitted < at(decided, 9), (key, submitted, decided)
            drafted = max(submitted - dt.timedelta(days=rng.randint(3, 5), hours=1), opens)
            cosigners = self.pick_cosigners(
                story.proposer, rng.choice([2, 3]), member=options.get("member_cosigns", False)
            )
            story.collect(
                drafted, submitted, cosigners=cosigners if who != "head" else [], accept=len(cosigners)
            )
            story.accept(at(decided, 10, rng.randrange(60)))
            kept.setdefault(key, story)
            story.assign(assigned)
            assert story.due is not None
            if options.get("instruct"):
                story.instruct(days.add(assigned, 1))
            if story.assists and days.add(assigned, 3) < today:
                story.inputs(days.add(assigned, 3))
            if options.get("supervise"):
                story.supervise(days.add(story.due, 1))
            if stage == "assigned":
                continue
            assert story.template is not None
            implementation = story.template.implementation
            if stage == "signoff":
                story.reply(at(days.back(today, options["sent"]), 16, rng.randrange(60)), implementation)
                continue
            release = days.back(today, options["released"])
            story.answer(release, implementation)
            if stage == "unsatisfied":
                comment = texts.UNSATISFIED_COMMENTS.get(key, texts.UNSATISFIED_DEFAULT)
                story.rate(self.evening(release + dt.timedelta(days=2)), UNSATISFIED, UNSATISFIED, comment)
            elif stage == "closed":
                story.rate(self.evening(release + dt.timedelta(days=2)), *self.rating())
        monday = first_assigned + dt.timedelta(days=(7 - first_assigned.weekday()) % 7)
        while monday < today:
            self.schedule(at(monday, 8, 30), functools.partial(supervision.reminders_send, today=monday))
            monday += dt.timedelta(days=7)

    def run(self) -> None:
        for step in sorted(self.steps):
            self.set_clock(step.moment)
            step.action()
        # Today's reminders (the daily job would send them this morning).
        self.set_clock(at(self.today, 8, 30))
        supervision.reminders_send(today=self.today)
        self.clock.moment = None


def seed_proposals(
    *, staff: Any, approver: Any, root: OrgUnit, branches: list[OrgUnit], seed: int
) -> dict[str, int]:
    """The calendar, the handling offices and the staff congress with its two sessions (module docstring).
    ``branches`` are the units that send a delegation each; ``staff`` and ``approver`` are the union office
    login and the union chair."""
    demo = Demo(staff=staff, approver=approver, root=root, branches=branches, seed=seed)
    start = dt.date(demo.year - 1, 12, 1)
    with history(demo.clock):
        days = demo.seed_calendar()
        demo.days = Days(dt.date(demo.year - 1, 1, 1), demo.today + dt.timedelta(days=400))
        congress_services.ensure_default_categories()
        demo.categories = {
            category.name: category
            for category in Category.objects.filter(parent__isnull=False, is_active=True)
        }
        demo.seed_offices(start)
        congress, reps = demo.seed_congress(start)
        committee = demo.seed_committee(congress, reps, start)
        demo.plan(congress, reps, committee)
        demo.run()
    # A year-old message was read long ago: only the recent ones wait in the inboxes.
    Notification.objects.filter(
        kind__startswith="proposals.", read_at__isnull=True, created_at__lt=demo.now - dt.timedelta(days=14)
    ).update(read_at=demo.now - dt.timedelta(days=14))
    return {
        "calendar_days": days,
        "offices": len(demo.offices),
        "representatives": len(reps),
        "proposals": Proposal.objects.count(),
    }
