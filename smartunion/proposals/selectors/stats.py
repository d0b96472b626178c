"""Proposal statistics (the issue's figures, the annual report's and, per office, the assessment's). One
function per block, each a few aggregate queries whatever the number of proposals.

Definitions (stated on the page and in the report, reference/domain.md §1.7, §1.9):

* **submitted** — proposals that left the drafting stage (``submitted_at`` set), whatever became of them;
* **立案** — formal proposals (record type 提案) accepted and in handling or done (accepted, assigned, reply
  awaiting sign-off, replied, unsatisfied, closed); **意见建议** — the same for opinions and suggestions
  (converted by the committee, or submitted late); **并案** — merged into another; **不立案** — rejected;
  **withdrawn** — withdrawn after submission; **under review** — submitted, not decided yet;
* the **scope** of the handling figures is 提案 only (the congress KPI) or 提案 + 意见建议 — always stated;
* **办复率** — proposals with a released reply / proposals assigned, both read from the handling rounds:
  assigned = proposals with a lead assignment that was not returned (退办) in some round, replied = those
  of them with a released reply (so never above 100 %, and a proposal returned in a later round still
  counts with the reply of an earlier one); **按时办复率** — replies released by their round's deadline /
  (replies released + rounds still unanswered past their deadline today), only in sessions with time
  limits (限时办结; without them no reply has a deadline to meet): every handling round counts, a
  re-handling round against its own deadline;
* a proposal's **rating** of a round is its proposer's (领衔提案人) evaluation of that round's reply (the
  co-signers' ratings are kept but not counted); **first round** = the rating of round 1, **final** = the
  rating of the last round the proposer rated; **满意率** of a dimension (办理态度, 办理结果) = (满意 + 基本满意)
  / rated proposals. Proposals closed without a rating are not in the denominator. Per office: the office
  that gave the rated reply (the round's lead office);
* **内涵建设类占比** — 立案 proposals whose major category class is 内涵建设 / all 立案 proposals (a subclass
  counts with its major class);
* **A/B/C shares** — the implementation status now (after replies and the 回头看) of the proposals in scope
  that have one / those proposals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Assignment, Category, Evaluation, Proposal, Reply, Session

Status = Proposal.Status
RecordType = Proposal.RecordType
Rating = Evaluation.Rating
KpiClass = Category.KpiClass
DECIDED = (
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.REPLY_SIGNOFF,
    Status.REPLIED,
    Status.UNSATISFIED,
    Status.CLOSED,
)
RUNNING = (Status.ASSIGNED, Status.REPLY_SIGNOFF)
SCOPE_PROPOSALS, SCOPE_ALL = "proposal", "all"
SessionIds = list[int] | None


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    def __str__(self) -> str:
        percent = self.percent
        return "—" if percent is None else f"{percent:.1f}%"


def _rows(queryset: Any) -> list[dict[str, Any]]:
    """The rows of a ``values().annotate()`` query as plain dicts."""
    return [dict(row) for row in queryset]


def _proposals(session_ids: SessionIds, prefix: str = "") -> Q:
    return Q(**{f"{prefix}session_id__in": session_ids}) if session_ids is not None else Q()


def _scope(scope: str, prefix: str = "") -> Q:
    if scope == SCOPE_ALL:
        return Q(**{f"{prefix}record_type__in": RecordType.values})
    return Q(**{f"{prefix}record_type": RecordType.PROPOSAL})


# -- dispositions -------------------------------------------------------------------------------------


@dataclass
class Dispositions:
    submitted: int = 0
    under_review: int = 0
    accepted: int = 0  # 立案
    suggestions: int = 0  # 意见建议
    merged: int = 0  # 并案
    rejected: int = 0  # 不立案
    withdrawn: int = 0
    late: int = 0  # submitted after the window


def _disposition_counts() -> dict[str, Count]:
    submitted = Q(submitted_at__isnull=False)
    return {
        "submitted": Count("pk", filter=submitted),
        "under_review": Count("pk", filter=Q(status=Status.SUBMITTED)),
        "accepted": Count("pk", filter=Q(status__in=DECIDED, record_type=RecordType.PROPOSAL)),
        "suggestions": Count("pk", filter=Q(status__in=DECIDED, record_type=RecordType.SUGGESTION)),
        "merged": Count("pk", filter=Q(status=Status.MERGED)),
        "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
        "withdrawn": Count("pk", filter=submitted & Q(status=Status.WITHDRAWN)),
        "late": Count("pk", filter=submitted & Q(is_late=True)),
    }


def dispositions(*, session_ids: SessionIds = None) -> Dispositions:
    """How the submitted proposals were decided (one query)."""
    row = Proposal.objects.filter(_proposals(session_ids)).aggregate(**_disposition_counts())
    return Dispositions(**{key: value or 0 for key, value in row.items()})


# -- timeliness ---------------------------------------------------------------------------------------


@dataclass
class Timeliness:
    assigned: int = 0  # proposals with a lead assignment not returned (退办)
    replied: int = 0  # of those, proposals with a released reply
    replies: int = 0  # released replies (every round)
    on_time: int = 0  # released by the deadline (sessions with time limits)
    late: int = 0  # released after it (sessions with time limits)
    overdue_open: int = 0  # rounds unanswered past their deadline today

    @property
    def reply_rate(self) -> Rate:
        return Rate(self.replied, self.assigned)

    @property
    def on_time_rate(self) -> Rate:
        return Rate(self.on_time, self.on_time + self.late + self.overdue_open)


def timeliness(
    *, session_ids: SessionIds = None, scope: str = SCOPE_PROPOSALS, today: dt.date | None = None
) -> Timeliness:
    """办复率 and 按时办复率 (two queries)."""
    today = today or timezone.localdate()
    where = _proposals(session_ids) & _scope(scope)
    released = Reply.objects.filter(status=Reply.Status.RELEASED).filter(
        _proposals(session_ids, "proposal__") & _scope(scope, "proposal__")
    )
    led = Assignment.objects.filter(proposal=OuterRef("pk"), role=Assignment.Role.LEAD).exclude(
        status=Assignment.Status.RETURNED
    )
    has_reply = Reply.objects.filter(proposal=OuterRef("pk"), status=Reply.Status.RELEASED)
    proposals = (
        Proposal.objects.filter(where)
        .alias(led=Exists(led), has_reply=Exists(has_reply))
        .aggregate(
            assigned=Count("pk", filter=Q(led=True)),
            replied=Count("pk", filter=Q(led=True, has_reply=True)),
            overdue_open=Count(
                "pk", filter=Q(status__in=RUNNING, due_date__lt=today, session__control_time_limit=True)
            ),
        )
    )
    replies = released.aggregate(
        total=Count("pk"),
        on_time=Count("pk", filter=Q(proposal__session__control_time_limit=True, is_overdue=False)),
        late=Count("pk", filter=Q(proposal__session__control_time_limit=True, is_overdue=True)),
    )
    return Timeliness(
        assigned=proposals["assigned"] or 0,
        replied=proposals["replied"] or 0,
        replies=replies["total"] or 0,
        on_time=replies["on_time"] or 0,
        late=replies["late"] or 0,
        overdue_open=proposals["overdue_open"] or 0,
    )


# -- satisfaction -------------------------------------------------------------------------------------


@dataclass
class RatingCounts:
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def evaluated(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def rate(self) -> Rate:
        return Rate(self.satisfied + self.basic, self.evaluated)


@dataclass
class DimensionRates:
    attitude: RatingCounts = field(default_factory=RatingCounts)
    result: RatingCounts = field(default_factory=RatingCounts)

    @property
    def evaluated(self) -> int:
        return self.attitude.evaluated


@dataclass
class Satisfaction:
    first: DimensionRates
    final: DimensionRates


def _rating_counts() -> dict[str, Count]:
    counts = {}
    for dimension in ("attitude", "result"):
        for rating in Rating.values:
            counts[f"{dimension}_{rating}"] = Count("pk", filter=Q(**{dimension: rating}))
    return counts


def _dimension_rates(row: dict[str, Any]) -> DimensionRates:
    return DimensionRates(
        attitude=RatingCounts(*(row.get(f"attitude_{rating}") or 0 for rating in Rating.values)),
        result=RatingCounts(*(row.get(f"result_{rating}") or 0 for rating in Rating.values)),
    )


def proposer_ratings(
    *, session_ids: SessionIds = None, scope: str = SCOPE_PROPOSALS, final: bool = False
) -> QuerySet[Evaluation]:
    """The proposals' ratings: the proposer's evaluation of round 1 (``final``: of the last round they
    rated), one per proposal."""
    ratings = Evaluation.objects.filter(is_proposer=True).filter(
        _proposals(session_ids, "proposal__") & _scope(scope, "proposal__")
    )
    if not final:
        return ratings.filter(round=1)
    last = (
        Evaluation.objects.filter(proposal=OuterRef("proposal"), is_proposer=True)
        .order_by()
        .values("proposal")
        .annotate(last=Max("round"))
        .values("last")
    )
    return ratings.filter(round=Subquery(last))


def satisfaction(*, session_ids: SessionIds = None, scope: str = SCOPE_PROPOSALS) -> Satisfaction:
    """满意率 of both dimensions, first round and final (two queries)."""
    first = proposer_ratings(session_ids=session_ids, scope=scope).aggregate(**_rating_counts())
    final = proposer_ratings(session_ids=session_ids, scope=scope, final=True).aggregate(**_rating_counts())
    return Satisfaction(first=_dimension_rates(first), final=_dimension_rates(final))


# -- categories and implementation --------------------------------------------------------------------


@dataclass
class CoreShare:
    accepted: int
    by_class: dict[str, int]
    by_category: list[tuple[str, int]]

    @property
    def rate(self) -> Rate:
        return Rate(self.by_class.get(KpiClass.CORE_DEVELOPMENT, 0), self.accepted)


def _kpi_class() -> Coalesce:
    # A subclass counts with its major class.
    return Coalesce(F("category__parent__kpi_class"), F("category__kpi_class"))


def core_share(*, session_ids: SessionIds = None) -> CoreShare:
    """内涵建设类占比 among 立案, and the 立案 by class and by major category (two queries)."""
    accepted = Proposal.objects.filter(
        _proposals(session_ids), status__in=DECIDED, record_type=RecordType.PROPOSAL
    )
    by_class = {
        (key or ""): count
        for key, count in accepted.order_by()
        .annotate(kpi=_kpi_class())
        .values_list("kpi")
        .annotate(n=Count("pk"))
    }
    by_category = [
        (name or "", count)
        for name, count in accepted.order_by()
        .annotate(major=Coalesce(F("category__parent__name"), F("category__name")))
        .values_list("major")
        .annotate(n=Count("pk"))
        .order_by("-n", "major")
    ]
    return CoreShare(accepted=sum(by_class.values()), by_class=by_class, by_category=by_category)


@dataclass
class Implementation:
    a: int = 0
    b: int = 0
    c: int = 0

    @property
    def total(self) -> int:
        return self.a + self.b + self.c

    def rate(self, key: str) -> Rate:
        return Rate(getattr(self, key.lower()), self.total)


def implementation(*, session_ids: SessionIds = None, scope: str = SCOPE_PROPOSALS) -> Implementation:
    """The A/B/C status now of the proposals in scope that have one (one query)."""
    row = Proposal.objects.filter(_proposals(session_ids) & _scope(scope)).aggregate(
        **{key.lower(): Count("pk", filter=Q(implementation=key)) for key in ("A", "B", "C")}
    )
    return Implementation(**{key: value or 0 for key, value in row.items()})


# -- per office ---------------------------------------------------------------------------------------


@dataclass
class OfficeFigures:
    """One handling office's figures (the assessment module reads these)."""

    office_id: int
    name: str
    led: int = 0  # proposals the office led in at least one round
    assisted: int = 0
    replies: int = 0
    on_time: int = 0  # released by the deadline (sessions with time limits)
    late: int = 0  # released after it (sessions with time limits)
    overdue_open: int = 0
    first: DimensionRates = field(default_factory=DimensionRates)
    final: DimensionRates = field(default_factory=DimensionRates)
    implementation: Implementation = field(default_factory=Implementation)

    @property
    def on_time_rate(self) -> Rate:
        return Rate(self.on_time, self.on_time + self.late + self.overdue_open)


def office_figures(
    *, session_ids: SessionIds = None, scope: str = SCOPE_PROPOSALS, today: dt.date | None = None
) -> list[OfficeFigures]:
    """Per office: proposals led and assisted, replies on time, both rates of both rounds, the A/B/C of
    its replies (six queries)."""
    today = today or timezone.localdate()
    in_scope = _proposals(session_ids, "proposal__") & _scope(scope, "proposal__")
    offices: dict[int, OfficeFigures] = {}

    def figures(office_id: int, name: str) -> OfficeFigures:
        if office_id not in offices:
            offices[office_id] = OfficeFigures(office_id=office_id, name=name)
        return offices[office_id]

    assignments = _rows(
        Assignment.objects.filter(in_scope)
        .exclude(status=Assignment.Status.RETURNED)
        .order_by()
        .values("office_id", "office__name")
        .annotate(
            led=Count("proposal", filter=Q(role=Assignment.Role.LEAD), distinct=True),
            assisted=Count("proposal", filter=Q(role=Assignment.Role.ASSIST), distinct=True),
        )
    )
    for row in assignments:
        item = figures(row["office_id"], row["office__name"])
        item.led, item.assisted = row["led"], row["assisted"]
    overdue = _rows(
        Assignment.objects.filter(
            in_scope,
            status=Assignment.Status.ACTIVE,
            role=Assignment.Role.LEAD,
            round=F("proposal__round"),
            proposal__status__in=RUNNING,
            proposal__due_date__lt=today,
            proposal__session__control_time_limit=True,
        )
        .order_by()
        .values("office_id", "office__name")
        .annotate(n=Count("proposal", distinct=True))
    )
    for row in overdue:
        figures(row["office_id"], row["office__name"]).overdue_open = row["n"]
    replies = _rows(
        Reply.objects.filter(in_scope, status=Reply.Status.RELEASED)
        .order_by()
        .values("office_id", "office__name")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(proposal__session__control_time_limit=True, is_overdue=False)),
            late=Count("pk", filter=Q(proposal__session__control_time_limit=True, is_overdue=True)),
            a=Count("pk", filter=Q(implementation="A")),
            b=Count("pk", filter=Q(implementation="B")),
            c=Count("pk", filter=Q(implementation="C")),
        )
    )
    for row in replies:
        item = figures(row["office_id"], row["office__name"])
        item.replies = row["total"]
        item.on_time, item.late = row["on_time"], row["late"]
        item.implementation = Implementation(a=row["a"], b=row["b"], c=row["c"])
    for final in (False, True):
        rows = _rows(
            proposer_ratings(session_ids=session_ids, scope=scope, final=final)
            .order_by()
            .values("reply__office_id", "reply__office__name")
            .annotate(**_rating_counts())
        )
        for row in rows:
            item = figures(row["reply__office_id"], row["reply__office__name"])
            setattr(item, "final" if final else "first", _dimension_rates(row))
    return sorted(offices.values(), key=lambda item: (-item.led, item.name))


# -- across sessions ----------------------------------------------------------------------------------


@dataclass
class SessionFigures:
    session: Session
    dispositions: Dispositions
    on_time: Rate
    final_attitude: Rate
    final_result: Rate
    core: Rate


def by_session(*, scope: str = SCOPE_PROPOSALS, today: dt.date | None = None) -> list[SessionFigures]:
    """The headline figures of every session, newest first (six queries whatever the number of
    sessions)."""
    today = today or timezone.localdate()
    sessions = list(Session.objects.select_related("congress").order_by("-congress__number", "-number"))
    counts = {
        row.pop("session_id"): row
        for row in _rows(Proposal.objects.order_by().values("session_id").annotate(**_disposition_counts()))
    }
    open_overdue = dict(
        Proposal.objects.filter(
            _scope(scope), status__in=RUNNING, due_date__lt=today, session__control_time_limit=True
        )
        .order_by()
        .values_list("session_id")
        .annotate(n=Count("pk"))
    )
    replies = {
        row["proposal__session_id"]: row
        for row in _rows(
            Reply.objects.filter(_scope(scope, "proposal__"), status=Reply.Status.RELEASED)
            .order_by()
            .values("proposal__session_id")
            .annotate(
                on_time=Count("pk", filter=Q(proposal__session__control_time_limit=True, is_overdue=False)),
                late=Count("pk", filter=Q(proposal__session__control_time_limit=True, is_overdue=True)),
            )
        )
    }
    ratings = {
        row["proposal__session_id"]: _dimension_rates(row)
        for row in _rows(
            proposer_ratings(scope=scope, final=True)
            .order_by()
            .values("proposal__session_id")
            .annotate(**_rating_counts())
        )
    }
    core: dict[int, dict[str, int]] = {}
    for session_id, kpi, count in (
        Proposal.objects.filter(status__in=DECIDED, record_type=RecordType.PROPOSAL)
        .order_by()
        .annotate(kpi=_kpi_class())
        .values_list("session_id", "kpi")
        .annotate(n=Count("pk"))
    ):
        core.setdefault(session_id, {})[kpi or ""] = count
    result = []
    for session in sessions:
        reply = replies.get(session.pk, {"on_time": 0, "late": 0})
        rates = ratings.get(session.pk, DimensionRates())
        classes = core.get(session.pk, {})
        result.append(
            SessionFigures(
                session=session,
                dispositions=Dispositions(**{k: v or 0 for k, v in counts.get(session.pk, {}).items()}),
                on_time=Rate(
                    reply["on_time"], reply["on_time"] + reply["late"] + open_overdue.get(session.pk, 0)
                ),
                final_attitude=rates.attitude.rate,
                final_result=rates.result.rate,
                core=Rate(classes.get(KpiClass.CORE_DEVELOPMENT, 0), sum(classes.values())),
            )
        )
    return result


# -- everything of one page or report -----------------------------------------------------------------


@dataclass
class Report:
    session_ids: SessionIds
    scope: str
    dispositions: Dispositions
    timeliness: Timeliness
    satisfaction: Satisfaction
    core: CoreShare
    implementation: Implementation
    offices: list[OfficeFigures]


def report(
    *, session_ids: SessionIds = None, scope: str = SCOPE_PROPOSALS, today: dt.date | None = None
) -> Report:
    return Report(
        session_ids=session_ids,
        scope=scope,
        dispositions=dispositions(session_ids=session_ids),
        timeliness=timeliness(session_ids=session_ids, scope=scope, today=today),
        satisfaction=satisfaction(session_ids=session_ids, scope=scope),
        core=core_share(session_ids=session_ids),
        implementation=implementation(session_ids=session_ids, scope=scope),
        offices=office_figures(session_ids=session_ids, scope=scope, today=today),
    )


def sessions() -> list[Session]:
    return list(Session.objects.select_related("congress").order_by("-congress__number", "-number"))


def session_proposals(session: Session) -> list[Proposal]:
    """Every decided or handled proposal of the session for the report's table, in number order, with its
    current lead office and the proposer's final rating (three queries)."""
    proposals = list(
        Proposal.objects.filter(session=session)
        .exclude(number="")
        .select_related("proposer__person", "category__parent")
        .order_by("record_type", "number")
    )
    ids = [p.pk for p in proposals]
    leads: dict[int, str] = {}
    for proposal_id, _round, name in (
        Assignment.objects.filter(proposal_id__in=ids, role=Assignment.Role.LEAD)
        .exclude(status=Assignment.Status.RETURNED)
        .order_by("proposal_id", "round")
        .values_list("proposal_id", "round", "office__name")
    ):
        leads[proposal_id] = name  # the last round's lead wins
    ratings = {
        e.proposal_id: e
        for e in Evaluation.objects.filter(proposal_id__in=ids, is_proposer=True).order_by(
            "proposal_id", "round"
        )
    }
    for proposal in proposals:
        proposal.lead_office_name = leads.get(proposal.pk, "")  # type: ignore[attr-defined]
        proposal.final_rating = ratings.get(proposal.pk)  # type: ignore[attr-defined]
    return proposals
