"""Permission-matrix world for the AI pages (used by tests/test_permission_matrix.py): a router model
version per side (model pages are school-wide: 200 on both sides for the holders)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


def build(world: SimpleNamespace, side: str, unit: Any, make_user: Any) -> None:
    # -- router helper: world objects --
    from smartunion.ai.models import RouterModel

    setattr(
        world,
        f"{side}_router_model",
        RouterModel.objects.create(
            router=f"matrix-{side}",
            version=1,
            kind=RouterModel.Kind.ZERO_SHOT,
            status=RouterModel.Status.ACTIVE,
            labels=["1", "2"],
            metrics={"evaluated": False},
            pipeline=b"",
            sklearn_version="1",
            jieba_version="1",
        ),
    )
    # -- end router helper --
    # -- recommendations helper: world objects --
    # One recommendation per side, taken up on the own side, so the figures pages have rows to show.
    from django.utils import timezone

    from smartunion.ai.models import Recommendation

    setattr(
        world,
        f"{side}_recommendation",
        Recommendation.objects.create(
            person=getattr(world, f"{side}_person"),
            kind=Recommendation.Kind.ACTIVITY,
            item_id=1,
            title=f"{side}推荐活动",
            reason="您参加过2次文体活动",
            taken_up_at=timezone.now() if side == "own" else None,
        ),
    )
    # -- end recommendations helper --
    return None


# -- router helper: kwargs --
def router_model(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    return {"pk": getattr(world, f"{side}_router_model").pk}


def registered_router(world: SimpleNamespace, side: str, user: Any) -> dict[str, Any]:
    """Routers are school-wide: both sides name the appeals router (registered by the appeals app)."""
    from smartunion.ai.registry import routers

    return {"router": routers.all()[0].name}


# -- end router helper kwargs --
