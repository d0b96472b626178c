from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from smartunion.core.models import AuditEntry
from smartunion.organisations import services
from smartunion.organisations.models import OfficerTerm, OrgUnit, UnitAlias, UnitKind
from smartunion.organisations.views import UnitTable


def url(name: str, *args) -> str:
    return reverse(f"organisations:{name}", args=args)


def fresh(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.get(pk=unit.pk)


@pytest.fixture
def as_chair(client, chair_a):
    client.force_login(chair_a)
    return client


@pytest.fixture
def as_committee(client, committee_a):
    client.force_login(committee_a)
    return client


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def term_a(tree, make_user, chairman):
    officer = make_user(staff_no="OFF01", name="赵六")
    return services.officer_appoint(
        actor=None, unit=tree.a, user=officer, position=chairman, start_date=dt.date(2025, 9, 1)
    )


# -- the list and its export ----------------------------------------------------------------------------


def test_list_shows_the_chairs_subtree_only(as_chair, tree):
    response = as_chair.get(url("unit_list"))
    assert response.status_code == 200
    page_units = {row["obj"] for row in response.context["page"].rows}
    assert page_units == {tree.a, tree.a1}
    html = response.content.decode()
    assert "机械工程学院" in html and "外国语学院" not in html
    assert url("unit_create") in html  # the chair may add units
    assert reverse("core:import_new", args=["organisations.units"]) not in html  # but not import


def test_list_search_and_htmx_partial(as_staff, tree):
    services.alias_add(actor=None, unit=tree.b, alias="外院")
    response = as_staff.get(url("unit_list"), {"q": "外院"})
    assert {row["obj"] for row in response.context["page"].rows} == {tree.b}
    response = as_staff.get(url("unit_list"), {"union_type": "group"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert {row["obj"] for row in response.context["page"].rows} == {tree.a1, tree.b1}
    assert "<html" not in response.content.decode()  # only the table is swapped


def test_list_export_holds_the_scoped_rows_under_the_header(as_chair, tree, chair_a):
    response = as_chair.get(url("unit_list"), {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    with translation.override("zh-hans"):
        header = [str(column.label) for column in UnitTable.columns if column.in_export]
    assert rows[0][0]  # row 1 is the title
    assert rows[1] == header
    data = [dict(zip(header, row, strict=True)) for row in rows[2:]]
    with translation.override("zh-hans"):
        name, code, parent = (str(UnitTable.columns[i].label) for i in (1, 2, 6))
    assert sorted(row[code] for row in data) == ["01", "0101"]
    assert {row[name] for row in data} == {"机械工程学院", "第一工会小组"}
    assert {row[parent] for row in data} == {"江海大学工会", "机械工程学院"}
    exported = AuditEntry.objects.get(action="core.list.exported")
    assert exported.actor == chair_a and exported.changes["rows"] == 2


def test_list_needs_the_view_permission(client, tree, make_user):
    assert client.get(url("unit_list")).status_code == 302  # to the login page
    client.force_login(make_user("member", tree.a))
    assert client.get(url("unit_list")).status_code == 403


# -- the detail page ------------------------------------------------------------------------------------


def test_detail_shows_children_officers_aliases_and_history(as_chair, tree, term_a):
    services.alias_add(actor=None, unit=tree.a, alias="机电学院")
    response = as_chair.get(url("unit_detail", tree.a.pk))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("机械工程学院", "第一工会小组", "赵六", "OFF01", "机电学院", "01"):
        assert text in html
    assert list(response.context["children"]) == [tree.a1]
    assert response.context["officers"]["current"] == [term_a]
    assert response.context["can_edit"] and response.context["can_appoint"]
    assert url("unit_edit", tree.a.pk) in html and url("officer_end", term_a.pk) in html
    # The chair cannot see the root: the breadcrumb leaves it out.
    assert [label for label, _link in response.context["breadcrumbs"]][1:] == ["机械工程学院"]


def test_detail_outside_the_scope_is_404(as_chair, tree):
    for unit in (tree.b, tree.b1, tree.root):
        assert as_chair.get(url("unit_detail", unit.pk)).status_code == 404
    assert as_chair.get(url("unit_detail", 999999)).status_code == 404


def test_committee_member_sees_but_cannot_change(as_committee, tree, term_a):
    response = as_committee.get(url("unit_detail", tree.a.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert url("unit_edit", tree.a.pk) not in html and url("officer_end", term_a.pk) not in html
    assert as_committee.get(url("unit_list")).status_code == 200
    for page in (
        url("unit_create"),
        url("unit_edit", tree.a.pk),
        url("unit_move", tree.a1.pk),
        url("unit_merge", tree.a1.pk),
        url("officer_add", tree.a.pk),
        url("officer_end", term_a.pk),
    ):
        assert as_committee.get(page).status_code == 403, page
    assert as_committee.post(url("unit_deactivate", tree.a1.pk)).status_code == 403
    assert as_committee.post(url("alias_add", tree.a.pk), {"alias": "机电学院"}).status_code == 403
    assert as_committee.post(url("unit_edit", tree.a.pk), {"name": "改名"}).status_code == 403
    assert fresh(tree.a1).is_active and fresh(tree.a).name == "机械工程学院"
    assert not UnitAlias.objects.exists()


# -- create and edit ------------------------------------------------------------------------------------


def test_create_page_preselects_the_parent_and_offers_only_units_in_scope(as_chair, tree):
    response = as_chair.get(url("unit_create"), {"parent": tree.a1.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["parent"] == tree.a1
    assert set(form.fields["parent"].queryset) == {tree.a, tree.a1}
    # A parent outside the scope, or not a number at all, is simply not preselected.
    for value in (tree.b.pk, "abc"):
        response = as_chair.get(url("unit_create"), {"parent": value})
        assert response.status_code == 200 and response.context["form"].initial.get("parent") is None


def test_create_posts_and_redirects_to_the_new_unit(as_chair, tree, chair_a):
    kind = UnitKind.objects.get(name="学院")
    response = as_chair.post(
        url("unit_create"),
        {
            "parent": tree.a.pk,
            "name": "第二工会小组",
            "code": "０１０２",
            "union_type": "group",
            "kind": kind.pk,
            "short_name": "",
            "sort_order": "2",
            "note": "",
        },
    )
    unit = OrgUnit.objects.get(code="0102")
    assert response.status_code == 302 and response["Location"] == url("unit_detail", unit.pk)
    assert (unit.parent, unit.name, unit.kind, unit.sort_order) == (tree.a, "第二工会小组", kind, 2)
    assert (
        AuditEntry.objects.get(action="organisations.unit.created", target_id=str(unit.pk)).actor == chair_a
    )


def test_create_with_a_sibling_name_rerenders_with_the_error_on_the_field(as_chair, tree):
    data = {"parent": tree.a.pk, "name": "第一工会小组", "code": "0102", "union_type": "group"}
    response = as_chair.post(url("unit_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["name"] and "第一工会小组" in errors["name"][0]
    assert "第一工会小组" in response.content.decode()
    assert not OrgUnit.objects.filter(code="0102").exists()


def test_create_with_a_used_code_names_the_unit_holding_it(as_chair, tree):
    data = {"parent": tree.a.pk, "name": "第二工会小组", "code": "0201", "union_type": "group"}
    response = as_chair.post(url("unit_create"), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    assert OrgUnit.objects.count() == 5


def test_create_under_a_unit_outside_the_scope_is_refused(as_chair, tree):
    data = {"parent": tree.b.pk, "name": "第二工会小组", "code": "0202", "union_type": "group"}
    response = as_chair.post(url("unit_create"), data)
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    assert OrgUnit.objects.count() == 5


def test_edit_renames_and_keeps_the_old_name(as_chair, tree):
    response = as_chair.get(url("unit_edit", tree.a.pk))
    assert response.status_code == 200
    assert response.context["form"].initial["name"] == "机械工程学院"
    response = as_chair.post(
        url("unit_edit", tree.a.pk),
        {"name": "机械与电气工程学院", "short_name": "机械学院", "code": "01", "union_type": "branch"},
    )
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a.pk)
    assert fresh(tree.a).name == "机械与电气工程学院"
    assert list(UnitAlias.objects.values_list("alias", flat=True)) == ["机械工程学院"]


def test_edit_with_bad_input_rerenders(as_chair, tree):
    response = as_chair.post(
        url("unit_edit", tree.a1.pk), {"name": "第一工会小组", "code": "01", "union_type": "group"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    response = as_chair.post(url("unit_edit", tree.a1.pk), {"name": "", "code": "0101", "union_type": "x"})
    assert set(response.context["form"].errors) == {"name", "union_type"}
    assert fresh(tree.a1).code == "0101"


def test_edit_outside_the_scope_is_404_and_changes_nothing(as_chair, tree):
    assert as_chair.get(url("unit_edit", tree.b.pk)).status_code == 404
    response = as_chair.post(
        url("unit_edit", tree.b.pk), {"name": "外语学院", "code": "02", "union_type": "branch"}
    )
    assert response.status_code == 404
    assert fresh(tree.b).name == "外国语学院"


# -- move, merge, dissolve ------------------------------------------------------------------------------


def test_move_page_and_post(as_staff, tree):
    grandchild = services.unit_create(
        actor=None, name="教研室", code="010101", union_type="group", parent=tree.a1
    )
    response = as_staff.get(url("unit_move", tree.a1.pk))
    assert response.status_code == 200
    choices = set(response.context["form"].fields["new_parent"].queryset)
    assert tree.a1 not in choices and grandchild not in choices and tree.b in choices
    services.unit_update(
        actor=None, unit=tree.b1, name="外语一组", code="0201", union_type="group", kind=None
    )
    response = as_staff.post(url("unit_move", tree.a1.pk), {"new_parent": tree.b.pk})
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a1.pk)
    assert fresh(tree.a1).parent == tree.b
    assert fresh(grandchild).path == f"{tree.root.pk}/{tree.b.pk}/{tree.a1.pk}/{grandchild.pk}/"


def test_move_to_the_same_parent_rerenders_with_the_error(as_staff, tree):
    response = as_staff.post(url("unit_move", tree.a1.pk), {"new_parent": tree.a.pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["new_parent"]
    response = as_staff.post(url("unit_move", tree.a1.pk), {"new_parent": tree.b.pk})  # B has 第一工会小组
    assert response.status_code == 200 and response.context["form"].errors
    assert fresh(tree.a1).parent == tree.a


def test_move_outside_the_scope(as_chair, tree):
    assert as_chair.get(url("unit_move", tree.b1.pk)).status_code == 404
    response = as_chair.post(url("unit_move", tree.a1.pk), {"new_parent": tree.b.pk})
    assert response.status_code == 200 and "new_parent" in response.context["form"].errors
    assert fresh(tree.a1).parent == tree.a


def test_merge_needs_the_confirmation_then_moves_everything(as_staff, tree):
    services.unit_update(
        actor=None, unit=tree.b1, name="外语一组", code="0201", union_type="group", kind=None
    )
    assert as_staff.get(url("unit_merge", tree.b.pk)).status_code == 200
    response = as_staff.post(url("unit_merge", tree.b.pk), {"target": tree.a.pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["confirm"]
    assert fresh(tree.b).is_active
    response = as_staff.post(url("unit_merge", tree.b.pk), {"target": tree.a.pk, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a.pk)
    b = fresh(tree.b)
    assert not b.is_active and b.merged_into == tree.a
    assert fresh(tree.b1).parent == tree.a
    assert UnitAlias.objects.filter(unit=tree.a, alias="外国语学院").exists()
    # The dissolved unit's page still reads, and says where it went.
    response = as_staff.get(url("unit_detail", tree.b.pk))
    assert response.status_code == 200 and url("unit_detail", tree.a.pk) in response.content.decode()


def test_merge_into_a_unit_outside_the_scope_is_refused(as_chair, tree):
    response = as_chair.post(url("unit_merge", tree.a1.pk), {"target": tree.b.pk, "confirm": "on"})
    assert response.status_code == 200 and "target" in response.context["form"].errors
    assert (
        as_chair.post(url("unit_merge", tree.b1.pk), {"target": tree.a.pk, "confirm": "on"}).status_code
        == 404
    )
    assert fresh(tree.a1).is_active and fresh(tree.b1).is_active


def test_dissolve(as_chair, tree):
    assert as_chair.get(url("unit_deactivate", tree.a1.pk)).status_code == 405
    response = as_chair.post(url("unit_deactivate", tree.a.pk), follow=True)  # has an active group
    assert fresh(tree.a).is_active
    assert any("机械工程学院" in str(message) for message in response.context["messages"])
    response = as_chair.post(url("unit_deactivate", tree.a1.pk))
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a1.pk)
    assert not fresh(tree.a1).is_active
    assert as_chair.post(url("unit_deactivate", tree.b1.pk)).status_code == 404
    assert fresh(tree.b1).is_active


# -- aliases --------------------------------------------------------------------------------------------


def test_alias_add_and_remove(as_chair, tree):
    response = as_chair.post(url("alias_add", tree.a.pk), {"alias": "机电学院"})
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a.pk)
    alias = UnitAlias.objects.get(alias="机电学院")
    assert alias.unit == tree.a
    response = as_chair.post(url("alias_add", tree.a1.pk), {"alias": "机电学院"}, follow=True)  # taken
    assert UnitAlias.objects.count() == 1
    assert any("机械工程学院" in str(message) for message in response.context["messages"])
    as_chair.post(url("alias_add", tree.a.pk), {"alias": ""})
    assert UnitAlias.objects.count() == 1
    response = as_chair.post(url("alias_remove", alias.pk))
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a.pk)
    assert not UnitAlias.objects.exists()


def test_alias_outside_the_scope_is_404(as_chair, tree):
    alias = services.alias_add(actor=None, unit=tree.b, alias="外院")
    assert as_chair.post(url("alias_remove", alias.pk)).status_code == 404
    assert as_chair.post(url("alias_add", tree.b.pk), {"alias": "外语学院"}).status_code == 404
    assert list(UnitAlias.objects.values_list("alias", flat=True)) == ["外院"]


# -- officers -------------------------------------------------------------------------------------------


def test_officer_add_and_end(as_chair, tree, make_user, chairman):
    officer = make_user(staff_no="Z9001", name="钱七")
    assert as_chair.get(url("officer_add", tree.a1.pk)).status_code == 200
    response = as_chair.post(
        url("officer_add", tree.a1.pk),
        {
            "staff_no": " Ｚ9001 ",
            "position": chairman.pk,
            "start_date": "2026-01-01",
            "end_date": "",
            "note": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a1.pk)
    term = OfficerTerm.objects.get()
    assert (term.unit, term.user, term.start_date, term.end_date) == (
        tree.a1,
        officer,
        dt.date(2026, 1, 1),
        None,
    )
    assert as_chair.get(url("officer_end", term.pk)).status_code == 200
    response = as_chair.post(url("officer_end", term.pk), {"end_date": "2026-03-31"})
    assert response.status_code == 302 and response["Location"] == url("unit_detail", tree.a1.pk)
    term.refresh_from_db()
    assert term.end_date == dt.date(2026, 3, 31)


def test_officer_forms_with_bad_input_rerender(as_chair, tree, make_user, chairman, term_a):
    response = as_chair.post(
        url("officer_add", tree.a.pk),
        {"staff_no": "NOBODY", "position": chairman.pk, "start_date": "2026-01-01"},
    )
    assert response.status_code == 200 and list(response.context["form"].errors) == ["staff_no"]
    response = as_chair.post(  # 赵六 is already 主席 of A since 2025-09-01
        url("officer_add", tree.a.pk),
        {"staff_no": "OFF01", "position": chairman.pk, "start_date": "2026-01-01"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = as_chair.post(
        url("officer_add", tree.a.pk),
        {"staff_no": "OFF01", "position": chairman.pk, "start_date": "2020-01-01", "end_date": "2019-01-01"},
    )
    assert response.status_code == 200 and list(response.context["form"].errors) == ["end_date"]
    assert OfficerTerm.objects.count() == 1
    response = as_chair.post(url("officer_end", term_a.pk), {"end_date": "2025-01-01"})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["end_date"]
    term_a.refresh_from_db()
    assert term_a.end_date is None


def test_officer_pages_outside_the_scope_are_404(as_chair, tree, make_user, chairman):
    term = services.officer_appoint(
        actor=None, unit=tree.b, user=make_user(), position=chairman, start_date=timezone.localdate()
    )
    assert as_chair.get(url("officer_add", tree.b.pk)).status_code == 404
    assert as_chair.get(url("officer_end", term.pk)).status_code == 404
    assert as_chair.post(url("officer_end", term.pk), {"end_date": "2026-12-31"}).status_code == 404
    term.refresh_from_db()
    assert term.end_date is None


# -- pages cost the same whatever the size of the tree --------------------------------------------------


def _queries(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_list_and_detail_queries_do_not_grow_with_the_tree(as_chair, tree, make_user, chairman):
    _queries(as_chair, url("unit_list"))  # the first request after logging in also renews the session
    list_before = _queries(as_chair, url("unit_list"))
    detail_before = _queries(as_chair, url("unit_detail", tree.a.pk))
    for n in range(12):
        group = services.unit_create(
            actor=None, name=f"第{n + 2}组", code=f"01{n + 2:02d}", union_type="group", parent=tree.a
        )
        services.unit_create(
            actor=None, name="教研室", code=f"01{n + 2:02d}01", union_type="group", parent=group
        )
        services.alias_add(actor=None, unit=group, alias=f"机械{n + 2}组")
        services.officer_appoint(
            actor=None, unit=tree.a, user=make_user(), position=chairman, start_date=dt.date(2026, 1, 1)
        )
    assert _queries(as_chair, url("unit_list")) == list_before
    assert _queries(as_chair, url("unit_detail", tree.a.pk)) == detail_before


def test_the_top_unit_can_be_created_from_the_console_by_a_school_wide_editor(client, db, make_user):
    from smartunion.accounts.models import User
    from smartunion.organisations.models import OrgUnit

    admin = User.objects.create_superuser("admin1", "管理员", "Secret-2026!")
    client.force_login(admin)
    response = client.post(
        "/console/org/units/new/",
        {"parent": "", "name": "江海大学工会", "code": "00", "union_type": "school"},
    )
    assert response.status_code == 302
    root = OrgUnit.objects.get(code="00")
    assert root.parent is None and root.path == f"{root.pk}/"
    # A top-level unit must be a school or higher union.
    response = client.post(
        "/console/org/units/new/", {"parent": "", "name": "孤立小组", "code": "99", "union_type": "group"}
    )
    assert response.status_code == 200 and not OrgUnit.objects.filter(code="99").exists()
    assert "parent" in response.context["form"].errors


def test_a_sub_union_editor_must_choose_a_parent(client, tree, make_user):
    client.force_login(make_user("subunion_chair", tree.a))
    response = client.post(
        "/console/org/units/new/", {"parent": "", "name": "新分工会", "code": "77", "union_type": "school"}
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
