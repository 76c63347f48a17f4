"""`python manage.py backup --output DIR [--keep-daily N --keep-monthly M]` (security.backup)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from security.backup import BackupError, backup_create, backups_prune
from security.events import security_event_record
from security.kinds import SecurityEventKind


class Command(BaseCommand):
    help = (
        "备份：PostgreSQL 数据库（pg_dump 自定义格式）和 MEDIA_ROOT 的全部文件，"
        "附 manifest.json（SHA-256、版本、迁移状态）；可按 --keep-daily/--keep-monthly 清理旧备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None, help="备份目录（默认 BACKUP_DIR）")
        parser.add_argument("--keep-daily", type=int, default=None, help="保留最近 N 天各一份")
        parser.add_argument("--keep-monthly", type=int, default=None, help="保留最近 M 个月各一份")

    def handle(self, *args, output, keep_daily, keep_monthly, **options):
        output = Path(output or settings.BACKUP_DIR)
        output.mkdir(parents=True, exist_ok=True)
        try:
            folder = backup_create(output)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        security_event_record(
            SecurityEventKind.BACKUP, username="system", details={"folder": str(folder)}
        )
        self.stdout.write(self.style.SUCCESS(f"已备份到 {folder}"))
        if keep_daily is not None or keep_monthly is not None:
            removed = backups_prune(output, daily=keep_daily or 0, monthly=keep_monthly or 0)
            for path in removed:
                self.stdout.write(f"已删除过期备份 {path}")
