"""The membership KPI panels on the console home: both rates against the 100 % target, in the officer's
scope, linking to the breakdown and to the people not yet counted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from smartunion.members import services
from smartunion.members.models import StaffCategory


@pytest.fixture
def make_person(tree: Any) -> Any:
    counter = {"n": 0}

    def make(unit: Any, **fields: Any) -> Any:
        counter["n"] += 1
        return services.person_create(
            actor=None,
            staff_no=f"K{counter['n']:03d}",
            name=f"教工{counter['n']}",
            sex="M",
            category=StaffCategory.objects.get(name="在编"),
            unit=unit,
            **fields,
        )

    return make


def _member(person: Any, n: int) -> None:
    services.membership.membership_transfer_in(
        actor=None,
        membership=person.membership,
        counterpart="某单位工会",
        letter_no=f"PANEL-{n}",
        original_joined_on=dt.date(2015, 1, 1),
        on=dt.date(2015, 1, 1),
    )


def test_panels_show_both_rates_in_scope(client: Any, tree: Any, make_user: Any, make_person: Any) -> None:
    today = timezone.localdate()
    joined = make_person(unit=tree.a, hire_date=dt.date(2010, 1, 1))
    _member(joined, 1)
    make_person(unit=tree.a1, hire_date=dt.date(2010, 1, 1))  # not a member
    _member(make_person(unit=tree.b, hire_date=dt.date(2010, 1, 1)), 2)  # outside A
    make_person(unit=tree.a, hire_date=today)  # a new hire this year, not joined yet
    client.force_login(make_user("subunion_chair", tree.a))
    response = client.get("/console/")
    assert response.status_code == 200
    kpis = {kpi["key"]: kpi for kpi in response.context["kpis"]}
    rate = kpis["join_rate"]["report"].total
    assert (rate.numerator, rate.denominator, rate.rate) == (1, 3, Decimal("33.3"))  # the new hire counts
    hires = kpis["new_hires"]["report"].total
    assert (hires.numerator, hires.denominator) == (0, 1)
    body = response.content.decode()
    assert 'id="membership-kpis"' in body and "33.3%" in body and "100%" in body
    assert "/console/members/kpis/" in body
    assert "/console/members/kpis/people/?kpi=join_rate&amp;group=non_members" in body


def test_panels_need_the_members_permission(client: Any, tree: Any, make_user: Any) -> None:
    client.force_login(make_user("auditor", tree.root))
    response = client.get("/console/")
    assert response.status_code == 200
    assert response.context["kpis"] == []
    assert 'id="membership-kpis"' not in response.content.decode()


def test_empty_scope_shows_a_dash_not_a_division_error(client: Any, tree: Any, make_user: Any) -> None:
    client.force_login(make_user("union_staff", tree.root))
    response = client.get("/console/")
    kpis = response.context["kpis"]
    assert [kpi["report"].total.rate for kpi in kpis] == [None, None]
    assert "—" in response.content.decode()
