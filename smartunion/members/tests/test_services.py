from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from smartunion.core.models import AuditEntry
from smartunion.members import selectors, services
from smartunion.members.models import Person

ID_A = "11010519491231002X"
ID_B = "320602199803120024"


def test_create_encrypts_the_id_number_and_audits_it_masked(make_person: Any) -> None:
    person = make_person(id_number=ID_A, post_salary=Decimal("2800.00"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert ID_A not in stored
    assert Person.objects.get(pk=person.pk).id_number == ID_A
    entry = AuditEntry.objects.get(action="members.person.created")
    assert entry.changes["id_number"] == "1101**********002X"
    assert ID_A not in str(entry.changes)
    assert entry.unit_id == person.unit_id


def test_an_id_number_belongs_to_one_person(make_person: Any) -> None:
    make_person(id_number=ID_A)
    with pytest.raises(ValidationError) as error:
        make_person(id_number=ID_A)
    assert "id_number" in error.value.message_dict
    other = make_person(id_number=ID_B)
    with pytest.raises(ValidationError):
        services.person_update(actor=None, person=other, id_number=ID_A)


def test_duplicate_staff_number_is_refused(make_person: Any) -> None:
    make_person(staff_no="100001")
    with pytest.raises(ValidationError) as error:
        make_person(staff_no="100001")
    assert "staff_no" in error.value.message_dict


def test_update_records_only_what_changed(make_person: Any, tree: Any) -> None:
    person = make_person(mobile="13812345678")
    services.person_update(actor=None, person=person, mobile="13812345678")
    assert not AuditEntry.objects.filter(action="members.person.updated").exists()
    services.person_update(actor=None, person=person, unit=tree.b, mobile="13900000000")
    entry = AuditEntry.objects.get(action="members.person.updated")
    assert entry.changes == {"mobile": ["138****5678", "139****0000"], "unit": ["机械工程学院", "外国语学院"]}
    with pytest.raises(TypeError):
        services.person_update(actor=None, person=person, staff_no="X")


def test_officer_cannot_move_a_person_out_of_or_into_another_unit(
    make_person: Any, make_user: Any, tree: Any
) -> None:
    chair = make_user("subunion_chair", tree.a)
    mine = make_person(unit=tree.a)
    theirs = make_person(unit=tree.b)
    with pytest.raises(ValidationError):
        services.person_update(actor=chair, person=mine, unit=tree.b)
    with pytest.raises(ValidationError):
        services.person_update(actor=chair, person=theirs, name="改名")
    assert Person.objects.get(pk=mine.pk).unit == tree.a


def test_revealing_an_id_number_needs_the_permission_and_is_logged(
    make_person: Any, make_user: Any, tree: Any
) -> None:
    person = make_person(id_number=ID_A)
    staff = make_user("union_staff", tree.root)
    chair = make_user("subunion_chair", tree.a)
    with pytest.raises(PermissionDenied):
        services.person_reveal_id_number(actor=chair, person=person)
    assert services.person_reveal_id_number(actor=staff, person=person) == ID_A
    entry = AuditEntry.objects.get(action="members.person.id_viewed")
    assert entry.sensitive is True and entry.actor == staff


def test_list_is_scoped_and_finds_by_full_id_number(make_person: Any, make_user: Any, tree: Any) -> None:
    mine = make_person(unit=tree.a1, id_number=ID_A, name="张三")
    make_person(unit=tree.b, id_number=ID_B, name="李四")
    chair = make_user("subunion_chair", tree.a)
    assert list(selectors.person_list_for_user(user=chair)) == [mine]
    assert list(selectors.person_list_for_user(user=chair, search="张")) == [mine]
    # Searching by ID number would tell a chair whose number it is: only for holders of the full view.
    assert list(selectors.person_list_for_user(user=chair, search=ID_A)) == []
    staff = make_user("union_staff", tree.root)
    assert list(selectors.person_list_for_user(user=staff, search=ID_A.lower())) == [mine]
    assert [p.name for p in selectors.person_list_for_user(user=staff, search=ID_B)] == ["李四"]


def test_roster_query_count_does_not_grow_with_rows(
    make_person: Any, make_user: Any, tree: Any, django_assert_max_num_queries: Any, client: Any
) -> None:
    for _ in range(30):
        make_person(unit=tree.a)
    chair = make_user("subunion_chair", tree.a)
    client.force_login(chair)
    with django_assert_max_num_queries(12):
        response = client.get("/console/members/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 25


def test_import_refuses_a_unit_name_shared_by_several_units(tree: Any, make_user: Any) -> None:
    import io

    from openpyxl import Workbook

    from smartunion.core.excel.importing import run_import
    from smartunion.members.imports import PersonImporter

    workbook = Workbook()
    workbook.active.append(["工号", "姓名", "性别", "所在单位", "人员类别"])
    workbook.active.append(["200001", "李明", "男", "第一工会小组", "在编"])  # A1 and B1 share this name
    workbook.active.append(["200002", "王丽", "女", "0101", "在编"])  # the code is unambiguous
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = run_import(PersonImporter(user=make_user("union_staff", tree.root)), buffer.getvalue())
    ambiguous, by_code = outcome.rows
    assert ambiguous.status == "error" and "D2" in ambiguous.errors[0]
    assert by_code.status == "ok" and by_code.target["unit"] == tree.a1


def test_import_rejects_id_numbers_that_belong_to_someone_else(
    tree: Any, make_user: Any, make_person: Any
) -> None:
    import io

    from openpyxl import Workbook

    from smartunion.core.excel.importing import run_import
    from smartunion.members.imports import PersonImporter

    make_person(staff_no="100001", id_number=ID_A, unit=tree.a)
    workbook = Workbook()
    workbook.active.append(["工号", "姓名", "性别", "身份证号", "所在单位", "人员类别"])
    workbook.active.append(["200001", "李明", "男", ID_A, "机械工程学院", "在编"])  # someone else's ID
    workbook.active.append(["200002", "王丽", "女", ID_B, "机械工程学院", "在编"])
    workbook.active.append(["200003", "王丽", "女", ID_B, "机械工程学院", "在编"])  # same ID, other 工号
    workbook.active.append(
        ["200004", "赵敏", "女", "320602199702020024", "机械工程学院", "在编"]
    )  # new: fine
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = run_import(PersonImporter(user=make_user("union_staff", tree.root)), buffer.getvalue())
    statuses = [(row.number, row.status) for row in outcome.rows]
    assert statuses == [(2, "error"), (3, "error"), (4, "error"), (5, "ok")]
    assert "100001" in outcome.rows[0].errors[0] and "D2" in outcome.rows[0].errors[0]
    applied = run_import(
        PersonImporter(user=make_user("union_staff", tree.root)), buffer.getvalue(), apply=True
    )
    assert applied.applied  # the rejected rows do not stop the others
    assert Person.objects.filter(staff_no="200004").exists()
    assert not Person.objects.filter(staff_no__in=["200001", "200002", "200003"]).exists()


def test_an_officers_import_reveals_nothing_about_people_of_other_units(
    tree: Any, make_user: Any, make_person: Any
) -> None:
    import io

    from openpyxl import Workbook

    from smartunion.accounts.models import Permission, Role
    from smartunion.core.excel.importing import run_import
    from smartunion.members.imports import PersonImporter

    # Roles are data: an administrator may let sub-union chairs import their own staff.
    Role.objects.get(code="subunion_chair").permissions.add(Permission.objects.get(code="members.import"))
    make_person(
        staff_no="100009", name="外院教工", unit=tree.b, id_number=ID_A, post_salary=Decimal("3305.00")
    )
    chair = make_user("subunion_chair", tree.a)
    workbook = Workbook()
    workbook.active.append(["工号", "姓名", "性别", "身份证号", "所在单位", "人员类别", "岗位工资"])
    workbook.active.append(["100009", "改名", "女", "", "机械工程学院", "在编", "9999"])  # B's person
    workbook.active.append(["200001", "新人", "女", ID_A, "机械工程学院", "在编", ""])  # B's person's ID
    buffer = io.BytesIO()
    workbook.save(buffer)
    first, second = run_import(PersonImporter(user=chair), buffer.getvalue()).rows
    assert first.status == "error" and not first.changes
    assert "外院教工" not in " ".join(first.messages + second.messages)
    assert "100009" not in " ".join(second.messages) and second.status == "error"


def test_merging_a_unit_moves_its_people_through_the_members_service(tree: Any, make_person: Any) -> None:
    from smartunion.organisations import services as org_services

    person = make_person(unit=tree.b1)
    org_services.unit_merge(actor=None, source=tree.b1, target=tree.b)
    person.refresh_from_db()
    assert person.unit == tree.b
    entry = AuditEntry.objects.get(action="members.person.unit_merged")
    assert entry.target_id == str(person.pk) and entry.changes == {"unit": ["第一工会小组", "外国语学院"]}


def test_a_model_with_units_but_no_merge_policy_stops_the_merge(
    tree: Any, make_person: Any, monkeypatch: Any
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from smartunion.organisations import merging
    from smartunion.organisations import services as org_services

    make_person(unit=tree.b1)
    monkeypatch.setattr(merging, "_handlers", {})
    with pytest.raises(ImproperlyConfigured):
        org_services.unit_merge(actor=None, source=tree.b1, target=tree.b)
    assert Person.objects.filter(unit=tree.b1).count() == 1


def test_person_and_account_with_the_same_staff_number_are_linked(make_person: Any, make_user: Any) -> None:
    # HR registered the person first; the account created later finds them.
    person = make_person(staff_no="200001")
    user = make_user(staff_no="200001", name="后建账号")
    person.refresh_from_db()
    assert person.user == user
    assert selectors.person_of_user(user) == person
    # The account first; the person registered later (e.g. by the HR roster sync) takes it.
    early = make_user(staff_no="200002", name="先有账号")
    assert make_person(staff_no="200002").user == early
    # An account for a 工号 HR does not know stays unlinked; a person whose 工号 has no account too.
    assert selectors.person_of_user(make_user(staff_no="200004")) is None
    assert make_person(staff_no="200005").user is None
