"""``manage.py seed_demo [--members N] [--seed S] [--if-empty]``: a realistic demo university.

About 30 sub-unions with their union groups under 江海大学工会, N staff with plausible names, ID numbers with
valid check digits, hire dates, categories and salaries, officers for every unit, and one login per
role (printed at the end). The same seed gives the same university. The tree and the officers go
through the services (so they have history); the thousands of people are bulk-inserted for speed.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from smartunion.accounts import roles as role_codes
from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, RoleAssignment, User
from smartunion.core.audit import audit
from smartunion.core.crypto import blind_index
from smartunion.demo import data
from smartunion.demo.activities import seed_activities
from smartunion.demo.appeals import seed_appeals
from smartunion.demo.finance import seed_finance
from smartunion.demo.generators import REFERENCE_DATE, Generator, PersonSpec
from smartunion.demo.hardship import seed_hardship
from smartunion.demo.memberships import seed_families, seed_lifecycle_examples, seed_memberships
from smartunion.demo.proposals import seed_proposals
from smartunion.demo.welfare import seed_welfare
from smartunion.members.models import Membership, Person, StaffCategory
from smartunion.members.services.membership import card_number
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit, PositionKind, UnitKind

BATCH = 2000
MIN_MEMBERS = 300
OFFICER_ROLES = [
    role_codes.SUBUNION_CHAIR,
    role_codes.SUBUNION_COMMITTEE,
    role_codes.UNION_STAFF,
    role_codes.UNION_CHAIR,
    role_codes.HANDLING_OFFICE,
    role_codes.AUDITOR,
    role_codes.SYSADMIN,
    role_codes.SCHOOL_LEADER,
    role_codes.PROPOSAL_COMMITTEE,
]


class Command(BaseCommand):
    help = "Load a realistic demo university (units, staff, officers, one login per role)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members", type=int, default=3000, help="number of staff to create (default 3000)"
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="random seed; the same seed gives the same data"
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing (but print the logins) if data exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if OrgUnit.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already holds a university; nothing was added.")
                self.print_logins()
                return
            raise CommandError(
                "The database already holds data. Seed an empty database (e.g. delete var/smartunion.sqlite3 "
                "and run `make demo` again), or pass --if-empty."
            )
        if options["members"] < 40:
            raise CommandError(
                "--members must be at least 40 (one login per role needs people in several units)."
            )
        started = time.monotonic()
        generator = Generator(options["seed"])
        with transaction.atomic():
            root, branches = self.create_tree()
            self.stdout.write(f"units: {OrgUnit.objects.count()} ({time.monotonic() - started:.1f}s)")
            people = generator.people(options["members"])
            by_branch = self.create_people(people, branches)
            self.stdout.write(f"people and accounts: {len(people)} ({time.monotonic() - started:.1f}s)")
            self.create_officers(root, branches, by_branch)
            everyone = [p for people in by_branch.values() for p in people]
            statuses = seed_memberships(everyone, seed=options["seed"])
            families = seed_families(everyone, seed=options["seed"])
            self.stdout.write(
                f"memberships: {sum(statuses.values())} ({statuses.get('full', 0)} full members), family members: "
                f"{families} ({time.monotonic() - started:.1f}s)"
            )
            self.settle_demo_logins()
            staff = RoleAssignment.objects.filter(role__code=role_codes.UNION_STAFF).order_by(
                "user__staff_no"
            )
            first_branch = next(iter(branches.values()))
            seed_lifecycle_examples(
                actor=staff.first().user if staff.exists() else None,  # type: ignore[union-attr]
                branch_people=list(
                    Person.objects.filter(unit__path__startswith=first_branch.path)
                    .select_related("membership", "category", "unit")
                    .order_by("staff_no")
                ),
            )
            books = self.seed_books(root, list(branches.values()), seed=options["seed"])
            self.stdout.write(
                f"finance and welfare: {books['requests']} spending requests, {books['months']} months of "
                f"income, {books['issued']} benefits issued, {books['care']} care events, "
                f"{books['files']} hardship files, {books['applications']} assistance applications, "
                f"{books['activities']} activities with {books['registrations']} registrations "
                f"({time.monotonic() - started:.1f}s)"
            )
            congress = seed_proposals(
                staff=self.first_holder(role_codes.UNION_STAFF, root),
                approver=self.first_holder(role_codes.UNION_CHAIR, root),
                root=root,
                branches=list(branches.values()),
                seed=options["seed"],
            )
            self.stdout.write(
                f"staff congress: {congress['representatives']} representatives, {congress['offices']} "
                f"handling offices, {congress['proposals']} proposals in two sessions, "
                f"{congress['calendar_days']} holidays and make-up days in the calendar "
                f"({time.monotonic() - started:.1f}s)"
            )
            appeals = seed_appeals(
                staff=self.first_holder(role_codes.UNION_STAFF, root), root=root, seed=options["seed"]
            )
            self.stdout.write(
                f"appeals: {appeals['appeals']} in {appeals['categories']} categories, {appeals['published']} "
                f"published as 常见问题, {appeals['router_versions']} router versions "
                f"({time.monotonic() - started:.1f}s)"
            )
            audit(
                actor=None,
                action="demo.seeded",
                changes={"members": options["members"], "seed": options["seed"]},
            )
        self.stdout.write(self.style.SUCCESS(f"Demo university ready in {time.monotonic() - started:.1f}s."))
        self.print_logins()

    # -- the books --------------------------------------------------------------------------------
    def first_holder(self, role: str, unit: OrgUnit) -> User:
        assignment = (
            RoleAssignment.objects.filter(role__code=role, unit=unit, revoked_at__isnull=True)
            .select_related("user")
            .order_by("user__staff_no")
            .first()
        )
        if assignment is None:
            raise CommandError(f"The demo needs a {role} at {unit.name}.")
        return assignment.user

    def seed_books(self, root: OrgUnit, branches: list[OrgUnit], *, seed: int) -> dict[str, int]:
        first_holder = self.first_holder
        chairs = {
            assignment.unit_id: assignment.user
            for assignment in RoleAssignment.objects.filter(
                role__code=role_codes.SUBUNION_CHAIR, unit__in=branches, revoked_at__isnull=True
            )
            .select_related("user")
            .order_by("-user__staff_no")  # the first holder (the demo login) wins
        }
        sub_unions = [branch for branch in branches if branch.union_type == OrgUnit.UnionType.BRANCH]
        staff, approver = (
            first_holder(role_codes.UNION_STAFF, root),
            first_holder(role_codes.UNION_CHAIR, root),
        )
        books = seed_finance(
            staff=staff,
            approver=approver,
            chairs=chairs,
            root=root,
            branches=sub_unions,
            seed=seed,
        )
        welfare = seed_welfare(
            staff=staff, approver=approver, chairs=chairs, root=root, branches=sub_unions, seed=seed
        )
        hardship = seed_hardship(
            staff=staff, approver=approver, chairs=chairs, root=root, branches=sub_unions, seed=seed
        )
        activities = seed_activities(
            staff=staff, approver=approver, chairs=chairs, root=root, branches=sub_unions, seed=seed
        )
        return {**books, **welfare, **hardship, **activities}

    # -- the tree ---------------------------------------------------------------------------------
    def create_tree(self) -> tuple[OrgUnit, dict[str, OrgUnit]]:
        kinds = {kind.name: kind for kind in UnitKind.objects.all()}
        root = org_services.unit_create(
            actor=None,
            name=data.ROOT_UNION,
            code="00",
            union_type=OrgUnit.UnionType.SCHOOL,
            short_name="校工会",
        )
        branches: dict[str, OrgUnit] = {}
        for order, (name, short, kind, level, _size, mix) in enumerate(data.BRANCHES, start=1):
            branch = org_services.unit_create(
                actor=None,
                name=name,
                code=f"{order:02d}",
                union_type=level,
                parent=root,
                kind=kinds.get(kind),
                short_name=short if short != name else "",
                sort_order=order * 10,
            )
            branches[name] = branch
            for alias in data.EXTRA_ALIASES.get(name, []):
                org_services.alias_add(actor=None, unit=branch, alias=alias)
            if level != OrgUnit.UnionType.BRANCH:
                continue
            if name == "机关":
                groups = [f"{office}工会小组" for office in data.OFFICES]
            elif mix == "support":
                groups = data.GROUPS_SUPPORT
            elif data.BRANCHES[order - 1][4] >= 5:
                groups = data.GROUPS_ACADEMIC
            else:
                groups = data.GROUPS_SMALL
            for number, group in enumerate(groups, start=1):
                org_services.unit_create(
                    actor=None,
                    name=group,
                    code=f"{order:02d}{number:02d}",
                    union_type=OrgUnit.UnionType.GROUP,
                    parent=branch,
                    sort_order=number * 10,
                )
        return root, branches

    # -- people -----------------------------------------------------------------------------------
    def create_people(
        self, people: list[PersonSpec], branches: dict[str, OrgUnit]
    ) -> dict[str, list[Person]]:
        categories = {category.name: category for category in StaffCategory.objects.all()}
        member_role = Role.objects.get(code=role_codes.MEMBER)
        password = make_password(data.DEMO_PASSWORD)  # hashed once: every demo account shares it
        by_branch: dict[str, list[Person]] = {name: [] for name in branches}
        for start in range(0, len(people), BATCH):
            chunk = people[start : start + BATCH]
            users = User.objects.bulk_create(
                [User(staff_no=p.staff_no, name=p.name, mobile=p.mobile, password=password) for p in chunk]
            )
            persons = [
                Person(
                    staff_no=p.staff_no,
                    name=p.name,
                    sex=p.sex,
                    # bulk_create skips the field's encryption hook only for raw SQL; Django still calls
                    # get_prep_value, so the plain value here is stored encrypted.
                    id_number=p.id_number,
                    id_number_hash=blind_index(p.id_number),
                    birth_date=p.birth_date,
                    mobile=p.mobile,
                    category=categories[p.category],
                    post_type=p.post_type,
                    hire_date=p.hire_date,
                    unit=branches[p.branch],
                    post_salary=p.post_salary,
                    grade_salary=p.grade_salary,
                    user=user,
                )
                for p, user in zip(chunk, users, strict=True)
            ]
            Person.objects.bulk_create(persons)
            RoleAssignment.objects.bulk_create(
                [
                    RoleAssignment(
                        user=user, role=member_role, unit=branches[p.branch], valid_from=p.hire_date
                    )
                    for p, user in zip(chunk, users, strict=True)
                ]
            )
            for person in persons:
                by_branch[person.unit.name].append(person)
        return by_branch

    # -- officers and logins ----------------------------------------------------------------------
    def create_officers(
        self, root: OrgUnit, branches: dict[str, OrgUnit], by_branch: dict[str, list[Person]]
    ) -> None:
        positions = {position.name: position for position in PositionKind.objects.all()}
        roles = {role.code: role for role in Role.objects.all()}
        start = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 2, month=12, day=1)

        def candidates(branch: str, sex: str | None = None) -> list[Person]:
            found = [
                p
                for p in by_branch[branch]
                if p.category.name == "在编"
                and p.birth_date is not None
                and 35 <= (REFERENCE_DATE - p.birth_date).days // 365 <= 57
            ]
            if sex:
                found = [p for p in found if p.sex == sex] or found
            return found or by_branch[branch]

        used: set[int] = set()

        everyone = [p for people in by_branch.values() for p in people]

        def pick(branch: str, sex: str | None = None) -> Person:
            # Someone of the unit if possible; in a small demo, anyone not yet holding a position.
            for person in [*candidates(branch, sex), *everyone]:
                if person.pk not in used:
                    used.add(person.pk)
                    return person
            raise CommandError("Not enough people for every officer position; use more --members.")

        def user_of(person: Person) -> User:
            assert person.user is not None  # every demo person has an account
            return person.user

        def appoint(person: Person, unit: OrgUnit, position: str, role: str | None) -> None:
            org_services.officer_appoint(
                actor=None, unit=unit, user=user_of(person), position=positions[position], start_date=start
            )
            if role:
                account_services.role_assign(
                    actor=None, user=user_of(person), role=roles[role], unit=unit, valid_from=start
                )

        # The school union: chair and vice-chairs decide, staff do the daily work, auditors check the money.
        appoint(pick("机关"), root, "主席", role_codes.UNION_CHAIR)
        appoint(pick("机关"), root, "常务副主席", role_codes.UNION_CHAIR)
        for _ in range(3):
            appoint(pick("机关"), root, "委员", role_codes.UNION_STAFF)
        appoint(pick("机关", "F"), root, "女工委员", role_codes.UNION_STAFF)
        for branch_name in ("经济与管理学院", "数学与统计学院", "图书馆"):
            appoint(pick(branch_name), root, "经审委员", role_codes.AUDITOR)
        admin = pick("现代教育技术中心")
        account_services.role_assign(
            actor=None, user=user_of(admin), role=roles[role_codes.SYSADMIN], unit=root, valid_from=start
        )
        User.objects.filter(pk=user_of(admin).pk).update(is_staff=True, is_superuser=True)
        # Handling offices answer proposals and appeals assigned to them.
        account_services.role_assign(
            actor=None,
            user=user_of(pick("后勤管理处")),
            role=roles[role_codes.HANDLING_OFFICE],
            unit=branches["后勤管理处"],
            valid_from=start,
        )
        # Every sub-union: a chair, two committee members (one the women's committee member); every group a leader.
        for name, branch in branches.items():
            appoint(pick(name), branch, "主席", role_codes.SUBUNION_CHAIR)
            appoint(pick(name), branch, "委员", role_codes.SUBUNION_COMMITTEE)
            appoint(pick(name, "F"), branch, "女工委员", role_codes.SUBUNION_COMMITTEE)
            for group in branch.children.all():
                appoint(pick(name), group, "组长", None)

    def settle_demo_logins(self) -> None:
        """The member login shows a full member with a card; the new-hire login is still to join."""
        logins = {login for _, login, _ in self.demo_logins()}
        member_login = self.demo_logins()[0][1] if self.demo_logins() else None
        person = Person.objects.filter(staff_no=member_login).select_related("membership").first()
        if person is not None and person.membership.status != Membership.Status.FULL:
            joined = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - 3)
            Membership.objects.filter(pk=person.membership.pk).update(
                status=Membership.Status.FULL,
                joined_on=joined,
                status_since=joined,
                card_no=card_number(joined, person.pk),
            )
        plain = (
            Person.objects.filter(unit__code="01", category__is_eligible=True)
            .exclude(staff_no__in=logins)
            .exclude(user__role_assignments__role__code__in=OFFICER_ROLES)
            .select_related("membership")
        )
        newcomer = (
            plain.filter(hire_date__year=REFERENCE_DATE.year).order_by("staff_no").first()
            or plain.order_by("-staff_no").first()
        )
        if newcomer is not None:
            Person.objects.filter(pk=newcomer.pk).update(hire_date=REFERENCE_DATE.replace(month=7, day=1))
            Membership.objects.filter(pk=newcomer.membership.pk).update(
                status=Membership.Status.NONE, joined_on=None, status_since=None, card_no=None
            )
            newcomer.membership.events.all().delete()

    def newcomer_login(self) -> tuple[str, str] | None:
        person = (
            Person.objects.filter(
                unit__code="01",
                hire_date__year=REFERENCE_DATE.year,
                membership__status=Membership.Status.NONE,
            )
            .exclude(user__role_assignments__role__code__in=OFFICER_ROLES)
            .select_related("unit")
            .order_by("staff_no")
            .first()
        )
        return (person.staff_no, f"{person.name} @ {person.unit.name}") if person else None

    def demo_logins(self) -> list[tuple[str, str, str]]:
        """(role name, login, where) for the first holder of each seeded role."""
        logins = []
        for role in Role.objects.order_by("sort_order"):
            holders = RoleAssignment.objects.filter(role=role, revoked_at__isnull=True)
            order: tuple[str, ...] = ("unit__code", "user__staff_no")
            if role.code == role_codes.MEMBER:  # a plain member, holding no other role
                officers = RoleAssignment.objects.exclude(role=role).values("user_id")
                holders = holders.exclude(user_id__in=officers).filter(unit__code="01")
            elif role.code == role_codes.HANDLING_OFFICE:
                # The one appointed with the officers (后勤管理处), not the other offices' staff added later.
                order = ("pk",)
            assignment = holders.select_related("user", "unit").order_by(*order).first()
            if assignment is not None:
                logins.append(
                    (role.name, assignment.user.staff_no, f"{assignment.user.name} @ {assignment.unit.name}")
                )
        return logins

    def print_logins(self) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for every account: {data.DEMO_PASSWORD}):")
        for role, login, who in self.demo_logins():
            self.stdout.write(f"  {role:<8} {login:<10} {who}")
        newcomer = self.newcomer_login()
        if newcomer is not None:
            self.stdout.write(f"  {'新入职（待入会）':<8} {newcomer[0]:<10} {newcomer[1]}")
