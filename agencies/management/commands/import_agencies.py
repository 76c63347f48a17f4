"""`python manage.py import_agencies FILE.csv` (SPEC §9)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.services import AgencyImportFailed, agencies_import_file


class Command(BaseCommand):
    help = (
        "导入或更新机关：列 code,name,parent_code,level,address,phone,review_body,court；"
        "parent_code 为空表示根机关，上级机关可以出现在文件的后面；level 为 city、district、town 或 department。"
        "按 code 更新已有机关，可重复执行。有错误时逐行报告“row N: 问题”，不导入任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="机关 .csv 文件")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件“{file}”不存在")
        try:
            result = agencies_import_file(path)
        except AgencyImportFailed as exc:
            raise CommandError(exc.report()) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"机关导入完成：新增 {result.created} 个，更新 {result.updated} 个，未变 {result.unchanged} 个。"
            )
        )
