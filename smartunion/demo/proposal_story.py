"""How the demo's congress is written through the proposals services as it would have happened: a clock
the services read instead of the real time while the history is written (``history``), working-day
arithmetic on the seeded calendar (``Days``), and ``Story``, the steps of one proposal, each at its moment.
``proposals.Demo`` sorts every story's steps by time and runs them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from unittest import mock

from django.db.models import Field
from django.utils import timezone

from smartunion.core.workdays import exceptions_between
from smartunion.demo import proposal_texts as texts
from smartunion.proposals.models import (
    Assignment,
    FollowUp,
    Proposal,
    ProposalEvent,
    Reminder,
    Representative,
    Session,
    Signer,
)
from smartunion.proposals.services import drafting, evaluation, followup, handling, review, supervision

if TYPE_CHECKING:
    from smartunion.demo.proposals import Demo


# -- the clock ----------------------------------------------------------------------------------------------


class Clock:
    """What ``timezone.now()`` answers while the history is written: the moment of the current step."""

    def __init__(self, real_now: Callable[[], dt.datetime]) -> None:
        self.real_now = real_now
        self.moment: dt.datetime | None = None

    def now(self) -> dt.datetime:
        return self.moment if self.moment is not None else self.real_now()


# Fields whose default is ``timezone.now`` itself (bound when the model was defined, so patching the function
# does not reach them): they follow the clock too.
STAMPED = (
    (Signer, "invited_at"),
    (Assignment, "assigned_at"),
    (FollowUp, "submitted_at"),
    (Reminder, "sent_at"),
    (ProposalEvent, "created_at"),
)


@contextmanager
def history(clock: Clock) -> Iterator[None]:
    """While the demo's history is written, ``timezone.now()`` — and the model fields defaulting to it —
    answer the clock's moment; all is restored on the way out, errors included. The services have no
    "at" argument, so this is how they write last year's steps with last year's dates (and the audit log,
    append-only, gets them right the first time). Only the seeding command runs inside it."""
    fields = [cast(Field, model._meta.get_field(name)) for model, name in STAMPED]
    saved = [f.default for f in fields]

    def use(defaults: list[Any]) -> None:
        for stamped, default in zip(fields, defaults, strict=True):
            stamped.default = default
            stamped.__dict__.pop("_get_default", None)  # Django caches the default callable

    use([clock.now] * len(fields))
    try:
        with mock.patch.object(timezone, "now", clock.now):
            yield
    finally:
        use(saved)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def awake(moment: dt.datetime, *, before: dt.datetime) -> dt.datetime:
    """People answer invitations while awake: a moment in the night moves to the next morning (unless that
    is not before ``before``)."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 23:
        return moment
    day = local.date() + dt.timedelta(days=1 if local.hour >= 23 else 0)
    morning = at(day, 8, local.minute)
    return morning if morning < before else moment


class Days:
    """Working-day arithmetic on the seeded calendar (the rule of ``core.workdays``, read once)."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.exceptions = exceptions_between(start, end)

    def working(self, day: dt.date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def add(self, day: dt.date, count: int) -> dt.date:
        while count > 0:
            day += dt.timedelta(days=1)
            count -= self.working(day)
        return day

    def back(self, day: dt.date, count: int) -> dt.date:
        while count > 0:
            day -= dt.timedelta(days=1)
            count -= self.working(day)
        return day

    def on_or_after(self, day: dt.date) -> dt.date:
        while not self.working(day):
            day += dt.timedelta(days=1)
        return day


@dataclass(order=True)
class Step:
    moment: dt.datetime
    order: int
    action: Callable[[], object] = field(compare=False)


# -- one proposal's story -------------------------------------------------------------------------------------


class Story:
    """The steps of one proposal, each at its moment (strictly later than the one before)."""

    def __init__(
        self,
        demo: Demo,
        *,
        session: Session,
        proposer: Representative,
        template: texts.Template | None = None,
        unfit: texts.Unfit | None = None,
        variant: int = 0,
        collective: bool = False,
        recurring: bool = False,
    ) -> None:
        self.demo = demo
        self.session = session
        self.proposer = proposer
        self.user = proposer.person.user
        self.template = template
        self.kind = Proposal.Kind.COLLECTIVE if collective else Proposal.Kind.INDIVIDUAL
        if template is not None:
            self.title, self.reasons, self.suggestions = texts.compose(
                template, variant=variant, rng=demo.rng, recurring=recurring
            )
            self.category = demo.categories[template.category]
            self.lead = template.office
            self.assists: tuple[str, ...] = template.assists
        else:
            assert unfit is not None
            self.title, self.reasons, self.suggestions = unfit.title, unfit.reasons, unfit.suggestions
            self.category = demo.categories[unfit.category]
            self.lead, self.assists = "", ()
        self.unfit = unfit
        self.late = False  # submitted after the window: already an 意见建议, accepted as one
        self.decided: dt.datetime | None = None
        self.proposal: Proposal | None = None
        self.last: dt.datetime | None = None
        self.due: dt.date | None = None

    # -- plumbing --
    def step(self, moment: dt.datetime, action: Callable[[], object]) -> Story:
        assert self.last is None or moment > self.last, (self.title, moment, self.last)
        assert moment < self.demo.now, (self.title, moment)
        self.last = moment
        self.demo.schedule(moment, action)
        return self

    @property
    def p(self) -> Proposal:
        assert self.proposal is not None
        return self.proposal

    # -- 征集 --
    def draft(self, moment: dt.datetime, *, complete: bool = True) -> Story:
        def run() -> None:
            self.proposal = drafting.proposal_create(
                actor=self.user, title=self.title, kind=self.kind, session=self.session
            )
            office = self.demo.offices.get(self.lead)
            if complete:
                drafting.proposal_update(
                    actor=self.user,
                    proposal=self.p,
                    title=self.title,
                    reasons=self.reasons,
                    suggestions=self.suggestions,
                    category=self.category,
                    suggested_office=office,
                )
            else:  # half-written: what the autosave kept
                drafting.proposal_autosave(
                    actor=self.user,
                    proposal=self.p,
                    data={"reasons": self.reasons[: len(self.reasons) // 2], "category": self.category.pk},
                )

        return self.step(moment, run)

    def invite(self, moment: dt.datetime, reps: list[Representative]) -> Story:
        def run() -> None:
            for rep in reps:
                drafting.cosigner_invite(actor=self.user, proposal=self.p, representative=rep)

        return self.step(moment, run)

    def respond(self, moment: dt.datetime, rep: Representative, *, accept: bool) -> Story:
        def run() -> None:
            signer = Signer.objects.get(proposal=self.p, representative=rep)
            drafting.cosign_respond(actor=rep.person.user, signer=signer, accept=accept)

        return self.step(moment, run)

    def cosigned(self, moment: dt.datetime, answers: list[tuple[Representative, bool, dt.datetime]]) -> Story:
        """Co-signing written at once (the signers and their timeline lines, with the times they answered):
        for last year's proposals, where going through the services for each invitation costs seconds and
        shows nothing more."""

        def run() -> None:
            Signer.objects.bulk_create(
                [
                    Signer(
                        proposal=self.p,
                        representative=rep,
                        role=Signer.Role.COSIGNER,
                        status=Signer.Status.ACCEPTED if accepted else Signer.Status.DECLINED,
                        invited_at=moment,
                        responded_at=answered,
                    )
                    for rep, accepted, answered in answers
                ]
            )
            Kind = ProposalEvent.Kind
            ProposalEvent.objects.bulk_create(
                [
                    ProposalEvent(
                        proposal=self.p,
                        kind=Kind.INVITED,
                        actor=self.user,
                        text=str(rep.person),
                        is_public=False,
                        created_at=moment,
                    )
                    for rep, _, _ in answers
                ]
                + [
                    ProposalEvent(
                        proposal=self.p,
                        kind=Kind.COSIGNED if accepted else Kind.DECLINED,
                        actor=rep.person.user,
                        text=str(rep.person),
                        created_at=answered,
                    )
                    for rep, accepted, answered in answers
                ]
            )

        self.step(moment, run)
        self.last = max(answered for _, _, answered in answers)
        return self

    def collect(
        self,
        drafted: dt.datetime,
        submitted: dt.datetime | None,
        *,
        cosigners: list[Representative],
        accept: int,
        decline: int = 0,
        quiet: bool = False,
    ) -> Story:
        """Draft, invite, the answers spread until the submission (None: still seeking co-signers);
        ``quiet`` writes the co-signing at once (``cosigned``)."""
        self.draft(drafted)
        if self.kind == Proposal.Kind.INDIVIDUAL and cosigners:
            invited = drafted + dt.timedelta(minutes=12)
            end = submitted or min(drafted + dt.timedelta(days=2), self.demo.now - dt.timedelta(hours=2))
            answers = cosigners[: accept + decline]
            gap = (end - drafted - dt.timedelta(minutes=20)) / (len(answers) + 1)
            times: list[dt.datetime] = []
            for number in range(1, len(answers) + 1):
                moment = awake(drafted + dt.timedelta(minutes=15) + gap * number, before=end)
                times.append(max(moment, times[-1] + dt.timedelta(minutes=3)) if times else moment)
            if quiet:
                self.cosigned(
                    invited, [(rep, number < accept, times[number]) for number, rep in enumerate(answers)]
                )
            else:
                self.invite(invited, cosigners)
                for number, rep in enumerate(answers):
                    self.respond(times[number], rep, accept=number < accept)
        if submitted is not None:
            self.step(submitted, lambda: drafting.proposal_submit(actor=self.user, proposal=self.p))
        return self

    # -- review --
    def accept(self, moment: dt.datetime) -> Story:
        self.decided = moment
        if self.template is not None and self.template.suggestion and not self.late:
            return self.step(
                moment,
                lambda: review.proposal_convert(
                    actor=self.demo.committee, proposal=self.p, reason=texts.CONVERT_REASON
                ),
            )
        return self.step(moment, lambda: review.proposal_accept(actor=self.demo.committee, proposal=self.p))

    def reject(self, moment: dt.datetime) -> Story:
        assert self.unfit is not None
        reason = self.unfit.decision
        return self.step(
            moment, lambda: review.proposal_reject(actor=self.demo.committee, proposal=self.p, reason=reason)
        )

    def merge_into(self, moment: dt.datetime, kept: Story) -> Story:
        return self.step(
            moment,
            lambda: review.proposal_merge(
                actor=self.demo.committee, proposal=self.p, target=kept.p, reason=texts.MERGE_REASON
            ),
        )

    def withdraw(self, moment: dt.datetime, reason: str) -> Story:
        return self.step(
            moment, lambda: drafting.proposal_withdraw(actor=self.user, proposal=self.p, reason=reason)
        )

    def visibility(self, moment: dt.datetime, visibility: str) -> Story:
        return self.step(
            moment,
            lambda: review.proposal_visibility_set(
                actor=self.demo.committee, proposal=self.p, visibility=visibility
            ),
        )

    # -- 交办 and 办理 --
    def assign(
        self, day: dt.date, *, lead: str | None = None, assists: tuple[str, ...] | None = None
    ) -> Story:
        self.lead = lead or self.lead
        self.assists = self.assists if assists is None else assists
        offices = self.demo.offices
        lead_office, assist_offices = offices[self.lead], [offices[name] for name in self.assists]
        self.due = self.demo.days.add(day, self.session.reply_working_days)
        minute = self.demo.rng.randrange(0, 50)
        return self.step(
            at(day, 14, minute),
            lambda: handling.proposal_assign(
                actor=self.demo.staff, proposal=self.p, lead=lead_office, assists=assist_offices
            ),
        )

    def give_back(self, day: dt.date) -> Story:
        office, reason = self.lead, texts.RETURN_REASONS[self.template.key if self.template else ""]
        user = self.demo.office_users[office][0]
        return self.step(
            at(day, 11), lambda: handling.assignment_return(actor=user, proposal=self.p, reason=reason)
        )

    def inputs(self, day: dt.date) -> Story:
        for hour, office in enumerate(self.assists, start=14):
            user = self.demo.office_users[office][-1]
            text = self.demo.rng.choice(texts.INPUTS)

            def give(user: Any = user, text: str = text) -> None:
                handling.assist_input(actor=user, proposal=self.p, text=text)

            self.step(at(day, hour, 20), give)
        return self

    def instruct(self, day: dt.date) -> Story:
        leader = self.demo.leader_of[self.lead]
        text = self.demo.rng.choice(texts.INSTRUCTIONS).format(office=self.lead)
        return self.step(
            at(day, 9, 40), lambda: handling.instruction_add(actor=leader, proposal=self.p, text=text)
        )

    def reply(self, moment: dt.datetime, implementation: str, *, second_round: bool = False) -> Story:
        assert self.template is not None
        writer = self.demo.rng.choice(self.demo.office_users[self.lead])
        body = texts.reply_body(
            self.template,
            proposer=self.proposer.person.name,
            title=self.title,
            office=self.lead,
            second_round=second_round,
            rng=self.demo.rng,
        )
        return self.step(
            moment,
            lambda: handling.reply_submit(
                actor=writer, proposal=self.p, body=body, implementation=implementation
            ),
        )

    def signoff(self, moment: dt.datetime, *, approve: bool = True, note: str = "") -> Story:
        leader = self.demo.leader_of[self.lead]
        return self.step(
            moment,
            lambda: handling.reply_signoff(actor=leader, proposal=self.p, approve=approve, note=note),
        )

    def answer(
        self, release: dt.date, implementation: str, *, sent_back: bool = False, second_round: bool = False
    ) -> Story:
        """The lead office sends its reply a working day or two before ``release``, when the leader signs
        it off (sent back once first when ``sent_back``)."""
        days = self.demo.days
        if self.demo.leader_of.get(self.lead) is None:  # no leader to sign off: released when sent
            return self.reply(
                at(release, 10, self.demo.rng.randrange(60)), implementation, second_round=second_round
            )
        if sent_back:
            self.reply(at(days.back(release, 4), 15, 10), implementation, second_round=second_round)
            self.signoff(at(days.back(release, 3), 10, 5), approve=False, note=texts.SENT_BACK_NOTE)
        self.reply(
            at(days.back(release, self.demo.rng.choice([1, 1, 2])), 16, self.demo.rng.randrange(60)),
            implementation,
            second_round=second_round,
        )
        return self.signoff(at(release, 10, self.demo.rng.randrange(60)))

    def rate(self, moment: dt.datetime, attitude: str, result: str, comment: str = "") -> Story:
        return self.step(
            moment,
            lambda: evaluation.evaluation_submit(
                actor=self.user, proposal=self.p, attitude=attitude, result=result, comment=comment
            ),
        )

    def rehandle(self, day: dt.date) -> Story:
        self.due = self.demo.days.add(day, self.session.reply_working_days)
        return self.step(
            at(day, 10, 30),
            lambda: evaluation.unsatisfied_decide(
                actor=self.demo.committee,
                proposal=self.p,
                decision=evaluation.REHANDLE,
                note=texts.REHANDLE_NOTE,
            ),
        )

    def close_unsatisfied(self, day: dt.date, note: str, implementation: str) -> Story:
        return self.step(
            at(day, 10, 15),
            lambda: evaluation.unsatisfied_decide(
                actor=self.demo.committee,
                proposal=self.p,
                decision=evaluation.CLOSE,
                note=note,
                implementation=implementation,
            ),
        )

    def close_unrated(self, day: dt.date) -> Story:
        return self.step(
            at(day, 10, 45),
            lambda: evaluation.proposal_close(
                actor=self.demo.committee, proposal=self.p, note=texts.UNRATED_CLOSE_NOTE
            ),
        )

    def supervise(self, day: dt.date) -> Story:
        text = self.demo.rng.choice(texts.SUPERVISION_NOTES).format(office=self.lead)
        return self.step(
            at(day, 9, 30),
            lambda: supervision.supervision_note_add(
                actor=self.demo.committee, proposal=self.p, text=text, notify_office=True
            ),
        )

    # -- 回头看 --
    def report(self, day: dt.date, status_after: str, note: str) -> Story:
        user = self.demo.office_users[self.lead][0]
        return self.step(
            at(day, 10, 20),
            lambda: followup.followup_submit(
                actor=user, proposal=self.p, status_after=status_after, note=note
            ),
        )

    def decide_followup(self, day: dt.date, *, confirm: bool) -> Story:
        def run() -> None:
            open_one = FollowUp.objects.get(proposal=self.p, status=FollowUp.Status.SUBMITTED)
            followup.followup_decide(
                actor=self.demo.committee,
                followup=open_one,
                decision=followup.CONFIRM if confirm else followup.SEND_BACK,
                note=texts.FOLLOWUP_CONFIRM if confirm else texts.FOLLOWUP_SEND_BACK,
            )

        return self.step(at(day, 15, 30), run)
