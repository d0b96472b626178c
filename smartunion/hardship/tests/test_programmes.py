"""Assistance programmes: the amount bands (lower inclusive, upper exclusive; gaps, overlaps and bad
amounts refused with messages naming the band), effective-dated rule versions (the previous one ends the
day before; a version in use is never edited), programme checks and the default programmes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smartunion.hardship.defaults import seed_programmes
from smartunion.hardship.models import AmountBand, AssistanceProgramme, ProgrammeRule
from smartunion.hardship.services import programmes as services
from smartunion.hardship.services.programmes import BandSpec, band_for, band_miss_message, rule_on

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


def _new_rule(office: Any, programme: Any, day: dt.date, bands: Any = None, **extra: Any) -> ProgrammeRule:
    return services.rule_create(
        actor=office,
        programme=programme,
        effective_from=day,
        staff_approval_limit=extra.pop("staff", "5000"),
        bands=bands or [("0", "10000", "1000"), ("10000", None, "3000")],
        **extra,
    )


# -- bands -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("5000", "2000"),  # the first lower bound is inclusive
        ("19999.99", "2000"),
        ("20000", "5000"),  # an upper bound is exclusive: 20,000 is in the next band
        ("49999.99", "5000"),
        ("50000", "10000"),
        ("900000", "10000"),  # the last band is open-ended
    ],
)
def test_band_for_lower_inclusive_upper_exclusive(value: str, amount: str) -> None:
    programme = factories.make_programme()
    rule = rule_on(programme, dt.date(2026, 6, 1))
    assert rule is not None
    band = band_for(rule, Decimal(value))
    assert band is not None and band.amount == Decimal(amount)


def test_values_outside_the_bands_are_named() -> None:
    programme = factories.make_programme(bands=(("5000", "20000", "2000"), ("20000", "50000", "5000")))
    rule = rule_on(programme, dt.date(2026, 6, 1))
    assert rule is not None
    assert band_for(rule, "4999.99") is None
    assert "below the first band (from 5000.00)" in band_miss_message(rule, "4999.99")
    assert band_for(rule, "50000") is None
    assert "at or above the last band's upper bound (50000.00)" in band_miss_message(rule, "50000")


def test_clean_bands_sorts_and_accepts_a_contiguous_set() -> None:
    bands = services.clean_bands([("20000", None, "5000"), ("5000", "20000", "2000")])
    assert [(b.lower, b.upper, b.amount) for b in bands] == [
        (Decimal("5000.00"), Decimal("20000.00"), Decimal("2000.00")),
        (Decimal("20000.00"), None, Decimal("5000.00")),
    ]


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        (
            [("0", "10000", "1000"), ("12000", None, "2000")],
            "There is a gap between Band 1 (0.00–10000.00) and Band 2",
        ),
        ([("0", "10000", "1000"), ("9000", None, "2000")], "Band 1 (0.00–10000.00) overlaps Band 2"),
        ([("0", None, "1000"), ("10000", "20000", "2000")], "only the last band may be open-ended"),
        ([("0", "10000", "0")], "Band 1 (0–10000): the amount must be more than 0."),
        ([("0", "10000", "-5")], "the amount must be more than 0"),
        ([("10000", "5000", "100")], "the upper bound must be above the lower bound"),
        ([("-1", "5000", "100")], "the lower bound cannot be negative"),
        ([("abc", "5000", "100")], "Band 1: enter the lower bound"),
        ([], "Add at least one amount band."),
    ],
)
def test_bad_bands_are_refused_naming_the_band(bands: Any, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        services.clean_bands(bands)
    assert any(message in text for text in refused.value.messages), refused.value.messages


# -- effective dating ----------------------------------------------------------------------------------


def test_a_new_version_ends_the_previous_one_the_day_before(office: Any) -> None:
    programme = factories.make_programme(effective_from=dt.date(2020, 1, 1))
    first = programme.rules.get()
    second = _new_rule(office, programme, dt.date(2026, 7, 1), yearly_limit_count=3)
    first.refresh_from_db()
    assert first.effective_to == dt.date(2026, 6, 30)
    assert second.effective_to is None
    assert rule_on(programme, dt.date(2026, 6, 30)) == first
    assert rule_on(programme, dt.date(2026, 7, 1)) == second
    assert rule_on(programme, dt.date(2019, 12, 31)) is None
    assert [(b.lower, b.upper) for b in second.bands.order_by("lower")] == [
        (Decimal("0.00"), Decimal("10000.00")),
        (Decimal("10000.00"), None),
    ]


def test_a_version_on_or_before_an_existing_start_is_refused(office: Any) -> None:
    programme = factories.make_programme(effective_from=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as refused:
        _new_rule(office, programme, dt.date(2020, 1, 1))
    assert "A version from 2020-01-01 already exists" in str(refused.value)
    assert programme.rules.count() == 1


def test_a_version_cannot_start_before_applications_that_used_the_current_one(
    office: Any, make_person: Any, tree: Any
) -> None:
    programme = factories.make_programme(effective_from=dt.date(2020, 1, 1))
    factories.make_application(person=make_person(tree.a1), actor=office, programme=programme)
    with pytest.raises(ValidationError, match="already use the current version"):
        _new_rule(office, programme, dt.date(2021, 1, 1))


def test_a_version_in_use_cannot_be_edited_but_an_unused_one_can(
    office: Any, make_person: Any, tree: Any
) -> None:
    programme = factories.make_programme()
    used = programme.rules.get()
    factories.make_application(person=make_person(tree.a1), actor=office, programme=programme)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.rule_update(actor=office, rule=used, staff_approval_limit="1", bands=[("0", None, "1")])
    future = _new_rule(office, programme, dt.date(2099, 1, 1))
    services.rule_update(
        actor=office,
        rule=future,
        staff_approval_limit="8000",
        bands=[("0", None, "700")],
        yearly_limit_count=1,
    )
    future.refresh_from_db()
    assert future.staff_approval_limit == Decimal("8000.00") and future.yearly_limit_count == 1
    assert list(future.bands.values_list("amount", flat=True)) == [Decimal("700.00")]


def test_bad_limits_and_bands_together_save_nothing(office: Any) -> None:
    programme = factories.make_programme()
    with pytest.raises(ValidationError) as refused:
        _new_rule(
            office,
            programme,
            dt.date(2027, 1, 1),
            bands=[("0", "100", "0")],
            staff="-1",
            yearly_limit_count=0,
        )
    assert set(refused.value.message_dict) >= {"bands", "staff_approval_limit", "yearly_limit_count"}
    assert programme.rules.count() == 1
    assert programme.rules.get().effective_to is None


def test_only_the_office_at_the_top_manages_programmes(tree: Any, make_user: Any) -> None:
    programme = factories.make_programme()
    staff_at_a = make_user("union_staff", tree.a)
    with pytest.raises(PermissionDenied):
        _new_rule(staff_at_a, programme, dt.date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        services.programme_create(actor=staff_at_a, code="x", name="x", condition_label="x")


# -- programmes ------------------------------------------------------------------------------------------


def test_programme_create_checks_the_expense_category(office: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.programme_create(
            actor=office, code="new_aid", name="新补助", condition_label="费用", expense_category_code="99999"
        )
    assert "There is no category 99999 in the chart" in str(refused.value)
    with pytest.raises(ValidationError, match="is not an expense category"):
        services.programme_create(
            actor=office, code="new_aid", name="新补助", condition_label="费用", expense_category_code="401"
        )
    programme = services.programme_create(
        actor=office, code="New Aid", name="新补助", condition_label="费用", expense_category_code="50201"
    )
    assert programme.code == "new_aid"
    with pytest.raises(ValidationError, match="Another programme has the code new_aid"):
        services.programme_create(
            actor=office, code="new_aid", name="又一个", condition_label="费用", expense_category_code="50201"
        )
    services.programme_update(actor=office, programme=programme, is_active=False, name="新补助（停）")
    programme.refresh_from_db()
    assert programme.is_active is False and programme.name == "新补助（停）"


def test_default_programmes_exist_once_and_are_marked_as_examples() -> None:
    # post_migrate created them in the test database already; seeding again adds nothing.
    assert seed_programmes() == 0
    temporary = AssistanceProgramme.objects.get(code="temporary_aid")
    love = AssistanceProgramme.objects.get(code="love_fund")
    assert temporary.name == "临时补助" and love.name == "爱心扶助金"
    assert "示例" in temporary.description and "管理办法" in love.description
    rule = rule_on(temporary, dt.date(2026, 6, 1))
    assert rule is not None
    assert (
        rule.yearly_limit_count,
        rule.yearly_limit_amount,
        rule.staff_approval_limit,
        rule.one_spouse_only,
    ) == (
        2,
        Decimal("10000.00"),
        Decimal("5000.00"),
        True,
    )
    assert band_for(rule, "4999") is None
    assert band_for(rule, "20000").amount == Decimal("5000.00")  # type: ignore[union-attr]
    love_rule = rule_on(love, dt.date(2026, 6, 1))
    assert love_rule is not None and love_rule.yearly_limit_count == 1
    assert love_rule.staff_approval_limit == Decimal("10000.00")
    assert band_for(love_rule, "50000").amount == Decimal("20000.00")  # type: ignore[union-attr]
    AssistanceProgramme.objects.filter(code="love_fund").delete()
    assert seed_programmes() == 1
    assert AmountBand.objects.filter(rule__programme__code="love_fund").count() == 2


def test_band_spec_labels_are_kept(office: Any) -> None:
    programme = factories.make_programme()
    rule = _new_rule(office, programme, dt.date(2030, 1, 1), bands=[BandSpec("0", None, "100", "全部")])
    assert rule.bands.get().label == "全部"
