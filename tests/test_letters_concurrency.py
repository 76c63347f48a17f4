"""Numbers under concurrent issuing on PostgreSQL, and a real Celery worker rendering letters."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import connection

from letters import services
from letters.models import Letter
from letters.samples import reply_details
from letters.tasks import letters_render_batch
from tests.helpers import issue_concurrently

from .letters_support import TODAY, case_for_outcome

pytestmark = pytest.mark.django_db(transaction=True)


def approved_replies(count, city, staff, intake):
    letters = []
    for _ in range(count):
        case = case_for_outcome("disclosed", agency=city, staff=staff, intake=intake)
        letter = services.letter_draft(
            case_id=case.id, by=staff["handler"], kind="reply", details=reply_details("disclosed")
        )
        services.letter_approve(letter_id=letter.id, by=staff["approver"])
        letters.append(letter)
    return letters


@time_machine.travel(TODAY, tick=False)
def test_concurrent_issuing_gives_gapless_unique_numbers(city, staff, intake):
    assert connection.vendor == "postgresql"
    letters = approved_replies(8, city, staff, intake)
    errors = issue_concurrently(letters, by=staff["approver"])
    assert not errors, errors
    issued = Letter.objects.filter(state="issued")
    assert sorted(issued.values_list("number_seq", flat=True)) == list(range(1, 9))
    assert issued.values("number").distinct().count() == 8
    assert all(letter.render_status == "generated" for letter in issued)


@pytest.mark.celery_worker
def test_real_celery_worker_renders_a_dispatched_batch(city, staff, intake, tmp_path):
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"
    redis.Redis.from_url(url).ping()  # fails (not skips) when Redis is unreachable
    with time_machine.travel(TODAY, tick=False):
        letter = approved_replies(1, city, staff, intake)[0]
        # Issue with the render step failing, so that the worker has a letter to render.
        original = services.rendering.render_docx
        services.rendering.render_docx = lambda template, context: (_ for _ in ()).throw(
            OSError("x")
        )
        try:
            services.letter_issue(letter_id=letter.id, by=staff["approver"])
        finally:
            services.rendering.render_docx = original
    letter.refresh_from_db()
    assert letter.render_status == "failed"

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": url,
        "CELERY_EAGER": "false",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    log = tmp_path / "worker.log"
    root = Path(__file__).resolve().parent.parent
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-n",
            f"h3-test-{os.getpid()}@%h",
            "-Q",
            f"h3-test-{os.getpid()}",
        ],
        cwd=root,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    app = letters_render_batch.app
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        result = letters_render_batch.apply_async(
            args=[[letter.id]], queue=f"h3-test-{os.getpid()}"
        )
        counts = result.get(timeout=90)
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert counts == {"generated": 1, "failed": 0}, log.read_text()
    letter.refresh_from_db()
    assert letter.render_status == "generated" and len(letter.sha256) == 64
    assert Path(letter.file.path).exists()
    time.sleep(0)
    assert letter.issued_on == dt.date(2026, 11, 20)
