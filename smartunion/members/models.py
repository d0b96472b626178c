"""People as HR knows them (工号, 姓名, 身份证号 …). Membership of the union builds on this (members issue)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartunion.core.fields import EncryptedTextField
from smartunion.core.masking import mask_day, mask_phone
from smartunion.core.models import TimeStampedModel


class StaffCategory(models.Model):
    """人员类别 (在编, 人事代理, 合同制, 劳务派遣, 退休 …), an editable list."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    is_retired = models.BooleanField(_("retired staff"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("staff category")
        verbose_name_plural = _("staff categories")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    # The audit log is read widely: these are recorded masked (the ID number by the services themselves).
    AUDIT_MASKS = {"mobile": mask_phone, "birth_date": mask_day}

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class PostType(models.TextChoices):
        PROFESSIONAL = "professional", _("Professional and technical post")
        MANAGEMENT = "management", _("Management post")
        SUPPORT = "support", _("Skilled support post")
        OTHER = "other", _("Other")

    staff_no = models.CharField(_("staff number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # 身份证号: sensitive personal information — encrypted at rest, found through its keyed hash.
    id_number = EncryptedTextField(_("ID number"), blank=True)
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    category = models.ForeignKey(StaffCategory, verbose_name=_("staff category"), on_delete=models.PROTECT)
    post_type = models.CharField(_("post type"), max_length=20, choices=PostType.choices, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    unit = models.ForeignKey(
        "organisations.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people"
    )
    post_salary = models.DecimalField(_("post salary"), max_digits=12, decimal_places=2, default=Decimal("0"))
    grade_salary = models.DecimalField(
        _("grade salary"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["staff_no"]
        indexes = [models.Index(fields=["unit", "staff_no"], name="person_unit_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.staff_no}）"
