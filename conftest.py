"""Fixtures shared by every test: a small union tree and users holding roles at its units."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from smartunion.accounts import services as account_services
from smartunion.accounts.models import Role, User
from smartunion.organisations import services as org_services
from smartunion.organisations.models import OrgUnit

DEFAULT_PASSWORD = "Secret-2026!"


@pytest.fixture
def tree(db: Any) -> SimpleNamespace:
    """江海大学工会 → 机械工程学院 (A) → 第一工会小组 (A1); 外国语学院 (B) → 第一工会小组 (B1)."""
    root = org_services.unit_create(
        actor=None, name="江海大学工会", code="00", union_type=OrgUnit.UnionType.SCHOOL
    )
    a = org_services.unit_create(
        actor=None,
        name="机械工程学院",
        code="01",
        union_type=OrgUnit.UnionType.BRANCH,
        parent=root,
        short_name="机械学院",
    )
    a1 = org_services.unit_create(
        actor=None, name="第一工会小组", code="0101", union_type=OrgUnit.UnionType.GROUP, parent=a
    )
    b = org_services.unit_create(
        actor=None, name="外国语学院", code="02", union_type=OrgUnit.UnionType.BRANCH, parent=root
    )
    b1 = org_services.unit_create(
        actor=None, name="第一工会小组", code="0201", union_type=OrgUnit.UnionType.GROUP, parent=b
    )
    return SimpleNamespace(root=root, a=a, a1=a1, b=b, b1=b1)


_counter = {"n": 0}


@pytest.fixture
def make_user(db: Any) -> Any:
    """make_user(role="subunion_chair", unit=tree.a) → an active user holding that role there."""

    def make(
        role: str | None = None,
        unit: OrgUnit | None = None,
        *,
        staff_no: str | None = None,
        name: str = "测试用户",
        **extra: Any,
    ) -> User:
        _counter["n"] += 1
        user = User.objects.create_user(staff_no or f"T{_counter['n']:05d}", name, DEFAULT_PASSWORD, **extra)
        if role:
            assert unit is not None, "a role is held at a unit"
            account_services.role_assign(actor=None, user=user, role=Role.objects.get(code=role), unit=unit)
            user.forget_grants()
        return user

    return make
