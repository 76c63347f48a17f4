"""`python manage.py archive_case --agency CODE --case CASE_NO --output FILE.pdf`: the 案卷 of a
closed case as one PDF (cover, request, letters, deliveries, attachments, history)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from office.archive import case_archive_pdf
from office.pdf import pdf_page_count
from requests_app.models import Case
from requests_app.rules import RuleViolation


class Command(BaseCommand):
    help = (
        "生成已办结案件的案卷 PDF：封面及卷内目录、申请材料、已签发文书、送达记录、其他附件、"
        "办理记录，按归档顺序合为一个文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="机关代码，如 CITY-OFFICE")
        parser.add_argument("--case", required=True, help="案件编号，如 2026-0001")
        parser.add_argument("--output", required=True, help="输出文件（.pdf）")

    def handle(self, *args, agency, case, output, **options):
        target = Agency.objects.filter(code=agency).first()
        if target is None:
            raise CommandError(f"机关代码“{agency}”不存在")
        path = Path(output)
        if path.suffix.lower() != ".pdf":
            raise CommandError("输出文件须以 .pdf 结尾")
        if not path.parent.exists():
            raise CommandError(f"目录“{path.parent}”不存在")
        found = Case.objects.filter(agency=target, case_no=case).select_related("agency", "handler")
        if not found:
            raise CommandError(f"“{target.name}”没有编号为“{case}”的案件")
        try:
            data = case_archive_pdf(case=found[0])
        except RuleViolation as exc:
            raise CommandError(exc.message) from exc
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        path.write_bytes(data)
        self.stdout.write(
            self.style.SUCCESS(f"已生成案件 {case} 的案卷（{pdf_page_count(data)} 页）：{path}")
        )
