"""Permission-matrix world for the appeals pages (used by tests/test_permission_matrix.py).

Appeals are school-wide for the union office, so "own" and "other" mean:
- union-office pages (triage, lists, reveal, publishing): both sides are appeals of the same kind —
  holders of the permission get 200 on both;
- office pages: "own" is an appeal routed to an office the requesting user is made staff of (inside the
  request's rolled-back transaction), "other" one routed to another office (404);
- portal pages: "own" is the requesting user's own appeal (a member person is made for them when
  needed), "other" another member's (404).

``build`` makes the shared objects once per side; each part adds its rows' kwargs helpers below its marker.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from smartunion.appeals.models import Appeal, Attachment

from . import factories

Status = Appeal.Status
Kwargs = Callable[[SimpleNamespace, str, Any], dict[str, Any]]


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    office = factories.make_office(f"{side}诉求承办处", staff=[make_user(name=f"{side}诉求经办")])
    category = factories.make_category(office, f"{side}类别", description="食堂饭菜", keywords="食堂 早餐")
    submitter = factories.make_member(unit, name=f"{side}诉求人")
    setattr(world, f"{side}_appeal_office", office)
    setattr(world, f"{side}_appeal_category", category)
    setattr(world, f"{side}_appeal_person", submitter)
    for status in (Status.TRIAGE, Status.ROUTED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED):
        appeal = factories.make_appeal(
            submitter,
            status=status,
            category=None if status == Status.TRIAGE else category,
            title=f"{side}诉求{status}",
            anonymous=True,
            allow_identity_reveal=True,
            allow_publish=True,
        )
        setattr(world, f"{side}_appeal_{status}", appeal)


def _appeal(world: SimpleNamespace, side: str, status: str) -> Appeal:
    return getattr(world, f"{side}_appeal_{status}")


def any_appeal(status: str) -> Kwargs:
    """Either side's appeal in ``status`` (union-office pages)."""
    return lambda world, side, user: {"pk": _appeal(world, side, status).pk}


# -- portal helper: kwargs helpers --
# Portal pages: the requesting user gets a staff record on both sides (so that "other" answers 404 because
# the appeal is someone else's, not because the user has no record); "own" is an appeal of theirs.
MATRIX_PDF = b"%PDF-1.4\n%matrix\n"


def _requester_person(world: SimpleNamespace, user: Any) -> Any:
    from smartunion.members.tests.matrix_joining import own_person

    return own_person(world, user)


def portal_member(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """Pages without a pk: "own" — the user has a staff record; "other" — they have none."""
    if side == "own" and user is not None:
        _requester_person(world, user)
    return {}


def portal_own_appeal(status: str) -> Kwargs:
    """ "own": an anonymous appeal in ``status`` submitted by the requesting user; "other": the other
    side's member's appeal in that status."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        if user is None:
            return {"pk": _appeal(world, side, status).pk}
        person = _requester_person(world, user)
        if side != "own":
            return {"pk": _appeal(world, "other", status).pk}
        appeal = factories.make_appeal(
            person,
            status=status,
            category=None if status == Status.TRIAGE else world.own_appeal_category,
            anonymous=True,
            allow_identity_reveal=True,
        )
        return {"pk": appeal.pk}

    return kwargs


def portal_own_attachment(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    from smartunion.appeals.models import Attachment

    pk = portal_own_appeal(Status.TRIAGE)(world, side, user)["pk"]
    attachment = Attachment.objects.create(
        appeal_id=pk,
        name="照片.pdf",
        content_type="application/pdf",
        size=len(MATRIX_PDF),
        content=MATRIX_PDF,
    )
    return {"pk": pk, "attachment_pk": attachment.pk}


def published_faq(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """常见问题 are school-wide: the side's closed appeal, published."""
    from django.utils import timezone

    appeal = _appeal(world, side, Status.CLOSED)
    Appeal.objects.filter(pk=appeal.pk).update(
        faq_question="食堂早餐几点开门？", faq_answer="已提前到七点。", published_at=timezone.now()
    )
    return {"pk": appeal.pk}


# -- end portal helper --
# -- triage helper: kwargs helpers --
def published_appeal(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """The side's closed appeal, published as a question and answer."""
    appeal = _appeal(world, side, Status.CLOSED)
    Appeal.objects.filter(pk=appeal.pk).update(
        faq_question="早餐窗口能否提前？", faq_answer="已提前到七点。", published_at=timezone.now()
    )
    return {"pk": appeal.pk}


def appeal_attachment(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    attachment = Attachment.objects.create(
        appeal=_appeal(world, side, Status.ROUTED),
        name="照片.png",
        content_type="image/png",
        size=4,
        content=b"\x89PNG",
    )
    return {"pk": attachment.pk}


def appeal_category(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_appeal_category").pk}


def route_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {"category": getattr(world, f"{side}_appeal_category").pk}


def reveal_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {"reason": "需要当面了解情况"}


def publish_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {"question": "早餐窗口能否提前开放？", "answer": "已提前到七点开放。"}


# -- end triage helper --
# -- office helper: kwargs helpers --
def office_appeal(status: str) -> Kwargs:
    """ "own": the side's appeal in ``status``, routed to the side's office, with the requesting user made
    its staff (inside the request's rolled-back transaction); "other": the other side's (404)."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        from smartunion.organisations.models import OfficeStaff

        if side == "own" and user is not None:
            OfficeStaff.objects.get_or_create(office=world.own_appeal_office, user=user)
        return {"pk": _appeal(world, side, status).pk}

    return kwargs


def office_attachment(status: str) -> Kwargs:
    """An attachment of the side's appeal in ``status`` (made for the request), "own" as office_appeal."""
    appeal_kwargs = office_appeal(status)

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        pk = appeal_kwargs(world, side, user)["pk"]
        attachment = Attachment.objects.create(
            appeal_id=pk, name="照片.png", content_type="image/png", size=4, content=b"\x89PNG"
        )
        return {"pk": attachment.pk}

    return kwargs


# -- end office helper --
# -- insight helper: kwargs helpers --
# (none: the trends pages take no object; both sides answer the same school-wide figures)
# -- end insight helper --
