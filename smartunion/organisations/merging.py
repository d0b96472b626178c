"""What happens to other apps' records when a unit is merged into another.

Each app that keeps records "at" a unit says so, in its own terms: either its model declares
``UNIT_MERGE_POLICY = "keep"`` (the rows are the merged unit's history and stay with it), or the app
registers a handler that moves its rows through its own service (and writes its own audit trail). The
organisations app never writes another app's tables; a model with a unit and no policy stops the merge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# handler(source=, target=, actor=) → number of records moved
MergeHandler = Callable[..., int]

_handlers: dict[str, MergeHandler] = {}


def register_merge_handler(model_label: str, handler: MergeHandler) -> None:
    _handlers[model_label] = handler


def reassign_records(*, source: Any, target: Any, actor: Any, own_models: set[type]) -> dict[str, int]:
    moved: dict[str, int] = {}
    for relation in type(source)._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        model = relation.related_model
        if model in own_models or getattr(model, "UNIT_MERGE_POLICY", None) == "keep":
            continue
        label = model._meta.label
        handler = _handlers.get(label)
        if handler is None:
            raise ImproperlyConfigured(
                f"{label} refers to units but says nothing about merges: register a merge handler "
                "(organisations.merging.register_merge_handler) or set UNIT_MERGE_POLICY = 'keep'."
            )
        count = handler(source=source, target=target, actor=actor)
        if count:
            moved[label] = count
    return moved
