"""Family members: the member keeps their own; children under 14 need the guardian's consent; audit entries
are masked; officers see a masked panel on the person's page."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from smartunion.core.models import AuditEntry
from smartunion.members.models import FamilyMember
from smartunion.members.selectors import family as family_selectors
from smartunion.members.services import family as svc


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@pytest.fixture
def w(tree: Any, make_person: Any, make_user: Any) -> SimpleNamespace:
    user = make_user(name="王芳")
    person = make_person(unit=tree.a, name="王芳", user=user)
    return SimpleNamespace(tree=tree, user=user, person=person)


def add(w: SimpleNamespace, **overrides: Any) -> FamilyMember:
    fields: dict[str, Any] = {
        "actor": w.user,
        "person": w.person,
        "relation": "child",
        "name": "李小明",
        "sex": "M",
        "birth_date": years_ago(8),
        "school": "江海大学附属幼儿园",
        "guardian_consent": True,
    }
    fields.update(overrides)
    return svc.family_add(**fields)


def test_a_young_child_is_recorded_with_the_guardians_consent(w: SimpleNamespace) -> None:
    child = add(w)
    assert child.guardian_consent_at is not None and child.guardian_consent_by == w.user
    entry = AuditEntry.objects.get(action="members.family.added")
    assert entry.changes["birth_date"] == child.birth_date.isoformat()[:7]  # no day in the audit log
    assert entry.changes["name"] == "李**"
    assert "幼儿园" not in str(entry.changes)  # the school is not copied into the log
    assert entry.changes["guardian_consent"]


def test_a_young_child_without_consent_is_refused(w: SimpleNamespace) -> None:
    with pytest.raises(ValidationError) as caught:
        add(w, guardian_consent=False)
    assert "guardian_consent" in caught.value.message_dict
    assert not FamilyMember.objects.exists()


def test_an_older_child_and_adults_need_no_consent(w: SimpleNamespace) -> None:
    teen = add(w, birth_date=years_ago(14), guardian_consent=False, school="江海中学")
    assert teen.guardian_consent_at is None
    parent = add(
        w, relation="parent", name="王大山", birth_date=years_ago(70), school="", guardian_consent=False
    )
    assert parent.guardian_consent_at is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"birth_date": timezone.localdate() + dt.timedelta(days=1)}, "birth_date"),
        ({"birth_date": dt.date(1890, 1, 1)}, "birth_date"),
        ({"birth_date": None}, "birth_date"),
        ({"relation": "spouse", "school": "某小学"}, "school"),
        ({"relation": "cousin"}, "relation"),
        ({"name": "  "}, "name"),
        ({"sex": "X"}, "sex"),
    ],
)
def test_bad_family_data_is_refused(w: SimpleNamespace, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add(w, **overrides)
    assert field in caught.value.message_dict


def test_one_spouse(w: SimpleNamespace) -> None:
    add(w, relation="spouse", name="李强", birth_date=years_ago(35), school="", guardian_consent=False)
    with pytest.raises(ValidationError, match=r"spouse|配偶"):
        add(w, relation="spouse", name="张三", birth_date=years_ago(35), school="", guardian_consent=False)


def test_only_the_member_manages_their_family(w: SimpleNamespace, make_user: Any) -> None:
    child = add(w)
    officer = make_user("union_staff", w.tree.root)
    with pytest.raises(PermissionDenied):
        add(w, actor=officer)
    with pytest.raises(PermissionDenied):
        svc.family_update(
            actor=officer,
            family_member=child,
            relation="child",
            name="改名",
            sex="M",
            birth_date=child.birth_date,
        )
    with pytest.raises(PermissionDenied):
        svc.family_remove(actor=officer, family_member=child)
    assert FamilyMember.objects.get().name == "李小明"


def test_update_records_consent_when_a_child_becomes_recorded_as_under_14(w: SimpleNamespace) -> None:
    parent = add(
        w, relation="parent", name="王大山", birth_date=years_ago(70), school="", guardian_consent=False
    )
    with pytest.raises(ValidationError):
        svc.family_update(
            actor=w.user,
            family_member=parent,
            relation="child",
            name="王小山",
            sex="M",
            birth_date=years_ago(5),
        )
    updated = svc.family_update(
        actor=w.user,
        family_member=parent,
        relation="child",
        name="王小山",
        sex="M",
        birth_date=years_ago(5),
        school="实验小学",
        guardian_consent=True,
    )
    assert updated.guardian_consent_at is not None
    entry = AuditEntry.objects.filter(action="members.family.updated").get()
    before, after = entry.changes["relation"]
    assert before != after
    assert "实验小学" not in str(entry.changes)
    # Saving unchanged data writes nothing.
    svc.family_update(
        actor=w.user,
        family_member=updated,
        relation="child",
        name="王小山",
        sex="M",
        birth_date=updated.birth_date,
        school="实验小学",
    )
    assert AuditEntry.objects.filter(action="members.family.updated").count() == 1


def test_remove_is_audited(w: SimpleNamespace) -> None:
    child = add(w)
    svc.family_remove(actor=w.user, family_member=child)
    assert not FamilyMember.objects.exists()
    entry = AuditEntry.objects.get(action="members.family.removed")
    assert entry.changes["name"] == "李**"


def test_officer_panel_is_masked_and_scoped(w: SimpleNamespace, make_user: Any) -> None:
    add(w)
    chair = make_user("subunion_chair", w.tree.a)
    context = family_selectors.family_panel_for_officer(user=chair, person=w.person)
    assert context is not None and context["family_full"] is False
    [row] = context["family_rows"]
    assert row["name"] == "李**" and len(row["birth_date"]) == 7 and row["age"] == 8
    html = render_to_string("members/family_panel.html", context)
    assert "李**" in html and "李小明" not in html
    staff = make_user("union_staff", w.tree.root)
    full = family_selectors.family_panel_for_officer(user=staff, person=w.person)
    assert full is not None and full["family_rows"][0]["name"] == "李小明"
    assert (
        family_selectors.family_panel_for_officer(user=make_user("subunion_chair", w.tree.b), person=w.person)
        is None
    )
