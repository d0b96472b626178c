"""公示: the files in their public notice now. The notice shows the minimum (PIPL): the member's name, the
unit and the last day for objections — never the category, the cause or any figure. Pages read the files
through ``current_notices`` / ``notice_get`` and render only ``NoticeLine`` values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from smartunion.hardship.models import HardshipFile


@dataclass(frozen=True)
class NoticeLine:
    """What the notice may show of a file, and nothing else."""

    pk: int
    name: str
    unit: str
    starts_on: dt.date
    ends_on: dt.date


def _in_notice(on: dt.date) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.filter(
        status=HardshipFile.Status.NOTICE, notice_starts_on__lte=on, notice_ends_on__gte=on
    )


def _line(file: HardshipFile) -> NoticeLine:
    assert file.notice_starts_on is not None and file.notice_ends_on is not None
    return NoticeLine(
        pk=file.pk,
        name=file.person.name,
        unit=file.unit.name,
        starts_on=file.notice_starts_on,
        ends_on=file.notice_ends_on,
    )


def current_notices(on: dt.date | None = None) -> list[NoticeLine]:
    """The files in notice today (status notice, today within notice_starts_on..notice_ends_on), by unit."""
    on = on or timezone.localdate()
    files = _in_notice(on).select_related("person", "unit").order_by("unit__path", "person__name", "pk")
    return [_line(file) for file in files]


def notice_file_get(pk: int, on: dt.date | None = None) -> HardshipFile:
    """The file of a notice open today (for raising an objection); 404 outside the window."""
    file = _in_notice(on or timezone.localdate()).select_related("person", "unit").filter(pk=pk).first()
    if file is None:
        raise Http404
    return file


def notice_line(file: HardshipFile) -> NoticeLine:
    return _line(file)
