"""Time the Excel export of the whole staff list (the 100,000 people of `seed_demo --members 100000`)
through the real view, as the union office would click 导出 Excel, and report the peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartunion_bench .venv/bin/python benchmarks/export_staff.py
    SMARTUNION_VAR_DIR=/tmp/bench .venv/bin/python benchmarks/export_staff.py        # a seeded SQLite database
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.test import Client  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from smartunion.accounts.models import RoleAssignment  # noqa: E402
from smartunion.members.models import Person  # noqa: E402


def main() -> None:
    staff = RoleAssignment.objects.filter(role__code="union_staff").select_related("user").first()
    if staff is None:
        sys.exit("No union staff account: seed the database first (seed_demo --members 100000).")
    people = Person.objects.count()
    client = Client()
    client.force_login(staff.user)
    start = time.perf_counter()
    response = client.get("/console/members/", {"export": "xlsx"})
    target = Path("/tmp/staff-export.xlsx")
    with target.open("wb") as handle:
        for chunk in response.streaming_content:
            handle.write(chunk)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before reading the file back
    rows = sum(1 for _ in load_workbook(target, read_only=True).active.iter_rows()) - 2  # title and header
    print(
        f"exported {rows} of {people} people in {elapsed:.1f} s; file {target.stat().st_size / 1e6:.1f} MB; "
        f"peak memory of the process {peak_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
