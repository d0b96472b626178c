"""The officer's roster over a large school: SQL queries and time of the first page, for several page
sizes, as the union office (whole school) and as a sub-union chair would open it, plus a filtered and
a pinyin search. Issue figure: over 30,000 members the first page costs ≤ 10 queries whatever the size.

    SMARTUNION_VAR_DIR=/tmp/bench30k .venv/bin/python manage.py migrate -v0
    SMARTUNION_VAR_DIR=/tmp/bench30k .venv/bin/python manage.py seed_demo --members 30000
    SMARTUNION_VAR_DIR=/tmp/bench30k .venv/bin/python benchmarks/roster_list.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from smartunion.accounts.models import RoleAssignment  # noqa: E402
from smartunion.members.models import Membership  # noqa: E402


def measure(client: Client, query: dict[str, str]) -> tuple[int, float, int]:
    client.get("/console/members/", query)  # warm: session refresh, template loading
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get("/console/members/", query)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return len(queries), elapsed, len(response.content)


def main() -> None:
    members = Membership.objects.filter(status__in=Membership.MEMBER_STATUSES).count()
    print(f"database: {connection.vendor}, {Membership.objects.count()} people, {members} members")
    for role in ("union_staff", "subunion_chair"):
        holder = (
            RoleAssignment.objects.filter(role__code=role)
            .select_related("user", "unit")
            .order_by("unit__code")
            .first()
        )
        if holder is None:
            sys.exit("Seed the database first (seed_demo --members 30000).")
        client = Client()
        client.force_login(holder.user)
        print(f"\n{role} at {holder.unit.name}")
        for query in (
            {"per_page": "25"},
            {"per_page": "200"},
            {"per_page": "200", "status": "full", "age_band": "41-50", "sort": "-membership__joined_on"},
            {"q": "zw"},
        ):
            count, elapsed, size = measure(client, query)
            print(f"  {query}: {count} queries, {elapsed * 1000:.0f} ms, {size // 1024} KiB")


if __name__ == "__main__":
    main()
