"""The members part of the member's personal data (个人信息查阅复制, PIPL art. 45): the person record with
the member's own full ID number and mobile (it is their own data), the membership and its events, family
members, dues, the services received and the correction requests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from smartunion.core import personal_data
from smartunion.core.navigation import PortalBlock, portal_blocks
from smartunion.core.personal_data import Section

from .models import CorrectionRequest, DuesCharge, FamilyMember, Membership, MembershipEvent, ServiceRecord
from .selectors import person_of_user


def members_sections(person: Any, user: Any) -> list[Section]:
    membership = Membership.objects.filter(person=person).select_related("unit").first()
    sections = [
        Section(
            _("Personal record"),
            [_("Item"), pgettext("personal record", "Content")],
            [
                [_("Staff number"), person.staff_no],
                [_("Name"), person.name],
                [_("Sex"), person.get_sex_display()],
                [_("ID number"), person.id_number],
                [_("Birth date"), person.birth_date],
                [_("Mobile number"), person.mobile],
                [_("Staff category"), str(person.category)],
                [_("Post type"), person.get_post_type_display()],
                [_("Hire date"), person.hire_date],
                [_("Unit"), str(person.unit)],
                [_("Post salary"), person.post_salary],
                [_("Grade salary"), person.grade_salary],
                [_("On the staff"), person.is_active],
                [_("Left on"), person.left_on],
            ],
        ),
        Section(
            _("Membership"),
            [_("Status"), _("Unit"), _("Joined on"), _("Status since"), _("Member card number")],
            [
                [
                    membership.get_status_display(),
                    str(membership.unit) if membership.unit_id else "",
                    membership.joined_on,
                    membership.status_since,
                    membership.card_no or "",
                ]
            ]
            if membership is not None
            else [],
        ),
        Section(
            _("Membership history"),
            [_("Date"), _("Event"), _("Status before"), _("Status after"), _("Reference"), _("Note")],
            [
                [
                    event.occurred_on,
                    event.get_kind_display(),
                    event.get_from_status_display(),
                    event.get_to_status_display(),
                    event.reference,
                    event.note,
                ]
                for event in MembershipEvent.objects.filter(membership=membership).order_by(
                    "occurred_on", "pk"
                )
            ]
            if membership is not None
            else [],
        ),
        Section(
            _("Family members"),
            [
                _("Relation"),
                _("Name"),
                _("Sex"),
                _("Birth date"),
                _("School or kindergarten"),
                _("Guardian consent"),
            ],
            [
                [
                    relative.get_relation_display(),
                    relative.name,
                    relative.get_sex_display(),
                    relative.birth_date,
                    relative.school,
                    relative.guardian_consent_at,
                ]
                for relative in FamilyMember.objects.filter(person=person).order_by("relation", "birth_date")
            ],
        ),
        Section(
            _("Dues"),
            [_("Month"), _("Base"), _("Dues"), _("Deducted")],
            [
                [charge.dues_month.month, charge.base, charge.amount, charge.paid]
                for charge in DuesCharge.objects.filter(membership__person=person)
                .select_related("dues_month")
                .order_by("dues_month__month")
            ],
        ),
        Section(
            _("Services received"),
            [_("When"), _("Service"), _("Amount"), _("Unit")],
            [
                [record.occurred_at, record.title, record.amount, str(record.unit)]
                for record in ServiceRecord.objects.filter(person=person)
                .select_related("unit")
                .order_by("occurred_at", "pk")
            ],
        ),
        Section(
            _("Requests to correct my data"),
            [
                _("Asked at"),
                _("What is wrong"),
                _("Correct value"),
                _("Explanation"),
                _("Status"),
                _("Reply"),
            ],
            [
                [
                    request.created_at,
                    request.get_field_display(),
                    request.requested_value,
                    request.reason,
                    request.get_status_display(),
                    request.response,
                ]
                for request in CorrectionRequest.objects.filter(person=person).order_by("created_at", "pk")
            ],
        ),
    ]
    return sections


def _block(request: HttpRequest) -> dict[str, Any] | None:
    return {} if person_of_user(request.user) is not None else None


def register_personal_data() -> None:
    personal_data.register("members", gettext_lazy("Membership"), members_sections)
    portal_blocks.register(
        PortalBlock(
            section="me",
            key="my_data",
            template="members/portal_block_my_data.html",
            context=_block,
            order=45,
        )
    )
