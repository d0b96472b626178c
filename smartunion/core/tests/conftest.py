"""Helpers for core's tests: people to export and import, and reading the xlsx files the views send."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from smartunion.core.normalise import id_check_digit
from smartunion.members import services as member_services
from smartunion.members.models import StaffCategory


def valid_id(first17: str) -> str:
    """An 18-character ID number with the right check digit."""
    return first17 + id_check_digit(first17)


def xlsx_rows(response: Any) -> list[list[Any]]:
    """The rows of the first sheet of an xlsx response (streamed or not)."""
    # Reading the whole stream lets the test client close the response (and delete its temporary file).
    data = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def make_person(db: Any) -> Any:
    """make_person(unit, staff_no="100001", id_number=…) → a members.Person written through the service."""

    def make(unit: Any, staff_no: str, *, name: str = "张三", id_number: str = "", **extra: Any) -> Any:
        return member_services.person_create(
            actor=None,
            staff_no=staff_no,
            name=name,
            sex=extra.pop("sex", "M"),
            category=extra.pop("category", None) or StaffCategory.objects.get(name="在编"),
            unit=unit,
            id_number=id_number,
            **extra,
        )

    return make
