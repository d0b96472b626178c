"""征集: a representative drafts a proposal (autosaved), invites co-signers (附议), attaches files and
submits it; the proposer may withdraw it until it is being handled.

Rules (reference/domain.md §1.4, §1.5, §1.7), each one a field of the session:

* Only serving full representatives (正式代表) of the session's term propose and co-sign; everyone else's
  ideas go to 意见反馈 or through a representative.
* A collective proposal (集体提案) is filed by the delegation leader (团长) for the delegation and needs
  no co-signers; an individual one needs ``session.cosigners_required`` accepted co-signers, invited from
  any delegation of the term.
* Co-signers sign a text: when the proposer changes the title, reasons or suggestions (saved or
  autosaved) after co-signers accepted, their acceptances go back to invitations and they are asked to
  confirm again.
* The lengths of 案由, 理由 and 建议 are checked at submission (drafts and autosaves are free).
* Inside the collection window a submission is a 提案; after it, a 提案 when the session accepts proposals
  between sessions, otherwise an 意见建议 marked late — which needs no co-signers (§1.4, §1.7: late and
  single-person suggestions are 意见建议; those who accepted stay on it). Pending invitations are dropped
  and the co-signers are locked at submission.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.core.uploads import MB, check_upload
from smartunion.organisations import selectors as org_selectors
from smartunion.organisations import selectors_offices

from ..models import Attachment, Category, Proposal, ProposalEvent, Representative, Session, Signer
from ..selectors.access import current_session, may_propose, representative_of_user
from . import common

Status = Proposal.Status
Kind = Proposal.Kind
EventKind = ProposalEvent.Kind
EDITABLE = (Status.DRAFT, Status.SEEKING_COSIGN)
WITHDRAWABLE = (Status.DRAFT, Status.SEEKING_COSIGN, Status.SUBMITTED, Status.ACCEPTED)
ATTACHMENT_MAX_BYTES = 10 * MB
ATTACHMENTS_PER_PROPOSAL = 10
_ZIP = b"PK\x03\x04"
ATTACHMENT_SIGNATURES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}


# -- helpers ---------------------------------------------------------------------------------------------


def _not_a_representative() -> ValidationError:
    return ValidationError(
        _(
            "Only serving full representatives (正式代表) of the staff congress can file or co-sign 提案. "
            "Send your idea through 意见反馈, or ask a representative of your unit to take it up."
        ),
        code="not_representative",
    )


def _proposing_representative(actor: Any, session: Session) -> Representative:
    representative = representative_of_user(actor, session)
    if not may_propose(representative):
        raise _not_a_representative()
    assert representative is not None
    return representative


def _require_proposer(proposal: Proposal, actor: Any) -> None:
    if getattr(proposal.proposer.person, "user_id", None) != getattr(actor, "pk", None):
        raise ValidationError(_("Only the proposer (提案人) can do this."), code="not_proposer")


def _user_of(representative: Representative) -> Any:
    return getattr(representative.person, "user", None)


def _committee_users() -> list[Any]:
    """Whom to tell when a proposal reaches or leaves the committee: holders of proposals.review."""
    top = org_selectors.top_unit()
    if top is None:
        return []
    return list(account_selectors.users_with_perm_at(code="proposals.review", unit=top))


def text_length(value: str | None) -> int:
    """The characters counted by the length rules (and by the counter shown while writing)."""
    return len((value or "").strip())


def submits_late(session: Session, at: Any = None) -> bool:
    """Whether a submission now (or ``at``) becomes a late 意见建议: after the collection window, in a session
    that does not accept proposals between sessions. Such a submission needs no co-signers."""
    at = at or timezone.now()
    return at > session.collection_closes and not session.accepts_between_sessions


# The text co-signers sign: changing any of these asks the accepted co-signers to confirm again.
SIGNED_TEXT = ("title", "reasons", "suggestions")


def text_changed(before: str | None, after: str | None) -> bool:
    """A real change of the text (not the same text saved again; spaces around it do not count)."""
    return (before or "").strip() != (after or "").strip()


def _reconfirm_cosigners(proposal: Proposal, *, actor: Any, fields: list[str]) -> list[Signer]:
    """The text the co-signers accepted has changed (``fields``): each acceptance goes back to an
    invitation (responded_at cleared), the co-signers are asked to confirm again, and the timeline and
    the audit log say so. Nothing happens when no co-signer has accepted."""
    if not fields:
        return []
    accepted = list(
        Signer.objects.select_for_update(of=("self",))
        .filter(proposal=proposal, role=Signer.Role.COSIGNER, status=Signer.Status.ACCEPTED)
        .select_related("representative__person__user")
    )
    if not accepted:
        return []
    Signer.objects.filter(pk__in=[s.pk for s in accepted]).update(
        status=Signer.Status.INVITED, responded_at=None
    )
    names = [str(s.representative.person) for s in accepted]
    labels = [str(getattr(Proposal._meta.get_field(name), "verbose_name", name)) for name in fields]
    common.event_add(
        proposal,
        EventKind.RECONFIRM,
        actor=actor,
        text=_("Changed: %(fields)s. Co-signers asked to confirm again: %(names)s.")
        % {"fields": ", ".join(labels), "names": "、".join(names)},
    )
    audit(
        actor=actor,
        action="proposals.cosigner.reconfirm",
        target=proposal,
        changes={"text_changed": labels, "cosigners_to_confirm": names},
    )
    common.notify(
        [_user_of(s.representative) for s in accepted],
        kind="proposals.cosign_reconfirm",
        title=_(
            "The text of the proposal “%(title)s” has changed: please confirm your co-signature (附议) again"
        )
        % {"title": proposal.title},
        body=_("Read it and accept or decline under 待附议 on the proposals page."),
        link=common.portal_link(proposal),
    )
    return accepted


def length_errors(proposal: Proposal, session: Session) -> dict[str, str]:
    """The session's length rules the text breaks, by field (empty when it may be submitted)."""
    errors: dict[str, str] = {}
    title = text_length(proposal.title)
    if not title:
        errors["title"] = _("Write the title (案由): one sentence naming the one issue of the proposal.")
    elif title > session.title_max_chars:
        errors["title"] = _("The title (案由) has %(count)d characters; shorten it to %(max)d at most.") % {
            "count": title,
            "max": session.title_max_chars,
        }
    for field, label, low, high in (
        ("reasons", _("The reasons (理由)"), session.reasons_min_chars, session.reasons_max_chars),
        (
            "suggestions",
            _("The suggestions (建议)"),
            session.suggestions_min_chars,
            session.suggestions_max_chars,
        ),
    ):
        count = text_length(getattr(proposal, field))
        if count < low:
            errors[field] = _("%(label)s have %(count)d characters; write at least %(min)d.") % {
                "label": label,
                "count": count,
                "min": low,
            }
        elif count > high:
            errors[field] = _("%(label)s have %(count)d characters; shorten them to %(max)d at most.") % {
                "label": label,
                "count": count,
                "max": high,
            }
    return errors


def _category(value: Any) -> Category | None:
    """A category the proposer may choose: in use, and a subclass (or a major class without subclasses)."""
    if value in (None, ""):
        return None
    if isinstance(value, Category):
        category: Category | None = value
    else:
        try:
            category = Category.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            category = None
    if category is None or not category.is_active:
        raise ValidationError({"category": _("Choose a category from the list.")})
    if category.parent_id is None and category.children.filter(is_active=True).exists():
        raise ValidationError(
            {
                "category": _("Choose a subclass of “%(name)s”, not the major class itself.")
                % {"name": category.name}
            }
        )
    return category


def _office_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        pk = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        pk = 0
    if not selectors_offices.office_list().filter(pk=pk).exists():
        raise ValidationError(
            {"suggested_office": _("Choose a handling office from the list, or leave it empty.")}
        )
    return pk


def _title(value: str, session: Session) -> str:
    title = (value or "").strip()
    if not title:
        raise ValidationError(
            {"title": _("Write the title (案由): one sentence naming the one issue of the proposal.")}
        )
    if len(title) > session.title_max_chars:
        raise ValidationError(
            {
                "title": _("The title (案由) has %(count)d characters; shorten it to %(max)d at most.")
                % {"count": len(title), "max": session.title_max_chars}
            }
        )
    return title


# -- drafting ----------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    actor: Any,
    title: str,
    kind: str = Kind.INDIVIDUAL,
    session: Session | None = None,
) -> Proposal:
    """Start a draft for the current session (or ``session``): the actor must be a serving full
    representative of its term; a collective proposal only by a delegation leader, for the delegation."""
    session = session or current_session()
    if session is None:
        raise ValidationError(
            _(
                "No congress session is collecting proposals. The union office announces when collection opens."
            ),
            code="no_session",
        )
    representative = _proposing_representative(actor, session)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose an individual or a collective proposal.")})
    delegation = None
    if kind == Kind.COLLECTIVE:
        if not representative.is_delegation_leader:
            raise ValidationError(
                {
                    "kind": _(
                        "Only the delegation leader (代表团团长) files a collective proposal (集体提案) for the delegation."
                    )
                }
            )
        delegation = representative.delegation
    proposal = Proposal.objects.create(
        session=session,
        kind=kind,
        proposer=representative,
        delegation=delegation,
        title=_title(title, session),
        autosaved_at=timezone.now(),
    )
    Signer.objects.create(
        proposal=proposal,
        representative=representative,
        role=Signer.Role.PROPOSER,
        status=Signer.Status.ACCEPTED,
        responded_at=timezone.now(),
    )
    common.event_add(proposal, EventKind.CREATED, actor=actor)
    audit(
        actor=actor,
        action="proposals.proposal.created",
        target=proposal,
        changes={"session": str(session), "kind": kind, "title": proposal.title},
    )
    return proposal


DRAFT_FIELDS = ("title", "reasons", "suggestions", "category", "suggested_office")


@transaction.atomic
def proposal_autosave(*, actor: Any, proposal: Proposal, data: dict[str, Any]) -> Proposal:
    """Keep what the proposer has typed so far (the fields present in ``data``), without the length
    rules: a draft may be half-written. An unusable category or office is left as it was. No audit entry
    for the text: the draft is still the proposer's private notes (the explicit save and the submission
    are audited) — unless the change sends accepted co-signers back to confirm again, which is."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, *EDITABLE)
    _require_proposer(proposal, actor)
    fields: list[str] = []
    text_fields: list[str] = []
    for name in SIGNED_TEXT:
        if name in data and data[name] is not None:
            value = str(data[name])
            value = value.strip()[:200] if name == "title" else value
            if value != getattr(proposal, name) and (name != "title" or value):
                if text_changed(getattr(proposal, name), value):
                    text_fields.append(name)
                setattr(proposal, name, value)
                fields.append(name)
    if "category" in data:
        try:
            category = _category(data["category"])
        except ValidationError:
            pass
        else:
            if getattr(category, "pk", None) != proposal.category_id:
                proposal.category = category
                fields.append("category")
    if "suggested_office" in data:
        try:
            office_id = _office_id(data["suggested_office"])
        except ValidationError:
            pass
        else:
            if office_id != proposal.suggested_office_id:
                proposal.suggested_office_id = office_id
                fields.append("suggested_office")
    proposal.autosaved_at = timezone.now()
    proposal.save(update_fields=[*fields, "autosaved_at", "updated_at"])
    _reconfirm_cosigners(proposal, actor=actor, fields=text_fields)
    return proposal


@transaction.atomic
def proposal_update(
    *,
    actor: Any,
    proposal: Proposal,
    title: str,
    reasons: str,
    suggestions: str,
    category: Any = None,
    suggested_office: Any = None,
) -> Proposal:
    """Save the draft: the title is required and within the session's limit, the category (if chosen) is
    a subclass in use and the office an active one. The minimum lengths wait for the submission. A real
    change of the title, reasons or suggestions asks the co-signers who accepted to confirm again."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, *EDITABLE)
    _require_proposer(proposal, actor)
    session = proposal.session
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name, check in (
        ("title", lambda: _title(title, session)),
        ("category", lambda: _category(category)),
        ("suggested_office_id", lambda: _office_id(suggested_office)),
    ):
        try:
            values[name] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    for name, label, value, high in (
        ("reasons", _("The reasons (理由)"), reasons, session.reasons_max_chars),
        ("suggestions", _("The suggestions (建议)"), suggestions, session.suggestions_max_chars),
    ):
        if text_length(value) > high:
            errors[name] = _("%(label)s have %(count)d characters; shorten them to %(max)d at most.") % {
                "label": label,
                "count": text_length(value),
                "max": high,
            }
        values[name] = (value or "").strip()
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(proposal, name) for name in values}
    for name, value in values.items():
        setattr(proposal, name, value)
    proposal.autosaved_at = timezone.now()
    proposal.save(update_fields=[*values, "autosaved_at", "updated_at"])
    changed = {
        name: [str(before[name] or ""), str(values[name] or "")]
        for name in ("title", "category", "suggested_office_id")
        if before[name] != values[name]
    }
    audit(actor=actor, action="proposals.proposal.updated", target=proposal, changes=changed)
    _reconfirm_cosigners(
        proposal,
        actor=actor,
        fields=[name for name in SIGNED_TEXT if text_changed(before[name], values[name])],
    )
    return proposal


# -- co-signing (附议) ----------------------------------------------------------------------------------


@transaction.atomic
def cosigner_invite(*, actor: Any, proposal: Proposal, representative: Representative) -> Signer:
    """Invite a serving full representative of the term (any delegation) to co-sign; the draft is then
    seeking co-signers (寻附议). Not oneself, not twice, not for a collective proposal."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, *EDITABLE)
    _require_proposer(proposal, actor)
    if proposal.kind == Kind.COLLECTIVE:
        raise ValidationError(
            _("A collective proposal (集体提案) needs no co-signers: submit it when it is ready."),
            code="collective",
        )
    if not may_propose(representative) or representative.congress_id != proposal.session.congress_id:
        raise ValidationError(
            _("%(name)s is not a serving full representative (正式代表) of this congress and cannot co-sign.")
            % {"name": representative.person},
            code="not_representative",
        )
    if representative.pk == proposal.proposer_id:
        raise ValidationError(
            _("You cannot co-sign your own proposal: invite other representatives."), code="self"
        )
    existing = Signer.objects.filter(proposal=proposal, representative=representative).first()
    if existing is not None:
        raise ValidationError(
            _("%(name)s has already been invited (%(status)s).")
            % {"name": representative.person, "status": existing.get_status_display()},
            code="twice",
        )
    signer = Signer.objects.create(
        proposal=proposal,
        representative=representative,
        role=Signer.Role.COSIGNER,
        status=Signer.Status.INVITED,
    )
    if proposal.status == Status.DRAFT:
        proposal.status = Status.SEEKING_COSIGN
        proposal.save(update_fields=["status", "updated_at"])
    common.event_add(
        proposal, EventKind.INVITED, actor=actor, text=str(representative.person), is_public=False
    )
    audit(
        actor=actor,
        action="proposals.cosigner.invited",
        target=proposal,
        changes={"representative": str(representative.person)},
    )
    common.notify(
        [_user_of(representative)],
        kind="proposals.cosign_invited",
        title=_("%(name)s asks you to co-sign (附议) the proposal “%(title)s”")
        % {"name": proposal.proposer.person, "title": proposal.title},
        body=_("Read it and accept or decline under 待附议 on the proposals page."),
        link=common.portal_link(proposal),
    )
    return signer


@transaction.atomic
def cosign_respond(*, actor: Any, signer: Signer, accept: bool) -> Signer:
    """The invitee accepts or declines (and may change their mind) until the proposal is submitted."""
    proposal = common.proposal_lock(signer.proposal_id)
    signer = (
        Signer.objects.select_for_update(of=("self",))
        .select_related("representative__person")
        .get(pk=signer.pk)
    )
    if signer.role != Signer.Role.COSIGNER or getattr(
        signer.representative.person, "user_id", None
    ) != getattr(actor, "pk", None):
        raise ValidationError(
            _("Only the representative invited can answer this invitation."), code="not_invitee"
        )
    if proposal.status not in EDITABLE:
        raise ValidationError(
            _(
                "The proposal has been submitted: its co-signers are locked and the invitation can no longer be answered."
            ),
            code="locked",
        )
    wanted = Signer.Status.ACCEPTED if accept else Signer.Status.DECLINED
    if signer.status == wanted:
        raise ValidationError(
            _("You have already accepted this invitation.")
            if accept
            else _("You have already declined this invitation."),
            code="same",
        )
    if accept and not may_propose(signer.representative):
        raise _not_a_representative()
    signer.status = wanted
    signer.responded_at = timezone.now()
    signer.save(update_fields=["status", "responded_at"])
    name = str(signer.representative.person)
    common.event_add(proposal, EventKind.COSIGNED if accept else EventKind.DECLINED, actor=actor, text=name)
    audit(
        actor=actor,
        action="proposals.cosigner.accepted" if accept else "proposals.cosigner.declined",
        target=proposal,
        changes={"representative": name},
    )
    proposer = Representative.objects.select_related("person__user").get(pk=proposal.proposer_id)
    common.notify(
        [_user_of(proposer)],
        kind="proposals.cosign_answered",
        title=(
            _("%(name)s co-signed (附议) your proposal “%(title)s”")
            if accept
            else _("%(name)s declined to co-sign your proposal “%(title)s”")
        )
        % {"name": name, "title": proposal.title},
        link=common.portal_link(proposal),
    )
    return signer


# -- attachments -------------------------------------------------------------------------------------------


def check_attachment(name: str, data: bytes) -> str:
    return check_upload(
        name,
        data,
        signatures=ATTACHMENT_SIGNATURES,
        max_bytes=ATTACHMENT_MAX_BYTES,
        not_accepted=_(
            "“%(name)s” is not accepted: attach a PDF, JPEG, PNG, Word (.docx) or Excel (.xlsx) file."
        ),
        too_large=_("“%(name)s” is %(size).1f MB; an attachment may be at most %(max)d MB."),
    )


@transaction.atomic
def attachment_add(*, actor: Any, proposal: Proposal, name: str, data: bytes) -> Attachment:
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, *EDITABLE)
    _require_proposer(proposal, actor)
    name = (name or "").strip().replace("/", "_").replace("\\", "_")[-200:] or "attachment"
    content_type = check_attachment(name, data)
    if proposal.attachments.count() >= ATTACHMENTS_PER_PROPOSAL:
        raise ValidationError(
            _("A proposal may have %(max)d attachments at most: remove one first.")
            % {"max": ATTACHMENTS_PER_PROPOSAL}
        )
    attachment = Attachment.objects.create(
        proposal=proposal,
        name=name,
        content_type=content_type,
        size=len(data),
        content=data,
        uploaded_by=actor,
    )
    audit(actor=actor, action="proposals.attachment.added", target=proposal, changes={"file": name})
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: Attachment) -> None:
    proposal = common.proposal_lock(attachment.proposal_id)
    common.require_status(proposal, *EDITABLE)
    _require_proposer(proposal, actor)
    name = attachment.name
    Attachment.objects.filter(pk=attachment.pk).delete()
    audit(actor=actor, action="proposals.attachment.removed", target=proposal, changes={"file": name})


# -- submission and withdrawal --------------------------------------------------------------------------


def valid_cosigners(signers: list[Signer]) -> list[Signer]:
    """The co-signers who count toward ``session.cosigners_required``: accepted, and still serving full
    representatives (one who has left, or is now 列席, no longer counts). The submission and the
    proposer's readiness panel both count with this one rule."""
    return [
        s
        for s in signers
        if s.role == Signer.Role.COSIGNER
        and s.status == Signer.Status.ACCEPTED
        and may_propose(s.representative)
    ]


def valid_cosigner_count(proposal: Proposal) -> int:
    """How many of the proposal's co-signers count now (one query)."""
    accepted = Signer.objects.filter(
        proposal=proposal, role=Signer.Role.COSIGNER, status=Signer.Status.ACCEPTED
    ).select_related("representative")
    return len(valid_cosigners(list(accepted)))


def collective_error(proposal: Proposal) -> str:
    """Why the proposer cannot submit the collective proposal now ("" when they can, or when it is an
    individual one): only the current leader (团长) of its delegation files a collective proposal, and a
    draft started while the proposer led it does not outlive the leadership."""
    if proposal.kind != Kind.COLLECTIVE:
        return ""
    proposer = proposal.proposer
    if (
        proposal.delegation_id is not None
        and proposer.is_delegation_leader
        and proposer.delegation_id == proposal.delegation_id
    ):
        return ""
    return _(
        "Only the current delegation leader (代表团团长) of %(delegation)s can submit this collective proposal "
        "(集体提案), and you no longer lead it. Ask the current leader to file it, or withdraw this draft "
        "and start an individual proposal."
    ) % {"delegation": proposal.delegation or _("the delegation")}


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: Proposal) -> Proposal:
    """Send the proposal to the committee. Checks the proposer is still serving, the length rules, the
    category, and (individual proposals) the accepted co-signers; pending invitations are dropped. After
    the collection window it becomes an 意见建议 marked late unless the session accepts proposals
    between sessions — and then needs no co-signers (a single representative's suggestion is an 意见建议
    too); the co-signers who accepted stay on it."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, *EDITABLE)
    _require_proposer(proposal, actor)
    session = proposal.session
    if not may_propose(proposal.proposer):
        raise _not_a_representative()
    collective = collective_error(proposal)
    if collective:
        raise ValidationError(collective, code="not_delegation_leader")
    errors: dict[str, Any] = dict(length_errors(proposal, session))
    if proposal.category_id is None:
        errors["category"] = _("Choose the category of the proposal.")
    if errors:
        raise ValidationError(errors)
    signers = list(
        Signer.objects.select_for_update(of=("self",))
        .filter(proposal=proposal, role=Signer.Role.COSIGNER)
        .select_related("representative__person")
    )
    accepted = valid_cosigners(signers)
    now = timezone.now()
    late = submits_late(session, now)
    if proposal.kind == Kind.INDIVIDUAL and not late and len(accepted) < session.cosigners_required:
        raise ValidationError(
            _(
                "An individual proposal needs %(required)d co-signers (附议人) who have accepted; it has "
                "%(count)d. Invite more representatives and wait for them to accept."
            )
            % {"required": session.cosigners_required, "count": len(accepted)},
            code="cosigners",
        )
    if now < session.collection_opens:
        raise ValidationError(
            _("Collection for %(session)s has not opened yet: submit from %(date)s.")
            % {
                "session": session,
                "date": timezone.localtime(session.collection_opens).strftime("%Y-%m-%d %H:%M"),
            },
            code="not_open",
        )
    dropped = [s for s in signers if s.status == Signer.Status.INVITED]
    if dropped:
        Signer.objects.filter(pk__in=[s.pk for s in dropped]).delete()
    proposal.status = Status.SUBMITTED
    proposal.submitted_at = now
    proposal.is_late = late
    proposal.record_type = Proposal.RecordType.SUGGESTION if late else Proposal.RecordType.PROPOSAL
    proposal.save(update_fields=["status", "submitted_at", "is_late", "record_type", "updated_at"])
    common.event_add(proposal, EventKind.SUBMITTED, actor=actor)
    if late:
        common.event_add(
            proposal,
            EventKind.CONVERTED,
            actor=actor,
            text=_(
                "Submitted after the collection window closed (%(date)s): handled as an opinion or suggestion (意见建议)."
            )
            % {"date": timezone.localtime(session.collection_closes).strftime("%Y-%m-%d %H:%M")},
        )
    audit(
        actor=actor,
        action="proposals.proposal.submitted",
        target=proposal,
        changes={
            "record_type": proposal.record_type,
            "is_late": late,
            "cosigners": [str(s.representative.person) for s in accepted],
            "invitations_dropped": [str(s.representative.person) for s in dropped],
        },
    )
    common.notify(
        [_user_of(s.representative) for s in accepted],
        kind="proposals.submitted",
        title=_("The proposal “%(title)s” you co-signed has been submitted") % {"title": proposal.title},
        link=common.portal_link(proposal),
    )
    common.notify(
        _committee_users(),
        kind="proposals.submitted",
        title=_("New proposal to review: “%(title)s”") % {"title": proposal.title},
        body=_("Submitted late: handled as an opinion or suggestion (意见建议).") if late else "",
        link=common.console_link(proposal),
    )
    return proposal


def may_withdraw(proposal: Proposal) -> bool:
    """Whether the proposer may still withdraw: before any assignment (交办) and while no other proposal
    was merged into it. The portal shows the button by this rule; ``proposal_withdraw`` enforces it."""
    return (
        proposal.status in WITHDRAWABLE
        and proposal.round == 1
        and not proposal.assignments.exists()
        and not proposal.merged_proposals.exists()
    )


def _refuse_withdrawal(proposal: Proposal) -> None:
    if proposal.round > 1 or proposal.assignments.exists():
        raise ValidationError(
            _(
                "This proposal has already been assigned to the handling offices (交办), so it can no longer "
                "be withdrawn. Write to the proposal committee if it should not be handled any more."
            ),
            code="assigned",
        )
    raise ValidationError(
        _(
            "Other proposals were merged into this one (并案) and their proposers are its co-proposers "
            "now, so it cannot be withdrawn. Write to the proposal committee if it should not be "
            "handled any more."
        ),
        code="merged",
    )


@transaction.atomic
def proposal_withdraw(*, actor: Any, proposal: Proposal, reason: str) -> Proposal:
    """The proposer withdraws (撤回) a draft, or a submitted or accepted proposal not yet assigned, with a
    reason shown on the timeline and kept as the proposal's ``decision_reason``."""
    proposal = common.proposal_lock(proposal.pk)
    common.require_status(proposal, *WITHDRAWABLE)
    _require_proposer(proposal, actor)
    # Once assigned (交办) — even if an office returned it (退办) since — it has been handled and counts in
    # the statistics; a proposal others were merged into (并案) carries their proposers as co-proposers.
    if not may_withdraw(proposal):
        _refuse_withdrawal(proposal)
    reason = common.require_text(
        reason,
        field="reason",
        message=_("Say why you withdraw the proposal (the committee and co-signers read it)."),
    )
    before = proposal.status
    proposal.status = Status.WITHDRAWN
    # Kept on the proposal too, so the console and the progress view show why.
    proposal.decision_reason = reason
    proposal.save(update_fields=["status", "decision_reason", "updated_at"])
    common.event_add(proposal, EventKind.WITHDRAWN, actor=actor, text=reason)
    audit(
        actor=actor,
        action="proposals.proposal.withdrawn",
        target=proposal,
        changes={"status": [before, Status.WITHDRAWN], "reason": reason},
    )
    cosigners = Signer.objects.filter(
        proposal=proposal, role=Signer.Role.COSIGNER, status=Signer.Status.ACCEPTED
    ).select_related("representative__person__user")
    common.notify(
        [_user_of(s.representative) for s in cosigners],
        kind="proposals.withdrawn",
        title=_("The proposal “%(title)s” you co-signed has been withdrawn") % {"title": proposal.title},
        body=reason,
        link=common.portal_link(proposal),
    )
    if before in (Status.SUBMITTED, Status.ACCEPTED):
        common.notify(
            _committee_users(),
            kind="proposals.withdrawn",
            title=_("Proposal withdrawn by the proposer: “%(title)s”") % {"title": proposal.title},
            body=reason,
            link=common.console_link(proposal),
        )
    return proposal
