"""Permission-matrix world for the proposals pages (used by tests/test_permission_matrix.py).

Proposals are school-wide, so "own" and "other" mean:
- console pages (committee, union office, leaders' reading): both sides are proposals of the same open
  session — the holders of the permission get 200 on both;
- office pages: "own" is a proposal assigned to an office the requesting user is made staff of (inside
  the request's rolled-back transaction), "other" one assigned to another office (404);
- leader pages: "own" is a proposal whose lead office the requesting user is made leader of;
- portal pages: "own" is the requesting user's own proposal (they are made a representative), "other"
  another representative's (404 unless it is on the public board).

``build`` makes the shared objects once per side; the ``*_kwargs`` factories below make the per-request
ones. Each part adds its rows' helpers below its marker.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from smartunion.organisations.models import HandlingOffice, OfficeStaff
from smartunion.proposals.models import Assignment, Attachment, Proposal, Representative

from . import factories

Status = Proposal.Status
Kwargs = Callable[[SimpleNamespace, str, Any], dict[str, Any]]


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    if getattr(world, "proposal_session", None) is None:
        world.proposal_session = factories.make_session()
        world.proposal_categories = factories.make_categories()
        world.proposal_congress = world.proposal_session.congress
    congress = world.proposal_congress
    delegation = factories.make_delegation(congress, f"{side}代表团", unit)
    proposer = factories.make_representative(congress, delegation, unit=unit, name=f"{side}提案人")
    cosigners = [
        factories.make_representative(congress, delegation, unit=unit, name=f"{side}附议人{i}")
        for i in (1, 2)
    ]
    office = factories.make_office(f"{side}承办处", staff=[make_user(name=f"{side}经办")])
    setattr(world, f"{side}_proposal_delegation", delegation)
    setattr(world, f"{side}_proposer", proposer)
    setattr(world, f"{side}_cosigners", cosigners)
    setattr(world, f"{side}_office", office)
    for status in (
        Status.DRAFT,
        Status.SEEKING_COSIGN,
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.REPLY_SIGNOFF,
        Status.REPLIED,
        Status.UNSATISFIED,
        Status.CLOSED,
    ):
        proposal = factories.make_proposal(
            world.proposal_session,
            proposer,
            status=status,
            cosigners=cosigners,
            lead=office,
            title=f"{side}提案{status}",
            category=world.proposal_categories["民生福利"],
        )
        setattr(world, f"{side}_proposal_{status}", proposal)


def _proposal(world: SimpleNamespace, side: str, status: str) -> Proposal:
    return getattr(world, f"{side}_proposal_{status}")


def console_proposal(status: str) -> Kwargs:
    """Either side's proposal in ``status`` (school-wide pages)."""
    return lambda world, side, user: {"pk": _proposal(world, side, status).pk}


def office_proposal(status: str) -> Kwargs:
    """ "own": the proposal assigned to the side's office, with the requesting user made its staff."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        if side == "own" and user is not None:
            OfficeStaff.objects.get_or_create(office=world.own_office, user=user)
        return {"pk": _proposal(world, side, status).pk}

    return kwargs


def leader_proposal(status: str) -> Kwargs:
    """ "own": the proposal whose lead office the requesting user is made the leader of."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        if side == "own" and user is not None:
            HandlingOffice.objects.filter(pk=world.own_office.pk).update(leader=user)
        return {"pk": _proposal(world, side, status).pk}

    return kwargs


def make_requester_representative(world: SimpleNamespace, user: Any) -> Representative:
    """The requesting user as a full representative of the world's term (with a person record)."""
    return factories.make_representative(
        world.proposal_congress, world.own_proposal_delegation, unit=world.tree.a1, user=user
    )


def portal_own_proposal(status: str) -> Kwargs:
    """ "own": a proposal in ``status`` whose proposer is the requesting user; "other": the other side's
    proposal in that status (someone else's)."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        if side == "own" and user is not None:
            rep = make_requester_representative(world, user)
            proposal = factories.make_proposal(
                world.proposal_session,
                rep,
                status=status,
                cosigners=world.own_cosigners,
                lead=world.own_office,
            )
            return {"pk": proposal.pk}
        return {"pk": _proposal(world, "other", status).pk}

    return kwargs


# -- setup helper: matrix kwargs --
# The set-up is school-wide: both sides name the world's one term, session and category; delegations,
# representatives, offices and committee members are the side's own.


def setup_congress(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": world.proposal_congress.pk}


def setup_session(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": world.proposal_session.pk}


def setup_delegation(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_proposal_delegation").pk}


def setup_representative(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_proposer").pk}


def setup_committee_member(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """A committee member of the term (made inside the request's rolled-back transaction)."""
    from smartunion.proposals.models import CommitteeMember

    member, _created = CommitteeMember.objects.get_or_create(
        congress=world.proposal_congress, person=getattr(world, f"{side}_proposer").person
    )
    return {"pk": member.pk}


def setup_category(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": world.proposal_categories["民生福利"].pk}


def setup_office(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_office").pk}


def setup_office_staff(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": OfficeStaff.objects.filter(office=getattr(world, f"{side}_office")).earliest("pk").pk}


def setup_office_staff_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {"user": world.stranger.staff_no}


def setup_calendar_day(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """A holiday of the calendar (made inside the request's rolled-back transaction)."""
    import datetime as dt

    from smartunion.core.models import CalendarDay

    day, _created = CalendarDay.objects.get_or_create(
        date=dt.date(2030, 10, 1 if side == "own" else 2), defaults={"name": "国庆节"}
    )
    return {"pk": day.pk}


# -- end setup helper --
# -- portal helper: matrix kwargs --
MATRIX_PDF = b"%PDF-1.4 matrix"


def portal_own_invitation(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """Own side: the requesting user's invitation to co-sign the other side's proposal seeking
    co-signers; other side: someone else's invitation to it."""
    from smartunion.proposals.models import Signer

    proposal = _proposal(world, "other", Status.SEEKING_COSIGN)
    if side == "own" and user is not None:
        rep = make_requester_representative(world, user)
        signer, _ = Signer.objects.get_or_create(
            proposal=proposal, representative=rep, defaults={"role": Signer.Role.COSIGNER}
        )
        return {"pk": signer.pk}
    return {"pk": Signer.objects.get(proposal=proposal, representative=world.other_cosigners[0]).pk}


def portal_own_attachment(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """Own side: an attachment of the requesting user's own draft; other side: one of the other side's
    draft."""
    from smartunion.proposals.models import Attachment

    proposal_pk = portal_own_proposal(Status.DRAFT)(world, side, user)["pk"]
    attachment = Attachment.objects.create(
        proposal_id=proposal_pk,
        name="附件.pdf",
        content_type="application/pdf",
        size=len(MATRIX_PDF),
        content=MATRIX_PDF,
    )
    return {"pk": attachment.pk}


# -- end portal helper --
# -- handling helper: matrix kwargs --
def office_assist_proposal(status: str) -> Kwargs:
    """The side's proposal in ``status``; on the "own" side with an assisting (协办) assignment for an office
    the requesting user is made staff of (the other side's is not the user's office's)."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        proposal = _proposal(world, side, status)
        if side == "own" and user is not None:
            office = factories.make_office(f"协办处{user.pk}", staff=[user])
            Assignment.objects.create(proposal=proposal, office=office, role=Assignment.Role.ASSIST)
        return {"pk": proposal.pk}

    return kwargs


def console_attachment(status: str) -> Kwargs:
    """An attachment of the side's proposal in ``status``; on the "own" side the requesting user is made
    staff and leader of the proposal's office (console viewers see both sides)."""

    def kwargs(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
        proposal = _proposal(world, side, status)
        if side == "own" and user is not None:
            OfficeStaff.objects.get_or_create(office=world.own_office, user=user)
            HandlingOffice.objects.filter(pk=world.own_office.pk).update(leader=user)
        attachment = Attachment.objects.create(
            proposal=proposal, name="附件.pdf", content_type="application/pdf", size=8, content=b"%PDF-1.4"
        )
        return {"pk": attachment.pk}

    return kwargs


# -- end handling helper --
# -- evaluation helper: matrix kwargs --
def evaluation_session(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """The world's session (follow-up toggle, the annual report): the same on both sides."""
    return {"pk": world.proposal_session.pk}


def evaluation_followup(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """A 回头看 report awaiting confirmation on the side's closed proposal (made inside the request's
    rolled-back transaction)."""
    from smartunion.proposals.models import FollowUp

    proposal = _proposal(world, side, Status.CLOSED)
    followup = FollowUp.objects.create(
        proposal=proposal,
        office=getattr(world, f"{side}_office"),
        status_before="A",
        status_after="A",
        note="矩阵",
    )
    return {"pk": followup.pk}


def evaluation_deadline_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    """A new deadline (60 days from today) with its reason, for ``console_deadline``."""
    import datetime as dt

    from django.utils import timezone

    return {
        "due_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "reason": "办理需要更多时间",
    }


# -- end evaluation helper --
