"""The union tree: 校工会 → 分工会 / 直属工会小组 → 工会小组, any depth (a provincial education union
above many universities is the same tree with more levels).

Each unit stores a materialised path of its ancestors' ids ("1/7/23/"), so a subtree is one
``path LIKE '1/7/%'`` query and the ancestors are one ``id IN (1, 7)`` query, whatever the depth.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartunion.core.models import TimeStampedModel


class UnitKind(models.Model):
    """The kind of institution behind a unit (学院, 机关处室, 直属单位, 附属单位 …), an editable list."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("unit kind")
        verbose_name_plural = _("unit kinds")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class OrgUnit(TimeStampedModel):
    class UnionType(models.TextChoices):
        FEDERATION = "federation", _("Higher union")
        SCHOOL = "school", _("School union")
        BRANCH = "branch", _("Sub-union")
        DIRECT_GROUP = "direct_group", _("Directly affiliated union group")
        GROUP = "group", _("Union group")

    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    code = models.CharField(_("unit code"), max_length=30, unique=True)
    union_type = models.CharField(_("union level"), max_length=20, choices=UnionType.choices)
    kind = models.ForeignKey(
        UnitKind,
        verbose_name=_("unit kind"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"], condition=Q(is_active=True), name="unit_name_unique_among_siblings"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_unit(self) -> OrgUnit:
        return self

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to the parent (read from the path: no query)."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]


class UnitAlias(models.Model):
    """Another spelling of a unit's name (HR writes 机械学院 for 机械工程学院), used by every import."""

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField(_("alias"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("unit alias")
        verbose_name_plural = _("unit aliases")
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.unit}"


class PositionKind(models.Model):
    """Officer positions (主席, 副主席, 委员, 组长, 女工委员 …), an editable list."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("officer position")
        verbose_name_plural = _("officer positions")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class OfficerTerm(models.Model):
    """Someone holding a position at a unit from a date, until a date (open while serving)."""

    UNIT_MERGE_POLICY = "keep"  # the terms are the history of the merged unit; they stay with it

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="officer_terms"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="officer_terms",
    )
    position = models.ForeignKey(PositionKind, verbose_name=_("position"), on_delete=models.PROTECT)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("officer term")
        verbose_name_plural = _("officer terms")
        ordering = ["position__sort_order", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="officer_term_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.position} {self.user}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class HandlingOffice(models.Model):
    """A school department that answers staff-congress proposals and appeals (承办单位: 后勤管理处,
    人事处 …). Departments are not union units, so they are their own editable list; ``unit`` links the
    department's union group when there is one (for reports only)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("union unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handling_offices",
    )
    # 分管校领导: signs off replies and gives instructions (批示) on this office's proposals.
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising school leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervised_offices",
    )
    # What the office handles, in words: the appeals router's cold start and the committee's guide.
    duties = models.TextField(_("duties"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("handling office")
        verbose_name_plural = _("handling offices")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_unit(self) -> OrgUnit | None:
        return self.unit


class OfficeStaff(models.Model):
    """A user who works for a handling office; ``is_head`` marks the office head, to whom overdue work
    is escalated."""

    office = models.ForeignKey(
        HandlingOffice, verbose_name=_("handling office"), on_delete=models.CASCADE, related_name="staff"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="office_positions",
    )
    is_head = models.BooleanField(_("office head"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("office staff")
        verbose_name_plural = _("office staff")
        ordering = ["office", "-is_head", "user"]
        constraints = [models.UniqueConstraint(fields=["office", "user"], name="office_staff_unique")]

    def __str__(self) -> str:
        return f"{self.office} {self.user}"
