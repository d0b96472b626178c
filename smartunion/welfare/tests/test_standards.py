"""The benefit standards (慰问标准): the seeded Jiangsu figures, effective dates, the yearly cap across the
festival items, the forms the 八不准 refuse, who is eligible, every bad input and who may change them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smartunion.core.models import AuditEntry
from smartunion.welfare.models import (
    CapGroup,
    CareEventType,
    Form,
    GroupCap,
    WelfareItem,
    WelfareStandard,
)
from smartunion.welfare.selectors import standards as selectors
from smartunion.welfare.services import issuing
from smartunion.welfare.services import standards as services

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def office(tree: Any, make_user: Any) -> Any:
    """Union staff at the top of the tree: may manage the standards."""
    return make_user("union_staff", tree.root)


def item(code: str) -> WelfareItem:
    return WelfareItem.objects.get(code=code)


def save(actor: Any, target: WelfareItem, **values: Any) -> WelfareStandard:
    fields: dict[str, Any] = {
        "effective_from": dt.date(2026, 7, 1),
        "cap_per_event": D("500"),
        "allowed_forms": ["in_kind", "voucher"],
        "eligible_statuses": ["full", "temporary"],
    }
    fields.update(values)
    return services.standard_save(actor=actor, item=target, **fields)


def give(person: Any, target: WelfareItem, amount: str, day: dt.date, n: int) -> None:
    issuing.issue(
        key=f"test:{target.code}:{person.pk}:{n}",
        item=target,
        person=person,
        unit=person.unit,
        amount=D(amount),
        form=Form.IN_KIND,
        day=day,
    )


# -- the seeded defaults ----------------------------------------------------------------------------------


def test_the_jiangsu_festival_caps_are_seeded_with_their_sources():
    group = CapGroup.objects.get(code="festival")
    assert group.name == "节日慰问"
    caps = [
        (c.effective_from, c.effective_to, c.cap_per_member_year)
        for c in group.caps.order_by("effective_from")
    ]
    assert caps == [
        (dt.date(2015, 1, 1), dt.date(2017, 12, 31), D("1000")),
        (dt.date(2018, 1, 1), dt.date(2024, 12, 31), D("1800")),
        (dt.date(2025, 1, 1), None, D("2200")),
    ]
    assert all(cap.source for cap in group.caps.all())
    assert "苏工发〔2025〕8号" in group.caps.get(effective_from=dt.date(2025, 1, 1)).source


def test_every_item_of_the_issue_is_seeded_with_a_standard_in_force():
    names = set(WelfareItem.objects.values_list("name", flat=True))
    expected = {
        "新年",
        "春节",
        "清明",
        "劳动节",
        "端午",
        "中秋",
        "国庆",
        "生日",
        "结婚",
        "生育",
        "生病住院",
        "手术",
    }
    assert expected | {"本人去世", "直系亲属去世", "退休", "六一", "三八"} <= names
    festivals = WelfareItem.objects.filter(kind=WelfareItem.Kind.FESTIVAL)
    assert festivals.count() == 7
    assert all(festival.group and festival.group.code == "festival" for festival in festivals)
    day = dt.date(2026, 3, 1)
    for each in WelfareItem.objects.all():
        assert selectors.standard_on(each, day) is not None, each
    for festival in festivals:
        forms = selectors.standard_on(festival, day).allowed_forms  # type: ignore[union-attr]
        assert set(forms) == {"in_kind", "voucher"}
    assert "cash" in selectors.standard_on(item("hospital"), day).allowed_forms  # type: ignore[union-attr]
    assert item("hospital").expense_category_code == "50203"
    assert item("hardship").expense_category_code == "50202"


def test_the_birthday_figure_of_2015_is_confirmed_and_what_was_not_found_is_to_be_confirmed():
    birthday = item("birthday")
    old = selectors.standard_on(birthday, dt.date(2020, 5, 1))
    assert old is not None and old.cap_per_event == D("300") and not old.needs_confirmation
    new = selectors.standard_on(birthday, dt.date(2026, 5, 1))
    assert new is not None and new.needs_confirmation and "未查到" in new.source
    for code in ("wedding", "childbirth", "hospital", "death", "family_death", "retirement"):
        standard = selectors.standard_on(item(code), dt.date(2026, 5, 1))
        assert standard is not None and standard.needs_confirmation, code
        assert "江苏标准未查到" in standard.source, code
    assert selectors.standard_on(item("death"), dt.date(2026, 5, 1)).cap_per_event == D("2000")  # type: ignore[union-attr]


def test_a_festival_is_to_be_confirmed_only_where_it_names_a_figure():
    day = dt.date(2026, 5, 1)
    spring = selectors.standard_on(item("spring_festival"), day)
    qingming = selectors.standard_on(item("qingming"), day)
    assert spring is not None and spring.amount == D("800") and spring.needs_confirmation
    assert qingming is not None and qingming.amount is None and not qingming.needs_confirmation
    assert selectors.suggested_amount(item("qingming"), day) is None


def test_the_care_event_types_of_the_five_visits_are_seeded_with_their_items():
    types = {t.code: t for t in CareEventType.objects.select_related("item")}
    for code in (
        "hospital",
        "wedding",
        "childbirth",
        "death",
        "family_death",
        "retirement",
        "hardship",
        "accident",
    ):
        assert types[code].item is not None, code
        assert types[code].responsible == CareEventType.Level.SUBUNION
    assert types["serious_illness"].responsible == CareEventType.Level.SCHOOL
    assert types["death"].item == item("death")
    assert types["family_death"].item == item("family_death")


def test_seeding_again_changes_nothing_and_an_empty_table_is_seeded():
    counts = (WelfareItem.objects.count(), WelfareStandard.objects.count(), GroupCap.objects.count())
    assert services.seed_defaults() is False
    assert (WelfareItem.objects.count(), WelfareStandard.objects.count(), GroupCap.objects.count()) == counts
    CareEventType.objects.all().delete()
    WelfareItem.objects.all().delete()
    GroupCap.objects.all().delete()
    CapGroup.objects.all().delete()
    assert services.seed_defaults() is True
    assert (WelfareItem.objects.count(), WelfareStandard.objects.count(), GroupCap.objects.count()) == counts
    assert CareEventType.objects.count() == 9


def test_an_edited_item_list_is_never_reseeded(office):
    services.item_save(actor=office, code="double_ninth", name="重阳", kind="other")
    CareEventType.objects.all().delete()
    WelfareItem.objects.exclude(code="double_ninth").delete()
    assert services.seed_defaults() is False
    assert list(WelfareItem.objects.values_list("code", flat=True)) == ["double_ninth"]


# -- effective dates --------------------------------------------------------------------------------------


def test_a_new_standard_ends_the_one_in_force_the_day_before(office):
    target = item("wedding")
    old = selectors.standard_on(target, dt.date(2026, 6, 30))
    new = save(office, target, effective_from=dt.date(2026, 7, 1), cap_per_event=D("1500"))
    old.refresh_from_db()  # type: ignore[union-attr]
    assert old.effective_to == dt.date(2026, 6, 30)  # type: ignore[union-attr]
    assert selectors.standard_on(target, dt.date(2026, 6, 30)) == old
    assert selectors.standard_on(target, dt.date(2026, 7, 1)) == new
    assert selectors.standard_on(target, dt.date(2030, 1, 1)) == new
    assert selectors.standard_on(target, dt.date(2024, 12, 31)) is None  # before any standard
    assert selectors.suggested_amount(target, dt.date(2026, 6, 1)) == D("1000")
    assert selectors.suggested_amount(target, dt.date(2026, 8, 1)) == D("1500")
    ended = AuditEntry.objects.get(action="welfare.standard.ended", target_id=str(old.pk))  # type: ignore[union-attr]
    assert ended.changes["effective_to"] == [None, "2026-06-30"]
    created = AuditEntry.objects.get(action="welfare.standard.created", target_id=str(new.pk))
    assert created.changes["cap_per_event"] == [None, "1500"]


def test_a_standard_put_before_a_later_one_ends_the_day_before_it(office):
    target = item("wedding")
    later = save(office, target, effective_from=dt.date(2027, 1, 1))
    between = save(office, target, effective_from=dt.date(2026, 7, 1), amount=D("400"))
    assert between.effective_to == dt.date(2026, 12, 31)
    assert selectors.standard_on(target, dt.date(2026, 9, 1)) == between
    assert selectors.standard_on(target, dt.date(2027, 3, 1)) == later
    assert selectors.suggested_amount(target, dt.date(2026, 9, 1)) == D("400")


def test_overlapping_periods_are_refused(office):
    target = item("wedding")
    save(office, target, effective_from=dt.date(2027, 1, 1))
    with pytest.raises(ValidationError) as error:
        save(office, target, effective_from=dt.date(2026, 7, 1), effective_to=dt.date(2027, 2, 1))
    assert "effective_to" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        save(office, target, effective_from=dt.date(2027, 1, 1))
    assert "effective_from" in error.value.message_dict


def test_a_standard_is_corrected_in_place_with_an_audit(office):
    target = item("wedding")
    standard = selectors.standard_on(target, dt.date(2026, 1, 1))
    assert standard is not None
    corrected = save(
        office,
        target,
        standard=standard,
        effective_from=standard.effective_from,
        cap_per_event=D("800"),
        needs_confirmation=True,
        source=standard.source,
        note=standard.note,
    )
    assert corrected.pk == standard.pk and corrected.cap_per_event == D("800")
    entry = AuditEntry.objects.get(action="welfare.standard.changed", target_id=str(standard.pk))
    assert entry.changes["cap_per_event"] == ["1000.00", "800"]


def test_a_new_yearly_cap_ends_the_one_in_force(office):
    group = CapGroup.objects.get(code="festival")
    cap = services.group_cap_save(
        actor=office, group=group, effective_from=dt.date(2027, 1, 1), cap_per_member_year=D("2400")
    )
    festival = item("spring_festival")
    assert selectors.group_cap_on(festival, dt.date(2026, 12, 31)).cap_per_member_year == D("2200")  # type: ignore[union-attr]
    assert selectors.group_cap_on(festival, dt.date(2027, 1, 1)) == cap
    assert selectors.group_cap_on(festival, dt.date(2016, 6, 1)).cap_per_member_year == D("1000")  # type: ignore[union-attr]
    assert selectors.group_cap_on(item("birthday"), dt.date(2027, 1, 1)) is None
    assert AuditEntry.objects.filter(action="welfare.group_cap.ended").count() == 1
    with pytest.raises(ValidationError) as error:
        services.group_cap_save(
            actor=office, group=group, effective_from=dt.date(2027, 1, 1), cap_per_member_year=D("1")
        )
    assert "effective_from" in error.value.message_dict


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"cap_per_member_year": D("-1")}, "cap_per_member_year"),
        ({"cap_per_member_year": D("1.001")}, "cap_per_member_year"),
        ({"effective_to": dt.date(2026, 1, 1)}, "effective_to"),
        ({"source": "x" * 301}, "source"),
    ],
)
def test_bad_caps_are_refused(office, values, field):
    fields = {"effective_from": dt.date(2027, 1, 1), "cap_per_member_year": D("2400")}
    fields.update(values)
    before = GroupCap.objects.count()
    with pytest.raises(ValidationError) as error:
        services.group_cap_save(actor=office, group=CapGroup.objects.get(code="festival"), **fields)
    assert field in error.value.message_dict
    assert GroupCap.objects.count() == before


# -- the yearly cap across the festival items -------------------------------------------------------------


def test_the_cap_room_counts_every_festival_of_the_year_together(make_person):
    person = make_person()
    day = dt.date(2026, 10, 1)
    spring, mid_autumn = item("spring_festival"), item("mid_autumn")
    assert selectors.cap_room(item=spring, person_id=person.pk, day=day) == D("2200")
    give(person, spring, "800", dt.date(2026, 2, 10), 1)
    give(person, item("dragon_boat"), "500", dt.date(2026, 6, 10), 1)
    give(person, mid_autumn, "500", dt.date(2026, 9, 20), 1)
    give(person, item("birthday"), "300", dt.date(2026, 5, 1), 1)  # not a festival: not counted
    give(person, spring, "900", dt.date(2025, 1, 20), 2)  # last year: not counted
    assert selectors.year_to_date(person_id=person.pk, group_id=spring.group_id, year=2026) == D("1800")
    assert selectors.cap_room(item=item("national_day"), person_id=person.pk, day=day) == D("400")
    give(person, item("national_day"), "600", day, 1)  # over the cap: the room never goes negative
    assert selectors.cap_room(item=spring, person_id=person.pk, day=day) == D("0")
    assert selectors.cap_room(item=item("birthday"), person_id=person.pk, day=day) is None


def test_the_cap_room_follows_the_cap_in_force_on_the_day(office, make_person):
    person = make_person()
    spring = item("spring_festival")
    give(person, spring, "1000", dt.date(2024, 2, 10), 1)
    assert selectors.cap_room(item=spring, person_id=person.pk, day=dt.date(2024, 12, 1)) == D("800")
    services.group_cap_save(
        actor=office,
        group=CapGroup.objects.get(code="festival"),
        effective_from=dt.date(2026, 7, 1),
        cap_per_member_year=D("2500"),
    )
    give(person, spring, "1000", dt.date(2026, 2, 10), 2)
    assert selectors.cap_room(item=spring, person_id=person.pk, day=dt.date(2026, 6, 30)) == D("1200")
    assert selectors.cap_room(item=spring, person_id=person.pk, day=dt.date(2026, 7, 1)) == D("1500")
    counted = selectors.year_to_date_many(person_ids=[person.pk], group_id=spring.group_id, year=2026)
    assert counted == {person.pk: D("1000")}


# -- forms (八不准) ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["cash", "shopping_card", "cash_coupon"])
def test_a_festival_standard_never_allows_cash_cards_or_coupons(office, form):
    before = WelfareStandard.objects.count()
    with pytest.raises(ValidationError) as error:
        save(office, item("mid_autumn"), allowed_forms=["in_kind", form])
    message = " ".join(error.value.message_dict["allowed_forms"])
    assert "八不准" in message
    assert WelfareStandard.objects.count() == before


def test_cash_is_allowed_for_a_hospital_visit_but_never_for_a_festival():
    day = dt.date(2026, 5, 1)
    assert selectors.check_form(item("hospital"), "cash", day=day) == ""
    assert "八不准" in selectors.check_form(item("spring_festival"), "cash", day=day)
    assert "八不准" in selectors.check_form(item("spring_festival"), "shopping_card", day=day)
    assert selectors.check_form(item("spring_festival"), "voucher", day=day) == ""
    assert "allows only" in selectors.check_form(item("retirement"), "cash", day=day)
    assert selectors.check_form(item("retirement"), "in_kind", day=day) == ""
    assert selectors.check_form(item("retirement"), "gold", day=day) != ""


def test_an_item_whose_standards_allow_cash_cannot_become_a_festival(office):
    hospital = item("hospital")
    with pytest.raises(ValidationError) as error:
        services.item_save(actor=office, item=hospital, code="hospital", name="生病住院", kind="festival")
    assert "八不准" in " ".join(error.value.message_dict["kind"])
    hospital.refresh_from_db()
    assert hospital.kind == WelfareItem.Kind.LIFE_EVENT


# -- eligibility ------------------------------------------------------------------------------------------


def test_in_service_members_are_eligible_and_retirees_only_where_configured(office):
    standard = selectors.standard_on(item("spring_festival"), dt.date(2026, 1, 1))
    assert selectors.eligibility("full", standard) == ""
    assert selectors.eligibility("temporary", standard) == ""
    assert "Membership retained" in selectors.eligibility("retained", standard)
    assert selectors.eligibility("none", standard) != ""
    assert selectors.eligibility("", standard) != ""
    assert selectors.eligibility("full", None) != ""
    with_retirees = save(
        office,
        item("death"),
        effective_from=dt.date(2026, 7, 1),
        eligible_statuses=["full", "temporary", "retained"],
    )
    assert selectors.eligibility("retained", with_retirees) == ""


def test_the_event_cap_is_read_on_the_day():
    hospital = item("hospital")
    assert selectors.over_event_cap(hospital, D("1000"), dt.date(2026, 1, 1)) == ""
    assert "1000" in selectors.over_event_cap(hospital, D("1000.01"), dt.date(2026, 1, 1))


# -- bad input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"effective_from": None}, "effective_from"),
        ({"effective_to": dt.date(2026, 6, 30)}, "effective_to"),
        ({"amount": D("600"), "cap_per_event": D("500")}, "amount"),
        ({"amount": D("-1")}, "amount"),
        ({"cap_per_event": D("-5")}, "cap_per_event"),
        ({"cap_per_event": D("1.005")}, "cap_per_event"),
        ({"allowed_forms": []}, "allowed_forms"),
        ({"allowed_forms": ["gold"]}, "allowed_forms"),
        ({"eligible_statuses": []}, "eligible_statuses"),
        ({"eligible_statuses": ["full", "applying"]}, "eligible_statuses"),
        ({"eligible_statuses": ["lapsed"]}, "eligible_statuses"),
        ({"source": "x" * 301}, "source"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_bad_standards_are_refused_by_field(office, values, field):
    before = list(WelfareStandard.objects.order_by("pk").values_list("pk", "effective_to"))
    with pytest.raises(ValidationError) as error:
        save(office, item("wedding"), **values)
    assert field in error.value.message_dict
    assert list(WelfareStandard.objects.order_by("pk").values_list("pk", "effective_to")) == before


def test_a_standard_of_another_item_is_refused(office):
    standard = selectors.standard_on(item("wedding"), dt.date(2026, 1, 1))
    with pytest.raises(ValidationError):
        save(office, item("childbirth"), standard=standard, effective_from=dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "Double Ninth"}, "code"),
        ({"code": ""}, "code"),
        ({"code": "birthday"}, "code"),  # taken
        ({"name": "  "}, "name"),
        ({"name": "长" * 51}, "name"),
        ({"kind": "party"}, "kind"),
        ({"expense_category_code": "401"}, "expense_category_code"),  # income, not expense
        ({"expense_category_code": "99999"}, "expense_category_code"),
        ({"sort_order": -1}, "sort_order"),
    ],
)
def test_bad_items_are_refused_by_field(office, values, field):
    fields: dict[str, Any] = {"code": "double_ninth", "name": "重阳", "kind": "other"}
    fields.update(values)
    before = WelfareItem.objects.count()
    with pytest.raises(ValidationError) as error:
        services.item_save(actor=office, **fields)
    assert field in error.value.message_dict
    assert WelfareItem.objects.count() == before


def test_a_festival_the_union_adds_joins_the_group_and_is_audited(office):
    group = CapGroup.objects.get(code="festival")
    added = services.item_save(
        actor=office, code="lantern", name="元宵", kind="festival", group=group, sort_order=15
    )
    assert added.group == group and added.expense_category_code == "50203"
    assert AuditEntry.objects.filter(action="welfare.item.created", target_id=str(added.pk)).exists()
    save(office, added, effective_from=dt.date(2026, 1, 1), amount=D("200"), cap_per_event=None)
    assert selectors.standard_on(added, dt.date(2026, 2, 1)).amount == D("200")  # type: ignore[union-attr]
    changed = services.item_save(
        actor=office, item=added, code="lantern", name="元宵节", kind="festival", group=group, is_active=False
    )
    assert changed.name == "元宵节" and not changed.is_active
    entry = AuditEntry.objects.get(action="welfare.item.changed", target_id=str(added.pk))
    assert entry.changes["name"] == ["元宵", "元宵节"]


def test_confirming_clears_the_mark_once_with_an_audit(office):
    standard = selectors.standard_on(item("wedding"), dt.date(2026, 1, 1))
    assert standard is not None and standard.needs_confirmation
    services.standard_confirm(actor=office, standard=standard)
    services.standard_confirm(actor=office, standard=standard)
    standard.refresh_from_db()
    assert not standard.needs_confirmation
    assert (
        AuditEntry.objects.filter(action="welfare.standard.confirmed", target_id=str(standard.pk)).count()
        == 1
    )
    cap = services.group_cap_save(
        actor=office,
        group=CapGroup.objects.get(code="festival"),
        effective_from=dt.date(2027, 1, 1),
        cap_per_member_year=D("2400"),
        needs_confirmation=True,
    )
    services.group_cap_confirm(actor=office, cap=cap)
    cap.refresh_from_db()
    assert not cap.needs_confirmation


# -- permissions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "at"), [("union_staff", "a"), ("subunion_chair", "root"), ("auditor", "root")]
)
def test_only_the_union_office_at_the_top_changes_the_standards(tree, make_user, role, at):
    user = make_user(role, getattr(tree, at))
    standard = selectors.standard_on(item("wedding"), dt.date(2026, 1, 1))
    group = CapGroup.objects.get(code="festival")
    calls = [
        lambda: save(user, item("wedding")),
        lambda: services.standard_confirm(actor=user, standard=standard),
        lambda: services.group_cap_save(
            actor=user, group=group, effective_from=dt.date(2027, 1, 1), cap_per_member_year=D("1")
        ),
        lambda: services.group_cap_confirm(actor=user, cap=group.caps.first()),
        lambda: services.item_save(actor=user, code="double_ninth", name="重阳", kind="other"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(PermissionDenied):
        services.item_save(actor=None, code="double_ninth", name="重阳", kind="other")
    assert not AuditEntry.objects.filter(action__startswith="welfare.").exists()
