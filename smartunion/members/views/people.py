from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from smartunion.core.http import AuthenticatedRequest
from smartunion.core.masking import mask_day, mask_id_number, mask_phone
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table
from smartunion.organisations import selectors as org_selectors

from .. import selectors, services
from ..forms.membership import BULK_ACTIONS, RosterFilterForm
from ..models import Membership


def _person_url(person: Any) -> str:
    return reverse("members:person_detail", args=[person.pk])


class PersonTable(Table):
    columns = [
        Column(
            "staff_no",
            gettext_lazy("Staff number"),
            sort="staff_no",
            link=_person_url,
            width=12,
            css="nowrap",
        ),
        Column("name", gettext_lazy("Name"), sort="name", width=10, css="nowrap"),
        Column("sex", gettext_lazy("Sex"), value="get_sex_display", width=6, css="nowrap"),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=24, css="nowrap"),
        Column("category", gettext_lazy("Staff category"), value="category.name", width=10, css="nowrap"),
        Column(
            "status",
            gettext_lazy("Membership"),
            value="membership.get_status_display",
            sort="membership__status",
            width=10,
            css="nowrap",
        ),
        Column(
            "joined_on",
            gettext_lazy("Joined on"),
            value="membership.joined_on",
            sort="membership__joined_on",
            width=12,
            css="nowrap",
        ),
        Column("card_no", gettext_lazy("Member card number"), value="membership.card_no", on_screen=False),
        Column(
            "birth_date",
            gettext_lazy("Birth date"),
            sort="birth_date",
            mask=mask_day,
            reveal_perm="members.sensitive.view",
            width=12,
            css="nowrap",
        ),
        Column("hire_date", gettext_lazy("Hire date"), sort="hire_date", width=12, css="nowrap"),
        Column(
            "mobile",
            gettext_lazy("Mobile number"),
            mask=mask_phone,
            reveal_perm="members.sensitive.view",
            width=14,
        ),
        Column(
            "id_number",
            gettext_lazy("ID number"),
            mask=mask_id_number,
            reveal_perm="members.sensitive.view",
            width=22,
            css="nowrap",
        ),
        Column("post_salary", gettext_lazy("Post salary"), on_screen=False),
        Column("grade_salary", gettext_lazy("Grade salary"), on_screen=False),
    ]
    default_sort = "staff_no"
    export_name = gettext_lazy("Member roster")


class SelectablePersonTable(PersonTable):
    selectable = True


def roster_filters(form: RosterFilterForm) -> dict[str, Any]:
    if not form.is_valid():
        return {}
    data = form.cleaned_data
    return {
        "search": data["q"],
        "unit": data["unit"],
        "category": data["category"],
        "sex": data["sex"],
        "status": data["status"],
        "age_band": data["age_band"],
        "join_year": data["join_year"],
        "on_staff": {"yes": True, "no": False}.get(data["on_staff"]),
    }


@require_perm("members.view")
def person_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """The roster of the officer's subtree: staff and their membership, filtered, with bulk actions."""
    units = org_selectors.unit_choices_for_user(user=request.user, perm="members.view")
    form = RosterFilterForm(
        request.GET or None, units=units, sensitive=request.user.has_unit_perm("members.sensitive.view")
    )
    people = selectors.person_list_for_user(user=request.user, **roster_filters(form))
    can_bulk = request.user.has_unit_perm("members.membership.manage")
    table = (SelectablePersonTable if can_bulk else PersonTable)(request, people)
    return render_table(
        request,
        table,
        "members/person_list.html",
        {
            "form": form,
            "can_import": request.user.has_unit_perm("members.import"),
            "can_bulk": can_bulk,
            "bulk_actions": BULK_ACTIONS,
            "statuses": Membership.Status,
            "breadcrumbs": [(_("Member roster"), "")],
            "empty_title": _("No one matches"),
            "empty_hint": _("Clear the filters, or import the HR roster from Excel."),
        },
        export_title=_("Member roster"),
    )


@require_perm("members.view")
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    membership = person.membership
    user = request.user
    can_manage = user.has_unit_perm("members.membership.manage", membership.unit)
    status = membership.status
    actions: list[tuple[str, str]] = []
    if can_manage:
        if status in Membership.IN_SERVICE_STATUSES:
            actions.append(("retain", _("Retain membership")))
        if status == Membership.Status.RETAINED and membership.retained_reason != "retired":
            actions.append(("resume", _("Resume membership")))
        if status in Membership.MEMBER_STATUSES:
            actions += [("move", _("Move to another unit")), ("transfer_out", _("Transfer out"))]
            actions.append(("withdraw", _("Withdraw")))
        if status in Membership.MAY_APPLY_STATUSES:
            actions.append(("transfer_in", _("Transfer in (introduction letter)")))
    if status in Membership.MEMBER_STATUSES and user.has_unit_perm(
        "members.membership.expel", membership.unit
    ):
        actions.append(("expel", _("Expel")))
    family = selectors.family.family_panel_for_officer(user=user, person=person)
    if family and family["family_full"] and family["family_rows"]:
        services.family.family_viewed(actor=user, person=person)  # children's data in full: logged
    return render(
        request,
        "members/person_detail.html",
        {
            "person": person,
            "membership": membership,
            "timeline": selectors.membership.membership_timeline(membership),
            "transfers": selectors.membership.membership_transfers(membership),
            "actions": actions,
            "can_mark_left": person.is_active and user.has_unit_perm("members.edit", person.unit),
            "can_reveal": user.has_unit_perm("members.sensitive.view", person.unit),
            "family": family,
            "breadcrumbs": [(_("Member roster"), reverse("members:person_list")), (person.name, "")],
        },
    )


@require_perm("members.sensitive.view")
@require_POST
def person_reveal_id(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Shows the full ID number in place (htmx); the reveal is logged as sensitive data access."""
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    number = services.person_reveal_id_number(actor=request.user, person=person)
    return render(request, "members/person_detail.html#id-number", {"person": person, "revealed": number})
