"""What the appeals router learns from (``ai.registry.RouterSpec(name="appeals")``): the appeals whose
routing is confirmed, labelled with their current category (a misrouted appeal counts only once it is
routed again, with the corrected category), and per category in use a seed text from its name,
description, keywords and office for the cold start. Labels are category pks as strings."""

from __future__ import annotations

from typing import Any

from ..models import Appeal, Category

EXAMPLE_LIMIT = 50_000


def examples() -> list[tuple[str, str]]:
    rows = (
        Appeal.objects.filter(routing_confirmed=True, category__isnull=False, category__is_active=True)
        .order_by("-id")
        .values_list("title", "body", "category_id")[:EXAMPLE_LIMIT]
    )
    return [(f"{title}\n{body}", str(category_id)) for title, body, category_id in rows]


def seeds() -> list[tuple[str, str]]:
    rows = Category.objects.filter(is_active=True, office__is_active=True).values_list(
        "pk", "name", "description", "keywords", "office__name"
    )
    return [
        (" ".join(part for part in (name, description, keywords, office) if part), str(pk))
        for pk, name, description, keywords, office in rows
    ]


def training_data() -> Any:
    """The router's ``TrainingData`` (imported here so that this module loads without ``ai``)."""
    from smartunion.ai.registry import TrainingData

    return TrainingData(examples=examples(), seeds=seeds())
