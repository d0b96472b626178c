"""个人信息查阅复制 (PIPL art. 45): what the union holds about a member, gathered from every app.

Each app registers a provider: ``register(key, label, provider)`` where ``provider(person, user)`` returns a
list of ``Section(title, headers, rows)`` — the member's own data, in full (it is theirs), never a third
party's. ``sections_for(person, user)`` collects them in registration order; ``write_sections`` writes them
to one workbook, one sheet per section. Core knows no app: the apps register themselves in ``ready()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment

from smartunion.core.excel.exporting import HEADER_FILL, HEADER_FONT, TITLE_FONT, _cell_value, _text


@dataclass(frozen=True)
class Section:
    """One table of the member's data: a sheet of the download, a line of the page."""

    title: str | Promise
    headers: Sequence[str | Promise]
    rows: list[Sequence[Any]] = field(default_factory=list)
    note: str | Promise = ""

    @property
    def count(self) -> int:
        return len(self.rows)


Provider = Callable[[Any, Any], list[Section]]


@dataclass(frozen=True)
class Source:
    key: str
    label: str | Promise
    provider: Provider


_sources: dict[str, Source] = {}


def register(key: str, label: str | Promise, provider: Provider) -> None:
    """Register (or replace) the provider of one app's part of the member's data."""
    _sources[key] = Source(key, label, provider)


def sources() -> list[Source]:
    return list(_sources.values())


def sections_for(person: Any, user: Any) -> list[Section]:
    """Every section the registered providers hold for this person (empty sections included: the member
    sees that the union holds nothing of that kind)."""
    sections: list[Section] = []
    for source in _sources.values():
        sections.extend(source.provider(person, user))
    return sections


def groups_for(person: Any, user: Any) -> list[tuple[str | Promise, list[Section]]]:
    """The sections by the app that holds them: (the app's label, its sections)."""
    return [(source.label, source.provider(person, user)) for source in _sources.values()]


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()[:31] or "Sheet"
    candidate, number = clean, 2
    while candidate in used:
        suffix = f" ({number})"
        candidate = clean[: 31 - len(suffix)] + suffix
        number += 1
    used.add(candidate)
    return candidate


def write_sections(
    target: Any, sections: Iterable[Section], *, title: str = "", notes: Iterable[str] = ()
) -> int:
    """One workbook, one sheet per section (header row, then the rows). Returns the number of sheets."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    notes = list(notes)
    count = 0
    for section in sections:
        sheet = workbook.create_sheet(title=_sheet_title(str(section.title), used))
        if title:
            cell = WriteOnlyCell(sheet, value=_text(f"{title} — {section.title}"))
            cell.font = TITLE_FONT
            sheet.append([cell])
        for note in [*notes, *([str(section.note)] if section.note else [])]:
            sheet.append([_text(note)])
        header_cells = []
        for header in section.headers:
            cell = WriteOnlyCell(sheet, value=_text(header))
            cell.data_type = "s"
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center")
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in section.rows:
            cells = []
            for value in row:
                value = _cell_value(value)
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a live formula
                elif isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
        count += 1
    if not count:
        workbook.create_sheet(title="-")
    workbook.save(target)
    return count


def generated_note() -> str:
    return timezone.localtime().strftime("%Y-%m-%d %H:%M")
