"""Who took part in union life: a registry that later modules (activities, surveys, elections …) fill.

自动退会 needs "连续6个月不交纳会费、不参加工会组织生活" — both conditions. Dues are known here; taking part is
known to the modules that run union life. Each registers a callable ``(since: date) -> set[person_id]``
naming the people who took part in anything since ``since``; the lapse job never proposes anyone in
any of these sets. Apps register in their ``ready()``::

    from smartunion.members import participation
    participation.register("activities.attended", attended_since)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Provider = Callable[[dt.date], set[int]]

_providers: dict[str, Provider] = {}


def register(key: str, provider: Provider) -> None:
    """Add (or replace, for the same ``key``) a source of participation."""
    _providers[key] = provider


def unregister(key: str) -> None:
    _providers.pop(key, None)


def providers() -> dict[str, Provider]:
    return dict(_providers)


def participants_since(since: dt.date) -> set[int]:
    """Ids of the people who took part in union life on or after ``since``, in any registered module."""
    people: set[int] = set()
    for provider in _providers.values():
        people |= set(provider(since))
    return people
