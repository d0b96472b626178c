"""Recompute the ledger's hash chain from the first entry: ``verify_chain()`` (and ``manage.py
finance_verify``) reports OK with the number of entries, or the first entry whose stored hash, link,
number or balance does not match what its data says."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from . import chain
from .models import ChainHead, Entry

CHUNK = 2000


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    count: int  # entries checked
    seq: int | None = None  # the first entry found wrong
    entry_id: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        if self.ok:
            return _("The ledger's hash chain is intact: %(count)s entries checked.") % {"count": self.count}
        if self.seq is None:
            return _("The ledger's hash chain is broken: %(problem)s") % {"problem": self.problem}
        return _("The ledger's hash chain is broken at entry #%(seq)s (id %(id)s): %(problem)s") % {
            "seq": self.seq,
            "id": self.entry_id,
            "problem": self.problem,
        }


def verify_chain() -> ChainCheck:
    previous_hash = chain.GENESIS
    expected_seq = 1
    count = 0
    entries = Entry.objects.order_by("seq").prefetch_related("lines").iterator(chunk_size=CHUNK)
    for entry in entries:

        def broken(problem: str, entry: Entry = entry, count: int = count) -> ChainCheck:
            return ChainCheck(ok=False, count=count, seq=entry.seq, entry_id=entry.pk, problem=problem)

        lines = list(entry.lines.all())
        if entry.seq != expected_seq:
            return broken(_("number %(expected)s is missing.") % {"expected": expected_seq})
        if entry.previous_hash != previous_hash:
            return broken(_("it does not link to the entry before it."))
        if chain.entry_hash(previous_hash, entry, lines) != entry.entry_hash:
            return broken(_("its data does not match its hash (changed after posting)."))
        if len(lines) < 2 or sum((line.amount for line in lines), Decimal("0")) != 0:
            return broken(_("its lines do not balance."))
        previous_hash = entry.entry_hash
        expected_seq += 1
        count += 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != count or (count and head.last_hash != previous_hash)):
        return ChainCheck(
            ok=False,
            count=count,
            problem=_("entries after #%(seq)s are missing (the chain ended at #%(last)s).")
            % {"seq": count, "last": head.last_seq},
        )
    return ChainCheck(ok=True, count=count)
