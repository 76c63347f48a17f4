"""Benchmark of `import_cases` (SPEC §9): time and peak memory of a 5,000-row and a 100,000-row
import, each in a fresh process (the figure is that process's peak resident set, `ru_maxrss`).

    .venv/bin/python bench/imports.py [--sizes 5000,100000] [--database ogi_bench_imports]

Creates the PostgreSQL database on BENCH_PG (default postgres://postgres@127.0.0.1:5432), makes
an agency and an importer, writes a CSV per size (a third of the rows with their own case
number, 70 % closed with an outcome, the rest open), imports it through
`requests_app.services.imports.cases_import_file` (the command's service: every row checked,
then written with clock events, deadlines, history and the logged close transition), checks
the rows arrived and prints the figures. Targets: 5,000 rows <= 2 s; 100,000 rows <= 300 MB."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
OUTCOMES = ["disclosed", "partially_disclosed", "unavailable.not_held", "other.other"]
TYPES = ["natural_person", "commercial_enterprise", "other_org"]


def write_csv(path: Path, n: int, prefix: str) -> None:
    start = dt.date(2025, 1, 2)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["case_no", "received_on", "channel", "applicant_type", "applicant_name", "content",
             "outcome", "closed_on"]
        )  # fmt: skip
        for i in range(n):
            received = start + dt.timedelta(days=i % 300)
            closed = i % 10 < 7
            writer.writerow(
                [
                    f"{prefix}-{i:06d}" if i % 3 == 0 else "",
                    received.isoformat(),
                    "online",
                    TYPES[i % len(TYPES)],
                    f"申请人{i}",
                    f"申请公开第{i}号文件及其附件",
                    OUTCOMES[i % len(OUTCOMES)] if closed else "",
                    (received + dt.timedelta(days=10)).isoformat() if closed else "",
                ]
            )


def child(path: str, agency_code: str) -> None:
    """Run one import in this (fresh) process and print time, rows and peak memory."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from agencies.models import Agency
    from requests_app.models import Case
    from requests_app.services.imports import cases_import_file

    agency = Agency.objects.get(code=agency_code)
    user = get_user_model().objects.get(username="bench-importer")
    before_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = Case.objects.filter(agency=agency).count()
    profiler = None
    if os.environ.get("BENCH_PROFILE"):
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    t0, c0 = time.perf_counter(), time.process_time()
    result = cases_import_file(path, agency=agency, by=user, today=dt.date(2026, 11, 30))
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    if profiler:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False), file=sys.stderr)
    after = Case.objects.filter(agency=agency).count()
    assert after - before == result.total, (after, before, result.total)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{result.total} {result.closed} {elapsed:.3f} {cpu:.3f}"
        f" {before_rss / 1024:.0f} {peak / 1024:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5000,100000")
    parser.add_argument("--database", default="ogi_bench_imports")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "AGENCY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{BASE}/{args.database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_EAGER"] = "true"
    if args.child:
        child(*args.child)
        return
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from agencies.models import Agency, Membership

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench-importer", password="x" * 12)
    workdir = Path(tempfile.mkdtemp(prefix="ogi_bench_imports_"))
    print("import_cases through cases_import_file, each size in a fresh process:")
    for n in [int(s) for s in args.sizes.split(",")]:
        agency = Agency.objects.create(code=f"IMP{n}", name=f"导入基准{n}", level="city")
        Membership.objects.create(user=user, agency=agency, role="handler")
        path = workdir / f"cases_{n}.csv"
        write_csv(path, n, f"I{n}")
        out = subprocess.run(
            [sys.executable, __file__, "--database", args.database, "--child", str(path),
             agency.code],
            capture_output=True, text=True, env=dict(os.environ), cwd=ROOT,
        )  # fmt: skip
        if os.environ.get("BENCH_PROFILE"):
            print(out.stderr)
        if out.returncode:
            print(out.stdout, out.stderr)
            raise SystemExit(f"import of {n} rows failed")
        total, closed, elapsed, cpu, base_mb, peak_mb = out.stdout.split()[-6:]
        print(
            f"  {int(total):>7,} rows ({int(closed):,} closed, {path.stat().st_size / 1e6:.1f} MB"
            f" CSV): {float(elapsed):6.2f} s wall ({float(cpu):.2f} s CPU in the importing"
            f" process), {int(total) / float(elapsed):5.0f} rows/s,"
            f" peak RSS {peak_mb} MB (process after start-up {base_mb} MB)"
        )
    print("  targets: 5,000 rows <= 2 s; 100,000 rows <= 300 MB peak")


if __name__ == "__main__":
    main()
