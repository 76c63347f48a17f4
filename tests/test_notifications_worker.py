"""The morning digest on a real Celery worker (issue 13): the beat schedule names the task at
8:00, the task sent by that name to a worker lists exactly a handler's cases due within three
working days across the National Day week (and the overdue one), and sent twice it mails once."""

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
import redis
from celery.schedules import crontab
from django.conf import settings

from config.celery import app
from notifications.models import Notification
from requests_app.models import Case
from requests_app.services import cases as svc

from .worker_support import process_stop, worker_start

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.celery_worker]

QUEUE = f"wt-portal-digest-{os.getpid()}"
ENTRY = "notifications-morning-reminders"


@pytest.fixture(autouse=True)
def not_eager():
    """The task goes to the real worker through Redis."""
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    yield
    app.conf.task_always_eager = eager


def start_worker(url: str, var_dir: Path, log: Path) -> subprocess.Popen:
    # no EMAIL_URL: the default mail backend writes into VAR_DIR/mail/
    return worker_start(
        QUEUE,
        log,
        REDIS_URL=url,
        VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        EMAIL_URL="",
    )


def stop(worker: subprocess.Popen) -> None:
    process_stop(worker, timeout=20)


def case_due(city, clerk, intake, handler, due: dt.date) -> Case:
    case = svc.case_register(agency=city, by=clerk, data=intake())
    Case.objects.filter(pk=case.pk).update(handler=handler, reply_due=due)
    return Case.objects.get(pk=case.pk)


def test_the_beat_digest_on_a_real_worker_lists_the_right_cases_and_mails_once(
    city, staff, intake, tmp_path
):
    entry = settings.CELERY_BEAT_SCHEDULE[ENTRY]
    assert entry["schedule"] == crontab(hour=8, minute=0)
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/4"
    redis.Redis.from_url(url).ping()  # fails (not skips) when Redis is unreachable
    handler, clerk = staff["handler"], staff["clerk"]
    handler.email = "handler@zibo.example"
    handler.save(update_fields=["email"])
    listed = [
        case_due(city, clerk, intake, handler, dt.date(2026, 9, 25)),  # overdue
        case_due(city, clerk, intake, handler, dt.date(2026, 9, 30)),
        case_due(city, clerk, intake, handler, dt.date(2026, 10, 8)),
        case_due(city, clerk, intake, handler, dt.date(2026, 10, 9)),  # 3rd working day
    ]
    left_out = [
        case_due(city, clerk, intake, handler, dt.date(2026, 10, 10)),  # make-up Saturday: 4th
        case_due(city, clerk, intake, handler, dt.date(2026, 10, 12)),
    ]
    log = tmp_path / "worker.log"
    worker = start_worker(url, tmp_path, log)
    try:
        for _ in range(2):  # beat fires it; a second run (retry, restart) must not mail again
            result = app.send_task(entry["task"], kwargs={"today": "2026-09-29"}, queue=QUEUE)
            try:
                counts = result.get(timeout=120)
            except Exception as exc:
                raise AssertionError(log.read_text(errors="replace")) from exc
            assert counts["digests"] == 1
    finally:
        stop(worker)
    rows = Notification.objects.filter(kind="digest", recipient_user=handler)
    assert sorted(rows.values_list("channel", "status", "attempts")) == [
        ("email", "sent", 1),
        ("in_app", "sent", 1),
    ]
    body = rows.get(channel="email").body
    assert [line.split()[0] for line in body.splitlines()] == [c.case_no for c in listed]
    assert not any(c.case_no in body for c in left_out)
    mails = list((tmp_path / "mail").iterdir())
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "To: handler@zibo.example" in text
    assert "其中逾期 1 件" in rows.get(channel="email").subject
