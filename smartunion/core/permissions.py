"""The permission registry, the organisation scope of a user, and the view decorator.

Each app declares its permission codes (``members.view``) with a label and the seeded roles that hold
them by default. Roles are sets of codes; a role is assigned to a user *at an organisation unit* and
covers that unit's whole subtree. ``core`` knows units only by a convention: a unit has a materialised
``path`` ("000001/000007/"), so a subtree is ``path__startswith``. The user model (accounts) computes
the scope; core only asks for it through :class:`ScopedUser`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.functional import Promise


@dataclass(frozen=True)
class PermissionSpec:
    code: str
    label: str | Promise
    default_roles: tuple[str, ...] = ()


_registry: dict[str, PermissionSpec] = {}


def register(*specs: PermissionSpec) -> None:
    for spec in specs:
        existing = _registry.get(spec.code)
        if existing is not None and existing != spec:
            raise ValueError(f"Permission {spec.code} registered twice with different definitions")
        _registry[spec.code] = spec


def all_permissions() -> list[PermissionSpec]:
    return sorted(_registry.values(), key=lambda spec: spec.code)


def get_permission(code: str) -> PermissionSpec:
    try:
        return _registry[code]
    except KeyError:
        raise LookupError(f"Unknown permission code {code!r}; register it in the app's ready()") from None


def permission_label(code: str) -> str:
    spec = _registry.get(code)
    return str(spec.label) if spec else code


@dataclass(frozen=True)
class Scope:
    """The set of subtrees in which a user holds one permission.

    ``paths`` holds only the topmost paths (a path inside another one adds nothing). The empty path ""
    stands for the whole tree.
    """

    paths: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, paths: Iterable[str]) -> Scope:
        ordered = sorted(set(paths), key=len)
        kept: list[str] = []
        for path in ordered:
            if not any(path.startswith(top) for top in kept):
                kept.append(path)
        return cls(frozenset(kept))

    @classmethod
    def everything(cls) -> Scope:
        return cls(frozenset({""}))

    @property
    def is_empty(self) -> bool:
        return not self.paths

    @property
    def is_everything(self) -> bool:
        return "" in self.paths

    @property
    def at_top(self) -> bool:
        """Held at the top of a tree (a root unit, path "7/"), i.e. school-wide for a university."""
        return any(path == "" or path.count("/") == 1 for path in self.paths)

    def covers(self, path: str | None) -> bool:
        if path is None:
            return self.is_everything
        return any(path.startswith(top) for top in self.paths)

    def q(self, unit_field: str = "unit") -> Q:
        """A filter keeping rows whose unit (reached through ``unit_field``; "" for the unit model
        itself) lies in the scope."""
        if self.is_everything:
            return Q()
        if self.is_empty:
            return Q(pk__in=[])
        lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
        condition = Q()
        for path in sorted(self.paths):
            condition |= Q(**{lookup: path})
        return condition

    def filter(self, queryset: QuerySet, unit_field: str = "unit") -> QuerySet:
        if self.is_empty:
            return queryset.none()
        return queryset.filter(self.q(unit_field))


class ScopedUser(Protocol):
    """What core needs from the user model (implemented by accounts.User)."""

    is_authenticated: bool

    def scope_for(self, code: str) -> Scope: ...

    def has_unit_perm(self, code: str, unit: Any = None) -> bool: ...

    def permission_codes(self) -> frozenset[str]: ...


M = TypeVar("M", bound=Model)


def scope_queryset(queryset: QuerySet[M], *, user: Any, perm: str, unit_field: str = "unit") -> QuerySet[M]:
    """Limit any queryset to the objects whose unit lies where ``user`` holds ``perm``."""
    get_permission(perm)
    return user.scope_for(perm).filter(queryset, unit_field)


def get_in_scope(
    queryset: QuerySet[M], *, user: Any, perm: str, unit_field: str = "unit", **lookup: Any
) -> M:
    """One object inside the user's scope; anything outside it is reported as not found (404)."""
    try:
        return scope_queryset(queryset, user=user, perm=perm, unit_field=unit_field).get(**lookup)
    except ObjectDoesNotExist:
        raise Http404 from None


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponseBase])


def require_perm(code: str) -> Callable[[ViewFunc], ViewFunc]:
    """Log in first; then 403 unless the user holds ``code`` somewhere in the tree.

    Whether a particular object is inside the user's scope is the selector's job (it answers 404).
    """
    get_permission(code)  # fail at import time on a typo, not at request time

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login  # imports the user model: not at load

                return redirect_to_login(request.get_full_path())
            if not user.has_unit_perm(code):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permission = code  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
