"""Festival programmes: the draft's rules, the eligibility snapshot, the member's choice, the issue preview
and the issuance — once per member however often it runs, over-cap members listed, the cost posted once per
unit for exactly what was issued."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from smartunion.finance.models import Category, Entry, EntryLine
from smartunion.members.models import FamilyMember, Membership, MembershipEvent, Person, ServiceRecord
from smartunion.welfare.models import Entitlement, Issuance, Programme, Voucher, WelfareItem
from smartunion.welfare.selectors import programmes as selectors
from smartunion.welfare.services import issuing
from smartunion.welfare.services import programmes as services

from .programme_factories import (
    close_choice,
    make_budget_line,
    make_item,
    make_member,
    make_merchant,
    make_programme,
)

Status = Programme.Status


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.a, name="机械干事")


def _save_kwargs(tree: Any, **overrides: Any) -> dict[str, Any]:
    item = overrides.pop("item", None) or make_item()
    data = {
        "title": "2026年中秋节福利",
        "item": item,
        "unit": tree.a,
        "value_per_member": "300.00",
        "eligible_statuses": ["full"],
        "units": [],
        "counted_on": timezone.localdate(),
        "choice_deadline": timezone.now() + dt.timedelta(days=3),
        "budget_line": overrides.pop("budget_line", None) or make_budget_line(tree.a),
        "voucher_valid_from": timezone.localdate(),
        "voucher_valid_to": timezone.localdate() + dt.timedelta(days=30),
    }
    data.update(overrides)
    return data


def _errors(excinfo: Any) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# -- the draft ---------------------------------------------------------------------------------------------


def test_a_draft_is_saved_with_the_organisers_subtree_by_default(tree: Any, staff: Any) -> None:
    programme = services.programme_save(actor=staff, **_save_kwargs(tree))
    assert programme.status == Status.DRAFT
    assert list(programme.units.all()) == [tree.a]
    assert programme.value_per_member == Decimal("300.00")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"title": " "}, "title"),
        ({"value_per_member": "0"}, "value_per_member"),
        ({"value_per_member": "12.345"}, "value_per_member"),
        ({"value_per_member": "abc"}, "value_per_member"),
        ({"value_per_member": "900.00"}, "value_per_member"),  # above the standard's 800 per event
        ({"eligible_statuses": []}, "eligible_statuses"),
        ({"eligible_statuses": ["none"]}, "eligible_statuses"),
        ({"choice_deadline": None}, "choice_deadline"),
        ({"counted_on": None}, "counted_on"),
        ({"voucher_valid_to": None}, "voucher_valid_to"),
    ],
)
def test_bad_inputs_are_refused_with_the_field_named(
    tree: Any, staff: Any, override: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(actor=staff, **_save_kwargs(tree, **override))
    assert field in _errors(excinfo)
    assert not Programme.objects.exists()


def test_the_deadline_must_be_ahead_and_the_count_date_before_it(tree: Any, staff: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(
            actor=staff, **_save_kwargs(tree, choice_deadline=timezone.now() - dt.timedelta(hours=1))
        )
    assert "choice_deadline" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(
            actor=staff, **_save_kwargs(tree, counted_on=timezone.localdate() + dt.timedelta(days=10))
        )
    assert "counted_on" in _errors(excinfo)


def test_units_outside_the_organiser_and_organisers_outside_the_scope_are_refused(
    tree: Any, staff: Any
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(actor=staff, **_save_kwargs(tree, units=[tree.b1]))
    assert "units" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(
            actor=staff, **_save_kwargs(tree, unit=tree.b, budget_line=make_budget_line(tree.b))
        )
    assert "unit" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:  # a 工会小组 does not organise benefits
        services.programme_save(actor=staff, **_save_kwargs(tree, unit=tree.a1, units=[]))
    assert "unit" in _errors(excinfo)


def test_the_budget_line_must_be_the_organisers_and_cover_the_items_category(tree: Any, staff: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(actor=staff, **_save_kwargs(tree, budget_line=make_budget_line(tree.b)))
    assert "budget_line" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:  # 文体活动 does not cover 慰问
        services.programme_save(
            actor=staff, **_save_kwargs(tree, budget_line=make_budget_line(tree.a, code="50101"))
        )
    assert "budget_line" in _errors(excinfo)
    # The parent category 维权支出 covers 慰问.
    services.programme_save(
        actor=staff, **_save_kwargs(tree, budget_line=make_budget_line(tree.a, code="502"))
    )


def test_an_item_without_a_standard_or_inactive_is_refused(tree: Any, staff: Any) -> None:
    item = make_item()
    item.standards.all().delete()
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(actor=staff, **_save_kwargs(tree, item=item))
    assert "item" in _errors(excinfo)
    inactive = make_item()
    inactive.is_active = False
    inactive.save()
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(actor=staff, **_save_kwargs(tree, item=inactive))
    assert "item" in _errors(excinfo)


def test_statuses_must_be_allowed_by_the_standard(tree: Any, staff: Any) -> None:
    item = make_item(statuses=("full", "temporary"))
    with pytest.raises(ValidationError) as excinfo:
        services.programme_save(actor=staff, **_save_kwargs(tree, item=item, eligible_statuses=["retained"]))
    assert "eligible_statuses" in _errors(excinfo)


def test_festival_options_are_never_cash_and_follow_the_standards_forms(tree: Any, staff: Any) -> None:
    programme = services.programme_save(actor=staff, **_save_kwargs(tree, item=make_item(forms=("voucher",))))
    for form in ("cash", "shopping_card", "cash_coupon"):
        with pytest.raises(ValidationError) as excinfo:
            services.option_save(actor=staff, programme=programme, name="现金", form=form)
        assert "form" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:  # the standard allows vouchers only
        services.option_save(actor=staff, programme=programme, name="礼盒", form="in_kind")
    assert "form" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:  # a voucher names its merchants
        services.option_save(actor=staff, programme=programme, name="提货券", form="voucher")
    assert "merchants" in _errors(excinfo)
    option = services.option_save(
        actor=staff, programme=programme, name="提货券", form="voucher", merchants=[make_merchant()]
    )
    programme.refresh_from_db()
    assert programme.default_option_id == option.pk


def test_options_change_only_while_draft_and_the_default_moves_on_removal(tree: Any, staff: Any) -> None:
    make_member(tree.a)
    programme = make_programme(actor=staff, unit=tree.a)
    first, second = list(programme.options.order_by("sort_order"))
    assert programme.default_option_id == first.pk
    services.option_delete(actor=staff, option=first)
    programme.refresh_from_db()
    assert programme.default_option_id == second.pk
    services.programme_open(actor=staff, programme=programme)
    with pytest.raises(ValidationError):
        services.option_save(actor=staff, programme=programme, name="新增", form="in_kind")
    with pytest.raises(ValidationError):
        services.option_delete(actor=staff, option=second)
    with pytest.raises(ValidationError):
        services.programme_save(actor=staff, programme=programme, **_save_kwargs(tree))


def test_only_managers_of_the_organiser_change_a_programme(tree: Any, staff: Any, make_user: Any) -> None:
    programme = make_programme(actor=staff, unit=tree.a)
    outsider = make_user("union_staff", tree.b)
    committee = make_user("subunion_committee", tree.a)
    for actor in (outsider, committee):
        with pytest.raises(PermissionDenied):
            services.option_save(actor=actor, programme=programme, name="x", form="in_kind")
        with pytest.raises(PermissionDenied):
            services.programme_open(actor=actor, programme=programme)
        with pytest.raises(PermissionDenied):
            services.programme_issue(actor=actor, programme=programme)


# -- the snapshot ------------------------------------------------------------------------------------------


def test_the_snapshot_takes_the_statuses_and_units_on_the_date(tree: Any, staff: Any) -> None:
    today = timezone.localdate()
    full_a = make_member(tree.a)
    full_a1 = make_member(tree.a1)
    temporary = make_member(tree.a1, status="temporary")
    make_member(tree.a, status="retained")  # not a chosen status
    make_member(tree.a, status="none")
    make_member(tree.b)  # another sub-union
    joined_later = make_member(tree.a)
    MembershipEvent.objects.create(
        membership=joined_later.membership,
        kind="approved",
        occurred_on=today + dt.timedelta(days=1),
        from_status="applying",
        to_status="full",
    )
    left_later = make_member(tree.a, status="withdrawn")
    MembershipEvent.objects.create(
        membership=left_later.membership,
        kind="withdrawn",
        occurred_on=today + dt.timedelta(days=1),
        from_status="full",
        to_status="withdrawn",
    )
    programme = make_programme(actor=staff, unit=tree.a, statuses=("full", "temporary"))
    assert services.programme_open(actor=staff, programme=programme) == 4
    people = set(Entitlement.objects.filter(programme=programme).values_list("person_id", "unit_id"))
    assert people == {
        (full_a.pk, tree.a.pk),
        (full_a1.pk, tree.a1.pk),
        (temporary.pk, tree.a1.pk),
        (left_later.pk, tree.a.pk),  # a member on the counting date, whatever happened since
    }
    programme.refresh_from_db()
    assert programme.status == Status.CHOOSING


def test_the_snapshot_keeps_to_the_chosen_units(tree: Any, staff: Any) -> None:
    make_member(tree.a)
    in_group = make_member(tree.a1)
    programme = make_programme(actor=staff, unit=tree.a, units=(tree.a1,))
    services.programme_open(actor=staff, programme=programme)
    assert list(Entitlement.objects.filter(programme=programme).values_list("person_id", flat=True)) == [
        in_group.pk
    ]


def test_the_snapshot_inserts_a_thousand_rows_per_query(
    tree: Any, staff: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        make_member(tree.a)
    programme = make_programme(actor=staff, unit=tree.a)
    with django_assert_max_num_queries(40):  # constant: the checks, one select, one insert, the audit
        services.programme_open(actor=staff, programme=programme)


def test_opening_needs_options_a_default_and_members(tree: Any, staff: Any) -> None:
    empty = services.programme_save(actor=staff, **_save_kwargs(tree))
    with pytest.raises(ValidationError):
        services.programme_open(actor=staff, programme=empty)
    nobody = make_programme(actor=staff, unit=tree.a)  # no members in A yet
    with pytest.raises(ValidationError, match="No member"):
        services.programme_open(actor=staff, programme=nobody)
    nobody.refresh_from_db()
    assert nobody.status == Status.DRAFT
    assert not Entitlement.objects.exists()


# -- the choice --------------------------------------------------------------------------------------------


@pytest.fixture
def open_programme(tree: Any, staff: Any, make_user: Any) -> Any:
    member_user = make_user(name="张会员")
    member = make_member(tree.a, user=member_user)
    other_user = make_user(name="李会员")
    other = make_member(tree.a1, user=other_user)
    programme = make_programme(actor=staff, unit=tree.a)
    services.programme_open(actor=staff, programme=programme)
    return {
        "programme": programme,
        "member": member,
        "user": member_user,
        "other": other,
        "other_user": other_user,
        "options": list(programme.options.order_by("sort_order")),
    }


def _entitlement(programme: Programme, person: Any) -> Entitlement:
    return Entitlement.objects.get(programme=programme, person=person)


def test_a_member_chooses_and_may_change_until_the_deadline(open_programme: dict[str, Any]) -> None:
    programme, user = open_programme["programme"], open_programme["user"]
    gift, fruit = open_programme["options"]
    entitlement = _entitlement(programme, open_programme["member"])
    services.entitlement_choose(actor=user, entitlement=entitlement, option=fruit)
    services.entitlement_choose(actor=user, entitlement=entitlement, option=gift)
    entitlement.refresh_from_db()
    assert entitlement.option_id == gift.pk
    assert entitlement.chosen_at is not None
    assert [c.programme_id for c in selectors.choices_for_member(open_programme["member"])] == [programme.pk]
    close_choice(programme)
    with pytest.raises(ValidationError, match="closed"):
        services.entitlement_choose(actor=user, entitlement=entitlement, option=fruit)
    entitlement.refresh_from_db()
    assert entitlement.option_id == gift.pk
    assert selectors.choices_for_member(open_programme["member"]) == []


def test_a_member_chooses_only_their_own_and_only_this_programmes_options(
    open_programme: dict[str, Any], tree: Any, staff: Any
) -> None:
    programme = open_programme["programme"]
    entitlement = _entitlement(programme, open_programme["member"])
    with pytest.raises(PermissionDenied):
        services.entitlement_choose(
            actor=open_programme["other_user"], entitlement=entitlement, option=open_programme["options"][1]
        )
    foreign = make_programme(actor=staff, unit=tree.a, title="中秋")
    with pytest.raises(ValidationError):
        services.entitlement_choose(
            actor=open_programme["user"], entitlement=entitlement, option=foreign.options.first()
        )
    entitlement.refresh_from_db()
    assert entitlement.option_id is None


# -- the preview and the issuance --------------------------------------------------------------------------


def _give(person: Any, item: Any, amount: str) -> None:
    """An earlier benefit of the same cap group this year."""
    issuing.issue(
        key=f"earlier:{person.pk}:{item.pk}",
        item=item,
        person=person,
        unit=person.unit,
        amount=Decimal(amount),
        form="in_kind",
        day=timezone.localdate(),
    )


@pytest.fixture
def issued_world(tree: Any, staff: Any) -> dict[str, Any]:
    item = make_item(yearly_cap="1000.00")
    spring = make_item(yearly_cap=None)
    spring.group = item.group
    spring.save()
    people = [make_member(tree.a) for _ in range(3)] + [make_member(tree.a1) for _ in range(2)]
    _give(people[0], spring, "800.00")  # 800 + 300 > 1000: over the cap
    _give(people[1], spring, "700.00")  # 700 + 300 = 1000: exactly the cap, issued
    line = make_budget_line(tree.a, amount="5000.00")
    programme = make_programme(actor=staff, unit=tree.a, item=item, budget_line=line)
    services.programme_open(actor=staff, programme=programme)
    gift, fruit = list(programme.options.order_by("sort_order"))
    Entitlement.objects.filter(programme=programme, person=people[4]).update(option=fruit)
    close_choice(programme)
    return {"programme": programme, "people": people, "line": line, "gift": gift, "fruit": fruit}


def test_the_preview_counts_options_units_cost_budget_and_the_over_cap_list(
    issued_world: dict[str, Any], tree: Any
) -> None:
    preview = services.programme_preview_issue(issued_world["programme"])
    assert preview.ok, preview.problems
    assert preview.to_issue == 4
    assert preview.total == Decimal("1200.00")
    assert [(row["option"].name, row["count"], row["chosen"]) for row in preview.per_option] == [
        ("粽子礼盒", 3, 0),
        ("水果提货券", 1, 1),
    ]
    assert [(row["unit"]["name"], row["count"]) for row in preview.per_unit] == [
        (tree.a.name, 2),
        (tree.a1.name, 2),
    ]
    assert [o.entitlement.person_id for o in preview.over_cap] == [issued_world["people"][0].pk]
    assert preview.over_cap[0].year_to_date == Decimal("800.00")
    assert preview.budget.remaining == Decimal("5000.00")
    assert preview.remaining_after == Decimal("3800.00")


def test_issuing_waits_for_the_deadline(open_programme: dict[str, Any], staff: Any) -> None:
    preview = services.programme_preview_issue(open_programme["programme"])
    assert not preview.ok
    with pytest.raises(ValidationError, match="choose until"):
        services.programme_issue(actor=staff, programme=open_programme["programme"])


def _issue(staff: Any, programme: Programme, capture: Any) -> Programme:
    with capture(execute=True):
        services.programme_issue(actor=staff, programme=programme)
    programme.refresh_from_db()
    return programme


def _state(programme: Programme) -> dict[str, Any]:
    entries = Entry.objects.filter(source_type="welfare.programme", source_id=str(programme.pk))
    return {
        "issuances": sorted(Issuance.objects.filter(programme=programme).values_list("key", "amount")),
        "vouchers": Voucher.objects.filter(issuance__programme=programme).count(),
        "entries": sorted(entries.values_list("idempotency_key", flat=True)),
        "records": ServiceRecord.objects.filter(key__startswith=f"welfare.programme:{programme.pk}:").count(),
        "statuses": sorted(
            Entitlement.objects.filter(programme=programme).values_list("person_id", "status")
        ),
    }


def test_issuing_twice_issues_once_lists_the_over_cap_and_posts_the_issued_total(
    issued_world: dict[str, Any], staff: Any, tree: Any, django_capture_on_commit_callbacks: Any
) -> None:
    programme = _issue(staff, issued_world["programme"], django_capture_on_commit_callbacks)
    people = issued_world["people"]
    assert programme.status == Status.ISSUED
    first = _state(programme)
    assert len(first["issuances"]) == 4
    assert first["vouchers"] == 4
    assert first["records"] == 4
    assert first["entries"] == [
        f"welfare.programme:{programme.pk}:unit:{tree.a.pk}",
        f"welfare.programme:{programme.pk}:unit:{tree.a1.pk}",
    ]
    over = Entitlement.objects.get(programme=programme, person=people[0])
    assert over.status == Entitlement.Status.OVER_CAP
    assert "1000.00" in over.note
    assert not Issuance.objects.filter(programme=programme, person=people[0]).exists()
    # The chosen option, else the default; the voucher names the option's merchants.
    fruit_issue = Issuance.objects.get(programme=programme, person=people[4])
    assert fruit_issue.option_id == issued_world["fruit"].pk
    assert fruit_issue.voucher.goods == "水果提货券"
    assert Issuance.objects.get(programme=programme, person=people[2]).option_id == issued_world["gift"].pk
    # Posting amounts equal the issued total, unit by unit, at the organiser's unit on 慰问.
    comfort = Category.objects.get(code="50203")
    for unit in (tree.a, tree.a1):
        entry = Entry.objects.get(idempotency_key=f"welfare.programme:{programme.pk}:unit:{unit.pk}")
        issued = sum(Issuance.objects.filter(programme=programme, unit=unit).values_list("amount", flat=True))
        line = EntryLine.objects.get(entry=entry, category=comfort)
        assert line.amount == issued == Decimal("600.00")
        assert line.unit_id == tree.a.pk
        assert set(
            Issuance.objects.filter(programme=programme, unit=unit).values_list("entry_id_ref", flat=True)
        ) == {entry.pk}
    # Again: the service refuses an issued programme, and the task run again changes nothing.
    with pytest.raises(ValidationError):
        services.programme_issue(actor=staff, programme=programme)
    Programme.objects.filter(pk=programme.pk).update(status=Status.ISSUING)
    services.programme_issue_run(programme_id=programme.pk, actor_id=staff.pk)
    assert _state(programme) == first


def test_a_run_that_stopped_half_way_converges_on_a_re_run(
    issued_world: dict[str, Any], staff: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    programme = issued_world["programme"]
    monkeypatch.setattr(services, "ISSUE_CHUNK", 2)
    calls = {"n": 0}
    real_post = services._post

    def crash_after_first_chunk(**kwargs: Any) -> tuple[int, int]:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_chunk(**kwargs)

    real_chunk = services._issue_chunk
    monkeypatch.setattr(services, "_issue_chunk", crash_after_first_chunk)
    _issue(staff, programme, django_capture_on_commit_callbacks)  # the task fails (the worker logs it)
    assert programme.status == Status.ISSUING
    # The first chunk committed: one over the cap, one issued; nothing posted yet.
    assert Entitlement.objects.filter(programme=programme, status="eligible").count() == 3
    assert Issuance.objects.filter(programme=programme).count() == 1
    assert not Entry.objects.filter(source_type="welfare.programme").exists()
    monkeypatch.setattr(services, "_issue_chunk", real_chunk)
    assert services._post is real_post
    programme = _issue(staff, programme, django_capture_on_commit_callbacks)
    assert programme.status == Status.ISSUED
    state = _state(programme)
    assert len(state["issuances"]) == 4
    assert len(state["entries"]) == 2
    assert sum(
        EntryLine.objects.filter(
            entry__source_type="welfare.programme", entry__source_id=str(programme.pk), amount__gt=0
        ).values_list("amount", flat=True)
    ) == Decimal("1200.00")


def test_a_stop_budget_too_small_refuses_before_anything_is_issued(
    tree: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(3):
        make_member(tree.a)
    programme = make_programme(
        actor=staff, unit=tree.a, budget_line=make_budget_line(tree.a, amount="500.00")
    )
    services.programme_open(actor=staff, programme=programme)
    close_choice(programme)
    preview = services.programme_preview_issue(programme)
    assert preview.over_budget and not preview.ok
    with pytest.raises(ValidationError, match="Over budget"):
        services.programme_issue(actor=staff, programme=programme)
    assert not Issuance.objects.exists()
    programme.refresh_from_db()
    assert programme.status == Status.CHOOSING


def test_a_posting_refused_after_issuing_leaves_no_entry_and_a_re_run_completes_it(
    tree: Any, staff: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    for _ in range(2):
        make_member(tree.a)
    line = make_budget_line(tree.a, amount="600.00")
    programme = make_programme(actor=staff, unit=tree.a, budget_line=line)
    services.programme_open(actor=staff, programme=programme)
    close_choice(programme)
    real_post = services._post

    def budget_cut_meanwhile(**kwargs: Any) -> int:
        # Between the last chunk and the posting the line is cut (an adjustment): the books refuse.
        type(line).objects.filter(pk=line.pk).update(amount=Decimal("100.00"))
        return real_post(**kwargs)

    monkeypatch.setattr(services, "_post", budget_cut_meanwhile)
    programme = _issue(staff, programme, django_capture_on_commit_callbacks)
    assert programme.status == Status.ISSUING
    assert "Over budget" in services.last_error(programme)
    assert Issuance.objects.filter(programme=programme).count() == 2
    assert not Entry.objects.filter(source_type="welfare.programme").exists()
    monkeypatch.setattr(services, "_post", real_post)
    type(line).objects.filter(pk=line.pk).update(amount=Decimal("600.00"))
    programme = _issue(staff, programme, django_capture_on_commit_callbacks)
    assert programme.status == Status.ISSUED
    assert Issuance.objects.filter(programme=programme).count() == 2
    entry = Entry.objects.get(source_type="welfare.programme")
    assert entry.lines.get(amount__gt=0).amount == Decimal("600.00")


def test_the_member_history_lists_what_was_received_newest_first(
    issued_world: dict[str, Any], staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    programme = _issue(staff, issued_world["programme"], django_capture_on_commit_callbacks)
    person = issued_world["people"][1]
    history = list(selectors.history_for_member(person))
    assert [issuance.programme_id for issuance in history] == [programme.pk, None]
    assert history[0].amount == Decimal("300.00")
    assert selectors.history_for_member(None).count() == 0


def test_retained_members_only_when_chosen(tree: Any, staff: Any) -> None:
    retired = make_member(tree.a, status=Membership.Status.RETAINED)
    programme = make_programme(actor=staff, unit=tree.a, statuses=("full", "retained"))
    services.programme_open(actor=staff, programme=programme)
    assert Entitlement.objects.filter(programme=programme, person=retired).exists()


def test_a_womens_day_programme_is_for_women_members_only(tree: Any, staff: Any) -> None:
    woman = make_member(tree.a)  # the factory's members are women
    man = make_member(tree.a)
    Person.objects.filter(pk=man.pk).update(sex="M")
    item = make_item(kind=WelfareItem.Kind.WOMEN, yearly_cap=None)
    programme = make_programme(actor=staff, unit=tree.a, item=item, title="2027年三八节慰问")
    assert services.programme_open(actor=staff, programme=programme) == 1
    assert list(Entitlement.objects.filter(programme=programme).values_list("person_id", flat=True)) == [
        woman.pk
    ]


def test_a_childrens_day_programme_is_for_members_with_a_child_of_14_or_under(tree: Any, staff: Any) -> None:
    today = timezone.localdate()
    parent = make_member(tree.a)
    older_child = make_member(tree.a)
    make_member(tree.a)  # no child recorded
    FamilyMember.objects.create(
        person=parent, relation="child", name="小明", sex="M", birth_date=today - dt.timedelta(days=14 * 365)
    )
    FamilyMember.objects.create(
        person=older_child,
        relation="child",
        name="大明",
        sex="M",
        birth_date=today - dt.timedelta(days=16 * 366),
    )
    item = make_item(kind=WelfareItem.Kind.CHILDREN, yearly_cap=None)
    programme = make_programme(actor=staff, unit=tree.a, item=item, title="2027年六一慰问")
    assert services.programme_open(actor=staff, programme=programme) == 1
    assert Entitlement.objects.get(programme=programme).person_id == parent.pk
