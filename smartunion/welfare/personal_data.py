"""The welfare part of the member's personal data (个人信息查阅复制, PIPL art. 45): festival entitlements and
the member's choices, the benefits issued, the 提货券 with their redemptions, and the care events (五必访)
reported for the member with their visits."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from smartunion.core import personal_data
from smartunion.core.personal_data import Section

from .models import CareEvent, CareVisit, Entitlement, Issuance, Voucher


def welfare_sections(person: Any, user: Any) -> list[Section]:
    visits = {
        visit.event_id: visit
        for visit in CareVisit.objects.filter(event__person=person).only("event_id", "visited_on", "visitors")
    }
    return [
        Section(
            _("Festival benefits"),
            [_("Programme"), _("Status"), _("Chosen option"), _("Chosen at"), _("Note")],
            [
                [
                    entitlement.programme.title,
                    entitlement.get_status_display(),
                    entitlement.option.name if entitlement.option else "",
                    entitlement.chosen_at,
                    entitlement.note,
                ]
                for entitlement in Entitlement.objects.filter(person=person)
                .select_related("programme", "option")
                .order_by("programme__counted_on", "pk")
            ],
        ),
        Section(
            _("Benefits issued"),
            [_("Issued on"), _("Item"), _("Form"), _("Amount")],
            [
                [issuance.issued_on, str(issuance.item), issuance.get_form_display(), issuance.amount]
                for issuance in Issuance.objects.filter(person=person)
                .select_related("item")
                .order_by("issued_on", "pk")
            ],
        ),
        Section(
            _("提货券"),
            [
                _("Goods"),
                pgettext("voucher", "Face value"),
                _("Redeemed"),
                _("Valid from"),
                _("Valid until"),
                _("Status"),
            ],
            [
                [
                    voucher.goods,
                    voucher.value,
                    voucher.redeemed_amount,
                    voucher.valid_from,
                    voucher.valid_to,
                    voucher.get_status_display(),
                ]
                for voucher in Voucher.objects.filter(issuance__person=person).order_by("valid_from", "pk")
            ],
        ),
        Section(
            _("Care events (五必访)"),
            [
                _("Event"),
                _("Date of the event"),
                _("Description"),
                _("Reported at"),
                _("Status"),
                _("Approved amount"),
                _("Visited on"),
                _("Visitors"),
            ],
            [
                [
                    event.event_type.name,
                    event.occurred_on,
                    event.description,
                    event.reported_at,
                    event.get_status_display(),
                    event.approved_amount,
                    visits[event.pk].visited_on if event.pk in visits else None,
                    visits[event.pk].visitors if event.pk in visits else "",
                ]
                for event in CareEvent.objects.filter(person=person)
                .select_related("event_type")
                .order_by("occurred_on", "pk")
            ],
        ),
    ]


def register_personal_data() -> None:
    personal_data.register("welfare", gettext_lazy("Welfare and care"), welfare_sections)
