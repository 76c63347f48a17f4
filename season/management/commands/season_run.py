"""Run the season's daily work now (as the 06:30 beat run would), recorded like any run."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from season.services import season_daily


class Command(BaseCommand):
    help = "年报季：立即运行数据质量检查、生成草稿（到期时）和催报提醒"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期运行（YYYY-MM-DD），默认今天")
        parser.add_argument("--drafts", action="store_true", help="不论日期，同时生成草稿")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date：请填写日期（YYYY-MM-DD）") from exc
        run = season_daily(today, force_drafts=options["drafts"])
        if run is None:
            self.stdout.write("不在年报季（12月1日至次年3月31日），未运行。")
            return
        self.stdout.write(f"{run.year} 年度：用时 {run.seconds:.1f} 秒，{run.summary}")
