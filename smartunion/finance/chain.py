"""The hash chain: an entry's hash is sha256(previous hash + canonical JSON of the entry and its lines)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def canonical(entry: Any, lines: Iterable[Any]) -> str:
    """The entry as the chain sees it: every field that matters, lines in a fixed order, no whitespace."""
    rows = sorted([line.account, line.unit_id, line.category_id or 0, _amount(line.amount)] for line in lines)
    data = {
        "seq": entry.seq,
        "posted_on": entry.posted_on.isoformat(),
        "posted_at": entry.posted_at.isoformat(),
        "unit": entry.unit_id,
        "memo": entry.memo,
        "source_type": entry.source_type,
        "source_id": entry.source_id,
        "idempotency_key": entry.idempotency_key,
        "reversal_of": entry.reversal_of_id,
        "posted_by": entry.posted_by_id,
        "lines": rows,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(previous_hash: str, entry: Any, lines: Iterable[Any]) -> str:
    return hashlib.sha256((previous_hash + canonical(entry, lines)).encode()).hexdigest()
