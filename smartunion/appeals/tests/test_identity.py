"""Anonymity and its one exception: the submitter label everyone else sees, and the logged reveal to the
holders of appeals.identity.reveal when the member allowed it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from smartunion.appeals.selectors.identity import may_reveal, submitter_label
from smartunion.appeals.services import identity
from smartunion.appeals.tests.factories import make_appeal, make_member
from smartunion.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Any, make_user: Any) -> SimpleNamespace:
    member = make_member(tree.b1, name="李四海")
    return SimpleNamespace(
        member=member,
        chair=make_user("union_chair", tree.root, name="工会主席"),
        staff=make_user("union_staff", tree.root, name="校工会干事"),
        anonymous=make_appeal(member, anonymous=True, allow_identity_reveal=True),
        private=make_appeal(member, anonymous=True, allow_identity_reveal=False),
        named=make_appeal(member),
    )


def test_the_label_hides_an_anonymous_submitter_from_everyone_but_the_member(world: Any) -> None:
    assert submitter_label(world.anonymous, world.staff) == "Anonymous"
    assert submitter_label(world.anonymous, world.chair) == "Anonymous"  # revealing is a separate step
    assert submitter_label(world.anonymous, None) == "Anonymous"
    assert "李四海" in submitter_label(world.anonymous, world.member.user)
    assert "李四海" in submitter_label(world.named, world.staff)


def test_only_the_revealer_may_reveal_and_only_when_allowed(world: Any) -> None:
    assert may_reveal(world.anonymous, world.chair)
    assert not may_reveal(world.anonymous, world.staff)
    assert not may_reveal(world.private, world.chair)
    assert not may_reveal(world.named, world.chair)


def test_reveal_rules(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        identity.reveal(actor=world.staff, appeal=world.anonymous, reason="想知道是谁")
    with pytest.raises(ValidationError, match="did not allow"):
        identity.reveal(actor=world.chair, appeal=world.private, reason="想知道是谁")
    with pytest.raises(ValidationError, match="not anonymous"):
        identity.reveal(actor=world.chair, appeal=world.named, reason="想知道是谁")
    with pytest.raises(ValidationError):
        identity.reveal(actor=world.chair, appeal=world.anonymous, reason="  ")
    assert not AuditEntry.objects.filter(action="appeals.identity.revealed").exists()


def test_a_reveal_is_audited_with_its_reason(world: Any) -> None:
    revealed = identity.reveal(actor=world.chair, appeal=world.anonymous, reason="需要当面回访了解情况")
    assert revealed.name == "李四海" and revealed.staff_no == world.member.staff_no
    entry = AuditEntry.objects.get(action="appeals.identity.revealed")
    assert entry.actor == world.chair and entry.sensitive
    assert entry.changes == {"reason": "需要当面回访了解情况"}
    assert entry.unit_id is None  # the log does not tell the member's unit either
    assert "李四海" not in str(entry.changes) + entry.target_label


def test_the_reveal_page_shows_the_identity_once_and_stores_nothing(client: Any, world: Any) -> None:
    client.force_login(world.chair)
    url = reverse("appeals:console_detail", args=[world.anonymous.pk])
    page = client.get(url).content.decode()
    assert "李四海" not in page and 'id="reveal-form"' in page

    response = client.post(
        reverse("appeals:console_reveal", args=[world.anonymous.pk]), {"reason": "需要当面回访了解情况"}
    )
    assert response.status_code == 200
    assert "李四海" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="appeals.identity.revealed").count() == 1

    assert "李四海" not in client.get(url).content.decode()  # nothing kept in the session or a cache


def test_a_reveal_without_a_reason_shows_the_error(client: Any, world: Any) -> None:
    client.force_login(world.chair)
    response = client.post(reverse("appeals:console_reveal", args=[world.anonymous.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "李四海" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="appeals.identity.revealed").exists()


def test_the_triage_staff_cannot_reveal(client: Any, world: Any) -> None:
    client.force_login(world.staff)
    page = client.get(reverse("appeals:console_detail", args=[world.anonymous.pk])).content.decode()
    assert 'id="reveal-form"' not in page and "李四海" not in page
    response = client.post(reverse("appeals:console_reveal", args=[world.anonymous.pk]), {"reason": "看看"})
    assert response.status_code == 403
