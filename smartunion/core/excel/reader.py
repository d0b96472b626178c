"""Reading the sheets union offices actually send: a title and notes above the header, merged cells,
blank rows, a 合计 row at the bottom, columns nobody asked for.

The reader finds the header row by scoring each of the first rows against the header spellings the
caller knows, fills merged ranges with their top-left value (HR sheets merge the unit column over
all of a unit's people), and returns data rows with their Excel row numbers so every message can name
the cell the user has to fix.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from ..normalise import clean_text, header_key

HEADER_SCAN_ROWS = 30
MAX_ROWS = 100_000  # data rows in one import
MAX_COLUMNS = 200
MAX_BLANK_RUN = 1_000  # consecutive blank rows that end the data
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MERGE_CELL_TAG = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}mergeCell"
SUBTOTAL_PREFIXES = ("合计", "小计", "总计", "共计", "总数", "total", "subtotal")
NOTE_PREFIXES = ("注", "说明", "备注:", "备注：", "填表说明", "note")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message tells the user what to do."""


@dataclass
class SheetData:
    sheet_name: str
    header_row: int  # Excel row number (1-based)
    headers: list[str]  # the header text of each column as written
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (Excel row number, cells)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (Excel row number, reason)


def column_letter(index: int) -> str:
    """0-based column index → Excel letter (0 → A)."""
    return get_column_letter(index + 1)


def check_upload(name: str, data: bytes, max_bytes: int) -> None:
    """Refuse what is not an .xlsx workbook before trying to parse it."""
    lowered = name.lower()
    if lowered.endswith(".xls") or lowered.endswith(".et"):
        raise ImportFileError(
            _("“%(name)s” is an old Excel 97-2003 file: open it in Excel or WPS and save it as .xlsx.")
            % {"name": name}
        )
    if lowered.endswith(".csv"):
        raise ImportFileError(
            _("“%(name)s” is a CSV file: open it in Excel or WPS and save it as .xlsx.") % {"name": name}
        )
    if not lowered.endswith(".xlsx"):
        raise ImportFileError(_("“%(name)s” is not an Excel workbook: upload a .xlsx file.") % {"name": name})
    if len(data) > max_bytes:
        raise ImportFileError(
            _(
                "“%(name)s” is %(size).1f MB; the largest file accepted is %(max)d MB. Split it or remove pictures."
            )
            % {"name": name, "size": len(data) / 1024 / 1024, "max": max_bytes // 1024 // 1024}
        )
    if not data:
        raise ImportFileError(_("“%(name)s” is empty.") % {"name": name})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(
            _("“%(name)s” is named .xlsx but is not an Excel workbook (it may be damaged or renamed).")
            % {"name": name}
        )


def _check_expansion(data: bytes) -> None:
    """A few kilobytes of zip can unpack to gigabytes: refuse before parsing."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The workbook unpacks to more than %(max)d MB: remove pictures and unused sheets, or split it.")
            % {"max": MAX_UNPACKED_BYTES // 1024 // 1024}
        )


def _merged_ranges(workbook: Any, ws: Any) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col) of each merged range, read from the sheet's XML (the
    read-only worksheet does not expose them, and the full one would build a cell per merged cell)."""
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(workbook, "_archive", None)
    if not path or archive is None:
        return []
    ranges = []
    with archive.open(path) as source:
        for _event, element in ElementTree.iterparse(source):
            if element.tag == MERGE_CELL_TAG:
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                except (TypeError, ValueError):
                    continue
                ranges.append((min_row, min_col, max_row, max_col))
            element.clear()
    return ranges


def _grid(workbook: Any, ws: Any) -> list[list[Any]]:
    """The sheet's cells, merged ranges filled with their top-left value, within the data's bounds.

    Reading stops after a long run of blank rows (formatting dragged to row 1,048,576 is not data) and
    refuses sheets with more rows than an import may hold.
    """
    grid: list[list[Any]] = []
    blank_run = 0
    for row in ws.iter_rows(values_only=True):
        cells = list(row[:MAX_COLUMNS])
        if _is_blank(cells):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
        else:
            blank_run = 0
        grid.append(cells)
        if len(grid) > MAX_ROWS + HEADER_SCAN_ROWS:
            raise ImportFileError(
                _("The sheet “%(sheet)s” has more than %(max)d rows: split it into several files.")
                % {"sheet": ws.title, "max": MAX_ROWS}
            )
    while grid and _is_blank(grid[-1]):
        grid.pop()
    width = min(MAX_COLUMNS, max((len(row) for row in grid), default=0))
    for min_row, min_col, max_row, max_col in _merged_ranges(workbook, ws):
        if min_row > len(grid) or min_col > width:
            continue
        top_row = grid[min_row - 1]
        top_left = top_row[min_col - 1] if min_col - 1 < len(top_row) else None
        for r in range(min_row, min(max_row, len(grid)) + 1):
            row = grid[r - 1]
            last = min(max_col, width)
            if len(row) < last:
                row.extend([None] * (last - len(row)))
            for c in range(min_col, last + 1):
                row[c - 1] = top_left
    return grid


def _is_blank(cells: list[Any]) -> bool:
    return all(clean_text(cell) == "" for cell in cells)


def _row_label(cells: list[Any]) -> str:
    for cell in cells:
        text = clean_text(cell)
        if text:
            return text.replace(" ", "").lower()
    return ""


def read_sheet(data: bytes, *, score_header: Callable[[list[str]], int], min_score: int = 1) -> SheetData:
    """Find the sheet and header row that best match the importer's columns and return its rows.

    ``score_header`` gets the ``header_key`` of every cell of a candidate row and returns how many
    known columns it recognises.
    """
    _check_expansion(data)
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFileError(
            _("The workbook could not be opened (%(error)s). Save it again as .xlsx.")
            % {"error": exc.__class__.__name__}
        ) from exc

    best: tuple[int, Any, int, list[list[Any]]] | None = None
    try:
        for ws in workbook.worksheets:
            if ws.sheet_state != "visible":
                continue
            grid = _grid(workbook, ws)
            for index, cells in enumerate(grid[:HEADER_SCAN_ROWS]):
                score = score_header([header_key(cell) for cell in cells])
                if best is None or score > best[0]:
                    best = (score, ws, index, grid)
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged sheet inside an otherwise readable workbook
        raise ImportFileError(
            _("The workbook could not be read (%(error)s). Save it again as .xlsx.")
            % {"error": exc.__class__.__name__}
        ) from exc
    finally:
        workbook.close()
    if best is None or best[0] < min_score:
        raise ImportFileError(
            _(
                "No header row was found: the sheet needs a row of column names such as the ones in the "
                "template (download it from the import page)."
            )
        )
    _score, ws, header_index, grid = best
    header_cells = grid[header_index]
    headers = [clean_text(cell) for cell in header_cells]
    # A header spanning two merged columns repeats its text; keep the first, blank the copies.
    for i in range(1, len(headers)):
        if headers[i] and headers[i] == headers[i - 1]:
            headers[i] = ""
    sheet = SheetData(sheet_name=ws.title, header_row=header_index + 1, headers=headers)
    width = len(headers)
    for index in range(header_index + 1, len(grid)):
        cells = (grid[index] + [None] * width)[:width]
        excel_row = index + 1
        if _is_blank(cells):
            continue
        label = _row_label(cells)
        if label.startswith(SUBTOTAL_PREFIXES):
            sheet.skipped.append((excel_row, _("subtotal row")))
            continue
        # One text in the row, possibly repeated across a merged range ("注：…" merged over A:L).
        texts = {clean_text(cell) for cell in cells} - {""}
        if len(texts) == 1 and label.startswith(NOTE_PREFIXES):
            sheet.skipped.append((excel_row, _("note row")))
            continue
        sheet.rows.append((excel_row, cells))
    return sheet
