"""render_letter --agency CODE --case CASE_NO --kind KIND --output FILE.docx (SPEC §9).

Writes a draft (not issued, not numbered, marked 草稿) of one letter for the case as it stands;
the reply variant follows the case's outcome key. Nothing is stored."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from letters.models import LETTER_KINDS
from letters.services import render_draft_for_case
from requests_app.models import Case
from requests_app.rules import RuleViolation


class Command(BaseCommand):
    help = "Write a draft letter (.docx) for a case"

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="agency code")
        parser.add_argument("--case", required=True, help="case number (案件编号)")
        parser.add_argument("--kind", required=True, choices=LETTER_KINDS)
        parser.add_argument("--output", required=True, help="FILE.docx")

    def handle(self, *args, agency, case, kind, output, **options):
        if not output.lower().endswith(".docx"):
            raise CommandError("--output 须为 .docx 文件")
        try:
            agency_obj = Agency.objects.get(code=agency)
        except Agency.DoesNotExist as exc:
            raise CommandError(f"机关代码不存在：{agency}") from exc
        try:
            case_obj = Case.objects.select_related("agency").get(agency=agency_obj, case_no=case)
        except Case.DoesNotExist as exc:
            raise CommandError(f"案件不存在：{agency} {case}") from exc
        try:
            data = render_draft_for_case(case=case_obj, kind=kind)
        except RuleViolation as exc:
            raise CommandError(exc.message) from exc
        Path(output).write_bytes(data)
        self.stdout.write(f"草稿已写入 {output}（{len(data)} 字节）")
