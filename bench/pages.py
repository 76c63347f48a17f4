"""Benchmark: server time and query count of the staff pages with 100,000 cases in one agency.

    .venv/bin/python bench/pages.py [--cases 100000] [--repeat 15] [--database ogi_bench_pages]
                                    [--reuse]

Creates the PostgreSQL database on BENCH_PG (default postgres://postgres@127.0.0.1:5432), loads
the cases into ONE agency with COPY (bench/annual_stats.py's loader: open, finished and voided
cases over three years), a receipt clock event and a registration history row each, then
requests the pages in-process with Django's test client (the time is the server's: view,
queries, template; no network) as a handler of the agency and as a supervisor above it.
Prints the median and p95 per page and the number of queries. Target: <= 100 ms each."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def load(n: int) -> None:
    from django.db import connection

    from agencies.models import Agency, Membership
    from bench.annual_stats import load_cases
    from tests.conftest import make_user

    city = Agency.objects.create(code="CITY", name="市政府办公室", level="city")
    busy = Agency.objects.create(code="BUSY", name="繁忙单位", level="department", parent=city)
    t0 = time.perf_counter()
    load_cases(n, [busy.id])
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO requests_app_clockevent (case_id, kind, "on", days, note, until,'
            " created_at) SELECT id, 'receipt', received_on, 0, '', NULL, now()"
            " FROM requests_app_case"
        )
        cursor.execute(
            "INSERT INTO requests_app_caseevent (case_id, kind, transition, from_state,"
            " to_state, actor_id, at, reason, changes) SELECT id, 'registered', '', '',"
            " 'received', NULL, now(), '', '{}'::jsonb FROM requests_app_case"
        )
        cursor.execute("ANALYZE")
    handler = make_user("bench-handler", busy, "handler")
    make_user("bench-supervisor", city, "supervisor")
    Membership.objects.get_or_create(user=handler, agency=busy, role="clerk")
    print(f"loaded {n:,} cases into one agency in {time.perf_counter() - t0:.1f} s")


def measure(client, url: str, params: dict, repeat: int) -> tuple[float, float, int]:
    from django.db import connection

    response = client.get(url, params)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    queries = []  # counted with an execute wrapper: the request_started signal resets the log

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, params)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database", default="ogi_bench_pages")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    import psycopg

    if not args.reuse:
        with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
            conn.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = f"{BASE}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_EAGER"] = "true"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from requests_app.models import OPEN_STATES, Case

    settings.DEBUG = False
    setup_test_environment()  # the test client's context capture; DEBUG off as in production
    if not args.reuse:
        call_command("migrate", verbosity=0)
        load(args.cases)
    users = get_user_model().objects
    handler, supervisor = Client(), Client()
    handler.force_login(users.get(username="bench-handler"))
    supervisor.force_login(users.get(username="bench-supervisor"))
    worklist = reverse("requests_app:worklist")
    open_ids = list(
        Case.objects.filter(state__in=OPEN_STATES)
        .order_by("?")
        .values_list("public_id", flat=True)[:3]
    )
    old = Case.objects.exclude(state__in=OPEN_STATES).order_by("?").values_list("public_id")[:1]
    pages = [
        ("worklist (default: by due date)", handler, worklist, {}),
        ("worklist page 200", handler, worklist, {"page": 200}),
        ("worklist search 申请人 + channel", handler, worklist, {"q": "申请人", "channel": "online"}),
        ("worklist search by case number", handler, worklist, {"q": "2020-000123"}),
        ("worklist due within 5 days", handler, worklist, {"due_within": 5}),
        ("worklist overdue, by received", handler, worklist, {"overdue": "on", "sort": "-received"}),
        *(
            (f"case page (open #{i + 1})", handler, reverse("requests_app:case_detail", args=[pid]), {})
            for i, pid in enumerate(open_ids)
        ),
        ("case page (finished)", handler, reverse("requests_app:case_detail", args=[old[0][0]]), {}),
        ("supervisor worklist (subtree)", supervisor, worklist, {}),
        ("supervision home (per-unit counts)", supervisor, reverse("requests_app:supervision"), {}),
    ]  # fmt: skip
    total = Case.objects.count()
    print(f"staff pages, {total:,} cases in one agency; median / p95 of {args.repeat}, queries:")
    worst = 0.0
    for label, client, url, params in pages:
        median, p95, queries = measure(client, url, params, args.repeat)
        worst = max(worst, median)
        print(f"  {label:<38} {median * 1000:7.1f} ms  {p95 * 1000:7.1f} ms  {queries:3d} queries")
    print(
        f"  target: <= 100 ms server time each — {'met' if worst <= 0.1 else 'NOT MET'} (medians)"
    )


if __name__ == "__main__":
    main()
