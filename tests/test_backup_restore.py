"""Backups that restore (issue 18). The restore drill on PostgreSQL: the demo plus generated
cases with issued letters are backed up, the media folder is deleted, the backup is restored into
a fresh, empty database and an empty media folder, and every table's row count, every case's
history and the SHA-256 of every issued letter's file (against the hash frozen at issue) are
compared. Restore refuses a non-empty target and a damaged backup; retention keeps N daily and
M monthly copies."""

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from agencies.models import Agency
from letters import services as letter_services
from letters.models import Letter
from requests_app.models import Case
from requests_app.services import cases as svc
from security.backup import (
    DUMP,
    MANIFEST,
    MEDIA_TAR,
    MSG_SQLITE,
    BackupError,
    DatabaseTarget,
    backups_prune,
    backups_to_keep,
)
from security.kinds import SecurityEventKind
from security.models import SecurityEvent

from .conftest import valid_id_number


@pytest.fixture
def folders(settings, tmp_path):
    settings.SECURITY_LOG_FILE = tmp_path / "security.jsonl"
    return tmp_path


def server_url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{dbname}"


@pytest.fixture
def drill_db():
    """A fresh, empty database on the same server (named after the test database, so parallel
    workers and helpers do not meet), dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_restore_drill"
    admin = DatabaseTarget.from_url(server_url("postgres"))
    with admin.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server_url(name)
    with admin.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_counts(conn) -> dict[str, int]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def case_histories(conn) -> dict[str, list[tuple]]:
    """Every case's history: its CaseEvent rows and its state log (django-fsm-log), in order."""
    histories: dict[str, list[tuple]] = {}
    events = conn.execute(
        "SELECT c.public_id::text, e.* FROM requests_app_caseevent e "
        "JOIN requests_app_case c ON c.id = e.case_id ORDER BY e.id"
    )
    for row in events:
        histories.setdefault(row[0], []).append(tuple(str(v) for v in row[1:]))
    states = conn.execute(
        "SELECT c.public_id::text, s.source_state, s.state, s.transition, s.timestamp "
        "FROM django_fsm_log_statelog s JOIN django_content_type t ON t.id = s.content_type_id "
        "JOIN requests_app_case c ON c.id::text = s.object_id::text "
        "WHERE t.app_label = 'requests_app' AND t.model = 'case' ORDER BY s.id"
    )
    for row in states:
        histories.setdefault(row[0], []).append(("state",) + tuple(str(v) for v in row[1:]))
    return histories


def generated_cases(n: int) -> list[Case]:
    """n more cases on top of the demo, each with its receipt issued (a file with a hash)."""
    agency = Agency.objects.get(code="CITY-OFFICE")
    agency.clerks_issue_receipts = True
    agency.save()
    clerk = agency.memberships.filter(role="clerk").first().user
    cases = []
    for i in range(n):
        case = svc.case_register(
            agency=agency,
            by=clerk,
            data={
                "channel": "mail_signed",
                "submitted_on": dt.date(2026, 11, 2),
                "signed_on": dt.date(2026, 11, 3),
                "mail_tracking_number": f"EMS90000{i:05d}",
                "applicant_type": "natural_person",
                "applicant_name": f"生成申请人{i}",
                "applicant_id_number": valid_id_number(100 + i),
                "applicant_phone": f"1390000{i:04d}",
                "applicant_address": f"淄博市张店区测试路{i}号",
                "applicant_postcode": "255000",
                "delivery_method": "post",
                "content": f"申请公开第{i}号生成案件所涉及的政府信息。",
                "receipt_date_confirmed": True,
            },
        )
        letter_services.receipt_issue(case_id=case.id, by=clerk)
        cases.append(case)
    return cases


@pytest.mark.django_db(transaction=True)
def test_restore_drill_brings_back_every_row_history_and_letter_file(folders, drill_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    generated_cases(12)
    issued = Letter.objects.filter(state="issued", render_status="generated").exclude(sha256="")
    assert issued.count() >= 12 and Case.objects.count() > 12

    # What the backup must bring back (the BACKUP event itself is written after the dump).
    source = DatabaseTarget.from_settings(settings.DATABASES["default"])
    with source.connect() as conn:
        expected_counts = table_counts(conn)
        expected_histories = case_histories(conn)

    output = folders / "backups"
    call_command("backup", output=str(output))
    (folder,) = [p for p in output.iterdir() if p.is_dir()]
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {DUMP, MEDIA_TAR}
    assert manifest["app_version"] and "security" in manifest["migrations"]
    assert len(manifest["media"]) >= issued.count()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.BACKUP).count() == 1

    assert expected_counts["requests_app_case"] == Case.objects.count()
    assert len(expected_histories) == Case.objects.count()

    # The server is lost: its media folder goes; the backup is restored on a fresh database.
    shutil.rmtree(settings.MEDIA_ROOT)
    restored_media = folders / "restored-media"
    call_command("restore", str(folder), database_url=drill_db, media_root=str(restored_media))

    restored = DatabaseTarget.from_url(drill_db)
    with restored.connect() as conn:
        assert table_counts(conn) == expected_counts
        assert case_histories(conn) == expected_histories
        letters = conn.execute(
            "SELECT number, file, sha256 FROM letters_letter "
            "WHERE state = 'issued' AND render_status = 'generated' AND sha256 <> ''"
        ).fetchall()
    assert len(letters) == issued.count()
    for number, name, frozen in letters:
        data = (restored_media / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == frozen, number
    # The restored database carries the append-only trigger too.
    with restored.connect() as conn:
        conn.execute(
            "INSERT INTO security_securityevent (created_at, kind, username, user_agent, path, "
            "object_type, object_id, object_repr, details) "
            "VALUES (now(), 'restore', 'drill', '', '', '', '', '', '{}')"
        )
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("UPDATE security_securityevent SET username = 'x'")


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_live_database_a_full_media_folder_and_a_damaged_backup(
    folders, drill_db
):
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True)
    (media / "scan.pdf").write_bytes(b"%PDF-1.4 scan")
    call_command("backup", output=str(folders / "b"))
    (folder,) = list((folders / "b").iterdir())

    # Into the configured (live) database: refused, nothing touched.
    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(folder), media_root=str(folders / "empty"))
    # Into a non-empty media folder: refused.
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("restore", str(folder), database_url=drill_db, media_root=str(media))
    # A backup from a newer version (migrations this code lacks): refused.
    manifest_path = folder / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    original = manifest_path.read_text(encoding="utf-8")
    manifest["migrations"]["security"].append("0099_from_the_future")
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(CommandError, match="0099_from_the_future"):
        call_command("restore", str(folder), database_url=drill_db, media_root=str(folders / "m"))
    manifest_path.write_text(original, encoding="utf-8")
    # A damaged dump: refused before anything is written.
    dump = folder / DUMP
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256 与 manifest 不符"):
        call_command("restore", str(folder), database_url=drill_db, media_root=str(folders / "m2"))
    with DatabaseTarget.from_url(drill_db).connect() as conn:
        assert table_counts(conn) == {}
    assert not (folders / "m2").exists()
    # An unfinished backup (no manifest) is not a backup.
    (folder / MANIFEST).unlink()
    with pytest.raises(CommandError, match="没有 manifest.json"):
        call_command("restore", str(folder), database_url=drill_db)


def test_sqlite_is_refused_with_a_clear_message():
    with pytest.raises(BackupError) as exc:
        DatabaseTarget.from_settings({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
    assert exc.value.message == MSG_SQLITE


def test_retention_keeps_n_daily_and_m_monthly_copies(tmp_path):
    start = dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)
    stamps = [start + dt.timedelta(days=d) for d in range(0, 120)]  # one a day, 120 days
    stamps.append(stamps[-1] + dt.timedelta(hours=12))  # two on the last day
    for stamp in stamps:
        folder = tmp_path / f"ogi-backup-{stamp:%Y%m%d-%H%M%S}"
        folder.mkdir()
        (folder / MANIFEST).write_text("{}")
    (tmp_path / "ogi-backup-20250101-000000").mkdir()  # unfinished: no manifest, not counted
    keep = backups_to_keep(stamps, daily=7, monthly=3)
    assert max(stamps) in keep
    removed = backups_prune(tmp_path, daily=7, monthly=3)
    left = sorted(p.name for p in tmp_path.iterdir() if (p / MANIFEST).exists())
    assert len(left) == len(keep) == 7 + 2  # 7 last days; the months' newest: 2 earlier months
    assert left[-1] == f"ogi-backup-{max(stamps):%Y%m%d-%H%M%S}"
    assert "ogi-backup-20260331-020000" in left and "ogi-backup-20260228-020000" in left
    assert len(removed) == len(stamps) - len(left)
    assert (tmp_path / "ogi-backup-20250101-000000").exists()


def test_the_backup_runs_from_beat_only_when_enabled(db):
    from config.celery import app

    app.loader.import_default_modules()
    assert "security.backup_run" in app.tasks
    assert "letters.letters_integrity_sweep" in app.tasks
    assert "security-backup" not in settings.CELERY_BEAT_SCHEDULE
    assert settings.CELERY_BEAT_SCHEDULE["letters-integrity-sweep"]["task"] == (
        "letters.letters_integrity_sweep"
    )
    assert connection.vendor == "postgresql"
