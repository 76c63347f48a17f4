"""`python manage.py restore DIR`: into an empty database and an empty media folder only,
after checking the manifest's SHA-256 sums (security.backup)."""

from django.core.management.base import BaseCommand, CommandError

from security.backup import BackupError, backup_restore
from security.events import security_event_record
from security.kinds import SecurityEventKind


class Command(BaseCommand):
    help = (
        "从 backup 生成的目录恢复：先校验 manifest 中的 SHA-256，只恢复到空数据库和空的文件目录"
        "（不会覆盖正在使用的系统）。先在空库上运行，不要先 migrate。"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="备份目录（ogi-backup-…）")
        parser.add_argument("--database-url", default=None, help="恢复到另一个空库（演练用）")
        parser.add_argument("--media-root", default=None, help="恢复到另一个空目录（演练用）")

    def handle(self, *args, folder, database_url, media_root, **options):
        try:
            manifest = backup_restore(folder, database_url=database_url, media_root=media_root)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        if not database_url:  # the restored database is ours: the restore is in its log
            security_event_record(
                SecurityEventKind.RESTORE,
                username="system",
                details={"folder": str(folder), "created_at": manifest["created_at"]},
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {manifest['created_at']} 的备份（版本 {manifest['app_version']}，"
                f"{len(manifest['media'])} 个文件）"
            )
        )
