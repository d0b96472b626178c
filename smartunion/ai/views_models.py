"""Console pages of the routers' model versions (``console/ai/models/``): every version with its kind,
status, evaluation and library versions; one version's page; "retrain now" per router (a task)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartunion.core.audit import audit
from smartunion.core.http import AuthenticatedRequest
from smartunion.core.permissions import require_perm

from .forms import ModelFilterForm
from .registry import routers
from .selectors import models as selectors
from .tasks import request_retrain

MANAGE = "ai.models.manage"


@require_perm(MANAGE)
def model_list(request: AuthenticatedRequest) -> HttpResponse:
    form = ModelFilterForm(request.GET or None)
    router = status = ""
    if form.is_valid():
        router, status = form.cleaned_data["router"], form.cleaned_data["status"]
    page = Paginator(selectors.model_list(router=router, status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ai/models/list.html",
        {
            "form": form,
            "page": page,
            "overview": selectors.router_overview(),
            "filtered": bool(router or status),
            "breadcrumbs": [(_("Routing models"), "")],
        },
    )


@require_perm(MANAGE)
def model_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    model = selectors.model_get(pk=pk)
    try:
        spec_label = routers.get(model.router).label
    except LookupError:
        spec_label = model.router
    return render(
        request,
        "ai/models/detail.html",
        {
            "model": model,
            "router_label": spec_label,
            "breadcrumbs": [(_("Routing models"), reverse("ai:model_list")), (str(model), "")],
        },
    )


@require_POST
@require_perm(MANAGE)
def model_retrain(request: AuthenticatedRequest, router: str) -> HttpResponse:
    try:
        spec = routers.get(router)
    except LookupError:
        raise Http404 from None
    request_retrain(router=spec.name, actor=request.user)
    audit(actor=request.user, action="ai.model.retrain_requested", target=None, changes={"router": spec.name})
    messages.success(
        request,
        _(
            "Retraining of “%(router)s” started. The new version appears here when it is done (usually within a minute)."
        )
        % {"router": spec.label},
    )
    return redirect("ai:model_list")
