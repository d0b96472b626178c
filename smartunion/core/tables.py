"""Console list pages: one Table definition drives the screen (sortable, paginated, masked) and the
Excel export of the same filtered rows, so the two can never disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise

from .audit import audit
from .excel.exporting import SheetColumn, write_workbook, xlsx_response
from .masking import redact

EXPORT_CHUNK = 2000


def resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
        if callable(value):
            value = value()
    return value


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    value: str | Callable[[Any], Any] = ""  # attribute path ("unit.name") or callable; default: key
    sort: str | None = None  # the order_by field that sorts this column
    mask: Callable[[str], str] | None = None  # sensitive: always masked on screen
    reveal_perm: str | None = None  # exports show the value in full to holders of this permission
    link: Callable[[Any], str] | None = None
    on_screen: bool = True
    in_export: bool = True
    width: int = 14
    css: str = ""

    def raw(self, obj: Any) -> Any:
        if callable(self.value):
            return self.value(obj)
        return resolve(obj, self.value or self.key)


class Table:
    columns: ClassVar[list[Column]]
    default_sort: ClassVar[str] = "-pk"
    page_size: ClassVar[int] = 25
    # ?per_page= may pick one of these (the first page costs the same queries whatever the size).
    page_sizes: ClassVar[tuple[int, ...]] = (25, 50, 100, 200)
    # Rows get a checkbox (name "ids", value pk) for the page's bulk actions form.
    selectable: ClassVar[bool] = False
    export_name: ClassVar[str | Promise] = "export"
    unit_path: ClassVar[str | None] = "unit.path"  # where a row's unit path is, to decide revealing

    def __init__(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.request = request
        self.queryset = queryset
        sort = request.GET.get("sort", "")
        allowed = {c.sort for c in self.columns if c.sort}
        self.sort = sort if sort.removeprefix("-") in allowed else self.default_sort

    # -- screen --------------------------------------------------------------------------------------
    def screen_columns(self) -> list[dict[str, Any]]:
        result = []
        for column in self.columns:
            if not column.on_screen:
                continue
            direction = ""
            if column.sort and self.sort.lstrip("-") == column.sort:
                direction = "desc" if self.sort.startswith("-") else "asc"
            next_sort = ""
            if column.sort:
                next_sort = f"-{column.sort}" if direction == "asc" else column.sort
            result.append(
                {"label": column.label, "sort": next_sort, "direction": direction, "css": column.css}
            )
        return result

    def ordered(self) -> QuerySet:
        order = [self.sort]
        if self.sort.lstrip("-") != "pk":
            order.append("pk")
        return self.queryset.order_by(*order)

    def per_page(self) -> int:
        asked = self.request.GET.get("per_page", "")
        return int(asked) if asked.isdigit() and int(asked) in self.page_sizes else self.page_size

    def page(self) -> Page:
        paginator = Paginator(self.ordered(), self.per_page())
        page = paginator.get_page(self.request.GET.get("page"))
        page.rows = [self.screen_row(obj) for obj in page.object_list]  # type: ignore[attr-defined]
        return page

    def screen_row(self, obj: Any) -> dict[str, Any]:
        cells = []
        for column in self.columns:
            if not column.on_screen:
                continue
            value = column.raw(obj)
            if column.mask is not None and value:
                value = column.mask(str(value))
            cells.append({"value": value, "url": column.link(obj) if column.link else "", "css": column.css})
        return {"obj": obj, "cells": cells}

    # -- export --------------------------------------------------------------------------------------
    def _reveal_scopes(self) -> dict[str, Any]:
        user = self.request.user
        return {
            c.reveal_perm: user.scope_for(c.reveal_perm)  # type: ignore[union-attr]
            for c in self.columns
            if c.reveal_perm and c.in_export
        }

    def export_rows(self, revealed: set[str]) -> Iterator[list[Any]]:
        scopes = self._reveal_scopes()
        columns = [c for c in self.columns if c.in_export]
        for obj in self.ordered().iterator(chunk_size=EXPORT_CHUNK):
            path = resolve(obj, self.unit_path) if self.unit_path else None
            row = []
            for column in columns:
                value = column.raw(obj)
                if column.mask is not None and value:
                    scope = scopes.get(column.reveal_perm or "")
                    if scope is not None and scope.covers(path):
                        revealed.add(column.key)
                    else:
                        value = column.mask(str(value))
                row.append(value)
            yield row

    def export_response(self, *, title: str = "") -> HttpResponseBase:
        name = str(self.export_name)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        columns = [c for c in self.columns if c.in_export]
        revealed: set[str] = set()
        counted = {"rows": 0}

        def write(handle: Any) -> None:
            counted["rows"] = write_workbook(
                handle,
                sheet_title=name,
                columns=[SheetColumn(c.label, c.width) for c in columns],
                rows=self.export_rows(revealed),
                title=title or name,
            )

        response = xlsx_response(f"{name}-{stamp}.xlsx", write)
        # Every export is logged; one that shows sensitive columns in full is flagged as such.
        audit(
            actor=self.request.user,
            action="core.list.exported",
            changes={
                "list": name,
                "rows": counted["rows"],
                "filters": {
                    k: redact(str(v)) for k, v in self.request.GET.items() if k not in {"export", "page"}
                },
                "unmasked_columns": sorted(revealed),
            },
            sensitive=bool(revealed),
        )
        return response


def render_table(
    request: HttpRequest,
    table: Table,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    export_title: str = "",
) -> HttpResponseBase:
    """Render a list page; ``?export=xlsx`` downloads the same rows; an htmx request gets only the
    ``#table`` partial (filters and pagination swap the table without reloading the page)."""
    if request.GET.get("export") == "xlsx":
        return table.export_response(title=export_title)
    context = {**(context or {}), "table": table, "page": table.page(), "htmx_table": True}
    if getattr(request, "htmx", False) and not request.htmx.boosted:  # type: ignore[attr-defined]
        return render(request, f"{template}#table", context)
    return render(request, template, context)
