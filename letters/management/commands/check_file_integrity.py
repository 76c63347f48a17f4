"""`python manage.py check_file_integrity`: every issued letter's file against the SHA-256 frozen
at issue (the same check as the daily beat task); exits with an error when any file differs."""

from django.core.management.base import BaseCommand, CommandError

from letters.integrity import letters_integrity_check


class Command(BaseCommand):
    help = "校验已签发文书的文件与签发时冻结的 SHA-256 是否一致；不一致的记入安全日志并通知管理员。"

    def handle(self, *args, **options):
        report = letters_integrity_check()
        for number in report.restored:
            self.stdout.write(f"已恢复正常：{number}")
        if report.mismatched:
            raise CommandError(
                f"已校验 {report.checked} 份文书，{len(report.mismatched)} 份不一致："
                + "、".join(report.mismatched)
            )
        self.stdout.write(self.style.SUCCESS(f"已校验 {report.checked} 份文书，全部一致"))
