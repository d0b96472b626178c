"""The appeals taxonomy and routing settings: validation with messages naming the field, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from smartunion.appeals.models import Appeal, Category, Settings
from smartunion.appeals.services import taxonomy
from smartunion.appeals.tests.factories import make_appeal, make_category, make_member, make_office
from smartunion.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _errors(error: ValidationError) -> dict[str, Any]:
    return error.message_dict


def test_a_category_is_created_with_normalised_keywords() -> None:
    office = make_office("后勤管理处")
    category = taxonomy.category_create(
        actor=None,
        office=office.pk,
        name=" 食堂餐饮 ",
        description="饭菜质量",
        keywords="食堂，饭菜  早餐,食堂",
        acknowledge_working_days=1,
        reply_working_days=5,
    )
    assert (category.name, category.keywords, category.office) == ("食堂餐饮", "食堂 饭菜 早餐", office)
    assert AuditEntry.objects.filter(action="appeals.category.created").count() == 1


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"office": None}, "office"),
        ({"office": 999999}, "office"),
        ({"acknowledge_working_days": 0}, "acknowledge_working_days"),
        ({"reply_working_days": 500}, "reply_working_days"),
        ({"acknowledge_working_days": 5, "reply_working_days": 3}, "reply_working_days"),
        ({"name": "已有"}, "name"),
    ],
)
def test_a_category_is_refused_with_the_field_named(values: dict[str, Any], field: str) -> None:
    office = make_office()
    make_category(office, "已有")
    data: dict[str, Any] = {
        "office": office,
        "name": "新类别",
        "acknowledge_working_days": 2,
        "reply_working_days": 10,
    }
    data.update(values)
    with pytest.raises(ValidationError) as caught:
        taxonomy.category_create(actor=None, **data)
    assert field in _errors(caught.value)
    assert not Category.objects.filter(name="新类别").exists()


def test_an_update_is_audited_and_the_same_name_elsewhere_is_fine() -> None:
    first, second = make_office("甲处"), make_office("乙处")
    make_category(first, "报修")
    category = make_category(second, "其他")
    taxonomy.category_update(
        actor=None,
        category=category,
        office=second,
        name="报修",
        description="",
        keywords="",
        acknowledge_working_days=3,
        reply_working_days=12,
        sort_order=2,
        is_active=True,
    )
    category.refresh_from_db()
    assert (category.name, category.reply_working_days) == ("报修", 12)
    entry = AuditEntry.objects.get(action="appeals.category.updated")
    assert "reply_working_days" in entry.changes


def test_the_office_of_a_category_with_appeals_being_handled_does_not_change(tree: Any) -> None:
    """Appeals already at the old office would otherwise be answered by it under the new office's
    category: the move waits until they are answered."""
    old, new = make_office("甲处"), make_office("乙处")
    category = make_category(old, "报修")
    member = make_member(tree.a)
    appeal = make_appeal(member, status=Appeal.Status.ROUTED, category=category)
    values = {
        "name": "报修",
        "acknowledge_working_days": 2,
        "reply_working_days": 10,
    }
    with pytest.raises(ValidationError) as caught:
        taxonomy.category_update(actor=None, category=category, office=new, **values)
    assert "still has 1 open appeal at 甲处" in " ".join(_errors(caught.value)["office"])
    category.refresh_from_db()
    assert category.office == old
    # Other changes stay possible meanwhile.
    taxonomy.category_update(actor=None, category=category, office=old, **{**values, "reply_working_days": 8})
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.CLOSED)
    taxonomy.category_update(actor=None, category=category, office=new, **values)
    category.refresh_from_db()
    assert category.office == new


def test_deactivating_twice_is_refused() -> None:
    category = make_category(make_office())
    taxonomy.category_deactivate(actor=None, category=category)
    category.refresh_from_db()
    assert not category.is_active
    with pytest.raises(ValidationError, match="already out of use"):
        taxonomy.category_deactivate(actor=None, category=category)


@pytest.mark.parametrize("value", [-0.1, 1.01, "abc", None])
def test_the_threshold_must_be_between_0_and_1(value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        taxonomy.settings_update(
            actor=None, auto_route_confidence=value, escalate_after_working_days=2, retrain_every_confirmed=50
        )
    assert "auto_route_confidence" in caught.value.message_dict


def test_settings_are_saved_and_audited() -> None:
    taxonomy.settings_update(
        actor=None, auto_route_confidence="0.75", escalate_after_working_days=3, retrain_every_confirmed=20
    )
    settings = Settings.objects.get(pk=1)
    assert (
        settings.auto_route_confidence,
        settings.escalate_after_working_days,
        settings.retrain_every_confirmed,
    ) == (
        0.75,
        3,
        20,
    )
    assert AuditEntry.objects.filter(action="appeals.settings.updated").exists()
    with pytest.raises(ValidationError) as caught:
        taxonomy.settings_update(
            actor=None, auto_route_confidence=0.5, escalate_after_working_days=-1, retrain_every_confirmed=0
        )
    assert set(caught.value.message_dict) == {"escalate_after_working_days", "retrain_every_confirmed"}
