from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from smartunion.core.models import AuditEntry
from smartunion.finance import services
from smartunion.finance.chain import GENESIS
from smartunion.finance.models import Category, Entry, EntryLine, LedgerIsAppendOnly
from smartunion.finance.selectors import budget_line_status
from smartunion.finance.services import Line
from smartunion.finance.verify import verify_chain

from .conftest import DAY, YEAR, spend

pytestmark = pytest.mark.django_db


def post(unit: Any, lines: list[Any], key: str = "k1", **extra: Any) -> services.Posting:
    options: dict[str, Any] = {"actor": None, "posted_on": DAY, "memo": "测试", **extra}
    return services.entry_post(idempotency_key=key, unit=unit, lines=lines, **options)


def test_the_default_chart_is_seeded_as_a_tree(chart):
    assert chart["401"].name == "会费收入" and chart["401"].kind == Category.Kind.INCOME
    assert chart["402"].name == "拨缴经费收入"
    assert chart["50101"].parent == chart["501"] and chart["50101"].name == "文体活动"
    assert chart["50202"].parent == chart["502"] and chart["50202"].name == "送温暖"
    assert {chart[code].kind for code in ("501", "502", "503", "504", "509")} == {"expense"}


def test_a_balanced_entry_is_posted_chained_and_audited(tree, chart, budget, make_user):
    budget()
    clerk = make_user("union_staff", tree.root)
    first = services.entry_post(
        actor=clerk,
        idempotency_key="members.dues_month:12",
        unit=tree.a,
        posted_on=DAY,
        memo="2026年2月会费",
        lines=[
            {"account": "funds", "amount": "1234.50"},
            {"category": chart["401"], "amount": "-1234.50"},
        ],
        source_type="members.dues_month",
        source_id=12,
    )
    assert first.created and first.warnings == []
    entry = first.entry
    assert (entry.seq, entry.previous_hash, entry.source_id, entry.posted_by) == (1, GENESIS, "12", clerk)
    assert sorted(entry.lines.values_list("amount", flat=True)) == [Decimal("-1234.50"), Decimal("1234.50")]
    second = post(tree.a, spend(chart["50101"], "100.00"), key="k2").entry
    assert (second.seq, second.previous_hash) == (2, entry.entry_hash)
    log = AuditEntry.objects.filter(action="finance.entry.posted").order_by("id")
    assert [a.changes["seq"] for a in log] == [1, 2]
    assert log[0].changes["source"] == "members.dues_month:12" and log[0].unit_id == tree.a.pk
    assert verify_chain().ok and verify_chain().count == 2


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([("50101", "100.00"), (None, "-90.00")], "does not balance: its lines sum to 10.00"),
        ([("50101", "0"), (None, "0.00")], "Line 1: the amount must not be zero"),
        ([("50101", "10.005"), (None, "-10.005")], "at most two decimals"),
        ([("50101", "abc"), (None, "-1")], "Line 1: abc is not an amount"),
        ([("50101", "0.00")], "at least two lines"),
        (
            [("50101", "10.00"), ("401", "-5.00"), (None, "-5.00"), ("old", "1.00"), (None, "-1.00")],
            "not in use",
        ),
    ],
)
def test_invalid_entries_are_refused_and_nothing_is_written(tree, chart, budget, lines, message):
    budget()
    chart["old"] = Category.objects.create(
        code="599", name="旧科目", kind="expense", valid_to=dt.date(2025, 12, 31)
    )
    built = [
        Line(account="funds", amount=amount) if code is None else Line(category=chart[code], amount=amount)
        for code, amount in lines
    ]
    with pytest.raises(ValidationError, match=message):
        post(tree.a, built)
    assert not Entry.objects.exists() and not EntryLine.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="finance.").exists()


def test_a_funds_line_with_a_category_or_a_category_line_without_one_is_refused(tree, chart):
    with pytest.raises(ValidationError) as caught:
        post(
            tree.a,
            [
                Line(category=None, amount="1.00"),
                Line(account="funds", category=chart["401"], amount="-1.00"),
            ],
        )
    assert "Line 1: choose a category." in caught.value.messages
    assert "Line 2: a funds line has no category." in caught.value.messages


def test_a_closed_year_accepts_no_postings(tree, chart, budget, make_user):
    budget()
    year = services.fiscal_year_close(actor=make_user(), year=YEAR)
    assert year.is_closed
    with pytest.raises(ValidationError, match="2026 is already closed"):
        services.fiscal_year_close(actor=None, year=YEAR)
    with pytest.raises(ValidationError, match="fiscal year 2026 is closed"):
        post(tree.a, spend(chart["50101"], "10.00"))
    assert not Entry.objects.exists()
    budget(year=2027)
    post(tree.a, spend(chart["50101"], "10.00"), posted_on=dt.date(2027, 1, 5))  # the next year is open
    assert AuditEntry.objects.filter(action="finance.year.closed").count() == 1


def test_the_same_idempotency_key_posts_once(tree, chart, budget):
    budget()
    first = post(tree.a, spend(chart["50101"], "100.00"), key="welfare.batch:3:person:7")
    again = post(tree.a, spend(chart["50101"], "100.00"), key="welfare.batch:3:person:7")
    assert first.created and not again.created and again.entry == first.entry
    assert Entry.objects.count() == 1 and EntryLine.objects.count() == 2


def test_a_reversal_negates_the_lines_and_an_entry_is_reversed_once(tree, chart, budget):
    line = budget()
    original = post(tree.a, spend(chart["50101"], "300.00")).entry
    assert budget_line_status(line).spent == Decimal("300.00")
    reversal = services.entry_reverse(actor=None, entry=original, reason="重复报销", idempotency_key="r1")
    assert reversal.created and reversal.entry.reversal_of == original
    assert original.reversed_by == reversal.entry
    assert sorted(reversal.entry.lines.values_list("amount", flat=True)) == [
        Decimal("-300.00"),
        Decimal("300.00"),
    ]
    assert budget_line_status(line).spent == Decimal("0.00")
    replay = services.entry_reverse(actor=None, entry=original, reason="重复报销", idempotency_key="r1")
    assert not replay.created and replay.entry == reversal.entry
    with pytest.raises(ValidationError, match="already been reversed by entry #2"):
        services.entry_reverse(actor=None, entry=original, reason="again", idempotency_key="r2")
    with pytest.raises(ValidationError, match="is a reversal"):
        services.entry_reverse(actor=None, entry=reversal.entry, reason="undo", idempotency_key="r3")
    with pytest.raises(ValidationError, match="Say why"):
        services.entry_reverse(actor=None, entry=original, reason=" ", idempotency_key="r4")
    assert Entry.objects.count() == 2
    assert AuditEntry.objects.get(action="finance.entry.reversed").changes["reversed_entry"] == "#1"
    assert verify_chain().ok


def test_entries_and_lines_are_never_updated_or_deleted(tree, chart, budget):
    budget()
    entry = post(tree.a, spend(chart["50101"], "100.00")).entry
    line = entry.lines.first()
    entry.memo = "改写"
    for attempt in (entry.save, entry.delete, line.save, line.delete):
        with pytest.raises(LedgerIsAppendOnly):
            attempt()
    with pytest.raises(LedgerIsAppendOnly):
        Entry.objects.filter(pk=entry.pk).update(memo="改写")
    with pytest.raises(LedgerIsAppendOnly):
        EntryLine.objects.all().delete()
    with pytest.raises(LedgerIsAppendOnly):
        Entry.objects.all().delete()
    assert Entry.objects.get().memo == "测试" and EntryLine.objects.count() == 2


postgres_only = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the ledger triggers exist on PostgreSQL only"
    ),
]


@postgres_only[0]
@postgres_only[1]
def test_postgresql_refuses_raw_updates_deletes_and_unbalanced_lines(tree, chart, budget):
    budget()
    entry = post(tree.a, spend(chart["50101"], "100.00")).entry
    for sql in (
        "UPDATE finance_entryline SET amount = 1 WHERE entry_id = %s",
        "DELETE FROM finance_entryline WHERE entry_id = %s",
        "UPDATE finance_entry SET memo = 'x' WHERE id = %s",
        "DELETE FROM finance_entry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    with (
        pytest.raises(DatabaseError, match="does not balance"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO finance_entryline (entry_id, unit_id, account, category_id, amount) "
            "VALUES (%s, %s, 'funds', NULL, 5)",
            [entry.pk, tree.a.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    assert EntryLine.objects.filter(entry=entry).count() == 2


def _tamper(sql: str, params: list[Any]) -> None:
    """Change the books behind the application's back: on PostgreSQL a DBA first disables the triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE needs no pending trigger events
            cursor.execute("ALTER TABLE finance_entryline DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE finance_entry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        # (the test's transaction is rolled back afterwards, which restores the triggers)


def test_finance_verify_reports_the_first_tampered_entry(tree, chart, budget):
    budget()
    entries = [post(tree.a, spend(chart["50101"], "100.00"), key=f"k{n}").entry for n in range(3)]
    out = StringIO()
    call_command("finance_verify", stdout=out)
    assert "intact: 3 entries checked" in out.getvalue()
    victim = entries[1]
    _tamper(
        "UPDATE finance_entryline SET amount = -amount WHERE entry_id = %s",  # still balanced, still wrong
        [victim.pk],
    )
    with pytest.raises(
        CommandError, match=rf"broken at entry #2 \(id {victim.pk}\).*does not match its hash"
    ):
        call_command("finance_verify")
    result = verify_chain()
    assert (result.ok, result.seq, result.entry_id, result.count) == (False, 2, victim.pk, 1)


def test_finance_verify_detects_a_deleted_entry_and_a_forged_link(tree, chart, budget):
    budget()
    entries = [post(tree.a, spend(chart["50101"], "10.00"), key=f"k{n}").entry for n in range(3)]
    _tamper("UPDATE finance_entry SET previous_hash = %s WHERE id = %s", [GENESIS, entries[2].pk])
    assert verify_chain().seq == 3 and "does not link" in verify_chain().problem
    _tamper("DELETE FROM finance_entryline WHERE entry_id = %s", [entries[2].pk])
    _tamper("DELETE FROM core_auditentry WHERE 1 = 0", [])
    _tamper("DELETE FROM finance_entry WHERE id = %s", [entries[2].pk])
    result = verify_chain()
    assert not result.ok and "missing" in result.problem


# -- overspend control ------------------------------------------------------------------------------


def test_a_stop_category_refuses_spending_beyond_its_budget(tree, chart, budget):
    line = budget(amount="1000.00")
    post(tree.a, spend(chart["50101"], "600.00"), key="a")
    with pytest.raises(ValidationError) as caught:
        post(tree.a, spend(chart["50101"], "500.00"), key="b")
    assert caught.value.messages == [
        "Over budget: 50101 文体活动 at 机械工程学院 has 400.00 left of 1000.00 for 2026; "
        "this posting needs 500.00."
    ]
    post(tree.a, spend(chart["50101"], "400.00"), key="c")  # exactly the rest is fine
    status = budget_line_status(line)
    assert (status.budget, status.spent, status.remaining) == (
        Decimal("1000.00"),
        Decimal("1000.00"),
        Decimal("0.00"),
    )
    assert Entry.objects.count() == 2


def test_a_warn_category_posts_beyond_its_budget_with_a_warning(tree, chart, budget):
    Category.objects.filter(pk=chart["50102"].pk).update(overspend=Category.Overspend.WARN)
    chart["50102"].refresh_from_db()
    line = budget("50102", amount="100.00")
    posting = post(tree.a, spend(chart["50102"], "150.00"))
    assert posting.created
    assert posting.warnings == [
        "Over budget: 50102 疗休养 at 机械工程学院 has 100.00 left of 100.00 for 2026; this posting needs 150.00."
    ]
    assert budget_line_status(line).remaining == Decimal("-50.00")
    assert AuditEntry.objects.get(action="finance.entry.posted").changes["warnings"] == posting.warnings


def test_spending_without_a_budget_line_is_refused_for_stop_categories(tree, chart):
    with pytest.raises(ValidationError, match=r"维权支出.*has no budget for 2026"):
        post(tree.a, spend(chart["502"], "1.00"))


def test_sub_categories_draw_on_the_parent_budget_of_the_same_unit_only(tree, chart, budget):
    parent = budget("501", amount="500.00")
    post(tree.a, spend(chart["50101"], "200.00"), key="a")
    post(tree.a, spend(chart["50103"], "200.00"), key="b")
    assert budget_line_status(parent).spent == Decimal("400.00")
    with pytest.raises(ValidationError, match=r"has 100\.00 left of 500\.00"):
        post(tree.a, [*spend(chart["50101"], "60.00"), *spend(chart["50102"], "60.00")], key="c")
    with pytest.raises(ValidationError, match="外国语学院 has no budget"):
        post(tree.b, spend(chart["50101"], "1.00"), key="d")
    budget("501", amount="50.00", unit=tree.b)
    post(tree.b, spend(chart["50101"], "50.00"), key="e")
    assert budget_line_status(parent).spent == Decimal("400.00")


def test_income_and_refunds_are_never_refused(tree, chart):
    post(
        tree.a, [Line(account="funds", amount="80.00"), Line(category=chart["409"], amount="-80.00")], key="a"
    )
    post(
        tree.a, [Line(category=chart["503"], amount="-20.00"), Line(account="funds", amount="20.00")], key="b"
    )
    assert Entry.objects.count() == 2
