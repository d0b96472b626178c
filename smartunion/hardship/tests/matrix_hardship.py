"""Permission-matrix world for the hardship pages (used by tests/test_permission_matrix.py): per side, for
the side's member, one file in each procedure status (draft, applied, visited, notice, active, exited)
with a document, an objection, a review and a help measure on the active one; a shared programme; one
application per status."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from smartunion.hardship.models import (
    AssistanceApplication,
    Document,
    HardshipFile,
    HelpMeasure,
    Objection,
    Review,
)
from smartunion.members import services as member_services
from smartunion.members.models import StaffCategory

from . import factories

PDF = b"%PDF-1.4 matrix"


def _programme(world: SimpleNamespace) -> Any:
    if getattr(world, "hardship_programme", None) is None:
        world.hardship_programme = factories.make_programme(code="matrix_temp", name="矩阵临时补助")
    return world.hardship_programme


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    officer = make_user("union_staff", world.tree.root, name=f"{side}帮扶经办")
    category = StaffCategory.objects.get(name="在编")
    Status = HardshipFile.Status
    files = {}
    # One person per file: a member has at most one current file.
    for status in (Status.DRAFT, Status.APPLIED, Status.VISITED, Status.NOTICE, Status.ACTIVE, Status.EXITED):
        person = (
            getattr(world, f"{side}_person")
            if status == Status.ACTIVE
            else member_services.person_create(
                actor=None,
                staff_no=f"{side}-hs-{status}",
                name=f"{side}困难{status}",
                sex="M",
                category=category,
                unit=unit,
            )
        )
        files[status] = factories.make_file(person=person, actor=officer, status=status)
    for status, file in files.items():
        setattr(world, f"{side}_hfile_{status}", file)
    active = files[Status.ACTIVE]
    setattr(
        world,
        f"{side}_hdocument",
        Document.objects.create(
            file=active,
            kind=Document.Kind.INCOME,
            filename="收入证明.pdf",
            content_type="application/pdf",
            size=len(PDF),
            content=__import__("smartunion.core.crypto", fromlist=["x"]).encrypt_bytes(PDF),
            uploaded_by=officer,
        ),
    )
    setattr(
        world,
        f"{side}_hobjection",
        Objection.objects.create(file=files[Status.NOTICE], text="情况不实", raised_by=officer),
    )
    setattr(
        world,
        f"{side}_hreview",
        Review.objects.create(file=active, due_on=timezone.localdate()),
    )
    setattr(
        world,
        f"{side}_hmeasure",
        HelpMeasure.objects.create(
            file=active,
            kind=HelpMeasure.Kind.LIVING,
            description="春节送温暖",
            responsible="分工会",
            planned_on=timezone.localdate(),
            created_by=officer,
        ),
    )
    programme = _programme(world)
    member = getattr(world, f"{side}_person")
    for app_status in (
        AssistanceApplication.Status.SUBMITTED,
        AssistanceApplication.Status.UNIT_APPROVED,
        AssistanceApplication.Status.APPROVED,
        AssistanceApplication.Status.PAID,
    ):
        setattr(
            world,
            f"{side}_happ_{app_status}",
            factories.make_application(person=member, actor=officer, programme=programme, status=app_status),
        )


# -- portal helper: kwargs of the member's hardship pages (the requester's own file or someone else's) --


def _portal_person(world: SimpleNamespace, user: Any) -> Any:
    from smartunion.members.tests.matrix_joining import own_person

    return own_person(world, user)


def portal_own_draft(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": a draft of the requesting user's own (they get a staff record); "other": the other side's
    draft, someone else's (the user has a staff record either way, so the answer is 404, not the
    no-staff-record page)."""
    if user is None:
        return {"pk": getattr(world, f"{side}_hfile_draft").pk}
    person = _portal_person(world, user)
    if side == "own":
        return {"pk": factories.make_file(person=person, actor=user, status=HardshipFile.Status.DRAFT).pk}
    return {"pk": world.other_hfile_draft.pk}


def portal_own_household_member(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    kwargs = portal_own_draft(world, side, user)
    member = HardshipFile.objects.get(pk=kwargs["pk"]).household.order_by("-pk").first()
    assert member is not None
    return {**kwargs, "member_pk": member.pk}


# -- end portal helper --


# -- files helper: kwargs and data of the files' rows --


def draft_household_member(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    member = getattr(world, f"{side}_hfile_draft").household.order_by("id").last()
    assert member is not None
    return {"pk": member.pk}


def document_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "income", "upload": SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf")}


def visit_data(world: SimpleNamespace, side: str) -> dict[str, Any]:
    return {
        "visited_on": timezone.localdate().isoformat(),
        "visitors": "张三、李四",
        "findings": "情况属实",
        "figures_confirmed": "on",
    }


# -- end files helper --


# -- assistance helper: kwargs of the member's assistance pages --


def portal_own_application(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """ "own": an application of the requesting user's own (they get a staff record); "other": the other
    side's member's application, someone else's (404)."""
    if user is None or side != "own":
        return {"pk": world.other_happ_submitted.pk}
    from smartunion.members.tests.matrix_joining import own_person

    person = own_person(world, user)
    return {"pk": factories.make_application(person=person, actor=user, programme=_programme(world)).pk}


def programme_rule(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    programme = _programme(world)
    rule = programme.rules.order_by("-effective_from").first()
    return {"pk": programme.pk, "rule_pk": rule.pk}


# -- end assistance helper --
