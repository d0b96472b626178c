"""Excel export of any list: openpyxl's write-only mode streams rows to a temporary file, so 100,000
rows never sit in memory at once; the file is then sent and deleted when the response closes."""

from __future__ import annotations

import datetime as dt
import decimal
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B71C1C")
TITLE_FONT = Font(bold=True, size=14)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class SheetColumn:
    header: str | Promise
    width: int = 14


def _text(value: Any) -> str:
    """Text as a cell may hold it: control characters (pasted from other programs) would make openpyxl
    fail halfway through the file."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _cell_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, bool):
        return str(_("Yes")) if value else str(_("No"))
    if isinstance(value, dt.date | int | float | decimal.Decimal):
        return value
    return _text(value)


def _looks_like_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def write_workbook(
    target: Any,
    *,
    sheet_title: str,
    columns: list[SheetColumn],
    rows: Iterable[Iterable[Any]],
    title: str = "",
    notes: Iterable[str] = (),
    number_formats: dict[int, str] | None = None,
) -> int:
    """Write one sheet to ``target`` (path or binary file). Returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    for index, column in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = column.width
    if title:
        cell = WriteOnlyCell(sheet, value=_text(title))
        cell.font = TITLE_FONT
        cell.data_type = "s"
        sheet.append([cell])
    for note in notes:
        cell = WriteOnlyCell(sheet, value=_text(note))
        cell.data_type = "s"
        sheet.append([cell])
    header_cells = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=_text(column.header))
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    formats = number_formats or {}
    for row in rows:
        values = [_cell_value(value) for value in row]
        if formats or any(isinstance(v, dt.date) or _looks_like_formula(v) for v in values):
            cells = []
            for index, value in enumerate(values):
                cell = WriteOnlyCell(sheet, value=value)
                if _looks_like_formula(value):
                    # Data typed as "=HYPERLINK(…)" stays text: never a live formula in the office's Excel.
                    cell.data_type = "s"
                if index in formats:
                    cell.number_format = formats[index]
                elif isinstance(value, dt.datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
        else:
            sheet.append(values)
        count += 1
    workbook.save(target)
    return count


def xlsx_response(filename: str, write: Callable[[Any], Any]) -> FileResponse:
    """Run ``write(file)`` into a temporary file and send it as an attachment (deleted when closed)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — FileResponse closes (and so deletes) it
    write(handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    # RFC 5987 so browsers keep the Chinese file name.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
