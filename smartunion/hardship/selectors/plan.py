"""The management part of a file's page (help plan, reviews, exit and removal) — the reviews part.

``file_management_context`` gives ``hardship/files/_management.html`` one key, ``management``. What the
help measures say (their description and outcome) is shown only to those who may see the file's
sensitive data; everyone else sees the kind, who, when and the status."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from smartunion.hardship.models import AssistanceApplication, HardshipFile, HelpMeasure, Review
from smartunion.welfare.selectors import care as care_selectors

from .access import may_see_sensitive

MANAGE = "hardship.files.manage"
APPROVE = "hardship.files.approve"
PLAN_STATUSES = (*HardshipFile.OPEN_STATUSES, HardshipFile.Status.ACTIVE)
# 退档: why a file is removed (the member is told, unless they died).
REMOVAL_KINDS = {
    "death": gettext_lazy("The member has died"),
    "misidentified": gettext_lazy("Wrongly identified as in hardship"),
    "left": gettext_lazy("The member has left the school"),
}


def measures_of(file: HardshipFile) -> list[HelpMeasure]:
    return list(
        HelpMeasure.objects.filter(file=file)
        .select_related("care_event__event_type", "application__programme", "created_by")
        .order_by("planned_on", "pk")
    )


def paid_applications_of(person: Any) -> list[AssistanceApplication]:
    """The member's paid assistance (what a measure may link to as its payment)."""
    return list(
        AssistanceApplication.objects.filter(person=person, status=AssistanceApplication.Status.PAID)
        .select_related("programme")
        .order_by("-paid_at")[:50]
    )


def care_events_of(person: Any) -> list[Any]:
    """The member's care visits (welfare 五必访), newest first — read through the welfare selector."""
    return care_selectors.events_of_person(person)


def file_management_context(*, file: Any, user: Any) -> dict[str, Any]:
    """Context for ``hardship/files/_management.html`` on the file's page."""
    manage = bool(user.has_unit_perm(MANAGE, file.unit))
    reviews = list(
        Review.objects.filter(file=file).select_related("round", "reviewed_by").order_by("-due_on", "-pk")
    )
    open_review = next((review for review in reviews if review.done_at is None), None)
    return {
        "management": {
            "measures": measures_of(file),
            "show_details": may_see_sensitive(user, file),
            "can_plan": manage and file.status in PLAN_STATUSES,
            "reviews": reviews,
            "open_review": open_review if file.status == HardshipFile.Status.ACTIVE else None,
            "can_review": manage and file.status == HardshipFile.Status.ACTIVE,
            # Closing is the school union's: the permission held at the top of the tree.
            "can_close": bool(user.scope_for(APPROVE).at_top) and file.status == HardshipFile.Status.ACTIVE,
            "removal_kinds": list(REMOVAL_KINDS.items()),
            "is_closed": file.is_closed,
        }
    }
