"""入会 applications: submitted by the member (or for them), reviewed by the 分工会, approved by the 校工会
(one step when the setting says so). Status changes go through ``membership.transition``/``join``.

Membership counts from the approval date (domain.md §2.2); a rejected or withdrawn application puts the
membership back where it was before the application."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.notifications.services import notify

from ..models import Membership, MembershipApplication, MembershipEvent, Person
from .membership import check_perm, join, locked, note_event, transition

App = MembershipApplication
Kind = MembershipEvent.Kind

STATEMENT_MIN = 10
STATEMENT_MAX = 2000
REASON_MAX = 300
COMMENT_MAX = 200


def one_step() -> bool:
    """Whether the school union approves straight from submission (no 分工会 step)."""
    return bool(getattr(settings, "MEMBERS_APPLICATION_ONE_STEP", False))


def _locked_application(application: MembershipApplication) -> MembershipApplication:
    return (
        App.objects.select_for_update(of=("self",))
        .select_related("person__user", "person__category", "unit")
        .get(pk=application.pk)
    )


def _holders(code: str, application: MembershipApplication) -> Any:
    holders = account_selectors.users_with_perm_at(code=code, unit=application.unit)
    if code == "members.application.review":
        # The school's approvers may act for a sub-union, but are told only when the school's step comes.
        approvers = account_selectors.users_with_perm_at(
            code="members.application.approve", unit=application.unit
        )
        holders = holders.exclude(pk__in=approvers.values("pk"))
    return holders


def _notify_holders(code: str, application: MembershipApplication, title: str) -> None:
    notify(
        recipients=_holders(code, application),
        kind=f"members.application.{application.status}",
        title=title,
        body=_("%(person)s, %(unit)s") % {"person": application.person.name, "unit": application.unit.name},
        link=reverse("members:application_detail", args=[application.pk]),
    )


def _notify_applicant(application: MembershipApplication, title: str, body: str = "") -> None:
    notify(
        recipients=[application.person.user],
        kind=f"members.application.{application.status}",
        title=title,
        body=body,
        link=reverse("members:my_application"),
    )


def may_apply(person: Person) -> str:
    """Why ``person`` may not apply now, or "" when they may."""
    membership = person.membership
    if membership.status == Membership.Status.APPLYING:
        return _("You already have an application in progress.")
    if membership.status in Membership.MEMBER_STATUSES:
        return _("You are already a member of the union.")
    if membership.status not in Membership.MAY_APPLY_STATUSES:
        return _("Your membership is “%(status)s”: applying to join is not possible.") % {
            "status": membership.get_status_display()
        }
    if not person.is_active:
        return _("Only current staff can apply to join: you are recorded as having left the school.")
    if not person.category.is_eligible:
        return _(
            "“%(category)s” staff cannot apply to join online (retirees who had not joined before retiring "
            "are generally not admitted). Ask your sub-union if you think this is wrong."
        ) % {"category": person.category.name}
    return ""


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    person: Person,
    political_status: str,
    education: str,
    statement: str,
    charter_consent: bool,
) -> MembershipApplication:
    """The 申请书: by the person themselves, or entered for them by an officer of their unit."""
    membership = locked(person.membership)
    person = membership.person
    if actor is not None and person.user_id != actor.pk:
        check_perm(actor, "members.membership.manage", membership.unit)
    refusal = may_apply(person)
    if refusal:
        raise ValidationError(refusal)
    errors: dict[str, str] = {}
    if political_status not in App.PoliticalStatus.values:
        errors["political_status"] = _("Choose your political status.")
    statement = statement.strip()
    if len(statement) < STATEMENT_MIN:
        errors["statement"] = _(
            "Write your application in at least %(min)d characters: why you want to join the union."
        ) % {"min": STATEMENT_MIN}
    elif len(statement) > STATEMENT_MAX:
        errors["statement"] = _("The application may be at most %(max)d characters (it has %(n)d).") % {
            "max": STATEMENT_MAX,
            "n": len(statement),
        }
    education = education.strip()
    if len(education) > 30:
        errors["education"] = _("Education may be at most 30 characters.")
    if not charter_consent:
        errors["charter_consent"] = _(
            "To join you must accept the Constitution of the Chinese Trade Unions: tick the box."
        )
    if errors:
        raise ValidationError(errors)
    submitter = actor if actor is not None else person.user
    if submitter is None:
        raise ValidationError(_("%(person)s has no account to apply with.") % {"person": person.name})
    application = App.objects.create(
        person=person,
        unit=membership.unit,
        previous_status=membership.status,
        political_status=political_status,
        education=education,
        statement=statement,
        charter_consent_at=timezone.now(),
        submitted_by=submitter,
    )
    transition(
        membership,
        to=Membership.Status.APPLYING,
        kind=Kind.APPLIED,
        actor=actor,
        allowed_from=Membership.MAY_APPLY_STATUSES,
        what=_("applying to join"),
        reference=f"#{application.pk}",
    )
    if one_step():
        _notify_holders(
            "members.application.approve",
            application,
            _("An application to join awaits your approval"),
        )
    else:
        _notify_holders(
            "members.application.review",
            application,
            _("An application to join awaits your review"),
        )
    return application


def _check_open(application: MembershipApplication, *, expected: tuple[str, ...]) -> None:
    if application.status not in expected:
        raise ValidationError(
            _("This application is “%(status)s”: it cannot be decided again.")
            % {"status": application.get_status_display()}
        )


def _check_decider(actor: Any, application: MembershipApplication, *, school_step: bool) -> None:
    """Nobody decides on their own application, and in two steps the school's approver is not the person
    who did the sub-union's review (the union office may do either step, not both)."""
    if actor is None:
        return
    if application.person.user_id == actor.pk:
        raise PermissionDenied
    if school_step and application.unit_reviewed_by_id == actor.pk:
        raise ValidationError(
            _("You reviewed this application for the sub-union: another school union officer approves it.")
        )


def _check_still_eligible(application: MembershipApplication) -> None:
    """HR data may have changed since the application was submitted (left, retired …)."""
    person = application.person
    if not person.is_active:
        raise ValidationError(
            _("%(person)s is recorded as having left the school: the application can only be declined.")
            % {"person": person.name}
        )
    if not person.category.is_eligible:
        raise ValidationError(
            _(
                "%(person)s is now “%(category)s” staff, who cannot join this way: the application can only be declined."
            )
            % {"person": person.name, "category": person.category.name}
        )


@transaction.atomic
def application_unit_review(
    *, actor: Any, application: MembershipApplication, approve: bool, comment: str = "", reason: str = ""
) -> MembershipApplication:
    """The 分工会 step: agree (with an optional opinion) and pass it to the school union, or reject (with
    a reason)."""
    application = _locked_application(application)
    check_perm(actor, "members.application.review", application.unit)
    _check_decider(actor, application, school_step=False)
    if application.status != App.Status.SUBMITTED:
        raise ValidationError(
            _("This application is “%(status)s”: it is not awaiting the sub-union's review.")
            % {"status": application.get_status_display()}
        )
    if not approve:
        return _reject(actor=actor, application=application, reason=reason)
    _check_still_eligible(application)
    if one_step():
        raise ValidationError(_("Applications are approved in one step by the school union here."))
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("The opinion may be at most %(max)d characters.") % {"max": COMMENT_MAX}}
        )
    membership = locked(application.person.membership)
    application.status = App.Status.UNIT_APPROVED
    application.unit_reviewed_by = actor
    application.unit_reviewed_at = timezone.now()
    application.unit_comment = comment
    application.save(
        update_fields=["status", "unit_reviewed_by", "unit_reviewed_at", "unit_comment", "updated_at"]
    )
    note_event(membership, kind=Kind.UNIT_REVIEWED, actor=actor, reference=f"#{application.pk}", note=comment)
    audit(
        actor=actor,
        action="members.membership.unit_reviewed",
        target=application.person,
        changes={"application": application.pk, "opinion": comment or _("agreed")},
        unit=application.unit,
    )
    _notify_holders(
        "members.application.approve", application, _("An application to join awaits your approval")
    )
    _notify_applicant(
        application,
        _("Your sub-union agreed to your application"),
        _("It now awaits the school union's approval."),
    )
    return application


@transaction.atomic
def application_approve(*, actor: Any, application: MembershipApplication) -> MembershipApplication:
    """The 校工会 step: the person joins as of today and their member card is issued."""
    application = _locked_application(application)
    check_perm(actor, "members.application.approve", application.unit)
    _check_decider(actor, application, school_step=True)
    if application.status == App.Status.SUBMITTED and not one_step():
        raise ValidationError(
            _("The sub-union has not reviewed this application yet: it can be approved after their review.")
        )
    _check_open(application, expected=App.OPEN_STATUSES)
    _check_still_eligible(application)
    membership = locked(application.person.membership)
    today = timezone.localdate()
    application.status = App.Status.APPROVED
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    join(
        membership,
        actor=actor,
        kind=Kind.APPROVED,
        allowed_from=[Membership.Status.APPLYING],
        what=_("approving the application"),
        on=today,
        reference=f"#{application.pk}",
    )
    _notify_applicant(
        application,
        _("Welcome to the union: your application was approved"),
        _("Your membership starts on %(date)s. Member card number: %(card)s.")
        % {"date": today.isoformat(), "card": membership.card_no},
    )
    return application


def _reject(*, actor: Any, application: MembershipApplication, reason: str) -> MembershipApplication:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection: the applicant will read it.")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("The reason may be at most %(max)d characters.") % {"max": REASON_MAX}}
        )
    _check_open(application, expected=App.OPEN_STATUSES)
    membership = locked(application.person.membership)
    application.status = App.Status.REJECTED
    application.reject_reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "reject_reason", "decided_by", "decided_at", "updated_at"])
    transition(
        membership,
        to=application.previous_status,
        kind=Kind.REJECTED,
        actor=actor,
        allowed_from=[Membership.Status.APPLYING],
        what=_("rejecting the application"),
        reference=f"#{application.pk}",
        note=reason,
    )
    _notify_applicant(application, _("Your application to join was not approved"), reason)
    return application


@transaction.atomic
def application_reject(
    *, actor: Any, application: MembershipApplication, reason: str
) -> MembershipApplication:
    """Reject at either step, with a reason the applicant reads; the membership returns to what it was.
    Awaiting the sub-union: its reviewers decide (the school union only in one-step mode); awaiting the
    school union: its approvers."""
    application = _locked_application(application)
    if application.status == App.Status.SUBMITTED and not one_step():
        check_perm(actor, "members.application.review", application.unit)
    elif application.status == App.Status.SUBMITTED:
        if not (
            actor.has_unit_perm("members.application.approve", application.unit)
            or actor.has_unit_perm("members.application.review", application.unit)
        ):
            raise PermissionDenied
    else:
        check_perm(actor, "members.application.approve", application.unit)
    if actor is not None and application.person.user_id == actor.pk:
        raise PermissionDenied  # one withdraws one's own application, one does not reject it
    return _reject(actor=actor, application=application, reason=reason)


@transaction.atomic
def application_cancel(*, actor: Any, application: MembershipApplication) -> MembershipApplication:
    """The applicant withdraws their open application."""
    application = _locked_application(application)
    if actor is None or application.person.user_id != actor.pk:
        raise PermissionDenied
    _check_open(application, expected=App.OPEN_STATUSES)
    membership = locked(application.person.membership)
    application.status = App.Status.CANCELLED
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    transition(
        membership,
        to=application.previous_status,
        kind=Kind.CANCELLED,
        actor=actor,
        allowed_from=[Membership.Status.APPLYING],
        what=_("withdrawing the application"),
        reference=f"#{application.pk}",
    )
    return application


@transaction.atomic
def applications_units_merge(*, source: Any, target: Any, actor: Any) -> int:
    """A unit was merged: open applications are now reviewed by the target unit; decided ones stay."""
    return MembershipApplication.objects.filter(
        unit=source, status__in=MembershipApplication.OPEN_STATUSES
    ).update(unit=target)
