"""The appeals taxonomy and settings, edited by the union office: categories under the handling office
that answers them, with the description and keywords the router starts from and the SLA in working days;
the school-wide routing settings. A category in use is taken out of use, never deleted."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartunion.core.audit import audit, diff, snapshot
from smartunion.organisations import selectors_offices

from ..models import Appeal, Category
from ..models import Settings as AppealSettings
from .routing import settings_get

CATEGORY_FIELDS = (
    "office",
    "name",
    "description",
    "keywords",
    "acknowledge_working_days",
    "reply_working_days",
    "sort_order",
    "is_active",
)
SETTINGS_FIELDS = ("auto_route_confidence", "escalate_after_working_days", "retrain_every_confirmed")
MAX_WORKING_DAYS = 120


def normalise_keywords(value: str) -> str:
    """Keywords separated by spaces or commas (full-width ones too), each once, joined by spaces."""
    words = [word for word in re.split(r"[\s,，;；、]+", value or "") if word]
    return " ".join(dict.fromkeys(words))


def _clean(
    *,
    category: Category | None,
    office: Any,
    name: str,
    description: str,
    keywords: str,
    acknowledge_working_days: Any,
    reply_working_days: Any,
    sort_order: Any,
    is_active: bool,
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the category's name.")
    office_pk = getattr(office, "pk", office)
    office_obj = None
    if office_pk in (None, ""):
        errors["office"] = _("Choose the handling office that answers this category.")
    else:
        try:
            office_obj = selectors_offices.offices_by_ids([int(office_pk)]).get(int(office_pk))
        except (TypeError, ValueError):
            office_obj = None
        if office_obj is None:
            errors["office"] = _("Choose the handling office from the list.")
        elif (
            not office_obj.is_active
            and is_active
            and (category is None or category.office_id != office_obj.pk)
        ):
            errors["office"] = _("The office “%(office)s” is out of use.") % {"office": office_obj}
    try:
        ack = int(acknowledge_working_days)
        reply = int(reply_working_days)
    except (TypeError, ValueError):
        errors["reply_working_days"] = _("Enter the deadlines as whole numbers of working days.")
    else:
        if not 1 <= ack <= MAX_WORKING_DAYS:
            errors["acknowledge_working_days"] = _(
                "The acknowledgement deadline must be between 1 and %(max)s working days."
            ) % {"max": MAX_WORKING_DAYS}
        if not 1 <= reply <= MAX_WORKING_DAYS:
            errors["reply_working_days"] = _(
                "The reply deadline must be between 1 and %(max)s working days."
            ) % {"max": MAX_WORKING_DAYS}
        elif ack > reply:
            errors["reply_working_days"] = _(
                "The reply deadline cannot come before the acknowledgement deadline (%(ack)s working days)."
            ) % {"ack": ack}
    if office_obj is not None and name:
        clash = Category.objects.filter(office=office_obj, name=name)
        if category is not None:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            errors["name"] = _("The office “%(office)s” already has a category “%(name)s”.") % {
                "office": office_obj,
                "name": name,
            }
    if errors:
        raise ValidationError(errors)
    return {
        "office": office_obj,
        "name": name,
        "description": (description or "").strip(),
        "keywords": normalise_keywords(keywords)[:500],
        "acknowledge_working_days": ack,
        "reply_working_days": reply,
        "sort_order": int(sort_order or 0),
        "is_active": bool(is_active),
    }


@transaction.atomic
def category_create(
    *,
    actor: Any,
    office: Any,
    name: str,
    description: str = "",
    keywords: str = "",
    acknowledge_working_days: int = 2,
    reply_working_days: int = 10,
    sort_order: int = 0,
    is_active: bool = True,
) -> Category:
    values = _clean(
        category=None,
        office=office,
        name=name,
        description=description,
        keywords=keywords,
        acknowledge_working_days=acknowledge_working_days,
        reply_working_days=reply_working_days,
        sort_order=sort_order,
        is_active=is_active,
    )
    category = Category.objects.create(**values)
    audit(
        actor=actor,
        action="appeals.category.created",
        target=category,
        changes=snapshot(category, CATEGORY_FIELDS),
    )
    return category


@transaction.atomic
def category_update(
    *,
    actor: Any,
    category: Category,
    office: Any,
    name: str,
    description: str = "",
    keywords: str = "",
    acknowledge_working_days: int = 2,
    reply_working_days: int = 10,
    sort_order: int = 0,
    is_active: bool = True,
) -> Category:
    """Change a category. Appeals already routed keep their deadlines; new ones get the new SLA."""
    category = Category.objects.select_for_update(of=("self",)).get(pk=category.pk)
    values = _clean(
        category=category,
        office=office,
        name=name,
        description=description,
        keywords=keywords,
        acknowledge_working_days=acknowledge_working_days,
        reply_working_days=reply_working_days,
        sort_order=sort_order,
        is_active=is_active,
    )
    if values["office"].pk != category.office_id:
        _check_office_change(category)
    before = snapshot(category, CATEGORY_FIELDS)
    for field, value in values.items():
        setattr(category, field, value)
    category.save(update_fields=[*CATEGORY_FIELDS, "updated_at"])
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if changes:
        audit(actor=actor, action="appeals.category.updated", target=category, changes=changes)
    return category


def _check_office_change(category: Category) -> None:
    """An appeal being handled stays with the office that has it: the category moves to another office
    only once its routed appeals are answered (or re-routed by hand)."""
    being_handled = [status for status in Appeal.OPEN_STATUSES if status != Appeal.Status.TRIAGE]
    count = Appeal.objects.filter(category=category, status__in=being_handled).count()
    if count:
        raise ValidationError(
            {
                "office": ngettext(
                    "“%(name)s” still has %(count)d open appeal at %(office)s: the office can change "
                    "once it is answered or re-routed. Add a new category under the other office instead "
                    "if the change cannot wait.",
                    "“%(name)s” still has %(count)d open appeals at %(office)s: the office can change "
                    "once they are answered or re-routed. Add a new category under the other office "
                    "instead if the change cannot wait.",
                    count,
                )
                % {"name": category.name, "count": count, "office": category.office}
            }
        )


@transaction.atomic
def category_deactivate(*, actor: Any, category: Category) -> Category:
    category = Category.objects.select_for_update(of=("self",)).get(pk=category.pk)
    if not category.is_active:
        raise ValidationError(_("The category “%(name)s” is already out of use.") % {"name": category})
    category.is_active = False
    category.save(update_fields=["is_active", "updated_at"])
    audit(
        actor=actor,
        action="appeals.category.updated",
        target=category,
        changes={"is_active": [True, False]},
    )
    return category


@transaction.atomic
def settings_update(
    *,
    actor: Any,
    auto_route_confidence: Any,
    escalate_after_working_days: Any,
    retrain_every_confirmed: Any,
) -> AppealSettings:
    errors: dict[str, str] = {}
    try:
        confidence = float(auto_route_confidence)
    except (TypeError, ValueError):
        confidence = -1.0
    if not 0 <= confidence <= 1:
        errors["auto_route_confidence"] = _(
            "The confidence must be a number between 0 and 1 (for example 0.6); 1 sends every appeal to triage."
        )
    try:
        escalate = int(escalate_after_working_days)
        if not 0 <= escalate <= 60:
            raise ValueError
    except (TypeError, ValueError):
        errors["escalate_after_working_days"] = _("Enter a whole number of working days between 0 and 60.")
    try:
        retrain = int(retrain_every_confirmed)
        if not 1 <= retrain <= 10000:
            raise ValueError
    except (TypeError, ValueError):
        errors["retrain_every_confirmed"] = _("Enter a whole number between 1 and 10000.")
    if errors:
        raise ValidationError(errors)
    settings_get()
    settings = AppealSettings.objects.select_for_update(of=("self",)).get(pk=1)
    before = snapshot(settings, SETTINGS_FIELDS)
    settings.auto_route_confidence = confidence
    settings.escalate_after_working_days = escalate
    settings.retrain_every_confirmed = retrain
    settings.save(update_fields=list(SETTINGS_FIELDS))
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    if changes:
        audit(actor=actor, action="appeals.settings.updated", target=settings, changes=changes)
    return settings
