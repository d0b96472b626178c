"""Requests to correct HR-owned data (姓名, 身份证号, 单位 …): the member asks, the union office handles
it (HR keeps the master copy, so the office corrects it at the source or through the roster) and replies.
Audit entries carry requested values masked: they may be ID or mobile numbers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.core.masking import mask_day, mask_id_number, mask_phone, redact
from smartunion.notifications.services import notify

from ..models import CorrectionRequest, Person
from .membership import check_perm

HANDLE = "members.corrections.handle"
MASKS = {"id_number": mask_id_number, "mobile": mask_phone, "birth_date": mask_day}


def masked_value(correction: CorrectionRequest) -> str:
    mask = MASKS.get(correction.field)
    return mask(correction.requested_value) if mask else redact(correction.requested_value)


@transaction.atomic
def correction_request(
    *, actor: Any, person: Person, field: str, requested_value: str, reason: str = ""
) -> CorrectionRequest:
    """The member asks for a correction of their own data."""
    if actor is None or person.user_id != actor.pk:
        raise PermissionDenied
    # One open request per field at a time: the office answers it before another is asked.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    errors: dict[str, str] = {}
    if field not in CorrectionRequest.FIELDS:
        errors["field"] = _("Choose what is wrong.")
    elif CorrectionRequest.objects.filter(
        person=person, field=field, status=CorrectionRequest.Status.OPEN
    ).exists():
        errors["field"] = _(
            "You already asked to correct this: the union office will answer that request first."
        )
    requested_value = requested_value.strip()
    reason = reason.strip()
    if not requested_value:
        errors["requested_value"] = _("Give the correct value.")
    elif len(requested_value) > 200:
        errors["requested_value"] = _("The correct value may be at most 200 characters.")
    if len(reason) > 500:
        errors["reason"] = _("The explanation may be at most 500 characters.")
    if errors:
        raise ValidationError(errors)
    correction = CorrectionRequest.objects.create(
        person=person, field=field, requested_value=requested_value, reason=reason
    )
    audit(
        actor=actor,
        action="members.correction.requested",
        target=person,
        changes={"field": str(correction.get_field_display()), "requested_value": masked_value(correction)},
        unit=person.unit,
    )
    notify(
        recipients=account_selectors.users_with_perm_at(code=HANDLE, unit=person.unit),
        kind="members.correction.requested",
        title=_("A member asks to correct their data"),
        body=_("%(person)s: %(field)s") % {"person": person.name, "field": correction.get_field_display()},
        link=reverse("members:correction_detail", args=[correction.pk]),
    )
    return correction


@transaction.atomic
def correction_handle(
    *, actor: Any, correction: CorrectionRequest, done: bool, response: str = ""
) -> CorrectionRequest:
    """The union office marks the request corrected or declined, with a reply the member reads (a
    reason is required when declining)."""
    correction = (
        CorrectionRequest.objects.select_for_update(of=("self",))
        .select_related("person__unit", "person__user")
        .get(pk=correction.pk)
    )
    check_perm(actor, HANDLE, correction.person.unit)
    if correction.status != CorrectionRequest.Status.OPEN:
        raise ValidationError(
            _("This request is already “%(status)s”.") % {"status": correction.get_status_display()}
        )
    response = response.strip()
    if not done and not response:
        raise ValidationError({"response": _("Say why the correction is declined: the member will read it.")})
    if len(response) > 500:
        raise ValidationError({"response": _("The reply may be at most 500 characters.")})
    correction.status = CorrectionRequest.Status.DONE if done else CorrectionRequest.Status.DECLINED
    correction.response = response
    correction.handled_by = actor
    correction.handled_at = timezone.now()
    correction.save(update_fields=["status", "response", "handled_by", "handled_at", "updated_at"])
    audit(
        actor=actor,
        action=f"members.correction.{correction.status}",
        target=correction.person,
        changes={"field": str(correction.get_field_display()), **({"reply": response} if response else {})},
        unit=correction.person.unit,
    )
    notify(
        recipients=[correction.person.user],
        kind=f"members.correction.{correction.status}",
        title=(
            _("Your data was corrected: %(field)s")
            if done
            else _("Your correction request was declined: %(field)s")
        )
        % {"field": correction.get_field_display()},
        body=response,
        link=reverse("members:my_corrections"),
    )
    return correction


def correction_value_viewed(*, actor: Any, correction: CorrectionRequest) -> None:
    """Record that ``actor`` saw a requested ID or mobile number in full (sensitive access)."""
    audit(
        actor=actor,
        action="members.correction.value_viewed",
        target=correction.person,
        changes={"field": str(correction.get_field_display())},
        unit=correction.person.unit,
        sensitive=True,
    )
