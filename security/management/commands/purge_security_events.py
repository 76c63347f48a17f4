"""`python manage.py purge_security_events --before YYYY-MM-DD`: delete security-log rows older
than the date, which must be at least six months ago (网络安全法 第二十一条); the database
trigger refuses younger rows as well."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from security.events import security_event_record
from security.kinds import SecurityEventKind
from security.models import SecurityEvent

MSG_TOO_RECENT = "安全日志至少保存六个月（网络安全法第二十一条）：--before 不能晚于 {limit}"


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Command(BaseCommand):
    help = "删除早于指定日期的安全日志；该日期必须在六个月以前。"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, type=dt.date.fromisoformat)

    def handle(self, *args, before, **options):
        if isinstance(before, str):  # call_command(before="YYYY-MM-DD") skips the parser's type
            before = dt.date.fromisoformat(before)
        limit = months_before(timezone.localdate(), settings.SECURITY_LOG_MIN_RETENTION_MONTHS)
        if before > limit:
            raise CommandError(MSG_TOO_RECENT.format(limit=limit.isoformat()))
        cutoff = dt.datetime.combine(before, dt.time.min, tzinfo=timezone.get_current_timezone())
        table = SecurityEvent._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            # The model refuses deletes on purpose: retention is the one deletion, in SQL.
            cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [cutoff])
            deleted = cursor.rowcount
        security_event_record(
            SecurityEventKind.PURGE,
            username="system",
            details={"before": before.isoformat(), "deleted": deleted},
        )
        self.stdout.write(self.style.SUCCESS(f"已删除 {deleted} 条 {before} 以前的安全日志"))
