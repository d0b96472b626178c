"""Console pages of the chart of categories (收支科目): the tree for every reader of the books, adding and
changing categories for the union office (finance.budget.manage at the top of the tree)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm
from smartunion.core.tables import Column, Table, render_table

from . import chart, selectors
from .forms import CategoryForm
from .models import Category


def _may_manage(user: Any) -> bool:
    return bool(user.scope_for("finance.budget.manage").at_top)


def _validity(row: selectors.ChartRow) -> str:
    category = row.category
    if category.valid_from and category.valid_to:
        return f"{category.valid_from:%Y-%m-%d} – {category.valid_to:%Y-%m-%d}"
    if category.valid_from:
        return _("from %(date)s") % {"date": f"{category.valid_from:%Y-%m-%d}"}
    if category.valid_to:
        return _("until %(date)s") % {"date": f"{category.valid_to:%Y-%m-%d}"}
    return _("always")


class ChartTable(Table):
    columns = [
        Column("code", gettext_lazy("Code"), value="category.code", width=10),
        # Full-width spaces indent the tree on screen and in the workbook alike.
        Column(
            "name",
            gettext_lazy("Category name"),
            value=lambda row: "\u3000" * row.depth + row.category.name,
            width=24,
        ),
        Column("kind", gettext_lazy("Kind"), value=lambda row: row.category.get_kind_display(), width=10),
        Column(
            "overspend",
            gettext_lazy("Overspend control"),
            value=lambda row: (
                row.category.get_overspend_display() if row.category.kind == Category.Kind.EXPENSE else "—"
            ),
            width=30,
        ),
        Column("validity", gettext_lazy("In use"), value=_validity, width=22),
        Column("budget_lines", gettext_lazy("Budget lines"), value="budget_lines", width=10, css="num"),
        Column("postings", gettext_lazy("Posted lines"), value="postings", width=10, css="num"),
    ]
    default_sort = "pk"
    page_size = 200
    page_sizes = (200,)
    unit_path = None
    export_name = gettext_lazy("Chart of categories")


@require_perm("finance.view")
def category_list(request: AuthenticatedRequest) -> HttpResponseBase:
    rows = selectors.RowList(selectors.category_tree())
    may_manage = _may_manage(request.user)
    return render_table(
        request,
        ChartTable(request, rows),  # type: ignore[arg-type]
        "finance/category_list.html",
        {
            "can_manage": may_manage,
            "row_actions_template": "finance/category_row_actions.html" if may_manage else "",
            "breadcrumbs": [(_("Chart of categories"), "")],
            "empty_title": _("The chart is empty"),
            "empty_hint": _("The union office adds the income and expense categories."),
        },
        export_title=_("Chart of categories"),
    )


def _form_page(request: AuthenticatedRequest, form: CategoryForm, category: Category | None) -> HttpResponse:
    title = _("Change category %(category)s") % {"category": category} if category else _("Add a category")
    return render(
        request,
        "finance/simple_form.html",
        {
            "form": form,
            "title": title,
            "section": _("Chart of categories"),
            "intro": _(
                "The chart is school-wide. Once money has been budgeted or posted on a category, its code and "
                "kind are fixed; its name, overspend control and dates can still change. Every change is "
                "recorded in the audit log."
            ),
            "cancel_url": reverse("finance:category_list"),
            "breadcrumbs": [(_("Chart of categories"), reverse("finance:category_list")), (title, "")],
        },
    )


def _save(request: AuthenticatedRequest, category: Category | None) -> HttpResponse:
    if not _may_manage(request.user):
        raise PermissionDenied
    form = CategoryForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = chart.category_save(
                actor=request.user,
                category=category,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
                overspend=data["overspend"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if category is None:
                messages.success(request, _("Category added: %(category)s.") % {"category": saved})
            else:
                messages.success(request, _("Category changed: %(category)s.") % {"category": saved})
            return redirect("finance:category_list")
    return _form_page(request, form, category)


@require_perm("finance.budget.manage")
def category_new(request: AuthenticatedRequest) -> HttpResponse:
    return _save(request, None)


@require_perm("finance.budget.manage")
def category_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not _may_manage(request.user):
        raise PermissionDenied
    return _save(request, get_object_or_404(Category, pk=pk))
