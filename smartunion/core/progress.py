"""Progress of long work (imports, batch issuance), kept in the shared cache so the page polling it may
be served by another process than the worker doing the work. Losing it is harmless: the page then
falls back on the job's stored status."""

from __future__ import annotations

from django.core.cache import cache

TTL_SECONDS = 6 * 3600


def _key(name: str) -> str:
    return f"progress:{name}"


def set_progress(name: str, done: int, total: int, *, phase: str = "") -> None:
    cache.set(_key(name), {"done": done, "total": total, "phase": phase}, TTL_SECONDS)


def get_progress(name: str) -> dict[str, int | str] | None:
    value = cache.get(_key(name))
    if not value:
        return None
    total = int(value["total"]) or 1
    value["percent"] = min(100, int(int(value["done"]) * 100 / total))
    return value


def clear_progress(name: str) -> None:
    cache.delete(_key(name))
