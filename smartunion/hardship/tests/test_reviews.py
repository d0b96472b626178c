"""Dynamic management: the annual review round (sampling ≥ 30 %, reproducible from the seed, one round per
year), recording reviews (spot checks need a home visit; category changes; exit), exit and removal with
their retention date, the help plan's measures and their links, the 低保 table, and the reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from smartunion.core.audit import AuditEntry
from smartunion.hardship.models import (
    CategoryChange,
    DibaoStandard,
    HardshipFile,
    HelpMeasure,
    HomeVisit,
    HouseholdMember,
    Review,
    ReviewRound,
)
from smartunion.hardship.services import dibao as dibao_services
from smartunion.hardship.services import lifecycle, measures, reviews
from smartunion.hardship.services.common import retention_until
from smartunion.notifications.models import Notification
from smartunion.welfare.models import CareEvent
from smartunion.welfare.tests import care_support

from . import factories

pytestmark = pytest.mark.django_db
Status = HardshipFile.Status
Result = Review.Result


@pytest.fixture
def people(tree: Any, make_user: Any, make_person: Any) -> SimpleNamespace:
    staff = make_user("union_staff", tree.root, name="校工会帮扶")
    chair = make_user("subunion_chair", tree.a, name="机械分工会主席")
    union_chair = make_user("union_chair", tree.root, name="校工会主席")
    return SimpleNamespace(
        staff=staff,
        chair=chair,
        union_chair=union_chair,
        staff_at_a=make_user("union_staff", tree.a, name="分会帮扶干事"),
        union_chair_at_a=make_user("union_chair", tree.a, name="分会挂职主席"),
        tree=tree,
        make_person=make_person,
        make_user=make_user,
    )


def _files(people: SimpleNamespace, count: int, unit: Any = None) -> list[HardshipFile]:
    return [
        factories.make_file(person=people.make_person(unit=unit or people.tree.a), actor=people.staff)
        for _ in range(count)
    ]


def _visit(file: HardshipFile, actor: Any, on: dt.date | None = None) -> HomeVisit:
    return HomeVisit.objects.create(
        file=file,
        visited_on=on or timezone.localdate(),
        visitors="甲、乙",
        findings="情况属实",
        recorded_by=actor,
    )


# -- sampling ---------------------------------------------------------------------------------------


def test_sample_is_at_least_30_percent_and_reproducible_from_the_seed() -> None:
    pks = list(range(1, 21))
    first = reviews.draw_sample(pks, share=Decimal("0.30"), seed="abc")
    assert len(first) == 6  # ceil(0.30 × 20)
    assert reviews.draw_sample(list(reversed(pks)), share=Decimal("0.30"), seed="abc") == first
    others = {tuple(reviews.draw_sample(pks, share=Decimal("0.30"), seed=f"s{n}")) for n in range(5)}
    assert len(others) > 1, "different seeds give different samples"
    assert len(reviews.draw_sample(list(range(7)), share=Decimal("0.30"), seed="x")) == 3  # ceil(2.1)


def test_share_below_the_minimum_is_raised_to_30_percent(settings: Any) -> None:
    settings.HARDSHIP_SPOT_CHECK_SHARE = "0.10"
    assert reviews.spot_check_share() == Decimal("0.30")
    settings.HARDSHIP_SPOT_CHECK_SHARE = "0.5"
    assert reviews.spot_check_share() == Decimal("0.5")


def test_round_reviews_every_active_file_and_draws_the_spot_checks(people: SimpleNamespace) -> None:
    files = _files(people, 20)
    closed = factories.make_file(person=people.make_person(), actor=people.staff, status=Status.EXITED)
    draft = factories.make_file(person=people.make_person(), actor=people.staff, status=Status.DRAFT)
    today = timezone.localdate()
    started = reviews.round_start(actor=people.staff, year=today.year, due_on=today + dt.timedelta(days=60))
    assert started.seed and len(started.seed) == 16
    in_round = Review.objects.filter(round=started)
    assert {r.file_id for r in in_round} == {f.pk for f in files}
    assert not Review.objects.filter(file__in=[closed, draft]).exists()
    spot = sorted(in_round.filter(spot_check=True).values_list("file_id", flat=True))
    assert len(spot) == 6
    # Anyone can redraw the same sample from the stored seed.
    assert reviews.draw_sample([f.pk for f in files], share=started.sample_rate, seed=started.seed) == spot
    entry = AuditEntry.objects.get(action="hardship.review_round.started")
    assert entry.changes["files"] == 20 and entry.changes["spot_checks"] == 6


def test_round_with_a_given_seed_is_reproducible(people: SimpleNamespace) -> None:
    files = _files(people, 10)
    today = timezone.localdate()
    started = reviews.round_start(actor=people.staff, year=today.year, due_on=today, seed="fixed")
    assert started.seed == "fixed"
    spot = sorted(Review.objects.filter(round=started, spot_check=True).values_list("file_id", flat=True))
    assert spot == reviews.draw_sample([f.pk for f in files], share=Decimal("0.30"), seed="fixed")


def test_one_round_per_year(people: SimpleNamespace) -> None:
    _files(people, 2)
    today = timezone.localdate()
    reviews.round_start(actor=people.staff, year=today.year, due_on=today)
    with pytest.raises(ValidationError) as caught:
        reviews.round_start(actor=people.staff, year=today.year, due_on=today)
    assert "already been started" in str(caught.value)
    assert ReviewRound.objects.count() == 1


def test_round_refusals(people: SimpleNamespace) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="no active file"):
        reviews.round_start(actor=people.staff, year=today.year, due_on=today)
    _files(people, 1)
    with pytest.raises(ValidationError, match="past"):
        reviews.round_start(actor=people.staff, year=today.year, due_on=today - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="this year"):
        reviews.round_start(actor=people.staff, year=today.year + 5, due_on=today)
    with pytest.raises(PermissionDenied):
        reviews.round_start(actor=people.chair, year=today.year, due_on=today)
    # hardship.reviews.manage held at a sub-union: the round covers the whole school, refused.
    with pytest.raises(PermissionDenied):
        reviews.round_start(actor=people.staff_at_a, year=today.year, due_on=today)
    assert not ReviewRound.objects.exists() and not Review.objects.exists()


def test_round_takes_an_open_standalone_review_in(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    standalone = Review.objects.create(file=file, due_on=timezone.localdate())
    today = timezone.localdate()
    started = reviews.round_start(actor=people.staff, year=today.year, due_on=today + dt.timedelta(days=5))
    standalone.refresh_from_db()
    assert standalone.round == started and Review.objects.filter(file=file).count() == 1


# -- recording ---------------------------------------------------------------------------------------


def test_continue_sets_the_next_review_a_year_on(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    review = Review.objects.create(file=file, due_on=timezone.localdate())
    reviews.review_record(actor=people.chair, review=review, result=Result.CONTINUE, note="情况未变")
    review.refresh_from_db()
    file.refresh_from_db()
    assert (
        review.done_at is not None and review.result == Result.CONTINUE and review.reviewed_by == people.chair
    )
    assert file.review_due_on == reviews.one_year_after(timezone.localdate())
    with pytest.raises(ValidationError, match="already been recorded"):
        reviews.review_record(actor=people.chair, review=review, result=Result.CONTINUE, note="")
    entry = AuditEntry.objects.get(action="hardship.review.recorded")
    assert "情况未变" not in str(entry.changes)


def test_spot_check_requires_a_home_visit_since_the_round_started(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    today = timezone.localdate()
    started = today - dt.timedelta(days=10)
    before = started - dt.timedelta(days=1)
    # The round is of the year of the earlier visit: under a "visit of the year" rule it would count.
    review_round = ReviewRound.objects.create(
        year=before.year,
        due_on=today,
        sample_rate=Decimal("0.30"),
        seed="s",
        started_by=people.staff,
        started_at=timezone.now() - dt.timedelta(days=10),
    )
    review = Review.objects.create(round=review_round, file=file, due_on=today, spot_check=True)
    _visit(file, people.chair, on=today.replace(year=today.year - 1))  # last year's does not count
    _visit(file, people.chair, on=before)  # the application's visit, the day before the round: neither
    assert reviews.visit_since(review) == started
    with pytest.raises(ValidationError, match="on or after") as caught:
        reviews.review_record(actor=people.chair, review=review, result=Result.CONTINUE, note="")
    assert started.isoformat() in str(caught.value)
    review.refresh_from_db()
    assert review.done_at is None
    _visit(file, people.chair, on=started)  # on the day the round started: counts
    reviews.review_record(actor=people.chair, review=review, result=Result.CONTINUE, note="")
    review.refresh_from_db()
    assert review.done_at is not None


def test_category_change_from_new_figures_and_by_override(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    assert file.category == "deep"
    review = Review.objects.create(file=file, due_on=timezone.localdate())
    # Nothing changed in the figures: a clear refusal, nothing recorded.
    with pytest.raises(ValidationError, match="still give"):
        reviews.review_record(actor=people.chair, review=review, result=Result.CATEGORY_CHANGED, note="")
    assert not CategoryChange.objects.filter(source=CategoryChange.Source.REVIEW).exists()
    # The officer updated the figures on the file (income up): the category follows from the formula.
    member = HouseholdMember.objects.get(file=file, relation="self")
    member.annual_income = Decimal("60000")
    member.save()
    reviews.review_record(actor=people.chair, review=review, result=Result.CATEGORY_CHANGED, note="收入增加")
    file.refresh_from_db()
    assert file.category == "relative"
    change = CategoryChange.objects.get(file=file, source=CategoryChange.Source.REVIEW)
    assert (change.old_category, change.new_category) == ("deep", "relative")
    # Setting the category by hand is an override: the sub-union's officer may not, nothing changes.
    second = Review.objects.create(file=file, due_on=timezone.localdate())
    with pytest.raises(ValidationError, match="Only the school union's approvers"):
        reviews.review_record(
            actor=people.chair,
            review=second,
            result=Result.CATEGORY_CHANGED,
            note="突发事故",
            category="accident",
        )
    file.refresh_from_db()
    assert file.category == "relative" and file.category_override == ""
    # An explicit category needs a reason.
    with pytest.raises(ValidationError, match="reason"):
        reviews.review_record(
            actor=people.staff, review=second, result=Result.CATEGORY_CHANGED, note="", category="accident"
        )
    with pytest.raises(ValidationError, match="already in this category"):
        reviews.review_record(
            actor=people.staff, review=second, result=Result.CATEGORY_CHANGED, note="x", category="relative"
        )
    reviews.review_record(
        actor=people.staff,
        review=second,
        result=Result.CATEGORY_CHANGED,
        note="突发事故",
        category="accident",
    )
    file.refresh_from_db()
    assert file.category == "accident" and file.category_override == "accident"


def test_exit_through_the_review_needs_the_school_union(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    review = Review.objects.create(file=file, due_on=timezone.localdate())
    with pytest.raises(ValidationError, match="Only the school union"):
        reviews.review_record(actor=people.chair, review=review, result=Result.EXIT, note="已就业")
    file.refresh_from_db()
    assert file.status == Status.ACTIVE
    with pytest.raises(ValidationError, match="reason"):
        reviews.review_record(actor=people.staff, review=review, result=Result.EXIT, note="")
    reviews.review_record(actor=people.staff, review=review, result=Result.EXIT, note="已就业")
    file.refresh_from_db()
    assert file.status == Status.EXITED and file.retain_until == retention_until(timezone.localdate())


def test_review_outside_the_officers_unit_is_refused(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1, unit=people.tree.b)
    review = Review.objects.create(file=file, due_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        reviews.review_record(actor=people.chair, review=review, result=Result.CONTINUE, note="")


# -- exit and removal ---------------------------------------------------------------------------------


def test_exit_closes_with_retention_and_tells_the_member(people: SimpleNamespace) -> None:
    user_person = care_support.member(people.tree.a)
    file = factories.make_file(person=user_person, actor=people.staff)
    HelpMeasure.objects.create(
        file=file,
        kind="living",
        description="x",
        responsible="y",
        planned_on=timezone.localdate(),
        created_by=people.staff,
    )
    lifecycle.file_exit(actor=people.staff, file=file, reason="子女已工作")
    file.refresh_from_db()
    today = timezone.localdate()
    assert file.status == Status.EXITED and file.closed_on == today
    assert file.retain_until == today.replace(year=today.year + 10)
    assert file.close_reason == "子女已工作" and file.review_due_on is None
    assert file.category_changes.exists(), "the category history is kept"
    assert HelpMeasure.objects.get(file=file).status == HelpMeasure.Status.CANCELLED
    assert Notification.objects.filter(recipient=user_person.user, kind="hardship.file.closed").count() == 1
    entry = AuditEntry.objects.get(action="hardship.file.exited")
    assert "子女" not in str(entry.changes)
    with pytest.raises(ValidationError, match="only an active file"):
        lifecycle.file_exit(actor=people.staff, file=file, reason="again")


def test_removal_on_death_does_not_notify(people: SimpleNamespace) -> None:
    person = care_support.member(people.tree.a)
    file = factories.make_file(person=person, actor=people.staff)
    with pytest.raises(ValidationError):
        lifecycle.file_remove(actor=people.staff, file=file, reason="x", kind="bogus")
    with pytest.raises(ValidationError, match="reason"):
        lifecycle.file_remove(actor=people.staff, file=file, reason=" ", kind="death")
    lifecycle.file_remove(actor=people.staff, file=file, reason="病故", kind="death")
    file.refresh_from_db()
    assert file.status == Status.REMOVED and file.retain_until is not None
    assert not Notification.objects.filter(kind="hardship.file.closed").exists()
    other = factories.make_file(person=care_support.member(people.tree.a), actor=people.staff)
    lifecycle.file_remove(actor=people.staff, file=other, reason="调离", kind="left")
    assert Notification.objects.filter(kind="hardship.file.closed").count() == 1


def test_only_approvers_close(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    with pytest.raises(PermissionDenied):
        lifecycle.file_exit(actor=people.chair, file=file, reason="x")
    lifecycle.file_exit(actor=people.union_chair, file=file, reason="x")


def test_closing_needs_the_approve_permission_at_the_top(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    # files.approve held at the sub-union covers the file's unit, but closing is the school union's.
    for actor in (people.union_chair_at_a, people.staff_at_a):
        assert not lifecycle.may_close(actor, file)
        with pytest.raises(PermissionDenied):
            lifecycle.file_exit(actor=actor, file=file, reason="x")
        with pytest.raises(PermissionDenied):
            lifecycle.file_remove(actor=actor, file=file, reason="x", kind="left")
    review = Review.objects.create(file=file, due_on=timezone.localdate())
    with pytest.raises(ValidationError, match="Only the school union"):
        reviews.review_record(actor=people.staff_at_a, review=review, result=Result.EXIT, note="已就业")
    file.refresh_from_db()
    assert file.status == Status.ACTIVE
    assert lifecycle.may_close(people.union_chair, file)


def test_an_officer_does_not_review_their_own_file(people: SimpleNamespace) -> None:
    officer = people.make_user("subunion_chair", people.tree.a, name="主席本人")
    person = people.make_person(unit=people.tree.a, staff_no=officer.staff_no, name="主席本人", user=officer)
    file = factories.make_file(person=person, actor=people.staff)
    review = Review.objects.create(file=file, due_on=timezone.localdate())
    for result, category in ((Result.CONTINUE, None), (Result.CATEGORY_CHANGED, "accident")):
        with pytest.raises(ValidationError, match="Another officer records this for your own file"):
            reviews.review_record(actor=officer, review=review, result=result, note="x", category=category)
    review.refresh_from_db()
    assert review.done_at is None
    reviews.review_record(actor=people.chair, review=review, result=Result.CONTINUE, note="")


def test_measure_add_reads_the_file_under_its_lock(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    # The caller's copy is stale: the file was closed meanwhile. The status is checked on the locked row.
    HardshipFile.objects.filter(pk=file.pk).update(status=Status.EXITED)
    assert file.status == Status.ACTIVE
    base = {"kind": "medical", "description": "x", "responsible": "y", "planned_on": timezone.localdate()}
    with pytest.raises(ValidationError, match="can no longer be changed"):
        measures.measure_add(actor=people.chair, file=file, **base)
    assert not HelpMeasure.objects.filter(file=file).exists()


# -- the help plan --------------------------------------------------------------------------------------


def _care_event(person: Any, actor: Any) -> CareEvent:
    return CareEvent.objects.create(
        person=person,
        unit=person.unit,
        event_type=care_support.event_type(),
        occurred_on=timezone.localdate(),
        responsible="subunion",
        reported_by=actor,
    )


def test_measures_add_update_done_cancel(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        measures.measure_add(
            actor=people.chair, file=file, kind="", description="", responsible="", planned_on=None
        )
    assert set(caught.value.message_dict) == {"kind", "description", "responsible", "planned_on"}
    measure = measures.measure_add(
        actor=people.chair,
        file=file,
        kind="medical",
        description="协助申请大病救助",
        responsible="分工会",
        planned_on=today,
    )
    measures.measure_update(actor=people.chair, measure=measure, responsible="校工会")
    measure.refresh_from_db()
    assert measure.responsible == "校工会" and measure.description == "协助申请大病救助"
    with pytest.raises(ValidationError, match="what was done"):
        measures.measure_done(actor=people.chair, measure=measure, done_on=today, outcome="")
    with pytest.raises(ValidationError, match="future"):
        measures.measure_done(
            actor=people.chair, measure=measure, done_on=today + dt.timedelta(days=2), outcome="x"
        )
    measures.measure_done(actor=people.chair, measure=measure, done_on=None, outcome="已获救助")
    measure.refresh_from_db()
    assert measure.status == HelpMeasure.Status.DONE and measure.done_on == today
    with pytest.raises(ValidationError, match="only a planned measure"):
        measures.measure_cancel(actor=people.chair, measure=measure)
    # A done measure keeps what it was; only its links may still be set.
    with pytest.raises(ValidationError, match="only its links"):
        measures.measure_update(actor=people.chair, measure=measure, responsible="别人")
    payment = factories.make_application(
        person=file.person, actor=people.staff, programme=factories.make_programme(), status="paid"
    )
    measures.measure_update(
        actor=people.chair,
        measure=measure,
        responsible="校工会",
        description="协助申请大病救助",
        application=payment,
    )
    measure.refresh_from_db()
    assert measure.application == payment and measure.status == HelpMeasure.Status.DONE
    second = measures.measure_add(
        actor=people.chair,
        file=file,
        kind="living",
        description="送温暖",
        responsible="分工会",
        planned_on=today,
    )
    measures.measure_cancel(actor=people.chair, measure=second, reason="改为现金补助")
    second.refresh_from_db()
    assert second.status == HelpMeasure.Status.CANCELLED
    actions = list(
        AuditEntry.objects.filter(action__startswith="hardship.measure.").values_list("action", flat=True)
    )
    assert sorted(set(actions)) == [
        "hardship.measure.added",
        "hardship.measure.cancelled",
        "hardship.measure.done",
        "hardship.measure.updated",
    ]
    assert all(
        "救助" not in str(e.changes) for e in AuditEntry.objects.filter(action__startswith="hardship.measure")
    )


def test_measure_links_must_be_the_same_member_and_paid(people: SimpleNamespace) -> None:
    (file,) = _files(people, 1)
    other_person = people.make_person()
    today = timezone.localdate()
    programme = factories.make_programme()
    base = {"kind": "medical", "description": "x", "responsible": "y", "planned_on": today}
    with pytest.raises(ValidationError) as caught:
        measures.measure_add(
            actor=people.chair, file=file, care_event=_care_event(other_person, people.chair), **base
        )
    assert "another member" in str(caught.value.message_dict["care_event"])
    other_payment = factories.make_application(
        person=other_person, actor=people.staff, programme=programme, status="paid"
    )
    with pytest.raises(ValidationError) as caught:
        measures.measure_add(actor=people.chair, file=file, application=other_payment, **base)
    assert "another member" in str(caught.value.message_dict["application"])
    unpaid = factories.make_application(person=file.person, actor=people.staff, programme=programme)
    with pytest.raises(ValidationError) as caught:
        measures.measure_add(actor=people.chair, file=file, application=unpaid, **base)
    assert "not paid yet" in str(caught.value.message_dict["application"])
    assert not HelpMeasure.objects.exists()
    own_event = _care_event(file.person, people.chair)
    own_payment = factories.make_application(
        person=file.person, actor=people.staff, programme=programme, status="paid"
    )
    measure = measures.measure_add(
        actor=people.chair, file=file, care_event=own_event, application=own_payment, **base
    )
    assert measure.care_event == own_event and measure.application == own_payment


def test_measures_refused_on_closed_files_and_other_units(people: SimpleNamespace) -> None:
    closed = factories.make_file(person=people.make_person(), actor=people.staff, status=Status.EXITED)
    base = {"kind": "medical", "description": "x", "responsible": "y", "planned_on": timezone.localdate()}
    with pytest.raises(ValidationError, match="can no longer be changed"):
        measures.measure_add(actor=people.chair, file=closed, **base)
    (elsewhere,) = _files(people, 1, unit=people.tree.b)
    with pytest.raises(PermissionDenied):
        measures.measure_add(actor=people.chair, file=elsewhere, **base)
    draft = factories.make_file(person=people.make_person(), actor=people.staff, status=Status.APPLIED)
    assert measures.measure_add(actor=people.chair, file=draft, **base).pk


# -- the 低保 table -------------------------------------------------------------------------------------


def test_dibao_edit_recomputes_the_files_being_prepared_only(people: SimpleNamespace) -> None:
    # deep at 950; 666.67 a month per person is not below 400, but below 800 → relative
    preparing = [
        factories.make_file(person=people.make_person(), actor=people.staff, status=status)
        for status in (Status.DRAFT, Status.APPLIED, Status.VISITED)
    ]
    kept = [
        factories.make_file(person=people.make_person(), actor=people.staff, status=status)
        for status in (Status.NOTICE, Status.ACTIVE, Status.EXITED)
    ]
    standard = DibaoStandard.objects.get(city=factories.CITY, year=timezone.localdate().year)
    saved = dibao_services.dibao_save(
        actor=people.staff, standard=standard, city=standard.city, year=standard.year, monthly_amount="400"
    )
    assert saved.changed == 3 and saved.recomputed == 3
    for file in preparing:
        file.refresh_from_db()
        assert file.category == "relative"
        assert CategoryChange.objects.filter(
            file=file, source=CategoryChange.Source.COMPUTED, new_category=file.category
        ).exists()
    for file in kept:
        file.refresh_from_db()
        assert file.category == "deep", f"a {file.status} file keeps its category"
        assert not CategoryChange.objects.filter(file=file, new_category="relative").exists()
    entry = AuditEntry.objects.get(action="hardship.dibao.saved")
    assert entry.changes["categories_changed"] == 3 and entry.changes["files_recomputed"] == 3


def test_dibao_validation(people: SimpleNamespace) -> None:
    factories.dibao(year=2025)
    with pytest.raises(ValidationError) as caught:
        dibao_services.dibao_save(actor=people.staff, city="", year=1800, monthly_amount="0")
    assert set(caught.value.message_dict) == {"city", "year", "monthly_amount"}
    with pytest.raises(ValidationError) as caught:
        dibao_services.dibao_save(actor=people.staff, city=factories.CITY, year=2025, monthly_amount="900")
    assert "already has a standard for 2025" in str(caught.value.message_dict["year"])
    with pytest.raises(PermissionDenied):
        dibao_services.dibao_save(actor=people.chair, city="苏州市", year=2025, monthly_amount="900")
    # The table is school-wide: the permission held at a sub-union is not enough.
    with pytest.raises(PermissionDenied):
        dibao_services.dibao_save(actor=people.staff_at_a, city="苏州市", year=2025, monthly_amount="900")
    assert not DibaoStandard.objects.filter(city="苏州市").exists()
    saved = dibao_services.dibao_save(actor=people.staff, city="苏州市", year=2025, monthly_amount="1095.5")
    assert saved.standard.monthly_amount == Decimal("1095.50") and saved.changed == 0


# -- reminders ---------------------------------------------------------------------------------------


def test_reminders_open_reviews_and_notify_once_a_week(people: SimpleNamespace) -> None:
    due_soon, later = _files(people, 2)
    today = timezone.localdate()
    HardshipFile.objects.filter(pk=due_soon.pk).update(review_due_on=today + dt.timedelta(days=10))
    HardshipFile.objects.filter(pk=later.pk).update(review_due_on=today + dt.timedelta(days=100))
    counts = reviews.reminders_send(today=today)
    assert counts["created"] == 1 and counts["reminded"] == 1
    review = Review.objects.get(file=due_soon)
    assert review.round is None and review.reminded_at is not None
    assert not Review.objects.filter(file=later).exists()
    recipients = set(
        Notification.objects.filter(kind="hardship.review.due").values_list("recipient", flat=True)
    )
    assert {people.chair.pk, people.staff.pk} <= recipients
    sent = Notification.objects.count()
    # Again the same day: no second review, no second reminder.
    assert reviews.reminders_send(today=today) == {"created": 0, "reminded": 0, "notified": 0}
    assert Notification.objects.count() == sent
    # A week later (now overdue-ish): reminded again.
    Review.objects.filter(pk=review.pk).update(reminded_at=timezone.now() - dt.timedelta(days=8))
    call_command("hardship_review_reminders", date=today.isoformat())
    assert Notification.objects.count() > sent
