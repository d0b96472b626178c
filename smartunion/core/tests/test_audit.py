"""The audit trail: what one entry records, that nothing rewrites it, and the auditors' list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from smartunion.accounts.models import RoleAssignment
from smartunion.core.audit import action_label, audit, diff, history_for, snapshot
from smartunion.core.models import AuditEntry, AuditLogIsAppendOnly
from smartunion.members import services as member_services
from smartunion.members.models import Person

from .conftest import xlsx_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDIT_URL = reverse("core:audit_list")


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def audit_at(when: dt.datetime, **kwargs) -> AuditEntry:
    """An entry written at a given moment (created_at is auto_now_add, so the clock is moved)."""
    with mock.patch("django.utils.timezone.now", return_value=when.astimezone(dt.UTC)):
        return audit(**kwargs)


def listed(response) -> list[AuditEntry]:
    assert response.status_code == 200, response.status_code
    return list(response.context["page"].object_list)


# -- one entry ------------------------------------------------------------------------------------


def test_audit_records_actor_target_unit_and_serialised_changes(tree, make_user):
    user = make_user("union_staff", tree.root, name="王五")
    entry = audit(
        actor=user,
        action="organisations.unit.renamed",
        target=tree.a1,
        changes={
            "name": ["旧名", "新名"],
            "founded": dt.date(1985, 3, 12),
            "at": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
            "budget": Decimal("12345.60"),
            "parent": tree.b,
            "dates": [dt.date(2026, 1, 1), Decimal("1.50")],
        },
    )
    entry = AuditEntry.objects.get(pk=entry.pk)  # what the database holds, not the Python object
    assert entry.actor_id == user.pk
    assert entry.actor_label == f"王五（{user.staff_no}）"
    assert entry.action == "organisations.unit.renamed"
    assert entry.target_type == ContentType.objects.get_for_model(tree.a1)
    assert entry.target_id == str(tree.a1.pk)
    assert entry.target_label == "第一工会小组"
    assert entry.unit_id == tree.a1.pk  # an OrgUnit's audit_unit is itself
    assert entry.changes == {
        "name": ["旧名", "新名"],
        "founded": "1985-03-12",
        "at": "2026-03-01T09:30:00+00:00",
        "budget": "12345.60",
        "parent": "外国语学院",
        "dates": ["2026-01-01", "1.50"],
    }
    assert entry.sensitive is False
    assert entry.ip_address is None  # written outside a request
    assert entry.created_at is not None


def test_audit_unit_comes_from_audit_unit_then_unit_then_the_argument(tree, make_user, make_person):
    user = make_user("union_staff", tree.root)
    person = make_person(tree.b1, "P1")  # Person has .unit but no .audit_unit
    assignment = RoleAssignment.objects.get(user=user)  # RoleAssignment has .audit_unit
    assert audit(actor=user, action="x.person.y", target=person).unit_id == tree.b1.pk
    assert audit(actor=user, action="x.assignment.y", target=assignment).unit_id == tree.root.pk
    assert audit(actor=user, action="x.person.y", target=person, unit=tree.a).unit_id == tree.a.pk
    assert audit(actor=user, action="x.system.y").unit_id is None


def test_audit_without_actor_is_the_system_and_sensitive_flag_is_kept(tree):
    entry = audit(actor=None, action="core.test.system", sensitive=True)
    entry.refresh_from_db()
    assert entry.actor_id is None
    assert entry.actor_label == "系统（自动）"
    assert entry.target_type_id is None
    assert entry.target_id == "" and entry.target_label == ""
    assert entry.sensitive is True


def test_snapshot_and_diff(tree, make_person):
    person = make_person(tree.a, "P1", name="张三", post_salary=Decimal("2800"))
    before = snapshot(person, ["name", "unit", "post_salary", "birth_date"])
    assert before == {"name": "张三", "unit": "机械工程学院", "post_salary": "2800", "birth_date": None}
    person.name = "张三丰"
    person.birth_date = dt.date(1985, 3, 12)
    after = snapshot(person, ["name", "unit", "post_salary", "birth_date"])
    # The birth date is one of the values a person's AUDIT_MASKS records without its day.
    assert diff(before, after) == {"birth_date": [None, "1985-03"], "name": ["张三", "张三丰"]}
    assert diff(after, after) == {}


def test_audit_takes_the_client_ip_from_the_current_request(client, tree, make_user, settings):
    user = make_user("union_staff", tree.root)
    client.force_login(user)
    xlsx_rows(client.get(AUDIT_URL, {"export": "xlsx"}, REMOTE_ADDR="10.1.2.3"))
    entry = AuditEntry.objects.filter(action="core.list.exported").latest("id")
    assert entry.ip_address == "10.1.2.3"
    assert entry.actor_id == user.pk

    # Without a proxy the header is the client's own claim: ignored.
    xlsx_rows(
        client.get(AUDIT_URL, {"export": "xlsx"}, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="6.6.6.6")
    )
    assert AuditEntry.objects.filter(action="core.list.exported").latest("id").ip_address == "10.1.2.3"

    # Behind nginx (USE_X_FORWARDED_FOR) the first X-Forwarded-For hop is the client.
    settings.USE_X_FORWARDED_FOR = True
    xlsx_rows(
        client.get(
            AUDIT_URL,
            {"export": "xlsx"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1",
        )
    )
    assert AuditEntry.objects.filter(action="core.list.exported").latest("id").ip_address == "203.0.113.9"

    # Once the request is over, nothing of it leaks into the next audit entry.
    assert audit(actor=user, action="core.test.after").ip_address is None


# -- append-only ----------------------------------------------------------------------------------


@pytest.fixture
def entry(tree, make_user):
    return audit(actor=make_user(), action="core.test.original", target=tree.a, changes={"a": 1})


def _unchanged(entry: AuditEntry) -> None:
    fresh = AuditEntry.objects.get(pk=entry.pk)
    assert (fresh.action, fresh.changes) == ("core.test.original", {"a": 1})


def test_an_entry_cannot_be_saved_again(entry):
    entry.action = "core.test.forged"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save(update_fields=["action"])
    _unchanged(entry)


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    _unchanged(entry)


def test_entries_cannot_be_updated_in_bulk(entry):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="core.test.forged")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.update(sensitive=True)
    entry.action = "core.test.forged"
    # (bulk_update and update_or_create run in their own atomic block, which the refusal breaks.)
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    with pytest.raises(AuditLogIsAppendOnly), transaction.atomic():
        AuditEntry.objects.update_or_create(pk=entry.pk, defaults={"action": "x"})
    _unchanged(entry)


def test_deleting_the_actor_or_the_unit_does_not_take_entries_with_it(entry, tree):
    with pytest.raises(ProtectedError):
        entry.actor.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (migration 0002)",
)
def test_postgresql_trigger_refuses_raw_update_and_delete(entry):
    table = AuditEntry._meta.db_table
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s", ["core.test.forged", entry.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")
    _unchanged(entry)
    # Inserting stays possible: the log is append-only, not read-only.
    assert audit(actor=None, action="core.test.more").pk


# -- the auditors' list ---------------------------------------------------------------------------


@pytest.fixture
def log(tree, make_user, make_person):
    """Entries at A, A1, B and without a unit, by two actors, with known times, types and flags."""
    li = make_user(name="李四")
    wang = make_user(name="王五")
    zs = make_person(tree.a, "ZS", name="张三")
    ls = make_person(tree.b, "LS", name="李小四")
    ns = {
        "li": li,
        "wang": wang,
        "zs": zs,
        "ls": ls,
        "a_update": audit_at(
            at(2026, 1, 10),
            actor=li,
            action="members.person.updated",
            target=zs,
            changes={"name": ["甲", "乙"]},
        ),
        "a1_unit": audit_at(
            at(2026, 2, 15, 0, 30), actor=wang, action="organisations.unit.renamed", target=tree.a1
        ),
        "a_sensitive": audit_at(
            at(2026, 2, 15, 23, 30), actor=li, action="members.person.id_viewed", target=zs, sensitive=True
        ),
        "b_update": audit_at(at(2026, 3, 20), actor=wang, action="members.person.updated", target=ls),
        "b_sensitive": audit_at(
            at(2026, 3, 21), actor=li, action="members.person.id_viewed", target=ls, sensitive=True
        ),
        "global": audit_at(at(2026, 2, 16), actor=None, action="core.test.system"),
    }
    return ns


def _ids(entries) -> set[int]:
    return {entry.pk for entry in entries}


def test_audit_list_needs_login_and_the_permission(client, tree, make_user):
    response = client.get(AUDIT_URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(make_user("subunion_chair", tree.a))  # officers do not read the audit log
    assert client.get(AUDIT_URL).status_code == 403


def test_auditor_at_a_unit_sees_only_its_subtree_and_no_unitless_entries(client, tree, make_user, log):
    client.force_login(make_user("auditor", tree.a))
    shown = listed(client.get(AUDIT_URL))
    assert {log["a_update"].pk, log["a1_unit"].pk, log["a_sensitive"].pk} <= _ids(shown)
    assert not {log["b_update"].pk, log["b_sensitive"].pk, log["global"].pk} & _ids(shown)
    assert all(entry.unit_id is not None and entry.unit.path.startswith(tree.a.path) for entry in shown)


def test_auditor_at_the_root_sees_everything(client, tree, make_user, log):
    client.force_login(make_user("auditor", tree.root))
    shown = listed(client.get(AUDIT_URL))
    mine = {
        log[key].pk for key in ("a_update", "a1_unit", "a_sensitive", "b_update", "b_sensitive", "global")
    }
    assert mine <= _ids(shown)
    assert len(shown) == AuditEntry.objects.count()


@pytest.fixture
def root_auditor(client, tree, make_user):
    client.force_login(make_user("auditor", tree.root))
    return client


def test_filter_by_actor(root_auditor, log):
    shown = listed(root_auditor.get(AUDIT_URL, {"actor": "李四"}))
    assert _ids(shown) == {log["a_update"].pk, log["a_sensitive"].pk, log["b_sensitive"].pk}


def test_filter_by_action_code_and_prefix(root_auditor, log):
    shown = listed(root_auditor.get(AUDIT_URL, {"action": "members.person.updated"}))
    assert _ids(shown) == {log["a_update"].pk, log["b_update"].pk}
    # The prefix "members.person" also takes the creations the make_person fixture wrote.
    shown = listed(root_auditor.get(AUDIT_URL, {"action": "members.person"}))
    assert {log["a_update"].pk, log["b_update"].pk, log["a_sensitive"].pk, log["b_sensitive"].pk} <= _ids(
        shown
    )
    assert {entry.action for entry in shown} == {
        "members.person.created",
        "members.person.updated",
        "members.person.id_viewed",
    }


def test_filter_by_object_type_and_object(root_auditor, log):
    person_type = ContentType.objects.get_for_model(Person)
    shown = listed(root_auditor.get(AUDIT_URL, {"target_type": person_type.pk}))
    assert shown and all(entry.target_type_id == person_type.pk for entry in shown)
    assert log["a1_unit"].pk not in _ids(shown)

    shown = listed(
        root_auditor.get(AUDIT_URL, {"target_type": person_type.pk, "target_id": str(log["zs"].pk)})
    )
    assert {entry.target_id for entry in shown} == {str(log["zs"].pk)}
    assert {log["a_update"].pk, log["a_sensitive"].pk} <= _ids(shown)
    # The object field also finds the object by its label.
    shown = listed(root_auditor.get(AUDIT_URL, {"target_id": "李小四"}))
    assert {entry.target_id for entry in shown} == {str(log["ls"].pk)}


def test_filter_by_date_range_in_local_time(root_auditor, log):
    # 2026-02-15 00:30 and 23:30 in Shanghai are 2026-02-14 and 2026-02-15 in UTC: both are the 15th here.
    shown = listed(root_auditor.get(AUDIT_URL, {"date_from": "2026-02-15", "date_to": "2026-02-15"}))
    assert _ids(shown) == {log["a1_unit"].pk, log["a_sensitive"].pk}
    shown = listed(root_auditor.get(AUDIT_URL, {"date_from": "2026-03-01"}))
    assert {log["b_update"].pk, log["b_sensitive"].pk} <= _ids(shown)
    assert not {log["a_update"].pk, log["a1_unit"].pk, log["global"].pk} & _ids(shown)
    shown = listed(root_auditor.get(AUDIT_URL, {"date_to": "2026-01-31"}))
    assert _ids(shown) == {log["a_update"].pk}


def test_a_reversed_date_range_is_an_error_on_the_form(root_auditor, log):
    response = root_auditor.get(AUDIT_URL, {"date_from": "2026-03-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]


def test_filter_sensitive_only(root_auditor, log):
    shown = listed(root_auditor.get(AUDIT_URL, {"sensitive_only": "on"}))
    assert _ids(shown) == {log["a_sensitive"].pk, log["b_sensitive"].pk}


def test_filters_combine_and_stay_scoped(client, tree, make_user, log):
    client.force_login(make_user("auditor", tree.a))
    shown = listed(client.get(AUDIT_URL, {"sensitive_only": "on", "actor": "李四"}))
    assert _ids(shown) == {log["a_sensitive"].pk}


def test_audit_list_paginates_with_bounded_queries(root_auditor, tree, django_assert_max_num_queries):
    for i in range(60):
        audit(actor=None, action="core.test.bulk", target=tree.a if i % 2 else tree.b, changes={"i": i})
    total = AuditEntry.objects.count()
    first = root_auditor.get(AUDIT_URL)
    assert first.context["page"].paginator.count == total
    assert len(first.context["page"].object_list) == 50
    second = listed(root_auditor.get(AUDIT_URL, {"page": 2}))
    assert len(second) == total - 50
    assert not _ids(first.context["page"].object_list) & _ids(second)
    assert "core.test.bulk" in first.content.decode()  # unregistered codes show as themselves
    with django_assert_max_num_queries(12):
        root_auditor.get(AUDIT_URL)


def test_audit_list_htmx_request_renders_only_the_table(root_auditor, log):
    response = root_auditor.get(AUDIT_URL, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="table-region"' in html
    assert "<form" not in html


def test_audit_list_exports_the_filtered_entries_as_xlsx(root_auditor, log):
    response = root_auditor.get(AUDIT_URL, {"action": "members.person.updated", "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    rows = xlsx_rows(response)
    header_index = next(i for i, row in enumerate(rows) if row and "IP" in " ".join(str(c) for c in row if c))
    data = [row for row in rows[header_index + 1 :] if any(row)]
    assert len(data) == 2
    exported = " ".join(str(cell) for row in data for cell in row if cell is not None)
    assert "张三（ZS）" in exported and "李小四（LS）" in exported
    assert "name: 甲 → 乙" in exported
    assert "王五" in exported and "李四" in exported

    logged = AuditEntry.objects.filter(action="core.list.exported").latest("id")
    assert logged.changes["rows"] == 2
    assert logged.changes["filters"] == {"action": "members.person.updated"}
    assert logged.changes["unmasked_columns"] == []
    assert logged.sensitive is False


def test_core_actions_have_labels_and_are_filterable(root_auditor, log):
    """core's own actions (uploads, exports) read as words in the log and can be chosen as a filter."""
    xlsx_rows(root_auditor.get(AUDIT_URL, {"export": "xlsx"}))
    assert action_label("core.list.exported") != "core.list.exported"
    shown = listed(root_auditor.get(AUDIT_URL, {"action": "core.list.exported"}))
    assert shown and {entry.action for entry in shown} == {"core.list.exported"}


# -- the history panel ----------------------------------------------------------------------------


def test_history_panel_renders_the_entries_of_one_object_newest_first(tree, make_user, make_person):
    user = make_user("union_staff", tree.root, name="赵六")
    person = make_person(tree.a, "ZS", name="张三")
    other = make_person(tree.a, "LS", name="李四")
    member_services.person_update(actor=user, person=person, name="张三丰")
    member_services.person_update(actor=user, person=other, name="李四光")

    assert [entry.action for entry in history_for(person)] == [
        "members.person.updated",
        "members.person.created",
    ]
    with translation.override("zh-hans"):
        html = Template("{% load smartunion %}{% history_panel person %}").render(Context({"person": person}))
        updated_label = escape(action_label("members.person.updated"))
        created_label = escape(action_label("members.person.created"))
    assert updated_label in html and created_label in html
    assert html.index(updated_label) < html.index(created_label)  # newest first
    assert "张三" in html and "张三丰" in html
    assert "赵六" in html
    assert "李四光" not in html  # another object's history


def test_history_panel_of_an_object_without_entries_says_so(db):
    from smartunion.members.models import StaffCategory

    category = StaffCategory.objects.get(name="在编")
    with translation.override("en"):
        html = Template("{% load smartunion %}{% history_panel obj %}").render(Context({"obj": category}))
    assert "No recorded changes yet." in html
    assert "<li>" not in html


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("unknown", "10.9.8.7"),
        ("not-an-ip, 10.0.0.1", "10.9.8.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("", "10.9.8.7"),
    ],
)
def test_a_forwarded_header_that_is_not_an_ip_falls_back_to_the_peer(
    client, tree, make_user, forwarded, expected, settings
):
    """Some proxies send "unknown"; an audit entry must still be written (PostgreSQL's inet would refuse it)."""
    settings.USE_X_FORWARDED_FOR = True
    client.force_login(make_user("union_staff", tree.root))
    response = client.get(
        AUDIT_URL, {"export": "xlsx"}, REMOTE_ADDR="10.9.8.7", HTTP_X_FORWARDED_FOR=forwarded
    )
    xlsx_rows(response)
    assert AuditEntry.objects.filter(action="core.list.exported").latest("id").ip_address == expected
