"""Reads of the congress set-up: terms with their counts, a term's sessions, delegations, representatives
(filtered, for the list and its export) and committee, and the category taxonomy (the tree for its page,
grouped choices for the forms of the other parts).

The set-up is school-wide: every holder of ``proposals.congress.manage`` sees all of it; an unknown id is
a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from smartunion.core.normalise import clean_text
from smartunion.members.selectors import people as people_selectors

from ..models import Category, CommitteeMember, Congress, Delegation, Proposal, Representative, Session


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def _count_by(model: Any, field: str, **filters: Any) -> Any:
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **filters)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# -- terms and sessions ---------------------------------------------------------------------------------


def congress_list() -> QuerySet[Congress]:
    """Every term, newest first, with its numbers of sessions, delegations and serving representatives."""
    return Congress.objects.annotate(
        session_count=_count_by(Session, "congress"),
        delegation_count=_count_by(Delegation, "congress"),
        representative_count=_count_by(Representative, "congress", is_active=True),
    ).order_by("-number")


def congress_get(pk: Any) -> Congress:
    return _get(Congress.objects.all(), pk)


def latest_congress() -> Congress | None:
    return Congress.objects.order_by("-number").first()


def session_state(session: Session, now: Any = None) -> str:
    """ "upcoming", "collecting" or "closed" (the collection window), for badges."""
    now = now or timezone.now()
    if now < session.collection_opens:
        return "upcoming"
    if now <= session.collection_closes:
        return "collecting"
    return "closed"


def sessions_of(congress: Congress) -> list[Session]:
    """The term's sessions, newest first, each with its number of proposals past the draft stage and its
    collection state."""
    sessions: list[Session] = list(
        Session.objects.filter(congress=congress)
        .select_related("congress")
        .annotate(
            proposal_count=Count(
                "proposals",
                filter=~Q(proposals__status__in=[Proposal.Status.DRAFT, Proposal.Status.SEEKING_COSIGN]),
            )
        )
        .order_by("-number")
    )
    now = timezone.now()
    labels = {
        "upcoming": _("Collection not open yet"),
        "collecting": _("Collecting proposals"),
        "closed": _("Collection closed"),
    }
    for session in sessions:
        session.state = session_state(session, now)  # type: ignore[attr-defined]
        session.state_label = labels[session.state]  # type: ignore[attr-defined]
    return sessions


def session_get(pk: Any) -> Session:
    return _get(Session.objects.select_related("congress"), pk)


def five_controls(session: Session) -> list[tuple[str, bool]]:
    """The "五制" switches of a session as (label, on) in their usual order."""
    return [
        (str(getattr(Session._meta.get_field(field), "verbose_name", field)), bool(getattr(session, field)))
        for field in (
            "control_leader_signoff",
            "control_co_handling",
            "control_time_limit",
            "control_supervision",
            "control_evaluation",
        )
    ]


# -- delegations and representatives -------------------------------------------------------------------


def delegations_of(congress: Congress) -> list[Delegation]:
    """The term's delegations in order, with their serving full representatives, observers and leader."""
    leader = Representative.objects.filter(
        delegation=OuterRef("pk"), is_delegation_leader=True, is_active=True
    ).values("person__name")[:1]
    return list(
        Delegation.objects.filter(congress=congress)
        .select_related("unit")
        .annotate(
            full_count=_count_by(Representative, "delegation", is_active=True, kind=Representative.Kind.FULL),
            observer_count=_count_by(
                Representative, "delegation", is_active=True, kind=Representative.Kind.OBSERVER
            ),
            leader_name=Subquery(leader),
        )
        .order_by("sort_order", "name")
    )


def delegation_get(pk: Any) -> Delegation:
    return _get(Delegation.objects.select_related("congress", "unit"), pk)


def delegation_by_name(congress: Congress) -> dict[str, Delegation]:
    return {d.name: d for d in Delegation.objects.filter(congress=congress)}


REPRESENTATIVE_STATUSES = ("serving", "ended", "all")


def representatives_of(
    congress: Congress,
    *,
    delegation: Delegation | None = None,
    kind: str = "",
    status: str = "serving",
    search: str = "",
    leaders_only: bool = False,
) -> QuerySet[Representative]:
    """The term's representatives (serving ones by default), filtered; search matches the name or the
    工号 (exactly)."""
    reps = Representative.objects.filter(congress=congress).select_related(
        "person__unit", "delegation", "congress"
    )
    if status == "serving":
        reps = reps.filter(is_active=True)
    elif status == "ended":
        reps = reps.filter(is_active=False)
    if delegation is not None:
        reps = reps.filter(delegation=delegation)
    if kind:
        reps = reps.filter(kind=kind)
    if leaders_only:
        reps = reps.filter(is_delegation_leader=True)
    term = " ".join((search or "").split())
    if term:
        reps = reps.filter(Q(person__name__icontains=term) | Q(person__staff_no=term.upper()))
    return reps


def representative_get(pk: Any) -> Representative:
    return _get(Representative.objects.select_related("person__unit", "delegation", "congress"), pk)


def representative_counts(congress: Congress) -> dict[str, int]:
    """Serving full representatives, observers, people without a login account, and ended services."""
    rows = Representative.objects.filter(congress=congress).aggregate(
        full=Count("pk", filter=Q(is_active=True, kind=Representative.Kind.FULL)),
        observer=Count("pk", filter=Q(is_active=True, kind=Representative.Kind.OBSERVER)),
        no_account=Count("pk", filter=Q(is_active=True, person__user__isnull=True)),
        ended=Count("pk", filter=Q(is_active=False)),
    )
    return {key: value or 0 for key, value in rows.items()}


def committee_of(congress: Congress) -> list[CommitteeMember]:
    return list(
        CommitteeMember.objects.filter(congress=congress)
        .select_related("person__unit", "person__user")
        .order_by("position", "person__staff_no")
    )


def committee_member_get(pk: Any) -> CommitteeMember:
    return _get(CommitteeMember.objects.select_related("congress", "person"), pk)


# -- categories -----------------------------------------------------------------------------------------


def category_tree(*, active_only: bool = False) -> list[dict[str, Any]]:
    """[{"category": major, "children": [sub, …]}, …] in order, each category with ``proposal_count``
    (proposals past the draft stage filed under it). Two queries."""
    used = dict(
        Proposal.objects.exclude(category=None)
        .exclude(status__in=[Proposal.Status.DRAFT, Proposal.Status.SEEKING_COSIGN])
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
    )
    categories = Category.objects.order_by("sort_order", "name")
    if active_only:
        categories = categories.filter(is_active=True)
    majors: list[dict[str, Any]] = []
    children: dict[int, list[Category]] = {}
    for category in categories:
        category.proposal_count = used.get(category.pk, 0)  # type: ignore[attr-defined]
        if category.parent_id is None:
            majors.append({"category": category, "children": children.setdefault(category.pk, [])})
        else:
            children.setdefault(category.parent_id, []).append(category)
    for major in majors:
        major["total"] = major["category"].proposal_count + sum(c.proposal_count for c in major["children"])
    return majors


def category_get(pk: Any) -> Category:
    return _get(Category.objects.select_related("parent"), pk)


def major_classes(*, exclude: Category | None = None) -> QuerySet[Category]:
    majors = Category.objects.filter(parent=None).order_by("sort_order", "name")
    if exclude is not None:
        majors = majors.exclude(pk=exclude.pk)
    return majors


def category_choices(*, include: Category | None = None) -> list[tuple[str, list[tuple[int, str]]]]:
    """Grouped choices for a two-level select (``<optgroup>`` per major class): the subclasses in use
    under active major classes; ``include`` keeps a proposal's current category even if retired. A major
    class without subclasses is offered itself. One query."""
    rows = list(
        Category.objects.filter(Q(is_active=True) | Q(pk=getattr(include, "pk", None)))
        .select_related("parent")
        .order_by("sort_order", "name")
    )
    majors = [c for c in rows if c.parent_id is None]
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for major in majors:
        subs = [(c.pk, c.name) for c in rows if c.parent_id == major.pk]
        groups.append((major.name, subs or [(major.pk, major.name)]))
    return groups


# -- people ---------------------------------------------------------------------------------------------


def people_search(*, user: Any, term: str, limit: int = 20) -> list[Any]:
    """Staff members on the staff matching a name, 工号 or pinyin initials, within the user's roster
    scope (for picking a representative or a committee member)."""
    term = clean_text(term)
    if not term:
        return []
    people = people_selectors.person_list_for_user(user=user, search=term, on_staff=True)
    return list(people.order_by("staff_no")[:limit])
