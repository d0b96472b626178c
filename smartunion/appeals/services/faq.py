"""常见问题: the union office publishes a closed appeal as an anonymised question and answer when the
member agreed to it. The officer rewrites the question and the answer so that they name nobody; the
appeal itself is never shown to the public."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from ..models import Appeal, Event
from .routing import appeal_lock, audit_unit

MAX_TEXT = 5000


def may_publish(appeal: Appeal) -> bool:
    return appeal.status == Appeal.Status.CLOSED and appeal.allow_publish


@transaction.atomic
def publish(*, actor: Any, appeal: Appeal, question: str, answer: str) -> Appeal:
    """Publish (or correct the published text of) a closed appeal's question and answer."""
    appeal = appeal_lock(appeal.pk)
    if appeal.status != Appeal.Status.CLOSED:
        raise ValidationError(
            _("Only a closed appeal can be published; this one is “%(status)s”.")
            % {"status": appeal.get_status_display()},
            code="status",
        )
    if not appeal.allow_publish:
        raise ValidationError(_("The member did not agree to publishing this appeal."), code="consent")
    question = (question or "").strip()
    answer = (answer or "").strip()
    errors = {}
    if not question:
        errors["question"] = _("Write the question as it will be published (without names).")
    elif len(question) > MAX_TEXT:
        errors["question"] = _("Keep the question under %(max)s characters.") % {"max": MAX_TEXT}
    if not answer:
        errors["answer"] = _("Write the answer as it will be published (without names).")
    elif len(answer) > MAX_TEXT:
        errors["answer"] = _("Keep the answer under %(max)s characters.") % {"max": MAX_TEXT}
    # Only for a named appeal: on an anonymous one the refusal would let the officer test guesses of
    # who submitted it.
    person_name = "" if appeal.is_anonymous else appeal.person.name
    for field, text in (("question", question), ("answer", answer)):
        if person_name and len(person_name) >= 2 and person_name in text and field not in errors:
            errors[field] = _("Remove the member's name from the published text.")
    if errors:
        raise ValidationError(errors)
    first = appeal.published_at is None
    appeal.faq_question = question
    appeal.faq_answer = answer
    if first:
        appeal.published_at = timezone.now()
    appeal.save(update_fields=["faq_question", "faq_answer", "published_at", "updated_at"])
    if first:
        Event.objects.create(appeal=appeal, kind=Event.Kind.PUBLISHED, actor=actor)
    audit(
        actor=actor,
        action="appeals.faq.published" if first else "appeals.faq.updated",
        target=appeal,
        unit=audit_unit(appeal),
        changes={"question": question[:500], "answer": answer[:500]},
    )
    return appeal


@transaction.atomic
def unpublish(*, actor: Any, appeal: Appeal) -> Appeal:
    appeal = appeal_lock(appeal.pk)
    if appeal.published_at is None:
        raise ValidationError(_("This appeal is not published."), code="status")
    appeal.published_at = None
    appeal.save(update_fields=["published_at", "updated_at"])
    Event.objects.create(
        appeal=appeal, kind=Event.Kind.NOTE, actor=actor, note=_("Question and answer unpublished.")
    )
    audit(actor=actor, action="appeals.faq.unpublished", target=appeal, unit=audit_unit(appeal))
    return appeal
