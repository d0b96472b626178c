"""Activities (活动): one engine for every kind the union runs — 文体活动, 运动会, 讲座/沙龙/读书会, 疗休养 in
batches, 子女托管, 竞赛, 培训, 入职入会仪式/认家门, 社团 activities — with registration that never oversells.

The places are guarded in the database, not in Python: ``Activity.confirmed`` and ``UnitQuota.used`` are
counters moved only by conditional UPDATEs (``… SET confirmed = confirmed + q WHERE confirmed + q <=
capacity``) inside a short transaction, with CHECK constraints as the last line; one live registration per
member and activity is a partial unique constraint; a retried request finds its registration by its
idempotency key.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartunion.core.models import TimeStampedModel


def new_token() -> str:
    return secrets.token_urlsafe(16)


class Kind(models.TextChoices):
    SPORTS = "sports", _("Sports and culture (文体活动)")
    GAMES = "games", _("Sports meeting (运动会)")
    LECTURE = "lecture", _("Lecture, salon or reading club")
    RETREAT = "retreat", _("Recuperation trip (疗休养)")
    CHILDCARE = "childcare", _("Children's holiday care (子女托管)")
    FAMILY = "family", _("Parent–child activity (亲子活动)")
    COMPETITION = "competition", _("Competition (竞赛)")
    TRAINING = "training", _("Training (培训)")
    WELCOME = "welcome", _("Welcome for new staff (入职入会仪式/认家门)")
    CLUB = "club", _("Club activity (社团活动)")


class Club(TimeStampedModel):
    """社团 / 文体协会: members and officers, and its yearly plan "1个品牌活动 + N个支撑活动"."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("club")
        verbose_name_plural = _("clubs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClubMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        OFFICER = "officer", pgettext_lazy("club", "Officer")

    club = models.ForeignKey(
        Club, verbose_name=_("club"), on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("club membership")
        verbose_name_plural = _("club memberships")
        ordering = ["club", "-role", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["club", "person"], condition=Q(left_at__isnull=True), name="club_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.club} {self.person_id}"


class ClubPlan(models.Model):
    """A club's plan for the year: one brand activity and N supporting ones (the activities link back)."""

    club = models.ForeignKey(Club, verbose_name=_("club"), on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveSmallIntegerField(_("year"))
    brand_title = models.CharField(_("brand activity"), max_length=200)
    supporting_planned = models.PositiveSmallIntegerField(_("supporting activities planned"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("club plan")
        verbose_name_plural = _("club plans")
        ordering = ["club", "-year"]
        constraints = [models.UniqueConstraint(fields=["club", "year"], name="club_plan_once_a_year")]

    def __str__(self) -> str:
        return f"{self.club} {self.year}"


class Activity(TimeStampedModel):
    """One activity — or one batch of a series (a 疗休养 trip in batches: each batch is an Activity with its
    ``series`` parent, its own dates and places; registration is per batch)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", pgettext_lazy("activity", "Cancelled")
        FINISHED = "finished", _("Finished")

    class Visibility(models.TextChoices):
        SCHOOL = "school", _("The whole school")
        SUBTREE = "subtree", _("A unit and its sub-units")
        INVITED = "invited", _("Invited members only")

    class Allocation(models.TextChoices):
        FIRST_COME = "first_come", _("First come, first served")
        LOTTERY = "lottery", _("Lottery after the registration closes")
        APPROVAL = "approval", _("Approved by the organiser")

    class Participants(models.TextChoices):
        MEMBER = "member", _("The member")
        DEPENDANTS = "dependants", _("The member's children")
        MEMBER_AND_DEPENDANTS = "member_and_dependants", _("The member with children")
        TEAM = "team", _("A team of members")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    series = models.ForeignKey(
        "self",
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="batches",
    )
    organiser_unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("organised by"), on_delete=models.PROTECT, related_name="+"
    )
    club = models.ForeignKey(
        Club,
        verbose_name=_("club"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    is_brand = models.BooleanField(_("the club's brand activity"), default=False)
    idea = models.ForeignKey(
        "Idea",
        verbose_name=_("from the idea"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    cancel_deadline = models.DateTimeField(_("members may cancel until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.SCHOOL
    )
    visibility_unit = models.ForeignKey(
        "organisations.OrgUnit",
        verbose_name=_("visible in unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    allocation = models.CharField(
        pgettext_lazy("activity", "allocation"),
        max_length=12,
        choices=Allocation.choices,
        default=Allocation.FIRST_COME,
    )
    # Places: None = no limit. ``confirmed`` is moved only by conditional UPDATEs (see the module docstring).
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    confirmed = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    # Of ``confirmed``, the places taken outside the unit quotas (the pool = capacity − the quotas' places);
    # ``confirmed`` = ``pool_used`` + the quotas' ``used``. Moved with ``confirmed`` (services.registration).
    pool_used = models.PositiveIntegerField(_("places taken from the pool"), default=0, editable=False)
    quota_release_at = models.DateTimeField(
        _("unused unit quotas return to the pool at"), null=True, blank=True
    )
    quotas_released_at = models.DateTimeField(
        _("unit quotas released at"), null=True, blank=True, editable=False
    )
    waitlist = models.BooleanField(_("waiting list when full"), default=True)
    offer_hours = models.PositiveSmallIntegerField(_("hours to accept a freed place"), default=24)
    participants = models.CharField(
        _("who takes part"), max_length=24, choices=Participants.choices, default=Participants.MEMBER
    )
    max_quantity = models.PositiveSmallIntegerField(_("places per registration at most"), default=1)
    dependant_min_age = models.PositiveSmallIntegerField(_("children aged from"), null=True, blank=True)
    dependant_max_age = models.PositiveSmallIntegerField(_("children aged up to"), null=True, blank=True)
    team_min = models.PositiveSmallIntegerField(_("team members at least"), null=True, blank=True)
    team_max = models.PositiveSmallIntegerField(_("team members at most"), null=True, blank=True)
    # Eligibility rules, composed (selectors.eligibility): {"statuses": [...], "unit_ids": [...],
    # "sex": "F", "age_min": 30, "age_max": 55, "category_ids": [...], "child_age_min": 3, "child_age_max": 12,
    # "not_attended_kind": "retreat", "not_attended_years": 3}
    eligibility = models.JSONField(_("who may register"), default=dict, blank=True)
    hours = models.DecimalField(_("training hours"), max_digits=5, decimal_places=1, null=True, blank=True)
    # The lottery: the seed is published before the draw so anyone can re-run it.
    lottery_seed = models.CharField(_("lottery seed"), max_length=64, blank=True)
    lottery_drawn_at = models.DateTimeField(_("lottery drawn at"), null=True, blank=True)
    lottery_priority = models.CharField(
        _("lottery priority"),
        max_length=20,
        blank=True,
        help_text=_("never_attended: members who have not attended this kind recently draw first"),
    )
    lottery_unit_fair = models.BooleanField(_("share places fairly between units"), default=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    summary = models.TextField(_("summary (宣传)"), blank=True)
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("judges"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["status", "registration_closes_at"], name="activity_open_idx"),
            models.Index(fields=["organiser_unit", "starts_at"], name="activity_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(confirmed__lte=F("capacity")),
                name="activity_never_oversold",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self):
        return self.organiser_unit


class Invitation(models.Model):
    """Who is invited when the activity is visible to invited members only."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="invitation_once")]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.person_id}"


class UnitQuota(models.Model):
    """分工会名额: places reserved for a unit's members; ``used`` moves like ``Activity.confirmed``."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="quotas"
    )
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    places = models.PositiveIntegerField(_("places"))
    used = models.PositiveIntegerField(_("used"), default=0, editable=False)

    class Meta:
        verbose_name = _("unit quota")
        verbose_name_plural = _("unit quotas")
        ordering = ["activity", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "unit"], name="quota_once_per_unit"),
            models.CheckConstraint(condition=Q(used__lte=F("places")), name="quota_never_exceeded"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} {self.unit_id}: {self.used}/{self.places}"


class Question(models.Model):
    """A custom registration question."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        CHOICE = "choice", _("Choice")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="questions"
    )
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("answer type"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["activity", "order", "id"]

    def __str__(self) -> str:
        return self.label


class Team(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("team name"), max_length=100)
    captain = models.ForeignKey(
        "members.Person", verbose_name=_("captain"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["activity", "name"]
        constraints = [models.UniqueConstraint(fields=["activity", "name"], name="team_name_once")]

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    """One entry: a member (with their children, or as a team's captain) for one activity. ``quantity`` is
    the places it takes (a parent with two children: one entry, two places)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the draw or approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Place offered")
        NOT_DRAWN = "not_drawn", _("Not drawn")
        REJECTED = "rejected", _("Not approved")
        CANCELLED = "cancelled", pgettext_lazy("registration", "Cancelled")

    LIVE_STATUSES = ("pending", "confirmed", "waitlisted", "offered")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="registrations"
    )
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    # The member's unit when registering: the quota it counts against and the statistics.
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.ForeignKey(
        UnitQuota,
        verbose_name=_("counted against the quota of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    team = models.OneToOneField(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registration",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    quantity = models.PositiveSmallIntegerField(_("places"), default=1)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The lottery's record for this entry: its tier and position in the draw (explainable to the member).
    lottery_tier = models.PositiveSmallIntegerField(_("lottery tier"), null=True, blank=True)
    lottery_position = models.PositiveIntegerField(_("lottery position"), null=True, blank=True)
    token = models.CharField(
        _("check-in code"), max_length=32, unique=True, default=new_token, editable=False
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["activity", "created_at", "id"]
        indexes = [
            models.Index(fields=["activity", "status", "created_at"], name="registration_queue_idx"),
            models.Index(fields=["person", "status"], name="registration_person_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                condition=Q(status__in=["pending", "confirmed", "waitlisted", "offered"]),
                name="registration_once_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.person_id}"


class Participant(models.Model):
    """A child taking part through a registration (托管, 亲子): the family record and the age on the start day."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="dependants"
    )
    family_member = models.ForeignKey(
        "members.FamilyMember", verbose_name=_("child"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    age_on_start = models.PositiveSmallIntegerField(_("age on the first day"))

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["registration", "id"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "family_member"], name="participant_once")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "person"], name="team_member_once")]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.person_id}"


class Attendance(models.Model):
    """A day's attendance (托管 runs for weeks; training records hours): per registration, or per child."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="attendance"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attendance",
    )
    day = models.DateField(_("day"))
    present = models.BooleanField(_("present"), default=True)
    checked_in_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("left at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["day", "registration"]
        constraints = [
            # One row a day for the member (no child), and one a day per child: two partial constraints,
            # because SQLite cannot make NULLs equal in a unique constraint.
            models.UniqueConstraint(
                fields=["registration", "day"],
                condition=Q(participant__isnull=True),
                name="attendance_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["registration", "participant", "day"],
                condition=Q(participant__isnull=False),
                name="attendance_child_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.day}"


class Score(models.Model):
    """A judge's score of a competition entry."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=pgettext_lazy("competition", "entry"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    scored_at = models.DateTimeField(_("scored at"), default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["registration", "judge"], name="score_once_per_judge")]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.score}"


class Result(models.Model):
    """The published result of an entry: rank and award (competitions, 运动会 events)."""

    registration = models.OneToOneField(
        Registration,
        verbose_name=pgettext_lazy("competition", "entry"),
        on_delete=models.CASCADE,
        related_name="result",
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    award = models.CharField(_("award"), max_length=100, blank=True)
    score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["registration__activity", "rank"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.rank or ''} {self.award}"


class Photo(models.Model):
    """A photo of the activity for its summary (宣传), kept in the database like care-visit photos."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="photos"
    )
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField(_("content"), editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class Idea(TimeStampedModel):
    """点单式: an activity a member would like; others upvote it; an organiser turns it into an activity."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for votes")
        ADOPTED = "adopted", _("Turned into an activity")
        CLOSED = "closed", pgettext_lazy("idea", "Closed")

    title = models.CharField(_("idea"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    proposer = models.ForeignKey(
        "members.Person", verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    votes = models.PositiveIntegerField(_("votes"), default=0, editable=False)
    close_note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("activity idea")
        verbose_name_plural = _("activity ideas")
        ordering = ["-votes", "-created_at"]

    def __str__(self) -> str:
        return self.title


class IdeaVote(models.Model):
    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="vote_rows")
    person = models.ForeignKey(
        "members.Person", verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    # The voter's unit: demand by unit.
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    voted_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["idea", "person"], name="idea_vote_once")]

    def __str__(self) -> str:
        return f"{self.idea_id} · {self.person_id}"
