"""Deterministic generators of plausible staff data: the same seed gives the same university."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from smartunion.core.normalise import id_check_digit

from . import data

# Fixed, so a seed always produces the same people whatever day the demo is built.
REFERENCE_DATE = dt.date(2026, 9, 1)


@dataclass
class PersonSpec:
    staff_no: str
    name: str
    sex: str
    id_number: str
    birth_date: dt.date
    mobile: str
    category: str
    post_type: str
    hire_date: dt.date
    branch: str
    post_salary: Decimal
    grade_salary: Decimal


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_ids: set[str] = set()
        self.used_mobiles: set[str] = set()

    def name(self, sex: str) -> str:
        rng = self.rng
        surname = rng.choice(data.COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(data.SURNAMES)
        pool = data.GIVEN_MALE if sex == "M" else data.GIVEN_FEMALE
        given = rng.choice(pool) if rng.random() < 0.3 else rng.choice(pool) + rng.choice(pool)
        return surname + given

    def birth_date(self, min_age: int, max_age: int) -> dt.date:
        age_days = self.rng.randint(min_age * 365, max_age * 365 + 364)
        return REFERENCE_DATE - dt.timedelta(days=age_days)

    def id_number(self, birth: dt.date, sex: str) -> str:
        while True:
            region = self.rng.choice(data.REGIONS)
            sequence = self.rng.randint(0, 99)
            parity = self.rng.choice([1, 3, 5, 7, 9] if sex == "M" else [0, 2, 4, 6, 8])
            first17 = f"{region}{birth:%Y%m%d}{sequence:02d}{parity}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.used_mobiles:
                self.used_mobiles.add(number)
                return number

    def salaries(self, post_type: str, years: int) -> tuple[Decimal, Decimal]:
        rng = self.rng
        if post_type == "professional":
            level = min(13, max(1, 13 - years // 3 - rng.randint(0, 2)))
            post = 6665 - (level - 1) * 420
        elif post_type == "management":
            level = min(10, max(1, 10 - years // 4 - rng.randint(0, 1)))
            post = 5800 - (level - 1) * 430
        else:
            post = 1580 + min(years, 30) * 35
        grade = min(7000, 295 + years * 68 + rng.randint(-60, 60))
        return Decimal(max(post, 1580)), Decimal(max(grade, 170))

    def person(self, index: int, branch: str, mix: str) -> PersonSpec:
        rng = self.rng
        sex = "M" if rng.random() < 0.52 else "F"
        retired = rng.random() < data.RETIRED_SHARE
        if retired:
            birth = self.birth_date(61, 82)
            category = "退休"
        else:
            birth = self.birth_date(24, 59 if sex == "M" else 57)
            category = rng.choices(
                [c for c, _ in data.CATEGORY_SHARES], [w for _, w in data.CATEGORY_SHARES]
            )[0]
        if mix == "academic":
            post_type = rng.choices(["professional", "management", "support"], [0.82, 0.14, 0.04])[0]
        elif mix == "support":
            post_type = rng.choices(["support", "management", "professional"], [0.7, 0.2, 0.1])[0]
        else:
            post_type = rng.choices(["management", "professional", "support"], [0.7, 0.25, 0.05])[0]
        age_at_reference = (REFERENCE_DATE - birth).days // 365
        hire_date = dt.date(birth.year + rng.randint(23, 32), rng.choice([1, 3, 7, 9]), 1)
        if hire_date > REFERENCE_DATE:
            hire_date = dt.date(REFERENCE_DATE.year, 7, 1)
        # About one in eight young staff joined this year: the 新进教职工 the union must enrol.
        if not retired and age_at_reference < 36 and rng.random() < 0.12:
            hire_date = dt.date(REFERENCE_DATE.year, rng.choice([1, 3, 7]), 1)
        years = max(0, (REFERENCE_DATE - hire_date).days // 365)
        if retired:
            post_salary, grade_salary = Decimal("0"), Decimal("0")
        else:
            post_salary, grade_salary = self.salaries(post_type, years)
        return PersonSpec(
            staff_no=f"{100001 + index}",
            name=self.name(sex),
            sex=sex,
            id_number=self.id_number(birth, sex),
            birth_date=birth,
            mobile=self.mobile(),
            category=category,
            post_type=post_type,
            hire_date=hire_date,
            branch=branch,
            post_salary=post_salary,
            grade_salary=grade_salary,
        )

    def people(self, count: int) -> list[PersonSpec]:
        names = [b[0] for b in data.BRANCHES]
        weights = [b[4] for b in data.BRANCHES]
        mixes = {b[0]: b[5] for b in data.BRANCHES}
        # Every unit gets at least a few people; the rest follow the weights.
        branches = [names[i % len(names)] for i in range(min(count, len(names) * 4))]
        branches += self.rng.choices(names, weights, k=max(0, count - len(branches)))
        return [self.person(index, branch, mixes[branch]) for index, branch in enumerate(branches)]
