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
    AppStatus = AssistanceApplication.Status
    member = getattr(world, f"{side}_person")
    for status in (AppStatus.SUBMITTED, AppStatus.UNIT_APPROVED, AppStatus.APPROVED, AppStatus.PAID):
        setattr(
            world,
            f"{side}_happ_{status}",
            factories.make_application(person=member, actor=officer, programme=programme, status=status),
        )
