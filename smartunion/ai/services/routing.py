"""Asking a router for suggestions: ``suggest(router, text)`` → the active version's top labels with their
confidence.

Each process keeps the unpickled active pipeline of each router in memory, keyed by the RouterModel pk:
every call costs one small query (which version is active now?) and reloads only when another process
promoted a new version — so several app servers and workers stay consistent through the database.
When a router has no version yet, the cold-start (zero-shot) version is fitted from the seeds right here.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from .. import router as ml
from ..models import RouterModel
from ..registry import routers
from ..text import ensure_jieba
from .training import bootstrap_zero_shot, load_pipeline

logger = logging.getLogger(__name__)

_cache: dict[str, tuple[int, Any]] = {}  # router name → (RouterModel pk, unpickled pipeline)
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Suggestion:
    label: str
    confidence: float


@dataclass(frozen=True)
class Prediction:
    version: int | None
    suggestions: list[Suggestion] = field(default_factory=list)


def _active_row(router: str) -> tuple[int, int] | None:
    return (
        RouterModel.objects.filter(router=router, status=RouterModel.Status.ACTIVE)
        .values_list("pk", "version")
        .first()
    )


def _pipeline_for(router: str, pk: int) -> Any:
    cached = _cache.get(router)
    if cached is not None and cached[0] == pk:
        return cached[1]
    with _cache_lock:
        cached = _cache.get(router)
        if cached is not None and cached[0] == pk:
            return cached[1]
        pipeline = load_pipeline(RouterModel.objects.only("pipeline").get(pk=pk))
        _cache[router] = (pk, pipeline)
        return pipeline


def clear_cache() -> None:
    _cache.clear()


def suggest(router: str, text: str, *, k: int = 3) -> Prediction:
    """The ``k`` most likely labels for ``text`` by the router's active version. Empty (version None) when
    the router has neither seeds nor examples; an unknown router name raises LookupError."""
    routers.get(router)
    row = _active_row(router)
    if row is None:
        model = bootstrap_zero_shot(router=router)
        if model is None:
            return Prediction(version=None)
        row = _active_row(router)
        if row is None:
            return Prediction(version=None)
    pk, version = row
    if not (text or "").strip():
        return Prediction(version=version)
    try:
        pipeline = _pipeline_for(router, pk)
        top = ml.predict_top(pipeline, [text], k=k)[0]
    except Exception:  # e.g. a pickle from another scikit-learn version: route by hand until retrained
        logger.exception("ai: router %s v%s could not predict", router, version)
        return Prediction(version=None)
    return Prediction(
        version=version,
        suggestions=[Suggestion(label=label, confidence=round(p, 4)) for label, p in top],
    )


def warm_up(*, load_models: bool = True) -> None:
    """Load jieba's dictionary (and the active pipelines) before the first request, so that the first
    routed appeal after a restart does not wait ~1 s. Called by the WSGI entry; never raises."""
    try:
        ensure_jieba()
        if load_models:
            for spec in routers.all():
                row = _active_row(spec.name)
                if row is not None:
                    _pipeline_for(spec.name, row[0])
    except Exception:  # a missing table before migrate, a broken pickle: the first request will tell
        logger.warning("ai: warm-up skipped", exc_info=True)
