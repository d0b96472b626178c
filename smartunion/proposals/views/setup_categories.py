"""Console pages of the proposal category taxonomy: two levels (major class → subclass), each major class
in a statistics class (内涵建设 / 民生福利 / 其他) that the KPI 内涵建设类占比 counts by."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.setup import CategoryForm
from ..models import Category
from ..selectors import congress as selectors
from ..services import congress as services
from .setup import MANAGE


def _crumbs(*extra: tuple[Any, str]) -> list[tuple[Any, str]]:
    return [(_("Proposal categories"), reverse("proposals:category_list")), *extra]


def _values(form: CategoryForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["sort_order"] = data.get("sort_order") or 0
    return data


@require_perm(MANAGE)
def category_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "proposals/setup/category_list.html",
        {"tree": selectors.category_tree(), "breadcrumbs": [(_("Proposal categories"), "")]},
    )


def _page(request: AuthenticatedRequest, form: CategoryForm, category: Category | None) -> HttpResponse:
    title = _("Edit %(name)s") % {"name": category.name} if category else _("New category")
    return render(
        request,
        "proposals/setup/form.html",
        {
            "form": form,
            "title": title,
            "explanation": _(
                "A proposer picks a subclass; the committee may re-classify at 立案. A category in use is "
                "retired (out of use), never deleted."
            ),
            "cancel_url": reverse("proposals:category_list"),
            "submit_label": _("Save"),
            "history_object": category,
            "breadcrumbs": _crumbs((title, "")),
        },
    )


@require_perm(MANAGE)
def category_new(request: AuthenticatedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"is_active": True}
    if request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(actor=request.user, **_values(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Category “%(name)s” created.") % {"name": category})
            return redirect("proposals:category_list")
    return _page(request, form, None)


@require_perm(MANAGE)
def category_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    category = selectors.category_get(pk)
    initial = {field: getattr(category, field) for field in services.CATEGORY_FIELDS}
    initial["parent"] = category.parent_id
    form = CategoryForm(request.POST or None, initial=initial, category=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(actor=request.user, category=category, **_values(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Category saved."))
            return redirect("proposals:category_list")
    return _page(request, form, category)
