"""`python manage.py import_calendar FILE.csv [--user USERNAME]` (SPEC §9)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from common.operators import os_account
from workcalendar.services import CalendarImportFailed, calendar_file_import


class Command(BaseCommand):
    help = (
        "导入一个年度的官方节假日安排：列 date,kind,name（kind 为 holiday 放假 或 workday 调休上班），"
        "所有日期须属于同一年度，且至少包含《全国年节及纪念日放假办法》规定的全部法定节假日（holiday）；"
        "以 # 开头的行为注释。该年度已录入的日期被整体替换，年度标记为已录入，"
        "随后重新计算所有未办结案件的答复期限（期限变化的案件记入历史）。"
        "有错误时逐行报告“row N: 问题”，不导入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="日历 .csv 文件")
        parser.add_argument(
            "--user",
            help="录入人用户名（记入年度与案件历史；默认为系统导入，记录操作系统账户）",
        )

    def handle(self, *args, file, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在")
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"用户“{user}”不存在")
        try:
            result = calendar_file_import(
                path, by=by, system_account=os_account() if by is None else ""
            )
        except CalendarImportFailed as exc:
            raise CommandError(exc.report()) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {result.year} 年日历：放假 {result.holidays} 天，调休上班 {result.workdays} 天"
                f"（替换原有 {result.replaced} 条）。"
            )
        )
        self.stdout.write(f"已重新计算未办结案件的答复期限：{result.cases_changed} 件期限变化。")
