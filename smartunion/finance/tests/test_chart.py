"""The chart of categories: adding and changing categories, the tree rules, and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from smartunion.core.models import AuditEntry
from smartunion.finance import chart, selectors, services
from smartunion.finance.models import Category

from .conftest import DAY, spend

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root)


def add(actor: Any, **values: Any) -> Category:
    fields = {"code": "50104", "name": "工会小组活动", "kind": "expense", "overspend": "warn"}
    fields.update(values)
    return chart.category_save(actor=actor, **fields)


def test_a_sub_category_is_added_under_its_parent_with_an_audit(staff, chart):
    category = add(staff, parent=chart["501"])
    assert (category.parent, category.kind, category.overspend) == (chart["501"], "expense", "warn")
    entry = AuditEntry.objects.get(action="finance.category.created", target_id=str(category.pk))
    assert entry.changes["code"] == [None, "50104"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"code": "5 01"}, "code"),
        ({"code": ""}, "code"),
        ({"code": "50101"}, "code"),  # taken
        ({"name": "  "}, "name"),
        ({"kind": "asset"}, "kind"),
        ({"overspend": "maybe"}, "overspend"),
        ({"code": "40104"}, "code"),  # does not extend the parent's code 501
        ({"kind": "income"}, "kind"),  # the parent is an expense category
        ({"valid_from": dt.date(2026, 5, 1), "valid_to": dt.date(2026, 4, 1)}, "valid_to"),
    ],
)
def test_bad_categories_are_refused_by_field(staff, chart, values, field):
    before = Category.objects.count()
    with pytest.raises(ValidationError) as error:
        add(staff, parent=chart["501"], **values)
    assert field in error.value.message_dict
    assert Category.objects.count() == before


def test_a_category_cannot_move_under_its_own_sub_category(staff, chart):
    with pytest.raises(ValidationError) as error:
        chart_save_same(staff, chart["501"], parent=chart["50101"], code="50101501")
    assert "under itself" in error.value.message_dict["parent"][0]


def chart_save_same(actor: Any, category: Category, **changes: Any) -> Category:
    values = {
        "code": category.code,
        "name": category.name,
        "kind": category.kind,
        "parent": category.parent,
        "overspend": category.overspend,
        "valid_from": category.valid_from,
        "valid_to": category.valid_to,
    }
    values.update(changes)
    return chart.category_save(actor=actor, category=category, **values)


def test_a_used_categorys_code_and_kind_are_fixed_but_its_name_and_rule_change(staff, chart, budget, tree):
    budget("50101", "1000.00")
    services.entry_post(
        actor=None,
        idempotency_key="k1",
        unit=tree.a,
        posted_on=DAY,
        memo="x",
        lines=spend(chart["50101"], "10"),
    )
    with pytest.raises(ValidationError) as error:
        chart_save_same(staff, chart["50101"], code="50111")
    assert "code is fixed" in error.value.message_dict["code"][0]
    changed = chart_save_same(staff, chart["50101"], name="文体活动（含社团）", overspend="warn")
    assert (changed.name, changed.overspend) == ("文体活动（含社团）", "warn")
    entry = AuditEntry.objects.get(action="finance.category.changed", target_id=str(changed.pk))
    assert entry.changes["overspend"] == ["stop", "warn"]


def test_an_ended_category_refuses_later_postings(staff, chart, budget, tree):
    budget("50103", "1000.00")
    chart_save_same(staff, chart["50103"], valid_to=dt.date(2026, 2, 28))
    with pytest.raises(ValidationError) as error:
        services.entry_post(
            actor=None,
            idempotency_key="k",
            unit=tree.a,
            posted_on=DAY,
            memo="培训",
            lines=spend(chart["50103"], "5"),
        )
    assert "not in use" in error.value.messages[0]


def test_a_parent_with_children_keeps_its_kind(staff, chart):
    with pytest.raises(ValidationError) as error:
        chart_save_same(staff, chart["502"], kind="income")
    assert "sub-categories" in " ".join(error.value.message_dict["kind"])


def test_only_the_union_office_at_the_top_changes_the_chart(tree, make_user, chart):
    for actor in (make_user("union_staff", tree.a), make_user("subunion_chair", tree.a), None):
        with pytest.raises(PermissionDenied):
            add(actor, parent=chart["501"])


def test_the_tree_is_in_order_with_depths_and_use(chart, budget, django_assert_num_queries):
    budget("50101", "1000.00")
    with django_assert_num_queries(3):
        rows = selectors.category_tree()
    codes = [row.category.code for row in rows]
    assert codes.index("501") < codes.index("50101") < codes.index("50102") < codes.index("502")
    by_code = {row.category.code: row for row in rows}
    assert (by_code["501"].depth, by_code["50101"].depth) == (0, 1)
    assert by_code["50101"].budget_lines == 1 and by_code["50102"].budget_lines == 0


# -- pages ---------------------------------------------------------------------------------------------


def test_the_chart_page_shows_the_tree_to_readers_without_change_links(client, tree, make_user, chart):
    client.force_login(make_user("auditor", tree.root))
    response = client.get(reverse("finance:category_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "会费收入" in body and "\u3000文体活动" in body
    assert reverse("finance:category_edit", args=[chart["501"].pk]) not in body
    assert reverse("finance:category_new") not in body


def test_the_chart_exports_to_excel(client, tree, make_user, chart):
    client.force_login(make_user("auditor", tree.root))
    response = client.get(reverse("finance:category_list") + "?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_office_adds_a_category_from_the_form(client, staff, chart):
    client.force_login(staff)
    page = client.get(reverse("finance:category_list"))
    assert reverse("finance:category_new") in page.content.decode()
    response = client.post(
        reverse("finance:category_new"),
        {
            "code": "50104",
            "name": "小组活动",
            "kind": "expense",
            "parent": chart["501"].pk,
            "overspend": "stop",
        },
    )
    assert response.status_code == 302
    assert Category.objects.get(code="50104").parent == chart["501"]


def test_a_refused_change_is_shown_on_the_form(client, staff, chart, settings):
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the test quotes the English message
    response = client.post(
        reverse("finance:category_edit", args=[chart["50101"].pk]),
        {
            "code": "60101",
            "name": "文体活动",
            "kind": "expense",
            "parent": chart["501"].pk,
            "overspend": "stop",
        },
    )
    assert response.status_code == 200
    assert "extends its parent" in response.content.decode()
    assert Category.objects.get(pk=chart["50101"].pk).code == "50101"


def test_union_staff_at_a_sub_union_cannot_open_the_form(client, tree, make_user, chart):
    client.force_login(make_user("union_staff", tree.a))
    assert client.get(reverse("finance:category_edit", args=[chart["501"].pk])).status_code == 403
