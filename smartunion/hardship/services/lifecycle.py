"""The end of a file: 脱困 (out of hardship) and 退档 (removal: death, misidentification, left the school).

Both close the file (closed_on, the reason — encrypted — and retain_until, after which the purge job
keeps only anonymous counts). The category history stays with the file until then. Only the school union
(``hardship.files.approve`` at the top of the tree — not a role held at a sub-union) closes a file."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit
from smartunion.hardship.models import HardshipFile, HelpMeasure
from smartunion.hardship.selectors.plan import REMOVAL_KINDS
from smartunion.notifications.services import notify

from .common import retention_until

Status = HardshipFile.Status
APPROVE = "hardship.files.approve"


def may_close(user: Any, file: HardshipFile) -> bool:
    """Closing a file is the school union's: the permission held at the top of the tree."""
    return bool(getattr(user, "pk", None)) and bool(user.scope_for(APPROVE).at_top)


def lock_file(file: HardshipFile) -> HardshipFile:
    return (
        HardshipFile.objects.select_for_update(of=("self",)).select_related("person", "unit").get(pk=file.pk)
    )


def close_file(*, actor: Any, file: HardshipFile, status: str, reason: str) -> HardshipFile:
    """Close a locked, active file (the caller holds the lock, checks the permission, runs atomically)."""
    if file.status != Status.ACTIVE:
        raise ValidationError(
            _("This file is %(status)s: only an active file can be closed.")
            % {"status": file.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for closing the file.")})
    today = timezone.localdate()
    file.status = status
    file.closed_on = today
    file.close_reason = reason
    file.retain_until = retention_until(today)
    file.review_due_on = None
    file.save(
        update_fields=["status", "closed_on", "close_reason", "retain_until", "review_due_on", "updated_at"]
    )
    # Measures not carried out are void once the file is closed; open reviews are left (done = not needed).
    HelpMeasure.objects.filter(file=file, status=HelpMeasure.Status.PLANNED).update(
        status=HelpMeasure.Status.CANCELLED
    )
    return file


def _file_link(file: HardshipFile) -> str:
    try:
        return reverse("hardship:portal_file")
    except NoReverseMatch:
        return ""


def _notify_member(file: HardshipFile, title: str, body: str) -> None:
    user = getattr(file.person, "user", None)
    if user is not None:
        notify(recipients=[user], kind="hardship.file.closed", title=title, body=body, link=_file_link(file))


@transaction.atomic
def file_exit(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    """脱困: the family is out of hardship (active → exited). The member is told."""
    locked = lock_file(file)
    if not may_close(actor, locked):
        raise PermissionDenied
    close_file(actor=actor, file=locked, status=Status.EXITED, reason=reason)
    audit(actor=actor, action="hardship.file.exited", target=locked, changes={"status": Status.EXITED})
    _notify_member(
        locked,
        _("Your hardship file is closed: out of hardship"),
        _(
            "The union has closed your hardship file %(number)s: your family is no longer in hardship. "
            "Contact your sub-union if your circumstances change."
        )
        % {"number": locked.number},
    )
    return locked


@transaction.atomic
def file_remove(*, actor: Any, file: HardshipFile, reason: str, kind: str) -> HardshipFile:
    """退档: death, misidentification or the member left the school (active → removed). The member is told
    unless they died."""
    if kind not in REMOVAL_KINDS:
        raise ValidationError({"kind": _("Choose why the file is removed.")})
    locked = lock_file(file)
    if not may_close(actor, locked):
        raise PermissionDenied
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Give the reason for closing the file.")})
    close_file(actor=actor, file=locked, status=Status.REMOVED, reason=f"{REMOVAL_KINDS[kind]}: {text}")
    audit(actor=actor, action="hardship.file.removed", target=locked, changes={"status": Status.REMOVED})
    if kind != "death":
        _notify_member(
            locked,
            _("Your hardship file is closed"),
            _(
                "The union has removed your hardship file %(number)s. Contact your sub-union with any question."
            )
            % {"number": locked.number},
        )
    return locked
