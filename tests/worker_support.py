"""Real Celery processes for the tests that need them (a worker on its own queue, beat): started
against the test database and Redis, their output in a log file, stopped politely then killed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def celery_env(**extra: str) -> dict[str, str]:
    """The environment of a child Celery process: this test's database, not eager, plus extra."""
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_EAGER": "false",
        **extra,
    }


def process_start(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def worker_start(queue: str, log: Path, **extra_env: str) -> subprocess.Popen:
    """A solo-pool worker consuming only `queue` (so parallel test runs do not share tasks)."""
    return process_start(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--loglevel=INFO", "-n", f"{queue}-{time.monotonic_ns()}@%h", "-Q", queue],
        log,
        celery_env(**extra_env),
    )  # fmt: skip


def process_stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
