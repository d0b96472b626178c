"""Reads for the routers' model pages (school-wide: ``ai.models.manage`` sees every router)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ..models import RouterModel
from ..registry import routers


def model_list(*, router: str = "", status: str = "") -> QuerySet[RouterModel]:
    """Versions without their pickled pipelines (megabytes each), newest first."""
    queryset = (
        RouterModel.objects.defer("pipeline", "training_digests")
        .select_related("created_by")
        .order_by("router", "-version")
    )
    if router:
        queryset = queryset.filter(router=router)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def model_get(*, pk: int) -> RouterModel:
    return get_object_or_404(
        RouterModel.objects.defer("pipeline", "training_digests").select_related("created_by"), pk=pk
    )


def router_overview() -> list[dict[str, Any]]:
    """Each registered router with its version in use (or None) and how many versions it has."""
    active = {
        model.router: model
        for model in RouterModel.objects.defer("pipeline", "training_digests").filter(
            status=RouterModel.Status.ACTIVE
        )
    }
    return [{"spec": spec, "active": active.get(spec.name)} for spec in routers.all()]
