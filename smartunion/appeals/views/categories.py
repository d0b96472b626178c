"""The appeals taxonomy and routing settings (appeals.manage): categories under their handling office,
with the description and keywords the router starts from and the SLA in working days."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.organisations import selectors_offices

from ..forms.triage import CategoryForm, SettingsForm
from ..models import Category
from ..services import routing, taxonomy

MANAGE = "appeals.manage"


def _crumbs(*extra: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(_("Appeal categories"), reverse("appeals:category_list")), *extra]


def _category_get(pk: Any) -> Category:
    try:
        return Category.objects.select_related("office").get(pk=pk)
    except (Category.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


@require_perm(MANAGE)
def category_list(request: AuthenticatedRequest) -> HttpResponse:
    categories = list(Category.objects.select_related("office"))
    groups: dict[Any, list[Category]] = {}
    for category in categories:
        groups.setdefault(category.office, []).append(category)
    return render(
        request,
        "appeals/console/category_list.html",
        {
            "groups": list(groups.items()),
            "settings": routing.settings_get(),
            "breadcrumbs": [(_("Appeal categories"), "")],
        },
    )


def _form_page(request: AuthenticatedRequest, form: CategoryForm, category: Category | None) -> HttpResponse:
    title = _("Edit %(name)s") % {"name": category.name} if category else _("New appeal category")
    return render(
        request,
        "appeals/console/form.html",
        {
            "form": form,
            "title": title,
            "explanation": _(
                "Members' appeals are routed to a category and so to the office that answers it. The "
                "description and keywords are what the router starts from before it has learnt from "
                "confirmed routings. A category in use is taken out of use, never deleted."
            ),
            "cancel_url": reverse("appeals:category_list"),
            "history_object": category,
            "breadcrumbs": _crumbs((title, "")),
        },
    )


def _values(form: CategoryForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["sort_order"] = data.get("sort_order") or 0
    return data


@require_perm(MANAGE)
def category_new(request: AuthenticatedRequest) -> HttpResponseBase:
    offices = selectors_offices.office_list()
    form = CategoryForm(request.POST or None, offices=offices, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            category = taxonomy.category_create(actor=request.user, **_values(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Category “%(name)s” created.") % {"name": category})
            return redirect("appeals:category_list")
    return _form_page(request, form, None)


@require_perm(MANAGE)
def category_edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    category = _category_get(pk)
    offices = selectors_offices.office_list(active_only=False)
    initial = {field: getattr(category, field) for field in taxonomy.CATEGORY_FIELDS}
    initial["office"] = category.office_id
    form = CategoryForm(request.POST or None, offices=offices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            taxonomy.category_update(actor=request.user, category=category, **_values(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Category saved."))
            return redirect("appeals:category_list")
    return _form_page(request, form, category)


@require_perm(MANAGE)
def settings_edit(request: AuthenticatedRequest) -> HttpResponseBase:
    settings = routing.settings_get()
    initial = {field: getattr(settings, field) for field in taxonomy.SETTINGS_FIELDS}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            taxonomy.settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Appeal settings saved."))
            return redirect("appeals:category_list")
    title = _("Appeal routing settings")
    return render(
        request,
        "appeals/console/form.html",
        {
            "form": form,
            "title": title,
            "explanation": _(
                "The router routes a new appeal by itself when its confidence reaches the threshold; "
                "below it the appeal waits in the triage queue with the suggestions. It is retrained "
                "after the given number of newly confirmed routings."
            ),
            "cancel_url": reverse("appeals:category_list"),
            "history_object": settings,
            "breadcrumbs": _crumbs((title, "")),
        },
    )
