"""The congress set-up services: terms, sessions (window, rules, 五制), delegations, representatives (one
leader per delegation, reinstating, ending a service), the proposal committee, the category taxonomy and
its seeded defaults — every rule and every refused input."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.proposals.models import Category, CommitteeMember, Congress, Representative, Session
from smartunion.proposals.services import congress as services

from . import factories

pytestmark = pytest.mark.django_db
Kind = Representative.Kind


@pytest.fixture
def office(tree: Any, make_user: Any) -> Any:
    return make_user("union_staff", tree.root, name="工会办公室")


def window(days: int = 30) -> dict[str, Any]:
    now = timezone.now()
    return {"collection_opens": now, "collection_closes": now + dt.timedelta(days=days)}


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return {key: [str(m) for m in value] for key, value in error.message_dict.items()}


# -- names ------------------------------------------------------------------------------------------------


def test_chinese_names() -> None:
    assert services.chinese_number(5) == "五"
    assert services.chinese_number(10) == "十"
    assert services.chinese_number(12) == "十二"
    assert services.chinese_number(20) == "二十"
    assert services.chinese_number(35) == "三十五"
    assert services.default_congress_name(5) == "第五届教职工代表大会"
    assert services.default_session_name(5, 2) == "第五届教代会第二次会议"


# -- terms -----------------------------------------------------------------------------------------------


def test_congress_create_names_itself_and_is_audited(office: Any) -> None:
    congress = services.congress_create(actor=office, number=5, start_date=dt.date(2024, 3, 1))
    assert congress.name == "第五届教职工代表大会"
    entry = AuditEntry.objects.get(action="proposals.congress.created")
    assert entry.changes["number"] == 5


def test_congress_rules(office: Any) -> None:
    services.congress_create(actor=office, number=5, name="第五届", start_date=dt.date(2024, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.congress_create(actor=office, number=5, start_date=dt.date(2024, 3, 1))
    assert "Term 5 already exists" in messages_of(error.value)["number"][0]
    with pytest.raises(ValidationError) as error:
        services.congress_create(
            actor=office, number=6, start_date=dt.date(2029, 3, 1), end_date=dt.date(2029, 1, 1)
        )
    assert "cannot end before it starts" in messages_of(error.value)["end_date"][0]
    with pytest.raises(ValidationError):
        services.congress_create(actor=office, number=0, start_date=dt.date(2029, 3, 1))
    assert Congress.objects.count() == 1


def test_congress_number_fixed_once_proposals_are_numbered(congress: SimpleNamespace, office: Any) -> None:
    term = congress.congress
    services.congress_update(
        actor=office, congress=term, number=6, name="第六届", start_date=term.start_date, end_date=None
    )
    term.refresh_from_db()
    assert term.number == 6
    factories.make_proposal(congress.session, congress.rep1, status="accepted", cosigners=[congress.rep2])
    with pytest.raises(ValidationError) as error:
        services.congress_update(
            actor=office, congress=term, number=7, name="第七届", start_date=term.start_date, end_date=None
        )
    assert "cannot change any more" in messages_of(error.value)["number"][0]
    term.refresh_from_db()
    assert term.number == 6 and term.name == "第六届"


# -- sessions --------------------------------------------------------------------------------------------


def test_session_create_with_defaults(office: Any) -> None:
    term = services.congress_create(actor=office, number=5, start_date=dt.date(2024, 3, 1))
    session = services.session_create(actor=office, congress=term, number=2, **window())
    assert session.name == "第五届教代会第二次会议"
    assert session.cosigners_required == 2 and session.reply_working_days == 30
    assert session.control_leader_signoff and session.control_evaluation
    assert AuditEntry.objects.filter(action="proposals.session.created", target_id=str(session.pk)).exists()


def test_session_defaults_carry_the_previous_rules(office: Any) -> None:
    term = services.congress_create(actor=office, number=5, start_date=dt.date(2024, 3, 1))
    defaults = services.session_defaults(term)
    assert defaults["number"] == 1 and defaults["name"] == "第五届教代会第一次会议"
    assert defaults["cosigners_required"] == 2
    services.session_create(
        actor=office, congress=term, number=1, cosigners_required=3, control_supervision=False, **window()
    )
    defaults = services.session_defaults(term)
    assert defaults["number"] == 2
    assert defaults["cosigners_required"] == 3 and defaults["control_supervision"] is False
    next_term = services.congress_create(actor=office, number=6, start_date=dt.date(2029, 3, 1))
    assert services.session_defaults(next_term)["cosigners_required"] == 3


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"collection_closes": "opens"}, "collection_closes", "must close after it opens"),
        (
            {"reasons_min_chars": 500, "reasons_max_chars": 100},
            "reasons_max_chars",
            "not be below the fewest",
        ),
        (
            {"suggestions_min_chars": 500, "suggestions_max_chars": 100},
            "suggestions_max_chars",
            "not be below the fewest",
        ),
        ({"title_max_chars": 3}, "title_max_chars", "between 5 and 200"),
        ({"cosigners_required": 21}, "cosigners_required", "at most 20"),
        ({"reply_working_days": 0}, "reply_working_days", "between 1 and 250"),
        ({"warning_working_days": 30}, "warning_working_days", "yellow warning"),
        ({"return_working_days": 40, "reply_working_days": 30}, "return_working_days", "longer to return"),
        ({"escalate_after_working_days": 0}, "escalate_after_working_days", "between 1 and 250"),
        ({"evaluation_reminder_working_days": 300}, "evaluation_reminder_working_days", "between 1 and 250"),
        ({"max_rehandling_rounds": 9}, "max_rehandling_rounds", "at most 5"),
        ({"number": 0}, "number", "whole number from 1"),
    ],
)
def test_session_bad_rules_refused(office: Any, fields: dict[str, Any], field: str, text: str) -> None:
    term = services.congress_create(actor=office, number=5, start_date=dt.date(2024, 3, 1))
    values: dict[str, Any] = {"number": 1, **window()}
    values.update(fields)
    if values.get("collection_closes") == "opens":
        values["collection_closes"] = values["collection_opens"]
    with pytest.raises(ValidationError) as error:
        services.session_create(actor=office, congress=term, **values)
    assert text in " ".join(messages_of(error.value)[field])
    assert not Session.objects.exists()


def test_session_number_unique_per_term(congress: SimpleNamespace, office: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.session_create(actor=office, congress=congress.congress, number=2, **window())
    assert "already has session 2" in messages_of(error.value)["number"][0]


def test_session_update_rules_and_switches(congress: SimpleNamespace, office: Any) -> None:
    session = congress.session
    services.session_update(
        actor=office,
        session=session,
        control_leader_signoff=False,
        control_co_handling=False,
        cosigners_required=3,
        accepts_between_sessions=True,
    )
    session.refresh_from_db()
    assert not session.control_leader_signoff and not session.control_co_handling
    assert session.cosigners_required == 3 and session.accepts_between_sessions
    entry = AuditEntry.objects.get(action="proposals.session.updated")
    assert entry.changes["cosigners_required"] == [2, 3]
    # Nothing changed: no audit entry.
    services.session_update(actor=office, session=session, cosigners_required=3)
    assert AuditEntry.objects.filter(action="proposals.session.updated").count() == 1


def test_session_number_fixed_once_numbered(congress: SimpleNamespace, office: Any) -> None:
    services.session_update(actor=office, session=congress.session, number=3)
    factories.make_proposal(congress.session, congress.rep1, status="accepted", cosigners=[congress.rep2])
    with pytest.raises(ValidationError) as error:
        services.session_update(actor=office, session=congress.session, number=4)
    assert "5-3-" in messages_of(error.value)["number"][0]


def test_session_update_rejects_unknown_fields(congress: SimpleNamespace, office: Any) -> None:
    with pytest.raises(TypeError):
        services.session_update(actor=office, session=congress.session, last_proposal_no=9)


# -- delegations -----------------------------------------------------------------------------------------


def test_delegation_names_unique_per_term(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    delegation = services.delegation_create(
        actor=office, congress=congress.congress, name=" 图书馆代表团 ", unit=tree.b
    )
    assert delegation.name == "图书馆代表团" and delegation.sort_order == 30
    with pytest.raises(ValidationError) as error:
        services.delegation_create(actor=office, congress=congress.congress, name="机械学院代表团")
    assert "already has a delegation" in messages_of(error.value)["name"][0]
    with pytest.raises(ValidationError):
        services.delegation_create(actor=office, congress=congress.congress, name="  ")
    services.delegation_update(
        actor=office, delegation=delegation, name="图书馆与档案馆代表团", unit=None, sort_order=5
    )
    delegation.refresh_from_db()
    assert delegation.name == "图书馆与档案馆代表团" and delegation.unit is None
    # The same name in another term is fine.
    other = services.congress_create(actor=office, number=6, start_date=dt.date(2029, 3, 1))
    services.delegation_create(actor=office, congress=other, name="机械学院代表团")


# -- representatives ---------------------------------------------------------------------------------------


def test_representative_add_and_rules(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    d1, d2 = congress.delegations
    person = factories.make_person_with_user(tree.a, name="新代表")
    rep = services.representative_add(actor=office, congress=congress.congress, person=person, delegation=d1)
    assert rep.kind == Kind.FULL and rep.is_active and not rep.is_delegation_leader
    assert AuditEntry.objects.filter(action="proposals.representative.added", target_id=str(rep.pk)).exists()
    with pytest.raises(ValidationError) as error:
        services.representative_add(actor=office, congress=congress.congress, person=person, delegation=d2)
    assert "already represents 机械学院代表团" in messages_of(error.value)["person"][0]


def test_representative_delegation_must_be_of_the_term(
    congress: SimpleNamespace, office: Any, tree: Any
) -> None:
    other = services.congress_create(actor=office, number=6, start_date=dt.date(2029, 3, 1))
    foreign = services.delegation_create(actor=office, congress=other, name="其他代表团")
    person = factories.make_person_with_user(tree.a)
    with pytest.raises(ValidationError) as error:
        services.representative_add(
            actor=office, congress=congress.congress, person=person, delegation=foreign
        )
    assert "Choose a delegation of" in messages_of(error.value)["delegation"][0]


def test_person_who_left_cannot_represent(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    person = factories.make_person_with_user(tree.a)
    person.is_active = False
    with pytest.raises(ValidationError) as error:
        services.representative_add(
            actor=office, congress=congress.congress, person=person, delegation=congress.delegations[0]
        )
    assert "has left the staff" in messages_of(error.value)["person"][0]


def test_one_leader_per_delegation_and_only_full(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    d1 = congress.delegations[0]
    services.representative_update(
        actor=office, representative=congress.rep1, delegation=d1, kind=Kind.FULL, is_delegation_leader=True
    )
    person = factories.make_person_with_user(tree.a, name="想当团长")
    with pytest.raises(ValidationError) as error:
        services.representative_add(
            actor=office, congress=congress.congress, person=person, delegation=d1, is_delegation_leader=True
        )
    assert "代表1 already leads 机械学院代表团" in messages_of(error.value)["is_delegation_leader"][0]
    with pytest.raises(ValidationError) as error:
        services.representative_add(
            actor=office,
            congress=congress.congress,
            person=person,
            delegation=congress.delegations[1],
            kind=Kind.OBSERVER,
            is_delegation_leader=True,
        )
    assert "Only a full representative" in messages_of(error.value)["is_delegation_leader"][0]
    assert not Representative.objects.filter(person=person).exists()
    # The other delegation may have its own leader; the leader may be re-saved as leader.
    services.representative_add(
        actor=office,
        congress=congress.congress,
        person=person,
        delegation=congress.delegations[1],
        is_delegation_leader=True,
    )
    services.representative_update(
        actor=office, representative=congress.rep1, delegation=d1, kind=Kind.FULL, is_delegation_leader=True
    )


def test_end_and_reinstate(congress: SimpleNamespace, office: Any) -> None:
    rep = congress.rep1
    services.representative_update(
        actor=office, representative=rep, delegation=rep.delegation, kind=Kind.FULL, is_delegation_leader=True
    )
    services.representative_end(actor=office, representative=rep)
    rep.refresh_from_db()
    assert not rep.is_active and not rep.is_delegation_leader
    with pytest.raises(ValidationError) as error:
        services.representative_end(actor=office, representative=rep)
    assert "no longer serves" in error.value.messages[0]
    again = services.representative_add(
        actor=office,
        congress=congress.congress,
        person=rep.person,
        delegation=congress.delegations[1],
        kind=Kind.OBSERVER,
    )
    assert again.pk == rep.pk and again.is_active and again.kind == Kind.OBSERVER
    assert again.delegation == congress.delegations[1]
    assert AuditEntry.objects.filter(action="proposals.representative.reinstated").exists()


def test_update_ending_service_drops_leadership(congress: SimpleNamespace, office: Any) -> None:
    rep = congress.rep1
    services.representative_update(
        actor=office, representative=rep, delegation=rep.delegation, kind=Kind.FULL, is_delegation_leader=True
    )
    services.representative_update(
        actor=office,
        representative=rep,
        delegation=rep.delegation,
        kind=Kind.FULL,
        is_delegation_leader=True,
        is_active=False,
    )
    rep.refresh_from_db()
    assert not rep.is_active and not rep.is_delegation_leader
    with pytest.raises(ValidationError):
        services.representative_update(
            actor=office,
            representative=rep,
            delegation=rep.delegation,
            kind="chair",
            is_delegation_leader=False,
        )


# -- committee -----------------------------------------------------------------------------------------------


def test_committee(congress: SimpleNamespace, office: Any, tree: Any) -> None:
    chair_person = factories.make_person_with_user(tree.root, name="主任委员")
    member = services.committee_add(
        actor=office, congress=congress.congress, person=chair_person, position=CommitteeMember.Position.CHAIR
    )
    with pytest.raises(ValidationError) as error:
        services.committee_add(actor=office, congress=congress.congress, person=chair_person)
    assert "already on the proposal committee" in messages_of(error.value)["person"][0]
    second = factories.make_person_with_user(tree.root, name="另一位主任")
    with pytest.raises(ValidationError) as error:
        services.committee_add(
            actor=office, congress=congress.congress, person=second, position=CommitteeMember.Position.CHAIR
        )
    assert "主任委员 already chairs" in messages_of(error.value)["position"][0]
    with pytest.raises(ValidationError):
        services.committee_add(actor=office, congress=congress.congress, person=second, position="boss")
    services.committee_add(actor=office, congress=congress.congress, person=second)
    assert CommitteeMember.objects.filter(congress=congress.congress).count() == 2
    services.committee_remove(actor=office, member=member)
    assert CommitteeMember.objects.filter(congress=congress.congress).count() == 1
    removed = AuditEntry.objects.get(action="proposals.committee.removed")
    assert removed.changes["member"] == "主任委员"


# -- categories -------------------------------------------------------------------------------------------


def test_default_taxonomy_is_seeded_once() -> None:
    majors = {c.name: c for c in Category.objects.filter(parent=None)}
    assert set(majors) == {"内涵建设", "民生福利", "其他"}
    assert majors["内涵建设"].kpi_class == Category.KpiClass.CORE_DEVELOPMENT
    core = set(Category.objects.filter(parent=majors["内涵建设"]).values_list("name", flat=True))
    assert core == {"学科建设", "教学科研", "人才队伍", "管理体制改革", "信息化建设"}
    welfare = Category.objects.filter(parent=majors["民生福利"])
    assert welfare.count() == 6 and {c.kpi_class for c in welfare} == {Category.KpiClass.WELFARE}
    assert Category.objects.get(parent=majors["其他"]).name == "其他事项"
    total = Category.objects.count()
    services.ensure_default_categories()
    assert Category.objects.count() == total  # never re-added over the office's list
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    services.ensure_default_categories()
    assert Category.objects.count() == total


def test_category_create_and_two_levels(office: Any) -> None:
    core = Category.objects.get(name="内涵建设", parent=None)
    sub = services.category_create(
        actor=office, name="国际化", parent=core, kpi_class=Category.KpiClass.OTHER
    )
    assert sub.kpi_class == Category.KpiClass.CORE_DEVELOPMENT  # takes its major class's
    with pytest.raises(ValidationError) as error:
        services.category_create(actor=office, name="更细", parent=sub)
    assert "two levels" in messages_of(error.value)["parent"][0]
    with pytest.raises(ValidationError) as error:
        services.category_create(actor=office, name="国际化", parent=core)
    assert "already exists among 内涵建设" in messages_of(error.value)["name"][0]
    with pytest.raises(ValidationError) as error:
        services.category_create(actor=office, name="民生福利")
    assert "already exists among the major classes" in messages_of(error.value)["name"][0]
    with pytest.raises(ValidationError):
        services.category_create(actor=office, name="新大类", kpi_class="nonsense")
    with pytest.raises(ValidationError):
        services.category_create(actor=office, name="")


def test_category_update_carries_the_class_to_subclasses(office: Any) -> None:
    other = Category.objects.get(name="其他", parent=None)
    services.category_update(
        actor=office, category=other, name="其他类", kpi_class=Category.KpiClass.WELFARE, sort_order=99
    )
    assert set(Category.objects.filter(parent=other).values_list("kpi_class", flat=True)) == {"welfare"}
    entry = AuditEntry.objects.get(action="proposals.category.updated", target_id=str(other.pk))
    assert entry.changes["name"] == ["其他", "其他类"]


def test_category_moves_are_checked(office: Any) -> None:
    core = Category.objects.get(name="内涵建设", parent=None)
    welfare = Category.objects.get(name="民生福利", parent=None)
    with pytest.raises(ValidationError) as error:
        services.category_update(actor=office, category=core, name="内涵建设", parent=welfare)
    assert "has subclasses" in messages_of(error.value)["parent"][0]
    with pytest.raises(ValidationError) as error:
        services.category_update(actor=office, category=welfare, name="民生福利", parent=welfare)
    assert "its own major class" in messages_of(error.value)["parent"][0]
    # A subclass moves to another major class and takes its class; it can be retired.
    teaching = Category.objects.get(name="教学科研")
    services.category_update(
        actor=office, category=teaching, name="教学科研", parent=welfare, is_active=False
    )
    teaching.refresh_from_db()
    assert teaching.parent == welfare and teaching.kpi_class == "welfare" and not teaching.is_active
