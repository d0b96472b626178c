"""The organisers' reads: activities in the user's scope (tabs and filters), one activity with its numbers,
its registrations (with filters) and quotas, the batches of a series, and the ideas' demand by unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from smartunion.core.permissions import get_in_scope, scope_queryset
from smartunion.members.selectors import people as people_selectors

from ..models import Activity, Idea, IdeaVote, Invitation, Registration, UnitQuota

VIEW = "activities.view"
IDEAS = "activities.ideas.manage"
Status = Activity.Status
RStatus = Registration.Status

TABS = ("open", "drafts", "finished", "cancelled")


def activities_for_user(
    *,
    user: Any,
    tab: str = "open",
    kind: str = "",
    unit: Any = None,
    month: dt.date | None = None,
    search: str = "",
) -> QuerySet[Activity]:
    """Top-level activities and series (batches show on their series' page) in the user's scope, with the
    waiting list counted."""
    qs = scope_queryset(
        Activity.objects.select_related("organiser_unit", "series"),
        user=user,
        perm=VIEW,
        unit_field="organiser_unit",
    ).filter(series__isnull=True)
    if tab == "drafts":
        qs = qs.filter(status=Status.DRAFT)
    elif tab == "finished":
        qs = qs.filter(status=Status.FINISHED)
    elif tab == "cancelled":
        qs = qs.filter(status=Status.CANCELLED)
    else:
        qs = qs.filter(status=Status.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(organiser_unit__path__startswith=unit.path)
    if month is not None:
        qs = qs.filter(starts_at__year=month.year, starts_at__month=month.month)
    if search:
        qs = qs.filter(title__icontains=search)
    return qs.annotate(
        waiting=Count(
            "registrations",
            filter=Q(registrations__status__in=[RStatus.WAITLISTED, RStatus.OFFERED]),
            distinct=True,
        ),
        pending=Count("registrations", filter=Q(registrations__status=RStatus.PENDING), distinct=True),
        batch_count=Count("batches", distinct=True),
    )


def tab_counts(*, user: Any) -> dict[str, int]:
    rows = (
        scope_queryset(Activity.objects.all(), user=user, perm=VIEW, unit_field="organiser_unit")
        .filter(series__isnull=True)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    by_status = dict(rows)
    return {
        "open": by_status.get(Status.PUBLISHED, 0),
        "drafts": by_status.get(Status.DRAFT, 0),
        "finished": by_status.get(Status.FINISHED, 0),
        "cancelled": by_status.get(Status.CANCELLED, 0),
    }


def activity_get_for_user(*, user: Any, pk: Any, perm: str = VIEW) -> Activity:
    return get_in_scope(
        Activity.objects.select_related("organiser_unit", "series", "visibility_unit", "club", "idea"),
        user=user,
        perm=perm,
        unit_field="organiser_unit",
        pk=pk,
    )


def registration_get(*, activity: Activity, pk: Any) -> Registration:
    from django.http import Http404

    try:
        return Registration.objects.select_related("person", "unit", "activity").get(activity=activity, pk=pk)
    except (Registration.DoesNotExist, ValueError):
        raise Http404 from None


@dataclass(frozen=True)
class Numbers:
    confirmed: int
    capacity: int | None
    confirmed_entries: int
    waiting: int
    offered: int
    pending: int
    not_drawn: int
    rejected: int
    cancelled: int
    checked_in: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)


def numbers(activity: Activity) -> Numbers:
    counts = dict(
        Registration.objects.filter(activity=activity)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    checked = Registration.objects.filter(
        activity=activity, status=RStatus.CONFIRMED, checked_in_at__isnull=False
    ).count()
    return Numbers(
        confirmed=activity.confirmed,
        capacity=activity.capacity,
        confirmed_entries=counts.get(RStatus.CONFIRMED, 0),
        waiting=counts.get(RStatus.WAITLISTED, 0),
        offered=counts.get(RStatus.OFFERED, 0),
        pending=counts.get(RStatus.PENDING, 0),
        not_drawn=counts.get(RStatus.NOT_DRAWN, 0),
        rejected=counts.get(RStatus.REJECTED, 0),
        cancelled=counts.get(RStatus.CANCELLED, 0),
        checked_in=checked,
    )


def quotas_of(activity: Activity) -> list[UnitQuota]:
    return list(UnitQuota.objects.filter(activity=activity).select_related("unit").order_by("unit__path"))


def quota_for_unit(activity: Activity, unit: Any) -> UnitQuota | None:
    """The quota a member of ``unit`` counts against: the closest quota unit above (or at) it."""
    best = None
    for quota in quotas_of(activity):
        if unit.path.startswith(quota.unit.path) and (
            best is None or len(quota.unit.path) > len(best.unit.path)
        ):
            best = quota
    return best


def registrations_of(
    activity: Activity, *, status: str = "", unit: Any = None, search: str = "", checked: str = ""
) -> QuerySet[Registration]:
    qs = (
        Registration.objects.filter(activity=activity)
        .select_related("person", "unit", "team", "activity")
        .prefetch_related("dependants", "team__members__person")
    )
    if status == "live":
        qs = qs.filter(status__in=Registration.LIVE_STATUSES)
    elif status in RStatus.values:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if search:
        qs = qs.filter(Q(person__name__icontains=search) | Q(person__staff_no__icontains=search))
    if checked == "yes":
        qs = qs.filter(checked_in_at__isnull=False)
    elif checked == "no":
        qs = qs.filter(checked_in_at__isnull=True)
    return qs.order_by("created_at", "pk")


def batches_of(series: Activity) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(series=series)
        .annotate(
            waiting=Count(
                "registrations", filter=Q(registrations__status__in=[RStatus.WAITLISTED, RStatus.OFFERED])
            )
        )
        .order_by("starts_at", "pk")
    )


def invitations_of(activity: Activity) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(activity=activity)
        .select_related("person", "person__unit")
        .order_by("person__staff_no")
    )


def staff_categories() -> QuerySet[Any]:
    """The staff categories (在编, 人事代理 …) for the eligibility rules."""
    return people_selectors.staff_categories()


def users_of_people(person_ids: Any) -> list[Any]:
    """The login accounts of these people (for notifications); people without one are left out."""
    return people_selectors.users_of_people(person_ids)


def people_by_staff_numbers(numbers: list[str]) -> tuple[list[Any], list[str]]:
    """The people with these staff numbers (in the order given) and the numbers not found."""
    found = people_selectors.people_by_staff_numbers(numbers)
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


def lottery_entries(activity: Activity) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(activity=activity)
        .exclude(status=RStatus.CANCELLED)
        .select_related("person", "unit")
        .order_by("lottery_tier", "lottery_position", "created_at", "pk")
    )


# -- ideas ---------------------------------------------------------------------------------------------------


def ideas_for_user(*, user: Any, status: str = Idea.Status.OPEN) -> QuerySet[Idea]:
    qs = scope_queryset(
        Idea.objects.select_related("proposer", "unit"), user=user, perm=IDEAS, unit_field="unit"
    )
    if status in Idea.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-votes", "-created_at")


def idea_get_for_user(*, user: Any, pk: Any) -> Idea:
    return get_in_scope(Idea.objects.select_related("proposer", "unit"), user=user, perm=IDEAS, pk=pk)


def votes_by_unit(ideas: list[Idea]) -> dict[int, list[tuple[str, int]]]:
    """{idea id: [(unit name, votes), …]} highest first, in one query."""
    result: dict[int, list[tuple[str, int]]] = {idea.pk: [] for idea in ideas}
    rows = (
        IdeaVote.objects.filter(idea__in=ideas)
        .order_by()
        .values_list("idea_id", "unit__name")
        .annotate(n=Count("pk"))
    )
    for idea_id, unit_name, n in rows:
        result[idea_id].append((unit_name, n))
    for value in result.values():
        value.sort(key=lambda pair: -pair[1])
    return result


def confirmed_places(activity: Activity) -> int:
    return int(
        Registration.objects.filter(activity=activity, status=RStatus.CONFIRMED).aggregate(n=Sum("quantity"))[
            "n"
        ]
        or 0
    )


def activity_for_officer(*, user: Any, pk: Any, perm: str = "activities.register_members") -> Activity:
    """An activity a unit officer may register members for: organised within their scope, or above it (the
    school union's activity their units take part in); 404 otherwise."""
    from django.http import Http404

    try:
        activity = Activity.objects.select_related("organiser_unit").get(pk=pk)
    except (Activity.DoesNotExist, ValueError):
        raise Http404 from None
    scope = user.scope_for(perm)
    organiser = activity.organiser_unit.path
    if not (scope.covers(organiser) or any(path.startswith(organiser) for path in scope.paths)):
        raise Http404
    return activity


def eligibility_summary(activity: Activity) -> list[str]:
    """The activity's eligibility rules in words, for the organiser's page."""
    from django.utils.translation import gettext as _

    from smartunion.members.selectors.eligibility import member_status_choices
    from smartunion.organisations import selectors as org_selectors

    from ..models import Kind

    rules = activity.eligibility or {}
    lines: list[str] = []
    if rules.get("statuses"):
        labels = dict(member_status_choices())
        lines.append(
            _("Membership: %(v)s") % {"v": "、".join(str(labels.get(s, s)) for s in rules["statuses"])}
        )
    if rules.get("unit_ids"):
        names = org_selectors.units_by_ids(rules["unit_ids"]).order_by("path").values_list("name", flat=True)
        lines.append(_("Members of: %(v)s") % {"v": "、".join(names)})
    if rules.get("sex"):
        lines.append(_("Women only") if rules["sex"] == "F" else _("Men only"))
    if rules.get("age_min") is not None or rules.get("age_max") is not None:
        lines.append(
            _("Aged %(low)s to %(high)s on the first day")
            % {"low": rules.get("age_min", 0), "high": rules.get("age_max", "—")}
        )
    if rules.get("category_ids"):
        names = staff_categories().filter(pk__in=rules["category_ids"]).values_list("name", flat=True)
        lines.append(_("Staff categories: %(v)s") % {"v": "、".join(names)})
    if rules.get("child_age_min") is not None or rules.get("child_age_max") is not None:
        lines.append(
            _("Has a child aged %(low)s to %(high)s")
            % {"low": rules.get("child_age_min", 0), "high": rules.get("child_age_max", "—")}
        )
    if rules.get("not_attended_kind"):
        lines.append(
            _("Has not attended “%(kind)s” in the last %(years)s years")
            % {
                "kind": dict(Kind.choices).get(rules["not_attended_kind"], rules["not_attended_kind"]),
                "years": rules.get("not_attended_years"),
            }
        )
    return lines
