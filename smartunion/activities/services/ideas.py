"""点单式 — members propose an activity they would like and upvote others' ideas; organisers turn an idea
into an activity (``adopt``) or close it with a note (``close``).

One vote per member and idea is the ``idea_vote_once`` unique constraint, not a check in Python; the
``Idea.votes`` counter moves with ``F()`` updates in the same transaction as the vote row, so the counter
and the rows never disagree. Proposing an idea casts the proposer's own vote.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.audit import audit

from ..models import Activity, Idea, IdeaVote, Kind

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
NOTE_MAX = 300


def _require_person(person: Any) -> None:
    if person is None:
        raise ValidationError(_("Your account is not linked to a staff record."))


def _require_open(idea: Idea) -> None:
    if idea.status != Idea.Status.OPEN:
        raise ValidationError(_("This idea is no longer open for votes."))


@transaction.atomic
def propose(*, actor: Any, person: Any, title: str, description: str = "", kind: str = "") -> Idea:
    """A member proposes an idea; it starts with their own vote."""
    _require_person(person)
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        raise ValidationError({"title": _("Say in a few words what you would like.")})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("Keep the idea under 200 characters.")})
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError({"description": _("Keep the details under 2,000 characters.")})
    if kind and kind not in Kind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    idea = Idea.objects.create(
        title=title, description=description, kind=kind, proposer=person, unit_id=person.unit_id, votes=1
    )
    IdeaVote.objects.create(idea=idea, person=person, unit_id=person.unit_id)
    audit(
        actor=actor,
        action="activities.idea.proposed",
        target=idea,
        changes={"title": title, "kind": kind},
        unit=person.unit,
    )
    return idea


@transaction.atomic
def vote(*, actor: Any, person: Any, idea: Idea) -> Idea:
    """One vote per member: a second vote is refused (the unique constraint decides, not a lookup)."""
    _require_person(person)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require_open(idea)
    try:
        with transaction.atomic():
            IdeaVote.objects.create(idea=idea, person=person, unit_id=person.unit_id)
    except IntegrityError:
        raise ValidationError(_("You have already voted for this idea.")) from None
    Idea.objects.filter(pk=idea.pk).update(votes=F("votes") + 1)
    idea.refresh_from_db(fields=["votes"])
    audit(actor=actor, action="activities.idea.voted", target=idea, unit=idea.unit)
    return idea


@transaction.atomic
def unvote(*, actor: Any, person: Any, idea: Idea) -> Idea:
    """Take one's vote back (while the idea is open)."""
    _require_person(person)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require_open(idea)
    deleted, _rows = IdeaVote.objects.filter(idea=idea, person=person).delete()
    if not deleted:
        raise ValidationError(_("You have not voted for this idea."))
    Idea.objects.filter(pk=idea.pk, votes__gt=0).update(votes=F("votes") - 1)
    idea.refresh_from_db(fields=["votes"])
    audit(actor=actor, action="activities.idea.unvoted", target=idea, unit=idea.unit)
    return idea


@transaction.atomic
def adopt(*, actor: Any, idea: Idea, activity: Activity) -> Idea:
    """The idea became ``activity``: the idea is marked adopted and the activity links back to it.
    (Whether the actor may organise the activity is the caller's check.)"""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require_open(idea)
    if activity.idea_id not in (None, idea.pk):
        raise ValidationError(_("This activity was already made from another idea."))
    Idea.objects.filter(pk=idea.pk).update(
        status=Idea.Status.ADOPTED, close_note="", updated_at=timezone.now()
    )
    Activity.objects.filter(pk=activity.pk).update(idea=idea)
    activity.idea = idea
    idea.refresh_from_db()
    audit(
        actor=actor,
        action="activities.idea.adopted",
        target=idea,
        changes={"activity": activity.pk, "activity_title": activity.title},
        unit=idea.unit,
    )
    return idea


@transaction.atomic
def close(*, actor: Any, idea: Idea, note: str) -> Idea:
    """Close an open idea without an activity; the note (why) is shown to the members."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say why the idea is closed: the members see it.")})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note under 300 characters.")})
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    _require_open(idea)
    Idea.objects.filter(pk=idea.pk).update(
        status=Idea.Status.CLOSED, close_note=note, updated_at=timezone.now()
    )
    idea.refresh_from_db()
    audit(actor=actor, action="activities.idea.closed", target=idea, changes={"note": note}, unit=idea.unit)
    return idea
