"""Workbooks built to exhaust the server: huge merged ranges, formatting down to the last row, zip bombs."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook

from smartunion.core.excel import reader
from smartunion.core.excel.reader import ImportFileError, read_sheet


def _score(keys: list[str]) -> int:
    return sum(1 for key in keys if key in {"工号", "姓名"})


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_merge(data: bytes, ref: str) -> bytes:
    """Add a merged range to the sheet's XML directly, as a hand-made hostile file would."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetData>",
                    f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'.encode(),
                )
            target.writestr(info, content)
    return target_buffer.getvalue()


def test_a_huge_merged_range_is_filled_only_where_there_is_data() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名", "单位"])
    sheet.append(["1", "张三", "机械工程学院"])
    sheet.append(["2", "李四", None])
    # A few bytes in the file, ten million cells if a reader expanded the range.
    data = _with_merge(_save(workbook), "C2:AZ200000")
    assert len(data) < 20_000
    tracemalloc.start()
    try:
        result = read_sheet(data, score_header=_score)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [cells[:3] for _number, cells in result.rows] == [
        ["1", "张三", "机械工程学院"],
        ["2", "李四", "机械工程学院"],
    ]
    assert peak < 30 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"


def test_trailing_blank_rows_end_the_data() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名"])
    sheet.append(["1", "张三"])
    sheet.cell(row=60_000, column=1, value=" ")  # a stray space far below: not data
    result = read_sheet(_save(workbook), score_header=_score)
    assert [number for number, _cells in result.rows] == [2]


def test_too_many_rows_are_refused_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_ROWS", 50)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["工号", "姓名"])
    for number in range(100):
        sheet.append([str(number), f"人{number}"])
    with pytest.raises(ImportFileError) as error:
        read_sheet(_save(workbook), score_header=_score)
    assert "50" in str(error.value)


def test_a_zip_bomb_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_UNPACKED_BYTES", 1024 * 1024)
    workbook = Workbook()
    workbook.active.append(["工号", "姓名"])
    buffer = io.BytesIO(_save(workbook))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (5 * 1024 * 1024))  # compresses to a few KB
    data = buffer.getvalue()
    assert len(data) < 100_000
    with pytest.raises(ImportFileError):
        read_sheet(data, score_header=_score)
