"""Benchmark: letters rendered per second on one core, and 1,000 letters in a Celery batch.

Usage: .venv/bin/python bench/letters.py [--count 1000] [--seconds 5]

1. Pure rendering (one process, one core): a two-page reply (withheld, review-first remedy,
   four long paragraphs of body) rendered again and again from its context with
   `letters.rendering.render_docx`; prints letters/second. Target: at least 50/s.
2. A Celery batch: 1,000 issued letters rendered by `letters_render_batch` (the same service
   the application uses: lock, render, store the file, checksum, history row). The database is
   PostgreSQL `ogi_bench_letters` (created from BENCH_PG, default postgres://postgres@127.0.0.1:5432).
   With REDIS_URL set, the script starts a real worker (`celery -A config worker --pool=solo`,
   one process) against that Redis and dispatches the batch to it in chunks of 100; without it
   the tasks run eagerly in this process. It prints which of the two it did."""

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "ogi_bench_letters"
MEDIA = Path(tempfile.gettempdir()) / "ogi_bench_letters_media"


def context() -> dict:
    from letters import legal

    return {
        "draft": False,
        "title": "政府信息公开申请答复书",
        "letter_number": "淄政办信复〔2026〕12号",
        "replaces_number": "",
        "recipient_name": "张三",
        "recipient_address": "淄博市张店区共青团路1号",
        "recipient_postcode": "255000",
        "applicant_name": "张三",
        "case_no": "2026-0001",
        "received_on": "2026年9月25日",
        "request_content": "申请公开2025年本机关政府信息公开工作年度报告所依据的统计台账。",
        "body": [
            legal.LEGAL_BASES["withheld.process_information"].decision
            + "该信息为讨论记录与过程稿。" * 4
        ]
        * 4,
        "agency_name": "淄博市人民政府办公室",
        "agency_address": "淄博市张店区人民西路",
        "agency_postcode": "255000",
        "agency_phone": "0533-1234567",
        "issue_date": "2026年10月20日",
        "seal": "（印章）",
        "withhold_reason": "属于四类过程性信息。",
        "legal_basis": legal.LEGAL_BASES["withheld.process_information"].citation,
        "remedy": legal.remedy_notice(
            "withheld.process_information",
            review_body="淄博市人民政府",
            court="淄博市张店区人民法院",
        ),
    }


def bench_pure(seconds: float) -> None:
    import io

    from docx import Document

    from letters.rendering import default_template_bytes, render_docx

    template = default_template_bytes("reply_withheld")
    ctx = context()
    sample = render_docx(template, ctx)
    paragraphs = len(Document(io.BytesIO(sample)).paragraphs)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        render_docx(template, ctx)
        count += 1
    elapsed = time.perf_counter() - start
    print(
        f"pure render: {count} replies in {elapsed:.2f}s = {count / elapsed:.1f} letters/s on one core "
        f"({paragraphs} paragraphs, {len(sample)} bytes)"
    )
    try:
        from letters.rendering import docx_to_pdf

        pdf = docx_to_pdf(sample)
        counts = re.findall(rb"/Count (\d+)", pdf)
        print(f"  the reply is {int(counts[0]) if counts else '?'} pages A4 (LibreOffice PDF)")
    except Exception as exc:  # optional
        print(f"  (page count not checked: {exc})")


def bench_batch(count: int) -> None:
    redis_url = os.environ.get("REDIS_URL", "")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, AgencyLevel, Membership
    from letters.models import Letter, RenderStatus
    from letters.tasks import letters_render_batch
    from requests_app.models import Case

    agency, _ = Agency.objects.get_or_create(
        code="BENCH",
        defaults=dict(
            name="基准测试机关",
            level=AgencyLevel.CITY,
            review_body="淄博市人民政府",
            court="淄博市张店区人民法院",
            letter_prefix="基准信复",
        ),
    )
    user, _ = get_user_model().objects.get_or_create(username="bench-approver")
    for role in ("handler", "approver"):
        Membership.objects.get_or_create(user=user, agency=agency, role=role)
    # Issued letters whose files are to be rendered: reset to pending each run.
    have = Letter.objects.filter(agency=agency).count()
    ctx = context()
    if have < count:
        cases = []
        start = Case.objects.filter(agency=agency).count()
        for i in range(start, start + count - have):
            cases.append(
                Case(
                    agency=agency,
                    year=2026,
                    case_no=f"B-{i:06d}",
                    tracking_code=f"BENCH{i:07d}",
                    channel="online",
                    received_on=dt.date(2026, 9, 25),
                    applicant_type="natural_person",
                    applicant_name="张三",
                    content="基准测试申请",
                    state="other",  # the terminal state of other.other
                    outcome="other.other",
                    closed_on=dt.date(2026, 10, 9),
                )
            )
        Case.objects.bulk_create(cases)
        seq = Letter.objects.filter(agency=agency).count()
        letters = []
        for case in Case.objects.filter(agency=agency).exclude(letters__isnull=False)[
            : count - have
        ]:
            seq += 1
            letters.append(
                Letter(
                    case=case,
                    agency=agency,
                    kind="reply",
                    outcome="withheld.process_information",
                    state="issued",
                    number=f"基准信复〔2026〕{seq}号",
                    number_year=2026,
                    number_seq=seq,
                    issued_on=dt.date(2026, 10, 20),
                    context=ctx,
                    template_key="reply_withheld",
                    render_status="pending",
                    body="x",
                    created_by=user,
                    issued_by=user,
                )
            )
        Letter.objects.bulk_create(letters)
    ids = list(
        Letter.objects.filter(agency=agency).order_by("id").values_list("id", flat=True)[:count]
    )
    Letter.objects.filter(id__in=ids).update(render_status=RenderStatus.PENDING, file="", sha256="")
    chunks = [ids[i : i + 100] for i in range(0, len(ids), 100)]
    worker = None
    if redis_url:
        log = open(Path(tempfile.gettempdir()) / "ogi_bench_letters_worker.log", "wb")
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                "bench-letters",
                "-n",
                f"bench-letters-{os.getpid()}@%h",
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        time.sleep(3)
        mode = f"real Celery worker (--pool=solo, one process) on {redis_url}"
    else:
        mode = "eager (no REDIS_URL: tasks run in this process)"
    try:
        start = time.perf_counter()
        if worker:
            results = [
                letters_render_batch.apply_async(args=[chunk], queue="bench-letters")
                for chunk in chunks
            ]
            totals = [r.get(timeout=600) for r in results]
        else:
            totals = [letters_render_batch.apply(args=[chunk]).get() for chunk in chunks]
        elapsed = time.perf_counter() - start
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=30)
    generated = sum(t["generated"] for t in totals)
    print(
        f"celery batch: {generated}/{len(ids)} letters rendered and stored in {elapsed:.2f}s "
        f"({generated / elapsed:.1f}/s) — {mode}; {len(chunks)} tasks of up to 100 ids"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB}"')
    os.environ["DATABASE_URL"] = f"{BASE}/{DB}"
    os.environ["MEDIA_ROOT"] = str(MEDIA)
    os.environ["CELERY_EAGER"] = "false" if os.environ.get("REDIS_URL") else "true"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    bench_pure(args.seconds)
    bench_batch(args.count)


if __name__ == "__main__":
    main()
