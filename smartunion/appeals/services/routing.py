"""Routing an appeal to a handling office and a category.

At submission the router (``ai``) suggests the top categories with a confidence: at or above the
configured confidence the appeal goes to that category's office at once (source "auto", confirmed later
by the office's acknowledgement); below, it waits in the union office's triage queue with the
suggestions stored. The union office routes or re-routes it (confirmed at once); an office may pass it
back as misrouted, which sends it back to triage and takes it out of the router's training data until it
is routed again. Every decision is a ``Routing`` row; each confirmed one counts towards the next
retraining of the router.
"""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core import workdays
from smartunion.core.audit import audit
from smartunion.core.models import AuditEntry
from smartunion.notifications import services as notification_services
from smartunion.organisations import selectors as org_selectors
from smartunion.organisations import selectors_offices

from ..models import Appeal, Category, Event, Reminder, Routing
from ..models import Settings as AppealSettings

logger = logging.getLogger(__name__)

Status = Appeal.Status
Source = Routing.Source
ROUTER = "appeals"
RETRAIN_REQUESTED = "appeals.router.retrain_requested"
# The union office may re-route an appeal until the office has answered it.
REROUTABLE = (Status.ROUTED, Status.IN_PROGRESS)
PASS_BACK_STATUSES = (Status.ROUTED, Status.IN_PROGRESS)
_NO_UNIT = SimpleNamespace(pk=None)
# The reminders sent to an office (and its escalation), started afresh when the appeal changes office.
OFFICE_REMINDER_KINDS = (
    Reminder.Kind.ACKNOWLEDGE_DUE,
    Reminder.Kind.REPLY_SOON,
    Reminder.Kind.REPLY_OVERDUE,
    Reminder.Kind.ESCALATED,
)


# -- shared helpers ----------------------------------------------------------------------------------------


def settings_get() -> AppealSettings:
    settings, _created = AppealSettings.objects.get_or_create(pk=1)
    return settings


def audit_unit(appeal: Appeal) -> Any:
    """The unit an audit entry about the appeal is filed under: never the member's unit of an anonymous
    appeal (the audit log is read by unit and would tell where the member works)."""
    return _NO_UNIT if appeal.is_anonymous else appeal.unit


def appeal_lock(pk: int) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).get(pk=pk)


def _link(name: str, appeal: Appeal) -> str:
    try:
        return reverse(name, kwargs={"pk": appeal.pk})
    except NoReverseMatch:  # the office part's pages are not there (yet)
        return ""


def triage_users() -> list[Any]:
    """The union office's triage officers: holders of ``appeals.triage`` at the top of the tree."""
    top = org_selectors.top_unit()
    if top is None:
        return []
    return list(account_selectors.users_with_perm_at(code="appeals.triage", unit=top))


def _notify(users: list[Any], *, kind: str, title: str, body: str = "", link: str = "") -> None:
    recipients = list({user.pk: user for user in users if user is not None and user.pk}.values())
    notification_services.notify(recipients=recipients, kind=kind, title=title, body=body, link=link)


def _category(value: Any) -> Category:
    pk = getattr(value, "pk", value)
    try:
        category = Category.objects.select_related("office").get(pk=pk)
    except (Category.DoesNotExist, ValueError, TypeError) as error:
        raise ValidationError({"category": _("Choose a category from the list.")}) from error
    if not category.is_active:
        raise ValidationError({"category": _("The category “%(name)s” is out of use.") % {"name": category}})
    if not category.office.is_active:
        raise ValidationError(
            {"category": _("The office “%(office)s” is out of use.") % {"office": category.office}}
        )
    return category


def _forget_office_reminders(appeal: Appeal) -> None:
    """A new office (or none, back in triage) starts afresh: the reminders the previous office got in
    this round must not stop the next office's (a ``Reminder`` row is sent once per appeal, kind and
    round)."""
    Reminder.objects.filter(
        appeal=appeal, round=appeal.reopen_count + 1, kind__in=OFFICE_REMINDER_KINDS
    ).delete()


def set_deadlines(appeal: Appeal, from_date: dt.date, *, reply_only: bool = False) -> None:
    """Acknowledge and reply deadlines from the category's SLA, counted in working days after
    ``from_date`` (saved when the appeal is). ``reply_only``: a reopened appeal's second round, which
    the office does not acknowledge again — its acknowledgement date stays the first round's."""
    category = appeal.category
    if not reply_only:
        appeal.acknowledge_due = (
            workdays.add_working_days(from_date, category.acknowledge_working_days) if category else None
        )
    appeal.reply_due = workdays.add_working_days(from_date, category.reply_working_days) if category else None
    if appeal.pk:
        fields = ["reply_due", "updated_at"] if reply_only else ["acknowledge_due", "reply_due", "updated_at"]
        appeal.save(update_fields=fields)


# -- the router --------------------------------------------------------------------------------------------


def _suggest(text: str) -> Any:
    """The router's prediction (``ai.services.routing.suggest``); None when it cannot answer, so that
    a failing model never stops a member from submitting."""
    try:
        from smartunion.ai.services import routing as ai_routing

        return ai_routing.suggest(ROUTER, text, k=3)
    except Exception:  # the appeal then simply waits for triage
        logger.exception("The appeals router could not suggest a category")
        return None


def _request_retrain() -> None:
    from smartunion.ai import tasks as ai_tasks

    ai_tasks.request_retrain(router=ROUTER)


def _active_model_trained_at() -> dt.datetime | None:
    """When the router model in use was fitted (None when there is none yet)."""
    from smartunion.ai.selectors import models as ai_models

    return ai_models.model_list(router=ROUTER, status="active").values_list("created_at", flat=True).first()


def confirmed_since(since: dt.datetime | None) -> int:
    """Appeals whose routing was confirmed after ``since`` (by triage, or by the office's
    acknowledgement of an automatic routing)."""
    appeals = Appeal.objects.filter(routing_confirmed=True, category__isnull=False)
    if since is not None:
        appeals = appeals.filter(Q(routed_at__gt=since) | Q(acknowledged_at__gt=since))
    return appeals.count()


def maybe_request_retrain() -> bool:
    """After a confirmed routing: ask for a retraining when the confirmed routings since the active
    model was fitted (or since the last request, whichever is later) reach the configured number.
    The office part calls this after an acknowledgement confirms an automatic routing."""
    every = settings_get().retrain_every_confirmed
    if not every:
        return False
    marks = [_active_model_trained_at()]
    last = (
        AuditEntry.objects.filter(action=RETRAIN_REQUESTED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    marks.append(last)
    since = max((mark for mark in marks if mark is not None), default=None)
    count = confirmed_since(since)
    if count < every:
        return False
    audit(actor=None, action=RETRAIN_REQUESTED, changes={"router": ROUTER, "confirmed": count})
    _request_retrain()  # queued by ``ai`` once this transaction commits
    return True


def _suggestion_rows(prediction: Any) -> list[dict[str, Any]]:
    """The prediction's labels as stored suggestions: only categories still in use."""
    suggestions = list(getattr(prediction, "suggestions", None) or [])
    pks = []
    for suggestion in suggestions:
        try:
            pks.append(int(suggestion.label))
        except (TypeError, ValueError):
            continue
    categories = {
        c.pk: c
        for c in Category.objects.filter(pk__in=pks, is_active=True, office__is_active=True).only(
            "pk", "office_id"
        )
    }
    rows = []
    for suggestion in suggestions:
        try:
            pk = int(suggestion.label)
        except (TypeError, ValueError):
            continue
        if pk in categories:
            rows.append(
                {
                    "category": pk,
                    "office": categories[pk].office_id,
                    "confidence": round(float(suggestion.confidence), 4),
                }
            )
    return rows


def _confidence_for(appeal: Appeal, category: Category) -> float | None:
    for row in appeal.suggestions or []:
        if row.get("category") == category.pk:
            return row.get("confidence")
    return None


def _apply(
    appeal: Appeal,
    category: Category,
    *,
    actor: Any,
    source: str,
    confirmed: bool,
    note: str = "",
    record_ip: bool = True,
) -> None:
    previous_office = appeal.office
    appeal.category = category
    appeal.office = category.office
    appeal.status = Status.ROUTED
    appeal.routed_at = timezone.now()
    appeal.acknowledged_at = None
    appeal.escalated_at = None
    appeal.routing_confirmed = confirmed
    _forget_office_reminders(appeal)
    set_deadlines(appeal, timezone.localdate())
    appeal.save(
        update_fields=[
            "category",
            "office",
            "status",
            "routed_at",
            "acknowledged_at",
            "escalated_at",
            "routing_confirmed",
            "acknowledge_due",
            "reply_due",
            "updated_at",
        ]
    )
    Routing.objects.create(
        appeal=appeal,
        source=source,
        office=category.office,
        category=category,
        confidence=_confidence_for(appeal, category),
        reason=note,
        by=actor if getattr(actor, "pk", None) else None,
    )
    Event.objects.create(
        appeal=appeal,
        kind=Event.Kind.ROUTED,
        actor=actor if getattr(actor, "pk", None) else None,
        office=category.office,
        note=note,
    )
    audit(
        actor=actor,
        action="appeals.appeal.routed",
        target=appeal,
        unit=audit_unit(appeal),
        changes={
            "source": source,
            "office": category.office.name,
            "category": category.name,
            "previous_office": previous_office.name if previous_office else "",
        },
        record_ip=record_ip,
    )
    # The office is told what and when, never who: the notification names no submitter.
    _notify(
        selectors_offices.office_staff_users([category.office_id]),
        kind="appeals.routed",
        title=_("New appeal %(number)s for your office") % {"number": appeal.number},
        body=_("“%(title)s” (%(category)s): acknowledge it by %(ack)s and reply by %(reply)s.")
        % {
            "title": appeal.title,
            "category": category.name,
            "ack": appeal.acknowledge_due,
            "reply": appeal.reply_due,
        },
        link=_link("appeals:office_detail", appeal),
    )
    if previous_office is not None and previous_office.pk != category.office_id:
        _notify(
            selectors_offices.office_staff_users([previous_office.pk]),
            kind="appeals.rerouted",
            title=_("Appeal %(number)s was re-routed to another office") % {"number": appeal.number},
            body=_("Your office no longer needs to handle “%(title)s”.") % {"title": appeal.title},
        )


@transaction.atomic
def route_new(*, appeal: Appeal) -> None:
    """The router's decision on a just-submitted appeal (called inside the submission's transaction)."""
    appeal = appeal_lock(appeal.pk)
    if appeal.status != Status.TRIAGE:
        return
    prediction = _suggest(f"{appeal.title}\n{appeal.body}")
    appeal.suggestions = _suggestion_rows(prediction) if prediction is not None else []
    appeal.router_version = getattr(prediction, "version", None)
    appeal.save(update_fields=["suggestions", "router_version", "updated_at"])
    threshold = settings_get().auto_route_confidence
    top = appeal.suggestions[0] if appeal.suggestions else None
    if top is not None and top["confidence"] >= threshold:
        category = Category.objects.select_related("office").get(pk=top["category"])
        # Routed in the member's own request: an anonymous member's address stays out of the audit log.
        _apply(
            appeal,
            category,
            actor=None,
            source=Source.AUTO,
            confirmed=False,
            record_ip=not appeal.is_anonymous,
        )
        return
    _notify(
        triage_users(),
        kind="appeals.triage",
        title=_("Appeal %(number)s waits for triage") % {"number": appeal.number},
        body=appeal.title,
        link=_link("appeals:console_detail", appeal),
    )


@transaction.atomic
def route(*, actor: Any, appeal: Appeal, category: Any, note: str = "") -> Appeal:
    """The union office routes an appeal from the triage queue, confirms an automatic routing, or
    re-routes an appeal the office has not answered yet. The decision is confirmed at once."""
    appeal = appeal_lock(appeal.pk)
    category = _category(category)
    note = (note or "").strip()[:1000]
    if appeal.status == Status.TRIAGE:
        _apply(appeal, category, actor=actor, source=Source.TRIAGE, confirmed=True, note=note)
    elif appeal.status in REROUTABLE:
        if appeal.category_id == category.pk:
            if appeal.routing_confirmed:
                raise ValidationError(
                    {"category": _("The appeal is already routed to “%(name)s”.") % {"name": category}}
                )
            # Confirming the router's automatic choice: the office keeps it and its deadlines.
            appeal.routing_confirmed = True
            appeal.save(update_fields=["routing_confirmed", "updated_at"])
            Routing.objects.create(
                appeal=appeal,
                source=Source.TRIAGE,
                office=category.office,
                category=category,
                confidence=_confidence_for(appeal, category),
                reason=note,
                by=actor,
            )
            audit(
                actor=actor,
                action="appeals.appeal.routing_confirmed",
                target=appeal,
                unit=audit_unit(appeal),
                changes={"office": category.office.name, "category": category.name},
            )
        else:
            _apply(appeal, category, actor=actor, source=Source.REROUTED, confirmed=True, note=note)
    else:
        raise ValidationError(
            _("An appeal that is “%(status)s” cannot be routed any more.")
            % {"status": appeal.get_status_display()},
            code="status",
        )
    maybe_request_retrain()
    return appeal


@transaction.atomic
def pass_back(*, actor: Any, appeal: Appeal, reason: str, suggested_office: Any = None) -> Appeal:
    """An office says the appeal is not theirs: it goes back to the triage queue, its routing is no
    longer confirmed (the router will not learn the wrong label) and the union office is told."""
    appeal = appeal_lock(appeal.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appeal is not for your office.")})
    if appeal.status not in PASS_BACK_STATUSES:
        raise ValidationError(
            _("An appeal that is “%(status)s” cannot be passed back.")
            % {"status": appeal.get_status_display()},
            code="status",
        )
    if appeal.office_id not in selectors_offices.office_ids_of_user(actor):
        raise ValidationError(_("Only the office the appeal is routed to can pass it back."), code="office")
    named = None
    if suggested_office not in (None, ""):
        try:
            named_pk = int(getattr(suggested_office, "pk", suggested_office))
        except (TypeError, ValueError):
            named_pk = 0
        named = selectors_offices.offices_by_ids([named_pk]).get(named_pk)
        if named is None:
            raise ValidationError({"suggested_office": _("Choose an office from the list.")})
        if named.pk == appeal.office_id:
            raise ValidationError({"suggested_office": _("Name another office than your own.")})
    old_office, old_category = appeal.office, appeal.category
    Routing.objects.create(
        appeal=appeal,
        source=Source.MISROUTED,
        office=named,
        category=None,
        reason=reason[:2000],
        by=actor,
    )
    Event.objects.create(
        appeal=appeal, kind=Event.Kind.MISROUTED, actor=actor, office=old_office, note=reason[:2000]
    )
    _forget_office_reminders(appeal)
    appeal.status = Status.TRIAGE
    appeal.office = None
    appeal.category = None
    appeal.routing_confirmed = False
    appeal.routed_at = None
    appeal.acknowledged_at = None
    appeal.acknowledge_due = None
    appeal.reply_due = None
    appeal.escalated_at = None
    appeal.save(
        update_fields=[
            "status",
            "office",
            "category",
            "routing_confirmed",
            "routed_at",
            "acknowledged_at",
            "acknowledge_due",
            "reply_due",
            "escalated_at",
            "updated_at",
        ]
    )
    audit(
        actor=actor,
        action="appeals.appeal.misrouted",
        target=appeal,
        unit=audit_unit(appeal),
        changes={
            "office": old_office.name if old_office else "",
            "category": old_category.name if old_category else "",
            "suggested_office": named.name if named else "",
            "reason": reason[:500],
        },
    )
    _notify(
        triage_users(),
        kind="appeals.misrouted",
        title=_("Appeal %(number)s was passed back by %(office)s")
        % {"number": appeal.number, "office": old_office.name if old_office else ""},
        body=reason[:500],
        link=_link("appeals:console_detail", appeal),
    )
    return appeal
