"""Check the Chinese catalogue: every message translated, nothing fuzzy, and the compiled .mo up to date.

python scripts/check_translations.py            check (used by `make lint`)
python scripts/check_translations.py --compile  write django.mo from django.po
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def main() -> int:
    catalogue = polib.pofile(str(PO))
    if "--compile" in sys.argv:
        catalogue.save_as_mofile(str(MO))
        print(f"compiled {MO.relative_to(ROOT)}")
    problems = [f"untranslated: {entry.msgid!r}" for entry in catalogue.untranslated_entries()]
    problems += [f"fuzzy: {entry.msgid!r}" for entry in catalogue.fuzzy_entries()]
    if not MO.exists():
        problems.append("django.mo is missing: run `make messages`")
    else:
        # Keyed by context too: "Valid" (有效期) and pgettext("voucher state", "Valid") (有效) are two messages.
        compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in polib.mofile(str(MO))}
        stale = [
            e.msgid
            for e in catalogue.translated_entries()
            if not e.msgid_plural and compiled.get((e.msgctxt, e.msgid)) != e.msgstr
        ]
        if stale:
            problems.append(
                f"django.mo is older than django.po ({len(stale)} messages differ): run `make messages`"
            )
    for problem in problems[:50]:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problems in {PO.relative_to(ROOT)}")
        return 1
    print(f"{len(catalogue.translated_entries())} messages translated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
