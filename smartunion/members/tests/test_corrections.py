"""Correction requests: the member asks, the union office answers, the member is notified."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smartunion.core.models import AuditEntry
from smartunion.members.models import CorrectionRequest
from smartunion.members.services import corrections as svc
from smartunion.notifications.models import Notification

ID = "11010519491231002X"


@pytest.fixture
def w(tree: Any, make_person: Any, make_user: Any) -> SimpleNamespace:
    user = make_user(name="王芳")
    person = make_person(unit=tree.a, name="王芳", user=user)
    return SimpleNamespace(
        tree=tree,
        user=user,
        person=person,
        office=make_user("union_staff", tree.root, name="校工会干事"),
        chair=make_user("subunion_chair", tree.a, name="分工会主席"),
    )


def ask(w: SimpleNamespace, **overrides: Any) -> CorrectionRequest:
    fields: dict[str, Any] = {
        "actor": w.user,
        "person": w.person,
        "field": "id_number",
        "requested_value": ID,
        "reason": "身份证号最后一位录入错误",
    }
    fields.update(overrides)
    return svc.correction_request(**fields)


def test_a_request_reaches_the_union_office_masked_in_the_log(w: SimpleNamespace) -> None:
    correction = ask(w)
    assert correction.status == CorrectionRequest.Status.OPEN
    entry = AuditEntry.objects.get(action="members.correction.requested")
    assert ID not in str(entry.changes) and entry.changes["requested_value"] == "1101**********002X"
    assert set(Notification.objects.values_list("recipient__name", flat=True)) == {"校工会干事"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"field": "salary_bonus"}, "field"),
        ({"requested_value": " "}, "requested_value"),
        ({"reason": "x" * 501}, "reason"),
    ],
)
def test_bad_requests_are_refused(w: SimpleNamespace, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ask(w, **overrides)
    assert field in caught.value.message_dict


def test_one_open_request_per_field_and_only_for_oneself(w: SimpleNamespace) -> None:
    ask(w)
    with pytest.raises(ValidationError) as caught:
        ask(w)
    assert "field" in caught.value.message_dict
    ask(w, field="mobile", requested_value="13812345678")
    with pytest.raises(PermissionDenied):
        ask(w, actor=w.office, field="name", requested_value="王方")


def test_the_office_answers_and_the_member_is_notified(w: SimpleNamespace) -> None:
    correction = ask(w)
    with pytest.raises(PermissionDenied):  # a sub-union chair does not handle corrections
        svc.correction_handle(actor=w.chair, correction=correction, done=True)
    with pytest.raises(ValidationError) as caught:
        svc.correction_handle(actor=w.office, correction=correction, done=False, response="")
    assert "response" in caught.value.message_dict
    svc.correction_handle(actor=w.office, correction=correction, done=True, response="已请人事处更正")
    correction.refresh_from_db()
    assert correction.status == "done" and correction.handled_by == w.office
    note = Notification.objects.filter(recipient=w.user).get()
    assert note.body == "已请人事处更正"
    assert AuditEntry.objects.filter(action="members.correction.done").exists()
    with pytest.raises(ValidationError):
        svc.correction_handle(actor=w.office, correction=correction, done=False, response="再议")


def test_office_pages(client: Any, w: SimpleNamespace, make_person: Any, make_user: Any) -> None:
    correction = ask(w)
    client.force_login(w.office)
    page = client.get("/console/members/corrections/").content.decode()
    assert "王芳" in page and ID not in page and "1101**********002X" in page
    detail = client.get(f"/console/members/corrections/{correction.pk}/").content.decode()
    assert ID in detail  # union staff may see ID numbers: the value to check is shown in full
    response = client.post(
        f"/console/members/corrections/{correction.pk}/", {"decision": "declined", "response": ""}
    )
    assert response.status_code == 200 and "field-error" in response.content.decode()
    response = client.post(
        f"/console/members/corrections/{correction.pk}/",
        {"decision": "declined", "response": "与人事档案一致"},
    )
    assert response.status_code == 302
    correction.refresh_from_db()
    assert correction.status == "declined"
    empty = client.get("/console/members/corrections/").content.decode()
    assert "empty-state" in empty  # no open requests left
    assert "王芳" in client.get("/console/members/corrections/", {"status": ""}).content.decode()
