"""Background work of the AI module: retraining a router (``retrain_router``), requested after commit by
``request_retrain`` (the retrain button, or the owner app after enough new confirmed routings)."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tasks import task

from .services.training import train_router

logger = logging.getLogger(__name__)


@task()
def retrain_router(router: str, actor_id: int | None = None) -> int | None:
    """Fit, evaluate and maybe promote a new version; returns its pk (None when there was nothing to learn)."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return train_router(router=router, actor=actor).pk
    except ValidationError as exc:
        logger.warning("ai: retraining %s skipped: %s", router, exc)
        return None


def request_retrain(*, router: str, actor: Any = None) -> None:
    """Queue a retrain of ``router`` once the current transaction commits."""
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    transaction.on_commit(lambda: retrain_router.enqueue(router, actor_id))
