"""入会 applications: submission, the 分工会 review, the 校工会 approval, rejection, withdrawal — every step,
legal and illegal — and the officers' pages."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from smartunion.core.models import AuditEntry
from smartunion.members.models import Membership, MembershipApplication, MembershipEvent, StaffCategory
from smartunion.members.services import applications as svc
from smartunion.notifications.models import Notification

App = MembershipApplication
STATEMENT = "我志愿加入中国工会，遵守工会章程，执行工会决议，履行会员义务。"


@pytest.fixture
def w(tree: Any, make_person: Any, make_user: Any) -> SimpleNamespace:
    applicant = make_user(name="林晓")
    person = make_person(unit=tree.a1, name="林晓", user=applicant)
    return SimpleNamespace(
        tree=tree,
        applicant=applicant,
        person=person,
        reviewer=make_user("subunion_chair", tree.a, name="机械分工会主席"),
        committee=make_user("subunion_committee", tree.a, name="机械分工会委员"),
        other_reviewer=make_user("subunion_chair", tree.b, name="外语分工会主席"),
        approver=make_user("union_staff", tree.root, name="校工会干事"),
    )


def submit(w: SimpleNamespace, **overrides: Any) -> MembershipApplication:
    fields: dict[str, Any] = {
        "actor": w.applicant,
        "person": w.person,
        "political_status": "masses",
        "education": "博士研究生",
        "statement": STATEMENT,
        "charter_consent": True,
    }
    fields.update(overrides)
    return svc.application_submit(**fields)


def status_of(person: Any) -> str:
    return Membership.objects.get(person=person).status


def test_submit_makes_the_membership_applying_and_tells_the_reviewers(w: SimpleNamespace) -> None:
    application = submit(w)
    assert application.status == App.Status.SUBMITTED
    assert application.previous_status == Membership.Status.NONE
    assert application.unit == w.tree.a1
    assert application.charter_consent_at is not None
    assert status_of(w.person) == Membership.Status.APPLYING
    event = MembershipEvent.objects.get(membership__person=w.person, kind="applied")
    assert event.to_status == "applying" and event.reference == f"#{application.pk}"
    assert AuditEntry.objects.filter(action="members.membership.applied", target_id=str(w.person.pk)).exists()
    # The reviewers of the unit (the 分工会 above the 小组) are notified; not another unit's, not the school yet.
    notified = set(Notification.objects.values_list("recipient__name", flat=True))
    assert notified == {"机械分工会主席", "机械分工会委员"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"charter_consent": False}, "charter_consent", "章程"),
        ({"statement": "我想入会"}, "statement", "10"),
        ({"statement": "入" * 2001}, "statement", "2000"),
        ({"political_status": "royalist"}, "political_status", ""),
    ],
)
def test_submit_refuses_bad_applications(
    w: SimpleNamespace, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        submit(w, **overrides)
    assert field in caught.value.message_dict
    assert status_of(w.person) == Membership.Status.NONE
    assert not App.objects.exists()


def test_submit_twice_is_refused(w: SimpleNamespace) -> None:
    submit(w)
    with pytest.raises(ValidationError) as caught:
        submit(w)
    assert "already have an application" in str(caught.value) or "已" in str(caught.value)
    assert App.objects.count() == 1


def test_the_database_allows_one_open_application(w: SimpleNamespace) -> None:
    application = submit(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        App.objects.create(
            person=w.person,
            unit=w.tree.a1,
            previous_status="none",
            political_status="masses",
            statement=STATEMENT,
            charter_consent_at=timezone.now(),
            submitted_by=w.applicant,
        )
    assert App.objects.get().pk == application.pk


def test_retirees_and_leavers_and_members_may_not_apply(
    w: SimpleNamespace, make_person: Any, make_user: Any
) -> None:
    retired_user = make_user(name="退休老师")
    retired = make_person(unit=w.tree.a, user=retired_user, category=StaffCategory.objects.get(name="退休"))
    with pytest.raises(ValidationError, match="退休"):
        submit(w, actor=retired_user, person=retired)
    w.person.is_active = False
    w.person.save()
    with pytest.raises(ValidationError):
        submit(w)
    assert not App.objects.exists()


def test_someone_else_cannot_apply_for_a_person_without_permission(
    w: SimpleNamespace, make_user: Any
) -> None:
    with pytest.raises(PermissionDenied):
        submit(w, actor=make_user(name="路人"))
    with pytest.raises(PermissionDenied):
        submit(w, actor=w.other_reviewer)


def test_two_step_journey(w: SimpleNamespace) -> None:
    application = submit(w)
    svc.application_unit_review(actor=w.reviewer, application=application, approve=True, comment="同意")
    application.refresh_from_db()
    assert application.status == App.Status.UNIT_APPROVED
    assert application.unit_reviewed_by == w.reviewer and application.unit_comment == "同意"
    assert status_of(w.person) == Membership.Status.APPLYING
    assert MembershipEvent.objects.filter(membership__person=w.person, kind="unit_reviewed").exists()
    assert AuditEntry.objects.filter(action="members.membership.unit_reviewed").exists()
    assert Notification.objects.filter(recipient=w.approver).exists()

    svc.application_approve(actor=w.approver, application=application)
    application.refresh_from_db()
    membership = Membership.objects.get(person=w.person)
    today = timezone.localdate()
    assert application.status == App.Status.APPROVED and application.decided_by == w.approver
    assert membership.status == Membership.Status.FULL
    assert membership.joined_on == today and membership.status_since == today  # from the approval date
    assert membership.card_no == f"{today:%Y}{membership.pk:07d}"
    kinds = list(MembershipEvent.objects.filter(membership=membership).values_list("kind", flat=True))
    assert {"applied", "unit_reviewed", "approved", "card_issued"} <= set(kinds)
    note = Notification.objects.filter(recipient=w.applicant).order_by("-pk").first()
    assert note is not None and membership.card_no in note.body


def test_temporary_staff_join_as_temporary_members(
    w: SimpleNamespace, make_person: Any, make_user: Any
) -> None:
    user = make_user(name="派遣工")
    person = make_person(unit=w.tree.a, user=user, category=StaffCategory.objects.get(name="劳务派遣"))
    application = submit(w, actor=user, person=person)
    svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    svc.application_approve(actor=w.approver, application=application)
    assert status_of(person) == Membership.Status.TEMPORARY


def test_approving_before_the_unit_review_is_refused_in_two_step_mode(w: SimpleNamespace) -> None:
    application = submit(w)
    with pytest.raises(ValidationError, match=r"sub-union|分工会"):
        svc.application_approve(actor=w.approver, application=application)
    assert status_of(w.person) == Membership.Status.APPLYING


def test_approving_twice_is_refused(w: SimpleNamespace) -> None:
    application = submit(w)
    svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    svc.application_approve(actor=w.approver, application=application)
    with pytest.raises(ValidationError):
        svc.application_approve(actor=w.approver, application=application)
    with pytest.raises(ValidationError):
        svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    assert MembershipEvent.objects.filter(membership__person=w.person, kind="approved").count() == 1


def test_reviewers_and_approvers_act_only_where_they_hold_the_permission(w: SimpleNamespace) -> None:
    application = submit(w)
    with pytest.raises(PermissionDenied):
        svc.application_unit_review(actor=w.other_reviewer, application=application, approve=True)
    svc.application_unit_review(actor=w.committee, application=application, approve=True)
    with pytest.raises(PermissionDenied):  # nor the 分工会 the school's
        svc.application_approve(actor=w.reviewer, application=application)
    with pytest.raises(PermissionDenied):
        svc.application_reject(actor=w.reviewer, application=application, reason="不符合条件")
    application.refresh_from_db()
    assert application.status == App.Status.UNIT_APPROVED


def test_rejection_needs_a_reason_and_restores_the_previous_status(w: SimpleNamespace) -> None:
    membership = Membership.objects.get(person=w.person)
    membership.status = Membership.Status.WITHDRAWN
    membership.save()
    application = submit(w)
    assert application.previous_status == "withdrawn"
    with pytest.raises(ValidationError) as caught:
        svc.application_unit_review(actor=w.reviewer, application=application, approve=False, reason="  ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        svc.application_reject(actor=w.reviewer, application=application, reason="")
    assert status_of(w.person) == Membership.Status.APPLYING

    svc.application_unit_review(
        actor=w.reviewer, application=application, approve=False, reason="入职未满六个月"
    )
    application.refresh_from_db()
    assert application.status == App.Status.REJECTED and application.reject_reason == "入职未满六个月"
    assert status_of(w.person) == Membership.Status.WITHDRAWN
    event = MembershipEvent.objects.get(membership__person=w.person, kind="rejected")
    assert event.note == "入职未满六个月"
    note = Notification.objects.filter(recipient=w.applicant).latest("pk")
    assert note.body == "入职未满六个月"
    # Rejected: the person may apply again.
    again = submit(w)
    assert again.status == App.Status.SUBMITTED


def test_the_school_union_rejects_at_its_step(w: SimpleNamespace) -> None:
    application = submit(w)
    svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    svc.application_reject(actor=w.approver, application=application, reason="材料不全")
    application.refresh_from_db()
    assert application.status == App.Status.REJECTED and application.decided_by == w.approver
    assert status_of(w.person) == Membership.Status.NONE
    with pytest.raises(ValidationError):
        svc.application_approve(actor=w.approver, application=application)


def test_the_applicant_withdraws(w: SimpleNamespace) -> None:
    application = submit(w)
    with pytest.raises(PermissionDenied):
        svc.application_cancel(actor=w.reviewer, application=application)
    svc.application_cancel(actor=w.applicant, application=application)
    application.refresh_from_db()
    assert application.status == App.Status.CANCELLED
    assert status_of(w.person) == Membership.Status.NONE
    assert MembershipEvent.objects.filter(membership__person=w.person, kind="cancelled").exists()
    with pytest.raises(ValidationError):
        svc.application_cancel(actor=w.applicant, application=application)


def test_one_step_mode(w: SimpleNamespace, settings: Any) -> None:
    settings.MEMBERS_APPLICATION_ONE_STEP = True
    application = submit(w)
    assert set(Notification.objects.values_list("recipient__name", flat=True)) == {"校工会干事"}
    with pytest.raises(ValidationError):
        svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    svc.application_approve(actor=w.approver, application=application)
    assert status_of(w.person) == Membership.Status.FULL


# -- the officers' pages --------------------------------------------------------------------------------


def test_queue_for_the_sub_union_and_the_school(
    client: Any, w: SimpleNamespace, make_person: Any, make_user: Any
) -> None:
    submit(w)
    other_user = make_user(name="外语新人")
    other = make_person(unit=w.tree.b, name="外语新人", user=other_user)
    submit(w, actor=other_user, person=other)

    client.force_login(w.reviewer)
    page = client.get("/console/members/applications/").content.decode()
    assert "林晓" in page and "外语新人" not in page  # the 分工会 sees its subtree only
    client.force_login(w.approver)
    page = client.get("/console/members/applications/").content.decode()
    assert "林晓" not in page  # not reviewed yet: not in the school's queue
    everything = client.get("/console/members/applications/", {"stage": "all"}).content.decode()
    assert "林晓" in everything and "外语新人" in everything
    response = client.get("/console/members/applications/", {"stage": "all", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[1] for row in sheet.iter_rows(values_only=True)}
    assert {"林晓", "外语新人"} <= names


def test_empty_queue_says_what_comes_next(client: Any, w: SimpleNamespace) -> None:
    client.force_login(w.reviewer)
    page = client.get("/console/members/applications/").content.decode()
    assert "empty-state" in page


def test_detail_and_decisions_through_the_pages(client: Any, w: SimpleNamespace) -> None:
    application = submit(w)
    client.force_login(w.reviewer)
    page = client.get(f"/console/members/applications/{application.pk}/").content.decode()
    assert STATEMENT in page and "data-confirm" in page
    assert "application_review" not in page and f"/applications/{application.pk}/review/" in page
    assert f"/applications/{application.pk}/approve/" not in page  # not the 分工会's step
    # A rejection without a reason re-renders the page with the message.
    response = client.post(f"/console/members/applications/{application.pk}/reject/", {"reason": ""})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    response = client.post(f"/console/members/applications/{application.pk}/review/", {"comment": "同意"})
    assert response.status_code == 302
    client.force_login(w.approver)
    page = client.get(f"/console/members/applications/{application.pk}/").content.decode()
    assert f"/applications/{application.pk}/approve/" in page
    response = client.post(f"/console/members/applications/{application.pk}/approve/")
    assert response.status_code == 302
    assert status_of(w.person) == Membership.Status.FULL
    # Approving again: the page says why, nothing changes.
    response = client.post(f"/console/members/applications/{application.pk}/approve/")
    assert response.status_code == 200 and "form-errors" in response.content.decode()


def test_another_units_application_is_not_found(client: Any, w: SimpleNamespace) -> None:
    application = submit(w)
    client.force_login(w.other_reviewer)
    assert client.get(f"/console/members/applications/{application.pk}/").status_code == 404
    response = client.post(f"/console/members/applications/{application.pk}/review/")
    assert response.status_code == 404
    assert status_of(w.person) == Membership.Status.APPLYING


def test_the_queue_reads_a_bounded_number_of_queries(
    client: Any, w: SimpleNamespace, make_person: Any, make_user: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        user = make_user(name=f"新人{n}")
        submit(w, actor=user, person=make_person(unit=w.tree.a1, user=user))
    client.force_login(w.reviewer)
    with django_assert_max_num_queries(14):
        page = client.get("/console/members/applications/").content.decode()
    assert page.count("/console/members/applications/") >= 12
    assert "机械工程学院 · 第一工会小组" in page  # a 小组 is named with its 分工会


# -- the review's findings: who may decide, and on what -----------------------------------------------


def test_the_school_step_is_not_taken_by_whoever_did_the_sub_union_step(
    w: SimpleNamespace, make_user: Any
) -> None:
    application = submit(w)
    svc.application_unit_review(actor=w.approver, application=application, approve=True)  # acting for A
    with pytest.raises(ValidationError, match=r"reviewed|审核"):
        svc.application_approve(actor=w.approver, application=application)
    svc.application_approve(actor=make_user("union_chair", w.tree.root), application=application)
    assert status_of(w.person) == Membership.Status.FULL


def test_nobody_decides_on_their_own_application(w: SimpleNamespace, make_person: Any) -> None:
    application = submit(w, actor=w.reviewer, person=make_person(unit=w.tree.a, user=w.reviewer))
    with pytest.raises(PermissionDenied):
        svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    with pytest.raises(PermissionDenied):
        svc.application_reject(actor=w.reviewer, application=application, reason="自己退回")
    assert application.person.membership.status == Membership.Status.APPLYING


def test_an_application_follows_the_person_when_hr_moves_them(w: SimpleNamespace) -> None:
    from smartunion.members import services

    application = submit(w)
    services.person_update(actor=None, person=w.person, unit=w.tree.b)
    application.refresh_from_db()
    assert application.unit == w.tree.b
    with pytest.raises(PermissionDenied):  # A's chair no longer decides on someone of B
        svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    svc.application_unit_review(actor=w.other_reviewer, application=application, approve=True)


def test_approval_rechecks_that_the_person_may_still_join(w: SimpleNamespace) -> None:
    from smartunion.members import services

    application = submit(w)
    svc.application_unit_review(actor=w.reviewer, application=application, approve=True)
    services.person_mark_left(actor=None, person=w.person, left_on=timezone.localdate())
    with pytest.raises(ValidationError, match=r"left|离校"):
        svc.application_approve(actor=w.approver, application=application)
    svc.application_reject(actor=w.approver, application=application, reason="已离校")
    assert status_of(w.person) == Membership.Status.NONE


def test_an_opinion_too_long_is_shown_not_dropped(client: Any, w: SimpleNamespace) -> None:
    application = submit(w)
    client.force_login(w.reviewer)
    response = client.post(f"/console/members/applications/{application.pk}/review/", {"comment": "很" * 500})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == App.Status.SUBMITTED
