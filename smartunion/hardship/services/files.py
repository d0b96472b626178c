"""The procedure of a hardship file (困难职工建档): 申请 → 入户走访 → 分工会评议 → 公示 → 校工会审批 → 在档.

Who does what:

* **Create, edit the figures and the household, submit**: the member for their own draft (the portal), or
  a holder of ``hardship.files.manage`` at the file's unit (on the member's behalf, with the member's
  signed paper consent). Officers may edit while the file is a draft, applied or visited; on an active file
  an edit is a *change in circumstances* and needs a reason, which goes into the category history.
* **Home visit**: ``hardship.files.manage`` at the unit; at least two visitors.
* **Sub-union review (评议)**: ``hardship.files.review`` at the unit; approval starts the public notice.
* **Objections**: anyone logged in, during the notice; resolved by ``hardship.files.review``.
* **School approval / rejection, category override**: ``hardship.files.approve`` at the top of the tree
  (the school union, not a role held at a sub-union). The approver is never the sub-union's reviewer
  (separation of duties) nor the member concerned.
* **Separation of duties for officers who are themselves the member**: once the file is submitted, the
  home visit and every edit of the figures or the household are recorded by another officer.

No figures (incomes, costs, health, reasons) go to the audit log or into notifications.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.accounts import selectors as account_selectors
from smartunion.core.audit import audit
from smartunion.hardship.models import (
    Category,
    CategoryChange,
    Consent,
    HardshipFile,
    HomeVisit,
    HouseholdMember,
    Objection,
)
from smartunion.notifications.services import notify

from .common import consent_record, file_recompute, next_number, retention_until

Status = HardshipFile.Status
Source = CategoryChange.Source

CURRENT_STATUSES = (Status.DRAFT, Status.APPLIED, Status.VISITED, Status.NOTICE, Status.ACTIVE)
EDIT_STATUSES = (Status.DRAFT, Status.APPLIED, Status.VISITED)
VISIT_STATUSES = (Status.APPLIED, Status.VISITED, Status.NOTICE, Status.ACTIVE)
FILE_FIELDS = (
    "city",
    "year",
    "cause",
    "cause_detail",
    "housing",
    "housing_detail",
    "medical_expense",
    "schooling_expense",
    "other_rigid_expense",
    "accident_costs",
)
MONEY_FIELDS = ("medical_expense", "schooling_expense", "other_rigid_expense", "accident_costs")
HOUSEHOLD_FIELDS = ("relation", "name", "birth_year", "occupation", "annual_income", "health")
MINOR_AGE = 14
MAX_AMOUNT = Decimal("99999999.99")
VISITOR_SEPARATORS = re.compile(r"[、,，\s]+")

MANAGE = "hardship.files.manage"
REVIEW = "hardship.files.review"
APPROVE = "hardship.files.approve"


# -- helpers -------------------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _lock(file: HardshipFile) -> HardshipFile:
    return (
        HardshipFile.objects.select_for_update(of=("self",)).select_related("person", "unit").get(pk=file.pk)
    )


def is_member(actor: Any, file: HardshipFile) -> bool:
    """Whether ``actor`` is the member the file is about."""
    user_id = getattr(file.person, "user_id", None)
    return user_id is not None and user_id == getattr(actor, "pk", None)


def _may(actor: Any, code: str, file: HardshipFile) -> bool:
    return bool(getattr(actor, "pk", None)) and actor.has_unit_perm(code, file.unit)


def _require(actor: Any, code: str, file: HardshipFile) -> None:
    if not _may(actor, code, file):
        raise PermissionDenied


def may_at_top(actor: Any, code: str) -> bool:
    """School-wide decisions: ``code`` held at the top of the tree (not merely at the file's unit)."""
    return bool(getattr(actor, "pk", None)) and bool(actor.scope_for(code).at_top)


def _require_top(actor: Any, code: str) -> None:
    if not may_at_top(actor, code):
        raise PermissionDenied


def not_for_own_file(actor: Any, file: HardshipFile) -> None:
    """An officer does not record the visit, the review or changed figures of their own file."""
    if is_member(actor, file):
        raise ValidationError(_("Another officer records this for your own file."))


def _require_editor(actor: Any, file: HardshipFile) -> None:
    """The member may edit their own draft; officers holding ``manage`` may edit in every edit state —
    except their own file once it is submitted (another officer records the change)."""
    member = is_member(actor, file)
    if _may(actor, MANAGE, file):
        if member and file.status != Status.DRAFT:
            not_for_own_file(actor, file)
        return
    if member:
        if file.status != Status.DRAFT:
            raise ValidationError(
                _("This file has been submitted: ask the sub-union to record changes in your circumstances.")
            )
        return
    raise PermissionDenied


def _status_error(file: HardshipFile, allowed: str) -> ValidationError:
    return ValidationError(
        _("This file is already %(status)s: %(allowed)s.")
        % {"status": str(file.get_status_display()).lower(), "allowed": allowed}
    )


def _check_edit_state(file: HardshipFile, reason: str) -> str:
    """The category source of an edit: ordinary while open, a change in circumstances when active."""
    if file.status in EDIT_STATUSES:
        return Source.COMPUTED
    if file.status == Status.ACTIVE:
        if not reason.strip():
            raise ValidationError(
                {"reason": _("Give the reason for the change in circumstances of an active file.")}
            )
        return Source.CIRCUMSTANCES
    raise _status_error(
        file, _("the figures can only be changed while the file is open (before the public notice) or active")
    )


def _amount(value: Any, label: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s must be an amount in yuan.") % {"label": label}}) from None
    if amount < 0:
        raise ValidationError({field: _("%(label)s cannot be negative.") % {"label": label}})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("%(label)s is too large.") % {"label": label}})
    return amount


def _clean_file_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(FILE_FIELDS)
    if unknown:
        raise ValueError(f"not file fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name in MONEY_FIELDS:
            label = str(getattr(HardshipFile._meta.get_field(name), "verbose_name", name))
            cleaned[name] = _amount(value, label.capitalize(), name)
        elif name == "cause":
            if value not in HardshipFile.Cause.values:
                raise ValidationError({"cause": _("Choose the main cause of hardship.")})
            cleaned[name] = value
        elif name == "housing":
            if value not in HardshipFile.Housing.values:
                raise ValidationError({"housing": _("Choose the housing situation.")})
            cleaned[name] = value
        elif name == "city":
            city = (value or "").strip()
            if not city:
                raise ValidationError({"city": _("Give the city whose minimum living standard applies.")})
            if len(city) > 50:
                raise ValidationError({"city": _("The city name is too long.")})
            cleaned[name] = city
        elif name == "year":
            try:
                year = int(value)
            except (TypeError, ValueError):
                raise ValidationError({"year": _("Give the year of the figures.")}) from None
            this_year = _today().year
            if not this_year - 2 <= year <= this_year:
                raise ValidationError(
                    {
                        "year": _("The figures must be of %(from)s to %(to)s.")
                        % {"from": this_year - 2, "to": this_year}
                    }
                )
            cleaned[name] = year
        else:  # cause_detail, housing_detail
            cleaned[name] = (value or "").strip()
    return cleaned


def _history(file: HardshipFile, *, actor: Any, source: str, reason: str, old: str) -> None:
    """Record a change in circumstances or an override even when the effective category stays the same
    (``file_recompute`` writes the history only when the category changes)."""
    if file.category == old:
        CategoryChange.objects.create(
            file=file,
            source=source,
            old_category=old,
            new_category=file.category,
            reason=reason,
            changed_by=actor if getattr(actor, "pk", None) else None,
        )


def _recompute(file: HardshipFile, *, actor: Any, source: str, reason: str = "") -> None:
    old = file.category
    file_recompute(file=file, actor=actor, source=source, reason=reason)
    if source != Source.COMPUTED:
        _history(file, actor=actor, source=source, reason=reason, old=old)


def _console_link(file: HardshipFile) -> str:
    return reverse("hardship:file_detail", args=[file.pk])


def _notify_member(file: HardshipFile, kind: str, title: str) -> None:
    """Tell the member (no figures, no reasons: they read them on their page)."""
    user = getattr(file.person, "user", None)
    if user is None:
        return
    notify(
        recipients=[user],
        kind=f"hardship.file.{kind}",
        title=title,
        body=_("Hardship file %(number)s") % {"number": file.number or "—"},
    )


def _notify_officers(file: HardshipFile, code: str, kind: str, title: str, actor: Any) -> None:
    officers = [
        user
        for user in account_selectors.users_with_perm_at(code=code, unit=file.unit)
        if user.pk != getattr(actor, "pk", None)
    ]
    notify(
        recipients=officers,
        kind=f"hardship.file.{kind}",
        title=title,
        body=_("%(name)s (%(unit)s), file %(number)s")
        % {"name": file.person.name, "unit": file.unit.name, "number": file.number or "—"},
        link=_console_link(file),
    )


def _close(file: HardshipFile, status: str, reason: str) -> None:
    today = _today()
    file.status = status
    file.closed_on = today
    file.retain_until = retention_until(today)
    file.close_reason = reason


def _required_text(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _not_the_member(actor: Any, file: HardshipFile) -> None:
    if is_member(actor, file):
        raise ValidationError(_("You cannot decide on your own hardship file."))


# -- the file ------------------------------------------------------------------------------------------


@transaction.atomic
def file_create(
    *,
    actor: Any,
    person: Any,
    city: str,
    year: int,
    cause: str,
    housing: str,
    cause_detail: str = "",
    housing_detail: str = "",
    medical_expense: Any = None,
    schooling_expense: Any = None,
    other_rigid_expense: Any = None,
    accident_costs: Any = None,
    on_behalf: bool = False,
) -> HardshipFile:
    """A draft file for ``person`` at the person's unit. The household is added with ``household_add``."""
    if on_behalf:
        if not (getattr(actor, "pk", None) and actor.has_unit_perm(MANAGE, person.unit)):
            raise PermissionDenied
    elif getattr(person, "user_id", None) is None or person.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("A member may only open a hardship file for themselves."))
    if not person.is_active:
        raise ValidationError(_("%(name)s is no longer on the staff.") % {"name": person.name})
    cleaned = _clean_file_fields(
        {
            "city": city,
            "year": year,
            "cause": cause,
            "housing": housing,
            "cause_detail": cause_detail,
            "housing_detail": housing_detail,
            "medical_expense": medical_expense,
            "schooling_expense": schooling_expense,
            "other_rigid_expense": other_rigid_expense,
            "accident_costs": accident_costs,
        }
    )
    current = HardshipFile.objects.filter(person=person, status__in=CURRENT_STATUSES).first()
    if current is not None:
        raise ValidationError(_current_message(person, current))
    try:
        with transaction.atomic():
            file = HardshipFile.objects.create(
                person=person, unit=person.unit, created_by=actor, on_behalf=on_behalf, **cleaned
            )
    except IntegrityError:
        current = HardshipFile.objects.filter(person=person, status__in=CURRENT_STATUSES).first()
        raise ValidationError(
            _current_message(person, current)
            if current
            else _("%(name)s already has a current hardship file.") % {"name": person.name}
        ) from None
    file_recompute(file=file, actor=actor)
    # The audit log is read by auditors: no staff number, no cause (the target names the file).
    audit(
        actor=actor,
        action="hardship.file.created",
        target=file,
        changes={"status": file.status, "on_behalf": on_behalf},
    )
    return file


def _current_message(person: Any, current: HardshipFile) -> str:
    return _(
        "%(name)s already has a current hardship file (%(number)s, %(status)s): one file per family."
    ) % {
        "name": person.name,
        "number": current.number or _("draft"),
        "status": current.get_status_display(),
    }


@transaction.atomic
def file_update(*, actor: Any, file: HardshipFile, reason: str = "", **fields: Any) -> HardshipFile:
    """Edit the figures, cause, housing, city or year (a change in circumstances on an active file)."""
    file = _lock(file)
    _require_editor(actor, file)
    source = _check_edit_state(file, reason)
    cleaned = _clean_file_fields(fields)
    changed = [name for name, value in cleaned.items() if getattr(file, name) != value]
    for name, value in cleaned.items():
        setattr(file, name, value)
    file.save()
    _recompute(file, actor=actor, source=source, reason=reason.strip())
    audit(
        actor=actor,
        action="hardship.file.updated",
        target=file,
        changes={"fields": changed, "circumstances": source == Source.CIRCUMSTANCES},
    )
    return file


# -- the household -------------------------------------------------------------------------------------


def _clean_household(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name == "relation":
            if value not in HouseholdMember.Relation.values:
                raise ValidationError({"relation": _("Choose the relation to the member.")})
            cleaned[name] = value
        elif name == "name":
            text = _required_text(value, "name", _("Give the household member's name."))
            if len(text) > 50:
                raise ValidationError({"name": _("The name is too long.")})
            cleaned[name] = text
        elif name == "birth_year":
            this_year = _today().year
            try:
                year = int(value)
            except (TypeError, ValueError):
                raise ValidationError({"birth_year": _("Give the year of birth.")}) from None
            if not 1900 <= year <= this_year:
                raise ValidationError(
                    {
                        "birth_year": _("The year of birth must be between 1900 and %(year)s.")
                        % {"year": this_year}
                    }
                )
            cleaned[name] = year
        elif name == "occupation":
            if value not in HouseholdMember.Occupation.values:
                raise ValidationError({"occupation": _("Choose the occupation.")})
            cleaned[name] = value
        elif name == "annual_income":
            if value in (None, ""):
                raise ValidationError({"annual_income": _("Give the income of the year (0 if none).")})
            cleaned[name] = _amount(value, _("The income"), "annual_income")
        elif name == "health":
            cleaned[name] = (value or "").strip()
        else:
            raise ValueError(f"not a household field: {name}")
    return cleaned


def _check_one_self(file: HardshipFile, relation: str, exclude: int | None = None) -> None:
    if relation != HouseholdMember.Relation.SELF:
        return
    others = file.household.filter(relation=HouseholdMember.Relation.SELF)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise ValidationError({"relation": _("The household already includes the member themself.")})


@transaction.atomic
def household_add(
    *,
    actor: Any,
    file: HardshipFile,
    relation: str,
    name: str,
    birth_year: int,
    occupation: str,
    annual_income: Any,
    health: str = "",
    reason: str = "",
) -> HouseholdMember:
    file = _lock(file)
    _require_editor(actor, file)
    source = _check_edit_state(file, reason)
    cleaned = _clean_household(
        {
            "relation": relation,
            "name": name,
            "birth_year": birth_year,
            "occupation": occupation,
            "annual_income": annual_income,
            "health": health,
        }
    )
    _check_one_self(file, cleaned["relation"])
    member = HouseholdMember.objects.create(file=file, **cleaned)
    _recompute(file, actor=actor, source=source, reason=reason.strip())
    audit(
        actor=actor,
        action="hardship.file.household_changed",
        target=file,
        changes={"added": member.get_relation_display(), "size": file.household.count()},
    )
    return member


@transaction.atomic
def household_update(
    *, actor: Any, member: HouseholdMember, reason: str = "", **fields: Any
) -> HouseholdMember:
    file = _lock(member.file)
    member = HouseholdMember.objects.select_for_update().get(pk=member.pk)
    _require_editor(actor, file)
    source = _check_edit_state(file, reason)
    cleaned = _clean_household(fields)
    if "relation" in cleaned:
        _check_one_self(file, cleaned["relation"], exclude=member.pk)
    changed = [name for name, value in cleaned.items() if getattr(member, name) != value]
    for name, value in cleaned.items():
        setattr(member, name, value)
    member.save()
    _recompute(file, actor=actor, source=source, reason=reason.strip())
    audit(
        actor=actor,
        action="hardship.file.household_changed",
        target=file,
        changes={"changed": member.get_relation_display(), "fields": changed},
    )
    return member


@transaction.atomic
def household_remove(*, actor: Any, member: HouseholdMember, reason: str = "") -> None:
    file = _lock(member.file)
    _require_editor(actor, file)
    source = _check_edit_state(file, reason)
    if member.relation == HouseholdMember.Relation.SELF and file.status != Status.DRAFT:
        raise ValidationError(_("The member themself stays in the household of a submitted file."))
    relation = member.get_relation_display()
    HouseholdMember.objects.filter(pk=member.pk).delete()
    _recompute(file, actor=actor, source=source, reason=reason.strip())
    audit(
        actor=actor,
        action="hardship.file.household_changed",
        target=file,
        changes={"removed": relation, "size": file.household.count()},
    )


def has_minor(file: HardshipFile) -> bool:
    """Whether a household member is under 14 this year (their data needs the guardian's consent)."""
    return file.household.filter(birth_year__gt=_today().year - MINOR_AGE).exists()


# -- the procedure ---------------------------------------------------------------------------------------


@transaction.atomic
def file_submit(
    *, actor: Any, file: HardshipFile, consent_method: str, guardian_consent: bool = False
) -> HardshipFile:
    """Draft → applied, with the member's consent (online by the member, or their signed paper form
    recorded by an officer), numbered, and the sub-union's officers told."""
    file = _lock(file)
    member_acts = is_member(actor, file)
    if not member_acts:
        _require(actor, MANAGE, file)
    if file.status != Status.DRAFT:
        raise _status_error(file, _("only a draft can be submitted"))
    expected = Consent.Method.ONLINE if member_acts else Consent.Method.PAPER
    if not consent_method:
        raise ValidationError(
            {
                "consent": _("The member's consent to the processing of this information is required.")
                if member_acts
                else _("Confirm that the member has signed the paper consent form.")
            }
        )
    if consent_method != expected:
        raise ValidationError(
            {
                "consent": _("The member gives their consent online.")
                if member_acts
                else _("An officer records the member's signed paper consent form.")
            }
        )
    selves = file.household.filter(relation=HouseholdMember.Relation.SELF).count()
    if selves != 1:
        raise ValidationError(_("Add the member themself to the household before submitting."))
    if not file.cause:
        raise ValidationError({"cause": _("Choose the main cause of hardship.")})
    if has_minor(file) and not guardian_consent:
        raise ValidationError(
            {
                "guardian_consent": _(
                    "The household includes a child under 14: the guardian's consent is required."
                )
            }
        )
    consent = consent_record(
        person=file.person,
        purpose=Consent.Purpose.HARDSHIP_FILE,
        actor=actor,
        method=expected,
        guardian_consent=bool(guardian_consent),
    )
    _assign_number(file)
    file.status = Status.APPLIED
    file.submitted_at = timezone.now()
    file.consent = consent
    file.on_behalf = file.on_behalf or not member_acts
    file.save()
    file_recompute(file=file, actor=actor)
    audit(
        actor=actor,
        action="hardship.file.submitted",
        target=file,
        changes={"number": file.number, "on_behalf": not member_acts},
    )
    _notify_officers(
        file, MANAGE, "submitted", _("A hardship application awaits the home visit"), actor=actor
    )
    return file


def _assign_number(file: HardshipFile, attempts: int = 5) -> None:
    """The next KN number of the year; retried when a concurrent submission took it."""
    year = _today().year
    for attempt in range(attempts):
        number = next_number(HardshipFile, "KN", year)
        try:
            with transaction.atomic():
                HardshipFile.objects.filter(pk=file.pk).update(number=number)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
            continue
        file.number = number
        return


@transaction.atomic
def file_withdraw(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    file = _lock(file)
    if not (is_member(actor, file) or _may(actor, MANAGE, file)):
        raise PermissionDenied
    if file.status not in HardshipFile.OPEN_STATUSES:
        raise _status_error(file, _("only a file that is not yet approved can be withdrawn"))
    reason = _required_text(reason, "reason", _("Give the reason for withdrawing the file."))
    _close(file, Status.WITHDRAWN, reason)
    file.save()
    audit(actor=actor, action="hardship.file.withdrawn", target=file, changes={"status": file.status})
    if not is_member(actor, file):
        _notify_member(file, "withdrawn", _("Your hardship application has been withdrawn"))
    return file


def split_visitors(visitors: str) -> list[str]:
    return [name for name in VISITOR_SEPARATORS.split(visitors or "") if name]


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    file: HardshipFile,
    visited_on: dt.date,
    visitors: str,
    findings: str,
    figures_confirmed: bool,
) -> HomeVisit:
    """The home visit: applied → visited; later visits (spot checks) leave the status alone."""
    file = _lock(file)
    _require(actor, MANAGE, file)
    not_for_own_file(actor, file)
    if file.status == Status.DRAFT:
        raise ValidationError(_("This file is still a draft: it is visited after it has been submitted."))
    if file.status not in VISIT_STATUSES:
        raise _status_error(file, _("a closed file is not visited"))
    if visited_on is None:
        raise ValidationError({"visited_on": _("Give the date of the visit.")})
    if visited_on > _today():
        raise ValidationError({"visited_on": _("The visit cannot be in the future.")})
    names = split_visitors(visitors)
    if len(names) < 2:
        raise ValidationError({"visitors": _("A home visit is made by at least two people: name them all.")})
    findings = _required_text(findings, "findings", _("Write down the findings of the visit."))
    joined = "、".join(names)
    if len(joined) > 300:
        raise ValidationError({"visitors": _("The list of visitors is too long.")})
    visit = HomeVisit.objects.create(
        file=file,
        visited_on=visited_on,
        visitors=joined,
        findings=findings,
        figures_confirmed=bool(figures_confirmed),
        recorded_by=actor,
    )
    first = file.status == Status.APPLIED
    if first:
        file.status = Status.VISITED
        file.save(update_fields=["status", "updated_at"])
    audit(
        actor=actor,
        action="hardship.file.visited",
        target=file,
        changes={
            "visited_on": visited_on,
            "visitors": len(names),
            "figures_confirmed": bool(figures_confirmed),
        },
    )
    if first:
        _notify_member(file, "visited", _("The home visit for your hardship application is recorded"))
        _notify_officers(file, REVIEW, "visited", _("A hardship file awaits the sub-union's review"), actor)
    return visit


@transaction.atomic
def unit_review(*, actor: Any, file: HardshipFile, approve: bool, note: str) -> HardshipFile:
    """The sub-union's review (评议): the public notice starts, or the application is not approved."""
    file = _lock(file)
    _require(actor, REVIEW, file)
    _not_the_member(actor, file)
    if file.status != Status.VISITED:
        if file.status == Status.APPLIED:
            raise ValidationError(_("This file has not been visited yet: record the home visit first."))
        raise _status_error(file, _("only a visited file is reviewed by the sub-union"))
    note = (note or "").strip()
    now = timezone.now()
    file.unit_reviewed_by = actor
    file.unit_reviewed_at = now
    file.unit_review_note = note
    if approve:
        if not file.category:
            raise ValidationError(
                _("The category cannot be computed yet (household or minimum living standard missing).")
            )
        today = _today()
        file.status = Status.NOTICE
        file.notice_starts_on = today
        file.notice_ends_on = today + dt.timedelta(days=settings.HARDSHIP_NOTICE_DAYS)
    else:
        if not note:
            raise ValidationError({"note": _("Give the reason for not approving the application.")})
        _close(file, Status.REJECTED, note)
    file.save()
    audit(
        actor=actor,
        action="hardship.file.unit_reviewed",
        target=file,
        changes={"approved": bool(approve), "status": file.status},
    )
    if approve:
        _notify_member(file, "notice", _("Your hardship application is in public notice"))
    else:
        _notify_member(file, "rejected", _("Your hardship application was not approved"))
    return file


@transaction.atomic
def objection_raise(*, actor: Any, file: HardshipFile, text: str) -> Objection:
    if not getattr(actor, "pk", None):
        raise PermissionDenied
    file = _lock(file)
    if file.status != Status.NOTICE:
        raise ValidationError(_("Objections can be raised only during the public notice."))
    if file.notice_ends_on is not None and _today() > file.notice_ends_on:
        raise ValidationError(_("The public notice has ended: objections can no longer be raised."))
    text = _required_text(text, "text", _("Write down the objection."))
    if len(text) > 2000:
        raise ValidationError({"text": _("The objection is too long (at most 2000 characters).")})
    objection = Objection.objects.create(file=file, text=text, raised_by=actor)
    audit(
        actor=actor, action="hardship.file.objection_raised", target=file, changes={"objection": objection.pk}
    )
    _notify_officers(file, REVIEW, "objection", _("An objection was raised during a public notice"), actor)
    return objection


@transaction.atomic
def objection_resolve(*, actor: Any, objection: Objection, upheld: bool, resolution: str) -> Objection:
    file = _lock(objection.file)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    _require(actor, REVIEW, file)
    if objection.resolved_at is not None:
        raise ValidationError(_("This objection is already resolved."))
    if file.status != Status.NOTICE:
        raise _status_error(file, _("objections are resolved before the decision"))
    resolution = _required_text(resolution, "resolution", _("Write down how the objection was resolved."))
    objection.upheld = bool(upheld)
    objection.resolution = resolution
    objection.resolved_by = actor
    objection.resolved_at = timezone.now()
    objection.save()
    audit(
        actor=actor,
        action="hardship.file.objection_resolved",
        target=file,
        changes={"objection": objection.pk, "upheld": bool(upheld)},
    )
    return objection


def approval_blockers(file: HardshipFile, actor: Any = None) -> list[str]:
    """Why the school cannot approve the file now (empty when it can)."""
    reasons: list[str] = []
    if file.status != Status.NOTICE:
        return [str(_status_error(file, _("only a file in public notice can be approved")).messages[0])]
    if file.notice_ends_on is not None and _today() <= file.notice_ends_on:
        reasons.append(
            _("The public notice runs until %(date)s: the file can be approved from the next day.")
            % {"date": file.notice_ends_on.isoformat()}
        )
    objections = list(file.objections.all())
    if any(objection.resolved_at is None for objection in objections):
        reasons.append(_("An objection is not resolved yet."))
    if any(objection.upheld for objection in objections):
        reasons.append(_("An objection was upheld: the file must be rejected."))
    if not file.category:
        reasons.append(_("The category cannot be computed yet."))
    if actor is not None and file.unit_reviewed_by_id == getattr(actor, "pk", None):
        reasons.append(_("You reviewed this file for the sub-union: another officer approves it."))
    return reasons


def _one_year_later(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def file_approve(*, actor: Any, file: HardshipFile) -> HardshipFile:
    file = _lock(file)
    _require(actor, APPROVE, file)
    _require_top(actor, APPROVE)
    _not_the_member(actor, file)
    blockers = approval_blockers(file, actor)
    if blockers:
        raise ValidationError(blockers)
    today = _today()
    file.status = Status.ACTIVE
    file.approved_by = actor
    file.approved_at = timezone.now()
    file.review_due_on = _one_year_later(today)
    file.save()
    audit(actor=actor, action="hardship.file.approved", target=file, changes={"category": file.category})
    _notify_member(file, "approved", _("Your hardship file is approved"))
    return file


@transaction.atomic
def file_reject(*, actor: Any, file: HardshipFile, reason: str) -> HardshipFile:
    """The school does not approve the file (at the end of the public notice, e.g. an upheld objection)."""
    file = _lock(file)
    _require(actor, APPROVE, file)
    _require_top(actor, APPROVE)
    _not_the_member(actor, file)
    if file.status != Status.NOTICE:
        raise _status_error(file, _("only a file in public notice is decided by the school"))
    reason = _required_text(reason, "reason", _("Give the reason for not approving the file."))
    _close(file, Status.REJECTED, reason)
    file.save()
    audit(actor=actor, action="hardship.file.rejected", target=file, changes={"status": file.status})
    _notify_member(file, "rejected", _("Your hardship application was not approved"))
    return file


@transaction.atomic
def category_override(*, actor: Any, file: HardshipFile, category: str, reason: str) -> HardshipFile:
    """Set (or, with ``category=""``, clear) the officer's category; the reason goes into the history."""
    file = _lock(file)
    _require(actor, APPROVE, file)
    _require_top(actor, APPROVE)
    _not_the_member(actor, file)
    if file.status not in CURRENT_STATUSES:
        raise _status_error(file, _("the category of a closed file cannot be changed"))
    if category not in ("", *Category.values):
        raise ValidationError({"category": _("Choose a category.")})
    reason = _required_text(reason, "reason", _("Give the reason for setting the category."))
    if category == file.category_override:
        raise ValidationError(
            {
                "category": _("The category is already set so.")
                if category
                else _("There is no override to clear.")
            }
        )
    old_override = file.category_override
    file.category_override = category
    file.override_reason = reason if category else ""
    file.save(update_fields=["category_override", "override_reason", "updated_at"])
    _recompute(file, actor=actor, source=Source.OVERRIDE, reason=reason)
    audit(
        actor=actor,
        action="hardship.file.category_overridden",
        target=file,
        changes={"override": [old_override, category], "category": file.category},
    )
    return file
