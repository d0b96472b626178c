"""Registries through which each app adds itself to the two shells without core importing it.

* ``console_nav``: the left navigation of the console. An entry is shown when the user holds its
  permission (a code, or a callable for entries that depend on several codes).
* ``portal_blocks``: blocks of the member portal's pages (首页, 活动, 福利, 服务, 我的). A block's
  ``context`` callable returns the template context, or None to leave the block out for this user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GROUP_WORK = "work"
GROUP_ORGANISATION = "organisation"
GROUP_FINANCE = "finance"
GROUP_WELFARE = "welfare"
GROUP_HARDSHIP = "hardship"
GROUP_CONGRESS = "congress"
GROUP_SYSTEM = "system"
GROUP_LABELS = {
    GROUP_WORK: _("Union work"),
    GROUP_ORGANISATION: _("Organisation and members"),
    GROUP_FINANCE: _("Funds"),
    GROUP_WELFARE: _("Welfare and care"),
    GROUP_HARDSHIP: _("Hardship assistance"),
    GROUP_CONGRESS: _("Staff congress (教代会)"),
    GROUP_SYSTEM: _("System"),
}
GROUP_ORDER = [
    GROUP_WORK,
    GROUP_WELFARE,
    GROUP_HARDSHIP,
    GROUP_CONGRESS,
    GROUP_FINANCE,
    GROUP_ORGANISATION,
    GROUP_SYSTEM,
]


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    permission: str | Callable[[Any], bool] | None
    icon: str = "dot"
    group: str = GROUP_WORK
    order: int = 50

    def visible_to(self, user: Any) -> bool:
        if self.permission is None:
            return True
        if callable(self.permission):
            return bool(self.permission(user))
        return bool(user.has_unit_perm(self.permission))


class ConsoleNav:
    def __init__(self) -> None:
        self._items: dict[str, NavItem] = {}

    def register(self, *items: NavItem) -> None:
        for item in items:
            self._items[item.key] = item

    def items(self) -> list[NavItem]:
        return sorted(self._items.values(), key=lambda item: (item.order, item.key))

    def for_user(self, user: Any, current_key: str = "", path: str = "") -> list[dict[str, Any]]:
        """Visible entries grouped for the sidebar: [{label, entries: [{label, url, icon, active}]}].
        The active entry is ``current_key``, or the one whose address is the longest prefix of ``path``
        (so /console/members/dues/ lights 会费, not 会员名册 as well)."""
        groups: dict[str, list[dict[str, Any]]] = {}
        for item in self.items():
            if not item.visible_to(user):
                continue
            groups.setdefault(item.group, []).append(
                {
                    "key": item.key,
                    "label": item.label,
                    "url": reverse(item.url_name),
                    "icon": item.icon,
                    "active": item.key == current_key,
                }
            )
        if path and not current_key:
            entries = [entry for group in groups.values() for entry in group]
            matching = [entry for entry in entries if path.startswith(entry["url"])]
            if matching:
                max(matching, key=lambda entry: len(entry["url"]))["active"] = True
        return [
            {"key": group, "label": GROUP_LABELS.get(group, group), "entries": groups[group]}
            for group in GROUP_ORDER
            if group in groups
        ]


def has_console(user: Any) -> bool:
    """Whether the user works in the officers' console (a permission of their roles, so it is data)."""
    return bool(user.is_authenticated and user.has_unit_perm("core.console"))


console_nav = ConsoleNav()


PORTAL_SECTIONS = ("home", "activities", "welfare", "services", "me")


@dataclass(frozen=True)
class PortalBlock:
    section: str
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 50


class PortalBlocks:
    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], PortalBlock] = {}

    def register(self, *blocks: PortalBlock) -> None:
        for block in blocks:
            if block.section not in PORTAL_SECTIONS:
                raise ValueError(f"Unknown portal section {block.section!r}")
            self._blocks[(block.section, block.key)] = block

    def render_list(self, section: str, request: HttpRequest) -> list[dict[str, Any]]:
        """The blocks of one section that have something for this user, with their context."""
        rendered = []
        for block in sorted(
            (b for b in self._blocks.values() if b.section == section), key=lambda b: (b.order, b.key)
        ):
            context = block.context(request)
            if context is not None:
                rendered.append({"key": block.key, "template": block.template, "context": context})
        return rendered


portal_blocks = PortalBlocks()
