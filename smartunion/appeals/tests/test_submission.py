"""Submitting an appeal: numbering per year from the locked counter, the text and attachment rules, the
category check, the anonymity choices, the events and audit entries (which never name an anonymous
member), and withdrawal before the office's acknowledgement."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from smartunion.appeals.models import Appeal, Attachment, Counter, Event
from smartunion.appeals.models import Settings as AppealSettings
from smartunion.appeals.services import submission
from smartunion.core.models import AuditEntry
from smartunion.notifications.models import Notification

from . import factories

pytestmark = pytest.mark.django_db
Status = Appeal.Status
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 20
BODY = "东区食堂早餐窗口七点半才开，希望提前到七点。"


@pytest.fixture
def taxonomy() -> dict[str, Any]:
    return factories.make_taxonomy()


@pytest.fixture
def member(tree: Any) -> Any:
    return factories.make_member(tree.a, name="王老师")


@pytest.fixture(autouse=True)
def triage_only() -> None:
    """Nothing is routed automatically here (the router's thresholds are the triage part's tests)."""
    AppealSettings.objects.update_or_create(pk=1, defaults={"auto_route_confidence": 1.01})


def _submit(member: Any, **overrides: Any) -> Appeal:
    values: dict[str, Any] = {
        "user": member.user,
        "title": "食堂早餐开得太晚",
        "body": BODY,
        "category": None,
        "is_anonymous": False,
        "allow_identity_reveal": False,
        "allow_publish": False,
        "files": (),
    }
    values.update(overrides)
    return submission.submit(**values)


def _messages(error: ValidationError, field: str) -> list[str]:
    return error.message_dict.get(field, [])


# -- numbering ---------------------------------------------------------------------------------------------


def test_numbers_run_per_year_from_the_counter(member: Any) -> None:
    year = timezone.localdate().year
    first = _submit(member)
    second = _submit(member)
    assert first.number == f"SQ{year}-0001"
    assert second.number == f"SQ{year}-0002"
    assert Counter.objects.get(year=year).last == 2


def test_numbering_continues_from_the_counter_and_starts_afresh_each_year(member: Any) -> None:
    year = timezone.localdate().year
    Counter.objects.create(year=year, last=41)
    Counter.objects.create(year=year - 1, last=900)
    assert _submit(member).number == f"SQ{year}-0042"
    assert submission.next_number(year + 1) == f"SQ{year + 1}-0001"
    assert Counter.objects.get(year=year - 1).last == 900


def test_next_number_locks_the_counter_row(member: Any) -> None:
    """The counter is read with SELECT … FOR UPDATE (a no-op on SQLite, where writes are serialised)."""
    year = timezone.localdate().year
    Counter.objects.create(year=year, last=7)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert submission.next_number(year) == f"SQ{year}-0008"
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_submissions_get_distinct_numbers(tree: Any) -> None:  # pragma: no cover - PostgreSQL
    members = [factories.make_member(tree.a) for _ in range(4)]
    numbers: list[str] = []
    errors: list[BaseException] = []

    def run(person: Any) -> None:
        try:
            numbers.append(_submit(person).number)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(numbers)) == 4


# -- what is kept ------------------------------------------------------------------------------------------


def test_submit_keeps_the_appeal_its_files_and_the_submitted_event(member: Any, taxonomy: Any) -> None:
    appeal = _submit(
        member,
        title="  食堂早餐开得太晚  ",
        category=taxonomy["食堂餐饮"],
        allow_publish=True,
        files=[("早餐.jpg", JPEG), ("通知.pdf", PDF)],
    )
    assert appeal.title == "食堂早餐开得太晚"
    assert appeal.person == member
    assert appeal.unit == member.unit
    assert appeal.suggested_category == taxonomy["食堂餐饮"]
    assert appeal.allow_publish is True
    assert appeal.status in (Status.TRIAGE, Status.ROUTED)
    files = list(appeal.attachments.order_by("pk"))
    assert [(f.name, f.content_type, f.size) for f in files] == [
        ("早餐.jpg", "image/jpeg", len(JPEG)),
        ("通知.pdf", "application/pdf", len(PDF)),
    ]
    event = Event.objects.get(appeal=appeal, kind=Event.Kind.SUBMITTED)
    assert event.by_member is True
    assert event.actor == member.user
    entry = AuditEntry.objects.get(action="appeals.appeal.submitted", target_id=str(appeal.pk))
    assert entry.actor == member.user
    assert entry.unit_id == member.unit_id


def test_an_uploaded_file_object_is_read(member: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    appeal = _submit(member, files=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    assert bytes(appeal.attachments.get().content) == PNG


def test_submit_hands_the_appeal_to_the_router(member: Any, taxonomy: Any) -> None:
    """The triage part's route_new ran inside the submission: the router's view is stored."""
    appeal = _submit(member, title="食堂早餐窗口", body="食堂早餐窗口开得太晚，饭菜也凉了，希望改进。")
    assert isinstance(appeal.suggestions, list)
    assert appeal.suggestions, "the router suggested nothing for a canteen appeal"
    assert appeal.status == Status.TRIAGE  # below the (impossible) threshold set above


def test_anonymous_submission_names_nobody_in_events_or_audit(member: Any) -> None:
    appeal = _submit(member, is_anonymous=True, allow_identity_reveal=True)
    assert appeal.is_anonymous and appeal.allow_identity_reveal
    assert appeal.person == member  # the member still follows it
    event = Event.objects.get(appeal=appeal, kind=Event.Kind.SUBMITTED)
    assert event.actor is None and event.by_member is True
    entry = AuditEntry.objects.get(action="appeals.appeal.submitted", target_id=str(appeal.pk))
    assert entry.actor is None
    assert entry.unit_id is None
    assert "王老师" not in entry.actor_label and member.user.staff_no not in entry.actor_label
    assert "anonymous" in entry.actor_label


# -- refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "field", "words"),
    [
        ("", BODY, "title", "Write a subject"),
        ("   ", BODY, "title", "Write a subject"),
        ("食" * 81, BODY, "title", "81 characters"),
        ("食堂", "", "body", "at least 10"),
        ("食堂", "太晚了太晚了太晚", "body", "at least 10"),
        ("食堂", "饭" * 3001, "body", "3001 characters"),
    ],
)
def test_text_rules(member: Any, title: str, body: str, field: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _submit(member, title=title, body=body)
    assert any(words in message for message in _messages(caught.value, field))
    assert not Appeal.objects.exists()
    assert not Counter.objects.filter(last__gt=0).exists()


def test_limits_themselves_are_accepted(member: Any) -> None:
    appeal = _submit(member, title="食" * 80, body="饭" * 3000)
    assert len(appeal.title) == 80
    assert len(_submit(member, body="饭" * 10).body) == 10


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("合同.docx", b"PK\x03\x04", "not accepted"),
        ("程序.exe", b"MZ", "not accepted"),
        ("照片.jpg", PDF, "its content is not"),
        ("扫描.pdf", JPEG, "its content is not"),
        ("空.png", b"", "is empty"),
        ("大.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "at most 10 MB"),
    ],
)
def test_attachment_checks(member: Any, name: str, data: bytes, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _submit(member, files=[("ok.pdf", PDF), (name, data)])
    assert any(words in message for message in _messages(caught.value, "attachments"))
    assert not Appeal.objects.exists()
    assert not Attachment.objects.exists()


def test_exactly_ten_megabytes_is_accepted(member: Any) -> None:
    data = b"%PDF" + b"0" * (10 * 1024 * 1024 - 4)
    assert _submit(member, files=[("big.pdf", data)]).attachments.get().size == 10 * 1024 * 1024


def test_at_most_five_files(member: Any) -> None:
    assert _submit(member, files=[(f"{i}.pdf", PDF) for i in range(5)]).attachments.count() == 5
    with pytest.raises(ValidationError) as caught:
        _submit(member, files=[(f"{i}.pdf", PDF) for i in range(6)])
    assert any("5 files at most" in m for m in _messages(caught.value, "attachments"))
    assert Appeal.objects.count() == 1


def test_an_inactive_category_is_refused(member: Any, taxonomy: Any) -> None:
    category = taxonomy["维修报修"]
    category.is_active = False
    category.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as caught:
        _submit(member, category=category)
    assert any("no longer in use" in m for m in _messages(caught.value, "category"))


def test_a_category_of_an_inactive_office_is_refused(member: Any, taxonomy: Any) -> None:
    office = taxonomy["职称评审"].office
    office.is_active = False
    office.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        _submit(member, category=taxonomy["职称评审"])


def test_identity_reveal_only_for_an_anonymous_appeal(member: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        _submit(member, is_anonymous=False, allow_identity_reveal=True)
    assert _messages(caught.value, "allow_identity_reveal")
    anonymous = _submit(member, is_anonymous=True, allow_identity_reveal=False, allow_publish=True)
    assert (anonymous.is_anonymous, anonymous.allow_identity_reveal, anonymous.allow_publish) == (
        True,
        False,
        True,
    )


def test_an_account_without_a_staff_record_cannot_submit(make_user: Any) -> None:
    user = make_user(name="无档案")
    with pytest.raises(ValidationError, match="not linked to a staff record"):
        submission.submit(
            user=user,
            title="标题",
            body=BODY,
            is_anonymous=False,
            allow_identity_reveal=False,
            allow_publish=False,
        )


# -- withdrawal --------------------------------------------------------------------------------------------


def test_withdraw_before_acknowledgement(member: Any, taxonomy: Any) -> None:
    appeal = _submit(member)
    appeal = submission.withdraw(user=member.user, appeal=appeal, reason="已经解决")
    assert appeal.status == Status.WITHDRAWN
    assert appeal.closed_at is not None
    event = Event.objects.get(appeal=appeal, kind=Event.Kind.WITHDRAWN)
    assert (event.by_member, event.note) == (True, "已经解决")
    assert AuditEntry.objects.filter(action="appeals.appeal.withdrawn", target_id=str(appeal.pk)).exists()
    routed = factories.make_appeal(member, status=Status.ROUTED, category=taxonomy["食堂餐饮"])
    assert submission.withdraw(user=member.user, appeal=routed).status == Status.WITHDRAWN


@pytest.mark.parametrize("anonymous", [True, False])
def test_withdrawing_a_routed_appeal_tells_its_office(
    member: Any, make_user: Any, tree: Any, django_capture_on_commit_callbacks: Any, anonymous: bool
) -> None:
    clerk = make_user("handling_office", tree.root, name="后勤经办")
    office = factories.make_office("后勤管理处", staff=[clerk])
    category = factories.make_category(office, "食堂餐饮")
    routed = factories.make_appeal(member, status=Status.ROUTED, category=category, anonymous=anonymous)
    waiting = factories.make_appeal(member)
    with django_capture_on_commit_callbacks(execute=True):
        submission.withdraw(user=member.user, appeal=routed, reason="已经解决")
        submission.withdraw(user=member.user, appeal=waiting)  # nobody has it yet: nobody is told
    note = Notification.objects.get(recipient=clerk)
    assert note.kind == "appeals.withdrawn"
    assert routed.number in note.title and "已经解决" in note.body
    text = f"{note.title} {note.body}"
    for secret in (member.name, member.staff_no, member.user.staff_no, member.unit.name):
        assert secret not in text, secret
    assert Notification.objects.count() == 1


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED, Status.WITHDRAWN])
def test_no_withdrawal_once_acknowledged_or_finished(member: Any, taxonomy: Any, status: str) -> None:
    appeal = factories.make_appeal(member, status=status, category=taxonomy["食堂餐饮"])
    with pytest.raises(ValidationError):
        submission.withdraw(user=member.user, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == status


def test_no_withdrawal_of_a_routed_appeal_already_acknowledged(member: Any, taxonomy: Any) -> None:
    appeal = factories.make_appeal(member, status=Status.ROUTED, category=taxonomy["食堂餐饮"])
    Appeal.objects.filter(pk=appeal.pk).update(acknowledged_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        submission.withdraw(user=member.user, appeal=appeal)


def test_only_the_submitter_withdraws(member: Any, tree: Any) -> None:
    appeal = _submit(member)
    other = factories.make_member(tree.b)
    with pytest.raises(ValidationError, match="Only the member who submitted"):
        submission.withdraw(user=other.user, appeal=appeal)
    appeal.refresh_from_db()
    assert appeal.status == Status.TRIAGE
