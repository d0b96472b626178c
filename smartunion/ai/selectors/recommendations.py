"""Service matching (适合我): what a member could take up now — activities to register for, benefits to
choose, assistance to apply for — ranked by a transparent score and each with a reason in words that
refers to the member's own data; and how often the recommendations were taken up.

The sources decide what the member *can* take up (``activities.selectors.recommend``,
``welfare.selectors.recommend``, ``hardship.selectors.recommend``): nothing closed, full, ineligible or
already taken is ever offered. This module only scores and explains. The score is a sum of three parts:

* profile: the member's children fit the activity (+3), it is organised for a group the member belongs to
  (+2), the 疗休养 rotation lets them go (+1.5); a benefit programme the member is on the list of (+3); an
  assistance programme for a member on the hardship register (+2.5), an education one with a child of
  school age (+1.5 more);
* history: +1 for each past activity of the same kind the member took part in (at most +3);
* urgency: registration or choice closing within 2 days (+2) or within 7 days (+1).

An open activity with none of these (a school-wide event closing in weeks that the member has no history
with) is not recommended: every reason says something about the member.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartunion.activities.selectors import recommend as activity_source
from smartunion.hardship.selectors import recommend as assistance_source
from smartunion.welfare.selectors import recommend as benefit_source

from ..models import Recommendation

KIND_ACTIVITY = Recommendation.Kind.ACTIVITY.value
KIND_BENEFIT = Recommendation.Kind.BENEFIT.value
KIND_ASSISTANCE = Recommendation.Kind.ASSISTANCE.value

SCORE_CHILD = 3.0
SCORE_TARGETED = 2.0
SCORE_ROTATION = 1.5
SCORE_HISTORY_EACH = 1.0
SCORE_HISTORY_MAX = 3.0
SCORE_BENEFIT = 3.0
SCORE_ASSISTANCE = 2.5
SCORE_EDUCATION_CHILD = 1.5
SCORE_URGENT = 2.0  # closes within URGENT_DAYS
SCORE_SOON = 1.0  # closes within SOON_DAYS
URGENT_DAYS = 2
SOON_DAYS = 7


@dataclass(frozen=True)
class Item:
    kind: str
    item_id: int
    title: str
    url: str
    reason: str
    score: float
    deadline: dt.datetime | None = None


# -- reasons -------------------------------------------------------------------------------------------


def _ages(ages: tuple[int, ...]) -> str:
    return "、".join(str(age) for age in ages)


def _yuan(value: Decimal) -> str:
    """300.00 → "300", 99.50 → "99.50"."""
    return str(int(value)) if value == value.to_integral_value() else f"{value:.2f}"


def _days_left(deadline: dt.datetime, now: dt.datetime) -> int:
    return (timezone.localtime(deadline).date() - timezone.localtime(now).date()).days


def _urgency(deadline: dt.datetime, now: dt.datetime) -> float:
    days = _days_left(deadline, now)
    if days <= URGENT_DAYS:
        return SCORE_URGENT
    if days <= SOON_DAYS:
        return SCORE_SOON
    return 0.0


def _registration_closes(deadline: dt.datetime, now: dt.datetime) -> str:
    days = _days_left(deadline, now)
    if days <= 0:
        return _("Registration closes today at %(time)s.") % {
            "time": timezone.localtime(deadline).strftime("%H:%M")
        }
    return ngettext("Registration closes in %(days)s day.", "Registration closes in %(days)s days.", days) % {
        "days": days
    }


def _choice_closes(deadline: dt.datetime, now: dt.datetime) -> str:
    days = _days_left(deadline, now)
    if days <= 0:
        return _("The choice closes today at %(time)s.") % {
            "time": timezone.localtime(deadline).strftime("%H:%M")
        }
    return ngettext("The choice closes in %(days)s day.", "The choice closes in %(days)s days.", days) % {
        "days": days
    }


def _kind_label(kind: str) -> str:
    return activity_source.kind_label(kind)


def _who(match: activity_source.ActivityMatch, facts: Any) -> str:
    """The group an activity is organised for, as the member belongs to it ("女职工、30至55岁")."""
    parts = []
    for target in match.targeted:
        if target == activity_source.TARGET_SEX:
            parts.append(_("women members") if facts.sex == "F" else _("men members"))
        elif target == activity_source.TARGET_AGE:
            if match.rule_age_min is not None and match.rule_age_max is not None:
                parts.append(
                    _("members aged %(min)s to %(max)s")
                    % {"min": match.rule_age_min, "max": match.rule_age_max}
                )
            elif match.rule_age_min is not None:
                parts.append(_("members aged %(min)s and over") % {"min": match.rule_age_min})
            else:
                parts.append(_("members aged up to %(max)s") % {"max": match.rule_age_max})
        elif target == activity_source.TARGET_UNIT:
            parts.append(_("members of your unit"))
        elif target == activity_source.TARGET_CATEGORY:
            parts.append(_("your staff category"))
        elif target == activity_source.TARGET_INVITED:
            parts.append(_("invited members"))
    return "、".join(str(part) for part in parts)


def _activity_item(match: activity_source.ActivityMatch, facts: Any, now: dt.datetime) -> Item | None:
    activity = match.activity
    title = activity.title
    sentences: list[str] = []
    score = 0.0
    if match.child_ages:
        score += SCORE_CHILD
        if len(match.child_ages) == 1:
            sentences.append(
                _("You have a child aged %(age)s: you may register for %(title)s.")
                % {"age": match.child_ages[0], "title": title}
            )
        else:
            sentences.append(
                _("You have children aged %(ages)s: you may register for %(title)s.")
                % {"ages": _ages(match.child_ages), "title": title}
            )
    if match.targeted:
        score += SCORE_TARGETED
        if not sentences:
            sentences.append(
                _("%(title)s is for %(who)s, which includes you.")
                % {"title": title, "who": _who(match, facts)}
            )
    if match.rotation_years:
        score += SCORE_ROTATION
        if not sentences:
            sentences.append(
                _(
                    "You have not been on a %(kind)s in the last %(years)s years: you may sign up for %(title)s."
                )
                % {"kind": _kind_label(activity.kind), "years": match.rotation_years, "title": title}
            )
    if match.times_joined_kind:
        score += min(SCORE_HISTORY_EACH * match.times_joined_kind, SCORE_HISTORY_MAX)
        values = {"count": match.times_joined_kind, "kind": _kind_label(activity.kind), "title": title}
        if sentences:
            sentences.append(
                ngettext(
                    "You took part in %(count)s activity of this kind (%(kind)s) before.",
                    "You took part in %(count)s activities of this kind (%(kind)s) before.",
                    match.times_joined_kind,
                )
                % values
            )
        else:
            sentences.append(
                ngettext(
                    "You took part in %(count)s activity of this kind (%(kind)s) before: you may register for %(title)s.",
                    "You took part in %(count)s activities of this kind (%(kind)s) before: you may register for %(title)s.",
                    match.times_joined_kind,
                )
                % values
            )
    urgency = _urgency(activity.registration_closes_at, now)
    if score == 0 and urgency == 0:
        return None  # nothing about this member: not a recommendation
    score += urgency
    if not sentences:
        sentences.append(_("You may register for %(title)s.") % {"title": title})
    if urgency:
        sentences.append(_registration_closes(activity.registration_closes_at, now))
    if match.places_left is not None and match.places_left <= 5:
        sentences.append(
            ngettext("%(places)s place left.", "%(places)s places left.", match.places_left)
            % {"places": match.places_left}
        )
    return Item(
        kind=KIND_ACTIVITY,
        item_id=activity.pk,
        title=title,
        url=reverse("activities:portal_activity", args=[activity.pk]),
        reason=" ".join(sentences)[:300],
        score=round(score, 2),
        deadline=activity.registration_closes_at,
    )


def _benefit_item(entitlement: Any, now: dt.datetime) -> Item:
    programme = entitlement.programme
    urgency = _urgency(programme.choice_deadline, now)
    sentences = [
        _("You are on the list for %(title)s (worth %(value)s yuan) and have not chosen yet.")
        % {"title": programme.title, "value": _yuan(programme.value_per_member)}
    ]
    sentences.append(_choice_closes(programme.choice_deadline, now))
    return Item(
        kind=KIND_BENEFIT,
        item_id=programme.pk,
        title=programme.title,
        url=reverse("welfare:portal_choose", args=[programme.pk]),
        reason=" ".join(sentences)[:300],
        score=round(SCORE_BENEFIT + urgency, 2),
        deadline=programme.choice_deadline,
    )


def _assistance_item(match: assistance_source.AssistanceMatch) -> Item:
    programme = match.programme
    score = SCORE_ASSISTANCE
    if match.education:
        score += SCORE_EDUCATION_CHILD
        if len(match.child_ages) == 1:
            reason = _(
                "You have a child aged %(age)s and are on the union's hardship register: you may apply for %(title)s."
            ) % {"age": match.child_ages[0], "title": programme.name}
        else:
            reason = _(
                "You have children aged %(ages)s and are on the union's hardship register: you may apply for %(title)s."
            ) % {"ages": _ages(match.child_ages), "title": programme.name}
    else:
        reason = _("You are on the union's hardship register: you may apply for %(title)s.") % {
            "title": programme.name
        }
    if match.count_left is not None:
        reason += " " + ngettext(
            "You may receive it %(count)s more time this year.",
            "You may receive it %(count)s more times this year.",
            match.count_left,
        ) % {"count": match.count_left}
    return Item(
        kind=KIND_ASSISTANCE,
        item_id=programme.pk,
        title=programme.name,
        url=reverse("hardship:portal_assistance_apply", args=[programme.pk]),
        reason=reason[:300],
        score=round(score, 2),
    )


# -- the recommendations -------------------------------------------------------------------------------


def candidates_for(person: Any, *, now: dt.datetime | None = None) -> list[Item]:
    """Every recommendation for ``person`` now, best first (ties: the sooner deadline, then the title)."""
    now = now or timezone.now()
    activities = activity_source.open_for_member(person, now=now)
    items: list[Item] = []
    for match in activities.matches:
        item = _activity_item(match, activities.facts, now)
        if item is not None:
            items.append(item)
    items.extend(
        _benefit_item(entitlement, now) for entitlement in benefit_source.open_unchosen(person, now=now)
    )
    items.extend(
        _assistance_item(match)
        for match in assistance_source.open_for_member(
            person, children=activities.facts.children, today=timezone.localtime(now).date()
        )
    )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda item: (-item.score, item.deadline or far, item.title, item.item_id))
    return items


def recommendations_for(person: Any, *, limit: int = 5, now: dt.datetime | None = None) -> list[Item]:
    """The member's top ``limit`` recommendations (empty for no person)."""
    if person is None:
        return []
    return candidates_for(person, now=now)[:limit]


# -- take-up figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TakeUp:
    shown: int
    taken: int

    @property
    def rate(self) -> float | None:
        """Share taken up, in percent (None when nothing was shown)."""
        return round(100 * self.taken / self.shown, 1) if self.shown else None


def _rows(since: dt.date | None) -> Any:
    rows = Recommendation.objects.all()
    if since is not None:
        rows = rows.filter(first_shown_at__date__gte=since)
    return rows


def take_up_stats(since: dt.date | None = None) -> dict[str, Any]:
    """Recommendations shown (member–item pairs first shown on or after ``since``) and taken up: overall,
    per kind (every kind, zeros included), per month of first showing and kind, and the top items."""
    rows = _rows(since)
    taken = Count("id", filter=Q(taken_up_at__isnull=False))
    by_kind_rows = {
        row["kind"]: TakeUp(row["shown"], row["taken"])
        for row in rows.order_by().values("kind").annotate(shown=Count("id"), taken=taken)
    }
    by_kind: list[dict[str, Any]] = [
        {"kind": kind, "label": label, "figures": by_kind_rows.get(kind, TakeUp(0, 0))}
        for kind, label in Recommendation.Kind.choices
    ]
    overall = TakeUp(
        sum(row["figures"].shown for row in by_kind), sum(row["figures"].taken for row in by_kind)
    )
    months: dict[dt.date, dict[str, TakeUp]] = {}
    for row in (
        rows.order_by()
        .annotate(month=TruncMonth("first_shown_at"))
        .values("month", "kind")
        .annotate(shown=Count("id"), taken=taken)
    ):
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        months.setdefault(month, {})[row["kind"]] = TakeUp(row["shown"], row["taken"])
    by_month = []
    for month in sorted(months, reverse=True):
        figures = months[month]
        total = TakeUp(sum(f.shown for f in figures.values()), sum(f.taken for f in figures.values()))
        by_month.append(
            {
                "month": month,
                "kinds": [figures.get(kind, TakeUp(0, 0)) for kind in Recommendation.Kind.values],
                "total": total,
            }
        )
    labels = dict(Recommendation.Kind.choices)
    top = [
        {
            "kind": row["kind"],
            "kind_label": labels.get(row["kind"], row["kind"]),
            "item_id": row["item_id"],
            "title": row["title"],
            "figures": TakeUp(row["shown"], row["taken"]),
            "impressions": row["impressions"] or 0,
        }
        for row in rows.order_by()
        .values("kind", "item_id")
        .annotate(
            # Every row of an item carries its title as it was shown; any one of them names it.
            title=Max("title"),
            shown=Count("id"),
            taken=taken,
            impressions=Sum("times_shown"),
        )
        .order_by("-shown", "-taken", "kind", "item_id")[:20]
    ]
    return {"overall": overall, "by_kind": by_kind, "by_month": by_month, "top": top}


def kind_labels() -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in Recommendation.Kind.choices]
