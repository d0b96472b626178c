"""Fixtures shared by the proposals tests (each part adds its own below, briefly)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import translation

from . import factories


@pytest.fixture(autouse=True)
def english_pages(settings: Any) -> Iterator[None]:
    """The tests quote the English messages (the Chinese catalogue is checked by
    scripts/check_translations.py and seen in the browser tests)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def congress(tree: Any, make_user: Any) -> SimpleNamespace:
    """An open session of 第五届教代会 with two delegations, four full representatives (rep1–rep4, with
    accounts), one observer, a member who is no representative, the committee secretary (union_staff),
    two offices (后勤管理处 with staff and head, 人事处 with staff) with a supervising leader, and the
    categories."""
    session = factories.make_session()
    congress = session.congress
    d1 = factories.make_delegation(congress, "机械学院代表团", tree.a)
    d2 = factories.make_delegation(congress, "外语学院代表团", tree.b)
    reps = [
        factories.make_representative(
            congress, d1 if i < 2 else d2, unit=tree.a if i < 2 else tree.b, name=f"代表{i + 1}"
        )
        for i in range(4)
    ]
    observer = factories.make_representative(congress, d1, unit=tree.a, name="列席者", kind="observer")
    outsider = factories.make_person_with_user(tree.a, name="普通会员")
    committee = make_user("proposal_committee", tree.root, name="提案委秘书")
    leader = make_user("school_leader", tree.root, name="分管副校长")
    logistics_staff = make_user("handling_office", tree.root, name="后勤经办")
    logistics_head = make_user("handling_office", tree.root, name="后勤处长")
    hr_staff = make_user("handling_office", tree.root, name="人事经办")
    logistics = factories.make_office(
        "后勤管理处", staff=[logistics_staff], head=logistics_head, leader=leader
    )
    hr = factories.make_office("人事处", staff=[hr_staff], leader=leader)
    return SimpleNamespace(
        session=session,
        congress=congress,
        delegations=[d1, d2],
        reps=reps,
        rep1=reps[0],
        rep2=reps[1],
        rep3=reps[2],
        rep4=reps[3],
        observer=observer,
        outsider=outsider,
        committee=committee,
        leader=leader,
        logistics=logistics,
        logistics_staff=logistics_staff,
        logistics_head=logistics_head,
        hr=hr,
        hr_staff=hr_staff,
        categories=factories.make_categories(),
    )
