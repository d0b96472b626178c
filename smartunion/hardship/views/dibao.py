"""The table of local 低保 standards (city × year): read by every holder of ``hardship.files.view``, edited
by ``hardship.dibao.manage``. Saving a standard recomputes the categories of the files it applies to."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartunion.core.forms_support import apply_validation_error
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from ..forms.reviews import DibaoForm
from ..models import DibaoStandard
from ..selectors import dibao as selectors
from ..services import dibao as services


@require_perm("hardship.files.view")
def dibao_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "hardship/dibao/list.html",
        {
            "standards": list(selectors.dibao_standards()),
            "can_edit": request.user.scope_for("hardship.dibao.manage").at_top,
            "breadcrumbs": [(_("低保 standards"), "")],
        },
    )


def _form_page(request: AuthenticatedRequest, standard: DibaoStandard | None) -> HttpResponse:
    # The table is school-wide: editing it is for the holders at the top of the tree.
    if not request.user.scope_for("hardship.dibao.manage").at_top:
        raise PermissionDenied
    form = DibaoForm.for_standard(request.POST or None, standard, settings.HARDSHIP_DEFAULT_CITY)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.dibao_save(
                    actor=request.user,
                    standard=standard,
                    city=data["city"],
                    year=data["year"],
                    monthly_amount=data["monthly_amount"],
                    note=data["note"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
                status = 400
            else:
                messages.success(
                    request,
                    _("Saved: %(city)s %(year)s.")
                    % {"city": saved.standard.city, "year": saved.standard.year}
                    + " "
                    + ngettext(
                        "%(recomputed)s file recomputed, %(changed)s changed category.",
                        "%(recomputed)s files recomputed, %(changed)s changed category.",
                        saved.recomputed,
                    )
                    % {"recomputed": saved.recomputed, "changed": saved.changed},
                )
                return redirect("hardship:dibao_list")
        else:
            status = 400
    title = _("Edit a 低保 standard") if standard is not None else _("Add a 低保 standard")
    return render(
        request,
        "hardship/dibao/form.html",
        {
            "form": form,
            "title": title,
            "standard": standard,
            "breadcrumbs": [(_("低保 standards"), reverse("hardship:dibao_list")), (title, "")],
        },
        status=status,
    )


@require_perm("hardship.dibao.manage")
def dibao_new(request: AuthenticatedRequest) -> HttpResponse:
    return _form_page(request, None)


@require_perm("hardship.dibao.manage")
def dibao_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    standard = selectors.dibao_standards().filter(pk=pk).first()
    if standard is None:
        raise Http404
    return _form_page(request, standard)
