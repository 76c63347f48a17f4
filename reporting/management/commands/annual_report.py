"""annual_report --agency CODE --year Y [--format-version 2019|2021] [--consolidated] --output FILE

Writes the annual report of SPEC §9 as .json, .csv, .xlsx or .docx (the file type follows the
extension). An inconsistent report is still written, with the failing cells on stderr and a
non-zero exit status, so it is never produced silently."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from reporting.exports import report_csv_bytes, report_json_bytes, report_xlsx_bytes
from reporting.services import report_docx
from reporting.stats import ReportInputError, annual_report_build

WRITERS = {".json", ".csv", ".xlsx", ".docx"}


class Command(BaseCommand):
    help = "生成政府信息公开工作年度报告（表三、表四；.json/.csv/.xlsx/.docx）"

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关代码")
        parser.add_argument("--year", required=True, type=int, help="报告年度")
        parser.add_argument("--format-version", choices=["2019", "2021"], default=None)
        parser.add_argument("--consolidated", action="store_true", help="汇总本级及全部下级机关")
        parser.add_argument("--output", required=True, help="输出文件（.json/.csv/.xlsx/.docx）")

    def handle(self, *args, **options):
        output = Path(options["output"])
        suffix = output.suffix.lower()
        if suffix not in WRITERS:
            raise CommandError(
                f"--output：不支持的文件类型“{suffix or output.name}”，应为 .json、.csv、.xlsx 或 .docx"
            )
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"--agency：机关代码“{options['agency']}”不存在")
        if not 1990 <= options["year"] <= 2100:
            raise CommandError("--year：年度不正确")
        try:
            report = annual_report_build(
                agency=agency,
                year=options["year"],
                format_version=options["format_version"],
                consolidated=options["consolidated"],
            )
        except ReportInputError as exc:
            raise CommandError(f"--{exc.field}：{exc.message}") from exc
        if suffix == ".json":
            content = report_json_bytes(report)
        elif suffix == ".csv":
            content = report_csv_bytes(report)
        elif suffix == ".xlsx":
            content = report_xlsx_bytes(report)
        else:
            content = report_docx(report, agency)
        output.write_bytes(content)
        if not report.consistent:
            for failure in report.failures:
                self.stderr.write(f"{failure.cell}: {failure.message}")
            raise CommandError(f"勾稽关系不成立，报表已写入 {output}，请核对上列单元格")
        self.stdout.write(f"已写入 {output}（{report.format_version} 格式，勾稽关系成立）")
