"""Setting up the staff congress: terms (届) and their sessions (次) with the per-session rules and the
"五制" switches, delegations (代表团), representatives (正式代表 / 列席代表, 团长), the 提案工作委员会, and
the two-level proposal category taxonomy (seeded with defaults after migrate while it is empty).

Rules kept here (reference/domain.md §1): a person represents one delegation per term; only a full
representative may lead a delegation, and a delegation has at most one serving leader; a representative
whose service ends keeps the record (their proposals stay theirs) and may be reinstated; the committee
has at most one chair; categories are two levels deep and a subclass counts in its major class's KPI
class (内涵建设 / 民生福利 / 其他).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from smartunion.core.audit import audit, diff, snapshot

from ..models import Category, CommitteeMember, Congress, Delegation, Proposal, Representative, Session

Kind = Representative.Kind

CONGRESS_FIELDS = ("number", "name", "start_date", "end_date")
SESSION_FIELDS = (
    "number",
    "name",
    "meeting_date",
    "collection_opens",
    "collection_closes",
    "accepts_between_sessions",
    "cosigners_required",
    "title_max_chars",
    "reasons_min_chars",
    "reasons_max_chars",
    "suggestions_min_chars",
    "suggestions_max_chars",
    "reply_working_days",
    "return_working_days",
    "warning_working_days",
    "escalate_after_working_days",
    "lock_late_replies",
    "cosigners_evaluate",
    "evaluation_reminder_working_days",
    "max_rehandling_rounds",
    "control_leader_signoff",
    "control_co_handling",
    "control_time_limit",
    "control_supervision",
    "control_evaluation",
)
# The rules a new session copies from the previous one, so the office does not type them again.
SESSION_RULE_FIELDS = SESSION_FIELDS[5:]
DELEGATION_FIELDS = ("name", "unit", "sort_order")
REPRESENTATIVE_FIELDS = ("delegation", "kind", "is_delegation_leader", "is_active")
CATEGORY_FIELDS = ("name", "parent", "kpi_class", "description", "sort_order", "is_active")

MAX_COSIGNERS = 20
MAX_REHANDLING_ROUNDS = 5
MAX_WORKING_DAYS = 250

_DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (terms and sessions never pass 99)."""
    if number <= 0 or number >= 100:
        return str(number)
    tens, ones = divmod(number, 10)
    if tens == 0:
        return _DIGITS[ones]
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"


def default_congress_name(number: int) -> str:
    return f"第{chinese_number(number)}届教职工代表大会"


def default_session_name(congress_number: int, number: int) -> str:
    return f"第{chinese_number(congress_number)}届教代会第{chinese_number(number)}次会议"


def _others(queryset: QuerySet[Any], exclude: int | None) -> QuerySet[Any]:
    """The queryset without the object being edited (if any)."""
    return queryset if exclude is None else queryset.exclude(pk=exclude)


def _default(name: str) -> Any:
    """A session field's model default (a new session's rule when none is given)."""
    field = Session._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_default()


def _clean_name(value: str, *, field: str = "name") -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError({field: _("Fill in the name.")})
    return name


# -- terms ----------------------------------------------------------------------------------------------


def _check_congress(
    *, number: int, start_date: dt.date, end_date: dt.date | None, exclude: int | None
) -> None:
    if number is None or number < 1:
        raise ValidationError({"number": _("The term number is a whole number from 1, e.g. 5 for 第五届.")})
    if _others(Congress.objects.filter(number=number), exclude).exists():
        raise ValidationError(
            {
                "number": _("Term %(number)d already exists: open it instead of creating it again.")
                % {"number": number}
            }
        )
    if end_date is not None and end_date < start_date:
        raise ValidationError({"end_date": _("The term cannot end before it starts: correct the end date.")})


@transaction.atomic
def congress_create(
    *, actor: Any, number: int, name: str = "", start_date: dt.date, end_date: dt.date | None = None
) -> Congress:
    _check_congress(number=number, start_date=start_date, end_date=end_date, exclude=None)
    congress = Congress.objects.create(
        number=number,
        name=" ".join((name or "").split()) or default_congress_name(number),
        start_date=start_date,
        end_date=end_date,
    )
    audit(
        actor=actor,
        action="proposals.congress.created",
        target=congress,
        changes=snapshot(congress, CONGRESS_FIELDS),
    )
    return congress


@transaction.atomic
def congress_update(
    *, actor: Any, congress: Congress, number: int, name: str, start_date: dt.date, end_date: dt.date | None
) -> Congress:
    congress = Congress.objects.select_for_update(of=("self",)).get(pk=congress.pk)
    _check_congress(number=number, start_date=start_date, end_date=end_date, exclude=congress.pk)
    if (
        number != congress.number
        and Proposal.objects.filter(session__congress=congress).exclude(number="").exists()
    ):
        raise ValidationError(
            {
                "number": _(
                    "Proposals of this term are already numbered with term %(number)d: the term number "
                    "cannot change any more."
                )
                % {"number": congress.number}
            }
        )
    before = snapshot(congress, CONGRESS_FIELDS)
    congress.number = number
    congress.name = _clean_name(name)
    congress.start_date = start_date
    congress.end_date = end_date
    congress.save(update_fields=[*CONGRESS_FIELDS, "updated_at"])
    changes = diff(before, snapshot(congress, CONGRESS_FIELDS))
    if changes:
        audit(actor=actor, action="proposals.congress.updated", target=congress, changes=changes)
    return congress


# -- sessions -------------------------------------------------------------------------------------------


def session_defaults(congress: Congress) -> dict[str, Any]:
    """The form's starting values for a new session: the next number, its name, and the rules of the
    latest session (of this term, else of any term) so they carry over."""
    last = Session.objects.filter(congress=congress).order_by("-number").first()
    number = (last.number + 1) if last else 1
    values: dict[str, Any] = {"number": number, "name": default_session_name(congress.number, number)}
    template = last or Session.objects.order_by("-collection_opens").first()
    if template is not None:
        values.update({field: getattr(template, field) for field in SESSION_RULE_FIELDS})
    else:
        values.update({field: _default(field) for field in SESSION_RULE_FIELDS})
    return values


def _check_session(values: dict[str, Any], *, congress: Congress, exclude: int | None) -> None:
    errors: dict[str, str] = {}
    number = values.get("number")
    if number is None or number < 1:
        errors["number"] = _("The session number is a whole number from 1, e.g. 2 for 第二次会议.")
    elif _others(Session.objects.filter(congress=congress, number=number), exclude).exists():
        errors["number"] = _("%(congress)s already has session %(number)d.") % {
            "congress": congress.name,
            "number": number,
        }
    opens, closes = values.get("collection_opens"), values.get("collection_closes")
    if opens and closes and closes <= opens:
        errors["collection_closes"] = _("Collection must close after it opens: correct the closing time.")
    if values["reasons_min_chars"] > values["reasons_max_chars"]:
        errors["reasons_max_chars"] = _("The most characters of the reasons must not be below the fewest.")
    if values["suggestions_min_chars"] > values["suggestions_max_chars"]:
        errors["suggestions_max_chars"] = _(
            "The most characters of the suggestions must not be below the fewest."
        )
    if values["title_max_chars"] < 5 or values["title_max_chars"] > 200:
        errors["title_max_chars"] = _("A title may have between 5 and 200 characters.")
    if values["cosigners_required"] > MAX_COSIGNERS:
        errors["cosigners_required"] = _("Ask for at most %(max)d co-signers.") % {"max": MAX_COSIGNERS}
    for field in (
        "reply_working_days",
        "return_working_days",
        "escalate_after_working_days",
        "evaluation_reminder_working_days",
    ):
        if not 1 <= values[field] <= MAX_WORKING_DAYS:
            errors[field] = _("Give between 1 and %(max)d working days.") % {"max": MAX_WORKING_DAYS}
    if values["warning_working_days"] >= values["reply_working_days"]:
        errors["warning_working_days"] = _(
            "The yellow warning must start fewer working days before the deadline than the reply time "
            "(%(days)d working days)."
        ) % {"days": values["reply_working_days"]}
    if values["return_working_days"] > values["reply_working_days"]:
        errors["return_working_days"] = _(
            "An office cannot have longer to return an assignment than to reply to it."
        )
    if values["max_rehandling_rounds"] > MAX_REHANDLING_ROUNDS:
        errors["max_rehandling_rounds"] = _("Allow at most %(max)d re-handling rounds.") % {
            "max": MAX_REHANDLING_ROUNDS
        }
    if errors:
        raise ValidationError(errors)


def _session_values(congress: Congress, fields: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    values = {**base, **fields}
    values["name"] = " ".join((values.get("name") or "").split()) or default_session_name(
        congress.number, values.get("number") or 0
    )
    for field in ("collection_opens", "collection_closes"):
        if not values.get(field):
            raise ValidationError({field: _("Fill in when collection opens and closes.")})
    return values


@transaction.atomic
def session_create(*, actor: Any, congress: Congress, **fields: Any) -> Session:
    """A new session of the term; rules not given take the model defaults."""
    base = {field: _default(field) for field in SESSION_RULE_FIELDS}
    base["meeting_date"] = None
    values = _session_values(congress, fields, base)
    _check_session(values, congress=congress, exclude=None)
    session = Session.objects.create(congress=congress, **values)
    audit(
        actor=actor,
        action="proposals.session.created",
        target=session,
        changes=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def session_update(*, actor: Any, session: Session, **fields: Any) -> Session:
    """Change a session's window, rules or 五制 switches. The session number is fixed once proposals of
    the session carry numbers (5-2-001 names it)."""
    session = Session.objects.select_for_update(of=("self",)).select_related("congress").get(pk=session.pk)
    current = {field: getattr(session, field) for field in SESSION_FIELDS}
    values = _session_values(session.congress, fields, current)
    _check_session(values, congress=session.congress, exclude=session.pk)
    if values["number"] != session.number and (session.last_proposal_no or session.last_suggestion_no):
        raise ValidationError(
            {
                "number": _(
                    "Proposals of this session are already numbered %(prefix)s…: the session number cannot "
                    "change any more."
                )
                % {"prefix": session.number_prefix}
            }
        )
    before = snapshot(session, SESSION_FIELDS)
    for field, value in values.items():
        setattr(session, field, value)
    changed = [field for field in SESSION_FIELDS if current[field] != values[field]]
    if not changed:
        return session
    session.save(update_fields=[*changed, "updated_at"])
    audit(
        actor=actor,
        action="proposals.session.updated",
        target=session,
        changes=diff(before, snapshot(session, SESSION_FIELDS)),
    )
    return session


# -- delegations ----------------------------------------------------------------------------------------


def _check_delegation(*, congress: Congress, name: str, exclude: int | None) -> str:
    name = _clean_name(name)
    if _others(Delegation.objects.filter(congress=congress, name=name), exclude).exists():
        raise ValidationError(
            {
                "name": _("%(congress)s already has a delegation named “%(name)s”.")
                % {"congress": congress.name, "name": name}
            }
        )
    return name


@transaction.atomic
def delegation_create(
    *, actor: Any, congress: Congress, name: str, unit: Any = None, sort_order: int | None = None
) -> Delegation:
    name = _check_delegation(congress=congress, name=name, exclude=None)
    if sort_order is None:
        sort_order = (Delegation.objects.filter(congress=congress).count() + 1) * 10
    delegation = Delegation.objects.create(congress=congress, name=name, unit=unit, sort_order=sort_order)
    audit(
        actor=actor,
        action="proposals.delegation.created",
        target=delegation,
        changes=snapshot(delegation, DELEGATION_FIELDS),
    )
    return delegation


@transaction.atomic
def delegation_update(
    *, actor: Any, delegation: Delegation, name: str, unit: Any = None, sort_order: int = 0
) -> Delegation:
    delegation = Delegation.objects.select_for_update(of=("self",)).get(pk=delegation.pk)
    before = snapshot(delegation, DELEGATION_FIELDS)
    delegation.name = _check_delegation(congress=delegation.congress, name=name, exclude=delegation.pk)
    delegation.unit = unit
    delegation.sort_order = sort_order or 0
    delegation.save(update_fields=list(DELEGATION_FIELDS))
    changes = diff(before, snapshot(delegation, DELEGATION_FIELDS))
    if changes:
        audit(actor=actor, action="proposals.delegation.updated", target=delegation, changes=changes)
    return delegation


# -- representatives ------------------------------------------------------------------------------------


def _check_leader(*, delegation: Delegation, kind: str, person_id: int, is_leader: bool) -> None:
    if not is_leader:
        return
    if kind != Kind.FULL:
        raise ValidationError(
            {"is_delegation_leader": _("Only a full representative (正式代表) can lead a delegation.")}
        )
    other = (
        Representative.objects.filter(delegation=delegation, is_delegation_leader=True, is_active=True)
        .exclude(person_id=person_id)
        .select_related("person")
        .first()
    )
    if other is not None:
        raise ValidationError(
            {
                "is_delegation_leader": _(
                    "%(name)s already leads %(delegation)s: untick them first, a delegation has one leader (团长)."
                )
                % {"name": other.person.name, "delegation": delegation.name}
            }
        )


def _check_delegation_of(congress: Congress, delegation: Delegation) -> None:
    if delegation.congress_id != congress.pk:
        raise ValidationError(
            {"delegation": _("Choose a delegation of %(congress)s.") % {"congress": congress.name}}
        )


@transaction.atomic
def representative_add(
    *,
    actor: Any,
    congress: Congress,
    person: Any,
    delegation: Delegation,
    kind: str = Kind.FULL,
    is_delegation_leader: bool = False,
) -> Representative:
    """Make a staff member a representative of the term. Someone whose service ended earlier in the term
    is reinstated (one record per person and term)."""
    Congress.objects.select_for_update(of=("self",)).get(
        pk=congress.pk
    )  # one writer per term: the leader rule holds
    _check_delegation_of(congress, delegation)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose full representative or non-voting attendee.")})
    if not getattr(person, "is_active", True):
        raise ValidationError(
            {"person": _("%(name)s has left the staff and cannot represent anyone.") % {"name": person.name}}
        )
    existing = (
        Representative.objects.filter(congress=congress, person=person).select_related("delegation").first()
    )
    if existing is not None and existing.is_active:
        raise ValidationError(
            {
                "person": _("%(name)s already represents %(delegation)s in this term.")
                % {"name": person.name, "delegation": existing.delegation.name}
            }
        )
    _check_leader(delegation=delegation, kind=kind, person_id=person.pk, is_leader=is_delegation_leader)
    if existing is not None:
        before = snapshot(existing, REPRESENTATIVE_FIELDS)
        existing.delegation = delegation
        existing.kind = kind
        existing.is_delegation_leader = is_delegation_leader
        existing.is_active = True
        existing.save(update_fields=[*REPRESENTATIVE_FIELDS, "updated_at"])
        audit(
            actor=actor,
            action="proposals.representative.reinstated",
            target=existing,
            changes=diff(before, snapshot(existing, REPRESENTATIVE_FIELDS)),
        )
        return existing
    representative = Representative.objects.create(
        congress=congress,
        person=person,
        delegation=delegation,
        kind=kind,
        is_delegation_leader=is_delegation_leader,
    )
    audit(
        actor=actor,
        action="proposals.representative.added",
        target=representative,
        changes={"congress": congress.name, **snapshot(representative, REPRESENTATIVE_FIELDS)},
    )
    return representative


@transaction.atomic
def representative_update(
    *,
    actor: Any,
    representative: Representative,
    delegation: Delegation,
    kind: str,
    is_delegation_leader: bool,
    is_active: bool = True,
) -> Representative:
    Congress.objects.select_for_update(of=("self",)).get(pk=representative.congress_id)
    rep = Representative.objects.select_related("congress", "person").get(pk=representative.pk)
    _check_delegation_of(rep.congress, delegation)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose full representative or non-voting attendee.")})
    if not is_active:
        is_delegation_leader = False
    _check_leader(delegation=delegation, kind=kind, person_id=rep.person_id, is_leader=is_delegation_leader)
    before = snapshot(rep, REPRESENTATIVE_FIELDS)
    rep.delegation = delegation
    rep.kind = kind
    rep.is_delegation_leader = is_delegation_leader
    rep.is_active = is_active
    changes = diff(before, snapshot(rep, REPRESENTATIVE_FIELDS))
    if changes:
        rep.save(update_fields=[*REPRESENTATIVE_FIELDS, "updated_at"])
        audit(actor=actor, action="proposals.representative.updated", target=rep, changes=changes)
    return rep


@transaction.atomic
def representative_end(*, actor: Any, representative: Representative) -> Representative:
    """End a representative's service (left the school, replaced at a by-election): they can no longer
    propose or co-sign; what they did stays theirs."""
    rep = (
        Representative.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=representative.pk)
    )
    if not rep.is_active:
        raise ValidationError(_("%(name)s no longer serves as a representative.") % {"name": rep.person.name})
    before = snapshot(rep, ("is_active", "is_delegation_leader"))
    rep.is_active = False
    rep.is_delegation_leader = False
    rep.save(update_fields=["is_active", "is_delegation_leader", "updated_at"])
    audit(
        actor=actor,
        action="proposals.representative.ended",
        target=rep,
        changes=diff(before, snapshot(rep, ("is_active", "is_delegation_leader"))),
    )
    return rep


# -- the proposal committee ------------------------------------------------------------------------------


@transaction.atomic
def committee_add(
    *, actor: Any, congress: Congress, person: Any, position: str = CommitteeMember.Position.MEMBER
) -> CommitteeMember:
    Congress.objects.select_for_update(of=("self",)).get(pk=congress.pk)
    if position not in CommitteeMember.Position.values:
        raise ValidationError({"position": _("Choose chair, vice chair or member.")})
    if not getattr(person, "is_active", True):
        raise ValidationError({"person": _("%(name)s has left the staff.") % {"name": person.name}})
    if CommitteeMember.objects.filter(congress=congress, person=person).exists():
        raise ValidationError(
            {
                "person": _("%(name)s is already on the proposal committee of this term.")
                % {"name": person.name}
            }
        )
    if position == CommitteeMember.Position.CHAIR:
        chair = (
            CommitteeMember.objects.filter(congress=congress, position=position)
            .select_related("person")
            .first()
        )
        if chair is not None:
            raise ValidationError(
                {
                    "position": _(
                        "%(name)s already chairs the committee: remove them first, it has one chair."
                    )
                    % {"name": chair.person.name}
                }
            )
    member = CommitteeMember.objects.create(congress=congress, person=person, position=position)
    audit(
        actor=actor,
        action="proposals.committee.added",
        target=congress,
        changes={"member": person.name, "position": member.get_position_display()},
    )
    return member


@transaction.atomic
def committee_remove(*, actor: Any, member: CommitteeMember) -> None:
    member = CommitteeMember.objects.select_related("congress", "person").get(pk=member.pk)
    audit(
        actor=actor,
        action="proposals.committee.removed",
        target=member.congress,
        changes={"member": member.person.name, "position": member.get_position_display()},
    )
    member.delete()


# -- categories -----------------------------------------------------------------------------------------


def _check_category(
    *, category: Category | None, name: str, parent: Category | None, kpi_class: str
) -> tuple[str, str]:
    name = _clean_name(name)
    if parent is not None:
        if parent.parent_id is not None:
            raise ValidationError(
                {
                    "parent": _(
                        "Categories have two levels: choose a major class (内涵建设, 民生福利 …) as the parent."
                    )
                }
            )
        if category is not None and parent.pk == category.pk:
            raise ValidationError({"parent": _("A category cannot be its own major class.")})
        if category is not None and category.children.exists():
            raise ValidationError(
                {"parent": _("This major class has subclasses: it cannot become a subclass itself.")}
            )
        kpi_class = parent.kpi_class  # a subclass counts in its major class
    elif kpi_class not in Category.KpiClass.values:
        raise ValidationError({"kpi_class": _("Choose the statistics class of the major class.")})
    clash = Category.objects.filter(parent=parent, name=name)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        where = parent.name if parent is not None else _("the major classes")
        raise ValidationError(
            {"name": _("“%(name)s” already exists among %(where)s.") % {"name": name, "where": where}}
        )
    return name, kpi_class


@transaction.atomic
def category_create(
    *,
    actor: Any,
    name: str,
    parent: Category | None = None,
    kpi_class: str = Category.KpiClass.OTHER,
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> Category:
    name, kpi_class = _check_category(category=None, name=name, parent=parent, kpi_class=kpi_class)
    category = Category.objects.create(
        name=name,
        parent=parent,
        kpi_class=kpi_class,
        description=(description or "").strip(),
        sort_order=sort_order or 0,
        is_active=is_active,
    )
    audit(
        actor=actor,
        action="proposals.category.created",
        target=category,
        changes=snapshot(category, CATEGORY_FIELDS),
    )
    return category


@transaction.atomic
def category_update(
    *,
    actor: Any,
    category: Category,
    name: str,
    parent: Category | None = None,
    kpi_class: str = Category.KpiClass.OTHER,
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> Category:
    """Rename, move or (de)activate a category. A major class's statistics class carries to its
    subclasses (the KPI 内涵建设类占比 counts by it); proposals keep the category they have."""
    category = Category.objects.select_for_update(of=("self",)).get(pk=category.pk)
    name, kpi_class = _check_category(category=category, name=name, parent=parent, kpi_class=kpi_class)
    before = snapshot(category, CATEGORY_FIELDS)
    category.name = name
    category.parent = parent
    category.kpi_class = kpi_class
    category.description = (description or "").strip()
    category.sort_order = sort_order or 0
    category.is_active = is_active
    category.save(update_fields=list(CATEGORY_FIELDS))
    if parent is None:
        Category.objects.filter(parent=category).exclude(kpi_class=kpi_class).update(kpi_class=kpi_class)
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if changes:
        audit(actor=actor, action="proposals.category.updated", target=category, changes=changes)
    return category


# The default taxonomy (reference/domain.md §1.6: 内涵建设 vs 民生福利 is the KPI split of doc 000).
DEFAULT_CATEGORIES: list[tuple[str, str, list[str]]] = [
    (
        "内涵建设",
        Category.KpiClass.CORE_DEVELOPMENT,
        ["学科建设", "教学科研", "人才队伍", "管理体制改革", "信息化建设"],
    ),
    (
        "民生福利",
        Category.KpiClass.WELFARE,
        ["薪酬福利", "后勤保障", "住房与交通", "子女入学与托育", "医疗健康", "校园环境"],
    ),
    ("其他", Category.KpiClass.OTHER, ["其他事项"]),
]


def ensure_default_categories(**kwargs: Any) -> None:
    """post_migrate: seed the default taxonomy while the table is empty (and again after a flush), never
    once the union office has its own."""
    if Category.objects.exists():
        return
    for major_order, (major, kpi_class, subclasses) in enumerate(DEFAULT_CATEGORIES, start=1):
        parent = Category.objects.create(name=major, kpi_class=kpi_class, sort_order=major_order * 10)
        Category.objects.bulk_create(
            [
                Category(name=name, parent=parent, kpi_class=kpi_class, sort_order=order * 10)
                for order, name in enumerate(subclasses, start=1)
            ]
        )
