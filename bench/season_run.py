"""Benchmark of the year-end season run (issue 16): 2,000 units, 1,000,000 cases.

    .venv/bin/python bench/season_run.py [--cases 1000000] [--agencies 2000] [--keep]
    .venv/bin/python bench/season_run.py --reuse      # time again on a kept database

Creates its own PostgreSQL database (`ogi_bench_season` on the server of DATABASE_URL), loads
the agency tree of bench/annual_stats.py (city office, 20 districts, units), a supervisor on
the city office and on each district (21 consolidated drafts), 1,000,000 cases received
2025–2026 with COPY — finished ones in the finished state with their outcome, an issued reply
letter for 99 % of them (INSERT … SELECT, 0.5 % with a differing outcome), open ones mostly
received in December 2026, a few overdue or without an applicant type — and the published
2025 report of 100 units (for the carry-over check). Then the season's daily run of
2027-01-04 (the first working day: sweep, every unit's draft, every consolidated draft,
reminders) runs in a fresh process, which prints its whole time and its peak memory (max RSS);
then the run again (idempotent: nothing changes). Target: the whole run <= 5 minutes.

Each unit's tables come from `reporting.stats.annual_report_build`, the report page's own
function (no second counting path).

Finished cases are written in their outcome group's terminal state (`finished_state_for`)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from annual_stats import (  # noqa: E402  (bench/ scripts share their loaders)
    OUTCOMES,
    TYPES,
    case_columns,
    drop_database,
    load_agencies,
    recreate_database,
    server_url,
)

YEAR = 2026
RUN_DAY = dt.date(2027, 1, 4)


def finished_state(outcome: str) -> str:
    """The terminal state a case with this outcome finishes in (its outcome group's)."""
    from requests_app.models import finished_state_for

    return str(finished_state_for(outcome))


def load_people(agency_ids: list[int]) -> None:
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, Membership, Role

    User = get_user_model()
    offices = Agency.objects.filter(level__in=["city", "district"]).order_by("id")
    for office in offices:
        user = User.objects.create_user(f"sup-{office.code}", email=f"{office.code}@example.org")
        Membership.objects.create(user=user, agency=office, role=Role.SUPERVISOR)


def load_cases(n: int, agency_ids: list[int], seed: int = 2026) -> None:
    """COPY n cases received 2025–2026 in realistic states."""
    from django.db import connection

    from requests_app.models import OPEN_STATES

    rng = random.Random(seed)
    columns = case_columns()
    types = [t for t, _ in TYPES]
    outcomes = [o for o, _ in OUTCOMES]
    start = dt.date(2025, 1, 1)
    span = (dt.date(YEAR, 12, 31) - start).days + 1
    now = dt.datetime(2027, 1, 3, tzinfo=dt.UTC)
    weights = [rng.paretovariate(1.5) for _ in agency_ids]
    chosen_agencies = rng.choices(agency_ids, weights=weights, k=n)
    chosen_types = rng.choices(types, weights=[w for _, w in TYPES], k=n)
    chosen_outcomes = rng.choices(outcomes, weights=[w for _, w in OUTCOMES], k=n)
    base = dict.fromkeys(columns)
    base.update(
        channel="online", mail_tracking_number="", applicant_name="申请人",
        applicant_id_number="", applicant_credit_code="", applicant_phone="",
        applicant_email="", applicant_address="", applicant_postcode="", delivery_method="email",
        content="申请公开某项政府信息", information_form="any", proposed_outcome="",
        answered_on_the_spot=False, on_the_spot_note="", deadline_provisional=False,
        clock_stopped=False, supplement_missing="", extension_state="none", extension_days=0,
        extension_reason="", fee_receipt_no="", void_reason="", created_at=now, updated_at=now,
        version=1,
    )  # fmt: skip
    counters: dict[int, int] = {}
    open_states = [str(s) for s in OPEN_STATES]
    sql = f"COPY requests_app_case ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for i in range(n):
            agency_id = chosen_agencies[i]
            counters[agency_id] = counters.get(agency_id, 0) + 1
            received = start + dt.timedelta(days=rng.randrange(span))
            roll = rng.random()
            applicant_type = "" if rng.random() < 0.001 else chosen_types[i]
            if roll < 0.03:
                state, outcome, closed = "void", "", None
            elif roll < 0.97:
                closed = received + dt.timedelta(days=int(rng.expovariate(1 / 18)))
                outcome = chosen_outcomes[i]
                state = finished_state(outcome)
                if closed >= RUN_DAY:
                    state, outcome, closed = rng.choice(open_states), "", None
            else:  # open: mostly received lately, a few left behind (overdue)
                if rng.random() < 0.9:
                    received = dt.date(YEAR, 12, 1) + dt.timedelta(days=rng.randrange(31))
                state, outcome, closed = rng.choice(open_states), "", None
            row = dict(base)
            row.update(
                public_id=uuid.UUID(int=rng.getrandbits(128)),
                tracking_code=f"S{i:011d}",
                agency_id=agency_id,
                year=received.year,
                case_no=f"{received.year}-{counters[agency_id]:06d}",
                received_on=received,
                applicant_type=applicant_type,
                state=state,
                outcome=outcome,
                closed_on=closed,
                reply_due=received + dt.timedelta(days=28),
            )
            copy.write_row([row[c] for c in columns])


LETTERS_SQL = """
INSERT INTO letters_letter (public_id, case_id, agency_id, kind, outcome, state, details, body,
  number, number_series, number_year, number_seq, issued_on, context, template_key,
  issue_attempts, render_status, render_error, file, sha256, created_at, updated_at)
SELECT gen_random_uuid(), id, agency_id, 'reply',
  CASE WHEN random() < 0.005 AND outcome <> 'other.other' THEN 'other.other' ELSE outcome END,
  'issued', '{}', '', 'B复〔' || EXTRACT(YEAR FROM closed_on) || '〕' || id || '号', 'reply',
  EXTRACT(YEAR FROM closed_on)::int, id, closed_on, '{}', '', 0, '', '', '', '', now(), now()
FROM requests_app_case WHERE state = ANY(%s) AND random() < 0.99
"""


def load_letters() -> int:
    from django.db import connection

    from requests_app.models import FINISHED_STATES

    with connection.cursor() as cursor:
        cursor.execute(LETTERS_SQL, [[str(s) for s in FINISHED_STATES]])
        count = cursor.rowcount
        cursor.execute("ANALYZE")
    return count


def publish_previous_year(units: int) -> int:
    from django.contrib.auth import get_user_model

    from agencies.models import Agency
    from reporting.services import report_publish
    from requests_app.rules import RuleViolation

    by = get_user_model().objects.get(username="sup-CITY-OFFICE")
    published = 0
    for agency in Agency.objects.filter(code__startswith="U").order_by("id")[:units]:
        try:
            report_publish(agency=agency, year=YEAR - 1, by=by)
        except RuleViolation:  # a case without an applicant type: 勾稽关系 fails, not published
            continue
        published += 1
    return published


def run_once() -> dict:
    """One season run in this (fresh) process: whole time and peak memory."""
    from django.db import connection

    from season.services import season_daily

    t0 = time.perf_counter()
    run = season_daily(RUN_DAY)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_mb, 1),
        "summary": run.summary,
        "queries_note": connection.vendor,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--agencies", type=int, default=2000)
    parser.add_argument("--published", type=int, default=100)
    parser.add_argument("--database", default="ogi_bench_season")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="time a kept database again")
    parser.add_argument("--run-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = server_url(args.database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_EAGER"] = "true"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    if args.run_only:
        import django

        django.setup()
        print(json.dumps(run_once(), ensure_ascii=False))
        return
    if not args.reuse:
        recreate_database(args.database)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        if not args.reuse:
            t0 = time.perf_counter()
            call_command("migrate", verbosity=0)
            agency_ids = load_agencies(args.agencies)
            load_people(agency_ids)
            load_cases(args.cases, agency_ids)
            letters = load_letters()
            published = publish_previous_year(args.published)
            print(
                f"loaded {len(agency_ids):,} units, {args.cases:,} cases, {letters:,} issued"
                f" replies, {published} published {YEAR - 1} reports"
                f" in {time.perf_counter() - t0:.1f} s"
            )
        from django.db import connections

        connections.close_all()
        for label in ("first run (drafts made)", "second run (idempotent: nothing changes)"):
            out = (
                subprocess.run(
                    [sys.executable, __file__, "--run-only", "--database", args.database],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=os.environ,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            result = json.loads(out)
            print(
                f"{label}: {result['seconds']} s, peak memory (max RSS) {result['peak_rss_mb']} MB"
            )
            print(f"  {json.dumps(result['summary'], ensure_ascii=False)}")
        print(
            f"target: whole run <= 300 s — {'met' if result['seconds'] <= 300 else 'NOT MET'}"
            " (on a machine shared with other jobs; see the load average)"
        )
        print(f"load average: {os.getloadavg()}")
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            drop_database(args.database)


if __name__ == "__main__":
    main()
