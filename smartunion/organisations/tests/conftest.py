"""Fixtures of the organisations tests, on top of the shared ``tree`` and ``make_user``."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from smartunion.core.models import AuditEntry
from smartunion.organisations import services
from smartunion.organisations.models import OrgUnit, PositionKind


@pytest.fixture
def audit_log(db: Any) -> Callable[..., list[AuditEntry]]:
    """audit_log(**filters) → the organisations audit entries, oldest first (the role assignments made
    by fixtures are left out)."""

    def entries(**filters: Any) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(action__startswith="organisations.", **filters).order_by("id"))

    return entries


@pytest.fixture
def build_chain(db: Any) -> Callable[[int, str], list[OrgUnit]]:
    """build_chain(depth, prefix) → [root, child, grandchild, …] with the last unit at ``depth``."""

    def build(depth: int, prefix: str = "C") -> list[OrgUnit]:
        units = [
            services.unit_create(
                actor=None, name=f"{prefix}根", code=f"{prefix}0", union_type=OrgUnit.UnionType.SCHOOL
            )
        ]
        for level in range(1, depth + 1):
            units.append(
                services.unit_create(
                    actor=None,
                    name=f"{prefix}第{level}层",
                    code=f"{prefix}{level}",
                    union_type=OrgUnit.UnionType.BRANCH,
                    parent=units[-1],
                )
            )
        return units

    return build


@pytest.fixture
def chair_a(tree: Any, make_user: Any) -> Any:
    """分工会主席 of 机械工程学院 (A): edits and appoints inside A's subtree only."""
    return make_user("subunion_chair", tree.a, staff_no="CHAIRA", name="甲主席")


@pytest.fixture
def committee_a(tree: Any, make_user: Any) -> Any:
    """分工会委员 of A: may only look."""
    return make_user("subunion_committee", tree.a, staff_no="COMMA", name="甲委员")


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    """校工会 office staff: the whole school, including imports."""
    return make_user("union_staff", tree.root, staff_no="STAFF1", name="校工会干事")


@pytest.fixture
def chairman(db: Any) -> PositionKind:
    return PositionKind.objects.get(name="主席")


@pytest.fixture
def xlsx() -> Callable[[list[list[Any]]], bytes]:
    """xlsx([[cells of row 1], [row 2], …]) → the bytes of a one-sheet workbook (None = empty cell)."""

    def build(rows: list[list[Any]], *, merge_title: str | None = None) -> bytes:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "单位名单"
        for row in rows:
            sheet.append(row)
        if merge_title:
            sheet.merge_cells(merge_title)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    return build
