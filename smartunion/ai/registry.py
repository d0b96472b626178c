"""The routers the AI module can fit, each registered by the app whose data trains it.

The ``ai`` app never reads another app's models: the owner registers a ``RouterSpec`` whose
``training_data()`` hands over the confirmed ``(text, label)`` examples and the ``(seed text, label)``
pairs of its taxonomy (description + keywords + name) for the cold start. Labels are strings (the
appeals router uses ``str(category.pk)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass
class TrainingData:
    examples: list[tuple[str, str]] = field(default_factory=list)  # confirmed (text, label)
    seeds: list[tuple[str, str]] = field(default_factory=list)  # (description + keywords + name, label)


@dataclass
class RouterSpec:
    name: str
    label: str | Promise  # shown in the console ("Appeals: category")
    training_data: Callable[[], TrainingData]


class RouterRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, RouterSpec] = {}

    def register(self, spec: RouterSpec) -> None:
        self._specs[spec.name] = spec

    def unregister(self, name: str) -> None:
        self._specs.pop(name, None)

    def get(self, name: str) -> RouterSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise LookupError(f"No router named {name!r} is registered.") from None

    def all(self) -> list[RouterSpec]:
        return sorted(self._specs.values(), key=lambda spec: spec.name)


routers = RouterRegistry()
