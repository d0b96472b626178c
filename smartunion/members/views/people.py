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
from ..forms import PersonFilterForm


def _person_url(person: Any) -> str:
    return reverse("members:person_detail", args=[person.pk])


class PersonTable(Table):
    columns = [
        Column("staff_no", gettext_lazy("Staff number"), sort="staff_no", link=_person_url, width=12),
        Column("name", gettext_lazy("Name"), sort="name", width=10),
        Column("sex", gettext_lazy("Sex"), value="get_sex_display", width=6),
        Column("unit", gettext_lazy("Unit"), value="unit.name", sort="unit__path", width=24),
        Column("category", gettext_lazy("Staff category"), value="category.name", width=10),
        Column(
            "birth_date",
            gettext_lazy("Birth date"),
            sort="birth_date",
            mask=mask_day,
            reveal_perm="members.sensitive.view",
            width=12,
        ),
        Column("hire_date", gettext_lazy("Hire date"), sort="hire_date", width=12),
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
        ),
        Column("post_salary", gettext_lazy("Post salary"), on_screen=False),
        Column("grade_salary", gettext_lazy("Grade salary"), on_screen=False),
    ]
    default_sort = "staff_no"
    export_name = gettext_lazy("Staff list")


@require_perm("members.view")
def person_list(request: AuthenticatedRequest) -> HttpResponseBase:
    units = org_selectors.unit_choices_for_user(user=request.user, perm="members.view")
    form = PersonFilterForm(
        request.GET or None, units=units, sensitive=request.user.has_unit_perm("members.sensitive.view")
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"],
            "unit": data["unit"],
            "category": data["category"],
            "sex": data["sex"],
        }
    people = selectors.person_list_for_user(user=request.user, **filters)
    return render_table(
        request,
        PersonTable(request, people),
        "members/person_list.html",
        {
            "form": form,
            "can_import": request.user.has_unit_perm("members.import"),
            "breadcrumbs": [(_("Staff"), "")],
            "empty_title": _("No staff match"),
            "empty_hint": _("Clear the filters, or import the staff list from Excel."),
        },
        export_title=_("Staff list"),
    )


@require_perm("members.view")
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "members/person_detail.html",
        {
            "person": person,
            "can_reveal": request.user.has_unit_perm("members.sensitive.view", person.unit),
            "breadcrumbs": [(_("Staff"), reverse("members:person_list")), (person.name, "")],
        },
    )


@require_perm("members.sensitive.view")
@require_POST
def person_reveal_id(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Shows the full ID number in place (htmx); the reveal is logged as sensitive data access."""
    person = selectors.person_get_for_user(user=request.user, pk=pk)
    number = services.person_reveal_id_number(actor=request.user, person=person)
    return render(request, "members/person_detail.html#id-number", {"person": person, "revealed": number})
