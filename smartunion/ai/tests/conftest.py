"""Fixtures shared by this app's tests (each part adds its own below, briefly)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_pages(settings: Any) -> Iterator[None]:
    """The tests quote the English messages (the Chinese catalogue is checked by
    scripts/check_translations.py and seen in the browser tests)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
