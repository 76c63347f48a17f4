"""Backups that restore (SPEC §9 `backup` / `restore`; GB/T 22239-2019 数据备份恢复).

A backup is one folder `ogi-backup-YYYYmmdd-HHMMSS` holding
- `database.dump`: `pg_dump --format=custom` of the configured PostgreSQL database (one
  snapshot: pg_dump reads in a single repeatable-read transaction, so it is consistent);
- `media.tar`: MEDIA_ROOT (scans, issued letters, templates), taken after the dump;
- `manifest.json`: SHA-256 of both files and of every media file, the application's version,
  the applied migrations, the database's table list; written last, so a folder without it is
  an unfinished backup and is never restored or counted.

`backup_restore` restores into an EMPTY database and an EMPTY media folder only (it never
overwrites a live system), after checking every checksum in the manifest.

SQLite (the embedded mode) has no consistent dump here: both commands refuse with a message
saying to stop the application and copy var/ instead."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import environ
import psycopg
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA_TAR = "media.tar"
PREFIX = "ogi-backup-"
STAMP = "%Y%m%d-%H%M%S"
FORMAT = 1

MSG_SQLITE = (
    "嵌入模式（SQLite）不支持 backup/restore 命令：请停止应用后复制 var/ 目录"
    "（db.sqlite3 与 media/）。生产部署请使用 PostgreSQL。"
)
MSG_NOT_EMPTY_DB = "目标数据库“{name}”不是空库（已有 {n} 张表），恢复只能写入空库"
MSG_NOT_EMPTY_MEDIA = "目标文件目录“{path}”不是空目录，恢复只能写入空目录"
MSG_NO_MANIFEST = "“{path}”中没有 manifest.json：不是完整的备份"
MSG_CHECKSUM = "备份文件“{name}”的 SHA-256 与 manifest 不符：备份已损坏，拒绝恢复"
MSG_MEDIA_FILE = "恢复后的文件“{name}”的 SHA-256 与 manifest 不符"
MSG_TOOL = "找不到 {tool}：请安装 PostgreSQL 客户端（postgresql-client）"
MSG_FAILED = "{tool} 失败：{error}"
MSG_TAR_MEMBER = "media.tar 中有不安全的路径“{name}”，拒绝恢复"
MSG_NEWER = "备份来自较新的版本（{version}），含本程序没有的数据库迁移：{names}。请先升级程序再恢复"


class BackupError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class DatabaseTarget:
    """Where to connect: a libpq conninfo (without the password) and the password for PGPASSWORD."""

    name: str
    conninfo: str
    password: str

    @classmethod
    def from_settings(cls, db: dict) -> DatabaseTarget:
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError(MSG_SQLITE)
        parts = {
            "dbname": db["NAME"],
            "user": db.get("USER") or "",
            "host": db.get("HOST") or "",
            "port": str(db.get("PORT") or ""),
        }
        conninfo = " ".join(f"{key}={_quote(value)}" for key, value in parts.items() if value)
        return cls(name=db["NAME"], conninfo=conninfo, password=db.get("PASSWORD") or "")

    @classmethod
    def from_url(cls, url: str) -> DatabaseTarget:
        # django-environ parses the URL exactly as the settings parse DATABASE_URL.
        return cls.from_settings(environ.Env.db_url_config(url))

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.conninfo, password=self.password or None, autocommit=True)


def _quote(value: str) -> str:
    value = str(value)
    if value and all(c.isalnum() or c in "._-/" for c in value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _run(tool: str, args: list[str], target: DatabaseTarget) -> None:
    if shutil.which(tool) is None:
        raise BackupError(MSG_TOOL.format(tool=tool))
    result = subprocess.run(
        [tool, *args], env=target.env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(MSG_FAILED.format(tool=tool, error=result.stderr.strip()[-2000:]))


def app_version() -> str:
    try:
        return metadata.version("ogi-cases")
    except metadata.PackageNotFoundError:
        return "unknown"


def applied_migrations() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        rows = cursor.fetchall()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


def _media_files(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def backup_create(output: Path, *, now: dt.datetime | None = None) -> Path:
    """Write one backup folder under `output` and return it (see the module's docstring)."""
    target = DatabaseTarget.from_settings(settings.DATABASES["default"])
    now = now or timezone.now()
    folder = Path(output) / f"{PREFIX}{now.astimezone(dt.UTC).strftime(STAMP)}"
    folder.mkdir(parents=True, exist_ok=False)
    dump = folder / DUMP
    _run(
        "pg_dump",
        ["--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", target.conninfo],
        target,
    )
    media_root = Path(settings.MEDIA_ROOT)
    files = _media_files(media_root)
    with tarfile.open(folder / MEDIA_TAR, "w") as tar:
        for name in files:
            tar.add(media_root / name, arcname=name, recursive=False)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "app_version": app_version(),
        "database": {"vendor": "postgresql", "name": target.name},
        "files": {DUMP: sha256_file(dump), MEDIA_TAR: sha256_file(folder / MEDIA_TAR)},
        "media": files,
        "migrations": applied_migrations(),
    }
    partial = folder / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    partial.rename(folder / MANIFEST)
    return folder


def manifest_verified(folder: Path) -> dict:
    """The manifest of a complete, undamaged backup; BackupError otherwise."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(MSG_NO_MANIFEST.format(path=folder))
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for name, expected in manifest["files"].items():
        file = folder / name
        if not file.is_file() or sha256_file(file) != expected:
            raise BackupError(MSG_CHECKSUM.format(name=name))
    return manifest


def _table_count(target: DatabaseTarget) -> int:
    with target.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return int(row[0])


def backup_restore(
    folder: Path, *, database_url: str | None = None, media_root: Path | None = None
) -> dict:
    """Restore the backup in `folder` into the configured database and MEDIA_ROOT (or the
    given ones, for a drill or another server), both of which must be empty. Returns the
    manifest."""
    folder = Path(folder)
    target = (
        DatabaseTarget.from_url(database_url)
        if database_url
        else DatabaseTarget.from_settings(settings.DATABASES["default"])
    )
    media = Path(media_root or settings.MEDIA_ROOT)
    manifest = manifest_verified(folder)
    _check_migrations_known(manifest)
    tables = _table_count(target)
    if tables:
        raise BackupError(MSG_NOT_EMPTY_DB.format(name=target.name, n=tables))
    if media.exists() and any(media.iterdir()):
        raise BackupError(MSG_NOT_EMPTY_MEDIA.format(path=media))
    with tarfile.open(folder / MEDIA_TAR) as tar:
        members = tar.getmembers()
        for member in members:
            if not (member.isfile() or member.isdir()) or member.name not in manifest["media"]:
                raise BackupError(MSG_TAR_MEMBER.format(name=member.name))
        _run(
            "pg_restore",
            [
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={target.conninfo}",
                str(folder / DUMP),
            ],
            target,
        )
        media.mkdir(parents=True, exist_ok=True)
        tar.extractall(media, members=members, filter="data")
    for name, expected in manifest["media"].items():
        if sha256_file(media / name) != expected:
            raise BackupError(MSG_MEDIA_FILE.format(name=name))
    return manifest


def _check_migrations_known(manifest: dict) -> None:
    """A backup taken by a newer version has migrations this code does not know: restoring it
    would leave a database the code cannot run against. (An older backup is fine: `migrate`
    after the restore brings it up to date.)"""
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in on_disk
    )
    if unknown:
        raise BackupError(
            MSG_NEWER.format(version=manifest["app_version"], names="、".join(unknown[:5]))
        )


def backups_list(output: Path) -> list[tuple[dt.datetime, Path]]:
    """The complete backups (with a manifest) under `output`, newest first."""
    found = []
    for path in Path(output).glob(f"{PREFIX}*"):
        if not (path / MANIFEST).is_file():
            continue
        try:
            when = dt.datetime.strptime(path.name[len(PREFIX) :], STAMP).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        found.append((when, path))
    return sorted(found, reverse=True)


def backups_to_keep(stamps: list[dt.datetime], *, daily: int, monthly: int) -> set[dt.datetime]:
    """Grandfather-father-son: the newest backup of each of the `daily` most recent days that
    have one, and the newest of each of the `monthly` most recent months. The newest backup is
    always kept."""
    keep: set[dt.datetime] = set()
    days: dict[dt.date, dt.datetime] = {}
    months: dict[tuple[int, int], dt.datetime] = {}
    for stamp in sorted(stamps, reverse=True):
        days.setdefault(stamp.date(), stamp)
        months.setdefault((stamp.year, stamp.month), stamp)
    keep.update(list(days.values())[:daily])
    keep.update(list(months.values())[:monthly])
    if stamps:
        keep.add(max(stamps))
    return keep


def backups_prune(output: Path, *, daily: int, monthly: int) -> list[Path]:
    """Delete the complete backups under `output` that the retention does not keep."""
    found = backups_list(output)
    keep = backups_to_keep([when for when, _ in found], daily=daily, monthly=monthly)
    removed = []
    for when, path in found:
        if when not in keep:
            shutil.rmtree(path)
            removed.append(path)
    return removed
