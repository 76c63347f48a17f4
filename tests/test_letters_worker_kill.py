"""A real Celery worker killed with SIGKILL in the middle of issuing the automatic receipt (or of
rendering it), then restarted: the periodic sweep finishes the receipt exactly once and the
numbering has no gap (issue 10 item 5)."""

import datetime as dt
import os
import signal
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.utils import timezone

from letters import services
from letters.models import Letter, LetterNumberCounter
from letters.tasks import letters_issue_outstanding, letters_receipt_on_registration
from requests_app.models import CaseEvent
from requests_app.services import cases as svc

from .letters_support import docx_text
from .worker_support import process_stop, worker_start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]

QUEUE = f"wt-c-kill-{os.getpid()}"


@pytest.fixture(autouse=True)
def clerks_sign_off_receipts(city):
    """This agency lets its clerks issue receipts themselves (issue 11: an agency setting)."""
    city.clerks_issue_receipts = True
    city.save(update_fields=["clerks_issue_receipts"])


def start_worker(url: str, log: Path) -> subprocess.Popen:
    return worker_start(QUEUE, log, REDIS_URL=url, MEDIA_ROOT=str(settings.MEDIA_ROOT))


def stop(worker: subprocess.Popen) -> None:
    process_stop(worker, timeout=20)


def dispatch(task, *args, **kwargs):
    return task.apply_async(args=args, kwargs=kwargs, queue=QUEUE)


@pytest.fixture(autouse=True)
def not_eager():
    """Tasks go to the real worker through Redis (registrations here queue none)."""
    conf = letters_issue_outstanding.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    yield
    conf.task_always_eager = eager


def wait_for(condition, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}\n{log.read_text(errors='replace')}")


def raw_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    )


def query_one(sql: str, params: list):
    with raw_connection() as conn:
        return conn.execute(sql, params).fetchone()


def test_a_worker_killed_mid_issue_leaves_the_receipt_to_the_sweep_issued_once_without_gap(
    city, staff, intake, tmp_path
):
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
    redis.Redis.from_url(url).ping()  # fails (not skips) when Redis is unreachable
    today = timezone.localdate()
    recent = {
        "submitted_on": today - dt.timedelta(days=2),
        "signed_on": today - dt.timedelta(days=1),
    }
    clerk = staff["clerk"]
    first = svc.case_register(agency=city, by=clerk, data=intake(**recent))
    second = svc.case_register(agency=city, by=clerk, data=intake(**recent))
    LetterNumberCounter.objects.create(agency=city, series="receipt", year=today.year)
    log = tmp_path / "worker.log"

    # Hold the receipt series' counter row, so that the worker stops inside the issuing
    # transaction, after the receipt is signed off and before its number is taken.
    blocker = raw_connection()
    blocker.execute(
        "SELECT last FROM letters_letternumbercounter WHERE agency_id = %s AND series = 'receipt'"
        " FOR UPDATE",
        [city.id],
    )
    worker = start_worker(url, log)
    try:
        dispatch(letters_receipt_on_registration, first.id, clerk.id)
        wait_for(
            lambda: Letter.objects.filter(case=first, state="approved").exists(),
            90,
            "the receipt signed off",
            log,
        )
        waiting = wait_for(
            lambda: (
                raw_connection()
                .execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    [settings.DATABASES["default"]["NAME"]],
                )
                .fetchone()
            ),
            30,
            "the worker waiting for the number",
            log,
        )[0]
        os.kill(worker.pid, signal.SIGKILL)  # kill -9, mid-issue
        assert worker.wait(timeout=20) == -signal.SIGKILL
    finally:
        stop(worker)
        blocker.rollback()  # the lock is released; the dead worker's transaction rolls back
        blocker.close()
    wait_for(
        lambda: (
            not raw_connection()
            .execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [waiting])
            .fetchone()
        ),
        30,
        "the dead worker's database session to end",
        log,
    )
    receipt = Letter.objects.get(case=first)
    assert receipt.state == "approved" and receipt.issue_requested_at is not None
    assert not receipt.number and receipt.number_seq is None
    counter = LetterNumberCounter.objects.get(agency=city, series="receipt", year=today.year)
    assert counter.last == 0, "the dead transaction's number is not taken"

    worker = start_worker(url, log)  # restarted
    try:
        counts = dispatch(letters_issue_outstanding, retry_after_seconds=0).get(timeout=90)
        assert counts["issued"] == 1, log.read_text(errors="replace")
        # Later receipts go on from the next number.
        assert dispatch(letters_receipt_on_registration, second.id, clerk.id).get(timeout=90)
        assert dispatch(letters_issue_outstanding, retry_after_seconds=0).get(timeout=90) == {
            "issued": 0, "reported": 0, "generated": 0, "failed": 0,
        }  # fmt: skip
    finally:
        stop(worker)

    receipt.refresh_from_db()
    assert (receipt.state, receipt.number_seq, receipt.render_status) == ("issued", 1, "generated")
    assert receipt.number == f"淄政办信复回执〔{today.year}〕1号"
    assert Path(receipt.file.path).exists() and len(receipt.sha256) == 64
    assert CaseEvent.objects.filter(case=first, transition="letter_issue").count() == 1
    assert not CaseEvent.objects.filter(case=first, kind="note").exists()
    numbers = Letter.objects.filter(kind="receipt", state="issued").values_list(
        "number_seq", flat=True
    )
    assert sorted(numbers) == [1, 2]
    counter.refresh_from_db()
    assert counter.last == 2
    assert Letter.objects.filter(case=first, kind="receipt").count() == 1


def test_a_worker_killed_mid_render_leaves_the_issued_letter_to_the_sweep(
    city, staff, intake, tmp_path
):
    """Killed after the issue committed, while the file was being rendered: the letter stays
    issued with its number, and the sweep renders it (a long body makes the render last)."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
    redis.Redis.from_url(url).ping()
    today = timezone.localdate()
    recent = {
        "submitted_on": today - dt.timedelta(days=2),
        "signed_on": today - dt.timedelta(days=1),
    }
    case = svc.case_register(agency=city, by=staff["clerk"], data=intake(**recent))
    receipt = services.letter_draft(case_id=case.id, by=staff["clerk"], kind="receipt")
    body = "\n".join(f"第{n}段：本机关已收到您的申请，正在办理。" for n in range(60_000))
    services.letter_update(letter_id=receipt.id, by=staff["handler"], body=body)
    services.letter_approve(letter_id=receipt.id, by=staff["clerk"])
    Letter.objects.filter(pk=receipt.pk).update(issue_requested_at=timezone.now())
    log = tmp_path / "worker.log"
    worker = start_worker(url, log)
    try:
        dispatch(letters_issue_outstanding, retry_after_seconds=0)
        wait_for(
            lambda: Letter.objects.filter(pk=receipt.pk, state="issued").exists(),
            90,
            "the receipt issued",
            log,
        )
        os.kill(worker.pid, signal.SIGKILL)  # kill -9, while the file is being rendered
        assert worker.wait(timeout=20) == -signal.SIGKILL
    finally:
        stop(worker)
    receipt.refresh_from_db()
    assert (receipt.state, receipt.number_seq, receipt.render_status) == ("issued", 1, "pending")
    assert not receipt.file

    worker = start_worker(url, log)
    try:
        counts = dispatch(letters_issue_outstanding, retry_after_seconds=0).get(timeout=120)
    finally:
        stop(worker)
    assert counts == {"issued": 0, "reported": 0, "generated": 1, "failed": 0}, counts
    receipt.refresh_from_db()
    assert (receipt.number_seq, receipt.render_status) == (1, "generated")
    assert "第59999段" in docx_text(receipt.file.open("rb").read())
    assert CaseEvent.objects.filter(case=case, transition="letter_issue").count() == 1
    assert CaseEvent.objects.filter(case=case, transition="letter_render").count() == 1
    assert LetterNumberCounter.objects.get(agency=city, series="receipt", year=today.year).last == 1
