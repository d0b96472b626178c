from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.accounts.models import RoleAssignment
from smartunion.members.models import Person, StaffCategory
from smartunion.organisations import services
from smartunion.organisations.models import OfficerTerm, OrgUnit, UnitAlias, UnitKind

GROUP = OrgUnit.UnionType.GROUP
BRANCH = OrgUnit.UnionType.BRANCH


def fresh(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.get(pk=unit.pk)


def error_text(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(getattr(exc.value, "error_dict", {}))


# -- unit_create ----------------------------------------------------------------------------------------


def test_create_sets_path_depth_and_writes_the_audit_entry(tree, staff, audit_log):
    kind = UnitKind.objects.get(name="学院")
    before = len(audit_log())
    unit = services.unit_create(
        actor=staff,
        name=" 化工 学院 ",
        code=" ０３ ",
        union_type=BRANCH,
        parent=tree.root,
        kind=kind,
        short_name="化工",
        sort_order=5,
        note="新建",
    )
    unit = fresh(unit)
    assert unit.name == "化工学院"  # spaces between the characters removed
    assert unit.code == "03"  # full-width digits folded
    assert unit.path == f"{tree.root.pk}/{unit.pk}/"
    assert unit.depth == 1
    assert unit.parent == tree.root
    entries = audit_log()
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.action == "organisations.unit.created"
    assert entry.target_id == str(unit.pk)
    assert entry.actor == staff
    assert entry.unit_id == unit.pk
    assert entry.changes == {
        "name": "化工学院",
        "short_name": "化工",
        "code": "03",
        "union_type": "分工会",  # choices are recorded as they read in the UI
        "kind": "学院",
        "sort_order": 5,
        "note": "新建",
        "parent": "江海大学工会",
    }


def test_create_at_the_top_level(db, audit_log):
    root = services.unit_create(actor=None, name="某大学工会", code="X", union_type="school")
    assert root.path == f"{root.pk}/"
    assert root.depth == 0
    assert root.parent is None
    assert [e.action for e in audit_log()] == ["organisations.unit.created"]
    assert audit_log()[0].actor is None and audit_log()[0].actor_label == "系统（自动）"


def test_create_refuses_a_name_a_sibling_already_has(tree, audit_log):
    before = (OrgUnit.objects.count(), len(audit_log()))
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=None, name="第一工会小组", code="0199", union_type=GROUP, parent=tree.a)
    assert error_fields(exc) == {"name"}
    assert "机械工程学院" in error_text(exc) and "第一工会小组" in error_text(exc)
    assert (OrgUnit.objects.count(), len(audit_log())) == before
    # The same name under another parent is fine.
    services.unit_create(actor=None, name="机械工程学院", code="0199", union_type=GROUP, parent=tree.a)


def test_create_allows_the_name_of_a_dissolved_sibling(tree):
    services.unit_deactivate(actor=None, unit=tree.a1)
    again = services.unit_create(
        actor=None, name="第一工会小组", code="0102", union_type=GROUP, parent=tree.a
    )
    assert again.is_active


def test_create_refuses_a_duplicate_code_and_names_the_unit_holding_it(tree):
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=None, name="化工学院", code="０１", union_type=BRANCH, parent=tree.root)
    assert error_fields(exc) == {"code"}
    assert "01" in error_text(exc) and "机械工程学院" in error_text(exc)
    assert not OrgUnit.objects.filter(name="化工学院").exists()


@pytest.mark.parametrize(
    ("name", "code", "union_type", "field"),
    [
        ("  ", "09", BRANCH, "name"),
        ("化工学院", " ", BRANCH, "code"),
        ("化工学院", "09", "college", "union_type"),
    ],
)
def test_create_refuses_empty_or_invalid_particulars(tree, name, code, union_type, field):
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=None, name=name, code=code, union_type=union_type, parent=tree.root)
    assert error_fields(exc) == {field}
    assert OrgUnit.objects.count() == 5


def test_create_refuses_a_dissolved_parent(tree):
    services.unit_deactivate(actor=None, unit=tree.b1)
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=None, name="小组", code="020101", union_type=GROUP, parent=tree.b1)
    assert error_fields(exc) == {"parent"}


def test_scope_a_chair_at_a_creates_inside_a_only(tree, chair_a, audit_log):
    before = (OrgUnit.objects.count(), len(audit_log()))
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=chair_a, name="第二工会小组", code="0202", union_type=GROUP, parent=tree.b)
    assert "外国语学院" in error_text(exc)
    with pytest.raises(ValidationError):
        services.unit_create(actor=chair_a, name="新学院工会", code="99", union_type="school")
    assert (OrgUnit.objects.count(), len(audit_log())) == before
    inside = services.unit_create(
        actor=chair_a, name="第二工会小组", code="0102", union_type=GROUP, parent=tree.a1
    )
    assert inside.path.startswith(tree.a.path)


def test_scope_needs_the_edit_permission_not_just_view(tree, committee_a):
    with pytest.raises(ValidationError):
        services.unit_create(
            actor=committee_a, name="第二工会小组", code="0102", union_type=GROUP, parent=tree.a
        )
    with pytest.raises(ValidationError):
        services.alias_add(actor=committee_a, unit=tree.a, alias="机电学院")
    assert OrgUnit.objects.count() == 5 and not UnitAlias.objects.exists()


# -- unit_update ----------------------------------------------------------------------------------------


def test_rename_keeps_the_old_name_as_an_alias_and_audits_only_the_changes(tree, chair_a, audit_log):
    before = len(audit_log())
    services.unit_update(
        actor=chair_a,
        unit=tree.a,
        name="机械与电气工程学院",
        code="01",
        union_type=BRANCH,
        kind=None,
        short_name="机械学院",
    )
    unit = fresh(tree.a)
    assert unit.name == "机械与电气工程学院"
    assert list(unit.aliases.values_list("alias", flat=True)) == ["机械工程学院"]
    entries = audit_log()[before:]
    assert [(e.action, e.target_id) for e in entries] == [("organisations.unit.updated", str(tree.a.pk))]
    assert entries[0].changes == {"name": ["机械工程学院", "机械与电气工程学院"]}
    assert entries[0].actor == chair_a


def test_rename_can_skip_the_alias_and_never_duplicates_one(tree):
    services.unit_update(
        actor=None,
        unit=tree.a,
        name="机电学院",
        code="01",
        union_type=BRANCH,
        kind=None,
        keep_old_name_as_alias=False,
    )
    assert not UnitAlias.objects.exists()
    services.alias_add(actor=None, unit=tree.b, alias="外院")
    services.unit_update(actor=None, unit=tree.b, name="外院", code="02", union_type=BRANCH, kind=None)
    services.unit_update(actor=None, unit=tree.b, name="外国语学院", code="02", union_type=BRANCH, kind=None)
    # Each old name became an alias once: 外国语学院 on the first rename; 外院 was one already.
    assert sorted(UnitAlias.objects.filter(unit=tree.b).values_list("alias", flat=True)) == [
        "外国语学院",
        "外院",
    ]


def test_rename_keeps_no_alias_that_is_another_units_name(tree):
    # B1 is also 第一工会小组: as an alias of A1 the name would point two ways.
    services.unit_update(actor=None, unit=tree.a1, name="机械一组", code="0101", union_type=GROUP, kind=None)
    assert fresh(tree.a1).name == "机械一组"
    assert not UnitAlias.objects.exists()


def test_update_without_changes_writes_nothing(tree, audit_log):
    before = len(audit_log())
    stamp = fresh(tree.a).updated_at
    services.unit_update(
        actor=None,
        unit=tree.a,
        name="机械工程学院",
        code="01",
        union_type=BRANCH,
        kind=None,
        short_name="机械学院",
    )
    assert len(audit_log()) == before
    assert fresh(tree.a).updated_at == stamp
    assert not UnitAlias.objects.exists()


def test_update_refuses_a_sibling_name_and_another_units_code(tree):
    services.unit_create(actor=None, name="第二工会小组", code="0102", union_type=GROUP, parent=tree.a)
    with pytest.raises(ValidationError) as exc:
        services.unit_update(
            actor=None, unit=tree.a1, name="第二工会小组", code="0101", union_type=GROUP, kind=None
        )
    assert error_fields(exc) == {"name"}
    with pytest.raises(ValidationError) as exc:
        services.unit_update(
            actor=None, unit=tree.a1, name="第一工会小组", code="0201", union_type=GROUP, kind=None
        )
    assert error_fields(exc) == {"code"}
    assert "外国语学院" not in error_text(exc) and "第一工会小组" in error_text(exc)
    assert fresh(tree.a1).code == "0101"
    # Keeping its own code is not a clash.
    services.unit_update(
        actor=None, unit=tree.a1, name="第一工会小组", code="0101", union_type=GROUP, kind=None, note="x"
    )
    assert fresh(tree.a1).note == "x"


def test_update_outside_the_scope_is_refused(tree, chair_a):
    with pytest.raises(ValidationError):
        services.unit_update(
            actor=chair_a, unit=tree.b, name="外语学院", code="02", union_type=BRANCH, kind=None
        )
    assert fresh(tree.b).name == "外国语学院"


# -- unit_move ------------------------------------------------------------------------------------------


def test_move_rewrites_the_paths_and_depths_of_the_whole_subtree(tree, staff, audit_log):
    grandchild = services.unit_create(
        actor=None, name="教研室", code="010101", union_type=GROUP, parent=tree.a1
    )
    before = len(audit_log())
    services.unit_move(actor=staff, unit=tree.a1, new_parent=tree.b1)
    a1, gc = fresh(tree.a1), fresh(grandchild)
    assert a1.parent_id == tree.b1.pk
    assert a1.path == f"{tree.root.pk}/{tree.b.pk}/{tree.b1.pk}/{tree.a1.pk}/"
    assert a1.depth == 3
    assert gc.path == f"{a1.path}{grandchild.pk}/"
    assert gc.depth == 4
    assert gc.parent_id == tree.a1.pk
    # Nothing else changed.
    assert fresh(tree.a).path == f"{tree.root.pk}/{tree.a.pk}/"
    assert fresh(tree.b1).path == f"{tree.root.pk}/{tree.b.pk}/{tree.b1.pk}/"
    entries = audit_log()[before:]
    assert [(e.action, e.target_id) for e in entries] == [("organisations.unit.moved", str(tree.a1.pk))]
    assert entries[0].changes == {"parent": ["机械工程学院", "第一工会小组"]}


def test_move_up_reduces_the_depth(tree):
    grandchild = services.unit_create(
        actor=None, name="教研室", code="010101", union_type=GROUP, parent=tree.a1
    )
    services.unit_move(actor=None, unit=grandchild, new_parent=tree.root)
    moved = fresh(grandchild)
    assert (moved.path, moved.depth) == (f"{tree.root.pk}/{grandchild.pk}/", 1)


def test_move_under_its_own_descendant_or_itself_is_refused(tree):
    grandchild = services.unit_create(
        actor=None, name="教研室", code="010101", union_type=GROUP, parent=tree.a1
    )
    for target in (grandchild, tree.a1, tree.a):
        with pytest.raises(ValidationError) as exc:
            services.unit_move(actor=None, unit=tree.a, new_parent=target)
        assert error_fields(exc) == {"new_parent"}
    assert fresh(tree.a).path == f"{tree.root.pk}/{tree.a.pk}/"
    assert fresh(grandchild).depth == 3


def test_move_to_the_same_parent_is_refused(tree, audit_log):
    before = len(audit_log())
    with pytest.raises(ValidationError) as exc:
        services.unit_move(actor=None, unit=tree.a1, new_parent=tree.a)
    assert "已" in error_text(exc) or "already" in error_text(exc)
    assert error_fields(exc) == {"new_parent"}
    assert len(audit_log()) == before


def test_move_refuses_a_name_clash_and_a_dissolved_parent(tree):
    with pytest.raises(ValidationError) as exc:
        services.unit_move(actor=None, unit=tree.a1, new_parent=tree.b)  # B already has 第一工会小组
    assert error_fields(exc) == {"name"}
    services.unit_deactivate(actor=None, unit=tree.b1)
    with pytest.raises(ValidationError) as exc:
        services.unit_move(actor=None, unit=tree.a1, new_parent=tree.b1)
    assert error_fields(exc) == {"new_parent"}
    assert fresh(tree.a1).parent_id == tree.a.pk


def test_scope_a_chair_at_a_cannot_move_a1_under_b(tree, chair_a, audit_log):
    before = len(audit_log())
    with pytest.raises(ValidationError):
        services.unit_move(actor=chair_a, unit=tree.a1, new_parent=tree.b)
    with pytest.raises(ValidationError):
        services.unit_move(actor=chair_a, unit=tree.b1, new_parent=tree.a)
    assert fresh(tree.a1).path == f"{tree.root.pk}/{tree.a.pk}/{tree.a1.pk}/"
    assert fresh(tree.b1).parent_id == tree.b.pk
    assert len(audit_log()) == before


# -- unit_merge -----------------------------------------------------------------------------------------


def test_merge_moves_children_aliases_and_references_and_keeps_the_source_dissolved(
    b_without_b1, staff, make_user, audit_log
):
    tree = b_without_b1
    services.alias_add(actor=None, unit=tree.b, alias="外院")
    services.unit_update(
        actor=None, unit=tree.b, name="外国语学院", code="02", union_type=BRANCH, kind=None, short_name="外语"
    )
    b2 = services.unit_create(actor=None, name="第二工会小组", code="0202", union_type=GROUP, parent=tree.b)
    deeper = services.unit_create(actor=None, name="教研室", code="020201", union_type=GROUP, parent=b2)
    category, _ = StaffCategory.objects.get_or_create(name="在编")
    person = Person.objects.create(staff_no="P001", name="王五", sex="M", category=category, unit=tree.b)
    holder = make_user("subunion_chair", tree.b)
    before = len(audit_log())

    services.unit_merge(actor=staff, source=tree.b, target=tree.a)

    b = fresh(tree.b)
    assert not b.is_active and b.merged_into_id == tree.a.pk
    assert b.parent_id == tree.root.pk  # stays in the tree so its history reads
    assert fresh(tree.b1).parent_id == tree.a.pk
    assert fresh(b2).parent_id == tree.a.pk
    assert fresh(deeper).path == f"{tree.root.pk}/{tree.a.pk}/{b2.pk}/{deeper.pk}/"
    assert fresh(deeper).depth == 3
    assert sorted(UnitAlias.objects.filter(unit=tree.a).values_list("alias", flat=True)) == [
        "外国语学院",
        "外语",
        "外院",
    ]
    assert Person.objects.get(pk=person.pk).unit_id == tree.a.pk  # records of other apps follow
    # Role assignments are history of the merged unit: they stay where they were granted.
    assert RoleAssignment.objects.get(user=holder).unit_id == tree.b.pk
    merged = [
        e
        for e in audit_log()[before:]
        if e.action in {"organisations.unit.merged", "organisations.unit.absorbed"}
    ]
    assert [(e.action, e.target_id) for e in merged] == [
        ("organisations.unit.merged", str(tree.b.pk)),
        ("organisations.unit.absorbed", str(tree.a.pk)),
    ]
    assert merged[0].changes == {"merged_into": "机械工程学院", "moved": {"members.Person": 1}}
    assert merged[1].changes == {"absorbed": "外国语学院", "moved": {"members.Person": 1}}


@pytest.fixture
def b_without_b1(tree):
    """B with its group renamed, so that merging B into A meets no name clash."""
    services.unit_update(actor=None, unit=tree.b1, name="外语一组", code="0201", union_type=GROUP, kind=None)
    return tree


def test_merge_writes_the_moves_of_the_children_and_both_merge_entries(b_without_b1, staff, audit_log):
    tree = b_without_b1
    before = len(audit_log())
    services.unit_merge(actor=staff, source=tree.b, target=tree.a)
    entries = audit_log()[before:]
    assert [(e.action, e.target_id) for e in entries] == [
        ("organisations.unit.moved", str(tree.b1.pk)),
        ("organisations.unit.merged", str(tree.b.pk)),
        ("organisations.unit.absorbed", str(tree.a.pk)),
    ]
    assert entries[-2].actor == staff and entries[-1].actor == staff
    assert fresh(tree.b1).parent_id == tree.a.pk


def test_merge_with_a_child_whose_name_the_target_already_has_changes_nothing(tree, staff):
    with pytest.raises(ValidationError) as exc:
        services.unit_merge(actor=staff, source=tree.b, target=tree.a)
    assert "第一工会小组" in error_text(exc)
    assert fresh(tree.b).is_active and fresh(tree.b1).parent_id == tree.b.pk
    assert not UnitAlias.objects.exists()


def test_merge_into_its_own_descendant_itself_or_a_dissolved_unit_is_refused(tree, staff):
    for target in (tree.a1, tree.a):
        with pytest.raises(ValidationError) as exc:
            services.unit_merge(actor=staff, source=tree.a, target=target)
        assert error_fields(exc) == {"target"}
    services.unit_deactivate(actor=None, unit=tree.b1)
    with pytest.raises(ValidationError):
        services.unit_merge(actor=staff, source=tree.a1, target=tree.b1)
    with pytest.raises(ValidationError):
        services.unit_merge(actor=staff, source=tree.b1, target=tree.a)
    with pytest.raises(ValidationError):
        services.unit_merge(actor=staff, source=tree.root, target=tree.a)
    assert fresh(tree.a).is_active and fresh(tree.a1).parent_id == tree.a.pk


def test_merge_outside_the_scope_is_refused(b_without_b1, chair_a):
    tree = b_without_b1
    with pytest.raises(ValidationError):
        services.unit_merge(actor=chair_a, source=tree.a1, target=tree.b1)
    with pytest.raises(ValidationError):
        services.unit_merge(actor=chair_a, source=tree.b1, target=tree.a)
    assert fresh(tree.a1).is_active and fresh(tree.b1).is_active


def test_merge_ends_the_terms_of_the_source_and_keeps_them_there(b_without_b1, make_user, chairman):
    tree = b_without_b1
    today = timezone.localdate()
    person = make_user()
    serving = services.officer_appoint(
        actor=None, unit=tree.b1, user=person, position=chairman, start_date=today - dt.timedelta(days=100)
    )
    ending_later = services.officer_appoint(
        actor=None,
        unit=tree.b1,
        user=make_user(),
        position=chairman,
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=300),
    )
    services.unit_merge(actor=None, source=tree.b1, target=tree.a1)
    for term in (serving, ending_later):
        term.refresh_from_db()
        assert term.unit_id == tree.b1.pk
        assert term.end_date == today


def test_merge_of_a_unit_with_an_appointment_starting_later_does_not_fail(b_without_b1, make_user, chairman):
    # A chair appointed ahead of time cannot have served at the merged unit: the term ends as it starts.
    tree = b_without_b1
    start = timezone.localdate() + dt.timedelta(days=30)
    term = services.officer_appoint(
        actor=None, unit=tree.b1, user=make_user(), position=chairman, start_date=start
    )
    services.unit_merge(actor=None, source=tree.b1, target=tree.a1)
    term.refresh_from_db()
    assert term.end_date == start
    assert not fresh(tree.b1).is_active


# -- unit_deactivate ------------------------------------------------------------------------------------


def test_dissolve_is_refused_while_active_children_exist(tree, audit_log):
    before = len(audit_log())
    with pytest.raises(ValidationError) as exc:
        services.unit_deactivate(actor=None, unit=tree.a)
    assert "机械工程学院" in error_text(exc)
    assert fresh(tree.a).is_active and len(audit_log()) == before


def test_dissolve_a_leaf_then_its_parent(tree, chair_a, make_user, chairman, audit_log):
    term = services.officer_appoint(
        actor=None, unit=tree.a1, user=make_user(), position=chairman, start_date=dt.date(2025, 1, 1)
    )
    before = len(audit_log())
    services.unit_deactivate(actor=chair_a, unit=tree.a1)
    services.unit_deactivate(actor=chair_a, unit=tree.a)  # its only child is dissolved now
    assert not fresh(tree.a1).is_active and not fresh(tree.a).is_active
    term.refresh_from_db()
    assert term.end_date == timezone.localdate()
    entries = audit_log()[before:]
    assert [(e.action, e.target_id, e.changes) for e in entries] == [
        ("organisations.unit.dissolved", str(tree.a1.pk), {"is_active": [True, False]}),
        ("organisations.unit.dissolved", str(tree.a.pk), {"is_active": [True, False]}),
    ]


def test_dissolve_refuses_the_root_twice_dissolving_and_out_of_scope(tree, chair_a):
    with pytest.raises(ValidationError):
        services.unit_deactivate(actor=None, unit=tree.root)
    services.unit_deactivate(actor=None, unit=tree.b1)
    with pytest.raises(ValidationError):
        services.unit_deactivate(actor=None, unit=tree.b1)
    with pytest.raises(ValidationError):
        services.unit_deactivate(actor=chair_a, unit=tree.b)
    assert fresh(tree.b).is_active


def test_dissolve_a_unit_with_an_appointment_starting_later_does_not_fail(tree, make_user, chairman):
    start = timezone.localdate() + dt.timedelta(days=7)
    term = services.officer_appoint(
        actor=None, unit=tree.b1, user=make_user(), position=chairman, start_date=start
    )
    services.unit_deactivate(actor=None, unit=tree.b1)
    term.refresh_from_db()
    assert term.end_date == start
    assert not fresh(tree.b1).is_active


# -- aliases --------------------------------------------------------------------------------------------


def test_alias_add_and_remove_write_their_audit_entries(tree, chair_a, audit_log):
    before = len(audit_log())
    alias = services.alias_add(actor=chair_a, unit=tree.a, alias=" 机电 学院 ")
    assert alias.alias == "机电学院" and alias.unit == tree.a
    services.alias_remove(actor=chair_a, alias=alias)
    assert not UnitAlias.objects.exists()
    entries = audit_log()[before:]
    assert [(e.action, e.target_id, e.changes) for e in entries] == [
        ("organisations.alias.added", str(tree.a.pk), {"alias": "机电学院"}),
        ("organisations.alias.removed", str(tree.a.pk), {"alias": "机电学院"}),
    ]


def test_alias_clashes_are_refused(tree, audit_log):
    services.alias_add(actor=None, unit=tree.a, alias="机电学院")
    before = len(audit_log())
    with pytest.raises(ValidationError) as exc:
        services.alias_add(actor=None, unit=tree.b, alias="机电学院")  # already another unit's alias
    assert "机械工程学院" in error_text(exc)
    with pytest.raises(ValidationError) as exc:
        services.alias_add(actor=None, unit=tree.a, alias="外国语学院")  # another unit's name
    assert error_fields(exc) == {"alias"}
    with pytest.raises(ValidationError):
        services.alias_add(actor=None, unit=tree.a, alias="   ")
    assert UnitAlias.objects.count() == 1 and len(audit_log()) == before


def test_alias_remove_outside_the_scope_is_refused(tree, chair_a):
    alias = services.alias_add(actor=None, unit=tree.b, alias="外院")
    with pytest.raises(ValidationError):
        services.alias_remove(actor=chair_a, alias=alias)
    with pytest.raises(ValidationError):
        services.alias_add(actor=chair_a, unit=tree.b, alias="外语学院")
    assert list(UnitAlias.objects.values_list("alias", flat=True)) == ["外院"]


# -- officers -------------------------------------------------------------------------------------------


def test_appoint_and_end_a_term_with_their_audit_entries(tree, chair_a, make_user, chairman, audit_log):
    officer = make_user(name="李四", staff_no="L004")
    before = len(audit_log())
    term = services.officer_appoint(
        actor=chair_a,
        unit=tree.a1,
        user=officer,
        position=chairman,
        start_date=dt.date(2026, 1, 1),
        note=" 换届 ",
    )
    assert (term.unit, term.user, term.end_date, term.note) == (tree.a1, officer, None, "换届")
    services.officer_end_term(actor=chair_a, term=term, end_date=dt.date(2026, 6, 30))
    term.refresh_from_db()
    assert term.end_date == dt.date(2026, 6, 30)
    entries = audit_log()[before:]
    assert [(e.action, e.target_id) for e in entries] == [
        ("organisations.officer.appointed", str(tree.a1.pk)),
        ("organisations.officer.term_ended", str(tree.a1.pk)),
    ]
    assert entries[0].changes == {
        "officer": "李四（L004）",
        "position": "主席",
        "start_date": "2026-01-01",
        "end_date": None,
    }
    assert entries[1].changes == {
        "officer": "李四（L004）",
        "position": "主席",
        "end_date": [None, "2026-06-30"],
    }


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2026, 3, 1), None),  # inside the open term
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1)),  # ends on the day the term starts
        (dt.date(2025, 1, 1), None),  # open, covering the whole term
    ],
)
def test_appointment_overlapping_a_term_of_the_same_position_is_refused(
    tree, make_user, chairman, start, end
):
    officer = make_user()
    services.officer_appoint(
        actor=None, unit=tree.a, user=officer, position=chairman, start_date=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.officer_appoint(
            actor=None, unit=tree.a, user=officer, position=chairman, start_date=start, end_date=end
        )
    assert OfficerTerm.objects.count() == 1


def test_appointments_that_do_not_overlap_are_accepted(tree, make_user, chairman):
    officer = make_user()
    services.officer_appoint(
        actor=None,
        unit=tree.a,
        user=officer,
        position=chairman,
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    services.officer_appoint(
        actor=None, unit=tree.a, user=officer, position=chairman, start_date=dt.date(2026, 1, 1)
    )
    services.officer_appoint(
        actor=None, unit=tree.b, user=officer, position=chairman, start_date=dt.date(2026, 1, 1)
    )
    assert OfficerTerm.objects.count() == 3


def test_appointment_ending_before_it_starts_is_refused(tree, make_user, chairman):
    with pytest.raises(ValidationError) as exc:
        services.officer_appoint(
            actor=None,
            unit=tree.a,
            user=make_user(),
            position=chairman,
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2025, 12, 31),
        )
    assert error_fields(exc) == {"end_date"}
    assert not OfficerTerm.objects.exists()


def test_appointment_at_a_dissolved_unit_or_outside_the_scope_is_refused(tree, chair_a, make_user, chairman):
    services.unit_deactivate(actor=None, unit=tree.b1)
    with pytest.raises(ValidationError):
        services.officer_appoint(
            actor=None, unit=tree.b1, user=make_user(), position=chairman, start_date=dt.date(2026, 1, 1)
        )
    with pytest.raises(ValidationError):
        services.officer_appoint(
            actor=chair_a, unit=tree.b, user=make_user(), position=chairman, start_date=dt.date(2026, 1, 1)
        )
    assert not OfficerTerm.objects.exists()


def test_ending_a_term_before_it_starts_or_after_it_ended_is_refused(tree, chair_a, make_user, chairman):
    term = services.officer_appoint(
        actor=None,
        unit=tree.a,
        user=make_user(),
        position=chairman,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    with pytest.raises(ValidationError) as exc:
        services.officer_end_term(actor=chair_a, term=term, end_date=dt.date(2025, 12, 31))
    assert error_fields(exc) == {"end_date"}
    with pytest.raises(ValidationError):  # a term is ended earlier, not prolonged
        services.officer_end_term(actor=chair_a, term=term, end_date=dt.date(2027, 6, 30))
    services.officer_end_term(actor=chair_a, term=term, end_date=dt.date(2026, 1, 1))  # a one-day term
    term.refresh_from_db()
    assert term.end_date == dt.date(2026, 1, 1)


def test_ending_a_term_outside_the_scope_is_refused(tree, chair_a, make_user, chairman):
    term = services.officer_appoint(
        actor=None, unit=tree.b, user=make_user(), position=chairman, start_date=dt.date(2026, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.officer_end_term(actor=chair_a, term=term, end_date=dt.date(2026, 6, 30))
    term.refresh_from_db()
    assert term.end_date is None


def test_a_dissolved_unit_can_no_longer_be_changed(tree):
    from django.core.exceptions import ValidationError

    services.unit_deactivate(actor=None, unit=tree.b1)
    tree.b1.refresh_from_db()
    with pytest.raises(ValidationError):
        services.unit_update(
            actor=None, unit=tree.b1, name="改名", code="0201", union_type="group", kind=None
        )
    with pytest.raises(ValidationError):
        services.alias_add(actor=None, unit=tree.b1, alias="旧组")
    with pytest.raises(ValidationError):
        services.unit_move(actor=None, unit=tree.b1, new_parent=tree.a)
