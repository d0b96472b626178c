"""Revealing who submitted an anonymous appeal: only to the holders of ``appeals.identity.reveal``, only
when the member allowed it, only with a reason, and always audited. The identity is returned for the one
page that shows it; nothing stores it (no cache, no session, no address)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from ..models import Appeal
from ..selectors.identity import REVEAL
from .routing import audit_unit


@dataclass(frozen=True)
class Identity:
    name: str
    staff_no: str
    unit: str
    mobile: str


@transaction.atomic
def reveal(*, actor: Any, appeal: Appeal, reason: str) -> Identity:
    if not getattr(actor, "is_authenticated", False) or not actor.has_unit_perm(REVEAL):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not appeal.is_anonymous:
        raise ValidationError(_("This appeal is not anonymous: its submitter is shown on the page."))
    if not appeal.allow_identity_reveal:
        raise ValidationError(_("The member did not allow the union office to see who they are."))
    if len(reason) < 4:
        raise ValidationError({"reason": _("Say why you need to know who submitted this appeal.")})
    person = Appeal.objects.select_related("person__unit", "unit").get(pk=appeal.pk).person
    unit = appeal.unit or person.unit
    identity = Identity(
        name=person.name,
        staff_no=person.staff_no or "",
        unit=unit.name if unit is not None else "",
        mobile=getattr(person, "mobile", "") or "",
    )
    # The log says who looked and why; the identity itself stays out of it (the log is read widely).
    audit(
        actor=actor,
        action="appeals.identity.revealed",
        target=appeal,
        unit=audit_unit(appeal),
        changes={"reason": reason[:1000]},
        sensitive=True,
    )
    return identity
