"""Benchmark: recompute the deadlines of 100,000 open cases after a calendar change.

Usage: .venv/bin/python bench/deadlines.py [--cases 100000]
Creates (or reuses) the PostgreSQL database `ogi_bench_deadlines` on BENCH_PG (default
postgres://postgres@127.0.0.1:5432), loads the open cases with their clock events once, then
prints: the calendar index build time, the pure deadline arithmetic per case, and the full
recompute (read events, compute, write changed due dates and one history row per case)."""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "ogi_bench_deadlines"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database", default=DB)
    parser.add_argument("--profile", action="store_true", help="pyinstrument the full recompute")
    args = parser.parse_args()
    db = args.database
    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            conn.execute(f'CREATE DATABASE "{db}"')
    os.environ["DATABASE_URL"] = f"{BASE}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_EAGER"] = "true"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from agencies.models import Agency
    from requests_app.models import OPEN_STATES, Case, CaseEvent, ClockEvent, EventKind
    from requests_app.services.deadlines import (
        ClockFact,
        case_deadlines_recompute_open,
        deadline_compute,
    )
    from workcalendar.engine import WorkingCalendar
    from workcalendar.models import CalendarDay, CalendarYear
    from workcalendar.selectors import calendar_get

    agency, _ = Agency.objects.get_or_create(
        code="BENCH", defaults={"name": "基准测试机关", "level": "city"}
    )
    existing = Case.objects.filter(agency=agency).count()
    if existing < args.cases:
        t = time.perf_counter()
        start = dt.date(2026, 9, 1)
        batch = []
        for i in range(existing, args.cases):
            received = start + dt.timedelta(days=i % 110)
            batch.append(
                Case(
                    agency=agency,
                    year=received.year,
                    case_no=f"B-{i:07d}",
                    tracking_code=f"B{i:011d}",
                    channel="online",
                    confirmed_on=received,
                    received_on=received,
                    applicant_type="natural_person",
                    applicant_name="基准",
                    content="基准测试",
                )
            )
            if len(batch) == 10_000:
                Case.objects.bulk_create(batch)
                batch = []
        Case.objects.bulk_create(batch)
        events = []
        for case_id, received, n in Case.objects.filter(agency=agency).values_list(
            "id", "received_on", "id"
        ):
            events.append(ClockEvent(case_id=case_id, kind="receipt", on=received))
            if n % 3 == 0:  # a third of the cases have a consultation pause and resume
                events.append(
                    ClockEvent(case_id=case_id, kind="pause", on=received + dt.timedelta(days=3))
                )
                events.append(
                    ClockEvent(case_id=case_id, kind="resume", on=received + dt.timedelta(days=12))
                )
            if len(events) >= 30_000:
                ClockEvent.objects.bulk_create(events)
                events = []
        ClockEvent.objects.bulk_create(events)
        print(f"loaded {args.cases - existing:,} cases in {time.perf_counter() - t:.1f} s")
    # Start from a known calendar: no 2027 schedule.
    CalendarDay.objects.filter(date__gte=dt.date(2026, 12, 31)).delete()
    CalendarYear.objects.filter(year=2027).delete()
    case_deadlines_recompute_open(reason="bench reset")

    t = time.perf_counter()
    WorkingCalendar(
        first=dt.date(2004, 1, 1), last=dt.date(2032, 12, 31), overrides={}, entered_years=[]
    )
    print(f"calendar index build (2004-2032): {time.perf_counter() - t:.3f} s")

    calendar = calendar_get()
    facts = [
        ClockFact("receipt", dt.date(2026, 9, 1) + dt.timedelta(days=i % 110))
        for i in range(args.cases)
    ]
    t = time.perf_counter()
    for fact in facts:
        deadline_compute([fact], calendar)
    elapsed = time.perf_counter() - t
    print(
        f"pure deadline arithmetic: {args.cases:,} due dates in {elapsed:.2f} s "
        f"({elapsed / args.cases * 1e6:.1f} µs each)"
    )

    # A calendar change that moves many deadlines: enter 2027 with a New Year holiday.
    CalendarYear.objects.create(year=2027, source="bench")
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    CalendarDay.objects.create(date=dt.date(2026, 12, 31), kind="holiday", name="bench")
    open_count = Case.objects.filter(agency=agency, state__in=OPEN_STATES).count()
    events_before = CaseEvent.objects.filter(kind=EventKind.DEADLINE_CHANGED).count()
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    t = time.perf_counter()
    changed = case_deadlines_recompute_open(reason="bench: 2027 entered")
    elapsed = time.perf_counter() - t
    if profiler:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    written = CaseEvent.objects.filter(kind=EventKind.DEADLINE_CHANGED).count() - events_before
    assert written == changed, (written, changed)
    stale = sum(
        1
        for facts_case in Case.objects.filter(agency=agency, state__in=OPEN_STATES)
        .order_by("?")
        .values_list("id", "reply_due")[:200]
        if deadline_compute(
            [
                ClockFact(*e)
                for e in ClockEvent.objects.filter(case_id=facts_case[0])
                .order_by("on", "id")
                .values_list("kind", "on", "days", "note", "until")
            ],
            calendar_get(),
        ).due
        != facts_case[1]
    )
    assert stale == 0, f"{stale} of 200 sampled cases have a stale reply_due"
    print(
        f"full recompute of {open_count:,} open cases: {elapsed:.1f} s, {changed:,} deadlines moved "
        f"(each with a history row: {written:,} written; 200 sampled cases checked) — target 1.5 s"
    )
    t = time.perf_counter()
    changed = case_deadlines_recompute_open(reason="bench: no change")
    print(f"recompute with nothing to change: {time.perf_counter() - t:.1f} s, {changed} moved")


if __name__ == "__main__":
    main()
