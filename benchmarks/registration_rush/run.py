"""The 9:00 rush: 2,000 logged-in members, 64 concurrent clients, one activity with 50 places, the app under
gunicorn on the loopback. Checks that exactly 50 are confirmed, every other answer is "waitlisted" (or "full"
with ``--no-waitlist``) and nothing answers 5xx; reports throughput and p50/p95 latency of the registration
POST and — same run, same clients — of a minimal authenticated POST of the project
(``notifications:mark_all_read``: login required, CSRF, one UPDATE, a redirect), and their ratio (goal ≥ 0.5).
Prints one JSON object; exits 1 when a check fails.

    # PostgreSQL (the database is created when missing; the app's tables are migrated)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartunion_rush .venv/bin/python benchmarks/registration_rush/run.py
    # SQLite (a file under --var-dir, default /tmp/smartunion-rush)
    .venv/bin/python benchmarks/registration_rush/run.py --sqlite

What it does:

1. Prepares the database: migrates, creates (once) 2,000 members with accounts (工号 RUSH00001…) in eight
   units, a new published first-come activity with 50 places for this run, and a fresh session for each
   member written directly to the session table (what logging in leaves behind), with a CSRF cookie value.
2. Starts ``gunicorn config.wsgi`` on 127.0.0.1 (gthread, ``--workers``×``--threads``; DEBUG off) and
   waits for it to answer; warms every worker up with a few baseline POSTs.
3. The rush: ``--clients`` threads, each with one keep-alive ``http.client`` connection, released together;
   each member POSTs the real registration form once to ``activities:portal_register`` (resolved at run time:
   ``/m/activities/<pk>/register/``) with the fields ``idempotency_key`` (a fresh uuid) and ``quantity`` (1),
   the CSRF token in ``X-CSRFToken`` and the session and CSRF cookies. The view answers 303 to
   ``…?result=confirmed|waitlisted|full|already``; the result is read from the Location header.
4. The baseline: the same clients, the same members, one POST each to ``notifications:mark_all_read``,
   right before and right after the rush; the ratio uses the mean of the two throughputs.
5. Checks in the database: 50 confirmed entries and ``Activity.confirmed`` = 50.

Bounded in time: no request starts after ``--seconds`` (default 60) in each phase; gunicorn is stopped at
the end (by its process id).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="use SQLite instead of DATABASE_URL")
    parser.add_argument("--var-dir", default="/tmp/smartunion-rush", help="SQLite file and logs (SQLite)")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0, help="time cap of each phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--no-waitlist", action="store_true", help="the activity has no waiting list")
    return parser.parse_args()


def configure(args: argparse.Namespace) -> dict[str, str]:
    """The environment of this process and of gunicorn."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    env["DEBUG"] = "0"  # no query log, no debug pages: as in production
    env["SMARTUNION_VAR_DIR"] = args.var_dir
    if args.sqlite:
        env.pop("DATABASE_URL", None)
    else:
        env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/smartunion_rush")
        create_postgres_database(env["DATABASE_URL"])
    Path(args.var_dir).mkdir(parents=True, exist_ok=True)
    os.environ.clear()
    os.environ.update(env)
    return env


def create_postgres_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


# -- 1. the database ----------------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from smartunion.accounts.models import User
    from smartunion.activities.models import Activity, Kind
    from smartunion.members.models import Membership, Person, StaffCategory
    from smartunion.organisations import selectors as org_selectors
    from smartunion.organisations import services as org_services
    from smartunion.organisations.models import OrgUnit

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    root = org_selectors.top_unit() or org_services.unit_create(
        actor=None, name="江海大学工会", code="00", union_type=OrgUnit.UnionType.SCHOOL
    )
    units = []
    for n in range(1, 9):
        unit = OrgUnit.objects.filter(code=f"RUSH{n}").first() or org_services.unit_create(
            actor=None, name=f"压测学院{n}", code=f"RUSH{n}", union_type=OrgUnit.UnionType.BRANCH, parent=root
        )
        units.append(unit)
    category = StaffCategory.objects.get(name="在编")
    numbers = [f"RUSH{n:05d}" for n in range(1, args.members + 1)]
    have = set(User.objects.filter(staff_no__in=numbers).values_list("staff_no", flat=True))
    User.objects.bulk_create(
        [
            User(staff_no=no, name=f"压测{no[-5:]}", password="!" + get_random_string(40))
            for no in numbers
            if no not in have
        ],
        batch_size=1000,
    )
    users = {u.staff_no: u for u in User.objects.filter(staff_no__in=numbers)}
    have = set(Person.objects.filter(staff_no__in=numbers).values_list("staff_no", flat=True))
    Person.objects.bulk_create(
        [
            Person(
                staff_no=no,
                name=users[no].name,
                name_initials="yc",
                sex="F" if n % 2 else "M",
                category=category,
                unit=units[n % len(units)],
                user=users[no],
            )
            for n, no in enumerate(numbers)
            if no not in have
        ],
        batch_size=1000,
    )
    people = list(Person.objects.filter(staff_no__in=numbers).order_by("staff_no"))
    with_membership = set(Membership.objects.filter(person__in=people).values_list("person_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(person=p, unit_id=p.unit_id, status=Membership.Status.FULL)
            for p in people
            if p.pk not in with_membership
        ],
        batch_size=1000,
    )
    organiser = users[numbers[0]]
    now = timezone.now()
    run = Activity.objects.filter(title__startswith="疗休养压测").count() + 1
    activity = Activity.objects.create(
        title=f"疗休养压测第{run}批",
        kind=Kind.RETREAT,
        organiser_unit=root,
        starts_at=now + dt.timedelta(days=10),
        ends_at=now + dt.timedelta(days=12),
        registration_opens_at=now - dt.timedelta(minutes=5),
        registration_closes_at=now + dt.timedelta(days=1),
        status=Activity.Status.PUBLISHED,
        capacity=args.places,
        waitlist=not args.no_waitlist,
        created_by=organiser,
        location="无锡太湖工人疗养院",
    )
    # Logged in: one session per member (what the login view leaves), refreshed just now so that the
    # SessionRefreshMiddleware does not write it during the run; a CSRF cookie value per member.
    backend = "smartunion.accounts.backends.StaffNoOrMobileBackend"
    store = SessionStore()
    sessions: list[tuple[str, str]] = []
    rows = []
    for no in numbers:
        user = users[no]
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            "_refreshed_at": int(time.time()),
        }
        rows.append(
            Session(session_key=key, session_data=store.encode(data), expire_date=now + dt.timedelta(hours=8))
        )
        sessions.append((key, get_random_string(32)))
    Session.objects.bulk_create(rows, batch_size=1000)
    info = {
        "activity_pk": activity.pk,
        "register_path": reverse("activities:portal_register", args=[activity.pk]),
        "baseline_path": reverse("notifications:mark_all_read"),
        "sessions": sessions,
        "vendor": connection.vendor,
        "prepare_seconds": round(time.perf_counter() - started, 1),
    }
    connection.close()
    return info


def check_database(activity_pk: int) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Sum

    from smartunion.activities.models import Activity, Registration

    activity = Activity.objects.get(pk=activity_pk)
    rows = Registration.objects.filter(activity=activity)
    by_status = Counter(rows.values_list("status", flat=True))
    confirmed_places = rows.filter(status="confirmed").aggregate(places=Sum("quantity"))["places"] or 0
    duplicates = rows.count() - rows.values("person_id").distinct().count()
    connection.close()
    return {
        "activity_confirmed_counter": activity.confirmed,
        "confirmed_places_in_db": confirmed_places,
        "rows_by_status": dict(by_status),
        "members_registered_twice": duplicates,
    }


# -- 2. the server ------------------------------------------------------------------------------------------


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        sys.exit("gunicorn is missing: .venv/bin/pip install gunicorn (it is in the prod extra)")
    log = open(Path(args.var_dir) / "gunicorn.log", "ab")  # noqa: SIM115 — kept open for the server
    server = subprocess.Popen(
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--worker-class",
            "gthread",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--timeout",
            "120",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped; see {log.name}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s")


# -- 3./4. the clients ----------------------------------------------------------------------------------


def phase(
    args: argparse.Namespace, sessions: list[tuple[str, str]], path: str, body_for: Any
) -> dict[str, Any]:
    """Every member POSTs once to ``path``; ``args.clients`` keep-alive clients released together."""
    chunks = [sessions[n :: args.clients] for n in range(args.clients)]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    results: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(args.clients + 1)
    deadline = [0.0]

    def client(chunk: list[tuple[str, str]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        mine: list[tuple[float, int, str]] = []
        barrier.wait()
        for session_key, csrf in chunk:
            if time.monotonic() > deadline[0]:
                break
            headers = {
                "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            body = urlencode(body_for())
            start = time.perf_counter()
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors[type(error).__name__] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
                continue
            elapsed = time.perf_counter() - start
            location = response.getheader("Location") or ""
            result = parse_qs(urlsplit(location).query).get("result", [""])[0]
            mine.append((elapsed, response.status, result))
        conn.close()
        with lock:
            for elapsed, status, result in mine:
                latencies.append(elapsed)
                statuses[status] += 1
                if result:
                    results[result] += 1

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + args.seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def percentile(share: float) -> float:
        if not latencies:
            return 0.0
        return round(latencies[min(len(latencies) - 1, int(share * len(latencies)))] * 1000, 1)

    done = len(latencies)
    return {
        "requests": done,
        "seconds": round(wall, 2),
        "throughput_rps": round(done / wall, 1) if wall else 0.0,
        "p50_ms": percentile(0.50),
        "p95_ms": percentile(0.95),
        "status_codes": {str(code): count for code, count in sorted(statuses.items())},
        "results": dict(results),
        "connection_errors": dict(errors),
        "server_errors_5xx": sum(count for code, count in statuses.items() if code >= 500),
    }


def mean_of(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {"runs": [before, after]}
    for name in ("throughput_rps", "p50_ms", "p95_ms"):
        merged[name] = round((before[name] + after[name]) / 2, 1)
    merged["requests"] = before["requests"] + after["requests"]
    merged["server_errors_5xx"] = before["server_errors_5xx"] + after["server_errors_5xx"]
    merged["connection_errors"] = {**before["connection_errors"], **after["connection_errors"]}
    return merged


def main() -> None:
    args = arguments()
    env = configure(args)
    info = prepare(args)
    server = start_server(args, env)
    try:
        warm = info["sessions"][: args.clients * 4]
        phase(args, warm, info["baseline_path"], dict)  # every worker loads the app
        # The baseline right before and right after the rush (the machine's load drifts): their mean.
        before = phase(args, info["sessions"], info["baseline_path"], dict)
        register = phase(
            args,
            info["sessions"],
            info["register_path"],
            lambda: {"idempotency_key": uuid.uuid4().hex, "quantity": "1"},
        )
        after = phase(args, info["sessions"], info["baseline_path"], dict)
        baseline = mean_of(before, after)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    database = check_database(info["activity_pk"])
    others = "full" if args.no_waitlist else "waitlisted"
    expected_others = args.members - args.places
    checks = {
        "exactly_places_confirmed": database["confirmed_places_in_db"] == args.places
        and database["activity_confirmed_counter"] == args.places
        and register["results"].get("confirmed", 0) == args.places,
        "every_other_answer_full_or_waitlisted": register["results"].get("waitlisted", 0)
        + register["results"].get("full", 0)
        == expected_others
        and register["results"].get(others, 0) == expected_others,
        "zero_5xx": register["server_errors_5xx"] == 0 and baseline["server_errors_5xx"] == 0,
        "no_connection_errors": not register["connection_errors"] and not baseline["connection_errors"],
        "all_members_answered": register["requests"] == args.members,
        "nobody_registered_twice": database["members_registered_twice"] == 0,
    }
    ratio = (
        round(register["throughput_rps"] / baseline["throughput_rps"], 2)
        if baseline["throughput_rps"]
        else None
    )
    report = {
        "benchmark": "registration_rush",
        "database": info["vendor"],
        "members": args.members,
        "places": args.places,
        "waitlist": not args.no_waitlist,
        "clients": args.clients,
        "gunicorn": {"worker_class": "gthread", "workers": args.workers, "threads": args.threads},
        "prepare_seconds": info["prepare_seconds"],
        "register": {"view": "activities:portal_register", "path": info["register_path"], **register},
        "baseline": {"view": "notifications:mark_all_read", "path": info["baseline_path"], **baseline},
        "ratio_register_to_baseline": ratio,
        "ratio_goal": 0.5,
        "database_after": database,
        "checks": checks,
        "ok": all(checks.values()),
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
