"""`python manage.py export_cases --agency CODE [--year Y] --output FILE(.csv|.xlsx)` (SPEC §9)."""

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from requests_app.services.exports import MSG_BAD_OUTPUT, cases_export_file
from security.events import security_event_record
from security.kinds import SecurityEventKind


class Command(BaseCommand):
    help = (
        "导出机关的案件：导入的各列加 state,reply_due,deadline_provisional,overdue。"
        "--year 按收到申请之日的年度筛选。不导出身份证号码、联系电话等个人信息；"
        "作废案件默认不导出（--include-void 可导出）。导出的文件可直接用 import_cases 导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关代码，如 CITY-OFFICE")
        parser.add_argument("--year", type=int, help="收到申请的年度")
        parser.add_argument("--output", required=True, help="输出文件（.csv 或 .xlsx）")
        parser.add_argument("--include-void", action="store_true", help="同时导出已作废的案件")

    def handle(self, *args, agency, year, output, include_void, **options):
        target = Agency.objects.filter(code=agency).first()
        if target is None:
            raise CommandError(f"机关代码“{agency}”不存在")
        path = Path(output)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError(MSG_BAD_OUTPUT)
        if not path.parent.exists():
            raise CommandError(f"目录“{path.parent}”不存在")
        count = cases_export_file(path, agency=target, year=year, include_void=include_void)
        security_event_record(
            SecurityEventKind.EXPORT,
            username=f"os:{getpass.getuser()}",
            obj=target,
            details={
                "what": "export_cases",
                "year": year,
                "include_void": include_void,
                "output": str(path.resolve()),
                "cases": count,
            },
        )
        self.stdout.write(self.style.SUCCESS(f"已导出“{target.name}”的 {count} 件案件到 {path}"))
