"""Which of the router's suggestions the pages show: those the router gives at least 5 % (a "0 %" row
helps nobody choose). The stored suggestions and the automatic routing are not affected."""

from __future__ import annotations

MIN_SHOWN_CONFIDENCE = 0.05


def is_shown(confidence: float) -> bool:
    return confidence >= MIN_SHOWN_CONFIDENCE
