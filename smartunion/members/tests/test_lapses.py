"""自动退会 proposals: only members six recorded months without dues and without participation, once, never
for retained members, never a change of status."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.members import participation, selectors, services
from smartunion.members.models import DuesCharge, LapseProposal, Membership, MembershipEvent
from smartunion.members.selectors.dues import add_months, month_start

from .test_dues import make_member

TODAY = timezone.localdate()
THIS_MONTH = month_start(TODAY)
# The seven months before this one, oldest first.
MONTHS = [add_months(THIS_MONTH, -n) for n in range(7, 0, -1)]


@pytest.fixture
def office(make_user: Any, tree: Any) -> Any:
    return make_user("union_staff", tree.root, name="校工会干事")


@pytest.fixture
def people(make_person: Any, tree: Any, office: Any) -> dict[str, Any]:
    """Seven months recorded; who paid what is set per person."""
    cast = {
        name: make_member(make_person(unit=tree.a, name=name))
        for name in ("never_paid", "paid_last_month", "retained", "took_part", "five_unpaid", "late_payer")
    }
    for month in MONTHS:
        services.dues.dues_month_record(actor=office, month=month)

    def unpaid(name: str, months: list[Any]) -> None:
        DuesCharge.objects.filter(membership__person=cast[name], dues_month__month__in=months).update(
            paid=False
        )

    unpaid("never_paid", MONTHS)  # seven months, none deducted
    unpaid("paid_last_month", MONTHS[:-1])  # six unpaid, then paid
    unpaid("retained", MONTHS)
    unpaid("took_part", MONTHS)
    unpaid("five_unpaid", MONTHS[2:])  # paid the first two, five unpaid since
    unpaid("late_payer", MONTHS[1:])  # paid the oldest month only, six unpaid since
    services.membership.membership_retain(
        actor=None, membership=cast["retained"].membership, reason="long_absence"
    )
    return cast


@pytest.fixture
def attended(people: dict[str, Any]) -> Any:
    participation.register("test.attended", lambda since: {people["took_part"].pk})
    yield
    participation.unregister("test.attended")


def proposed_names() -> set[str]:
    return set(
        LapseProposal.objects.filter(status=LapseProposal.Status.OPEN).values_list(
            "membership__person__name", flat=True
        )
    )


def test_proposes_only_the_right_people(people: dict[str, Any], attended: Any) -> None:
    before = dict(Membership.objects.values_list("person__name", "status"))
    proposals = services.dues.lapses_propose()
    assert {p.membership.person.name for p in proposals} == {"never_paid", "late_payer"}
    assert proposed_names() == {"never_paid", "late_payer"}
    late = LapseProposal.objects.get(membership__person=people["late_payer"])
    assert late.last_dues_month == MONTHS[0] and late.proposed_on == TODAY
    assert LapseProposal.objects.get(membership__person=people["never_paid"]).last_dues_month is None
    # Nothing changes status: a person decides.
    assert dict(Membership.objects.values_list("person__name", "status")) == before
    assert MembershipEvent.objects.filter(kind=MembershipEvent.Kind.LAPSE_PROPOSED).count() == 2
    assert AuditEntry.objects.filter(action="members.membership.lapse_proposed").count() == 2


def test_running_twice_leaves_one_open_proposal(people: dict[str, Any], attended: Any) -> None:
    services.dues.lapses_propose()
    assert services.dues.lapses_propose() == []
    assert LapseProposal.objects.filter(membership__person=people["never_paid"]).count() == 1


def test_never_for_retained_members_even_with_arrears(people: dict[str, Any], attended: Any) -> None:
    candidates = selectors.dues.lapse_candidates(TODAY)
    assert people["retained"].membership.pk not in {c.membership.pk for c in candidates}
    services.dues.lapses_propose()
    assert not LapseProposal.objects.filter(membership__person=people["retained"]).exists()


def test_participation_protects(people: dict[str, Any]) -> None:
    # Without the registered participation, the member who took part looks like the others.
    assert "took_part" in {c.membership.person.name for c in selectors.dues.lapse_candidates(TODAY)}
    participation.register("test.attended", lambda since: {people["took_part"].pk})
    try:
        assert "took_part" not in {c.membership.person.name for c in selectors.dues.lapse_candidates(TODAY)}
    finally:
        participation.unregister("test.attended")


def test_months_never_recorded_count_for_nobody(make_person: Any, tree: Any, office: Any) -> None:
    """The office stopped recording months: nobody is in arrears for months payroll never saw."""
    person = make_member(make_person(unit=tree.a))
    services.dues.dues_month_record(actor=office, month=add_months(THIS_MONTH, -10))
    assert selectors.dues.lapse_candidates(TODAY) == []
    assert person.membership.status == Membership.Status.FULL


def test_dismissed_is_not_proposed_again_until_another_month_goes_unpaid(
    people: dict[str, Any], attended: Any, office: Any, make_user: Any, tree: Any
) -> None:
    services.dues.lapses_propose()
    proposal = LapseProposal.objects.get(membership__person=people["never_paid"])
    services.membership.lapse_decide(actor=office, proposal=proposal, confirm=False, note="病休，已说明")
    services.dues.lapses_propose()
    assert "never_paid" not in proposed_names()
    # This month goes unpaid too: the proposal comes back.
    services.dues.dues_month_record(actor=office, month=THIS_MONTH)
    DuesCharge.objects.filter(membership__person=people["never_paid"], dues_month__month=THIS_MONTH).update(
        paid=False
    )
    services.dues.lapses_propose()
    assert "never_paid" in proposed_names()


def test_command_dry_run_and_real_run(people: dict[str, Any], attended: Any) -> None:
    out = io.StringIO()
    call_command("members_propose_lapses", "--dry-run", stdout=out)
    assert "2 member(s) would be proposed" in out.getvalue() and "never_paid" in out.getvalue()
    assert not LapseProposal.objects.exists()
    out = io.StringIO()
    call_command("members_propose_lapses", stdout=out)
    assert "2 new lapse proposal(s)" in out.getvalue()
    out = io.StringIO()
    call_command("members_propose_lapses", f"--date={TODAY.isoformat()}", stdout=out)
    assert "0 new lapse proposal(s)" in out.getvalue()
    assert LapseProposal.objects.count() == 2


def test_command_rejects_a_bad_date(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("members_propose_lapses", "--date=2026-02-30", stdout=io.StringIO())
