"""Income from the dues: a month recorded as deducted in members is posted once, one entry per sub-union,
the school union's part at the top of the tree; the 收入登记 page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from smartunion.core.models import AuditEntry
from smartunion.finance import income
from smartunion.finance.models import Category, Entry, EntryLine
from smartunion.finance.services import entry_reverse
from smartunion.finance.verify import verify_chain
from smartunion.members import services as member_services
from smartunion.members.models import DuesCharge
from smartunion.members.selectors.dues import add_months, month_start
from smartunion.members.tests.test_dues import make_member

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def office(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


@pytest.fixture
def last_month() -> Any:
    from django.utils import timezone

    return add_months(month_start(timezone.localdate()), -1)


@pytest.fixture
def recorded(make_person: Any, tree: Any, office: Any, last_month: Any) -> Any:
    """Three paying members (A, its group A1, B), their month recorded as deducted."""
    for unit, salary in ((tree.a, "4000"), (tree.a1, "3000"), (tree.b, "5000")):
        make_member(make_person(unit=unit, post_salary=D(salary), grade_salary=D("0")))
    return member_services.dues.dues_month_record(actor=office, month=last_month)


def parts(record: Any, path: str) -> tuple[Decimal, Decimal]:
    charges = DuesCharge.objects.filter(dues_month=record, unit__path__startswith=path, paid=True)
    totals = charges.aggregate(school=Sum("school_part"), unit=Sum("unit_part"))
    return totals["school"] or D("0"), totals["unit"] or D("0")


def income_of(unit: Any) -> Decimal:
    total = EntryLine.objects.filter(unit=unit, category__code="401").aggregate(s=Sum("amount"))["s"]
    return -(total or D("0"))


def test_posts_one_balanced_entry_per_subunion(
    recorded: Any, office: Any, tree: Any, last_month: Any
) -> None:
    result = income.dues_income_record(actor=office, month=last_month)
    assert len(result.created) == 2
    entries = {entry.unit_id: entry for entry in Entry.objects.all()}
    assert set(entries) == {tree.a.pk, tree.b.pk}
    entry_a = entries[tree.a.pk]
    assert entry_a.idempotency_key == f"finance.dues:{last_month:%Y-%m}:{tree.a.pk}"
    assert entry_a.source_type == "members.dues_month" and entry_a.source_id == str(recorded.pk)
    for entry in entries.values():
        assert sum(line.amount for line in entry.lines.all()) == 0
    school_a, unit_a = parts(recorded, tree.a.path)
    school_b, unit_b = parts(recorded, tree.b.path)
    assert income_of(tree.a) == unit_a  # A1's part is A's: the sub-union keeps it
    assert income_of(tree.b) == unit_b
    assert income_of(tree.root) == school_a + school_b
    assert income_of(tree.a) + income_of(tree.b) + income_of(tree.root) == recorded.total
    funds = EntryLine.objects.filter(account="funds").aggregate(s=Sum("amount"))["s"]
    assert funds == recorded.total
    assert AuditEntry.objects.filter(action="finance.entry.posted").count() == 2
    assert verify_chain().ok


def test_twice_posts_nothing_new(recorded: Any, office: Any, last_month: Any) -> None:
    income.dues_income_record(actor=office, month=last_month)
    again = income.dues_income_record(actor=office, month=last_month.replace(day=15))
    assert again.created == [] and len(again.postings) == 2
    assert Entry.objects.count() == 2


def test_unpaid_charges_are_not_income(recorded: Any, office: Any, tree: Any, last_month: Any) -> None:
    charge = recorded.charges.get(unit=tree.b)
    member_services.dues.dues_charge_set_paid(actor=office, charge=charge, paid=False)
    result = income.dues_income_record(actor=office, month=last_month)
    assert [posting.entry.unit_id for posting in result.created] == [tree.a.pk]
    assert income_of(tree.b) == 0


def test_a_month_not_recorded_is_refused(recorded: Any, office: Any, last_month: Any) -> None:
    with pytest.raises(ValidationError, match="has not been recorded as deducted"):
        income.dues_income_record(actor=office, month=add_months(last_month, -1))
    assert not Entry.objects.exists()


def test_only_finance_posters_at_the_top(recorded: Any, make_user: Any, tree: Any, last_month: Any) -> None:
    for actor in (
        None,
        make_user("union_staff", tree.a),  # finance.post, but at a sub-union
        make_user("union_chair", tree.root),  # school-wide, but no finance.post
        make_user("auditor", tree.root),
    ):
        with pytest.raises(PermissionDenied):
            income.dues_income_record(actor=actor, month=last_month)
    assert not Entry.objects.exists()


def test_missing_income_category_is_refused(recorded: Any, office: Any, last_month: Any) -> None:
    Category.objects.filter(code="401").update(code="401X")
    with pytest.raises(ValidationError, match="no income category 401"):
        income.dues_income_record(actor=office, month=last_month)


def test_closed_year_posts_nothing(recorded: Any, office: Any, last_month: Any) -> None:
    from smartunion.finance.services import fiscal_year_close

    fiscal_year_close(actor=office, year=last_month.year)
    with pytest.raises(ValidationError, match="closed"):
        income.dues_income_record(actor=office, month=last_month)
    assert not Entry.objects.exists()


# -- the page ------------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the tests quote the English messages
    return client


def test_income_page_lists_months_and_posts_with_confirmation(
    recorded: Any, office: Any, last_month: Any
) -> None:
    client = client_for(office)
    url = reverse("finance:income_list")
    body = client.get(url).content.decode()
    assert f'data-month="{last_month:%Y-%m}"' in body and "Not posted" in body and "data-confirm" in body
    response = client.post(reverse("finance:income_dues_record"), {"month": f"{last_month:%Y-%m}"})
    assert response.status_code == 302 and response.url == url
    assert Entry.objects.count() == 2
    body = client.get(url).content.decode()
    assert "Posted: 2 entries" in body and "Post to the books" not in body
    response = client.post(
        reverse("finance:income_dues_record"), {"month": f"{last_month:%Y-%m}"}, follow=True
    )
    assert "already posted" in response.content.decode()
    assert Entry.objects.count() == 2


def test_income_page_refusals(recorded: Any, office: Any, make_user: Any, tree: Any, last_month: Any) -> None:
    client = client_for(office)
    post = reverse("finance:income_dues_record")
    response = client.post(post, {"month": "nonsense"})
    assert response.status_code == 400 and "Choose a month" in response.content.decode()
    response = client.post(post, {"month": f"{add_months(last_month, -1):%Y-%m}"})
    assert response.status_code == 400 and "has not been recorded" in response.content.decode()
    auditor = client_for(make_user("auditor", tree.root))
    body = auditor.get(reverse("finance:income_list")).content.decode()
    assert "Post to the books" not in body
    assert auditor.post(post, {"month": f"{last_month:%Y-%m}"}).status_code == 403
    assert (
        client_for(make_user("union_staff", tree.a)).post(post, {"month": f"{last_month:%Y-%m}"}).status_code
        == 403
    )
    assert not Entry.objects.exists()


def test_a_reversed_sub_unions_dues_are_posted_again_and_counted_once(
    recorded: Any, office: Any, tree: Any, last_month: Any
) -> None:
    income.dues_income_record(actor=office, month=last_month)
    entry_b = Entry.objects.get(unit=tree.b)
    entry_reverse(
        actor=office, entry=entry_b, reason="重新核对", idempotency_key="fix:b", posted_on=last_month
    )
    assert income_of(tree.b) == 0
    again = income.dues_income_record(actor=office, month=last_month)
    # Only B posts again, under a numbered key; A's standing entry is not posted twice.
    assert [posting.entry.unit_id for posting in again.created] == [tree.b.pk]
    assert again.created[0].entry.idempotency_key == f"{entry_b.idempotency_key}#2"
    assert income_of(tree.b) == parts(recorded, tree.b.path)[1]
    (month,) = [item for item in income.dues_income_months() if item.month == last_month]
    assert month.entries == 2 and month.amount == recorded.total
